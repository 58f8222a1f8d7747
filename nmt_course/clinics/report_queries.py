"""A clinic's compliance report: every staff member x every course assigned to them, read
from the same stored facts as a learner's progress (read marks, quiz standings, certificates)
in a fixed number of statements, whatever the staff count."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import String, and_, case, cast, exists, func, or_, select

from ..accounts.models import User
from ..certificates.models import Certificate, CertificateStatus
from ..database import db
from ..learning.models import Course, Lesson, LessonProgress
from ..progress import percent
from ..quizzes import policy
from ..quizzes.models import AttemptGrant, Quiz, QuizStanding, QuizVersion
from ..runtime import Settings
from .compliance import (STRUGGLING_FAILS, AssignmentFacts, QuizResult, ReportRow,
                         effective_due_dates, status)
from .models import Assignment, Membership, on_staff


def _staff_ids(clinic_id: int):
    return select(Membership.user_id).where(Membership.clinic_id == clinic_id, on_staff())


def report(clinic_id: int, settings: Settings, now: dt.datetime, *,
           detail: bool = False) -> list[ReportRow]:
    """Every staff member x every course assigned to them, in six statements; with `detail`,
    each row holds every quiz tried (for the CSV), not only those the page shows."""
    today = settings.local_date(now)
    staff = db.session.execute(
        select(User.id, User.legal_name, User.email, Membership.joined_at)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.clinic_id == clinic_id, on_staff())).all()
    assignments = db.session.execute(
        select(Assignment.course_id, Assignment.user_id, Assignment.due_on,
               Assignment.assigned_at, Course.title)
        .join(Course, Course.id == Assignment.course_id)
        .where(Assignment.clinic_id == clinic_id)).all()
    if not staff or not assignments:
        return []
    course_ids = sorted({row.course_id for row in assignments})
    limit = (select(QuizVersion.max_attempts).where(QuizVersion.quiz_id == Quiz.id)
             .order_by(QuizVersion.number.desc()).limit(1).scalar_subquery())
    lessons, quiz_count = {}, Counter()
    for lesson_id, course_id, position, title, quiz_id, max_attempts in db.session.execute(
            select(Lesson.id, Lesson.course_id, Lesson.position, Lesson.title, Quiz.id, limit)
            .outerjoin(Quiz, (Quiz.lesson_id == Lesson.id) & Quiz.archived_at.is_(None))
            .where(Lesson.course_id.in_(course_ids), Lesson.archived_at.is_(None))):
        lessons[lesson_id] = _LessonFacts(course_id, position, title, max_attempts or 0)
        quiz_count[course_id] += quiz_id is not None
    lesson_count = Counter(lesson.course_id for lesson in lessons.values())
    reads = _read_counts(clinic_id, course_ids)
    quizzes = _quiz_results(clinic_id, lessons, detail=detail)
    certificates = {(user_id, course_id): (completed_on, code) for user_id, course_id,
                    completed_on, code in db.session.execute(
                        select(Certificate.user_id, Certificate.course_id,
                               Certificate.completed_on, Certificate.code)
                        .where(Certificate.user_id.in_(_staff_ids(clinic_id)),
                               Certificate.course_id.in_(course_ids),
                               Certificate.status == CertificateStatus.VALID))}
    titles = {row.course_id: row.title for row in assignments}
    rows = []
    for user_id, name, email, joined_at in staff:
        due = effective_due_dates(
            AssignmentFacts(a.course_id, a.due_on, a.user_id is not None, a.assigned_at,
                            joined_at, settings.timezone)
            for a in assignments if a.user_id in (None, user_id))
        for course_id, due_date in due.items():
            tried = quizzes.get((user_id, course_id), _NONE_TRIED)
            plain_read, quiz_read = reads.get((user_id, course_id), (0, 0))
            unpassed_read = quiz_read - tried.passed_and_read
            passed = tried.passed
            certificate = certificates.get((user_id, course_id))
            started = bool(plain_read or unpassed_read or tried.tried)
            rows.append(ReportRow(
                user_id, name, email, course_id, titles[course_id], due_date,
                status(completed=certificate is not None, started=started, due=due_date,
                       today=today),
                # A lesson with a quiz is complete when read and passed; either alone is half.
                percent(lesson_count[course_id], plain_read + tried.passed_and_read,
                        unpassed_read + passed - tried.passed_and_read),
                quiz_count[course_id], passed, tried.results,
                certificate[0] if certificate else None,
                certificate[1] if certificate else None))
    return rows


def _read_counts(clinic_id: int, course_ids: list[int]) -> dict[tuple[int, int], tuple[int, int]]:
    """(user, course) -> (lessons without a quiz read, lessons with a quiz read)."""
    rows = db.session.execute(
        select(LessonProgress.user_id, Lesson.course_id,
               func.count(case((Quiz.id.is_(None), 1))), func.count(Quiz.id))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .outerjoin(Quiz, (Quiz.lesson_id == Lesson.id) & Quiz.archived_at.is_(None))
        .where(LessonProgress.user_id.in_(_staff_ids(clinic_id)),
               Lesson.course_id.in_(course_ids), Lesson.archived_at.is_(None))
        .group_by(LessonProgress.user_id, Lesson.course_id))
    return {(user_id, course_id): (plain, with_quiz) for user_id, course_id, plain, with_quiz
            in rows}


class _LessonFacts(NamedTuple):
    course_id: int
    position: int
    title: str
    max_attempts: int  # of its quiz's current version; 0: no limit (or no quiz)


@dataclass(frozen=True)
class _QuizzesOf:
    """One person's quizzes in one course."""

    passed: int
    passed_and_read: int  # passed quizzes whose lesson is marked as read too
    tried: int
    results: tuple[QuizResult, ...]  # in lesson order: all, or those not passed or failed twice


