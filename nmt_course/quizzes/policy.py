"""The quiz rules, in one place: when a quiz is closed, what a submission may do, and what a
learner may see after an attempt. Pure: plain facts in, decisions out. The quiz page, the
submission (inside its write transaction) and the result page all ask here."""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Standing:
    """A learner's record on one quiz, and the quiz's current version."""

    attempts_used: int
    passed: bool
    current_version_id: int
    max_attempts: int  # of the current version; 0 means unlimited

    @property
    def next_number(self) -> int:
        return self.attempts_used + 1


class Refusal(enum.Enum):
    """Why a submission is not graded; the value is what the learner is told."""

    PASSED = "You have already passed this quiz."
    OUT_OF_ATTEMPTS = "You have used all the attempts this quiz allows."
    STALE_ATTEMPT = "This quiz form is out of date; here is the current one."
    STALE_VERSION = ("This quiz was updated after you opened it, so nothing was submitted. "
                     "Your answers are kept where the questions are the same: check them and "
                     "submit again.")


class Verdict(enum.Enum):
    ACCEPT = "grade and store it"
    REPLAY = "the same form was sent before: answer with the attempt it stored"


def closed(standing: Standing) -> Refusal | None:
    """Why no new attempt can start, or None while the quiz is open to this learner."""
    if standing.passed:
        return Refusal.PASSED
    if standing.max_attempts and standing.attempts_used >= standing.max_attempts:
        return Refusal.OUT_OF_ATTEMPTS
    return None


def judge_submission(standing: Standing, *, number: int,
                     version_id: int) -> Verdict | Refusal:
    """What to do with a submitted form for attempt `number` of version `version_id`."""
    if 1 <= number <= standing.attempts_used:
        # Numbers are given out one by one, so attempt `number` exists: a resent form.
        return Verdict.REPLAY
    refusal = closed(standing)
    if refusal is not None:
        return refusal
    if number != standing.next_number:
        return Refusal.STALE_ATTEMPT
    if version_id != standing.current_version_id:
        return Refusal.STALE_VERSION
    return Verdict.ACCEPT


def answers_revealed(standing: Standing) -> bool:
    """Right answers and explanations show after a pass or once no attempt is left."""
    return closed(standing) is not None


def attempts_left(standing: Standing) -> int | None:
    """None when attempts are unlimited."""
    if not standing.max_attempts:
        return None
    return max(0, standing.max_attempts - standing.attempts_used)


@dataclass(frozen=True)
class Review:
    """What the result page of an attempt shows, beyond its score."""

    marks: bool  # which questions were right and which not
    answers: bool  # the right answers, feedback and explanations
    objectives: tuple[int, ...] = ()  # lesson objectives to review (1-based)
    other_misses: bool = False  # missed questions that name no objective


def review(standing: Standing, *, mode: str, missed: Mapping[str, int | None]) -> Review:
    """After a pass or the last allowed attempt, everything. Before, what the quiz's
    `review_after_fail` mode allows: the score only ("score"), the objectives of the missed
    questions ("objectives"), or each question's mark ("questions") - never the answers, so
    retaking cannot be turned into a search for them. `missed` maps each question answered
    wrong to the objective it tests."""
    if answers_revealed(standing):
        return Review(marks=True, answers=True)
    if mode == "questions":
        return Review(marks=True, answers=False)
    if mode == "objectives":
        objectives = tuple(sorted({n for n in missed.values() if n is not None}))
        return Review(marks=False, answers=False, objectives=objectives,
                      other_misses=any(n is None for n in missed.values()))
    return Review(marks=False, answers=False)
