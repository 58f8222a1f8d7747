"""Quizzes: immutable versions of questions and choices, and every attempt a learner made."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (JSON, Boolean, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..content import ReviewMode
from ..database import EnumValue, UTCDateTime, db, utcnow


class Quiz(db.Model):
    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), unique=True)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


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
    draw: Mapped[int | None] = mapped_column(Integer)  # questions per attempt; None: all
    review_after_fail: Mapped[ReviewMode] = mapped_column(EnumValue(ReviewMode),
                                                          default=ReviewMode.OBJECTIVES)
    source: Mapped[dict[str, Any]] = mapped_column(JSON)  # the authored form, for export
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

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
    objective: Mapped[int | None] = mapped_column(Integer)  # 1-based, of its lesson
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


class AttemptGrant(db.Model):
    """Extra attempts given to one learner on one quiz, beyond its limit, by staff."""

    __tablename__ = "attempt_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    # The learner's cycle in the course (nmt_course/cycles.py); rows from before cycles: 1.
    cycle: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    attempts: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttemptRequest(db.Model):
    """A learner out of attempts at a quiz asks for more: open until someone grants them."""

    __tablename__ = "attempt_requests"
    # One open request per learner and quiz: asking again changes nothing.
    __table_args__ = (Index("uq_attempt_requests_open", "user_id", "quiz_id", unique=True,
                            sqlite_where=text("granted_at IS NULL"),
                            postgresql_where=text("granted_at IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class QuestionAnswer(db.Model):
    """One answered question of one attempt: what item analysis aggregates, in one query."""

    __tablename__ = "question_answers"
    # Covers the item analysis: a quiz's first answers, already in the order it groups them.
    __table_args__ = (Index("ix_question_answers_analysis", "quiz_id", "first", "question_key",
                            "key_hash", "chosen", "correct", "first_score", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id"))
    question_key: Mapped[str] = mapped_column(String(100))
    # The question's type and right answers, hashed: versions whose key is unchanged share it.
    key_hash: Mapped[str] = mapped_column(String(16))
    chosen: Mapped[str] = mapped_column(String(1000))  # choice keys, sorted, joined by "|"
    correct: Mapped[bool] = mapped_column(Boolean)
    first: Mapped[bool] = mapped_column(Boolean)  # the learner's first answer to it
    first_score: Mapped[int] = mapped_column(Integer)  # of the learner's first attempt


class QuestionFlag(db.Model):
    """A learner's note that a question seems wrong or unclear, for the course's authors."""

    __tablename__ = "question_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id"))
    question_key: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class QuizStanding(db.Model):
    """Where a learner stands at a quiz, kept up to date with every attempt in the same
    transaction: what reports read instead of every attempt (the attempts stay the record)."""

    __tablename__ = "quiz_standings"
    # A clinic's report reads each person's quizzes not passed yet (a few of hundreds).
    __table_args__ = (Index("ix_quiz_standings_user_id_passed", "user_id", "passed"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), primary_key=True)
    # The learner's cycle in the quiz's course (nmt_course/cycles.py): a row per cycle.
    cycle: Mapped[int] = mapped_column(Integer, primary_key=True, default=1,
                                       server_default="1")
    attempts: Mapped[int] = mapped_column(Integer)
    best_score: Mapped[int] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)


class QuizAttempt(db.Model):
    """Every submission is kept. The database allows one number per learner, quiz and cycle,
    one pass per cycle."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", "cycle", "number"),
        Index("ix_quiz_attempts_quiz_number", "quiz_id", "number", "score", "user_id"),
        Index("uq_quiz_attempts_one_pass", "user_id", "quiz_id", "cycle", unique=True,
              sqlite_where=text("passed"), postgresql_where=text("passed")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id"))
    # The learner's cycle in the course (nmt_course/cycles.py); rows from before cycles: 1.
    cycle: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    number: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    # What this attempt showed: {"questions": [keys in order], "choices": {key: [keys]}}.
    # Stored, so a later change of the draw key never changes what an old attempt was.
    # None for attempts made before draws existed: they showed every question.
    shown: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    correct_count: Mapped[int] = mapped_column(Integer)
    question_count: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # From opening the quiz to submitting it, measured on the server (None: unknown).
    seconds: Mapped[int | None] = mapped_column(Integer)
    # The version whose key graded it, once a regrade turned it into a pass (quizzes/regrade.py);
    # None: its own version's key.
    graded_version_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_versions.id"))
    regraded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[QuizVersion] = relationship(foreign_keys=[quiz_version_id])

    @property
    def key_version_id(self) -> int:
        """The version whose key graded this attempt."""
        return self.graded_version_id or self.quiz_version_id
