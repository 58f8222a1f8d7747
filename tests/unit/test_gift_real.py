"""The GIFT reader on real question banks from other projects (tests/fixtures/gift, each with
its source and licence in the README there): every question comes in as Moodle reads it,
and every imported question passes `content check`."""
from __future__ import annotations

import pytest

from nmt_course.config import PROJECT_ROOT
from nmt_course.content.gift import parse_gift
from nmt_course.content.markdown import render_block, render_inline
from tests.unit.test_gift import choices, errors_of, shown

REAL = PROJECT_ROOT / "tests" / "fixtures" / "gift"


def read(name: str):
    return parse_gift((REAL / name).read_text(encoding="utf-8-sig"))


@pytest.mark.parametrize("path", sorted(p.name for p in REAL.iterdir() if p.is_file()
                                        and p.name != "README.md"))
def test_every_real_bank_imports_as_publishable_questions(path):
    result = read(path)
    assert result.questions
    assert errors_of(result.questions) == []
    ids = [q["id"] for q in result.questions]
    assert len(ids) == len(set(ids))
    for question in result.questions:  # nothing of GIFT's own syntax reaches a learner
        for text in [question["prompt"], *(c["text"] for c in question.get("choices", []))]:
            assert not any(mark in shown(text) for mark in ("[html]", "[moodle]", "<p>",
                                                            "\\<", "$CATEGORY"))


def test_moodles_format_php_examples():
    result = read("fuhrmanator-giftFormatPhpExamples.gift")
    assert [shown(q["prompt"]) for q in result.questions] == [
        "Who’s buried in Grant’s tomb?", "Grant is _____ in Grant’s tomb.",
        "Grant is buried in Grant’s tomb.", "Difficult multiple choice question."]
    assert "line 22 (Grant's Tomb): repeats the question on line 7, imported once" \
        in result.skipped
    difficult = result.questions[3]
    assert choices(difficult) == [("wrong answer", False), ("half credit answer", False),
                                  ("full credit answer", True)]
    assert difficult["choices"][2]["feedback"] == "well done!"


def test_answers_and_feedback_in_a_format_of_their_own():
    colours = read("fuhrmanator-totara-multichoice-multi.gift").questions[0]
    assert colours["type"] == "multiple"
    assert choices(colours) == [("yellow", True), ("red", False), ("off-beige", True),
                                ("blue", False)]
    assert [c.get("feedback") for c in colours["choices"]] == [
        "right; good!", "wrong", "right; good!", "wrong"]


def test_spanish_html_question_with_a_general_feedback_of_paragraphs_and_a_link():
    question = read("fuhrmanator-mcHTMLComment.gift").questions[0]
    assert shown(question["prompt"]).startswith("¿En qué supuestos podría el Fiscal")
    assert choices(question)[2] == ("Nunca.", True)
    explanation = render_block(question["explanation"])
    assert "<strong>Artículo 5 Estatuto Orgánico del Ministerio Fiscal:</strong><br>" \
        in explanation
    assert '<a href="http://www.formacioncnp.es/base_datos/Penal/lecr.html"' in explanation
    assert "style" not in explanation and "LE0000017566" not in explanation  # comment gone


def test_french_word_made_html_with_an_image_kept_in_moodle():
    result = read("fuhrmanator-multiLineFeedback1.gift")
    instance = result.questions[1]
    assert shown(instance["prompt"]).startswith(
        "CU4-1 demarrerAbonnement(duree :Integer) : Comment réalise t’on")
    assert [text for text, right in choices(instance) if right] == ["ContrôleurAbonnement"]
    assert result.warnings == [
        "line 11 (06- création d'instance): the image '3.png' is kept in Moodle's own files, "
        "so it did not come along: upload it here and add it to the question"]
    first = result.questions[0]
    assert render_inline(first["explanation"]) == "Global feedback split<br>on multiple lines"


def test_spanish_true_false_feedback_and_escaped_equals():
    by_id = {q["id"]: q for q in read("giftplay-ejemplo-gift.txt").questions}
    assert by_id["q2"]["answer"] is False
    assert by_id["q2"]["explanation"] == "Correcto, sale por el Este"
    assert choices(by_id["q7"]) == [("= 2 + 2", False), ("= 2 + 3", True), ("= 2 + 4", False)]
    assert choices(by_id["q10"]) == [("2", True), ("3", True), ("4", False), ("5", True),
                                     ("6", False)]


def test_several_full_answers_and_asterisks_typed_in_a_plain_question():
    result = read("giftplayer-sample-quiz.gift")
    by_id = {q["id"]: q for q in result.questions}
    assert choices(by_id["q10"]) == [("1", False), ("2", True), ("3", False), ("4", False),
                                     ("5", False)]
    assert result.warnings[0].startswith("line 49 (Q10): Moodle counts '4' as fully right")
    assert shown(by_id["q2"]["prompt"]) == "What’s between orange and green in the **spectrum**?"


def test_portuguese_bank_of_every_type():
    result = read("istofel-exemplos-originais.gift.txt")
    assert [q["id"] for q in result.questions] == [
        "comando-sql-para-inser-o", "benef-cios-do-exerc-cio-f-sico", "a-terra-redonda",
        "capital-da-alemanha", "caracteres-especiais-no-gift"]
    assert "line 45 (Instruções para a Prova): no answers in braces, so a description, not " \
           "a question" in result.skipped
    assert choices(result.questions[4]) == [("=2+2", False), ("=2+3", True), ("=2+4", False)]
