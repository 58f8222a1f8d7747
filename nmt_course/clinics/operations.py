"""Changes to clinics: creating and renaming them, inviting, accepting and removing people
(assignments and reminders: assignment_operations.py). Each public function is one
transaction; mail is rendered before it and leaves after it commits."""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..accounts.operations import AccountError, add_user
from ..accounts.queries import token_hash, user_by_email
from ..database import db, transaction
from ..mailing import outbox
from ..mailing.messages import render_email
from ..runtime import Email, Runtime
from ..text import email_address, name_problem, one_line
from . import notice_operations as notices, queries
from .compliance import AssignmentFacts, due_on
from .models import Clinic, ClinicRole, Invitation, Membership

from .roster import Invitee

MANAGER = ClinicRole.MANAGER
# Invitation mail is mail from this site with text a manager chose (the invitee's name in
# the greeting): bounded per clinic and per invitation.
INVITATIONS_PER_DAY = 500  # invitations sent or resent in any 24 hours, per clinic
RESENDS_PER_INVITATION = 3


class ClinicError(Exception):
    """A change the rules do not allow; the message says why, to the person who asked."""


class ClinicNameError(ClinicError):
    """The name is missing, too long, or another clinic's."""


class InviteeNameError(ClinicError):
    """The name given for an invitee is not a name (or is too long)."""


def subject_of(clinic: Clinic) -> str:
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
                 subject=subject_of(clinic), name=clinic.name)
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
        if _daily_room(runtime, clinic) <= 0:
            raise _daily_limit_reached(clinic)
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
                 actor_id=actor.id if actor else None, subject=subject_of(clinic),
                 user_id=user.id)
    return ManagerResult(user=user)


def rename_clinic(runtime: Runtime, actor: User, clinic: Clinic, name: str) -> None:
    _rename_clinic(runtime, actor, clinic, one_line(name))


@transaction
def _rename_clinic(runtime: Runtime, actor: User, clinic: Clinic, name: str) -> None:
    before, clinic.name = clinic.name, _checked_name(name, clinic.id)
    audit.record("clinic.renamed", at=runtime.clock(), actor_id=actor.id,
                 subject=subject_of(clinic), before=before, after=clinic.name)


# --- invitations ----------------------------------------------------------------------------

def _invitee_name(name: str) -> str:
    name = one_line(name)
    if len(name) > 200:
        raise InviteeNameError("Use at most 200 characters for the name.")
    problem = name_problem(name)
    if problem:
        raise InviteeNameError(problem)
    return name


def _daily_room(runtime: Runtime, clinic: Clinic) -> int:
    """How many more invitations the clinic may send now. The clinic's row is locked until
    the transaction ends, so two uploads at once cannot both take the last places."""
    db.session.scalar(select(Clinic.id).where(Clinic.id == clinic.id).with_for_update())
    since = runtime.clock() - dt.timedelta(days=1)
    return INVITATIONS_PER_DAY - queries.invitations_sent_since(clinic.id, since)


def _daily_limit_reached(clinic: Clinic) -> ClinicError:
    return ClinicError(f"{clinic.name} has sent {INVITATIONS_PER_DAY} invitations in the "
                       "last 24 hours, the most allowed in a day: send the rest tomorrow.")


def _valid_email(address: str) -> str:
    try:
        return email_address(address)
    except ValueError as error:
        raise ClinicError(f"'{address.strip()[:80]}' is not an e-mail address ({error}).") \
            from None


def _invite(runtime: Runtime, actor: User | None, clinic: Clinic,
            invitation: _Invitation) -> Invitation:
    email, now = invitation.email, runtime.clock()
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
                 subject=subject_of(clinic), invitation_id=row.id, role=invitation.role.value)
    outbox.queue(invitation.mail, at=now)
    return row


def invite(runtime: Runtime, actor: User, clinic: Clinic, email: str,
           name: str = "") -> Invitation:
    """Invite one person by e-mail to join the clinic's staff."""
    invitation = _prepare(runtime, clinic.name, _valid_email(email), _invitee_name(name))
    return _invite_one(runtime, actor, clinic, invitation)


@transaction
def _invite_one(runtime: Runtime, actor: User, clinic: Clinic,
                invitation: _Invitation) -> Invitation:
    if _daily_room(runtime, clinic) <= 0:
        raise _daily_limit_reached(clinic)
    return _invite(runtime, actor, clinic, invitation)


@dataclass
class BulkResult:
    invited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line N: why"


def invite_many(runtime: Runtime, actor: User, clinic: Clinic,
                invitees: Iterable[Invitee]) -> BulkResult:
    """Invite every good row of a roster (addresses normalised by the roster's reader) in one
    transaction; a row the rules refuse (already a member, already invited) is reported by
    its line, and the others go (up to the clinic's daily limit)."""
    prepared, refused = [], []
    for invitee in invitees:
        try:
            name = _invitee_name(invitee.name)
        except InviteeNameError as error:
            refused.append(f"line {invitee.line}: {error}")
            continue
        prepared.append((invitee.line, _prepare(runtime, clinic.name, invitee.email, name)))
    result = _invite_many(runtime, actor, clinic, prepared)
    result.problems = refused + result.problems
    return result


