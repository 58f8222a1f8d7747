"""Reads about courses, lessons, their quizzes and a learner's progress. Each issues a fixed
number of statements, however many lessons, learners or attempts there are. A quiz passed is
the learner's row in quiz_standings, the one stored fact every page reads. A learner's read
marks, standings and certificate are those of their current cycle in the course
(nmt_course/cycles.py), asked inside the same statement."""
from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, exists, false, func, null, or_, select
from sqlalchemy.orm import aliased, defer, load_only, undefer

from .. import cycles
from ..accounts.models import User
from ..certificates.models import Certificate
from ..content import CourseStatus
from ..database import db
from ..formatting import count_of
from ..progress import CourseProgress, LessonFacts, course_progress
from ..quizzes.models import Quiz, QuizAttempt, QuizStanding, QuizVersion
from ..quizzes import queries as quiz_queries
from ..quizzes.policy import Standing
from ..quizzes.regrade_queries import regrade_view
from .models import Course, CourseEvaluation, CourseImage, Lesson, LessonProgress


@dataclass(frozen=True)
class LessonRow:
    """A lesson in a course outline, with what the learner (if any) did in it."""

    id: int
    course_id: int
    slug: str
    title: str
    minutes: int
    quiz_id: int | None
    read: bool
    attempted: bool
    quiz_passed: bool
    added_at: dt.datetime | None = None
    started_at: dt.datetime | None = None  # the learner's first read or attempt in the course
    # The learner sent the course's evaluation, or holds its certificate (from before).
    evaluated: bool = False

    @property
    def facts(self) -> LessonFacts:
        return LessonFacts(slug=self.slug, title=self.title, has_quiz=self.quiz_id is not None,
                           read=self.read, quiz_passed=self.quiz_passed,
                           added_after_start=bool(self.added_at and self.started_at
                                                  and self.added_at > self.started_at))


@dataclass(frozen=True)
class CatalogueEntry:
    """What the catalogue shows of a published course (and progress needs of it)."""

    id: int
    slug: str
    title: str
    summary: str
    ce_hours: Decimal
    course_type: str
    approval_number: str
    requires_licence: bool


def published_courses() -> list[CatalogueEntry]:
    """The published courses by title, as plain rows: the catalogue is the most asked page,
    and building a Course object per row (identity map, every column) was most of its
    query's time."""
    return [CatalogueEntry(*row) for row in db.session.execute(_published_statement())]


@functools.cache
def _published_statement():
    return (select(Course.id, Course.slug, Course.title, Course.summary, Course.ce_hours,
                   Course.course_type, Course.approval_number, Course.requires_licence)
            .where(Course.status == CourseStatus.PUBLISHED).order_by(Course.title))


def published_ids(course_ids: Iterable[int]) -> set[int]:
    """Which of these courses are published, as stored now (one statement)."""
    course_ids = list(course_ids)
    if not course_ids:
        return set()
    return set(db.session.scalars(select(Course.id).where(
        Course.id.in_(course_ids), Course.status == CourseStatus.PUBLISHED)))


def active_lesson(course_id: int, slug: str) -> Lesson | None:
    return db.session.scalar(select(Lesson).where(
        Lesson.course_id == course_id, Lesson.slug == slug, Lesson.archived_at.is_(None)))


def lesson_rows(course_ids: Iterable[int], learner_id: int | None) -> dict[int, list[LessonRow]]:
    """The active lessons of each course in order, with the learner's facts: one statement."""
    course_ids = list(course_ids)
    if not course_ids:
        return {}
    rows = db.session.execute(lesson_rows_statement(learner_id is not None),
                              {"course_ids": course_ids, "learner_id": learner_id})
    outline: dict[int, list[LessonRow]] = defaultdict(list)
    for row in rows:
        outline[row[1]].append(lesson_row(row))
    return outline


