"""People: accounts, their sessions, password-reset links and e-mail changes."""
from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    legal_name: Mapped[str] = mapped_column(String(200))
    # For sorting lists by family name (a legal name's order differs between cultures); the
    # learner may correct it in their account.
    family_name: Mapped[str] = mapped_column(String(200), default="")
    licence_number: Mapped[str | None] = mapped_column(String(64))
    licence_state: Mapped[str | None] = mapped_column(String(64))
    # Whether the licence number goes into the learner's digital credentials (off unless
    # they choose it: a credential travels further than the printed certificate).
    licence_in_credentials: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_instructor: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A clinic manager's weekly digest (clinics remind, on Mondays); they may turn it off.
    clinic_digest: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the person deleted their account: its personal data is erased, the row stays
    # (as "Deleted account") for the certificates and evidence kept for the retention period.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    # The token of the session this request runs in (a str; not a column): set at login and
    # by the loader.
    session_token = None

    def get_id(self) -> str:
        """What the signed cookie holds: the account and its live session's token."""
        if not self.session_token:
            raise RuntimeError("log in through accounts.operations.start_session")
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_licence(self) -> bool:
        return bool(self.licence_number and self.licence_number.strip())


class AccountErasure(db.Model):
    """The erasure log: one row per deleted account, kept for good. It holds no personal
    data, only a SHA-256 of the normalised e-mail address, so that deletions can be applied
    again to a database restored from a backup made before them."""

    __tablename__ = "account_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(index=True)  # not a foreign key: it outlives rows
    email_sha256: Mapped[str] = mapped_column(String(64))
    erased_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class UserSession(db.Model):
    """A login the server can end: the cookie carries its random token, the table its hash.
    Written at login and logout and when a password or an account changes; read once per
    request with the user, never written on an ordinary page."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Where it began, for the audit log and the person's own list of sessions.
    address: Mapped[str] = mapped_column(String(64), default="")


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class EmailChangeToken(db.Model):
    """A new address waiting to be confirmed from its own mailbox (the link holds the token,
    the table its hash)."""

    __tablename__ = "email_change_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    new_email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