@transaction
def _invite_many(runtime: Runtime, actor: User, clinic: Clinic,
                 prepared: list[tuple[int, _Invitation]]) -> BulkResult:
    result = BulkResult()
    room = _daily_room(runtime, clinic)
    for index, (line, invitation) in enumerate(prepared):
        if len(result.invited) >= room:
            rest = len(prepared) - index - 1
            result.problems.append(f"line {line}" + (f" and the {rest} after it" if rest else "")
                                   + f": not invited. {_daily_limit_reached(clinic)}")
            break
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
    if invitation.resends >= RESENDS_PER_INVITATION:
        raise ClinicError(f"This invitation was resent {RESENDS_PER_INVITATION} times, the "
                          "most allowed: check the address with the person, then revoke it "
                          "and invite them again.")
    if _daily_room(runtime, invitation.clinic) <= 0:
        raise _daily_limit_reached(invitation.clinic)
    now = runtime.clock()
    invitation.resends += 1
    invitation.token_hash = token_hash(fresh.token)
    invitation.sent_at = now
    invitation.expires_at = now + dt.timedelta(days=runtime.settings.invitation_days)
    audit.record("clinic.invitation_resent", at=now, actor_id=actor.id,
                 subject=subject_of(invitation.clinic), invitation_id=invitation.id)
    outbox.queue(fresh.mail, at=now)


@transaction
def revoke(runtime: Runtime, actor: User, invitation: Invitation) -> None:
    if invitation.is_open:
        invitation.revoked_at = runtime.clock()
        audit.record("clinic.invitation_revoked", at=invitation.revoked_at, actor_id=actor.id,
                     subject=subject_of(invitation.clinic), invitation_id=invitation.id)


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


def _joining_mails(runtime: Runtime, token: str, name: str | None = None) -> dict[int, Email]:
    """Assignment id -> the e-mail telling the invited person of each course the whole clinic
    must complete (due as many days from today as the clinic was given), rendered before the
    transaction in which they join; none for an invitation to manage."""
    invitation = queries.invitation_by_token(token_hash(token), runtime.clock())
    if invitation is None or invitation.to_manage:
        return {}
    user = user_by_email(invitation.email)
    name = name if user is None else user.legal_name
    joined_at, timezone = runtime.clock(), runtime.settings.timezone
    return {assignment.id: notices.assignment_mail(
        runtime, to=invitation.email, name=name or invitation.legal_name,
        clinic_name=invitation.clinic.name, course=assignment.course,
        due=due_on(AssignmentFacts(assignment.course_id, assignment.due_on, False,
                                   assignment.assigned_at, joined_at, timezone)))
        for assignment in queries.assignments_of(invitation.clinic_id)
        if assignment.user_id is None}


def _join(runtime: Runtime, invitation: Invitation, user: User,
          mails: dict[int, Email]) -> Membership:
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
                 subject=subject_of(invitation.clinic), invitation_id=invitation.id,
                 role=member.role.value)
    if member.role is ClinicRole.STAFF:
        notices.queue_assignment_notices(runtime, {(assignment_id, user.id): mail for
                                                   assignment_id, mail in mails.items()})
    return member


def accept_as(runtime: Runtime, token: str, user: User) -> Membership:
    """Join the clinic with the logged-in account, which must use the invited address."""
    return _accept_as(runtime, token, user, _joining_mails(runtime, token))


@transaction
def _accept_as(runtime: Runtime, token: str, user: User, mails: dict[int, Email]) -> Membership:
    invitation = _usable_invitation(runtime, token)
    if user.email != invitation.email:
        raise ClinicError("This invitation was sent to another e-mail address.")
    return _join(runtime, invitation, user, mails)


def accept_with_new_account(runtime: Runtime, token: str, *, password: str, legal_name: str,
                            licence_number: str | None = None,
                            licence_state: str | None = None) -> User:
    """Create the account of the invited address and join the clinic with it."""
    return _accept_with_new_account(
        runtime, token, _joining_mails(runtime, token, one_line(legal_name)),
        password=password, legal_name=legal_name, licence_number=licence_number,
        licence_state=licence_state)


@transaction
def _accept_with_new_account(runtime: Runtime, token: str, mails: dict[int, Email], *,
                             password: str, legal_name: str, licence_number: str | None,
                             licence_state: str | None) -> User:
    invitation = _usable_invitation(runtime, token)
    if user_by_email(invitation.email) is not None:
        raise EmailTakenMeanwhile("An account with this e-mail address exists: log in to "
                                  "accept.")
    user = add_user(runtime, email=invitation.email, password=password, legal_name=legal_name,
                    licence_number=licence_number, licence_state=licence_state)
    _join(runtime, invitation, user, mails)
    return user
