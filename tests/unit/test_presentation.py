"""What an attempt shows: a keyed, reproducible draw from the bank and choice order."""
from __future__ import annotations

from nmt_course.quizzes.presentation import (BankQuestion, Presentation, choice_order,
                                             draw_questions, present)

KEY = b"order-key"
BANK = [BankQuestion(f"q{n}", "single", n % 4 + 1, ("a", "b", "c", "d")) for n in range(12)]


def test_choice_order_is_reproducible_keyed_and_varies():
    keys = ["a", "b", "c", "d", "e"]
    base = dict(learner=1, version=1, attempt=1, question="q", choice_keys=keys)
    first = choice_order(KEY, **base)
    assert sorted(first) == keys
    assert choice_order(KEY, **base) == first
    attempts = {tuple(choice_order(KEY, **{**base, "attempt": n})) for n in range(1, 30)}
    learners = {tuple(choice_order(KEY, **{**base, "learner": n})) for n in range(1, 30)}
    assert len(attempts) > 5 and len(learners) > 5
    assert {tuple(choice_order(key, **base)) for key in (b"k1", b"k2", b"k3", b"k4")} != {
        tuple(first)}


def draw(learner=1, attempt=1, count=8, bank=BANK, key=KEY):
    return draw_questions(key, learner=learner, version=3, attempt=attempt, bank=bank,
                          count=count)


def test_a_draw_is_reproducible_and_differs_between_learners_and_attempts():
    first = draw()
    assert len(first) == len(set(first)) == 8 and set(first) <= {q.key for q in BANK}
    assert draw() == first
    assert len({tuple(draw(attempt=n)) for n in range(1, 20)}) > 10
    assert len({frozenset(draw(learner=n)) for n in range(1, 20)}) > 5
    assert draw(key=b"another key") != first


def test_a_draw_covers_every_objective_when_it_can():
    objective = {q.key: q.objective for q in BANK}
    for learner in range(1, 200):
        assert {objective[k] for k in draw(learner=learner, count=4)} == {1, 2, 3, 4}
    # Fewer questions than objectives: as many objectives as questions, never two of one.
    for learner in range(1, 50):
        assert len({objective[k] for k in draw(learner=learner, count=3)}) == 3


def test_questions_without_an_objective_fill_the_rest():
    bank = [BankQuestion("tied", "single", 1, ("a", "b"))] + [
        BankQuestion(f"free{n}", "single", None, ("a", "b")) for n in range(6)]
    for learner in range(1, 50):
        drawn = draw(learner=learner, count=2, bank=bank)
        assert "tied" in drawn and len(drawn) == 2


def test_without_a_draw_every_question_shows_in_the_authored_order():
    shown = present(KEY, learner=1, version=3, attempt=1, bank=BANK, draw=None)
    assert shown.questions == tuple(q.key for q in BANK)
    tf = BankQuestion("tf", "true_false", None, ("true", "false"))
    assert present(KEY, learner=1, version=3, attempt=1, bank=[tf], draw=None).choices == {
        "tf": ("true", "false")}


def test_a_presentation_survives_storage_as_json():
    shown = present(KEY, learner=5, version=3, attempt=2, bank=BANK, draw=8)
    assert len(shown.questions) == 8 and set(shown.choices) == set(shown.questions)
    assert Presentation.from_json(shown.as_json()) == shown
