"""The quiz-quality checker: item-writing flaws found in quiz text, as warnings."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nmt_course.content import Severity, load_content
from nmt_course.content.quality import check_quality

QUIZ_PATH = "quizzes/course-a/a-lesson.yaml"
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
  - Name the parts of a trigger point.
---
## Body

Some words here.
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def question(key: str, prompt: str, right: str | list[str], *wrong: str,
             kind: str = "single", objective: int | None = None) -> str:
    """One quiz question as YAML; strings are JSON-quoted, which YAML reads as written."""
    lines = [f"  - id: {key}", f"    type: {kind}", f"    prompt: {json.dumps(prompt)}"]
    if objective is not None:
        lines.append(f"    objective: {objective}")
    lines.append("    choices:")
    for text in [right] if isinstance(right, str) else right:
        lines += [f"      - text: {json.dumps(text)}", "        correct: true"]
    lines += [f"      - text: {json.dumps(text)}" for text in wrong]
    lines.append("    explanation: Because.")
    return "\n".join(lines) + "\n"


def true_false(key: str, prompt: str, answer: bool) -> str:
    return (f"  - id: {key}\n    type: true_false\n    prompt: {json.dumps(prompt)}\n"
            f"    answer: {str(answer).lower()}\n    explanation: Because.\n")


def quiz(*questions: str) -> str:
    return "pass_mark: 80\nquestions:\n" + "".join(questions)


@pytest.fixture
def tree(tmp_path):
    """A one-lesson course; each test writes the lesson's quiz."""
    lessons, quizzes = tmp_path / "lessons", tmp_path / "quizzes"
    write(lessons / "course-a" / "course.md", COURSE)
    write(lessons / "course-a" / "01-a-lesson.md", LESSON)
    return lessons, quizzes


def write_quiz(tree, text: str, lesson: str = "a-lesson") -> Path:
    return write(tree[1] / "course-a" / f"{lesson}.yaml", text)


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first line of `path` that contains `needle`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def found(tree, rule: str) -> list[str]:
    content = load_content(*tree)
    assert content.errors == ()
    return [str(p) for course in content.courses for p in check_quality(course) if p.rule == rule]


def assert_near_miss(tree, rule: str, miss: str, tipped: str) -> None:
    """`miss` stays just inside the rule, and `tipped`, one step over the line, is flagged:
    so a near-miss test also fails if the rule stops working altogether."""
    write_quiz(tree, miss)
    assert found(tree, rule) == []
    write_quiz(tree, tipped)
    assert found(tree, rule) != []


def plain(key: str, right: str = "Alpha option", wrong=("Bravo option", "Delta option")) -> str:
    """A question with no flaw: no clue in its wording, options of equal length."""
    return question(key, "Pick one?", right, *wrong)


# longest-answer ------------------------------------------------------------------------------

def longest_right(key: str) -> str:
    return question(key, "Pick one?", "The longest option here", "Bravo option", "Delta option")


def test_right_answer_longest_in_more_than_40_percent_of_single_questions(tree):
    write_quiz(tree, quiz(longest_right("l1"), longest_right("l2"), longest_right("l3"),
                          plain("p1"), plain("p2")))
    assert found(tree, "longest-answer") == [
        f"{QUIZ_PATH}:1: warning: the right answer is the longest choice in 3 of 5 "
        "single-answer questions (l1, l2, l3): learners can pass by picking the longest; make "
        "wrong options as long and specific as the right one, or shorten the right one"]


@pytest.mark.parametrize("miss, tipped", [
    ([longest_right("l1"), longest_right("l2"), plain("p1"), plain("p2"), plain("p3")],  # 40 %
     [longest_right("l1"), longest_right("l2"), longest_right("l3"), plain("p2"), plain("p3")]),
    ([longest_right(f"l{n}") for n in range(4)],  # fewer than 5 single questions
     [longest_right(f"l{n}") for n in range(5)]),
    ([question(f"t{n}", "Pick one?", "Tied option", "Other words", "Short")  # a tie is no clue
      for n in range(5)],
     [question(f"t{n}", "Pick one?", "Tied options", "Other words", "Short") for n in range(5)]),
    ([question(f"two{n}", "Pick one?", "The longest option here", "Short")  # 2 choices
      for n in range(5)],
     [question(f"two{n}", "Pick one?", "The longest option here", "Short", "Brief")
      for n in range(5)]),
])
def test_right_answer_longest_near_misses(tree, miss, tipped):
    assert_near_miss(tree, "longest-answer", quiz(*miss), quiz(*tipped))


