"""Database models. Times are stored in UTC; nothing learners did is ever deleted."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, Numeric,
                        String, Text, UniqueConstraint, text)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship
from sqlalchemy.types import DateTime, TypeDecorator

from . import codes
from .extensions import db


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: the same on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use an aware UTC datetime")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=dt.timezone.utc)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    legal_name: Mapped[str] = mapped_column(String(200))
    licence_number: Mapped[str | None] = mapped_column(String(64))
    licence_state: Mapped[str | None] = mapped_column(String(64))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_instructor: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the login cookie: bumping it (password reset) ends every other session.
    auth_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def get_id(self) -> str:
        return f"{self.id}:{self.auth_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_licence(self) -> bool:
        return bool(self.licence_number and self.licence_number.strip())


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


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
    status: Mapped[str] = mapped_column(String(20))
    approval_number: Mapped[str] = mapped_column(String(100), default="")
    requires_licence: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Hash of the files last imported: an unchanged re-import touches nothing.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    edited_in_browser_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="Lesson.position")

    @property
    def is_published(self) -> bool:
        return self.status == "published"


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
    # A lesson removed from the files is archived, so read marks and attempts stay readable.
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship(back_populates="lessons")
    quiz: Mapped[Quiz | None] = relationship(back_populates="lesson", uselist=False)


class Quiz(db.Model):
    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), unique=True)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    lesson: Mapped[Lesson] = relationship(back_populates="quiz")
    versions: Mapped[list[QuizVersion]] = relationship(
        back_populates="quiz", order_by="QuizVersion.number")


class QuizVersion(db.Model):
    """An immutable copy of a quiz as it was imported; attempts point here."""

    __tablename__ = "quiz_versions"
    __table_args__ = (UniqueConstraint("quiz_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    pass_mark: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    source: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    quiz: Mapped[Quiz] = relationship(back_populates="versions")
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position")


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("quiz_version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id"))
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    prompt_html: Mapped[str] = mapped_column(Text)
    explanation_html: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[QuizVersion] = relationship(back_populates="questions")
    choices: Mapped[list[Choice]] = relationship(
        back_populates="question", order_by="Choice.position")


class Choice(db.Model):
    __tablename__ = "choices"
    __table_args__ = (UniqueConstraint("question_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    text_html: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean)
    feedback_html: Mapped[str] = mapped_column(Text, default="")

    question: Mapped[Question] = relationship(back_populates="choices")


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"))
    read_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuizAttempt(db.Model):
    """Every submission is kept. The database allows one number per learner and quiz, one pass."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", "number"),
        Index("uq_quiz_attempts_one_pass", "user_id", "quiz_id", unique=True,
              sqlite_where=text("passed"), postgresql_where=text("passed")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id"))
    number: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    correct_count: Mapped[int] = mapped_column(Integer)
    question_count: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[QuizVersion] = relationship()


class Certificate(db.Model):
    """What was certified, copied at issue time; later edits to user or course never reach it."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    status: Mapped[str] = mapped_column(String(20), default="valid")
    legal_name: Mapped[str] = mapped_column(String(200))
    licence_number: Mapped[str | None] = mapped_column(String(64))
    licence_state: Mapped[str | None] = mapped_column(String(64))
    course_title: Mapped[str] = mapped_column(String(200))
    ce_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    course_type: Mapped[str] = mapped_column(String(20))
    approval_number: Mapped[str] = mapped_column(String(100), default="")
    provider_name: Mapped[str] = mapped_column(String(200))
    completed_on: Mapped[dt.date] = mapped_column(Date)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    @property
    def display_code(self) -> str:
        return codes.display(self.code)

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
