"""Changes to accounts. Each public function is one transaction (mail leaves after it)."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select, update

from .. import audit
from ..database import db, transaction
from ..mailing import outbox
from ..mailing.messages import render_email
from ..runtime import Email, Runtime
from ..text import email_address, one_line
from .models import EmailChangeToken, PasswordResetToken, User
from .passwords import check_password, hash_password, password_problem
from .session_operations import end_all_sessions
from .queries import (token_hash, user_by_email, user_by_typed_email, valid_email_change,
                      valid_reset_token)


class AccountError(Exception):
    """A request the rules do not allow; its message is shown to the person who made it."""


class EmailTaken(AccountError):
    pass


class InvalidResetLink(AccountError):
    pass


class InvalidEmailChangeLink(AccountError):
    pass


class WrongPassword(AccountError):
    pass


def _clean(value: str | None) -> str | None:
    return one_line(value) or None


def _address(typed: str) -> str:
    try:
        return email_address(typed)
    except ValueError:
        raise AccountError("Enter an e-mail address such as name@example.com.") from None


@transaction
def create_user(runtime: Runtime, **fields) -> User:
    """A new account (see add_user for the fields)."""
    return add_user(runtime, **fields)


def family_name_of(legal_name: str) -> str:
    """A first guess at the family name: the last word of the legal name."""
    words = legal_name.split()
    return words[-1] if words else ""


def add_user(runtime: Runtime, *, email: str, password: str, legal_name: str,
             licence_number: str | None = None, licence_state: str | None = None,
             is_admin: bool = False, is_instructor: bool = False) -> User:
    """create_user's work inside a transaction already open: for operations that create an
    account as part of a larger change (accepting a clinic's invitation)."""
    email = _address(email)
    legal_name = one_line(legal_name)
    if not legal_name:
        raise AccountError("Enter your legal name.")
    if user_by_email(email) is not None:
        raise EmailTaken("An account with this e-mail address already exists.")
    problem = password_problem(password, (email, legal_name))
    if problem:
        raise AccountError(problem)
    now = runtime.clock()
    user = User(email=email,
                password_hash=hash_password(password, runtime.settings.password_hash_method),
                legal_name=legal_name, family_name=family_name_of(legal_name),
                licence_number=_clean(licence_number),
                licence_state=_clean(licence_state), is_admin=is_admin,
                is_instructor=is_instructor, created_at=now)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", at=now, actor_id=user.id, subject=f"user:{user.id}",
                 admin=is_admin, instructor=is_instructor)
    return user


@transaction
def update_account(runtime: Runtime, user: User, *, legal_name: str,
                   licence_number: str | None, licence_state: str | None,
                   licence_in_credentials: bool = False, family_name: str | None = None) -> bool:
    """Save account details; True when they add a licence number the account had not (a
    course may have waited only for it: learning.operations.complete_waiting_courses)."""
    had_licence = user.has_licence
    if not one_line(legal_name):
        raise AccountError("Enter your legal name.")
    user.legal_name = one_line(legal_name)
    if family_name is not None and len(one_line(family_name)) > 200:
        raise AccountError("Use at most 200 characters for the family name.")
    if family_name is not None:
        user.family_name = one_line(family_name) or family_name_of(user.legal_name)
    user.licence_number = _clean(licence_number)
    user.licence_state = _clean(licence_state)
    user.licence_in_credentials = bool(licence_in_credentials)
    audit.record("user.updated", at=runtime.clock(), actor_id=user.id,
                 subject=f"user:{user.id}")
    return user.has_licence and not had_licence


@transaction
def set_clinic_digest(runtime: Runtime, user: User, wanted: bool) -> None:
    """Turn a clinic manager's weekly digest on or off."""
    if user.clinic_digest != wanted:
        user.clinic_digest = wanted
        audit.record("user.updated", at=runtime.clock(), actor_id=user.id,
                     subject=f"user:{user.id}", clinic_digest=wanted)


def change_password(runtime: Runtime, user: User, current_password: str,
                    new_password: str) -> None:
    _change_password(runtime, user, current_password, new_password,
                     _password_notice(runtime, user))


@transaction
def _change_password(runtime: Runtime, user: User, current_password: str,
                     new_password: str, notice: Email) -> None:
    if not check_password(user.password_hash, current_password):
        raise AccountError("Your current password is not correct.")
    _set_password(runtime, user, new_password, notice)
    audit.record("user.password_changed", at=runtime.clock(), actor_id=user.id,
                 subject=f"user:{user.id}")


