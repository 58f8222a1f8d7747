"""The quiz rules, in one place: how many attempts a learner has, when a quiz is closed, what
a submission may do, and what a learner may see after an attempt. Pure: plain facts in,
decisions out. The quiz page, the submission (inside its write transaction), the result page,
the clinic report and the grant command all ask here."""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from ..content.model import ReviewMode


@dataclass(frozen=True)
class Standing:
    """A learner's record on one quiz (`passed` is the stored fact, quiz_standings), and the
    quiz's current version (None where no submission is judged, as in a report)."""

    attempts_used: int
    passed: bool
    current_version_id: int | None
    max_attempts: int  # allowed in all (see attempt_limit); 0 means unlimited

    @property
    def next_number(self) -> int:
        return self.attempts_used + 1


def attempt_limit(version_limit: int, granted: int) -> int:
    """The attempts a learner may use: the current version's limit plus those granted to
    them; a quiz without a limit stays without one (0)."""
    return version_limit + granted if version_limit else 0


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


def out_of_attempts(standing: Standing) -> bool:
    """Every attempt allowed is used and the quiz is not passed: only a grant reopens it."""
    return closed(standing) is Refusal.OUT_OF_ATTEMPTS


STRUGGLING_FAILS = 2  # failed attempts on one quiz


def struggling(*, failures: int, passed: bool) -> bool:
    """Failed the quiz twice or more and not passed it yet: a pass clears it."""
    return not passed and failures >= STRUGGLING_FAILS


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


def review(standing: Standing, *, mode: ReviewMode,
           missed: Mapping[str, int | None]) -> Review:
    """After a pass or the last allowed attempt, everything. Before, what the quiz's
    `review_after_fail` mode allows: the score only, the objectives of the missed questions,
    or each question's mark - never the answers, so retaking cannot be turned into a search
    for them. `missed` maps each question answered wrong to the objective it tests."""
    if answers_revealed(standing):
        return Review(marks=True, answers=True)
    if mode is ReviewMode.QUESTIONS:
        return Review(marks=True, answers=False)
    if mode is ReviewMode.OBJECTIVES:
        objectives = tuple(sorted({n for n in missed.values() if n is not None}))
        return Review(marks=False, answers=False, objectives=objectives,
                      other_misses=any(n is None for n in missed.values()))
    return Review(marks=False, answers=False)
