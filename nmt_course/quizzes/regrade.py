"""Regrading after a quiz's key changed: which key an attempt was graded with, what it would
score under the current one, and which attempts a regrade turns from fail to pass. Pure.

A question is regraded under a newer version's key only when that version still has it with
the same type and the same choices (by id): an attempt's answers then mean the same thing.
A question removed, or whose choices changed, keeps the key the attempt was graded with.
The pass mark stays the one the attempt was taken under: a regrade changes right answers,
not the bar. A regrade never takes a pass away: an attempt that would now fail keeps its
grade and is listed for review instead."""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from ..grading import Result, grade, gradable


class _Choice(Protocol):
    key: str
    correct: bool


class _Question(Protocol):
    key: str
    type: str

    @property
    def choices(self) -> Sequence[_Choice]: ...


Q = TypeVar("Q", bound=_Question)


def compatible(old: _Question, new: _Question) -> bool:
    """The same question for grading: same type, same choices by id."""
    return (old.type == new.type
            and {c.key for c in old.choices} == {c.key for c in new.choices})


def keyed(shown: Sequence[str], own: Mapping[str, Q], newer: Mapping[str, Q]) -> list[Q]:
    """The questions an attempt showed, each as `newer` has it where compatible, otherwise as
    the attempt's own version (`own`) had it."""
    return [newer[key] if key in newer and compatible(own[key], newer[key]) else own[key]
            for key in shown]


def right_keys(question: _Question) -> frozenset[str]:
    return frozenset(choice.key for choice in question.choices if choice.correct)


def changed(graded: Sequence[_Question], now: Sequence[_Question]) -> list[str]:
    """Keys of the questions whose right answers differ between two keyings of one attempt's
    questions (as `keyed` returns them, in the same order)."""
    return [old.key for old, new in zip(graded, now) if right_keys(old) != right_keys(new)]


@dataclass(frozen=True)
class StoredAttempt:
    """What a regrade needs of a stored attempt."""

    id: int
    user_id: int
    number: int
    version_id: int  # the version it answered
    graded_version_id: int  # whose key graded it (its own version unless regraded)
    shown: tuple[str, ...]
    answers: Mapping[str, Collection[str]]
    score: int
    passed: bool


@dataclass(frozen=True)
class Regraded:
    attempt: StoredAttempt
    result: Result  # under the current key


@dataclass(frozen=True)
class Plan:
    """What a regrade to version `version_id`'s key would do."""

    version_id: int
    would_pass: tuple[Regraded, ...]  # failed attempts a regrade turns into passes
    would_fail: tuple[Regraded, ...]  # passed attempts that would fail: kept, for review
    also_pass: int  # more failed attempts that would pass, of learners counted above or passed


def plan(attempts: Sequence[StoredAttempt], *, keys: Mapping[int, Mapping[str, Q]],
         pass_marks: Mapping[int, int], current: int, passed: Collection[int]) -> Plan:
    """Grade each attempt not graded with the current version's key (`keys`: each version's
    questions by key; `pass_marks` by version) under it. A learner's earliest failed attempt
    that would pass becomes their pass, unless they have passed (`passed`: learner ids), as
    one pass per learner is the record."""
    now = keys[current]
    would_pass: dict[int, Regraded] = {}
    would_fail, also = [], 0
    for attempt in sorted(attempts, key=lambda a: (a.user_id, a.number)):
        own = keys[attempt.version_id]
        graded = keyed(attempt.shown, own, keys[attempt.graded_version_id])
        newly = keyed(attempt.shown, own, now)
        if not changed(graded, newly):
            continue
        result = grade(gradable(newly, pass_marks[attempt.version_id]), attempt.answers)
        if attempt.passed and not result.passed:
            would_fail.append(Regraded(attempt, result))
        elif not attempt.passed and result.passed:
            if attempt.user_id in passed or attempt.user_id in would_pass:
                also += 1
            else:
                would_pass[attempt.user_id] = Regraded(attempt, result)
    return Plan(current, tuple(would_pass.values()), tuple(would_fail), also)
