"""Reads about clinics: who manages and belongs to them, invitations, assignments, a
learner's assigned courses and the reminders due. The compliance report is in
report_queries.py."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import and_, exists, func, or_, select

from .. import cycles
from ..accounts.models import User
from ..certificates.models import Certificate, CertificateStatus
from ..content import CourseStatus
from ..cycles import CourseCycle
from ..database import db
from ..learning.models import Course
from ..runtime import Settings
from . import notice_queries
from .compliance import AssignmentFacts, effective_due_dates, needs_reminder
from .evidence import NOTICE_DAYS
from .models import (Assignment, Clinic, ClinicRole, Invitation, Leaver, Membership, in_force,
                     on_staff)


def managed_clinic(user: User, clinic_id: int) -> Clinic | None:
    """The clinic if `user` manages it (admins see every clinic); None otherwise."""
    query = select(Clinic).where(Clinic.id == clinic_id)
    if not user.is_admin:
        query = query.where(exists().where(
            Membership.clinic_id == Clinic.id, Membership.user_id == user.id,
            Membership.role == ClinicRole.MANAGER))
    return db.session.scalar(query)


def clinic_named(name: str) -> Clinic | None:
    """The clinic with this name, whatever its case."""
    return db.session.scalar(select(Clinic).where(func.lower(Clinic.name) == name.lower()))


def clinics_managed_by(user: User) -> list[Clinic]:
    return list(db.session.scalars(
        select(Clinic).join(Membership, Membership.clinic_id == Clinic.id)
        .where(Membership.user_id == user.id, Membership.role == ClinicRole.MANAGER)
        .order_by(Clinic.name, Clinic.id)))


@dataclass(frozen=True)
class ClinicLine:
    clinic: Clinic
    staff: int
    managers: list[str]


def all_clinics() -> list[ClinicLine]:
    """Every clinic with its staff count and managers' e-mail addresses (for admins)."""
    staff = (select(func.count(Membership.id))
             .where(Membership.clinic_id == Clinic.id, Membership.role == ClinicRole.STAFF)
             .scalar_subquery())
    clinics = db.session.execute(select(Clinic, staff).order_by(Clinic.name, Clinic.id)).all()
    managers: dict[int, list[str]] = defaultdict(list)
    for clinic_id, email in db.session.execute(
            select(Membership.clinic_id, User.email).join(User, User.id == Membership.user_id)
            .where(Membership.role == ClinicRole.MANAGER).order_by(User.email)):
        managers[clinic_id].append(email)
    return [ClinicLine(clinic, count, managers[clinic.id]) for clinic, count in clinics]


def members(clinic_id: int, role: ClinicRole | None = None) -> list[Membership]:
    query = (select(Membership).join(User, User.id == Membership.user_id)
             .where(Membership.clinic_id == clinic_id)
             .order_by(User.legal_name, User.id))
    if role is not None:
        query = query.where(Membership.role == role)
    return list(db.session.scalars(query))


def course_takers(clinic_id: int) -> list[Membership]:
    """The staff, with the managers who added themselves to it: who courses are assigned to."""
    return list(db.session.scalars(
        select(Membership).join(User, User.id == Membership.user_id)
        .where(Membership.clinic_id == clinic_id, on_staff())
        .order_by(User.legal_name, User.id)))


def membership(clinic_id: int, user_id: int) -> Membership | None:
    return db.session.scalar(select(Membership).where(
        Membership.clinic_id == clinic_id, Membership.user_id == user_id))


def leaver(clinic_id: int, user_id: int) -> Leaver | None:
    """The record of `user_id` having left the clinic's staff, if they ever did."""
    return db.session.scalar(select(Leaver).where(Leaver.clinic_id == clinic_id,
                                                  Leaver.user_id == user_id))


def open_invitations(clinic_id: int) -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation).where(Invitation.clinic_id == clinic_id,
                                 Invitation.accepted_at.is_(None),
                                 Invitation.revoked_at.is_(None))
        .order_by(Invitation.sent_at.desc(), Invitation.id)))


def open_invitation(clinic_id: int, invitation_id: int) -> Invitation | None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.clinic_id != clinic_id or not invitation.is_open:
        return None
    return invitation