# outlier-option ------------------------------------------------------------------------------

def test_a_choice_much_longer_than_the_others_is_an_outlier(tree):
    path = write_quiz(tree, quiz(question(
        "tp", "What is a trigger point?",
        "A hyperirritable spot in a taut band of skeletal muscle",
        "A calcified deposit", "A torn tendon", "A swollen joint")))
    assert found(tree, "outlier-option") == [
        f"{QUIZ_PATH}:{line_of(path, 'hyperirritable')}: warning: choice '1' of question 'tp' "
        "is 55 characters, 3.5 times the 16-character average of the others: an option that "
        "stands out gives itself away (or is dismissed); make the options alike in length and "
        "detail"]


def test_outlier_ratio_boundary(tree):
    # Exactly 1.8 times the average (36 against 20) is not more than it; 37 is.
    assert_near_miss(tree, "outlier-option",
                     quiz(question("q", "Pick one?", "x" * 36, "y" * 20, "z" * 20)),
                     quiz(question("q", "Pick one?", "x" * 37, "y" * 20, "z" * 20)))


def test_short_options_under_the_floor_are_not_outliers(tree):
    # "Twice daily" is 2.4 times the average of the others but only 6.5 characters longer.
    assert_near_miss(tree, "outlier-option",
                     quiz(question("often", "How often?", "Twice daily", "Once", "Never")),
                     quiz(question("often", "How often?", "Twice daily, with meals", "Once",
                                   "Never")))


def test_outlier_applies_to_wrong_options_and_multiple_questions(tree):
    path = write_quiz(tree, quiz(question(
        "m", "Which apply?", ["Alpha", "Bravo"], "A very long and detailed wrong option here",
        kind="multiple")))
    (warning,) = found(tree, "outlier-option")
    assert warning.startswith(f"{QUIZ_PATH}:{line_of(path, 'very long')}: warning: choice '3' "
                              "of question 'm' is 42 characters")


# one-sided-true-false ------------------------------------------------------------------------

def test_true_false_keys_all_alike_in_a_quiz(tree):
    write_quiz(tree, quiz(*(true_false(f"tf{n}", f"Statement {n}.", False) for n in range(4))))
    assert found(tree, "one-sided-true-false") == [
        f"{QUIZ_PATH}:1: warning: 4 of 4 true/false questions are keyed 'false': learners who "
        "always answer 'false' score well without knowing; rewrite some statements as their "
        "opposite so that true and false are about even"]


def true_false_quiz(answers: list[bool], prefix: str = "tf") -> str:
    return quiz(*(true_false(f"{prefix}{n}", f"Statement {prefix}{n}.", answer)
                  for n, answer in enumerate(answers)))


@pytest.mark.parametrize("miss, tipped", [
    ([False, False, False], [False, False, False, False]),  # fewer than 4 true/false questions
    ([False, False, False, True], [False, False, False, False]),  # 75 % is not more than 75 %
])
def test_true_false_quiz_near_misses(tree, miss, tipped):
    assert_near_miss(tree, "one-sided-true-false", true_false_quiz(miss),
                     true_false_quiz(tipped))


def course_true_false_warnings(tree, trues: int, total: int) -> list[str]:
    """Course-level warnings for `trues` of `total` true/false keys, split over two quizzes so
    that neither quiz is one-sided on its own."""
    answers = [n < trues for n in range(total)]
    answers = answers[::2] + answers[1::2]
    half = total // 2
    write(tree[0] / "course-a" / "02-b-lesson.md", LESSON)
    write_quiz(tree, true_false_quiz(answers[:half], "a"))
    write_quiz(tree, true_false_quiz(answers[half:], "b"), "b-lesson")
    return [w for w in found(tree, "one-sided-true-false")
            if w.startswith("lessons/course-a/course.md:")]


@pytest.mark.parametrize("trues", [2, 6])  # 25 % and 75 % true
def test_share_of_true_keys_across_the_course(tree, trues):
    assert course_true_false_warnings(tree, trues, 8) == [
        f"lessons/course-a/course.md:1: warning: {trues} of 8 true/false questions in the "
        f"course are keyed 'true' ({round(trues * 100 / 8)} %): learners who guess one way "
        "gain; rewrite some statements as their opposite so that 30-70 % are true"]


@pytest.mark.parametrize("miss, tipped", [
    ((3, 8), (2, 8)),  # 37.5 % true is inside 30-70 %
    ((5, 8), (6, 8)),  # 62.5 %
    ((2, 7), (2, 8)),  # fewer than 8 true/false questions in the course
])
def test_share_of_true_keys_near_misses(tree, miss, tipped):
    assert course_true_false_warnings(tree, *miss) == []
    assert len(course_true_false_warnings(tree, *tipped)) == 1


