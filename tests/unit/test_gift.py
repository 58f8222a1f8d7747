"""Moodle's GIFT format read as Moodle reads it: each rule on a minimal file, and Moodle's own
files (../shared/gift). Real banks from other projects: test_gift_real.py."""
from __future__ import annotations

import time

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nmt_course.config import PROJECT_ROOT
from nmt_course.content import load_files
from nmt_course.content.gift import (MAX_LINE, MAX_QUESTIONS, GiftRefused, parse_gift,
                                     read_gift)
from nmt_course.content.markdown import (escape_markdown, plain_text, render_block,
                                         render_inline)

GIFT = PROJECT_ROOT.parent / "shared" / "gift"


def only(text: str) -> dict:
    result = parse_gift(text)
    assert len(result.questions) == 1, (result.questions, result.skipped)
    return result.questions[0]


def shown(markdown: str) -> str:
    """What a learner reads: the Markdown rendered, as plain text."""
    return " ".join(plain_text(render_inline(markdown)).split())


def choices(question: dict) -> list[tuple[str, bool]]:
    return [(shown(c["text"]), bool(c.get("correct"))) for c in question["choices"]]


def as_course(questions: list[dict]) -> dict[str, str]:
    """A one-lesson course holding the questions, as files, to check them as content."""
    return {"lessons/gift/course.md": "---\ntitle: GIFT\nce_hours: 0.5\nstatus: draft\n---\nX\n",
            "lessons/gift/01-one.md": "---\ntitle: One\n---\n## One\n\nText.\n",
            "quizzes/gift/one.yaml": yaml.safe_dump({"questions": questions},
                                                    allow_unicode=True, sort_keys=False)}


def errors_of(questions: list[dict]) -> list[str]:
    return [str(e) for e in load_files(as_course(questions)).errors]


# --- Moodle's own files ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["moodle-examples.gift", "moodle-test-fixture.gift"])
def test_moodles_own_files_import_as_valid_questions(name):
    result = parse_gift((GIFT / name).read_text(encoding="utf-8"))
    ids = [q["id"] for q in result.questions]
    assert ids and len(ids) == len(set(ids))
    assert errors_of(result.questions) == []


def test_the_moodle_examples_give_every_supported_type_and_list_the_rest_by_line():
    result = parse_gift((GIFT / "moodle-examples.gift").read_text(encoding="utf-8"))
    assert {q["type"] for q in result.questions} == {"single", "multiple", "true_false"}
    assert len(result.questions) == 14  # the file repeats nine of its examples
    reasons = {line.split(": ", 1)[1] for line in result.skipped}
    assert reasons == {"short-answer questions are not supported",
                       "numerical questions are not supported",
                       "matching questions are not supported",
                       "repeats the question on line 8, imported once",
                       "repeats the question on line 10, imported once",
                       "repeats the question on line 12, imported once",
                       "repeats the question on line 130, imported once"}
    assert "line 55: matching questions are not supported" in result.skipped
    assert "line 16: numerical questions are not supported" in result.skipped


def test_the_moodle_fixture_skips_essay_matching_numeric_and_short_answer():
    result = parse_gift((GIFT / "moodle-test-fixture.gift").read_text(encoding="utf-8"))
    assert result.skipped[:4] == [
        "line 2 (Q8): essay questions are not supported",
        "line 5 (Moodle activities): matching questions are not supported",
        "line 31 (Q5): numerical questions are not supported",
        "line 34 (Shortanswer): short-answer questions are not supported"]
    by_id = {q["id"]: q for q in result.questions}
    # Stray text after a closing brace breaks nothing after it.
    assert by_id["q1"]["answer"] is False
    assert by_id["q1"]["explanation"].startswith("This is, of course, a Hitchiker")
    assert choices(by_id["colours"]) == [("yellow", True), ("red", False),
                                         ("off-beige", True), ("blue", False)]
    assert by_id["q2"]["choices"][1]["feedback"] == "wrong, it's yellow"


# --- Issue 22: GIFT as Moodle reads it ---------------------------------------------------------

def test_an_empty_answer_does_not_shift_the_keys():
    question = only("Pick one. {~ =right ~%50%half ~wrong}")
    assert choices(question) == [("right", True), ("half", False), ("wrong", False)]


def test_a_category_line_directly_above_a_question_is_not_its_text():
    question = only("$CATEGORY: $course$/top/Neck\n::Q:: Which muscle? {=SCM ~Scalene}")
    assert shown(question["prompt"]) == "Which muscle?"
    assert question["id"] == "q"


