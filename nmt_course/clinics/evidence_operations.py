"""Telling staff who joined a clinic before its managers could see their certificates that
they now can: one e-mail each, and from then on the managers see the evidence. Each public
function is one transaction; mail is rendered before it and leaves after it commits."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..database import db, transaction
from ..mailing import outbox
from ..mailing.messages import render_email
from ..runtime import Email, Runtime
from .models import Clinic, ClinicRole, Membership


def _untold() -> list[tuple[int, str, str, str]]:
    """(membership id, address, name, clinic) of staff not told yet."""
    return [tuple(row) for row in db.session.execute(
        select(Membership.id, User.email, User.legal_name, Clinic.name)
        .join(User, User.id == Membership.user_id).join(Clinic, Clinic.id == Membership.clinic_id)
        .where(Membership.role == ClinicRole.STAFF, Membership.evidence_notice_at.is_(None),
               User.active)
        .order_by(Membership.id))]


def tell_staff(runtime: Runtime) -> int:
    """E-mail every staff member not told yet that their clinic's managers now see their
    certificates, licence number and state and CE hours for the courses it assigns; how
    many were queued."""
    settings = runtime.settings
    mails = [(member_id, render_email(
        "clinic_evidence_notice", to=email, settings=settings, name=name, clinic_name=clinic,
        link=settings.url("/dashboard"))) for member_id, email, name, clinic in _untold()]
    return _tell(runtime, mails) if mails else 0


@transaction
def _tell(runtime: Runtime, mails: list[tuple[int, Email]]) -> int:
    now, told = runtime.clock(), 0
    for member_id, mail in mails:
        member = db.session.get(Membership, member_id)
        if member is None or member.evidence_notice_at is not None:
            continue  # left, or told meanwhile
        member.evidence_notice_at = now
        outbox.queue(mail, at=now)
        audit.record("clinic.evidence_notice_sent", at=now, actor_id=None,
                     subject=f"clinic:{member.clinic_id}", user_id=member.user_id)
        told += 1
    return told
