"""Reads for the admin pages: the quizzes a person could be granted attempts at, the
audit log, filtered, newest first, a page at a time, and the mail not yet delivered."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from ..accounts.models import User
from .. import cycles
from ..audit import AuditEvent
from ..database import db
from ..learning.models import Course, Lesson
from ..mailing.models import OutboxMessage
from ..quizzes.models import AttemptRequest, Quiz, QuizStanding


def quizzes_to_grant(learner_id: int) -> list[tuple[int, str, str]]:
    """(quiz id, course title, lesson title) of the active quizzes the learner attempted
    and has not passed: the ones more attempts could matter for."""
    return [(quiz_id, course, lesson) for quiz_id, course, lesson in db.session.execute(
        select(Quiz.id, Course.title, Lesson.title)
        .join(QuizStanding, QuizStanding.quiz_id == Quiz.id)
        .join(Lesson, Lesson.id == Quiz.lesson_id).join(Course, Course.id == Lesson.course_id)
        .where(QuizStanding.user_id == learner_id, QuizStanding.passed.is_(False),
               QuizStanding.cycle == cycles.current(learner_id, Lesson.course_id),
               Quiz.archived_at.is_(None), Lesson.archived_at.is_(None))
        .order_by(Course.title, Lesson.position))]


class AskedForAttempts(NamedTuple):
    request: AttemptRequest
    user_id: int
    name: str
    email: str
    course_title: str
    lesson_title: str


def attempt_requests() -> list[AskedForAttempts]:
    """Learners' requests for more attempts no grant has answered yet, oldest first."""
    return [AskedForAttempts(*row) for row in db.session.execute(
        select(AttemptRequest, User.id, User.legal_name, User.email, Course.title, Lesson.title)
        .join(User, User.id == AttemptRequest.user_id)
        .join(Quiz, Quiz.id == AttemptRequest.quiz_id)
        .join(Lesson, Lesson.id == Quiz.lesson_id).join(Course, Course.id == Lesson.course_id)
        .where(AttemptRequest.granted_at.is_(None))
        .order_by(AttemptRequest.requested_at, AttemptRequest.id))]


def open_attempt_request(request_id: int) -> AttemptRequest | None:
    found = db.session.get(AttemptRequest, request_id)
    return found if found is not None and found.granted_at is None else None


PAGE = 100
# What the log can be narrowed to: a label and the action prefixes it covers.
KINDS = {
    "logins": ("Logins, failed logins and logouts", ("user.log",)),
    "accounts": ("Accounts: creation, details, e-mail, passwords, roles, activation, "
                 "deletion", ("user.created", "user.updated", "user.email", "user.password",
                              "user.roles", "user.activated", "user.deactivated",
                              "user.legal_name", "user.deleted")),
    "certificates": ("Certificates, provider settings and the purge of kept records",
                     ("certificate.", "provider.", "records.")),
    "content": ("Courses and their content", ("course.", "content.", "draft.")),
    "clinics": ("Clinics and their members", ("clinic.",)),
    "quizzes": ("Quiz attempts granted and question flags resolved", ("quiz.",)),
}


@dataclass(frozen=True)
class LogLine:
    event: AuditEvent
    actor_name: str | None
    actor_email: str | None
    affected_name: str | None = None  # whom it was about, when not the actor


def audit_events(*, kind: str | None = None, person: str = "", since: dt.date | None = None,
                 until: dt.date | None = None, before_id: int | None = None) -> list[LogLine]:
    """At most PAGE events, newest first, with the names of who did them and whom they were
    about (users are named by id in the log, so a deleted account's history stays). The
    person filter finds the events a person did and those about them."""
    affected = aliased(User)
    query = (select(AuditEvent, User.legal_name, User.email, affected.legal_name)
             .outerjoin(User, User.id == AuditEvent.actor_id)
             .outerjoin(affected, affected.id == AuditEvent.affected_id)
             .order_by(AuditEvent.id.desc()).limit(PAGE))
    if kind in KINDS:
        query = query.where(or_(*(AuditEvent.action.startswith(prefix, autoescape=True)
                                  for prefix in KINDS[kind][1])))
    person = person.strip().lower()
    if person:
        pattern = "%" + person.replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        people = select(User.id).where(or_(
            func.lower(User.legal_name).like(pattern, escape="\\"),
            User.email.like(pattern, escape="\\")))
        query = query.where(or_(AuditEvent.actor_id.in_(people),
                                AuditEvent.affected_id.in_(people)))
    if since is not None:
        query = query.where(AuditEvent.at >= dt.datetime.combine(since, dt.time(),
                                                                 tzinfo=dt.timezone.utc))
    if until is not None:
        query = query.where(AuditEvent.at < dt.datetime.combine(
            until + dt.timedelta(days=1), dt.time(), tzinfo=dt.timezone.utc))
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return [LogLine(event, name, email,
                    about if event.affected_id not in (None, event.actor_id) else None)
            for event, name, email, about in db.session.execute(query)]


UNDELIVERED_SHOWN = 200


def undelivered_mail() -> tuple[int, list[OutboxMessage]]:
    """How many messages are not yet delivered (waiting for a retry, or given up), and the
    oldest UNDELIVERED_SHOWN of them; two statements."""
    pending = OutboxMessage.sent_at.is_(None)
    total = db.session.scalar(select(func.count(OutboxMessage.id)).where(pending))
    return total, list(db.session.scalars(select(OutboxMessage).where(pending)
                                          .order_by(OutboxMessage.id)
                                          .limit(UNDELIVERED_SHOWN)))
