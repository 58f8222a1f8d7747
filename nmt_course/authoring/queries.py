"""Reads for the Author area."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import defer

from .. import cycles
from ..accounts.models import User
from ..certificates.models import Certificate
from ..database import db
from ..learning.models import Course, CourseImage, Lesson
from ..quizzes.models import QuestionFlag, Quiz
from .models import CourseDraft, CourseMaintainer, DraftRevision, DraftText


@dataclass(frozen=True)
class AuthoredCourse:
    course: Course
    has_draft: bool
    open_flags: int


def authored_courses(user: User) -> list[AuthoredCourse]:
    """The courses `user` may edit (every course for an admin), with their drafts and the
    learners' open flags: one statement."""
    drafts = select(func.count(CourseDraft.course_id)).where(
        CourseDraft.course_id == Course.id).scalar_subquery()
    flags = (select(func.count(QuestionFlag.id)).join(Quiz, Quiz.id == QuestionFlag.quiz_id)
             .join(Lesson, Lesson.id == Quiz.lesson_id)
             .where(Lesson.course_id == Course.id, QuestionFlag.resolved_at.is_(None))
             .scalar_subquery())
    query = select(Course, drafts, flags).order_by(Course.title)
    if not user.is_admin:
        maintained = select(CourseMaintainer.course_id).where(CourseMaintainer.user_id == user.id)
        query = query.where(or_(Course.owner_id == user.id, Course.id.in_(maintained)))
    return [AuthoredCourse(course, bool(draft), count)
            for course, draft, count in db.session.execute(query)]


def maintainer_ids(course_id: int) -> set[int]:
    return set(db.session.scalars(select(CourseMaintainer.user_id).where(
        CourseMaintainer.course_id == course_id)))


def maintainers(course_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(CourseMaintainer, CourseMaintainer.user_id == User.id)
        .where(CourseMaintainer.course_id == course_id).order_by(User.legal_name)))


def draft_of(course_id: int) -> CourseDraft | None:
    return db.session.get(CourseDraft, course_id)


def images_of(course_id: int) -> list[CourseImage]:
    return list(db.session.scalars(select(CourseImage).where(
        CourseImage.course_id == course_id).order_by(CourseImage.uploaded_at.desc())))


def image_names(course_id: int) -> list[str]:
    return list(db.session.scalars(select(CourseImage.name).where(
        CourseImage.course_id == course_id)))


def open_flags(course_id: int, lesson_slug: str | None = None) -> list[QuestionFlag]:
    """Learners' unresolved flags on the course's questions (of one lesson, if given)."""
    query = (select(QuestionFlag).join(Quiz, Quiz.id == QuestionFlag.quiz_id)
             .join(Lesson, Lesson.id == Quiz.lesson_id)
             .where(Lesson.course_id == course_id, QuestionFlag.resolved_at.is_(None))
             .order_by(QuestionFlag.created_at))
    if lesson_slug is not None:
        query = query.where(Lesson.slug == lesson_slug)
    return list(db.session.scalars(query))


def flag_counts(course_id: int) -> Counter:
    """Open flags per lesson slug."""
    return Counter(dict(db.session.execute(
        select(Lesson.slug, func.count(QuestionFlag.id))
        .join(Quiz, Quiz.lesson_id == Lesson.id).join(QuestionFlag, QuestionFlag.quiz_id == Quiz.id)
        .where(Lesson.course_id == course_id, QuestionFlag.resolved_at.is_(None))
        .group_by(Lesson.slug)).all()))


def latest_revision(course_id: int) -> int:
    """The number of the course's newest revision (0 before its first)."""
    return db.session.scalar(select(func.coalesce(func.max(DraftRevision.number), 0)).where(
        DraftRevision.course_id == course_id))


def revisions(course_id: int) -> list[DraftRevision]:
    """The course's revisions, newest first (with their authors)."""
    return list(db.session.scalars(select(DraftRevision).where(
        DraftRevision.course_id == course_id).order_by(DraftRevision.number.desc())))


def revision(course_id: int, number: int) -> DraftRevision | None:
    return db.session.scalar(select(DraftRevision).where(
        DraftRevision.course_id == course_id, DraftRevision.number == number))


def revision_files(revision: DraftRevision) -> dict[str, str]:
    """The files a revision holds, as text."""
    hashes = set(revision.manifest.values())
    texts = dict(db.session.execute(select(DraftText.sha256, DraftText.text).where(
        DraftText.sha256.in_(hashes))).all()) if hashes else {}
    return {path: texts[digest] for path, digest in revision.manifest.items()}


def learners_with_certificates(
        course_id: int, learner_ids: list[int]) -> dict[int, tuple[User, Certificate | None]]:
    """The learners, each with their certificate of the course in their current cycle if
    any: one statement."""
    if not learner_ids:
        return {}
    rows = db.session.execute(
        select(User, Certificate).outerjoin(Certificate, and_(
            Certificate.user_id == User.id, Certificate.course_id == course_id,
            Certificate.cycle == cycles.current(User.id, course_id)))
        .where(User.id.in_(learner_ids)).options(defer(Certificate.pdf))).all()
    return {user.id: (user, certificate) for user, certificate in rows}