def lesson_row(row) -> LessonRow:
    """The LessonRow of a row of lesson_rows_statement (its first 13 columns)."""
    started = min((moment for moment in row[10:12] if moment is not None), default=None)
    return LessonRow(*row[:6], bool(row[6]), bool(row[7]), bool(row[8]), row[9], started,
                     bool(row[12]))


@functools.cache
def lesson_rows_statement(for_learner: bool, by_slug: bool = False):
    """lesson_rows' statement, built once with the course ids and the learner as parameters:
    building this expression anew was the largest part of a lesson page's time. `by_slug`:
    of the one course whose address is the parameter `slug`, joined (for its columns)."""
    learner_id = bindparam("learner_id")
    if not for_learner:
        read = attempted = passed = evaluated = false()
        first_read = first_attempt = null()
    else:
        # The evaluation is answered once, whatever the cycle (a certificate of any cycle
        # stands for one sent before evaluations existed).
        evaluated = or_(
            exists().where(CourseEvaluation.user_id == learner_id,
                           CourseEvaluation.course_id == Lesson.course_id),
            exists().where(Certificate.user_id == learner_id,
                           Certificate.course_id == Lesson.course_id))
        cycle = cycles.current(learner_id, Lesson.course_id)
        read = exists().where(LessonProgress.user_id == learner_id,
                              LessonProgress.lesson_id == Lesson.id,
                              LessonProgress.cycle == cycle)
        attempted = exists().where(QuizStanding.user_id == learner_id,
                                   QuizStanding.quiz_id == Quiz.id, QuizStanding.cycle == cycle)
        passed = exists().where(QuizStanding.user_id == learner_id,
                                QuizStanding.quiz_id == Quiz.id, QuizStanding.passed,
                                QuizStanding.cycle == cycle)
        # When the learner started this course, to tell which lessons joined it since.
        other, other_quiz = aliased(Lesson), aliased(Quiz)
        first_read = (select(func.min(LessonProgress.read_at))
                      .join(other, other.id == LessonProgress.lesson_id)
                      .where(LessonProgress.user_id == learner_id,
                             LessonProgress.cycle == cycle,
                             other.course_id == Lesson.course_id).scalar_subquery())
        first_attempt = (select(func.min(QuizAttempt.submitted_at))
                         .join(other_quiz, other_quiz.id == QuizAttempt.quiz_id)
                         .join(other, other.id == other_quiz.lesson_id)
                         .where(QuizAttempt.user_id == learner_id,
                                QuizAttempt.cycle == cycle,
                                other.course_id == Lesson.course_id).scalar_subquery())
    return (select(Lesson.id, Lesson.course_id, Lesson.slug, Lesson.title, Lesson.minutes,
                   Quiz.id, read.label("read"), attempted.label("attempted"),
                   passed.label("passed"), Lesson.added_at, first_read, first_attempt,
                   evaluated.label("evaluated"))
            .outerjoin(Quiz, (Quiz.lesson_id == Lesson.id) & Quiz.archived_at.is_(None))
            .where(Course.slug == bindparam("slug") if by_slug
                   else Lesson.course_id.in_(bindparam("course_ids", expanding=True)),
                   Lesson.archived_at.is_(None))
            .order_by(Lesson.course_id, Lesson.position))


def progress_of(rows: list[LessonRow], course: Course, learner: User) -> CourseProgress:
    return course_progress([row.facts for row in rows], requires_licence=course.requires_licence,
                           has_licence=learner.has_licence,
                           evaluated=bool(rows) and rows[0].evaluated)


def progress_by_course(learner: User, courses: Iterable[Course | CatalogueEntry]) -> dict[int, CourseProgress]:
    """Progress of `learner` in each course, from one statement whatever the number of courses."""
    courses = list(courses)
    outline = lesson_rows([course.id for course in courses], learner.id)
    return {course.id: progress_of(outline.get(course.id, []), course, learner)
            for course in courses}