_NONE_TRIED = _QuizzesOf(0, 0, 0, ())


def _quiz_results(clinic_id: int, lessons: dict[int, _LessonFacts], *,
                  detail: bool) -> dict[tuple[int, int], _QuizzesOf]:
    """(user, course) -> how many quizzes they passed and tried, with each quiz's best score,
    pass, failures and whether its attempts are used up: every quiz with `detail`, else only
    those the page shows (not passed yet, or failed twice). From the standings the attempts
    keep, grouped by course in SQL, so that one short row per person and course crosses
    over, its quizzes packed as "lesson:best:passed:fails:tries:granted"."""
    quizzes = select(Quiz.id).where(Quiz.lesson_id.in_(list(lessons)),
                                    Quiz.archived_at.is_(None))
    per_quiz = (
        select(QuizStanding.user_id, QuizStanding.quiz_id,
               QuizStanding.best_score.label("best"),
               case((QuizStanding.passed, 1), else_=0).label("passes"),
               QuizStanding.failures.label("fails"), QuizStanding.attempts.label("tries"))
        .where(QuizStanding.user_id.in_(_staff_ids(clinic_id)),
               QuizStanding.quiz_id.in_(quizzes))).subquery()
    read = exists().where(LessonProgress.user_id == per_quiz.c.user_id,
                          LessonProgress.lesson_id == Lesson.id)
    # Extra attempts granted matter only while the quiz is not passed: looked up only then.
    granted = case((per_quiz.c.passes == 0, select(
        func.coalesce(func.sum(AttemptGrant.attempts), 0))
        .where(AttemptGrant.user_id == per_quiz.c.user_id,
               AttemptGrant.quiz_id == per_quiz.c.quiz_id).scalar_subquery()), else_=0)
    fields = [cast(column, String) for column in (Lesson.id, per_quiz.c.best,
                                                  per_quiz.c.passes, per_quiz.c.fails,
                                                  per_quiz.c.tries, granted)]
    packed = fields[0]
    for field in fields[1:]:
        packed = packed + ":" + field
    if not detail:
        packed = case((or_(per_quiz.c.passes == 0, per_quiz.c.fails >= STRUGGLING_FAILS),
                       packed))
    rows = db.session.execute(
        select(per_quiz.c.user_id, Lesson.course_id,
               func.count(case((per_quiz.c.passes > 0, 1))),
               func.count(case((and_(per_quiz.c.passes > 0, read), 1))), func.count(),
               func.aggregate_strings(packed, " "))
        .join(Quiz, Quiz.id == per_quiz.c.quiz_id).join(Lesson, Lesson.id == Quiz.lesson_id)
        .group_by(per_quiz.c.user_id, Lesson.course_id))
    results = {}
    for user_id, course_id, passed, passed_and_read, tried, text in rows:
        unpacked = []
        for part in (text or "").split():
            lesson_id, best, passes, fails, tries, granted = map(int, part.split(":"))
            _, position, title, max_attempts = lessons[lesson_id]
            standing = policy.Standing(attempts_used=tries, passed=passes > 0,
                                       current_version_id=None,
                                       max_attempts=policy.attempt_limit(max_attempts, granted))
            unpacked.append(QuizResult(title, position, best, passes > 0, fails,
                                       policy.out_of_attempts(standing)))
        unpacked.sort(key=lambda result: result.position)
        results[(user_id, course_id)] = _QuizzesOf(passed, passed_and_read, tried,
                                                   tuple(unpacked))
    return results


