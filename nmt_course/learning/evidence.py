"""Reads of the evidence a provider shows the board about a course: completed learners'
measured time on task beside the estimate, and the course evaluations (without names).
Each issues a fixed number of statements, however many learners there are."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from ..certificates.models import Certificate
from ..database import db
from ..evaluation import QUESTIONS, Answer
from ..quizzes.models import Quiz, QuizAttempt
from ..time_on_task import Spread, below_declared, spread
from .models import Course, CourseEvaluation, Lesson, LessonProgress


@dataclass(frozen=True)
class LessonTime:
    lesson_id: int
    title: str
    stated_minutes: int  # the lesson's `minutes`, its reading time as stated
    measured: Spread | None  # learners who completed it, reading plus its quiz attempts


@dataclass(frozen=True)
class MeasuredHours:
    declared_minutes: Decimal
    course: Spread | None  # learners who hold the course's certificate
    lessons: tuple[LessonTime, ...]

    @property
    def below_declared(self) -> bool:
        return below_declared(self.course, self.declared_minutes)


def _active_lessons(course_id: int) -> list[tuple[int, str, int]]:
    return db.session.execute(
        select(Lesson.id, Lesson.title, Lesson.minutes)
        .where(Lesson.course_id == course_id, Lesson.archived_at.is_(None))
        .order_by(Lesson.position)).all()


def measured_hours(course: Course) -> MeasuredHours:
    """Time on task of completed learners (4 statements). A learner's time in a lesson is
    from opening it to marking it read plus every attempt at its quiz, counted only when
    every one of those was measured; their time in the course, the sum over its lessons."""
    lessons = _active_lessons(course.id)
    ids = [lesson_id for lesson_id, _, _ in lessons]
    # A learner is counted per cycle (nmt_course/cycles.py): a retake is a time of its own.
    reads = {((user_id, cycle), lesson_id): seconds
             for user_id, cycle, lesson_id, seconds in db.session.execute(
                 select(LessonProgress.user_id, LessonProgress.cycle, LessonProgress.lesson_id,
                        LessonProgress.seconds).where(LessonProgress.lesson_id.in_(ids)))}
    quiz_seconds: dict[tuple[tuple[int, int], int], list[int | None]] = defaultdict(list)
    passed: set[tuple[tuple[int, int], int]] = set()
    has_quiz: set[int] = set()
    for user_id, cycle, lesson_id, seconds, won in db.session.execute(
            select(QuizAttempt.user_id, QuizAttempt.cycle, Quiz.lesson_id, QuizAttempt.seconds,
                   QuizAttempt.passed)
            .join(Quiz, Quiz.id == QuizAttempt.quiz_id).where(Quiz.lesson_id.in_(ids))):
        quiz_seconds[((user_id, cycle), lesson_id)].append(seconds)
        has_quiz.add(lesson_id)
        if won:
            passed.add(((user_id, cycle), lesson_id))
    certified = set(db.session.execute(select(Certificate.user_id, Certificate.cycle).where(
        Certificate.course_id == course.id)).all())

    def lesson_seconds(user: tuple[int, int], lesson_id: int) -> int | None:
        """The learner's measured time (in one cycle) in a lesson they completed, or None."""
        key = (user, lesson_id)
        if key not in reads or (lesson_id in has_quiz and key not in passed):
            return None
        times = [reads[key], *quiz_seconds.get(key, ())]
        return None if None in times else sum(times)

    learners = {user_id for user_id, _ in reads}
    per_lesson = []
    for lesson_id, title, minutes in lessons:
        times = [t for user in learners if (t := lesson_seconds(user, lesson_id)) is not None]
        per_lesson.append(LessonTime(lesson_id, title, minutes, spread(times)))
    totals = []
    for user in certified & learners:
        times = [lesson_seconds(user, lesson_id) for lesson_id in ids]
        if times and None not in times:
            totals.append(sum(times))
    return MeasuredHours(Decimal(course.ce_hours) * 60, spread(totals), tuple(per_lesson))


def evaluations(course: Course) -> tuple[list[Answer], list[tuple[int, str]]]:
    """Every evaluation of the course, without who sent it or when, and the course's
    active lessons (2 statements)."""
    answers = [Answer(row.objectives_met, {key: getattr(row, key) for key in QUESTIONS},
                      row.comment)
               for row in db.session.scalars(
                   select(CourseEvaluation).where(CourseEvaluation.course_id == course.id))]
    return answers, [(lesson_id, title) for lesson_id, title, _ in _active_lessons(course.id)]
