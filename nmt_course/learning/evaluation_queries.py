"""Reads for a course evaluation: the page's (the course, and whether the learner has sent
its evaluation) and the completing write's (all it decides on and all the certificate
prints from the course, in one statement). Each is one statement, however many lessons."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, exists, func, select
from sqlalchemy.orm import aliased, defer, undefer

from ..certificates.models import ProviderSettings
from ..certificates.provider import Provider
from ..certificates.queries import provider_of
from ..content import CourseStatus
from ..database import db
from ..quizzes.models import Quiz, QuizVersion
from ..runtime import Settings
from .models import Course, CourseEvaluation, Lesson
from .queries import LessonRow, lesson_rows_statement, lesson_row


def evaluation_page(slug: str, learner_id: int
                    ) -> tuple[Course | None, bool, list[LessonRow]]:
    """The course at `slug`, whether the learner sent its evaluation and its active lessons
    with the learner's progress: one statement (two for a course without active lessons)."""
    rows = db.session.execute(_page_statement(), {"slug": slug,
                                                  "learner_id": learner_id}).all()
    if not rows:
        return (*course_and_sent(slug, learner_id), [])
    return rows[0][13], bool(rows[0][14]), [lesson_row(row) for row in rows]


@functools.cache
def _page_statement():
    """lesson_rows' statement for the course at `slug`, with the course and whether the
    learner sent its evaluation as two more columns; built once."""
    sent = exists().where(CourseEvaluation.user_id == bindparam("learner_id"),
                          CourseEvaluation.course_id == Course.id)
    return (lesson_rows_statement(True, by_slug=True)
            .add_columns(Course, sent.label("sent"))
            .join(Course, Course.id == Lesson.course_id)
            .options(defer(Course.description_html), defer(Course.description_markdown)))


def course_and_sent(slug: str, learner_id: int) -> tuple[Course | None, bool]:
    """The course at `slug` and whether the learner has sent its evaluation."""
    sent = exists().where(CourseEvaluation.user_id == learner_id,
                          CourseEvaluation.course_id == Course.id)
    found = db.session.execute(select(Course, sent).where(Course.slug == slug)).one_or_none()
    return (found[0], bool(found[1])) if found else (None, False)


@dataclass(frozen=True)
class EvaluationFacts:
    """What the completing evaluation decides on, and what its certificate prints besides
    the course and the learner, as stored now."""

    rows: list[LessonRow]  # the active lessons with the learner's progress, in order
    published: bool
    sent: bool  # the learner has sent this course's evaluation already
    pass_marks: tuple[int, ...]  # of the active quizzes' current versions, in lesson order
    provider: Provider


def evaluation_facts(settings: Settings, course_id: int,
                     learner_id: int) -> EvaluationFacts | None:
    """The facts, or None for a course without an active lesson (nothing to evaluate)."""
    rows = db.session.execute(_facts_statement(),
                              {"course_ids": [course_id], "learner_id": learner_id}).all()
    if not rows:
        return None
    return EvaluationFacts(rows=[lesson_row(row) for row in rows], published=bool(rows[0][13]),
                           sent=bool(rows[0][14]),
                           pass_marks=tuple(row[15] for row in rows if row[5] is not None),
                           provider=provider_of(rows[0][16], settings))


@functools.cache
def _facts_statement():
    """lesson_rows' statement with the course's status, the learner's evaluation, each
    quiz's current pass mark and, on the first lesson's row only (its signature image is
    not small), the saved provider settings as more columns; built once."""
    learner_id = bindparam("learner_id")
    published = exists().where(Course.id == Lesson.course_id,
                               Course.status == CourseStatus.PUBLISHED)
    sent = exists().where(CourseEvaluation.user_id == learner_id,
                          CourseEvaluation.course_id == Lesson.course_id)
    pass_mark = (select(QuizVersion.pass_mark).where(QuizVersion.quiz_id == Quiz.id)
                 .order_by(QuizVersion.number.desc()).limit(1).scalar_subquery())
    other = aliased(Lesson)
    first = Lesson.position == (select(func.min(other.position))
                                .where(other.course_id == Lesson.course_id,
                                       other.archived_at.is_(None)).scalar_subquery())
    return (lesson_rows_statement(True)
            .add_columns(published.label("published"), sent.label("sent"),
                         pass_mark.label("pass_mark"), ProviderSettings)
            .outerjoin(ProviderSettings, and_(ProviderSettings.id == 1, first))
            .options(undefer(ProviderSettings.signature_png)))