# all-none-of-the-above -----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "All of the above", "None of the above.", "all of these", "Both A and B", "A and C",
    "A, B and C", "A, B, and D", "Neither A nor B", "Both", "Options B and D only",
    "None of these are correct",
])
def test_options_that_point_at_other_options(tree, text):
    path = write_quiz(tree, quiz(question("q", "Which muscle refers to the temple?",
                                          "Upper trapezius", "Gluteus medius", text)))
    assert found(tree, "all-none-of-the-above") == [
        f"{QUIZ_PATH}:{line_of(path, json.dumps(text))}: warning: choice '3' of question 'q' "
        f"('{text}') points at other options, so partial knowledge answers it; write each option "
        "as a complete, independent answer (or use a multiple question)"]


@pytest.mark.parametrize("miss, tipped", [
    ("Both muscles shorten during the stretch", "Both"),
    ("All of these muscles refer to the head", "All of these"),
    ("Neither heat nor ice", "Neither A nor B"),
    ("Vitamin A and calcium", "A and C"),
    ("A and B cells", "A and B"),
    ("None", "None of the above"),  # "None" can be a real answer ("How much pressure?")
])
def test_complete_answers_that_merely_use_the_words(tree, miss, tipped):
    assert_near_miss(tree, "all-none-of-the-above",
                     quiz(question("q", "Pick one?", "Upper trapezius", "Gluteus medius", miss)),
                     quiz(question("q", "Pick one?", "Upper trapezius", "Gluteus medius",
                                   tipped)))


# absolute-terms ------------------------------------------------------------------------------

def absolute(key: str, wrong: str = "It always works", right: str = "It often helps") -> str:
    return question(key, "Pick one?", right, wrong, "It rarely helps")


def test_absolutes_only_in_wrong_options_of_three_questions(tree):
    write_quiz(tree, quiz(absolute("a1"), absolute("a2", "It NEVER hurts"),
                          absolute("a3", "Use only the thumb"), plain("p1")))
    assert found(tree, "absolute-terms") == [
        f"{QUIZ_PATH}:1: warning: absolute words (always, never, only) are in 3 of 8 wrong "
        "options (a1, a2, a3) but 0 of 4 right ones: learners learn that absolutes mark wrong "
        "answers; qualify them, or use absolutes in right answers as often"]


def test_absolutes_far_more_often_in_wrong_options_than_in_keys(tree):
    """The reviewer's count in issue 25: 44 of 402 wrong options, 5 of 134 keys."""
    many = [absolute(f"a{n}", wrong="Every client needs it") for n in range(6)]
    write_quiz(tree, quiz(*many, absolute("k", right="It always helps"),
                          *(plain(f"p{n}") for n in range(3))))
    assert len(found(tree, "absolute-terms")) == 1  # 6 of 20 wrong, 1 of 10 keys
    write_quiz(tree, quiz(*many, absolute("k", right="It always helps"),
                          absolute("k2", right="Every client benefits")))
    assert found(tree, "absolute-terms") == []  # 6 of 16 wrong, 2 of 8 keys: not twice


@pytest.mark.parametrize("third", [
    plain("p2"),  # only two questions use them
    absolute("a3", right="You must stop and refer"),  # a right option uses one too
    absolute("a3", wrong="It nevertheless works"),  # not the whole word
])
def test_absolute_terms_near_misses(tree, third):
    assert_near_miss(tree, "absolute-terms", quiz(absolute("a1"), absolute("a2"), third),
                     quiz(absolute("a1"), absolute("a2"), absolute("a3")))


# negative-stem -------------------------------------------------------------------------------

def test_unemphasised_not_in_the_question_sentence(tree):
    path = write_quiz(tree, quiz(plain("p1"), question(
        "contra", "A client is on anticoagulants. Which technique is not suitable today?",
        "Deep ischemic compression", "Positional release", "Light effleurage")))
    assert found(tree, "negative-stem") == [
        f"{QUIZ_PATH}:{line_of(path, 'id: contra')}: warning: question 'contra' asks with 'not' "
        "without emphasis: learners who read past it answer the opposite question; emphasise "
        "it (**NOT**) or ask it positively"]


@pytest.mark.parametrize("prompt, word", [
    ("All of these are contraindications except:", "except"),
    ("Which muscle is the least likely source of temple pain?", "least"),
])
def test_except_and_least_are_negatives(tree, prompt, word):
    write_quiz(tree, quiz(question("q", prompt, "Alpha option", "Bravo option")))
    (warning,) = found(tree, "negative-stem")
    assert f"asks with '{word}' without emphasis" in warning


