"""Parsing and validating course content: no app, no database."""
from __future__ import annotations

import shutil
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from nmt_course.content import Severity, estimate_ce_hours, load_content
from tests.helpers import FIXTURE_CONTENT


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


COURSE = """
---
title: Test Course
summary: A course.
ce_hours: 0.5
status: published
---
Description.
"""
LESSON = """
---
title: A Lesson
minutes: 10
objectives:
  - Do a thing.
---
## Body

Some words here.
"""
QUIZ = """
pass_mark: 80
questions:
  - id: q1
    type: single
    prompt: Pick one.
    choices:
      - text: Right
        correct: true
      - text: Wrong
    explanation: Because.
    objective: 1
"""


@pytest.fixture
def tree(tmp_path):
    """A valid one-lesson course; tests break one thing in it."""
    lessons, quizzes = tmp_path / "lessons", tmp_path / "quizzes"
    write(lessons / "course-a" / "course.md", COURSE)
    write(lessons / "course-a" / "01-a-lesson.md", LESSON)
    write(quizzes / "course-a" / "a-lesson.yaml", QUIZ)
    return lessons, quizzes


def problems(tree, severity=Severity.ERROR) -> list[str]:
    return [str(p) for p in load_content(*tree).problems if p.severity is severity]


def test_valid_tree_parses_with_no_problem(tree):
    result = load_content(*tree)
    assert result.errors == ()
    assert [p.message for p in result.warnings] == [
        "ce_hours 0.5 is more than the 0 hours estimated from 4 words of prose and 1 quiz "
        "questions shown: lower ce_hours, or add reading or questions"]
    (course,) = result.courses
    assert (course.slug, course.title, course.ce_hours) == ("course-a", "Test Course",
                                                            Decimal("0.5"))
    (lesson,) = course.lessons
    assert (lesson.slug, lesson.position, lesson.minutes) == ("a-lesson", 1, 10)
    assert lesson.objectives == ("Do a thing.",)
    assert '<h2 id="body">Body</h2>' in lesson.body_html
    question = lesson.quiz.questions[0]
    assert [c.key for c in question.choices] == ["1", "2"]  # ids default to positions
    assert [c.correct for c in question.choices] == [True, False]


def test_the_fixture_course_the_app_tests_use_is_valid():
    result = load_content(FIXTURE_CONTENT / "lessons", FIXTURE_CONTENT / "quizzes")
    assert result.errors == ()


def test_missing_title_names_file_and_line(tree):
    write(tree[0] / "course-a" / "01-a-lesson.md", LESSON.replace("title: A Lesson\n", ""))
    assert problems(tree) == ["lessons/course-a/01-a-lesson.md:2: missing title"]


def test_bad_yaml_reports_the_line_in_the_file(tree):
    write(tree[1] / "course-a" / "a-lesson.yaml", QUIZ.replace("    prompt: Pick one.",
                                                               "    prompt: [unclosed"))
    (problem,) = problems(tree)
    assert problem.startswith("quizzes/course-a/a-lesson.yaml:")
    assert "bad YAML" in problem
    line = int(problem.split(":")[1])
    assert 5 <= line <= 7


def test_bad_yaml_in_front_matter_counts_lines_from_the_top_of_the_file(tree):
    write(tree[0] / "course-a" / "01-a-lesson.md",
          LESSON.replace("minutes: 10", "minutes: : 10"))
    (problem,) = problems(tree)
    assert problem.startswith("lessons/course-a/01-a-lesson.md:3: bad YAML")


def test_non_utf8_file_names_the_line_of_the_bad_byte(tree):
    path = tree[0] / "course-a" / "01-a-lesson.md"
    path.write_bytes(LESSON.lstrip("\n").encode().replace(b"Some words", b"Caf\xe9 words"))
    (problem,) = problems(tree)
    assert problem.startswith("lessons/course-a/01-a-lesson.md:9: not valid UTF-8")


