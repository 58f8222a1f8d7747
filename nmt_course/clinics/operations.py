"""Changes to clinics: creating and renaming them, inviting, accepting and removing people
(assignments and reminders: assignment_operations.py). Each public function is one
transaction; mail is rendered before it and leaves after it commits."""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import audit
from ..accounts.models import User
from ..accounts.operations import AccountError, add_user
from ..accounts.queries import token_hash, user_by_email
from ..database import db, transaction
from ..mailing import outbox
from ..mailing.messages import render_email
from ..runtime import Email, Runtime
from ..text import email_address, one_line
from . import queries
from .models import Clinic, ClinicRole, Invitation, Leaver, Membership

MANAGER = ClinicRole.MANAGER
from .roster import Invitee


class ClinicError(Exception):
    """A change the rules do not allow; the message says why, to the person who asked."""


class ClinicNameError(ClinicError):
    """The name is missing, too long, or another clinic's."""


def _subject(clinic: Clinic) -> str:
    return f"clinic:{clinic.id}"


def _checked_name(name: str, clinic_id: int | None = None) -> str:
    """`name` (one_line'd already) if it may name a clinic."""
    if not name:
        raise ClinicNameError("Give the clinic a name.")
    if len(name) > 200:
        raise ClinicNameError("Use at most 200 characters for the name.")
    same = queries.clinic_named(name)
    if same is not None and same.id != clinic_id:
        raise ClinicNameError(f"There is already a clinic called {same.name}: give this one a "
                              "name that tells them apart (its town, say).")
    return name


@dataclass(frozen=True)
class _Invitation:
    """An invitation's link and its e-mail, made before the transaction that stores it."""

    email: str
    name: str
    role: ClinicRole
    token: str
    mail: Email


def _prepare(runtime: Runtime, clinic_name: str, email: str, name: str = "",
             role: ClinicRole = ClinicRole.STAFF) -> _Invitation:
    token, settings = secrets.token_urlsafe(32), runtime.settings  # 256 bits
    mail = render_email("clinic_invitation", to=email, settings=settings, name=name,
                        manager=role is ClinicRole.MANAGER, clinic_name=clinic_name,
                        days=settings.invitation_days,
                        link=settings.url(f"/invitations/{token}"))
    return _Invitation(email, name, role, token, mail)


# --- clinics and managers (admins) ----------------------------------------------------------

@dataclass
class ManagerResult:
    """A manager added now (`user`), or invited because no account uses the address."""

    user: User | None = None
    invited: str | None = None


def create_clinic(runtime: Runtime, actor: User | None, name: str,
                  manager_email: str) -> tuple[Clinic, ManagerResult]:
    """A clinic with its first manager (invited, if no account uses the address)."""
    name = one_line(name)
    invitation = _prepare(runtime, name, _valid_email(manager_email), role=MANAGER)
    return _create_clinic(runtime, actor, name, invitation)


@transaction
def _create_clinic(runtime: Runtime, actor: User | None, name: str,
                   invitation: _Invitation) -> tuple[Clinic, ManagerResult]:
    clinic = Clinic(name=_checked_name(name), created_at=runtime.clock())
    db.session.add(clinic)
    db.session.flush()
    audit.record("clinic.created", at=runtime.clock(), actor_id=actor.id if actor else None,
                 subject=_subject(clinic), name=clinic.name)
    return clinic, _add_manager(runtime, actor, clinic, invitation)


def add_manager(runtime: Runtime, actor: User | None, clinic: Clinic,
                email: str) -> ManagerResult:
    """Make the account with this address a manager of the clinic; with no such account,
    invite the address to manage it."""
    invitation = _prepare(runtime, clinic.name, _valid_email(email), role=MANAGER)
    return transaction(_add_manager)(runtime, actor, clinic, invitation)