def invitation_by_token(token_digest: str, now: dt.datetime) -> Invitation | None:
    """The open, unexpired invitation whose token hashes to `token_digest`."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_digest))
    if invitation is None or not invitation.is_open or invitation.expires_at <= now:
        return None
    return invitation


def open_invitation_for(clinic_id: int, email: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(
        Invitation.clinic_id == clinic_id, Invitation.email == email,
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)))


def invitations_sent_since(clinic_id: int, since: dt.datetime) -> int:
    """How many of the clinic's invitations were sent or resent since `since`."""
    return db.session.scalar(select(func.count(Invitation.id)).where(
        Invitation.clinic_id == clinic_id, Invitation.sent_at >= since)) or 0


def assignments_of(clinic_id: int, *, withdrawn: bool = False) -> list[Assignment]:
    """The clinic's assignments in force; with `withdrawn`, those withdrawn instead (most
    recently withdrawn first)."""
    query = select(Assignment).join(Course, Course.id == Assignment.course_id)
    if withdrawn:
        return list(db.session.scalars(
            query.where(Assignment.clinic_id == clinic_id, ~in_force())
            .order_by(Assignment.withdrawn_at.desc(), Assignment.id.desc())))
    return list(db.session.scalars(
        query.where(Assignment.clinic_id == clinic_id, in_force())
        .order_by(Course.title, Assignment.user_id.is_not(None), Assignment.id)))