def test_unknown_keys_are_errors_everywhere(tree):
    write(tree[0] / "course-a" / "course.md", COURSE.replace("status:", "colour: blue\nstatus:"))
    write(tree[1] / "course-a" / "a-lesson.yaml",
          QUIZ.replace("    explanation: Because.", "    explanation: Because.\n    hint: no"))
    found = problems(tree)
    assert any(p.startswith("lessons/course-a/course.md:5: unknown key 'colour'") for p in found)
    assert any(p.startswith("quizzes/course-a/a-lesson.yaml:11: unknown key 'hint'")
               for p in found)


def test_quiz_for_a_lesson_that_does_not_exist(tree):
    write(tree[1] / "course-a" / "no-such-lesson.yaml", QUIZ)
    assert problems(tree) == ["quizzes/course-a/no-such-lesson.yaml:1: quiz for lesson "
                              "'no-such-lesson', which does not exist in course 'course-a'"]


def test_quizzes_for_a_course_that_does_not_exist(tree):
    write(tree[1] / "ghost" / "a-lesson.yaml", QUIZ)
    assert any("quizzes for course 'ghost'" in p for p in problems(tree))


@pytest.mark.parametrize("choices, count", [
    ("      - text: A\n        correct: true\n      - text: B\n        correct: true\n", 2),
    ("      - text: A\n      - text: B\n", 0),
])
def test_single_question_needs_exactly_one_right_answer(tree, choices, count):
    quiz = QUIZ.split("    choices:\n")[0] + "    choices:\n" + choices
    write(tree[1] / "course-a" / "a-lesson.yaml", quiz)
    assert problems(tree) == [f"quizzes/course-a/a-lesson.yaml:6: a single question needs "
                              f"exactly one right answer ('correct: true'); it has {count}"]


def test_true_false_needs_a_boolean_answer(tree):
    write(tree[1] / "course-a" / "a-lesson.yaml", """
        questions:
          - id: tf
            type: true_false
            prompt: Is it?
            answer: maybe
            explanation: x
        """)
    (problem,) = problems(tree)
    assert problem.startswith("quizzes/course-a/a-lesson.yaml:5: a true_false question needs "
                              "exactly one right answer")


def test_multiple_question_needs_a_right_answer(tree):
    write(tree[1] / "course-a" / "a-lesson.yaml", QUIZ.replace("type: single", "type: multiple")
          .replace("        correct: true\n", ""))
    assert problems(tree) == ["quizzes/course-a/a-lesson.yaml:6: a multiple question needs at "
                              "least one right answer ('correct: true')"]


def test_duplicate_question_and_choice_ids(tree):
    write(tree[1] / "course-a" / "a-lesson.yaml", """
        questions:
          - id: same
            type: single
            prompt: One?
            choices:
              - {id: x, text: A, correct: true}
              - {id: x, text: B}
          - id: same
            type: true_false
            prompt: Two?
            answer: true
        """)
    found = problems(tree)
    assert "quizzes/course-a/a-lesson.yaml:7: duplicate choice id 'x'" in found
    assert ("quizzes/course-a/a-lesson.yaml:8: duplicate question id 'same' (also on line 2)"
            in found)


def test_empty_choices(tree):
    write(tree[1] / "course-a" / "a-lesson.yaml", """
        questions:
          - id: q
            type: single
            prompt: Anything?
            choices: []
        """)
    assert problems(tree) == ["quizzes/course-a/a-lesson.yaml:5: the question's choices are "
                              "empty"]


def test_choice_with_empty_text(tree):
    write(tree[1] / "course-a" / "a-lesson.yaml", QUIZ.replace("text: Wrong", 'text: ""'))
    assert problems(tree) == ["quizzes/course-a/a-lesson.yaml:9: missing text"]


@pytest.mark.parametrize("mark", ["0", "101", "eighty", "true"])
def test_pass_mark_outside_1_to_100(tree, mark):
    write(tree[1] / "course-a" / "a-lesson.yaml", QUIZ.replace("pass_mark: 80",
                                                               f"pass_mark: {mark}"))
    (problem,) = problems(tree)
    assert problem.startswith("quizzes/course-a/a-lesson.yaml:1: pass_mark must be a whole "
                              "number from 1 to 100")


