"""Grading is pure: plain data in, a result out."""
from __future__ import annotations

import pytest

from nmt_course.grading import (SCORERS, GradableChoice, GradableQuestion, GradableQuiz,
                                grade)


def question(key, kind, right, wrong=()):
    return GradableQuestion(key, kind, tuple(GradableChoice(c, True) for c in right)
                            + tuple(GradableChoice(c, False) for c in wrong))


SINGLE = question("s", "single", ["a"], ["b", "c"])
MULTIPLE = question("m", "multiple", ["a", "b"], ["c"])
TRUE_FALSE = question("t", "true_false", ["false"], ["true"])


@pytest.mark.parametrize("selected, right", [
    ({"a"}, True), ({"b"}, False), ({"a", "b"}, False), (set(), False), ({"zzz"}, False),
])
def test_single_needs_the_one_right_choice(selected, right):
    assert SCORERS["single"](SINGLE, frozenset(selected)) is right


@pytest.mark.parametrize("selected, right", [
    ({"a", "b"}, True), ({"a"}, False), ({"a", "b", "c"}, False), (set(), False),
    ({"a", "b", "forged"}, False),
])
def test_multiple_needs_exactly_the_right_set(selected, right):
    assert SCORERS["multiple"](MULTIPLE, frozenset(selected)) is right


@pytest.mark.parametrize("selected, right", [
    ({"false"}, True), ({"true"}, False), ({"true", "false"}, False), (set(), False),
])
def test_true_false(selected, right):
    assert SCORERS["true_false"](TRUE_FALSE, frozenset(selected)) is right


def test_grade_scores_and_passes_with_integer_arithmetic():
    quiz = GradableQuiz((SINGLE, MULTIPLE, TRUE_FALSE, question("x", "single", ["y"], ["n"]),
                         question("z", "single", ["y"], ["n"])), pass_mark=80)
    result = grade(quiz, {"s": ["a"], "m": ["a", "b"], "t": ["false"], "x": ["y"], "z": ["n"]})
    assert (result.correct_count, result.question_count, result.score, result.passed) == (
        4, 5, 80, True)
    assert [q.correct for q in result.questions] == [True, True, True, True, False]


def test_grade_fails_below_the_pass_mark_and_never_rounds_up():
    quiz = GradableQuiz((SINGLE, MULTIPLE, TRUE_FALSE), pass_mark=67)
    result = grade(quiz, {"s": ["a"], "m": ["a", "b"], "t": ["true"]})
    assert (result.score, result.passed) == (66, False)  # 2 of 3 is 66.7%


def test_unanswered_and_unknown_questions_score_wrong_without_error():
    quiz = GradableQuiz((SINGLE, MULTIPLE), pass_mark=50)
    result = grade(quiz, {"not-a-question": ["a"], "m": ["forged-choice"]})
    assert (result.correct_count, result.passed) == (0, False)