def _password_notice(runtime: Runtime, user: User) -> Email:
    return render_email("password_changed", to=user.email, settings=runtime.settings,
                        name=user.legal_name)


def _set_password(runtime: Runtime, user: User, password: str, notice: Email) -> None:
    problem = password_problem(password, (user.email, user.legal_name))
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password, runtime.settings.password_hash_method)
    end_all_sessions(runtime, user)  # a new one starts for the person who changed it
    outbox.queue(notice, at=runtime.clock())


def request_password_reset(runtime: Runtime, email: str) -> None:
    """Queue a single-use link to the account's address if it exists; say nothing either way.
    Both ways render the mail and write (an audit row), and the mail leaves after the
    commit, so neither the answer nor its timing tells whether the account exists."""
    user = user_by_typed_email(email)
    known = user if user is not None and user.active else None
    token, settings = secrets.token_urlsafe(32), runtime.settings
    mail = render_email("password_reset", to=known.email if known else "", settings=settings,
                        name=known.legal_name if known else "",
                        minutes=settings.password_reset_minutes,
                        link=settings.url(f"/reset-password/{token}"))
    _record_reset_request(runtime, known, token, mail)


@transaction
def _record_reset_request(runtime: Runtime, user: User | None, token: str,
                          mail: Email) -> None:
    now = runtime.clock()
    if user is None:
        audit.record("user.password_reset_requested", at=now, known=False)
        return
    minutes = runtime.settings.password_reset_minutes
    db.session.add(PasswordResetToken(user_id=user.id, token_hash=token_hash(token),
                                      created_at=now,
                                      expires_at=now + dt.timedelta(minutes=minutes)))
    audit.record("user.password_reset_requested", at=now, actor_id=user.id,
                 subject=f"user:{user.id}", known=True)
    outbox.queue(mail, at=now)


def reset_password(runtime: Runtime, token: str, new_password: str) -> User:
    reset = valid_reset_token(runtime, token)  # read first, to address the notice
    if reset is None:
        raise InvalidResetLink("This reset link has expired or was already used. "
                               "Ask for a new one.")
    return _reset_password(runtime, token, new_password,
                           _password_notice(runtime, reset.user))


@transaction
def _reset_password(runtime: Runtime, token: str, new_password: str, notice: Email) -> User:
    reset = valid_reset_token(runtime, token)
    if reset is None:
        raise InvalidResetLink("This reset link has expired or was already used. "
                               "Ask for a new one.")
    # Spend the token with a guarded UPDATE, so two concurrent uses cannot both succeed.
    now = runtime.clock()
    spent = db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == reset.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now))
    if spent.rowcount != 1:
        raise InvalidResetLink("This reset link was already used. Ask for a new one.")
    _spend_links(PasswordResetToken, reset.user_id, now)  # any other link sent stops too
    user = reset.user
    _set_password(runtime, user, new_password, notice)
    audit.record("user.password_reset", at=now, actor_id=user.id, subject=f"user:{user.id}")
    return user


def _as_active_admin(actor: User, user: User) -> User:
    """Inside an admin's change of `user`: the active admins' rows are locked (in id order)
    and read as stored now, so two admins changing each other at once go one after the
    other. The actor must still be an active admin; as nobody removes their own admin role
    or account, the actor is one after the change too, so no change leaves the site without
    an active admin. Returns `user` as stored now."""
    admins = set(db.session.scalars(
        select(User.id).where(User.is_admin, User.active).order_by(User.id).with_for_update()))
    if actor.id not in admins:
        raise AccountError("You are no longer an active admin, so nothing was changed.")
    return db.session.scalar(select(User).where(User.id == user.id).with_for_update()
                             .execution_options(populate_existing=True))


@transaction
def set_roles(runtime: Runtime, actor: User, user: User, *, instructor: bool,
              admin: bool) -> None:
    """Grant or remove the instructor and admin flags (an admin keeps their own)."""
    if user.id == actor.id and not admin:
        raise AccountError("You cannot remove your own admin role; ask another admin.")
    user = _as_active_admin(actor, user)
    before = {"instructor": user.is_instructor, "admin": user.is_admin}
    user.is_instructor, user.is_admin = instructor, admin
    audit.record("user.roles_changed", at=runtime.clock(), actor_id=actor.id,
                 subject=f"user:{user.id}", before=before,
                 after={"instructor": instructor, "admin": admin})