@pytest.mark.parametrize("miss, tipped", [
    ("A client who does not sleep well asks about pressure. Which step comes first?",
     "A client who does not sleep well asks about pressure. Which step does not come first?"),
    ("Which technique is **NOT** suitable today?", "Which technique is not suitable today?"),
    ("Which technique is **not** suitable today?", "Which technique is not suitable today?"),
    ("Which technique is NOT suitable today?", "Which technique is not suitable today?"),
    ("All of these are contraindications EXCEPT:", "All of these are contraindications except:"),
    ("How long should pressure be held, at least?", "Which hold is least useful?"),
])
def test_negative_stem_near_misses(tree, miss, tipped):
    assert_near_miss(tree, "negative-stem",
                     quiz(question("q", miss, "Alpha option", "Bravo option")),
                     quiz(question("q", tipped, "Alpha option", "Bravo option")))


def test_true_false_statements_are_not_checked_for_negatives(tree):
    statement = "If a point does not soften, press harder."  # a condition, not a negated stem
    assert_near_miss(tree, "negative-stem", quiz(true_false("tf", statement, False)),
                     quiz(question("tf", statement, "Alpha option", "Bravo option")))


# article-clue --------------------------------------------------------------------------------

@pytest.mark.parametrize("prompt, article", [
    ("A hyperirritable spot in a taut band is called an", "an"),
    ("A tender spot that reproduces familiar pain is a:", "a"),
    ("The muscle that refers to the temple is an ___", "an"),
    ("The band is felt as a...", "a"),
])
def test_stem_ending_in_an_article(tree, prompt, article):
    path = write_quiz(tree, quiz(question("q", prompt, "Active point", "Latent point")))
    assert found(tree, "article-clue") == [
        f"{QUIZ_PATH}:{line_of(path, 'id: q')}: warning: question 'q' ends with the article "
        f"'{article}', which rules out options that do not fit it; end the stem with 'a(n)' "
        "or move the article into the options"]


@pytest.mark.parametrize("miss, tipped", [
    ("A hyperirritable spot in a taut band is called a(n)",
     "A hyperirritable spot in a taut band is called an"),
    ("Which deficiency is linked to low vitamin A", "Low vitamin levels are linked to a"),
    ("What is a spot that reproduces familiar pain called?",
     "A spot that reproduces familiar pain is called a"),
    ("Fill in: the point is ___", "Fill in: the point is a ___"),
])
def test_article_clue_near_misses(tree, miss, tipped):
    assert_near_miss(tree, "article-clue",
                     quiz(question("q", miss, "Active point", "Latent point")),
                     quiz(question("q", tipped, "Active point", "Latent point")))


# clang-association ---------------------------------------------------------------------------

def clued(key: str) -> str:
    return question(key, "Where does the upper trapezius refer pain?",
                    "Along the trapezius to the temple", "Behind the knee", "Into the heel")


def test_stem_words_repeated_only_in_the_right_option(tree):
    write_quiz(tree, quiz(clued("c1"), clued("c2"), question(
        "c3", "Which muscles lift the ribs?", ["The scalene muscle", "The intercostal muscle"],
        "The soleus", "The gluteus maximus", kind="multiple"),
        plain("p1"), plain("p2"), true_false("tf", "Pick one.", True)))
    assert found(tree, "clang-association") == [
        f"{QUIZ_PATH}:1: warning: in 3 of 5 questions a word of the stem is in the right "
        "option and no wrong one: c1 ('trapezius'), c2 ('trapezius'), c3 ('muscle'); learners "
        "can match words instead of knowing the answer; repeat stem words in wrong options "
        "too, or reword the right one"]


@pytest.mark.parametrize("miss, tipped", [
    ([clued("c1"), clued("c2"), plain("p1"), plain("p2"), plain("p3")],  # exactly 40 %
     [clued("c1"), clued("c2"), clued("c3"), plain("p2"), plain("p3")]),
    ([clued(f"c{n}") for n in range(4)],  # fewer than 5 single/multiple questions
     [clued(f"c{n}") for n in range(5)]),
    ([question(f"w{n}", "Where does the upper trapezius refer pain?",  # in a wrong option too
               "Along the trapezius to the temple", "Down the trapezius to the shoulder")
      for n in range(5)],
     [question(f"w{n}", "Where does the upper trapezius refer pain?",
               "Along the trapezius to the temple", "Down the arm to the shoulder")
      for n in range(5)]),
    ([question(f"s{n}", "Which client should you refer?",  # stop words only
               "The client with chest pain", "A runner", "A swimmer") for n in range(5)],
     [question(f"s{n}", "Which client with chest pain should you refer?",
               "The client with chest pain", "A runner", "A swimmer") for n in range(5)]),
])
def test_clang_association_near_misses(tree, miss, tipped):
    true_falses = [true_false(f"tf{n}", "Pick one.", n % 2 == 0) for n in range(4)]
    assert_near_miss(tree, "clang-association", quiz(*miss, *true_falses),
                     quiz(*tipped, *true_falses))


