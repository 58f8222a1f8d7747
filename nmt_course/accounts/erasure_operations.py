"""Erasing an account's personal data when its owner deletes it, and the erasure log.

`erase_account` runs inside the caller's transaction (learning.account_operations
.delete_account, which also clears what other features keep). The row in `users` stays, as
"Deleted account", because certificates, quiz attempts and clinic records point at it.

The erasure log (`account_erasures`, kept for good) has one row per deleted account: its id,
a SHA-256 of its normalised e-mail address, and when. It holds no personal data. After a
database is restored from a backup made before some deletions, `erasures()` lists them so
that they can be applied again (learning.account_operations.reapply_erasure). The same
entries also go to a file outside the database (erasure_log.py), which a restore reads."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, update

from .. import audit, erasure_log
from ..database import db
from ..mailing.models import OutboxMessage
from ..runtime import Runtime
from ..text import email_address
from .models import AccountErasure, EmailChangeToken, PasswordResetToken, User, UserSession
from .session_operations import end_all_sessions

DELETED_NAME = "Deleted account"
UNUSABLE_PASSWORD = "!"  # matches no password: neither argon2 nor werkzeug accepts it


def email_sha256(email: str) -> str:
    """The hash the erasure log keeps: SHA-256 of the address as stored (normalised)."""
    try:
        normalised = email_address(email)
    except ValueError:
        normalised = email.strip().lower()
    return erasure_log.email_digest(normalised)


def log_erasure(user_id: int, email: str, at: dt.datetime) -> AccountErasure:
    """Append a deletion to the erasure log (inside the deleting transaction)."""
    row = AccountErasure(user_id=user_id, email_sha256=email_sha256(email), erased_at=at)
    db.session.add(row)
    return row


def erase_account(runtime: Runtime, user: User, at: dt.datetime) -> None:
    """Inside the caller's transaction: log the erasure, end every session, spend and remove
    every link sent, drop mail waiting for or sent to the address, and blank the account's
    personal data (name, e-mail, licence, password, roles). Audited, without the address."""
    log_erasure(user.id, user.email, at)
    end_all_sessions(runtime, user)
    address = user.email
    for model in (UserSession, PasswordResetToken, EmailChangeToken):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.to == address))
    db.session.execute(update(User).where(User.id == user.id).values(
        email=f"deleted-{user.id}@deleted.invalid", password_hash=UNUSABLE_PASSWORD,
        legal_name=DELETED_NAME, family_name="", licence_number=None, licence_state=None,
        licence_in_credentials=False, is_admin=False, is_instructor=False, active=False,
        clinic_digest=False, deleted_at=at))
    audit.record("user.deleted", at=at, actor_id=user.id, subject=f"user:{user.id}")
