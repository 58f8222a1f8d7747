"""Reads behind the clinics' notices: who is out of quiz attempts and who asked for more, who
a learner out of attempts should contact, and what a manager's weekly digest says."""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import func, select

from .. import cycles
from ..accounts.models import User
from ..database import db
from ..learning.models import Lesson
from ..quizzes import policy
from ..quizzes.models import AttemptGrant, AttemptRequest, Quiz, QuizStanding, QuizVersion
from ..runtime import Settings
from . import report_queries
from .compliance import Status
from .models import Assignment, Clinic, ClinicRole, Membership, in_force, on_staff


def out_of_attempts(user_ids) -> set[tuple[int, int]]:
    """(user, course) pairs where the user has used every attempt a quiz of the course allows
    without passing it (policy.out_of_attempts), among `user_ids` (a select of ids)."""
    limit = (select(QuizVersion.max_attempts).where(QuizVersion.quiz_id == Quiz.id)
             .order_by(QuizVersion.number.desc()).limit(1).scalar_subquery())
    granted = (select(func.coalesce(func.sum(AttemptGrant.attempts), 0))
               .where(AttemptGrant.user_id == QuizStanding.user_id,
                      AttemptGrant.quiz_id == QuizStanding.quiz_id,
                      AttemptGrant.cycle == QuizStanding.cycle).scalar_subquery())
    rows = db.session.execute(
        select(QuizStanding.user_id, Lesson.course_id, QuizStanding.attempts, limit, granted)
        .join(Quiz, Quiz.id == QuizStanding.quiz_id).join(Lesson, Lesson.id == Quiz.lesson_id)
        .where(QuizStanding.passed.is_(False), QuizStanding.user_id.in_(user_ids),
               QuizStanding.cycle == cycles.current(QuizStanding.user_id, Lesson.course_id),
               Quiz.archived_at.is_(None), Lesson.archived_at.is_(None)))
    return {(user_id, course_id) for user_id, course_id, used, version_limit, extra in rows
            if policy.out_of_attempts(policy.Standing(
                attempts_used=used, passed=False, current_version_id=None,
                max_attempts=policy.attempt_limit(version_limit or 0, extra)))}


def asked_for_attempts(clinic_id: int) -> set[tuple[int, int]]:
    """(user, course) pairs of the clinic's staff with a request for more attempts at a quiz
    of the course not granted yet: what the report marks "asked for more attempts"."""
    return {tuple(row) for row in db.session.execute(
        select(AttemptRequest.user_id, Lesson.course_id).distinct()
        .join(Quiz, Quiz.id == AttemptRequest.quiz_id).join(Lesson, Lesson.id == Quiz.lesson_id)
        .where(AttemptRequest.granted_at.is_(None), AttemptRequest.user_id.in_(
            select(Membership.user_id).where(Membership.clinic_id == clinic_id,
                                             on_staff()))))}


class Contact(NamedTuple):
    clinic_name: str
    name: str
    email: str


def clinic_contacts(user_id: int, course_id: int) -> list[Contact]:
    """The managers of the clinics that assigned `course_id` to `user_id`: who a learner out
    of attempts may talk to."""
    assigned = (select(Assignment.clinic_id).join(
        Membership, (Membership.clinic_id == Assignment.clinic_id)
        & (Membership.user_id == user_id))
        .where(Assignment.course_id == course_id, on_staff(), in_force(),
               Assignment.user_id.is_(None) | (Assignment.user_id == user_id)))
    return [Contact(*row) for row in db.session.execute(
        select(Clinic.name, User.legal_name, User.email)
        .join(Membership, Membership.clinic_id == Clinic.id)
        .join(User, User.id == Membership.user_id)
        .where(Clinic.id.in_(assigned), Membership.role == ClinicRole.MANAGER, User.active)
        .order_by(Clinic.name, User.legal_name))]


# --- the managers' weekly digest --------------------------------------------------------------

DIGEST_DAYS = 7


class DigestLine(NamedTuple):
    name: str
    course_title: str
    due: dt.date | None = None
    completed_on: dt.date | None = None
    asked: bool = False  # asked for more attempts
    # Training that recurs: the completion expired that day, and renewal (`cycle`) is due.
    expired_on: dt.date | None = None
    cycle: int = 1


class Digest(NamedTuple):
    overdue: list[DigestLine]  # became overdue in the last week
    out_of_attempts: list[DigestLine]
    completed: list[DigestLine]  # with a valid certificate dated in the last week

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.out_of_attempts or self.completed)


class DigestReader(NamedTuple):
    user_id: int
    email: str
    name: str
    clinic_id: int
    clinic_name: str


def digest_readers() -> list[DigestReader]:
    """Every active manager who has not turned the digest off, with each clinic they
    manage."""
    return [DigestReader(*row) for row in db.session.execute(
        select(User.id, User.email, User.legal_name, Clinic.id, Clinic.name)
        .join(Membership, Membership.user_id == User.id)
        .join(Clinic, Clinic.id == Membership.clinic_id)
        .where(Membership.role == ClinicRole.MANAGER, User.active, User.clinic_digest)
        .order_by(Clinic.id, User.id))]


def digest(clinic_id: int, settings: Settings, now: dt.datetime) -> Digest:
    """What changed at the clinic in the week to today, from the report's rows (so a revoked
    certificate counts as not completed here as there)."""
    today = settings.local_date(now)
    week_start = today - dt.timedelta(days=DIGEST_DAYS)
    rows = report_queries.report(clinic_id, settings, now)
    asked = asked_for_attempts(clinic_id)
    overdue = [DigestLine(row.name, row.course_title, row.due,
                          expired_on=row.expires_on if row.expired else None, cycle=row.cycle)
               for row in rows if row.status is Status.OVERDUE and week_start <= row.due < today]
    stuck = [DigestLine(row.name, row.course_title, row.due,
                        asked=(row.user_id, row.course_id) in asked)
             for row in rows if row.out_of_attempts and row.status is not Status.COMPLETED]
    completed = [DigestLine(row.name, row.course_title, completed_on=row.completed_on)
                 for row in rows if row.status is Status.COMPLETED and row.completed_on
                 and row.completed_on > week_start]
    return Digest(*(sorted(lines, key=lambda line: (line.name.casefold(), line.course_title))
                    for lines in (overdue, stuck, completed)))

