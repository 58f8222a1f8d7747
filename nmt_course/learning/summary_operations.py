"""Keeping `course_progress`, the counted copy of each learner's read marks and quiz
standings in a course (and their best scores) that a clinic's report reads. One home for the
counting: `refresh` recomputes a learner's row (or a whole course's rows) from the facts, in
one statement, inside the caller's transaction. A row counts the learner's current cycle
(nmt_course/cycles.py); opening a cycle refreshes it, to nothing done yet."""
from __future__ import annotations

from sqlalchemy import (Integer, String, and_, case, cast, delete, exists, func, literal, null,
                        or_, select, true, union_all)

from .. import cycles
from ..database import db, insert_on_conflict, strings_in_order
from ..certificates.models import Certificate
from ..quizzes.models import Quiz, QuizStanding
from ..content import CourseStatus
from .models import Course, CourseEvaluation, CourseProgress, Lesson, LessonProgress

COUNTS = ("plain_read", "quiz_read", "passed", "passed_and_read", "tried")
COLUMNS = (*COUNTS, "scores", "unpassed")


def _counts(course_id: int, user_id: int | None):
    """SELECT user, course, the five counts, the best scores (`_scores`) and the quizzes
    not passed (`_unpassed`) from the read marks and standings."""
    active_quiz = and_(Quiz.lesson_id == Lesson.id, Quiz.archived_at.is_(None))
    reads = (select(LessonProgress.user_id.label("user_id"),
                    case((Quiz.id.is_(None), 1), else_=0).label("plain_read"),
                    case((Quiz.id.is_(None), 0), else_=1).label("quiz_read"),
                    literal(0).label("passed"), literal(0).label("passed_and_read"),
                    literal(0).label("tried"), cast(null(), Integer).label("position"),
                    cast(null(), Integer).label("best"), cast(null(), String).label("unpassed"))
             .join(Lesson, Lesson.id == LessonProgress.lesson_id).outerjoin(Quiz, active_quiz)
             .where(Lesson.course_id == course_id, Lesson.archived_at.is_(None),
                    LessonProgress.cycle == cycles.current(LessonProgress.user_id, course_id)))
    passed = case((QuizStanding.passed, 1), else_=0)
    read = exists().where(LessonProgress.user_id == QuizStanding.user_id,
                          LessonProgress.lesson_id == Lesson.id,
                          LessonProgress.cycle == QuizStanding.cycle)
    standings = (select(QuizStanding.user_id, literal(0), literal(0), passed,
                        case((and_(QuizStanding.passed, read), 1), else_=0), literal(1),
                        Lesson.position, QuizStanding.best_score, _unpassed())
                 .join(Quiz, Quiz.id == QuizStanding.quiz_id)
                 .join(Lesson, active_quiz)
                 .where(Lesson.course_id == course_id, Lesson.archived_at.is_(None),
                        QuizStanding.cycle == cycles.current(QuizStanding.user_id, course_id)))
    if user_id is not None:
        reads = reads.where(LessonProgress.user_id == user_id)
        standings = standings.where(QuizStanding.user_id == user_id)
    # In lesson order, which SQLite keeps from here when it cannot be told (strings_in_order).
    facts = union_all(reads, standings).order_by("user_id", "position").subquery()
    return (select(facts.c.user_id, literal(course_id),
                   *(func.sum(facts.c[name]) for name in COUNTS), _scores(facts),
                   func.aggregate_strings(facts.c.unpassed, " "))
            .where(true()).group_by(facts.c.user_id))


def _unpassed():
    """A standing not passed as "quiz:best:failures:attempts" (NULL if passed): what a
    clinic's report says who is struggling or out of attempts by (clinics/report_queries.py)."""
    text = cast(QuizStanding.quiz_id, String)
    for number in (QuizStanding.best_score, QuizStanding.failures, QuizStanding.attempts):
        text = text + ":" + cast(number, String)
    return case((QuizStanding.passed, null()), else_=text)


def _scores(facts):
    """The best scores as "positions|scores": the lessons' positions, then their quizzes'
    best scores, each list joined by spaces, both in lesson order ("1 2 5|100 80 40"; NULL
    if no quiz was tried). A clinic's CSV writes a learner's scores as they are when the
    positions are the first of the course's quizzes, as they mostly are (see
    clinics/report_csv.py)."""
    def joined(column):
        return strings_in_order(cast(column, String), " ", facts.c.position)
    return joined(facts.c.position) + "|" + joined(facts.c.best)


def refresh(course_id: int, user_id: int | None = None, *, fresh: bool = False) -> None:
    """Recount `user_id`'s row for the course (every learner's with None) from the facts;
    call it inside the write transaction that changed them. Counts of one learner only grow
    between two refreshes, so theirs is one upsert; a whole course (lessons or quizzes
    archived) is counted again from nothing, and so is a learner's row when a new cycle
    starts (`fresh`: its row goes, as there is nothing yet to count)."""
    if user_id is None or fresh:
        db.session.execute(delete(CourseProgress).where(
            CourseProgress.course_id == course_id,
            true() if user_id is None else CourseProgress.user_id == user_id))
    db.session.execute(_refresh_statement(_counts(course_id, user_id)))


def refresh_if_published(course_id: int, user_id: int) -> bool | None:
    """refresh() of one learner's row that checks, in the same statement, that the course
    is published as stored now: None if not (nothing was counted; the caller raises, so
    that its transaction rolls back). Otherwise whether the learner has sent the course's
    evaluation or holds its certificate: without that, nothing they do completes the course
    (progress.course_progress), so the caller need not read their progress to know. A
    submission learns both from the statement it sends anyway."""
    published = exists().where(Course.id == course_id, Course.status == CourseStatus.PUBLISHED)
    evaluated = or_(
        exists().where(CourseEvaluation.user_id == user_id,
                       CourseEvaluation.course_id == course_id),
        exists().where(Certificate.user_id == user_id, Certificate.course_id == course_id))
    # RETURNING, not rowcount: psycopg reports -1 rows for an INSERT ... SELECT upsert.
    row = db.session.execute(_refresh_statement(
        _counts(course_id, user_id).where(published)).returning(evaluated)).first()
    return None if row is None else bool(row[0])


def _refresh_statement(counts):
    statement = insert_on_conflict(CourseProgress).from_select(["user_id", "course_id", *COLUMNS], counts)
    return statement.on_conflict_do_update(
        index_elements=["user_id", "course_id"],
        set_={name: getattr(statement.excluded, name) for name in COLUMNS})