def _add_manager(runtime: Runtime, actor: User | None, clinic: Clinic,
                 invitation: _Invitation) -> ManagerResult:
    email = invitation.email
    user = user_by_email(email)
    if user is None:
        return ManagerResult(invited=_invite(runtime, actor, clinic, invitation).email)
    member = queries.membership(clinic.id, user.id)
    if member is not None and member.role is ClinicRole.MANAGER:
        raise ClinicError(f"{email} already manages {clinic.name}.")
    if member is None:
        db.session.add(Membership(clinic_id=clinic.id, user_id=user.id, role=MANAGER,
                                  joined_at=runtime.clock()))
    else:
        member.role = ClinicRole.MANAGER
    audit.record("clinic.manager_added", at=runtime.clock(),
                 actor_id=actor.id if actor else None, subject=_subject(clinic),
                 user_id=user.id)
    return ManagerResult(user=user)


def rename_clinic(runtime: Runtime, actor: User, clinic: Clinic, name: str) -> None:
    _rename_clinic(runtime, actor, clinic, one_line(name))


@transaction
def _rename_clinic(runtime: Runtime, actor: User, clinic: Clinic, name: str) -> None:
    before, clinic.name = clinic.name, _checked_name(name, clinic.id)
    audit.record("clinic.renamed", at=runtime.clock(), actor_id=actor.id,
                 subject=_subject(clinic), before=before, after=clinic.name)


# --- invitations ----------------------------------------------------------------------------

def _valid_email(address: str) -> str:
    try:
        return email_address(address)
    except ValueError as error:
        raise ClinicError(f"'{address.strip()[:80]}' is not an e-mail address ({error}).") \
            from None


def _invite(runtime: Runtime, actor: User | None, clinic: Clinic,
            invitation: _Invitation) -> Invitation:
    email, now = invitation.email, runtime.clock()
    if len(invitation.name) > 200:
        raise ClinicError("Use at most 200 characters for the name.")
    user = user_by_email(email)
    if user is not None and queries.membership(clinic.id, user.id) is not None:
        raise ClinicError(f"{email} is already a member of {clinic.name}.")
    if queries.open_invitation_for(clinic.id, email) is not None:
        raise ClinicError(f"{email} is already invited; resend the invitation from the list "
                          "if it was lost.")
    row = Invitation(
        clinic_id=clinic.id, email=email, legal_name=invitation.name, role=invitation.role,
        token_hash=token_hash(invitation.token), invited_by_id=actor.id if actor else None,
        sent_at=now, expires_at=now + dt.timedelta(days=runtime.settings.invitation_days))
    db.session.add(row)
    db.session.flush()
    audit.record("clinic.invited", at=now, actor_id=actor.id if actor else None,
                 subject=_subject(clinic), invitation_id=row.id, role=invitation.role.value)
    outbox.queue(invitation.mail, at=now)
    return row


def invite(runtime: Runtime, actor: User, clinic: Clinic, email: str,
           name: str = "") -> Invitation:
    """Invite one person by e-mail to join the clinic's staff."""
    invitation = _prepare(runtime, clinic.name, _valid_email(email), one_line(name))
    return transaction(_invite)(runtime, actor, clinic, invitation)


@dataclass
class BulkResult:
    invited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line N: why"


def invite_many(runtime: Runtime, actor: User, clinic: Clinic,
                invitees: Iterable[Invitee]) -> BulkResult:
    """Invite every good row of a roster (addresses normalised by the roster's reader) in one
    transaction; a row the rules refuse (already a member, already invited) is reported by
    its line, and the others go."""
    prepared = [(invitee.line, _prepare(runtime, clinic.name, invitee.email,
                                        one_line(invitee.name)))
                for invitee in invitees]
    return _invite_many(runtime, actor, clinic, prepared)


@transaction
def _invite_many(runtime: Runtime, actor: User, clinic: Clinic,
                 prepared: list[tuple[int, _Invitation]]) -> BulkResult:
    result = BulkResult()
    for line, invitation in prepared:
        try:
            row = _invite(runtime, actor, clinic, invitation)
        except ClinicError as error:
            result.problems.append(f"line {line}: {error}")
            continue
        result.invited.append(row.email)
    return result


def resend(runtime: Runtime, actor: User, invitation: Invitation) -> None:
    """A new link, valid for the full period again; the link sent before stops working."""
    fresh = _prepare(runtime, invitation.clinic.name, invitation.email,
                     invitation.legal_name, invitation.role)
    _resend(runtime, actor, invitation, fresh)


