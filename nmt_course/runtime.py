"""What operations need from the running system, passed in as arguments: settings, a clock and
a mailer. Built once by the app factory (or by a test), so an operation runs the same from a
request, a CLI command or a background job. No Flask here."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from . import codes
from .credentials.multikey import IssuerKeys

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    """The system clock, as an aware UTC datetime."""
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str  # plain text
    html: str = ""  # the same message in the site's look (mailing/messages.py)
    # The outbox's stable Message-ID: sent again after a crash, it is the same message, so
    # the receiving server or mail program can drop the copy.
    message_id: str | None = None


class Mailer(Protocol):
    def send(self, email: Email) -> None: ...


class LiveSessionsDown(Exception):
    """The shared store of live sessions (Redis) does not answer: the table answers
    lookups meanwhile, and a new session cannot start (its page asks to try again)."""


class LiveSessions(Protocol):
    """Where the server looks up whether a session is live, beside the user_sessions table
    that records every session. `in_table`: the table's own rows answer (one read joined
    with the user); otherwise `user_id` does (Redis), unless `answering` says the store is
    away (then the table answers: accounts/live_sessions.py)."""

    in_table: bool

    def answering(self, ended_since_lifetime: Callable[[], list[str]]) -> bool: ...

    def started(self, token_hash: str, user_id: int, lifetime: dt.timedelta) -> None: ...

    def ended(self, token_hashes: list[str]) -> None: ...

    def user_id(self, token_hash: str) -> int | None: ...


class TableSessions:
    """The embedded default: the user_sessions table alone."""

    in_table = True

    def answering(self, ended_since_lifetime: Callable[[], list[str]]) -> bool:
        return True

    def started(self, token_hash: str, user_id: int, lifetime: dt.timedelta) -> None:
        pass

    def ended(self, token_hashes: list[str]) -> None:
        pass

    def user_id(self, token_hash: str) -> int | None:
        raise NotImplementedError("the table is read with the user")


@dataclass(frozen=True)
class Settings:
    site_url: str
    provider_name: str
    timezone: ZoneInfo
    password_hash_method: str
    password_reset_minutes: int
    invitation_days: int
    session_lifetime: dt.timedelta  # the longest a login lasts, however active
    support_email: str  # where people write when their account was misused; may be ""
    # Keys the quiz draw and choice order; derived from SECRET_KEY, never stored.
    order_key: bytes
    # The provider settings' first values, until an admin saves them (certificates/provider.py).
    provider_address: str = ""
    provider_email: str = ""
    provider_approval_number: str = ""
    # Account deletions are also written here, outside the database, so that restoring an
    # older backup erases those accounts again (erasure_log.py); "" keeps no such file.
    erasure_log_file: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> Settings:
        secret = str(config["SECRET_KEY"]).encode()
        return cls(
            site_url=str(config["SITE_URL"]).rstrip("/"),
            provider_name=str(config["PROVIDER_NAME"]),
            timezone=ZoneInfo(str(config["TIMEZONE"])),
            password_hash_method=str(config["PASSWORD_HASH_METHOD"]),
            password_reset_minutes=int(config["PASSWORD_RESET_MINUTES"]),
            invitation_days=int(config["INVITATION_DAYS"]),
            session_lifetime=config["REMEMBER_COOKIE_DURATION"],
            support_email=str(config.get("SUPPORT_EMAIL") or ""),
            order_key=hmac.new(secret, b"nmt-course/quiz-order", hashlib.sha256).digest(),
            provider_address=str(config.get("PROVIDER_ADDRESS") or ""),
            provider_email=str(config.get("PROVIDER_EMAIL") or config.get("SUPPORT_EMAIL")
                               or ""),
            provider_approval_number=str(config.get("PROVIDER_APPROVAL_NUMBER") or ""),
            erasure_log_file=str(config.get("ERASURE_LOG_FILE") or ""))

    def url(self, path: str) -> str:
        """An absolute link for mail and certificates: built from SITE_URL, never a request."""
        return f"{self.site_url}{path}"

    @property
    def contact(self) -> str:
        """Who to tell when something was done to an account that its owner did not do."""
        if self.support_email:
            return f"{self.provider_name} at {self.support_email}"
        return self.provider_name

    def verification_url(self, code: str) -> str:
        return self.url(f"/verify/{codes.display(code)}")

    def local_date(self, moment: dt.datetime) -> dt.date:
        """The provider's calendar day at `moment` (certificates, due dates)."""
        return moment.astimezone(self.timezone).date()


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    mailer: Mailer
    clock: Clock = utcnow
    live_sessions: LiveSessions = TableSessions()
    # The issuer's keys, read from SIGNING_KEY_FILE at start (no signing key: certificates
    # are issued unsigned and `credentials backfill` signs them later).
    issuer_keys: IssuerKeys = IssuerKeys(signing=None, public=())
