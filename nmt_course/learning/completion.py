"""Course completion: deciding, inside a write transaction, that a learner has just met the
last requirement of a course, and copying what a certificate will need."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..accounts.models import User
from ..events import Completion
from . import queries
from .models import Course


def completion_of(learner: User, course: Course, at: dt.datetime) -> Completion:
    return Completion(
        learner_id=learner.id, legal_name=learner.legal_name,
        licence_number=learner.licence_number, licence_state=learner.licence_state,
        course_id=course.id, course_slug=course.slug, course_title=course.title,
        ce_hours=course.ce_hours, course_type=course.course_type,
        approval_number=course.approval_number, completed_at=at)


def completed(learner: User, courses: Iterable[Course], at: dt.datetime) -> list[Completion]:
    """Completions for each of `courses` in which nothing is unmet now (one statement)."""
    courses = list(courses)
    progress = queries.progress_by_course(learner, courses)
    return [completion_of(learner, course, at) for course in courses
            if progress[course.id].complete]
