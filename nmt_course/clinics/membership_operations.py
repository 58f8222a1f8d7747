"""Membership changes after joining: a manager taking the staff's courses, and leaving."""
from __future__ import annotations

from sqlalchemy import delete, select

from .. import audit
from ..accounts.models import User
from ..database import db, transaction
from ..runtime import Email, Runtime
from . import notice_operations as notices, queries
from .compliance import AssignmentFacts, due_on
from .models import Assignment, AssignmentNotice, Clinic, ClinicRole, Membership
from .operations import ClinicError, subject_of

def take_courses(runtime: Runtime, manager: Membership, wanted: bool) -> None:
    """A manager adds themselves to the clinic's staff (assigned courses, told of each, in
    the report and reminders), or takes themselves off it."""
    mails = {}
    if wanted:
        user, clinic = manager.user, db.session.get(Clinic, manager.clinic_id)
        mails = {(assignment.id, user.id): notices.assignment_mail(
            runtime, to=user.email, name=user.legal_name, clinic_name=clinic.name,
            course=assignment.course,
            due=due_on(AssignmentFacts(assignment.course_id, assignment.due_on, False,
                                       assignment.assigned_at, manager.joined_at,
                                       runtime.settings.timezone)))
            for assignment in queries.assignments_of(manager.clinic_id)
            if assignment.user_id is None}
    _take_courses(runtime, manager, wanted, mails)


@transaction
def _take_courses(runtime: Runtime, manager: Membership, wanted: bool,
                  mails: dict[tuple[int, int], Email]) -> None:
    if not manager.manages:
        raise ClinicError("Only a manager can add themselves to the staff.")
    if manager.takes_courses == wanted:
        return
    manager.takes_courses = wanted
    audit.record("clinic.manager_takes_courses" if wanted else "clinic.manager_left_staff",
                 at=runtime.clock(), actor_id=manager.user_id,
                 subject=f"clinic:{manager.clinic_id}", user_id=manager.user_id)
    notices.queue_assignment_notices(runtime, mails)


@transaction
def remove_member(runtime: Runtime, actor: User, clinic: Clinic, member: Membership) -> None:
    """The person leaves the clinic: their account, progress and certificates stay theirs;
    the clinic sees none of it from now on. Their personal assignments go with them."""
    if member.manages and len(queries.members(clinic.id, ClinicRole.MANAGER)) == 1:
        raise ClinicError("A clinic needs a manager: add another one before removing the last.")
    personal = select(Assignment.id).where(Assignment.clinic_id == clinic.id,
                                           Assignment.user_id == member.user_id)
    db.session.execute(delete(AssignmentNotice).where(
        AssignmentNotice.assignment_id.in_(personal)))
    db.session.execute(delete(Assignment).where(Assignment.id.in_(personal)))
    db.session.delete(member)
    audit.record("clinic.member_removed", at=runtime.clock(), actor_id=actor.id,
                 subject=subject_of(clinic), user_id=member.user_id, role=member.role.value)