def assignment_of(clinic_id: int, assignment_id: int) -> Assignment | None:
    """The clinic's assignment in force with this id (a withdrawn one is history: None)."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.clinic_id != clinic_id \
            or assignment.withdrawn_at is not None:
        return None
    return assignment


def assignable_courses() -> list[Course]:
    return list(db.session.scalars(
        select(Course).where(Course.status == CourseStatus.PUBLISHED).order_by(Course.title)))


# --- a learner's assignments -----------------------------------------------------------------

@dataclass(frozen=True)
class AssignedCourse:
    course: Course
    due: dt.date
    clinic_name: str


@dataclass(frozen=True)
class MyClinics:
    assigned: list[AssignedCourse]  # earliest due first
    managed: list[Clinic]
    # Clinics whose managers see (or, when told is None, will see once told) this person's
    # certificates: (clinic name, when told), while the dashboard says so.
    evidence_notices: tuple[tuple[str, dt.datetime | None], ...] = ()


def _renewal_due(user_id, course_id):
    """SQL: when the newest cycle opened for the person and course is due (NULL: none)."""
    return (select(CourseCycle.due_on).where(CourseCycle.user_id == user_id,
                                             CourseCycle.course_id == course_id)
            .order_by(CourseCycle.number.desc()).limit(1).scalar_subquery())


def my_clinics(user_id: int, settings: Settings, now: dt.datetime | None = None) -> MyClinics:
    """The courses `user_id`'s clinics assigned them, and the clinics they manage: one
    statement. Two clinics assigning one course: the earlier date counts. A new cycle of
    recurring training is due when it was opened to be."""
    rows = db.session.execute(
        select(Membership.role, Clinic, Membership.joined_at, Assignment.user_id,
               Assignment.due_on, Assignment.assigned_at, Course,
               Membership.evidence_notice_at,
               _renewal_due(user_id, Course.id).label("cycle_due"))
        .join(Clinic, Clinic.id == Membership.clinic_id)
        .outerjoin(Assignment, and_(
            Assignment.clinic_id == Membership.clinic_id, on_staff(), in_force(),
            or_(Assignment.user_id.is_(None), Assignment.user_id == user_id)))
        .outerjoin(Course, Course.id == Assignment.course_id)
        .where(Membership.user_id == user_id)).all()
    managed = sorted({row.Clinic for row in rows if row.role is ClinicRole.MANAGER},
                     key=lambda clinic: (clinic.name, clinic.id))
    per_clinic: dict[int, list] = defaultdict(list)
    for row in rows:
        if row.Course is not None:
            per_clinic[row.Clinic.id].append(row)
    earliest: dict[int, AssignedCourse] = {}
    for clinic_rows in per_clinic.values():
        clinic = clinic_rows[0].Clinic
        courses = {row.Course.id: row.Course for row in clinic_rows}
        due = effective_due_dates(
            AssignmentFacts(row.Course.id, row.due_on, row.user_id is not None,
                            row.assigned_at, row.joined_at, settings.timezone)
            for row in clinic_rows)
        renewals = {row.Course.id: row.cycle_due for row in clinic_rows
                    if row.cycle_due is not None}
        for course_id, due_date in due.items():
            due_date = renewals.get(course_id, due_date)
            if course_id not in earliest or due_date < earliest[course_id].due:
                earliest[course_id] = AssignedCourse(courses[course_id], due_date, clinic.name)
    assigned = sorted(earliest.values(), key=lambda a: (a.due, a.course.title))
    since = now - dt.timedelta(days=NOTICE_DAYS) if now else None
    notices = {(row.Clinic.name, row.evidence_notice_at) for row in rows
               if row.role is ClinicRole.STAFF and now is not None
               and (row.evidence_notice_at is None or row.evidence_notice_at > since)}
    return MyClinics(assigned, managed, tuple(sorted(notices, key=lambda n: n[0])))


# --- reminders -------------------------------------------------------------------------------

class DueCourse(NamedTuple):
    title: str
    slug: str
    due: dt.date
    clinic_name: str


@dataclass(frozen=True)
class Reminder:
    user_id: int
    email: str
    name: str
    courses: list[DueCourse]  # earliest first

    @property
    def clinic_names(self) -> str:
        """The clinics that assigned the courses, as the mail names them."""
        return " and ".join(sorted({course.clinic_name for course in self.courses}))

    def overdue_since(self, today: dt.date) -> dt.date | None:
        """The earliest due date passed, if any."""
        return next((course.due for course in self.courses if course.due < today), None)


def reminders_due(settings: Settings, now: dt.datetime) -> list[Reminder]:
    """Staff with an assignment due within the reminder window or overdue, not completed
    (with a valid certificate) and not blocked by a quiz they are out of attempts at, with
    those courses; in three statements."""
    today = settings.local_date(now)
    rows = db.session.execute(
        select(Membership.user_id, Membership.clinic_id, Clinic.name.label("clinic_name"),
               Membership.joined_at, User.email,
               User.legal_name, Assignment.user_id.label("personal_for"), Assignment.due_on,
               Assignment.assigned_at, Course.id, Course.title, Course.slug,
               # A new cycle of recurring training is due when it was opened to be.
               _renewal_due(Membership.user_id, Course.id).label("cycle_due"))
        .join(User, User.id == Membership.user_id)
        .join(Clinic, Clinic.id == Membership.clinic_id)
        .join(Assignment, and_(Assignment.clinic_id == Membership.clinic_id, in_force(), or_(
            Assignment.user_id.is_(None), Assignment.user_id == Membership.user_id)))
        .join(Course, Course.id == Assignment.course_id)
        .where(on_staff(), User.active)).all()
    if not rows:
        return []
    done = {tuple(row) for row in db.session.execute(
        select(Certificate.user_id, Certificate.course_id)
        .where(Certificate.status == CertificateStatus.VALID,
               Certificate.cycle == cycles.current(Certificate.user_id, Certificate.course_id),
               Certificate.user_id.in_(
            select(Membership.user_id).where(on_staff()))))}
    # Someone out of attempts cannot go on until granted more: reminding them helps nobody.
    done |= notice_queries.out_of_attempts(select(Membership.user_id).where(on_staff()))
    grouped: dict[tuple[int, int], list] = defaultdict(list)
    for row in rows:
        grouped[(row.user_id, row.clinic_id)].append(row)
    due_by_user: dict[int, dict[int, DueCourse]] = defaultdict(dict)
    people = {}
    for (user_id, _), clinic_rows in grouped.items():
        titles = {row.id: (row.title, row.slug) for row in clinic_rows}
        people[user_id] = (clinic_rows[0].email, clinic_rows[0].legal_name)
        due = effective_due_dates(
            AssignmentFacts(row.id, row.due_on, row.personal_for is not None, row.assigned_at,
                            row.joined_at, settings.timezone) for row in clinic_rows)
        renewals = {row.id: row.cycle_due for row in clinic_rows if row.cycle_due is not None}
        for course_id, due_date in due.items():
            due_date = renewals.get(course_id, due_date)
            if (user_id, course_id) in done or not needs_reminder(due_date, today):
                continue
            known = due_by_user[user_id].get(course_id)
            if known is None or due_date < known.due:
                due_by_user[user_id][course_id] = DueCourse(*titles[course_id], due_date,
                                                            clinic_rows[0].clinic_name)
    return [Reminder(user_id, *people[user_id], sorted(courses.values(), key=lambda c: c.due))
            for user_id, courses in sorted(due_by_user.items()) if courses]