def pass_marks(course_id: int) -> tuple[int, ...]:
    """The pass marks of the current versions of the course's active quizzes (one
    statement)."""
    other = aliased(QuizVersion)
    latest = (select(func.max(other.number)).where(other.quiz_id == Quiz.id)
              .correlate(Quiz).scalar_subquery())
    return tuple(db.session.scalars(
        select(QuizVersion.pass_mark).join(Quiz, Quiz.id == QuizVersion.quiz_id)
        .join(Lesson, Lesson.id == Quiz.lesson_id)
        .where(Lesson.course_id == course_id, Lesson.archived_at.is_(None),
               Quiz.archived_at.is_(None), QuizVersion.number == latest)
        .order_by(Lesson.position)))


def started_courses(learner_id: int) -> list[Course]:
    """Courses the learner read a lesson of or attempted a quiz in, drafts included (their
    progress is theirs), ordered by title."""
    return list(db.session.scalars(_started_statement(), {"learner_id": learner_id}))


@functools.cache
def _started_statement():
    """Built once, the learner a bound parameter: building the two correlated subqueries
    cost the dashboard more than running them."""
    learner_id = bindparam("learner_id")
    read = select(LessonProgress.id).join(Lesson, Lesson.id == LessonProgress.lesson_id).where(
        LessonProgress.user_id == learner_id, Lesson.course_id == Course.id)
    attempted = (select(QuizStanding.quiz_id).join(Quiz, Quiz.id == QuizStanding.quiz_id)
                 .join(Lesson, Lesson.id == Quiz.lesson_id)
                 .where(QuizStanding.user_id == learner_id, Lesson.course_id == Course.id))
    return select(Course).where(or_(read.exists(), attempted.exists())).order_by(Course.title)


@dataclass(frozen=True)
class QuizContext:
    course: Course
    lesson: Lesson
    quiz: Quiz
    # With a learner: their standing and the quiz's current version, read with the rest.
    standing: Standing | None = None
    version: QuizVersion | None = None
    # Asked for a submission: the questions answered before and the first score
    # (quizzes.queries.with_history), which the write trusts while the standing is unchanged.
    history: tuple[set[str], int | None] | None = None


def quiz_context(course_slug: str, lesson_slug: str, learner_id: int | None = None, *,
                 with_history: bool = False) -> QuizContext | None:
    """The active quiz of an active lesson of a published course, with both (and, given a
    learner, their standing at its current version: one statement still). A draft's
    quizzes have no page for anyone: nothing is recorded for an unpublished course (its
    authors try them in the Author area's preview)."""
    with_history = with_history and learner_id is not None
    row = db.session.execute(_quiz_context_statement(learner_id is not None, with_history),
                             {"course_slug": course_slug, "lesson_slug": lesson_slug,
                              "learner_id": learner_id}).one_or_none()
    if row is None:
        return None
    course, lesson, quiz = row[:3]
    if not course.is_published:
        return None
    if learner_id is None:
        return QuizContext(course, lesson, quiz)
    standing, version = quiz_queries.standing_from(*row[3:7])
    history = quiz_queries.history_from(*row[7:9]) if with_history else None
    return QuizContext(course, lesson, quiz, standing, version, history)


@functools.cache
def _quiz_context_statement(with_standing: bool, with_history: bool = False):
    """Built once, the slugs and the learner bound parameters: building the standing's
    subqueries cost the quiz page a tenth of its time."""
    query = (
        select(Course, Lesson, Quiz)
        .join(Lesson, Lesson.course_id == Course.id)
        .join(Quiz, Quiz.lesson_id == Lesson.id)
        .where(Course.slug == bindparam("course_slug"), Lesson.slug == bindparam("lesson_slug"),
               Lesson.archived_at.is_(None), Quiz.archived_at.is_(None))
        .options(defer(Lesson.body_html), defer(Lesson.body_markdown),
                 defer(Course.description_html), defer(Course.description_markdown)))
    if with_standing:
        query = quiz_queries.with_standing(query, bindparam("learner_id"))
    if with_history:
        query = quiz_queries.with_history(query, bindparam("learner_id"))
    return query


