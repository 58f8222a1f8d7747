"""Cycles: a fresh start of a learner in a course (training that recurs, docs/records.md).

A learner's read marks, attempts, standings, extra attempts and certificate each belong to
one cycle of theirs in the course. Cycle 1 is where everyone starts and needs no row; a row
of `course_cycles` records each later cycle `clinics remind` opened for a recurring
assignment. Every read of "this learner's ... in this course" asks for the CURRENT cycle and
every write stamps it, through the SQL expressions below: they are subqueries of the
statement that reads or writes, so asking costs no statement of its own, and a statement
over many learners (a report, a regrade) asks per row.

The model lives here, beside the database helpers, rather than in a feature: quizzes and
certificates (rank 2) and learning (rank 3) all ask it. Quizzes know their lesson by id
only; which course a quiz is in is asked of the `quizzes` and `lessons` tables by name here,
as the cycle of a quiz is its course's."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, UniqueConstraint, column, func, select, table
from sqlalchemy.orm import Mapped, aliased, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from .database import UTCDateTime, db, utcnow

FIRST = 1


class CourseCycle(db.Model):
    """A cycle opened for a learner in a course (number 2 and on), by `clinics remind` for
    a recurring assignment: kept for good, as the record of when the training was due again."""

    __tablename__ = "course_cycles"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    number: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_on: Mapped[dt.date] = mapped_column(Date)
    # The recurring assignment that opened it (None: opened otherwise).
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("clinic_assignments.id"))


# The two tables a quiz's course is found through, named rather than imported (see above).
# Aliased, as is the cycles table: a statement these go in may read the same tables, and
# its columns must not be taken for theirs.
_quizzes = table("quizzes", column("id"), column("lesson_id")).alias("cycle_quiz")
_lessons = table("lessons", column("id"), column("course_id")).alias("cycle_lesson")


def current(user_id: Any, course_id: Any) -> ColumnElement[int]:
    """The learner's current cycle in the course, as SQL: a number or a bound value, or a
    column of the statement it goes in (then asked per row)."""
    cycles = aliased(CourseCycle, name="cycle_now")
    opened = (select(func.max(cycles.number))
              .where(cycles.user_id == user_id, cycles.course_id == course_id)
              # Tied to the statement it goes in at any depth (inside an EXISTS too): left
              # to auto-correlation, a column two levels out would become a cross join.
              .correlate_except(cycles).scalar_subquery())
    return func.coalesce(opened, FIRST)


def of_quiz(user_id: Any, quiz_id: Any) -> ColumnElement[int]:
    """The learner's current cycle in the course of the quiz, as SQL (as `current`)."""
    cycles = aliased(CourseCycle, name="cycle_now")
    opened = (select(func.max(cycles.number))
              .select_from(cycles)
              .join(_lessons, _lessons.c.course_id == cycles.course_id)
              .join(_quizzes, _quizzes.c.lesson_id == _lessons.c.id)
              .where(cycles.user_id == user_id, _quizzes.c.id == quiz_id)
              .correlate_except(cycles, _lessons, _quizzes).scalar_subquery())
    return func.coalesce(opened, FIRST)
