"""Item analysis: how each question of a quiz performs. Pure.

Counted over each learner's first answer to each question (later answers are learned, not
measured). Per question: how many were shown it, the share who answered right, how often
each wrong choice was picked, and the discrimination index: the share right among the upper
27 % of learners by first-attempt score minus the share right among the lower 27 %. A
question whose right answer changed is a different item; versions with the same key count
together.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TOO_EASY, TOO_HARD = 0.9, 0.3
BAND_PERCENT = 27  # of learners in each of the upper and lower bands
FEW_IN_A_BAND = 10  # below this, discrimination is a hint, not a verdict


def key_hash(kind: str, correct_keys: Iterable[str]) -> str:
    """The same for every version of a question whose type and right answers are the same."""
    text = kind + ":" + "|".join(sorted(correct_keys))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def chosen_text(keys: Iterable[str]) -> str:
    return "|".join(sorted(keys))


@dataclass(frozen=True)
class AnswerCount:
    """One row of the aggregate query: how many first answers were this one, and how many
    of them came from the lower and the upper band of learners by first-attempt score."""

    question_key: str
    key_hash: str
    chosen: str
    correct: bool
    count: int
    lower: int
    upper: int


@dataclass
class ItemStats:
    question_key: str
    key_hash: str
    shown: int = 0
    right: int = 0
    upper_shown: int = 0
    upper_right: int = 0
    lower_shown: int = 0
    lower_right: int = 0
    picks: Counter = field(default_factory=Counter)  # choice key: times picked in a wrong answer

    @property
    def share_right(self) -> float | None:
        return self.right / self.shown if self.shown else None

    @property
    def discrimination(self) -> float | None:
        if not self.upper_shown or not self.lower_shown:
            return None
        return self.upper_right / self.upper_shown - self.lower_right / self.lower_shown

    @property
    def flags(self) -> list[str]:
        found = []
        if self.share_right is not None and self.share_right > TOO_EASY:
            found.append("too easy")
        if self.share_right is not None and self.share_right < TOO_HARD:
            found.append("too hard")
        if self.discrimination is not None and self.discrimination < 0:
            found.append("discriminates negatively")
        return found

    def wrong_picks(self, right_keys: Sequence[str]) -> list[tuple[str, int]]:
        """How often each wrong choice was picked, most picked first."""
        return [(key, count) for key, count in self.picks.most_common() if key not in right_keys]


def keys_by_hash(versions: Iterable[Iterable[Any]]) -> dict[tuple[str, str], Any]:
    """{(question key, key hash): the question as the newest version with that key has it},
    from each version's questions, oldest version first: what answers given under each key
    are read against (its right answers, its choices' texts)."""
    found = {}
    for questions in versions:
        for question in questions:
            right = (choice.key for choice in question.choices if choice.correct)
            found[(question.key, key_hash(question.type, right))] = question
    return found


def fold(rows: Iterable[AnswerCount]) -> list[ItemStats]:
    """Per question (and key), from the aggregate rows."""
    items: dict[tuple[str, str], ItemStats] = {}
    for row in rows:
        item = items.setdefault((row.question_key, row.key_hash),
                                ItemStats(row.question_key, row.key_hash))
        item.shown += row.count
        item.lower_shown += row.lower
        item.upper_shown += row.upper
        if row.correct:
            item.right += row.count
            item.lower_right += row.lower
            item.upper_right += row.upper
        if not row.correct:
            for key in filter(None, row.chosen.split("|")):
                item.picks[key] += row.count
    return list(items.values())


def answer_rows(*, shown: Sequence[str], answers: Mapping[str, Sequence[str]],
                results: Mapping[str, bool], hashes: Mapping[str, str],
                answered_before: set[str], first_score: int) -> list[dict]:
    """The question_answers rows of one attempt: `answered_before` holds "key:hash" of the
    questions the learner answered in earlier attempts of the quiz; `first_score` is the
    score of the learner's first attempt (this one's, if it is the first)."""
    return [{"question_key": key, "key_hash": hashes[key],
             "chosen": chosen_text(answers.get(key, ())), "correct": results[key],
             "first": f"{key}:{hashes[key]}" not in answered_before,
             "first_score": first_score}
            for key in shown]