def following_lesson(lesson: Lesson) -> Lesson | None:
    """The next active lesson of the same course, if any."""
    return db.session.scalar(
        select(Lesson).where(Lesson.course_id == lesson.course_id,
                             Lesson.position > lesson.position, Lesson.archived_at.is_(None))
        .options(load_only(Lesson.slug, Lesson.title)).order_by(Lesson.position).limit(1))


def is_read(learner_id: int, lesson_id: int, course_id: int) -> bool:
    """Whether the learner marked the lesson read in their current cycle of its course."""
    return bool(db.session.scalar(select(exists().where(
        LessonProgress.user_id == learner_id, LessonProgress.lesson_id == lesson_id,
        LessonProgress.cycle == cycles.current(learner_id, course_id)))))


def course_image(course_id: int, name: str) -> CourseImage | None:
    return db.session.scalar(
        select(CourseImage).where(CourseImage.course_id == course_id, CourseImage.name == name)
        .options(undefer(CourseImage.data)))


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def course_and_certificate(slug: str, learner_id: int | None
                           ) -> tuple[Course | None, Certificate | None]:
    """The course at `slug` and the learner's certificate of it in their current cycle (None
    where there is none), in one statement."""
    query = select(Course, Certificate).outerjoin(
        Certificate, (Certificate.course_id == Course.id) & (Certificate.user_id == learner_id)
        & (Certificate.cycle == cycles.current(learner_id, Course.id)))
    found = db.session.execute(query.where(Course.slug == slug)).one_or_none()
    return (found[0], found[1]) if found else (None, None)


def course_and_lesson(slug: str, lesson_slug: str) -> tuple[Course | None, Lesson | None]:
    """The course at `slug` and its active lesson `lesson_slug` (None where there is none),
    in one statement."""
    found = db.session.execute(
        select(Course, Lesson).outerjoin(Lesson, (Lesson.course_id == Course.id)
                                         & (Lesson.slug == lesson_slug)
                                         & Lesson.archived_at.is_(None))
        .where(Course.slug == slug)).one_or_none()
    return (found[0], found[1]) if found else (None, None)


def all_courses() -> list[Course]:
    return list(db.session.scalars(select(Course).order_by(Course.slug)))


def any_course() -> bool:
    return bool(db.session.scalar(select(exists().where(Course.id.is_not(None)))))


@dataclass(frozen=True)
class RegradeWaiting:
    """A quiz of the course whose current key would change stored grades."""

    lesson: Lesson
    would_pass: int  # failed attempts a regrade turns into passes
    would_fail: int  # passes that would fail now (kept, for review)

    def __str__(self) -> str:
        return (f"The key of the quiz of “{self.lesson.title}” changed: "
                f"{count_of(self.would_pass, 'attempt')} would now pass, "
                f"{self.would_fail} pass{'' if self.would_fail == 1 else 'es'} would fail "
                "under it")


def regrades_waiting(course_id: int) -> list[RegradeWaiting]:
    """After a publication or import: the course's quizzes whose key change touches stored
    attempts (one statement, then the four of a regrade plan per quiz)."""
    found = []
    for lesson, quiz_id in db.session.execute(
            select(Lesson, Quiz.id).join(Quiz, Quiz.lesson_id == Lesson.id)
            .where(Lesson.course_id == course_id, Lesson.archived_at.is_(None),
                   Quiz.archived_at.is_(None)).order_by(Lesson.position)):
        plan = regrade_view(quiz_id).plan
        if plan.would_pass or plan.would_fail:
            found.append(RegradeWaiting(lesson, len(plan.would_pass), len(plan.would_fail)))
    return found
