"""Pure compliance rules: when an assignment is due for a person, what state they are in,
who is struggling, and the report's filters, sorting and bars. No Flask, no database."""
from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .. import codes
from ..quizzes import policy

REMINDER_WINDOW_DAYS = 7
STRUGGLING_FAILS = policy.STRUGGLING_FAILS


class Status(enum.Enum):
    COMPLETED = "completed"
    IN_PROGRESS = "in progress"
    NOT_STARTED = "not started"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return self.value.capitalize()


STATUS_ORDER = (Status.OVERDUE, Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETED)


class AssignmentFacts(NamedTuple):
    """An assignment as stored, seen from one member of the clinic."""

    course_id: int
    due_on: dt.date
    personal: bool  # made for this person, not for the whole clinic
    assigned_at: dt.datetime
    joined_at: dt.datetime  # when the person joined the clinic
    timezone: dt.tzinfo  # the provider's: days are counted on its calendar


def due_on(facts: AssignmentFacts) -> dt.date:
    """A whole-clinic assignment gives those who join after it was made as many days as it
    gave the staff it was made for; otherwise the date is the date set."""
    if facts.personal or facts.joined_at <= facts.assigned_at:
        return facts.due_on
    allowed = facts.due_on - facts.assigned_at.astimezone(facts.timezone).date()
    return facts.joined_at.astimezone(facts.timezone).date() + allowed


def effective_due_dates(assignments: Iterable[AssignmentFacts]) -> dict[int, dt.date]:
    """Course id -> due date for one person in one clinic: their personal assignment of a
    course replaces the clinic's."""
    personal: dict[int, dt.date] = {}
    clinic: dict[int, dt.date] = {}
    for facts in assignments:
        (personal if facts.personal else clinic)[facts.course_id] = due_on(facts)
    return {**clinic, **personal}


def status(*, completed: bool, started: bool, due: dt.date, today: dt.date) -> Status:
    if completed:
        return Status.COMPLETED
    if today > due:
        return Status.OVERDUE
    return Status.IN_PROGRESS if started else Status.NOT_STARTED


def needs_reminder(due: dt.date, today: dt.date) -> bool:
    """Due within the reminder window, or overdue."""
    return (due - today).days <= REMINDER_WINDOW_DAYS


class QuizResult(NamedTuple):
    lesson_title: str
    position: int
    best_score: int
    passed: bool
    failures: int
    out_of_attempts: bool = False  # every attempt allowed is used, and not passed


class ReportRow(NamedTuple):
    """One staff member and one course assigned to them. (Named tuples, here and above: the
    report makes thousands of them, and they are made several times faster than frozen
    dataclasses.)"""

    user_id: int
    name: str
    email: str
    course_id: int
    course_title: str
    due: dt.date
    status: Status
    percent: int
    quiz_count: int  # quizzes in the course
    quizzes_passed: int
    # In lesson order: every quiz tried (the CSV's report), or those not passed yet or failed
    # at least twice (what the page shows).
    quizzes: tuple[QuizResult, ...]
    completed_on: dt.date | None
    certificate_code: str | None

    @property
    def weakest(self) -> QuizResult | None:
        """The tried and not yet passed quiz with the lowest best score."""
        return min((quiz for quiz in self.quizzes if not quiz.passed),
                   key=lambda quiz: (quiz.best_score, quiz.position), default=None)

    @property
    def out_of_attempts(self) -> tuple[str, ...]:
        """Lessons whose quiz this person may not try again without more attempts."""
        return tuple(q.lesson_title for q in self.quizzes if q.out_of_attempts)

    @property
    def verification_code(self) -> str | None:
        return codes.display(self.certificate_code) if self.certificate_code else None

    @property
    def struggling_with(self) -> tuple[str, ...]:
        """Lessons whose quiz this person failed at least twice and has not passed yet."""
        return tuple(q.lesson_title for q in self.quizzes
                     if policy.struggling(failures=q.failures, passed=q.passed))


SORTS = {
    "name": lambda row: (row.name.casefold(), row.course_title),
    "course": lambda row: (row.course_title, row.name.casefold()),
    "status": lambda row: (STATUS_ORDER.index(row.status), row.due, row.name.casefold()),
    "progress": lambda row: (row.percent, row.name.casefold()),
    "due": lambda row: (row.due, row.name.casefold()),
}


def select_rows(rows: Sequence[ReportRow], *, course_id: int | None = None,
                wanted: Status | None = None, needs_help: bool = False,
                sort: str = "status") -> list[ReportRow]:
    """`needs_help`: only those struggling or out of attempts."""
    chosen = [row for row in rows
              if (course_id is None or row.course_id == course_id)
              and (wanted is None or row.status is wanted)
              and (not needs_help or row.struggling_with or row.out_of_attempts)]
    return sorted(chosen, key=SORTS.get(sort, SORTS["status"]))


@dataclass(frozen=True)
class CourseBar:
    course_id: int
    course_title: str
    counts: tuple[tuple[Status, int], ...]  # in STATUS_ORDER reversed: completed first

    @property
    def total(self) -> int:
        return sum(count for _, count in self.counts)


def course_bars(rows: Iterable[ReportRow]) -> list[CourseBar]:
    """One bar per course: how many of its assignees are in each state."""
    tallies: dict[tuple[str, int], Counter] = {}
    for row in rows:
        tallies.setdefault((row.course_title, row.course_id), Counter())[row.status] += 1
    return [CourseBar(course_id, title, tuple((state, tally[state])
                                               for state in reversed(STATUS_ORDER)))
            for (title, course_id), tally in sorted(tallies.items())]
