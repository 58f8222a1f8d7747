"""Courses, their lessons, and what learners read."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, ForeignKey, Integer, LargeBinary, Numeric, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..content import CourseStatus
from ..database import EnumValue, UTCDateTime, db, utcnow


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description_markdown: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    ce_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    course_type: Mapped[str] = mapped_column(String(20))
    status: Mapped[CourseStatus] = mapped_column(EnumValue(CourseStatus))
    approval_number: Mapped[str] = mapped_column(String(100), default="")
    requires_licence: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # browser authoring
    # Hash of the files last imported: an unchanged re-import touches nothing.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # What the CE-hours estimate was made from (docs/content.md), shown on the course page.
    word_count: Mapped[int] = mapped_column(Integer, default=0)  # prose words
    questions_shown: Mapped[int] = mapped_column(Integer, default=0)
    quiz_words: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=0)
    edited_in_browser_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The published course as files ({"lessons/<course>/course.md": text, ...}), for export
    # and as the starting point of a draft. Loaded only when used: every page loads courses,
    # and decoding a whole course's text on each was most of the catalogue's time.
    source_files: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, deferred=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    lessons: Mapped[list[Lesson]] = relationship(order_by="Lesson.position")

    @property
    def is_published(self) -> bool:
        return self.status is CourseStatus.PUBLISHED

    @property
    def short_title(self) -> str:
        """The title before its subtitle ("Foundations: Principles and ..." -> "Foundations"),
        for pickers and narrow columns."""
        return self.title.split(": ", 1)[0]


class Lesson(db.Model):
    __tablename__ = "lessons"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer)
    # The least time between opening the lesson and marking it read (None: no minimum).
    min_minutes: Mapped[int | None] = mapped_column(Integer)
    # A lesson removed from the files is archived, so read marks and attempts stay readable.
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When a lesson joined a course that had already been published (None: from the start),
    # so learners who started before are told it is new.
    added_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CourseImage(db.Model):
    """An image a lesson shows, kept in the database so that every app process, backup and
    export has it. Its name carries a hash of its content, so it may be cached for good."""

    __tablename__ = "course_images"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # What the image shows, as its author described it on upload (the library shows it, and
    # the Markdown offered for a lesson carries it).
    alt: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"))
    # The learner's cycle in the course (nmt_course/cycles.py); rows from before cycles: 1.
    cycle: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    read_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # From opening the lesson to marking it read, measured on the server (None: unknown).
    seconds: Mapped[int | None] = mapped_column(Integer)


class CourseEvaluation(db.Model):
    """A learner's evaluation of a course, answered once before the certificate. Results are
    shown to authors without names; the learner is kept only so that each answers once."""

    __tablename__ = "course_evaluations"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # {lesson id: 1-5, how well its objectives were met}, for the lessons of the course then.
    objectives_met: Mapped[dict[str, int]] = mapped_column(JSON)
    content_quality: Mapped[int] = mapped_column(Integer)
    relevance: Mapped[int] = mapped_column(Integer)
    hours_matched: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CourseProgress(db.Model):
    """What a learner has done in a course, counted: a copy of their read marks and quiz
    standings that a clinic's report reads in one narrow row per person and course instead
    of aggregating every mark and standing. It counts the learner's current cycle only
    (nmt_course/cycles.py): opening a cycle counts it again, from nothing; what earlier
    cycles did is their certificates. Kept by `summary_operations.refresh` in the
    transaction of every change to those facts (a read mark, a quiz attempt, a course
    published again)."""

    __tablename__ = "course_progress"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), primary_key=True)
    plain_read: Mapped[int] = mapped_column(Integer)  # lessons without a quiz, read
    quiz_read: Mapped[int] = mapped_column(Integer)  # lessons with a quiz, read
    passed: Mapped[int] = mapped_column(Integer)  # quizzes passed
    passed_and_read: Mapped[int] = mapped_column(Integer)  # ... whose lesson is read too
    tried: Mapped[int] = mapped_column(Integer)  # quizzes tried
    # The best score of each quiz tried, as "positions|scores" in lesson order: "1 2 5|100
    # 80 40" (a report's CSV; summary_operations._scores).
    scores: Mapped[str | None] = mapped_column(Text)
    # Each quiz tried and not passed, as "quiz:best:failures:attempts ..." in any order
    # (who is struggling or out of attempts, in a report; summary_operations._unpassed).
    unpassed: Mapped[str | None] = mapped_column(Text)
