"""Reads about accounts."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib

from sqlalchemy import bindparam, func, or_, select

from ..database import db
from ..runtime import LiveSessionsDown, Runtime
from ..text import email_address
from .models import AccountErasure, EmailChangeToken, PasswordResetToken, User, UserSession
from .passwords import check_password, spend_equal_time


def user_by_email(address: str) -> User | None:
    """The account with this address, normalised as accounts store it (text.email_address)."""
    return db.session.scalar(select(User).where(User.email == address))


def user_by_typed_email(typed: str) -> User | None:
    """The account a person means by what they typed; None if it is not an address."""
    try:
        return user_by_email(email_address(typed))
    except ValueError:
        return None


SEARCH_LIMIT = 50  # accounts a search shows


def search_users(text: str) -> list[User]:
    """The first SEARCH_LIMIT accounts whose name or e-mail contains `text` (all of them
    when it is empty)."""
    query = select(User).order_by(User.legal_name, User.id).limit(SEARCH_LIMIT)
    text = text.strip()
    if text:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        query = query.where(or_(func.lower(User.legal_name).like(pattern, escape="\\"),
                                User.email.like(pattern, escape="\\")))
    return list(db.session.scalars(query))


def user_for_session(runtime: Runtime, session_id: str) -> User | None:
    """Flask-Login's loader, in one indexed read: the cookie holds 'id:token'; a session that
    ended (logout, a password change or reset, deactivation) or outlived its lifetime, or a
    deactivated account, loads nobody, whichever app process answers."""
    ident, _, token = session_id.partition(":")
    if not ident.isdigit() or not token or len(ident) > 10:
        return None
    live, hashed = runtime.live_sessions, token_hash(token)
    parameters = {"id": int(ident)}
    in_table = live.in_table or not live.answering(lambda: ended_session_hashes(runtime))
    if not in_table:
        try:
            if live.user_id(hashed) != int(ident):
                return None  # Redis keeps a session for its lifetime, then forgets it
        except LiveSessionsDown:
            in_table = True  # the table is the authority while Redis is away
    if in_table:
        parameters.update(token_hash=hashed,
                          born_after=runtime.clock() - runtime.settings.session_lifetime)
    user = db.session.scalar(_session_user_statement(in_table), parameters)
    if user is not None:
        user.session_token = token
    return user


@functools.cache
def _session_user_statement(in_table: bool):
    """The loader's statement, built once (every request of a logged-in person runs it)."""
    query = select(User).where(User.id == bindparam("id"), User.active)
    if in_table:
        query = query.join(UserSession, UserSession.user_id == User.id).where(
            UserSession.token_hash == bindparam("token_hash"), UserSession.ended_at.is_(None),
            UserSession.created_at > bindparam("born_after", type_=UserSession.created_at.type))
    return query


def ended_session_hashes(runtime: Runtime) -> list[str]:
    """Every session that ended while it could still be live (within the sessions' lifetime):
    what Redis must forget before it is trusted again after an outage."""
    born_after = runtime.clock() - runtime.settings.session_lifetime
    return list(db.session.scalars(select(UserSession.token_hash).where(
        UserSession.ended_at.is_not(None), UserSession.created_at > born_after)))


def authenticate(runtime: Runtime, email: str, password: str) -> User | None:
    """The active account with this e-mail (as typed) and password, or None."""
    user = user_by_typed_email(email)
    method = runtime.settings.password_hash_method
    if user is None or not user.active:
        spend_equal_time(password, method)
        return None
    return user if check_password(user.password_hash, password) else None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def valid_reset_token(runtime: Runtime, token: str) -> PasswordResetToken | None:
    reset = db.session.scalar(select(PasswordResetToken).where(
        PasswordResetToken.token_hash == token_hash(token)))
    return _usable(runtime, reset)


def valid_email_change(runtime: Runtime, user_id: int, token: str) -> EmailChangeToken | None:
    """The unused, unexpired change this link confirms, if it is `user_id`'s."""
    change = db.session.scalar(select(EmailChangeToken).where(
        EmailChangeToken.token_hash == token_hash(token), EmailChangeToken.user_id == user_id))
    return _usable(runtime, change)


def _usable(runtime: Runtime, link):
    """An e-mailed link's row, if it is neither used nor expired."""
    if link is None or link.used_at is not None or link.expires_at <= runtime.clock():
        return None
    return link


def pending_email_change(runtime: Runtime, user_id: int) -> EmailChangeToken | None:
    """The newest change still waiting for its confirmation, to remind the person of it."""
    return db.session.scalar(
        select(EmailChangeToken)
        .where(EmailChangeToken.user_id == user_id, EmailChangeToken.used_at.is_(None),
               EmailChangeToken.expires_at > runtime.clock())
        .order_by(EmailChangeToken.id.desc()).limit(1))


def admin_addresses() -> list[tuple[str, str]]:
    """(e-mail, legal name) of every active admin: who hears of requests only they answer."""
    return [tuple(row) for row in db.session.execute(
        select(User.email, User.legal_name).where(User.is_admin, User.active)
        .order_by(User.id))]


def erasures() -> list[tuple[int, str, dt.datetime]]:
    """The erasure log, oldest first: (user id, SHA-256 of the e-mail address, when), for
    applying deletions again after a restore (learning.account_operations.reapply_erasures)."""
    return [tuple(row) for row in db.session.execute(
        select(AccountErasure.user_id, AccountErasure.email_sha256, AccountErasure.erased_at)
        .order_by(AccountErasure.id))]
