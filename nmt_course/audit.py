"""The audit log: who did what, and when. Rows are added inside the caller's transaction."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .database import UTCDateTime, db, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The person the event was about, when it names one (the learner whose certificate was
    # revoked, the member removed): the log's person filter finds them too.
    # By id only, like the details: no constraint ties the log to the users table.
    affected_id: Mapped[int | None] = mapped_column(Integer, index=True)


def affected_person(subject: str, details: dict[str, Any]) -> int | None:
    """Whom an event is about: the user its subject names ("user:12"), else the user its
    details name (user_id, user)."""
    kind, _, number = subject.partition(":")
    if kind == "user" and number.isdigit():
        return int(number)
    named = details.get("user_id", details.get("user"))
    return named if isinstance(named, int) and not isinstance(named, bool) else None


def record(action: str, *, at: dt.datetime, actor_id: int | None = None, subject: str = "",
           **details: Any) -> None:
    """Add an audit row to the open write transaction."""
    db.session.add(AuditEvent(at=at, actor_id=actor_id, action=action, subject=subject,
                              details=details, affected_id=affected_person(subject, details)))