def test_plain_questions_show_as_typed_and_only_markdown_ones_are_markdown():
    plain = only("What does __init__ do with `self`? {=sets it up ~*nothing*}")
    assert shown(plain["prompt"]) == "What does __init__ do with `self`?"
    assert shown(plain["choices"][1]["text"]) == "*nothing*"
    marked = only("[markdown]What does **bold** do? {=stress ~nothing}")
    assert render_inline(marked["prompt"]) == "What does <strong>bold</strong> do?"


def test_a_stray_backslash_never_shows_before_numbers_or_tags_in_plain_text():
    question = only("1. What does the <html> tag hold? {=the page ~a picture}")
    assert shown(question["prompt"]) == "1. What does the <html> tag hold?"
    assert "\\" not in shown(question["prompt"])
    assert shown(only("[plain]Is 2 * 3 = 6 <b>true</b>?{T}")["prompt"]) == \
        "Is 2 * 3 = 6 <b>true</b>?"


def test_html_of_several_paragraphs_becomes_one_publishable_prompt():
    question = only("[html]<p>A client reports <em>heel pain</em>.</p><p>Which muscle?</p>"
                    "<ul><li>Look at the calf</li><li>then the foot</li></ul>"
                    "<pre>line 1\n  line 2</pre>{=Soleus ~<b>Deltoid</b>}")
    assert errors_of([question]) == []
    assert render_inline(question["prompt"]).startswith(
        "A client reports <em>heel pain</em>.<br>Which muscle?<br>• Look at the calf<br>")
    assert "<code>line 1</code>" in render_inline(question["prompt"])
    assert choices(question) == [("Soleus", True), ("Deltoid", False)]
    assert render_inline(question["choices"][1]["text"]) == "<strong>Deltoid</strong>"


def test_moodle_text_keeps_formatting_tags_and_line_breaks():
    question = only("Is H<sub>2</sub>O <b>water</b>?\nAnswer below.{T}")
    assert render_inline(question["prompt"]) == \
        "Is H<sub>2</sub>O <strong>water</strong>?<br>Answer below."


def test_an_arrow_inside_a_choice_still_makes_multiple_choice():
    question = only("Which is the flow? {=heart -> lungs ~lungs -> feet}")
    assert question["type"] == "single"
    assert choices(question) == [("heart -> lungs", True), ("lungs -> feet", False)]


def test_several_right_answers_keep_the_first_as_the_key_and_warn_naming_the_others():
    result = parse_gift("::even:: Pick an even number. {~1 =2 ~3 =4 =6}")
    question = result.questions[0]
    assert question["type"] == "single"
    assert choices(question) == [("1", False), ("2", True), ("3", False), ("4", False),
                                 ("6", False)]
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("line 1 (even): Moodle counts '4', '6' as fully "
                                         "right too")


def test_old_mac_line_endings_are_read_as_lines():
    result = parse_gift("// old Mac\r::A:: One? {=a ~b}\r\r::B:: Two?{T}\r")
    assert [q["id"] for q in result.questions] == ["a", "b"]
    assert parse_gift("::A:: One?\r\n{=a ~b}\r\n\r\n::B::Two?{F}").questions[1]["answer"] is False


def test_an_essay_with_general_feedback_is_an_essay():
    assert parse_gift("::E:: Describe a trigger point. {####A taut band...}").skipped == [
        "line 1 (E): essay questions are not supported"]


def test_a_question_repeated_in_the_file_is_imported_once_and_reported():
    text = "Same? {=a ~b}\n\nsame?  {=a ~b}\n\nSame? {=b ~a}\n"
    result = parse_gift(text)
    assert len(result.questions) == 2  # the third has another key: a different question
    assert result.skipped == ["line 3: repeats the question on line 1, imported once"]


def test_the_prompt_of_a_choose_all_question_is_kept_as_written():
    question = only("Which are neck muscles? {~%50%SCM ~%50%Scalene ~%-100%Soleus}")
    assert question["type"] == "multiple"
    assert question["prompt"] == "Which are neck muscles?"


def test_an_unclosed_brace_is_reported_as_such():
    result = parse_gift("Broken? {=a ~b\n\nAlso broken =a}\n\nFine? {=a ~b}")
    assert result.skipped == ["line 1: the brace '{' is never closed",
                              "line 3: a closing brace '}' with no opening brace before it"]
    assert len(result.questions) == 1


def test_an_image_kept_in_moodle_is_described_and_named_in_a_warning():
    result = parse_gift('[html]Which muscle? <img src="@@PLUGINFILE@@/neck.png" alt="a neck">'
                        '{=SCM ~Soleus}')
    assert shown(result.questions[0]["prompt"]) == "Which muscle? a neck"
    assert result.warnings == ["line 1: the image 'neck.png' is kept in Moodle's own files, "
                               "so it did not come along: upload it here and add it to the "
                               "question"]


