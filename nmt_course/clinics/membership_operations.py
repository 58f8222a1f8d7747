"""Membership changes after joining: a manager taking the staff's courses, and leaving."""
from __future__ import annotations

from .. import audit
from ..accounts.models import User
from ..database import db, transaction
from ..runtime import Email, Runtime
from . import notice_operations as notices, queries
from .compliance import AssignmentFacts, due_on
from .models import Clinic, ClinicRole, Leaver, Membership
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
    """The person leaves the clinic: the membership ends, the records do not. A staff
    member's training stays in the report under Former staff (what they completed while on
    the staff, and when they left), and their own assignments are kept for a return."""
    if member.manages and len(queries.members(clinic.id, ClinicRole.MANAGER)) == 1:
        raise ClinicError("A clinic needs a manager: add another one before removing the last.")
    if not member.manages:
        leaver = queries.leaver(clinic.id, member.user_id)
        if leaver is None:
            leaver = Leaver(clinic_id=clinic.id, user_id=member.user_id)
            db.session.add(leaver)
        leaver.joined_at, leaver.left_at = member.joined_at, runtime.clock()
        leaver.returned_at = None
    db.session.delete(member)
    audit.record("clinic.member_removed", at=runtime.clock(), actor_id=actor.id,
                 subject=subject_of(clinic), user_id=member.user_id, role=member.role.value)
