"""Who is due a new cycle of a recurring assignment (nmt_course/cycles.py): staff whose
valid completion of the course, in their current cycle, is within the renewal window of its
expiry or past it. One statement."""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import and_, or_, select

from .. import cycles
from ..accounts.models import User
from ..certificates.models import Certificate, CertificateStatus
from ..database import db
from ..learning.models import Course
from ..recurrence import RENEWAL_WINDOW_DAYS, due_for_renewal, expires_on
from ..runtime import Settings
from .models import Assignment, Clinic, Membership, in_force, on_staff


class CycleDue(NamedTuple):
    """A new cycle to open: the person, the course and the assignment that repeats it."""

    user_id: int
    email: str
    name: str
    course_id: int
    course_title: str
    course_slug: str
    clinic_name: str
    assignment_id: int
    months: int
    cycle: int  # the number of the cycle to open
    completed_on: dt.date  # the completion that is expiring
    expires_on: dt.date
    due_on: dt.date


def new_cycle_due(expiry: dt.date, today: dt.date) -> dt.date:
    """When a new cycle is due: the day the completion expires, so that a timely renewal
    keeps the person compliant throughout; if that day has passed (the recurrence was set or
    `clinics remind` run after it), the renewal window from today, the time a timely
    renewal gets."""
    return expiry if expiry > today else today + dt.timedelta(days=RENEWAL_WINDOW_DAYS)


def cycles_due(settings: Settings, now: dt.datetime) -> list[CycleDue]:
    """Each staff member and course of a recurring assignment in force whose valid
    certificate of their current cycle is due for renewal (recurrence.due_for_renewal), once
    per person and course (the clinic repeating it most often decides), in one statement.
    Someone already in a cycle without a certificate is not due another."""
    today = settings.local_date(now)
    rows = db.session.execute(
        select(Membership.user_id, User.email, User.legal_name, Course.id, Course.title,
               Course.slug, Clinic.name, Assignment.id, Assignment.recur_months,
               Certificate.cycle, Certificate.completed_on)
        .join(User, User.id == Membership.user_id)
        .join(Clinic, Clinic.id == Membership.clinic_id)
        .join(Assignment, and_(Assignment.clinic_id == Membership.clinic_id, in_force(),
                               Assignment.recur_months.is_not(None), or_(
                                   Assignment.user_id.is_(None),
                                   Assignment.user_id == Membership.user_id)))
        .join(Course, Course.id == Assignment.course_id)
        .join(Certificate, and_(
            Certificate.user_id == Membership.user_id, Certificate.course_id == Course.id,
            Certificate.status == CertificateStatus.VALID,
            Certificate.cycle == cycles.current(Membership.user_id, Course.id)))
        .where(on_staff(), User.active)
        .order_by(Membership.user_id, Course.id, Assignment.id)).all()
    found: dict[tuple[int, int], CycleDue] = {}
    for (user_id, email, name, course_id, title, slug, clinic_name, assignment_id, months,
         cycle, completed_on) in rows:
        expiry = expires_on(completed_on, months)
        if not due_for_renewal(expiry, today):
            continue
        known = found.get((user_id, course_id))
        if known is None or expiry < known.expires_on:
            found[(user_id, course_id)] = CycleDue(
                user_id, email, name or email, course_id, title, slug, clinic_name,
                assignment_id, months, cycle + 1, completed_on, expiry,
                new_cycle_due(expiry, today))
    return list(found.values())