def test_embedded_answers_of_a_cloze_question_are_not_taken_for_text():
    assert parse_gift("I {~a =the} cat and {~a =an} owl.").skipped == [
        "line 1: more than one set of answers in braces (embedded answers, as in a Cloze "
        "question) is not supported"]


# --- Each rule that was kept ---------------------------------------------------------------------

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


def test_a_missing_word_keeps_the_blank_and_the_text_after_it():
    assert shown(only("Grant is {~buried =entombed ~living} in Grant's tomb.")["prompt"]) == \
        "Grant is _____ in Grant’s tomb."
    assert shown(only("He was from {~Rome =Nazareth}.")["prompt"]) == "He was from _____."


def test_escapes_are_honoured():
    question = only("::Esc\\:aped:: Which is \\{odd\\}? {~ \\= 2 + 2 = \\# \\~ \\\\ ~b\\:c}")
    assert shown(question["prompt"]) == "Which is {odd}?"
    assert choices(question) == [("= 2 + 2", False), ("# ~ \\", True), ("b:c", False)]


def test_true_false_spellings_are_moodles():
    assert only("Sky is green.{F}")["answer"] is False
    assert only("Sun is hot.{TRUE}")["answer"] is True
    assert parse_gift("Sun is hot.{true}").skipped == [
        "line 1: short-answer questions are not supported"]  # Moodle reads it so


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
                              "line 9: no answers in braces, so a description, not a question",
                              "line 11: no question text"]


def test_ids_stay_unique_against_the_quiz_they_join():
    result = parse_gift("::Same::A {T}\n\n::Same::B {F}", taken_ids={"same", "same-3"})
    assert [q["id"] for q in result.questions] == ["same-2", "same-4"]


def test_a_choice_markdown_would_make_a_heading_shows_as_typed():
    question = only("Which is a GIFT control character? {=\\# ~x}")
    assert choices(question) == [("#", True), ("x", False)]


# --- Finding 2 of issue 15: bounded work --------------------------------------------------------

def test_a_file_of_too_many_questions_or_too_long_a_line_is_refused_naming_the_limit():
    with pytest.raises(GiftRefused, match=f"at most {MAX_QUESTIONS:,}"):
        read_gift("Q? {T}\n\n" * (MAX_QUESTIONS + 1))
    with pytest.raises(GiftRefused, match=f"Line 2 is 5,001 characters long; GIFT files may "
                                          f"have lines of at most {MAX_LINE:,}"):
        read_gift("// fine\n" + "x" * (MAX_LINE + 1))
    assert len(read_gift("Q? {T}\n\n" * MAX_QUESTIONS).questions) == 1  # repeats, read


def test_brackets_and_repeated_names_are_read_in_bounded_time():
    """The attacks of issue 15: 15,000 `[` before the answers took 32 s; 8,000 questions of
    one name took 17 s to number. Each must now finish far inside a generous limit."""
    start = time.perf_counter()
    result = parse_gift("::slow::" + "[" * 4_900 + "\n" + "[" * 4_900 + "\n" + "![" * 2_400
                        + "{=yes ~no}")
    assert result.questions[0]["id"] == "slow"
    assert time.perf_counter() - start < 5
    start = time.perf_counter()
    many = parse_gift("".join(f"::same:: Question {n}? {{T}}\n\n" for n in range(1_000)),
                      taken_ids={f"same-{n}" for n in range(2, 30_000)})
    assert len({q["id"] for q in many.questions}) == 1_000
    assert many.questions[-1]["id"] == "same-30998"
    assert time.perf_counter() - start < 5


def test_the_rendered_attack_prompt_shows_every_bracket():
    prompt = only("::slow::" + "[" * 3_000 + "{=yes ~no}")["prompt"]
    assert shown(prompt) == "[" * 3_000
    assert render_block(prompt).count("[") == 3_000


SMART = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1 _*`[]()<>&#!-+=.:\\|^~{}'\"\t")) |
                            st.characters(codec="utf-8"), max_size=40))
def test_plain_text_of_any_characters_shows_exactly_as_typed(text):
    typed = " ".join(text.split())
    assume(typed and not any(ord(c) < 32 or 0xFDD0 <= ord(c) < 0xFDF0 for c in typed))
    markdown = escape_markdown(typed)
    shown_text = " ".join(plain_text(render_inline(markdown)).split())
    assert shown_text.translate(SMART).replace("…", "...") == typed
