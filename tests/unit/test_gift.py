"""Moodle's GIFT question format: the real files Moodle ships, and each rule on its own."""
from __future__ import annotations

import pytest
import yaml

from nmt_course.config import PROJECT_ROOT
from nmt_course.content import load_files
from nmt_course.content.gift import parse_gift

GIFT = PROJECT_ROOT.parent / "shared" / "gift"


def only(text: str) -> dict:
    result = parse_gift(text)
    assert len(result.questions) == 1, (result.questions, result.skipped)
    return result.questions[0]


def choices(question: dict) -> list[tuple[str, bool]]:
    return [(c["text"], bool(c.get("correct"))) for c in question["choices"]]


def as_course(questions: list[dict]) -> dict[str, str]:
    """A one-lesson course holding the questions, as files, to check them as content."""
    return {"lessons/gift/course.md": "---\ntitle: GIFT\nce_hours: 0.5\nstatus: draft\n---\nX\n",
            "lessons/gift/01-one.md": "---\ntitle: One\n---\n## One\n\nText.\n",
            "quizzes/gift/one.yaml": yaml.safe_dump({"questions": questions},
                                                    allow_unicode=True, sort_keys=False)}


@pytest.mark.parametrize("name", ["moodle-examples.gift", "moodle-test-fixture.gift"])
def test_moodles_own_files_import_as_valid_questions(name):
    result = parse_gift((GIFT / name).read_text(encoding="utf-8"))
    assert result.questions
    ids = [q["id"] for q in result.questions]
    assert len(ids) == len(set(ids))
    errors = load_files(as_course(result.questions)).errors
    assert [str(e) for e in errors] == []


def test_the_moodle_examples_give_every_supported_type_and_list_the_rest_by_line():
    result = parse_gift((GIFT / "moodle-examples.gift").read_text(encoding="utf-8"))
    kinds = {q["type"] for q in result.questions}
    assert kinds == {"single", "multiple", "true_false"}
    assert len(result.questions) == 23
    reasons = {line.split(": ", 1)[1] for line in result.skipped}
    assert reasons == {"short-answer questions are not supported",
                       "numerical questions are not supported",
                       "matching questions are not supported"}
    assert "line 55: matching questions are not supported" in result.skipped
    assert "line 16: numerical questions are not supported" in result.skipped


def test_the_moodle_fixture_skips_essay_matching_numeric_and_short_answer():
    result = parse_gift((GIFT / "moodle-test-fixture.gift").read_text(encoding="utf-8"))
    assert result.skipped == [
        "line 2 (Q8): essay questions are not supported",
        "line 5 (Moodle activities): matching questions are not supported",
        "line 31 (Q5): numerical questions are not supported",
        "line 34 (Shortanswer): short-answer questions are not supported"]
    by_id = {q["id"]: q for q in result.questions}
    # Stray text after a closing brace breaks nothing after it.
    assert by_id["q1"]["answer"] is False
    assert by_id["q1"]["explanation"].startswith("This is, of course, a Hitchiker")
    assert set(by_id) >= {"2-08-tsl", "2-08-tsl-2"}  # the same name twice, two ids
    assert choices(by_id["colours"]) == [("yellow", True), ("red", False),
                                         ("off-beige", True), ("blue", False)]
    assert by_id["q2"]["choices"][1]["feedback"] == "wrong, it's yellow"


def test_single_answer_with_feedback_and_general_feedback():
    question = only("::Q:: Pick one {=right#Yes! ~wrong#No. ####Because of the lesson.}")
    assert question["type"] == "single" and question["id"] == "q"
    assert choices(question) == [("right", True), ("wrong", False)]
    assert question["choices"][0]["feedback"] == "Yes!"
    assert question["explanation"] == "Because of the lesson."


def test_partial_credit_in_a_single_answer_imports_with_a_warning():
    result = parse_gift("Hard one.{~wrong ~%50%half =full}")
    assert choices(result.questions[0]) == [("wrong", False), ("half", False), ("full", True)]
    assert result.warnings == ["line 1: partial credit is not kept; only the 100 % choice "
                               "counts as right"]


def test_positive_weights_mark_the_right_answers_of_a_multiple_answer_question():
    question = only("Who? {~%-50%No one ~%50%Grant ~%50%His wife ~%-50%His father}")
    assert question["type"] == "multiple"
    assert choices(question) == [("No one", False), ("Grant", True), ("His wife", True),
                                 ("His father", False)]
    assert question["prompt"].endswith("Choose all that apply.")


def test_a_missing_word_keeps_the_blank_and_the_text_after_it():
    assert only("Grant is {~buried =entombed ~living} in Grant's tomb.")["prompt"] == (
        "Grant is _____ in Grant's tomb.")
    assert only("He was from {~Rome =Nazareth}.")["prompt"] == "He was from _____."


def test_escapes_are_honoured():
    question = only("::Esc\\:aped:: Which is \\{odd\\}? {~ \\= 2 + 2 = \\# \\~ \\\\ ~b\\:c}")
    assert question["prompt"] == "Which is {odd}?"
    assert choices(question) == [("= 2 + 2", False), ("# ~ \\", True), ("b:c", False)]


def test_true_false_spellings():
    assert only("Sky is green.{F}")["answer"] is False
    assert only("Sun is hot.{TRUE}")["answer"] is True


def test_true_false_feedback_joins_the_general_feedback():
    question = only("42 is the answer.{T#Think again.#Right: 42.####See the book.}")
    assert question["explanation"] == "See the book. Right: 42."
    assert only("Sky is blue.{T#No.#Yes.}")["explanation"] == "Yes."


def test_ids_from_long_prompts_end_at_a_word():
    question = only("What is the answer to this multiple choice question about trigger "
                    "points? {=one ~two}")
    assert question["id"] == "what-is-the-answer-to-this-multiple"


def test_unsupported_and_empty_questions_are_listed_never_dropped():
    text = ("Essay here {}\n\nTwo plus two {=four =4}\n\nPi? {#3.14:0.01}\n\n"
            "Match {=a -> b =c -> d}\n\nJust a sentence without answers.\n\n{T}\n")
    result = parse_gift(text)
    assert result.questions == []
    assert result.skipped == ["line 1: essay questions are not supported",
                              "line 3: short-answer questions are not supported",
                              "line 5: numerical questions are not supported",
                              "line 7: matching questions are not supported",
                              "line 9: no answers in braces, so not a question",
                              "line 11: no question text"]


def test_ids_stay_unique_against_the_quiz_they_join():
    result = parse_gift("::Same::A {T}\n\n::Same::B {F}", taken_ids={"same"})
    assert [q["id"] for q in result.questions] == ["same-2", "same-3"]


def test_a_choice_markdown_would_make_a_heading_is_escaped():
    question = only("Which is a GIFT control character? {=\\# ~x}")
    assert choices(question) == [("\\#", True), ("x", False)]
