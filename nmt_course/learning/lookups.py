"""Finding the course or lesson a URL names, for every page that shows one (404 otherwise)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_login import current_user

from ..authoring.permissions import may_edit
from ..authoring.queries import maintainer_ids
from . import evaluation_queries, queries
from ..certificates.models import Certificate
from .models import Course, Lesson
from .queries import LessonRow


def course_or_404(slug: str) -> Course:
    """The course at `slug`. A draft shows only to those who may edit it (its owner, its
    maintainers, admins); to everyone else it does not exist."""
    return _visible_or_404(queries.course_by_slug(slug))


def evaluation_page_or_404(slug: str, learner_id: int) -> tuple[Course, bool, list[LessonRow]]:
    """The visible course at `slug`, whether the learner sent its evaluation and its
    lessons with the learner's progress (evaluation_queries.evaluation_page)."""
    course, sent, rows = evaluation_queries.evaluation_page(slug, learner_id)
    return _visible_or_404(course), sent, rows


def course_and_certificate_or_404(slug: str, learner_id: int | None
                                  ) -> tuple[Course, Certificate | None]:
    """The visible course at `slug` with the learner's certificate in it, in one statement."""
    course, certificate = queries.course_and_certificate(slug, learner_id)
    return _visible_or_404(course), certificate


def _visible_or_404(course: Course | None) -> Course:
    if course is None or not (course.is_published or may_edit(
            current_user, course.owner_id, maintainer_ids(course.id))):
        abort(404)
    return course


@dataclass(frozen=True)
class LessonPlace:
    """A lesson with where it sits in its course and what the learner did in it."""

    course: Course
    lesson: Lesson
    row: LessonRow
    previous: LessonRow | None
    following: LessonRow | None
    number: int
    total: int


def lesson_or_404(slug: str, lesson_slug: str) -> LessonPlace:
    """The active lesson `lesson_slug` of the visible course `slug`, or a 404 (2 statements:
    the course with the lesson, then the outline with the learner's facts)."""
    course, lesson = queries.course_and_lesson(slug, lesson_slug)
    course = _visible_or_404(course)
    if lesson is None:
        abort(404)
    learner_id = current_user.id if current_user.is_authenticated else None
    rows = queries.lesson_rows([course.id], learner_id).get(course.id, [])
    index = next(i for i, row in enumerate(rows) if row.id == lesson.id)
    return LessonPlace(course, lesson, rows[index], rows[index - 1] if index else None,
                       rows[index + 1] if index + 1 < len(rows) else None, index + 1, len(rows))
