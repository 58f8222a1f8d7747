"""Read-side helpers shared by views and services. Each issues a fixed number of statements."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from .extensions import db
from .grading import GradableChoice, GradableQuestion, GradableQuiz
from .models import (Certificate, Course, Lesson, LessonProgress, Question, Quiz, QuizAttempt,
                     QuizVersion, User)
from .progress import CourseProgress, LessonFacts, course_progress


def can_preview_drafts(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_admin or user.is_instructor))


def published_courses() -> list[Course]:
    return list(db.session.scalars(
        select(Course).where(Course.status == "published").order_by(Course.title)))


def visible_course(slug: str, user) -> Course | None:
    """The course at `slug`, unless it is a draft and `user` may not preview drafts."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or (not course.is_published and not can_preview_drafts(user)):
        return None
    return course


def active_lessons(course_id: int, *, with_quiz: bool = False) -> list[Lesson]:
    query = (select(Lesson).where(Lesson.course_id == course_id, Lesson.archived_at.is_(None))
             .order_by(Lesson.position))
    if with_quiz:
        query = query.options(selectinload(Lesson.quiz))
    return list(db.session.scalars(query))


def active_quiz(lesson_id: int) -> Quiz | None:
    return db.session.scalar(
        select(Quiz).where(Quiz.lesson_id == lesson_id, Quiz.archived_at.is_(None)))


def current_version(quiz_id: int) -> QuizVersion | None:
    return db.session.scalar(
        select(QuizVersion).where(QuizVersion.quiz_id == quiz_id)
        .order_by(QuizVersion.number.desc()).limit(1))


def version_with_questions(version_id: int, quiz_id: int) -> QuizVersion | None:
    """A version of this quiz with its questions and choices loaded (three statements)."""
    return db.session.scalar(
        select(QuizVersion).where(QuizVersion.id == version_id, QuizVersion.quiz_id == quiz_id)
        .options(selectinload(QuizVersion.questions).selectinload(Question.choices)))


def gradable(version: QuizVersion) -> GradableQuiz:
    return GradableQuiz(
        questions=tuple(
            GradableQuestion(q.key, q.type,
                             tuple(GradableChoice(c.key, c.correct) for c in q.choices))
            for q in version.questions),
        pass_mark=version.pass_mark)


def attempts_for(user_id: int, quiz_id: int) -> list[QuizAttempt]:
    return list(db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id)
        .order_by(QuizAttempt.number)))


def attempt(user_id: int, quiz_id: int, number: int) -> QuizAttempt | None:
    return db.session.scalar(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id,
        QuizAttempt.number == number))


def attempt_count(user_id: int, quiz_id: int) -> tuple[int, bool]:
    """How many attempts the learner made on this quiz, and whether one passed."""
    count, passes = db.session.execute(
        select(func.count(QuizAttempt.id),
               func.count(QuizAttempt.id).filter(QuizAttempt.passed))
        .where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id)).one()
    return count, passes > 0


def is_read(user_id: int, lesson_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson_id))))


def progress_by_course(user: User, courses: Iterable[Course]) -> dict[int, CourseProgress]:
    """Progress of `user` in each course, from three statements whatever the number of courses."""
    courses = list(courses)
    if not courses:
        return {}
    course_ids = [course.id for course in courses]
    rows = db.session.execute(
        select(Lesson.course_id, Lesson.id, Lesson.slug, Lesson.title, Quiz.id)
        .outerjoin(Quiz, (Quiz.lesson_id == Lesson.id) & Quiz.archived_at.is_(None))
        .where(Lesson.course_id.in_(course_ids), Lesson.archived_at.is_(None))
        .order_by(Lesson.course_id, Lesson.position)).all()
    read = set(db.session.scalars(
        select(LessonProgress.lesson_id).join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.user_id == user.id, Lesson.course_id.in_(course_ids))))
    passed = set(db.session.scalars(
        select(QuizAttempt.quiz_id).join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(Lesson, Lesson.id == Quiz.lesson_id)
        .where(QuizAttempt.user_id == user.id, QuizAttempt.passed,
               Lesson.course_id.in_(course_ids))))
    facts: dict[int, list[LessonFacts]] = defaultdict(list)
    for course_id, lesson_id, slug, title, quiz_id in rows:
        facts[course_id].append(LessonFacts(
            slug=slug, title=title, has_quiz=quiz_id is not None, read=lesson_id in read,
            quiz_passed=quiz_id is not None and quiz_id in passed))
    return {
        course.id: course_progress(facts[course.id], requires_licence=course.requires_licence,
                                   has_licence=user.has_licence)
        for course in courses
    }


def started_courses(user_id: int) -> list[Course]:
    """Courses the learner read a lesson of or attempted a quiz in, drafts included (their
    progress is theirs), ordered by title."""
    read = select(LessonProgress.id).join(Lesson, Lesson.id == LessonProgress.lesson_id).where(
        LessonProgress.user_id == user_id, Lesson.course_id == Course.id)
    attempted = (select(QuizAttempt.id).join(Quiz, Quiz.id == QuizAttempt.quiz_id)
                 .join(Lesson, Lesson.id == Quiz.lesson_id)
                 .where(QuizAttempt.user_id == user_id, Lesson.course_id == Course.id))
    return list(db.session.scalars(
        select(Course).where(or_(read.exists(), attempted.exists())).order_by(Course.title)))


def certificates_for(user_id: int) -> list[Certificate]:
    return list(db.session.scalars(
        select(Certificate).where(Certificate.user_id == user_id)
        .order_by(Certificate.issued_at.desc())))


def certificate_for(user_id: int, course_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.user_id == user_id, Certificate.course_id == course_id))


def certificate_by_code(code: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def any_course() -> bool:
    return bool(db.session.scalar(select(exists().where(Course.id.is_not(None)))))
