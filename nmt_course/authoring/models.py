"""Who may write a course, and the draft they write in."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import EnumValue, UTCDateTime, db, utcnow


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


class RevisionKind(enum.Enum):
    """What made a revision of a course's files."""

    CREATED = "created"  # the course was created in the browser
    BASELINE = "baseline"  # the published files, as the first browser edit found them
    SAVED = "saved"  # an edit saved into the draft
    RESTORED = "restored"  # a part brought back from an earlier revision
    DISCARDED = "discarded"  # the draft, or a part of it, set back to the published files
    PUBLISHED = "published"  # the draft published


class DraftRevision(db.Model):
    """One state of a course's files, kept for good: every save into the draft, every
    publication, restore and discard adds one, numbered 1, 2, ... per course. The files are
    held as {path: hash of its text} (`manifest`), the texts once each in `draft_texts`, so
    that a save of one lesson stores one new text. Nothing a user does deletes a revision:
    deleting a never-published course detaches its revisions (`course_id` empty) and keeps
    them, with the course's address."""

    __tablename__ = "draft_revisions"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[RevisionKind] = mapped_column(EnumValue(RevisionKind))
    summary: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    manifest: Mapped[dict[str, str]] = mapped_column(JSON)  # {path: sha256 of its text}

    author = relationship("User", lazy="joined")


class DraftText(db.Model):
    """A file's text, stored once by its SHA-256 for every revision that holds it."""

    __tablename__ = "draft_texts"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