def test_bad_course_values(tree):
    write(tree[0] / "course-a" / "course.md", COURSE.replace("ce_hours: 0.5", "ce_hours: -1")
          .replace("status: published", "status: live\ncourse_type: Seminar"))
    found = problems(tree)
    assert any(p.startswith("lessons/course-a/course.md:4: ce_hours must be a number: CE hours "
                            "run from 0.25 to 100")
               for p in found)
    assert any(p.startswith("lessons/course-a/course.md:5: status must be one of") for p in found)
    assert any(p.startswith("lessons/course-a/course.md:6: course_type must be one of")
               for p in found)


def test_bad_lesson_file_name_and_duplicate_numbers(tree):
    write(tree[0] / "course-a" / "intro.md", LESSON)
    write(tree[0] / "course-a" / "01-other.md", LESSON)
    found = problems(tree)
    assert "lessons/course-a/intro.md:1: lesson files are named NN-slug.md, for example " \
           "01-introduction.md" in found
    assert any("number 01 is already used" in p for p in found)


def test_course_without_course_md_or_lessons(tree):
    (tree[0] / "course-a" / "course.md").unlink()
    write(tree[0] / "empty-course" / "course.md", COURSE)
    found = problems(tree)
    assert any(p.startswith("lessons/course-a/course.md:1: missing course.md") for p in found)
    assert any(p.startswith("lessons/empty-course/course.md:1: the course has no lessons")
               for p in found)


def test_missing_front_matter(tree):
    write(tree[0] / "course-a" / "01-a-lesson.md", "## Just Markdown\n")
    assert problems(tree) == ["lessons/course-a/01-a-lesson.md:1: the file must start with YAML "
                              "front matter between '---' lines"]


def test_duplicate_yaml_keys_are_errors(tree):
    write(tree[0] / "course-a" / "01-a-lesson.md",
          LESSON.replace("minutes: 10", "minutes: 10\nminutes: 20"))
    (problem,) = problems(tree)
    assert problem.startswith("lessons/course-a/01-a-lesson.md:4: bad YAML")
    assert "duplicate key 'minutes'" in problem


def test_block_markdown_in_a_prompt_is_refused(tree):
    write(tree[1] / "course-a" / "a-lesson.yaml",
          QUIZ.replace("prompt: Pick one.", "prompt: |\n      Pick one.\n\n      - a list"))
    (problem,) = problems(tree)
    assert "prompt: use one paragraph of inline Markdown" in problem


def test_markdown_is_sanitised_at_parse_time(tree):
    write(tree[0] / "course-a" / "01-a-lesson.md", LESSON + textwrap.dedent("""
        <script>alert(1)</script>
        <img src="x" onerror="alert(2)">
        [click](javascript:alert(3))
        <div class="evil admonition" style="color:red">Styled</div>
        """))
    write(tree[1] / "course-a" / "a-lesson.yaml",
          QUIZ.replace("text: Wrong", 'text: "<b onclick=\\"x()\\">Wrong</b>"'))
    lesson = load_content(*tree).courses[0].lessons[0]
    html = lesson.body_html
    for bad in ("<script", "onerror", "javascript:", "style=", "evil"):
        assert bad not in html
    assert '<div class="admonition">Styled</div>' in html
    assert lesson.quiz.questions[0].choices[1].text_html == "<b>Wrong</b>"


def test_tables_and_admonitions_render(tree):
    write(tree[0] / "course-a" / "01-a-lesson.md", LESSON + textwrap.dedent("""
        | Point | Refers to |
        | ----- | --------- |
        | Upper trapezius | Temple |

        !!! warning "Red flag"
            Refer out.
        """))
    html = load_content(*tree).courses[0].lessons[0].body_html
    assert "<th>Point</th>" in html and "<td>Temple</td>" in html
    assert '<div class="admonition warning">' in html
    assert '<p class="admonition-title">Red flag</p>' in html


def test_level_one_heading_is_a_warning(tree):
    write(tree[0] / "course-a" / "01-a-lesson.md", LESSON.replace("## Body", "# Body"))
    assert problems(tree) == []
    assert any("level-1 headings" in p for p in problems(tree, Severity.WARNING))


