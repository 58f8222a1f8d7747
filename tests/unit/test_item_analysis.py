"""Item statistics folded from the aggregate query's rows."""
from __future__ import annotations

import pytest

from nmt_course.quizzes.item_analysis import AnswerCount, answer_rows, fold, key_hash


def rows(*specs) -> list[AnswerCount]:
    """(chosen, correct, band, count): `count` first answers, all from learners of `band`."""
    return [AnswerCount("q", "h", chosen, correct, count, count if band == "lower" else 0,
                        count if band == "upper" else 0)
            for chosen, correct, band, count in specs]


def test_share_right_wrong_picks_and_discrimination():
    (item,) = fold(rows(("a", True, "upper", 8), ("b", False, "upper", 2),
                        ("a", True, "lower", 3), ("c", False, "lower", 7),
                        ("a", True, "middle", 10), ("b|c", False, "middle", 5)))
    assert (item.shown, item.right) == (35, 21)
    assert item.share_right == pytest.approx(0.6)
    assert item.discrimination == pytest.approx(0.8 - 0.3)
    assert item.wrong_picks(["a"]) == [("c", 12), ("b", 7)]
    assert item.flags == []


@pytest.mark.parametrize("specs, flags", [
    ((("a", True, "upper", 19), ("b", False, "lower", 1)), ["too easy"]),
    ((("a", True, "upper", 2), ("b", False, "lower", 8)), ["too hard"]),
    ((("b", False, "upper", 5), ("a", True, "lower", 5)), ["discriminates negatively"]),
])
def test_flags(specs, flags):
    (item,) = fold(rows(*specs))
    assert item.flags == flags


def test_no_discrimination_without_both_bands():
    (item,) = fold(rows(("a", True, "middle", 3)))
    assert item.discrimination is None


def test_a_question_whose_key_changed_is_another_item():
    assert key_hash("single", ["a"]) == key_hash("single", ["a"])
    assert key_hash("single", ["a"]) != key_hash("single", ["b"])
    assert key_hash("multiple", ["a", "b"]) == key_hash("multiple", ["b", "a"])
    items = fold([AnswerCount("q", "old", "a", True, 1, 0, 1),
                  AnswerCount("q", "new", "a", False, 1, 0, 1)])
    assert len(items) == 2


def test_only_the_first_answer_to_a_question_is_first():
    made = answer_rows(shown=["q1", "q2"], answers={"q1": ["b", "a"]},
                       results={"q1": True, "q2": False}, hashes={"q1": "h1", "q2": "h2"},
                       answered_before={"q2:h2", "q2:older"}, first_score=60)
    assert made == [
        {"question_key": "q1", "key_hash": "h1", "chosen": "a|b", "correct": True,
         "first": True, "first_score": 60},
        {"question_key": "q2", "key_hash": "h2", "chosen": "", "correct": False,
         "first": False, "first_score": 60}]