# duplicate-prompt ----------------------------------------------------------------------------

def test_same_prompt_twice_in_a_course(tree):
    write(tree[0] / "course-a" / "02-b-lesson.md", LESSON)
    first = write_quiz(tree, quiz(plain("p1"), question(
        "temple", "Which muscle refers to the temple?", "Upper trapezius", "Soleus")))
    second = write_quiz(tree, quiz(question(
        "again", "which  muscle refers to the TEMPLE", "Upper trapezius", "Soleus")), "b-lesson")
    assert found(tree, "duplicate-prompt") == [
        f"quizzes/course-a/b-lesson.yaml:{line_of(second, 'id: again')}: warning: question "
        "'again' has the same prompt as question 'temple' of the quiz of “A Lesson”: "
        "learners meet one item twice; reword one to test something else, or delete it"]
    assert first.exists()


def test_similar_but_different_prompts_are_not_duplicates(tree):
    temple = question("temple", "Which muscle refers to the temple?", "Upper trapezius", "Soleus")
    assert_near_miss(tree, "duplicate-prompt",
                     quiz(temple, question("jaw", "Which muscle refers to the jaw?",
                                           "Masseter", "Soleus")),
                     quiz(temple, question("jaw", "Which muscle refers to the temple!",
                                           "Masseter", "Soleus")))


# untested-objective --------------------------------------------------------------------------

TWO_OBJECTIVES = LESSON.replace("  - Name the parts of a trigger point.",
                                "  - Name the parts of a trigger point.\n"
                                "  - Tell active from latent points.")


def test_objective_no_question_tests(tree):
    write(tree[0] / "course-a" / "01-a-lesson.md", TWO_OBJECTIVES)
    write_quiz(tree, quiz(question("q", "Pick one?", "Alpha", "Bravo", objective=1)))
    assert found(tree, "untested-objective") == [
        "lessons/course-a/01-a-lesson.md:4: warning: objective 2 \"Tell active from latent "
        "points.\" is tested by no question of the lesson's quiz; add a question with "
        "'objective: 2'"]


def test_tested_objectives_and_lessons_without_a_quiz_are_fine(tree):
    write(tree[0] / "course-a" / "01-a-lesson.md", TWO_OBJECTIVES)
    write(tree[0] / "course-a" / "02-b-lesson.md", TWO_OBJECTIVES)  # no quiz: nothing to test
    first = question("q1", "Pick one?", "Alpha", "Bravo", objective=1)
    write_quiz(tree, quiz(first, question("q2", "Pick two?", "Alpha", "Bravo", objective=2)))
    assert found(tree, "untested-objective") == []
    write_quiz(tree, quiz(first, question("q2", "Pick two?", "Alpha", "Bravo", objective=1)))
    (warning,) = found(tree, "untested-objective")
    assert warning.startswith("lessons/course-a/01-a-lesson.md:4: warning: objective 2 ")


# all rules -----------------------------------------------------------------------------------

def test_problems_are_warnings_that_name_their_rule_and_question(tree):
    write_quiz(tree, quiz(question("q", "Which is not a trigger point sign?", "Alpha option",
                                   "Bravo option", "All of the above")))
    problems = check_quality(load_content(*tree).courses[0])
    assert {(p.rule, p.question) for p in problems} == {
        ("negative-stem", "q"), ("all-none-of-the-above", "q"), ("untested-objective", "")}
    assert all(p.severity is Severity.WARNING for p in problems)


def test_loader_records_the_objectives_line(tree):
    write(tree[0] / "course-a" / "01-a-lesson.md",
          LESSON.replace("minutes: 10", "minutes: 10\nslug: a-lesson"))
    assert load_content(*tree).courses[0].lessons[0].objectives_line == 5


def test_quality_module_imports_neither_flask_nor_sqlalchemy():
    code = ("import sys, nmt_course.content.quality;"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', "
            "'flask_sqlalchemy')]; print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