@transaction
def _resend(runtime: Runtime, actor: User, invitation: Invitation, fresh: _Invitation) -> None:
    if not invitation.is_open:
        raise ClinicError("This invitation was already accepted or revoked.")
    now = runtime.clock()
    invitation.token_hash = token_hash(fresh.token)
    invitation.sent_at = now
    invitation.expires_at = now + dt.timedelta(days=runtime.settings.invitation_days)
    audit.record("clinic.invitation_resent", at=now, actor_id=actor.id,
                 subject=_subject(invitation.clinic), invitation_id=invitation.id)
    outbox.queue(fresh.mail, at=now)


@transaction
def revoke(runtime: Runtime, actor: User, invitation: Invitation) -> None:
    if invitation.is_open:
        invitation.revoked_at = runtime.clock()
        audit.record("clinic.invitation_revoked", at=invitation.revoked_at, actor_id=actor.id,
                     subject=_subject(invitation.clinic), invitation_id=invitation.id)


class EmailTakenMeanwhile(AccountError):
    """The invited address got an account after the invitation was sent."""


class InvitationGone(ClinicError):
    """The link expired, was used, revoked or replaced by a newer one."""


def _usable_invitation(runtime: Runtime, token: str) -> Invitation:
    invitation = queries.invitation_by_token(token_hash(token), runtime.clock())
    if invitation is None:
        raise InvitationGone("This invitation link has expired or was already used. Ask "
                             "your clinic to send a new one.")
    return invitation


def _join(runtime: Runtime, invitation: Invitation, user: User) -> Membership:
    now = runtime.clock()
    invitation.accepted_at, invitation.accepted_by_id = now, user.id
    member = queries.membership(invitation.clinic_id, user.id)
    if member is None:
        # Staff join knowing what the managers will see (the invitation page says so).
        member = Membership(clinic_id=invitation.clinic_id, user_id=user.id,
                            role=invitation.role, joined_at=now, evidence_notice_at=now)
        leaver = queries.leaver(invitation.clinic_id, user.id)
        if leaver is not None and invitation.role is ClinicRole.STAFF:
            # Back on the staff as they were: the same day joined, so the same due dates,
            # and their own assignments, kept while they were away.
            member.joined_at, leaver.returned_at = leaver.joined_at, now
        db.session.add(member)
    elif invitation.role is ClinicRole.MANAGER:
        member.role = ClinicRole.MANAGER
    audit.record("clinic.joined", at=now, actor_id=user.id,
                 subject=_subject(invitation.clinic), invitation_id=invitation.id,
                 role=member.role.value)
    return member


@transaction
def accept_as(runtime: Runtime, token: str, user: User) -> Membership:
    """Join the clinic with the logged-in account, which must use the invited address."""
    invitation = _usable_invitation(runtime, token)
    if user.email != invitation.email:
        raise ClinicError("This invitation was sent to another e-mail address.")
    return _join(runtime, invitation, user)


@transaction
def accept_with_new_account(runtime: Runtime, token: str, *, password: str, legal_name: str,
                            licence_number: str | None = None,
                            licence_state: str | None = None) -> User:
    """Create the account of the invited address and join the clinic with it."""
    invitation = _usable_invitation(runtime, token)
    if user_by_email(invitation.email) is not None:
        raise EmailTakenMeanwhile("An account with this e-mail address exists: log in to "
                                  "accept.")
    user = add_user(runtime, email=invitation.email, password=password, legal_name=legal_name,
                    licence_number=licence_number, licence_state=licence_state)
    _join(runtime, invitation, user)
    return user


# --- members --------------------------------------------------------------------------------

@transaction
def remove_member(runtime: Runtime, actor: User, clinic: Clinic, member: Membership) -> None:
    """The person leaves the clinic: the membership ends, the records do not. A staff
    member's training stays in the report under Former staff (what they completed while on
    the staff, and when they left), and their own assignments are kept for a return."""
    if member.manages and len(queries.members(clinic.id, MANAGER)) == 1:
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
                 subject=_subject(clinic), user_id=member.user_id, role=member.role.value)