def test_ce_hours_above_the_estimate_is_a_warning_not_an_error(tree):
    write(tree[0] / "course-a" / "course.md", COURSE.replace("ce_hours: 0.5", "ce_hours: 3"))
    assert problems(tree) == []
    (warning,) = problems(tree, Severity.WARNING)
    assert warning.startswith("lessons/course-a/course.md:4: warning: ce_hours 3 is more than "
                              "the 0 hours estimated")


def test_ce_hours_above_the_estimate_is_an_error_for_an_approved_course(tree):
    write(tree[0] / "course-a" / "course.md",
          COURSE.replace("status: published", "status: published\napproval_number: NB-1"))
    (error,) = problems(tree)
    assert error.endswith("a course with an approval number cannot be published while it does")
    assert problems(tree, Severity.WARNING) == []


# minutes = (prose words + quiz words) / 200 + questions / 4; hours rounded down to the half.
@pytest.mark.parametrize("words, questions, quiz_words, hours", [
    (0, 0, "0", "0"), (6000, 0, "0", "0.5"), (5999, 0, "0", "0"), (5800, 0, "200", "0.5"),
    (5800, 0, "199.99", "0"), (5600, 4, "200", "0.5"), (5600, 3, "200", "0"),
    (14000, 40, "2000", "1.5"), (13999, 40, "2000", "1"),
])
def test_ce_estimate_rule(words, questions, quiz_words, hours):
    assert estimate_ce_hours(words, questions, Decimal(quiz_words)) == Decimal(hours)


def test_prose_leaves_out_reference_sections_code_and_image_text(tree):
    write(tree[0] / "course-a" / "01-a-lesson.md", LESSON.replace("Some words here.", """\
Some words here.

![A long alt text of seven words](/static/x.png)

    an indented code block of eight words here

Inline `code words` do not count.

### A subsection

Three more words.

## References

1. Author A. A title of a paper. 2020.

### Still references

Not counted either.

## Further reading:

Nor this.

## Sources

Nor these.

## After

Two words."""))
    (lesson,) = load_content(*tree).courses[0].lessons
    # "Body" 1 + "Some words here" 3 + "Inline do not count" 4 + "A subsection" 2
    # + "Three more words" 3 + "After" 1 + "Two words" 2.
    assert lesson.word_count == 16


def test_quiz_words_are_the_draw_times_the_bank_mean(tree):
    quiz = QUIZ + """\
  - id: q2
    type: single
    prompt: Pick one of these three words.
    choices:
      - text: Right answer here
        correct: true
      - text: Wrong
    explanation: Because.
    objective: 1
"""
    write(tree[1] / "course-a" / "a-lesson.yaml", quiz + "draw: 1\n")
    course = load_content(*tree).courses[0]
    # q1: 2 + 1 + 1 = 4 words; q2: 6 + 3 + 1 = 10 words; mean 7, drawn once.
    assert (course.question_count, course.quiz_words) == (1, Decimal("7.00"))


def test_slug_from_front_matter_overrides_the_file_name(tree):
    shutil.move(tree[1] / "course-a" / "a-lesson.yaml", tree[1] / "course-a" / "renamed.yaml")
    write(tree[0] / "course-a" / "01-a-lesson.md", LESSON.replace("minutes: 10",
                                                                  "minutes: 10\nslug: renamed"))
    result = load_content(*tree)
    assert result.errors == ()
    assert result.courses[0].lessons[0].slug == "renamed"
    assert result.courses[0].lessons[0].quiz is not None


BANK = """
pass_mark: 80
draw: 2
review_after_fail: score
questions:
  - id: q1
    type: single
    objective: 1
    prompt: Pick one.
    choices:
      - text: Right
        correct: true
      - text: Wrong
    explanation: Because.
  - id: q2
    type: true_false
    objective: 2
    prompt: It is so.
    answer: true
    explanation: It is.
  - id: q3
    type: true_false
    prompt: It is not so.
    answer: false
    explanation: It is not.
"""


