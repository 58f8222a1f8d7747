"""Course completion: deciding, inside a write transaction, that a learner has just met the
last requirement of a course and copying what a certificate will need; then, once that
transaction has committed, issuing the certificate and telling the subscribers."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ..accounts.models import User
from ..certificates.operations import IssuedCertificate, issue_certificate
from ..certificates.provider import Provider
from ..events import Completion, announce_completion
from ..runtime import Runtime
from . import queries
from .models import Course

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CourseCompleted:
    """What a completing operation returns for its page: the course completed just now and
    its certificate (None when issuing it failed: that is logged, and the course page
    offers the certificate again)."""

    course_title: str
    certificate: IssuedCertificate | None


def completion_of(learner: User, course: Course, at: dt.datetime) -> Completion:
    return Completion(
        learner_id=learner.id, legal_name=learner.legal_name,
        licence_number=learner.licence_number, licence_state=learner.licence_state,
        course_id=course.id, course_slug=course.slug, course_title=course.title,
        ce_hours=course.ce_hours, course_type=course.course_type,
        approval_number=course.approval_number, completed_at=at,
        licence_in_credential=learner.licence_in_credentials, learner_email=learner.email)


def completed(learner: User, courses: Iterable[Course], at: dt.datetime, *,
              published: set[int] | None = None) -> list[Completion]:
    """Completions for each of `courses` in which nothing is unmet now (two statements; one
    when the caller read which are `published` in its transaction). An unpublished course
    is never completed, whoever asks: it issues no certificate."""
    courses = list(courses)
    if published is None:
        published = queries.published_ids(course.id for course in courses)
    courses = [course for course in courses if course.id in published]
    progress = queries.progress_by_course(learner, courses)
    return [completion_of(learner, course, at) for course in courses
            if progress[course.id].complete]


def conclude(runtime: Runtime, completion: Completion, *,
             provider: Provider | None = None) -> CourseCompleted:
    """After the transaction that completed the course has committed: issue the certificate
    (one per learner and course, so concluding again is safe), then announce the completion
    to the subscribers, for what they do besides. `provider`: the provider settings as the
    completing transaction read them, which also put the quizzes' pass marks in
    `completion`; without it, both are read now."""
    try:
        if provider is None:
            # The grading scale the certificate prints, from the quizzes as they stand now.
            completion = replace(completion,
                                 pass_marks=queries.pass_marks(completion.course_id))
        certificate = issue_certificate(runtime, completion, provider=provider)
    except Exception:  # noqa: BLE001 - the completion stands; the course page offers it again
        log.exception("certificate issue failed for learner %s, course %s",
                      completion.learner_id, completion.course_slug)
        certificate = None
    announce_completion(runtime, completion)
    return CourseCompleted(completion.course_title, certificate)
