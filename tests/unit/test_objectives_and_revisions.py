"""Objectives known by id (the file format and the draft editor) and the differences between
two states of a course's files, as the history shows them."""
from __future__ import annotations

import pytest

from nmt_course.authoring.drafts import Draft, DraftError, front_matter_file
from nmt_course.authoring.revisions import changes, text_change
from nmt_course.content import Severity, load_files

COURSE = "---\ntitle: Test Course\nsummary: A course.\nce_hours: 0.5\nstatus: published\n---\nD.\n"


def files(objectives: str, refs: tuple = (1, 2)) -> dict[str, str]:
    questions = "".join(f"""
  - id: q{n}
    type: true_false
    prompt: Statement {n} about the neck muscles.
    answer: {'true' if n % 2 else 'false'}
    explanation: Because.
    objective: {ref}
""" for n, ref in enumerate(refs, start=1))
    return {"lessons/c/course.md": COURSE,
            "lessons/c/01-a.md": f"---\ntitle: A\nobjectives:\n{objectives}---\n## Body\n\n"
                                 "Some words here.\n",
            "quizzes/c/a.yaml": f"pass_mark: 80\nquestions:{questions}"}


def parsed(content: dict[str, str]):
    result = load_files(content)
    errors = [p.message for p in result.problems if p.severity is Severity.ERROR]
    return result, errors


def test_objectives_may_be_sentences_or_ids_with_text_and_questions_name_either():
    result, errors = parsed(files("  - {id: palpate, text: Palpate safely.}\n"
                                  "  - Name the muscles.\n", refs=("palpate", 2)))
    assert errors == []
    lesson = result.courses[0].lessons[0]
    assert lesson.objectives == ("Palpate safely.", "Name the muscles.")
    assert lesson.objective_ids == ("palpate", None)
    assert [q.objective for q in lesson.quiz.questions] == [1, 2]


def test_an_old_file_naming_objectives_by_number_reads_as_before():
    result, errors = parsed(files("  - Palpate safely.\n  - Name the muscles.\n", refs=(2, 1)))
    assert errors == []
    assert [q.objective for q in result.courses[0].lessons[0].quiz.questions] == [2, 1]


@pytest.mark.parametrize("objectives, refs, message", [
    ("  - {id: palpate, text: Palpate.}\n", ("gone", "palpate"),
     "question 'q1' tests objective 'gone', which the lesson does not state (was it "
     "deleted?)"),
    ("  - {id: a, text: One.}\n  - {id: a, text: Two.}\n", ("a", "a"),
     "two objectives have the id 'a'"),
    ("  - {id: 7, text: One.}\n", (1, 1), "objective id 7 must be a name"),
    ("  - {id: a}\n", (1, 1), "objectives must be a list of sentences (or of 'id' and "
                              "'text')"),
    ("  - One.\n", (3, 1), "question 'q1' tests objective 3, but the lesson states only 1"),
])
def test_an_objective_a_question_cannot_name_is_an_error(objectives, refs, message):
    _, errors = parsed(files(objectives, refs))
    assert any(message in error for error in errors), errors


def test_the_editor_keeps_ids_when_objectives_are_reordered_or_deleted():
    draft = Draft("c", files("  - Palpate safely.\n  - Name the muscles.\n  - Refer.\n",
                             refs=(1, 2, 3)))
    assert draft.objectives("a") == [("o1", "Palpate safely."), ("o2", "Name the muscles."),
                                     ("o3", "Refer.")]
    draft.stabilise_objectives("a")
    assert [q["objective"] for q in draft.questions("a")] == ["o1", "o2", "o3"]
    # The first deleted, the last moved up, a new one typed without a label.
    lines = "[o3] Refer.\n[o2] Name the muscles.\nA new objective."
    meta, body = draft.read_lesson("a")
    meta["objectives"] = draft.objectives_from_lines("a", lines)
    draft.save_lesson("a", "a", meta, body)
    assert draft.objectives("a") == [("o3", "Refer."), ("o2", "Name the muscles."),
                                     ("o4", "A new objective.")]  # o1 is never reused
    assert [q["objective"] for q in draft.questions("a")] == ["o1", "o2", "o3"]
    # Later, with o1 gone from the lesson, a new objective still does not take its id: the
    # question that names o1 stays flagged instead of testing the newcomer.
    assert draft.objectives_from_lines("a", "First.") == [{"id": "o5", "text": "First."}]
    result, errors = parsed(draft.files)
    assert errors == ["question 'q1' tests objective 'o1', which the lesson does not state "
                      "(was it deleted?): choose one of the lesson's objectives"]


def test_a_line_typed_without_its_label_keeps_the_id_of_the_same_sentence():
    draft = Draft("c", files("  - {id: x, text: Palpate safely.}\n  - {id: y, text: Refer.}\n",
                             refs=("x", "y")))
    found = draft.objectives_from_lines("a", "Refer.\nPalpate safely.")
    assert found == [{"id": "y", "text": "Refer."}, {"id": "x", "text": "Palpate safely."}]
    with pytest.raises(DraftError, match="Two objectives are labelled"):
        draft.objectives_from_lines("a", "[x] One.\n[x] Two.")


def test_a_diff_reads_lesson_text_by_line_and_questions_by_field():
    before = files("  - Palpate safely.\n", refs=(1, 1))
    after = dict(before)
    after["lessons/c/01-a.md"] = before["lessons/c/01-a.md"].replace(
        "Some words here.", "Some words here.\n\nA new paragraph.")
    after["quizzes/c/a.yaml"] = before["quizzes/c/a.yaml"].replace(
        "Statement 2 about", "Statement two about")
    found = {change.key: change for change in changes("c", before, after)}
    assert set(found) == {"lesson:a", "quiz:a"}
    body = found["lesson:a"].fields[0]
    assert body.name == "Text"
    assert [(line.tag, line.text) for line in body.hunks[0] if line.tag != "same"] == [
        ("added", ""), ("added", "A new paragraph.")]
    question = found["quiz:a"].fields
    assert [f.name for f in question] == ["Question q2: prompt"]
    assert [(line.tag, line.text) for line in question[0].hunks[0]] == [
        ("removed", "Statement 2 about the neck muscles."),
        ("added", "Statement two about the neck muscles.")]


def test_added_and_removed_parts_are_named_for_the_author():
    before = files("  - One.\n", refs=(1, 1))
    after = {path: text for path, text in before.items() if not path.startswith("quizzes")}
    after["lessons/c/02-b.md"] = front_matter_file({"title": "Second"}, "## B\n\nText.")
    found = [(change.label, change.status) for change in changes("c", before, after)]
    assert found == [("Order of the lessons", "changed"), ("Quiz of “A”", "removed"),
                     ("Lesson “Second”", "added")]


def test_a_diff_of_many_repeated_lines_takes_bounded_time():
    """difflib with every line able to anchor a match took 7 s on these 2 × 2,500 lines;
    repeated and blank lines are junk to it now (about 50 ms)."""
    import random
    import time
    pick = random.Random(19).choice
    before = "\n".join(pick("abcd") for _ in range(2500))
    after = "\n".join(pick("abcd") for _ in range(2500))
    started = time.perf_counter()
    found = text_change("Text", before, after)
    assert time.perf_counter() - started < 2
    assert found.hunks  # still a diff, line by line
