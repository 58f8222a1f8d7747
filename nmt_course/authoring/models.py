"""Who may write a course, and the draft they write in."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, db, utcnow


class CourseMaintainer(db.Model):
    """An instructor who may edit a course besides its owner."""

    __tablename__ = "course_maintainers"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CourseDraft(db.Model):
    """Every browser edit of a course, held as the course's files until it is published or
    discarded; learners keep seeing the published course meanwhile."""

    __tablename__ = "course_drafts"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), primary_key=True)
    files: Mapped[dict[str, str]] = mapped_column(JSON)  # {"lessons/<course>/...": text}
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
