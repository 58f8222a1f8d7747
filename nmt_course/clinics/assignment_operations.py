"""Changes to what clinics ask of their staff: assigning courses with due dates, changing and
withdrawing them, and reminding staff of what is due. Each public function is one transaction;
mail leaves after it commits."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..database import db, transaction
from ..learning.models import Course
from ..mailing import outbox
from ..mailing.messages import render_email
from ..recurrence import recurrence_problem
from ..runtime import Email, Runtime
from . import notice_operations as notices, queries
from .models import Assignment, Clinic, ReminderSent, in_force
from .operations import ClinicError


# --- assignments ----------------------------------------------------------------------------

def _check_due(runtime: Runtime, due_on: dt.date) -> dt.date:
    if due_on < runtime.settings.local_date(runtime.clock()):
        raise ClinicError("The due date has passed; choose today or a later day.")
    return due_on


def assign(runtime: Runtime, actor: User, clinic: Clinic, course: Course, due_on: dt.date,
           staff_ids: Iterable[int] | None = None, *,
           recur_months: int | None = None) -> tuple[int, int]:
    """Assign a course to the whole clinic (`staff_ids` None) or to the chosen staff, once or
    every `recur_months` months, and e-mail each person it is new to. An existing assignment
    of the same course to the same people takes the new date and recurrence. Returns how
    many assignments were made and how many were changed."""
    chosen = None if staff_ids is None else set(staff_ids)
    mails = {member.user_id: notices.assignment_mail(
        runtime, to=member.user.email, name=member.user.legal_name, clinic_name=clinic.name,
        course=course, due=due_on)
        for member in queries.course_takers(clinic.id)
        if (chosen is None or member.user_id in chosen) and member.user.active}
    return _assign(runtime, actor, clinic, course, due_on, chosen, mails, recur_months)


@transaction
def _assign(runtime: Runtime, actor: User, clinic: Clinic, course: Course, due_on: dt.date,
            staff_ids: set[int] | None, mails: dict[int, Email],
            recur_months: int | None) -> tuple[int, int]:
    _check_due(runtime, due_on)
    problem = recurrence_problem(recur_months)
    if problem:
        raise ClinicError(problem)
    if not course.is_published:
        raise ClinicError("Only published courses can be assigned.")
    staff = {m.user_id for m in queries.course_takers(clinic.id)}
    targets: list[int | None] = [None] if staff_ids is None else sorted(staff_ids)
    if staff_ids is not None and (not targets or not set(targets) <= staff):
        raise ClinicError("Choose at least one member of the clinic's staff.")
    made = changed = 0
    notices_due: dict[tuple[int, int], Email] = {}
    for user_id in targets:
        assignment = db.session.scalar(select(Assignment).where(
            Assignment.clinic_id == clinic.id, Assignment.course_id == course.id, in_force(),
            Assignment.user_id.is_(None) if user_id is None else Assignment.user_id == user_id))
        if assignment is None:
            assignment = Assignment(clinic_id=clinic.id, course_id=course.id, user_id=user_id,
                                    assigned_at=runtime.clock(), assigned_by_id=actor.id,
                                    due_on=due_on, recur_months=recur_months)
            db.session.add(assignment)
            db.session.flush()
            made += 1
        else:
            assignment.due_on, assignment.recur_months = due_on, recur_months
            changed += 1
        # Those already told of this assignment are not told again (a new date is not news
        # worth a second e-mail; the reminders carry it).
        notices_due.update({(assignment.id, person): mail for person, mail in mails.items()
                            if person in staff and user_id in (None, person)})
    audit.record("clinic.course_assigned", at=runtime.clock(), actor_id=actor.id,
                 subject=f"clinic:{clinic.id}", course_id=course.id, due_on=due_on.isoformat(),
                 user_ids=[t for t in targets if t is not None], whole_clinic=staff_ids is None,
                 recur_months=recur_months)
    notices.queue_assignment_notices(runtime, notices_due)
    return made, changed


@transaction
def change_due_date(runtime: Runtime, actor: User, assignment: Assignment,
                    due_on: dt.date) -> None:
    before, assignment.due_on = assignment.due_on, _check_due(runtime, due_on)
    audit.record("clinic.assignment_changed", at=runtime.clock(), actor_id=actor.id,
                 subject=f"clinic:{assignment.clinic_id}", assignment_id=assignment.id,
                 before=before.isoformat(), after=due_on.isoformat())


@transaction
def withdraw(runtime: Runtime, actor: User, assignment: Assignment) -> None:
    """Mark the assignment withdrawn: no longer required, reminded or reported as due, but
    kept (with the notices sent of it) as the record of what was asked until when."""
    if assignment.withdrawn_at is not None:
        raise ClinicError("This assignment was already withdrawn.")
    assignment.withdrawn_at, assignment.withdrawn_by_id = runtime.clock(), actor.id
    audit.record("clinic.assignment_withdrawn", at=runtime.clock(), actor_id=actor.id,
                 subject=f"clinic:{assignment.clinic_id}", assignment_id=assignment.id,
                 course_id=assignment.course_id, user_id=assignment.user_id)


# --- reminders ------------------------------------------------------------------------------

def send_reminders(runtime: Runtime) -> int:
    """Queue an e-mail to each staff member whose assignments are due within the reminder
    window (compliance.REMINDER_WINDOW_DAYS) or overdue, at most once a day (a second run the
    same day queues nothing). Returns how many were queued."""
    settings, now = runtime.settings, runtime.clock()
    today = settings.local_date(now)
    mails = [(reminder.user_id, render_email(
        "course_reminder", to=reminder.email, settings=settings, name=reminder.name,
        courses=reminder.courses, today=today, clinic_name=reminder.clinic_names,
        overdue_since=reminder.overdue_since(today)))
        for reminder in queries.reminders_due(settings, now)]
    return _queue_reminders(runtime, today, mails)


@transaction
def _queue_reminders(runtime: Runtime, today: dt.date, mails: list[tuple[int, Email]]) -> int:
    already = set(db.session.scalars(
        select(ReminderSent.user_id).where(ReminderSent.sent_on == today)))
    sent = 0
    for user_id, mail in mails:
        if user_id in already:
            continue
        db.session.add(ReminderSent(user_id=user_id, sent_on=today))
        outbox.queue(mail, at=runtime.clock())
        sent += 1
    return sent
