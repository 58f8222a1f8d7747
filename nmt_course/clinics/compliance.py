"""Pure compliance rules: when an assignment is due for a person, what state they are in,
who is struggling, and the report's filters, sorting and bars. No Flask, no database."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .. import codes
from ..quizzes import policy

REMINDER_WINDOW_DAYS = 7
STRUGGLING_FAILS = policy.STRUGGLING_FAILS


# String enums: thousands of report rows are grouped and looked up by these, and a str
# hashes in C (an Enum member's hash is a Python call).
class Status(enum.StrEnum):
    COMPLETED = "completed"
    IN_PROGRESS = "in progress"
    NOT_STARTED = "not started"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return self.value.capitalize()


STATUS_ORDER = (Status.OVERDUE, Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETED)


class Standing(enum.StrEnum):
    """Where the person of a report row stands with the clinic."""

    STAFF = "staff"
    FORMER = "former staff"  # left: what they completed while on the staff stays
    INVITED = "invited"  # has not joined yet: counted as not started

    @property
    def label(self) -> str:
        return self.value.capitalize()


# The report's "people" filter: who each choice shows.
PEOPLE = {"current": (Standing.STAFF, Standing.INVITED), "former": (Standing.FORMER,),
          "all": tuple(Standing)}


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


class PastCycle(NamedTuple):
    """An earlier cycle of a person in a course (nmt_course/cycles.py), on their report row."""

    number: int
    completed_on: dt.date
    certificate_code: str | None  # as evidence is shown: None until the staff are told
    expired_on: dt.date | None  # when it stopped meeting the recurring assignment

    @property
    def verification_code(self) -> str | None:
        return codes.display(self.certificate_code) if self.certificate_code else None


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
    # The quizzes tried and not passed yet, in lesson order (none in the matrix's rows).
    quizzes: tuple[QuizResult, ...]
    completed_on: dt.date | None
    certificate_code: str | None
    family_name: str = ""
    standing: Standing = Standing.STAFF
    left_on: dt.date | None = None
    # The evidence a manager sees (current staff who have been told they do): their
    # certificate's page and PDF, licence number and state. Otherwise completion dates only.
    evidence: bool = False
    licence_number: str | None = None
    licence_state: str | None = None
    ce_hours: Decimal | None = None  # earned: the valid certificate's
    revoked: bool = False  # the certificate was revoked: not completed
    # The assignment was withdrawn that day: the row is history, as it stood then.
    withdrawn_on: dt.date | None = None
    # Each quiz tried and its best score, as course_progress keeps them: "1 2 5|100 80 40",
    # lesson positions then scores (asked for by the CSV).
    best_scores: str = ""
    recur_months: int | None = None  # the assignment repeats every so many months
    # When the completion stops meeting the recurring assignment (on that day the row is no
    # longer completed: expired, its due date that day).
    expires_on: dt.date | None = None
    expired_completion: dt.date | None = None  # the completion that expired, if one did
    cycle: int = 1  # the person's current cycle in the course (a new one: due again)
    history: tuple[PastCycle, ...] = ()  # earlier cycles completed, oldest first

    @property
    def expired(self) -> bool:
        return self.expired_completion is not None

    @property
    def days_late(self) -> int | None:
        """Days between the due date and the completion (negative: early)."""
        return (self.completed_on - self.due).days if self.completed_on else None

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


def timeliness(days_late: int | None) -> str:
    """'completed 4 days late', 'completed on time', 'completed 2 days early'; '' if not."""
    if days_late is None:
        return ""
    if days_late == 0:
        return "completed on the due date"
    days = f"{abs(days_late)} day" + ("" if abs(days_late) == 1 else "s")
    return f"completed {days} {'late' if days_late > 0 else 'early'}"


def _person(row) -> tuple:
    """Family name first, then the whole name: how people are sorted."""
    return ((row.family_name or row.name).casefold(), row.name.casefold(), row.email)


SORTS = {
    "name": lambda row: (_person(row), row.course_title),
    "course": lambda row: (row.course_title, _person(row)),
    "status": lambda row: (STATUS_ORDER.index(row.status), row.due, _person(row)),
    "progress": lambda row: (row.percent, _person(row)),
    "due": lambda row: (row.due, _person(row)),
}


def select_rows(rows: Sequence[ReportRow], *, course_id: int | None = None,
                wanted: Status | None = None, needs_help: bool = False,
                sort: str = "status", people: str = "current",
                expiring_by: dt.date | None = None) -> list[ReportRow]:
    """`needs_help`: only those struggling or out of attempts; `people`: a key of PEOPLE;
    `expiring_by`: only completions that expire by that day (and have not yet)."""
    standings = PEOPLE.get(people, PEOPLE["current"])
    chosen = [row for row in rows
              if row.standing in standings
              and (course_id is None or row.course_id == course_id)
              and (wanted is None or row.status is wanted)
              and (not needs_help or row.struggling_with or row.out_of_attempts)
              and (expiring_by is None or (row.completed_on is not None
                                           and row.expires_on is not None
                                           and row.expires_on <= expiring_by))]
    return sorted(chosen, key=SORTS.get(sort, SORTS["status"]))


class MatrixLine(NamedTuple):
    """One person of the matrix view: their cells by course id (absent: not assigned, or
    filtered out)."""

    first: ReportRow  # who they are, from any of their rows
    cells: dict[int, ReportRow]


def matrix(rows: Sequence[ReportRow], sort: str = "status") -> list[MatrixLine]:
    """The chosen rows as one line per person, in the order of their first row under
    `sort` (by status: the person with the most urgent cell first)."""
    lines: dict[tuple, MatrixLine] = {}
    for row in rows:  # sorted already
        key = (row.standing, row.user_id, row.email)
        line = lines.get(key)
        if line is None:
            line = lines[key] = MatrixLine(row, {})
        line.cells[row.course_id] = row
    if sort in ("course", "due", "progress"):
        return sorted(lines.values(), key=lambda line: _person(line.first))
    return list(lines.values())


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
    counted = Counter((row.course_title, row.course_id, row.status) for row in rows)
    courses = sorted({(title, course_id) for title, course_id, _ in counted})
    return [CourseBar(course_id, title, tuple((state, counted[(title, course_id, state)])
                                               for state in reversed(STATUS_ORDER)))
            for title, course_id in courses]