def test_a_quiz_bank_draws_some_questions_tied_to_objectives(tree):
    write(tree[0] / "course-a" / "01-a-lesson.md",
          LESSON.replace("  - Do a thing.", "  - Do a thing.\n  - Do another."))
    write(tree[1] / "course-a" / "a-lesson.yaml", BANK)
    result = load_content(*tree)
    assert result.errors == ()
    quiz = result.courses[0].lessons[0].quiz
    assert (quiz.draw, quiz.shown_count, quiz.review_after_fail) == (2, 2, "score")
    assert [q.objective for q in quiz.questions] == [1, 2, None]
    assert result.courses[0].question_count == 2  # what a learner answers, for CE hours


def test_a_quiz_without_draw_shows_its_whole_bank_and_reviews_objectives(tree):
    quiz = load_content(*tree).courses[0].lessons[0].quiz
    assert (quiz.draw, quiz.shown_count, quiz.review_after_fail) == (None, 1, "objectives")


@pytest.mark.parametrize("before, after, message", [
    ("draw: 2", "draw: 4", "quizzes/course-a/a-lesson.yaml:2: draw must be a whole number "
                           "from 1 to 3, not 4"),
    ("draw: 2", "draw: 0", "quizzes/course-a/a-lesson.yaml:2: draw must be a whole number "
                           "from 1 to 3, not 0"),
    ("review_after_fail: score", "review_after_fail: all",
     "quizzes/course-a/a-lesson.yaml:3: review_after_fail must be one of: score, objectives, "
     "questions (not 'all')"),
])
def test_draw_and_review_are_validated(tree, before, after, message):
    write(tree[0] / "course-a" / "01-a-lesson.md",
          LESSON.replace("  - Do a thing.", "  - Do a thing.\n  - Do another."))
    write(tree[1] / "course-a" / "a-lesson.yaml", BANK.replace(before, after))
    assert problems(tree) == [message]


def test_objective_numbers_must_name_a_stated_objective(tree):
    write(tree[1] / "course-a" / "a-lesson.yaml", BANK)  # the lesson states one objective
    assert problems(tree) == [
        "quizzes/course-a/a-lesson.yaml:16: question 'q2' tests objective 2, but the lesson "
        "states only 1"]
    write(tree[1] / "course-a" / "a-lesson.yaml", BANK.replace("objective: 1", "objective: x"))
    assert any("tests objective 'x', which the lesson does not state" in p
               for p in problems(tree))  # a word is read as an objective's id
    write(tree[1] / "course-a" / "a-lesson.yaml", BANK.replace("objective: 1", "objective: 0"))
    assert any("objective must be the id or the number of one of the lesson's objectives" in p
               for p in problems(tree))


def test_content_hash_changes_only_with_content(tree):
    first = load_content(*tree).courses[0]
    again = load_content(*tree).courses[0]
    assert first.content_hash == again.content_hash
    assert first.lessons[0].quiz.content_hash == again.lessons[0].quiz.content_hash
    write(tree[1] / "course-a" / "a-lesson.yaml", QUIZ.replace("Because.", "Because!"))
    changed = load_content(*tree).courses[0]
    assert changed.lessons[0].quiz.content_hash != first.lessons[0].quiz.content_hash
    assert changed.content_hash != first.content_hash


def test_a_course_keeps_its_files_and_loads_the_same_from_memory(tree):
    from nmt_course.content import load_files
    first = load_content(*tree)
    (course,) = first.courses
    assert sorted(course.files) == ["lessons/course-a/01-a-lesson.md",
                                    "lessons/course-a/course.md", "quizzes/course-a/a-lesson.yaml"]
    again = load_files(course.files)
    assert again.problems == first.problems
    assert again.courses[0] == course and again.courses[0].files == course.files
    broken = {**course.files, "quizzes/course-a/a-lesson.yaml": "questions: []\n"}
    assert [str(p) for p in load_files(broken).errors] == [
        "quizzes/course-a/a-lesson.yaml:1: the quiz has no questions"]
    for name in ("../escape.md", "/tmp/escape.md", "lessons/course-a/images/x.md"):
        assert [str(p) for p in load_files({name: "x"}).errors] == [
            f"{name}:1: not a path a course's file can have (lessons/<course>/NN-slug.md or "
            "quizzes/<course>/slug.yaml)"]