@transaction
def set_active(runtime: Runtime, actor: User, user: User, active: bool) -> None:
    """Deactivate an account (it cannot log in, and its sessions end) or reactivate it."""
    if user.id == actor.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    user = _as_active_admin(actor, user)
    if user.active == active:
        return
    user.active = active
    if not active:
        end_all_sessions(runtime, user)
    audit.record("user.activated" if active else "user.deactivated", at=runtime.clock(),
                 actor_id=actor.id, subject=f"user:{user.id}")


@transaction
def correct_legal_name(runtime: Runtime, actor: User, user: User, *, legal_name: str,
                       reason: str) -> None:
    """Correct the name future certificates print, recording who changed it and why."""
    legal_name, reason = one_line(legal_name), one_line(reason)
    if not legal_name or not reason:
        raise AccountError("Give the corrected name and the reason for the change.")
    before = user.legal_name
    user.legal_name = legal_name
    audit.record("user.legal_name_corrected", at=runtime.clock(), actor_id=actor.id,
                 subject=f"user:{user.id}", before=before, after=legal_name, reason=reason)


EMAIL_CHANGE_HOURS = 24


def request_email_change(runtime: Runtime, user: User, new_email: str, password: str) -> str:
    """Queue a link to the new address; the account keeps its address until that link is
    opened by this person, so nobody can move an account to a mailbox they do not hold.
    Returns the new address as it will be stored."""
    new_email, token = _address(new_email), secrets.token_urlsafe(32)
    settings = runtime.settings
    mail = render_email("email_change_confirm", to=new_email, settings=settings,
                        name=user.legal_name, current_email=user.email,
                        hours=EMAIL_CHANGE_HOURS, link=settings.url(f"/account/email/{token}"))
    _request_email_change(runtime, user, new_email, password, token, mail)
    return new_email


@transaction
def _request_email_change(runtime: Runtime, user: User, new_email: str, password: str,
                          token: str, mail: Email) -> None:
    if not check_password(user.password_hash, password):
        raise WrongPassword("Your current password is not correct.")
    if new_email == user.email:
        raise AccountError("That is already your e-mail address.")
    if user_by_email(new_email) is not None:
        raise EmailTaken("Another account uses that e-mail address.")
    now = runtime.clock()
    _spend_links(EmailChangeToken, user.id, now)  # only the newest request's link works
    db.session.add(EmailChangeToken(
        user_id=user.id, new_email=new_email, token_hash=token_hash(token), created_at=now,
        expires_at=now + dt.timedelta(hours=EMAIL_CHANGE_HOURS)))
    audit.record("user.email_change_requested", at=now, actor_id=user.id,
                 subject=f"user:{user.id}")
    outbox.queue(mail, at=now)


def confirm_email_change(runtime: Runtime, user: User, token: str) -> str:
    """Move the account to the confirmed address and tell the old one; returns the new
    address. Every other link waiting for this account stops working."""
    change = _usable_change(runtime, user, token)  # read first, to write the notice
    notice = render_email("email_changed", to=user.email, settings=runtime.settings,
                          name=user.legal_name, masked_email=_masked(change.new_email))
    return _confirm_email_change(runtime, user, token, notice)


def _usable_change(runtime: Runtime, user: User, token: str) -> EmailChangeToken:
    change = valid_email_change(runtime, user.id, token)
    if change is None:
        raise InvalidEmailChangeLink("This confirmation link has expired or was already "
                                     "used. Ask for a new one from your account page.")
    return change


@transaction
def _confirm_email_change(runtime: Runtime, user: User, token: str, notice: Email) -> str:
    change = _usable_change(runtime, user, token)
    holder = user_by_email(change.new_email)
    if holder is not None and holder.id != user.id:
        raise EmailTaken("Another account has started using that e-mail address since you "
                         "asked. Choose another one.")
    # Spending the links is the guard: of two uses at once, the second finds none to spend.
    now = runtime.clock()
    if _spend_links(EmailChangeToken, user.id, now) == 0:
        raise InvalidEmailChangeLink("This confirmation link was already used.")
    user.email = change.new_email
    audit.record("user.email_changed", at=now, actor_id=user.id, subject=f"user:{user.id}")
    outbox.queue(notice, at=now)
    return user.email


def _spend_links(model: type[PasswordResetToken] | type[EmailChangeToken], user_id: int,
                 now: dt.datetime) -> int:
    """Mark every unused link of this kind sent to `user_id` used; returns how many were."""
    return db.session.execute(update(model)
                              .where(model.user_id == user_id, model.used_at.is_(None))
                              .values(used_at=now)).rowcount


def _masked(email: str) -> str:
    """Enough of an address for its owner to recognise it, not enough to harvest it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"

