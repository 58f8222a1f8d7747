"""Sessions the server can end: started at login, ended at logout, and all at once when a
password is changed or reset or an account is deactivated. Failed logins are recorded too.
Each public function is one transaction."""
from __future__ import annotations

import secrets

from sqlalchemy import update

from .. import audit
from ..database import db, transaction
from ..runtime import Runtime
from .models import User, UserSession
from .passwords import hash_password, needs_rehash
from .queries import token_hash, user_by_typed_email


@transaction
def start_session(runtime: Runtime, user: User, *, remember: bool, address: str,
                  password: str | None = None) -> str:
    """A new session for `user`; returns the token its cookie carries. With the password
    just checked, a hash made the old way is made again the current way."""
    token, now = secrets.token_urlsafe(32), runtime.clock()
    db.session.add(UserSession(token_hash=token_hash(token), user_id=user.id,
                               remember=remember, created_at=now, address=address[:64]))
    runtime.live_sessions.started(token_hash(token), user.id,
                                  runtime.settings.session_lifetime)
    method = runtime.settings.password_hash_method
    if password is not None and needs_rehash(user.password_hash, method):
        user.password_hash = hash_password(password, method)
        audit.record("user.password_rehashed", at=now, actor_id=user.id,
                     subject=f"user:{user.id}")
    audit.record("user.login", at=now, actor_id=user.id, subject=f"user:{user.id}",
                 address=address[:64], remember=remember)
    user.session_token = token
    return token


@transaction
def end_session(runtime: Runtime, user: User, address: str) -> None:
    """Log out: the cookie's session ends here, for every copy of the cookie."""
    now = runtime.clock()
    if user.session_token:
        ended = token_hash(user.session_token)
        runtime.live_sessions.ended([ended])
        db.session.execute(update(UserSession)
                           .where(UserSession.token_hash == ended,
                                  UserSession.ended_at.is_(None))
                           .values(ended_at=now))
    audit.record("user.logout", at=now, actor_id=user.id, subject=f"user:{user.id}",
                 address=address[:64])


@transaction
def record_failed_login(runtime: Runtime, email: str, address: str) -> None:
    """A wrong e-mail address or password. The row names the account (by id) if one uses
    the address, never the password typed."""
    user = user_by_typed_email(email)
    audit.record("user.login_failed", at=runtime.clock(),
                 actor_id=user.id if user else None,
                 subject=f"user:{user.id}" if user else "", address=address[:64])


def end_all_sessions(runtime: Runtime, user: User) -> None:
    """Inside a caller's transaction: every session of `user` ends."""
    ended = db.session.scalars(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=runtime.clock()).returning(UserSession.token_hash))
    runtime.live_sessions.ended(list(ended))
