"""A clinic's compliance report: every staff member x every course assigned to them, read
from the same stored facts as a learner's progress (their counted copy in course_progress,
quiz standings, certificates) in a fixed number of statements, whatever the staff count."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import NamedTuple

from sqlalchemy import (String, case, cast, exists, func, literal, null, select,
                        true, type_coerce, union_all)

from .. import cycles
from ..accounts.models import User
from ..certificates.models import Certificate, CertificateStatus
from ..cycles import CourseCycle
from ..database import UTCDateTime, db
from ..learning.models import Course, CourseProgress, Lesson
from ..progress import percent
from ..recurrence import expired, expires_on
from ..quizzes import policy
from ..quizzes.models import AttemptGrant, Quiz, QuizStanding, QuizVersion
from ..runtime import Settings
from .compliance import (AssignmentFacts, PastCycle, QuizResult, ReportRow, Standing,
                         due_on, effective_due_dates, status)
from .models import Assignment, ClinicRole, Invitation, Leaver, Membership, in_force, on_staff


def _staff_ids(clinic_id: int):
    """Whose training the report reads: the staff, and those who left it."""
    return union_all(
        select(Membership.user_id).where(Membership.clinic_id == clinic_id, on_staff()),
        select(Leaver.user_id).where(Leaver.clinic_id == clinic_id,
                                     Leaver.returned_at.is_(None)))


def _people(clinic_id: int):
    """The staff, those who left (and have not come back) and those invited who have not
    joined: in one statement."""
    staff = (
        select(literal(Standing.STAFF.value).label("standing"), User.id, User.legal_name,
               User.family_name, User.email, User.licence_number, User.licence_state,
               Membership.joined_at, Membership.evidence_notice_at,
               # The first select gives the union its types.
               type_coerce(null(), UTCDateTime).label("left_at"), User.deleted_at)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.clinic_id == clinic_id, on_staff()))
    former = (
        select(literal(Standing.FORMER.value), User.id, User.legal_name, User.family_name,
               User.email, null(), null(), Leaver.joined_at, null(), Leaver.left_at,
               User.deleted_at)
        .join(Leaver, Leaver.user_id == User.id)
        .where(Leaver.clinic_id == clinic_id, Leaver.returned_at.is_(None), ~exists().where(
            Membership.clinic_id == clinic_id, Membership.user_id == User.id)))
    invited = (
        select(literal(Standing.INVITED.value), null(), Invitation.legal_name, literal(""),
               Invitation.email, null(), null(), Invitation.sent_at, null(), null(), null())
        .where(Invitation.clinic_id == clinic_id, Invitation.role == ClinicRole.STAFF,
               Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)))
    return db.session.execute(union_all(staff, former, invited)).all()


def course_count(clinic_id: int) -> int:
    """How many courses the clinic assigned (the report's view depends on it)."""
    return db.session.scalar(select(func.count(func.distinct(Assignment.course_id)))
                             .where(Assignment.clinic_id == clinic_id, in_force())) or 0


def report(clinic_id: int, settings: Settings, now: dt.datetime, *, quizzes: bool = True,
           withdrawn: bool = False, scores: bool = False) -> list[ReportRow]:
    """Every person x every course assigned to them (staff, former staff and those invited),
    in six statements (five without `quizzes`: the matrix shows states only, not the quizzes
    tried and not passed yet); with `withdrawn`, also a row per withdrawn assignment
    (as it stood when withdrawn); with `scores`, each quiz's best score (the CSV's)."""
    today = settings.local_date(now)
    people = _people(clinic_id)
    assignments = db.session.execute(
        select(Assignment.course_id, Assignment.user_id, Assignment.due_on,
               Assignment.assigned_at, Assignment.withdrawn_at, Assignment.recur_months,
               Course.title)
        .join(Course, Course.id == Assignment.course_id)
        .where(Assignment.clinic_id == clinic_id, true() if withdrawn else in_force())).all()
    if not people or not assignments:
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
    counted = _progress_counts(clinic_id, course_ids, scores)
    shown_quizzes = _quiz_results(clinic_id, lessons) if quizzes else {}
    # Revoked certificates too: the row says "certificate revoked", and is not completed.
    # Each cycle's, oldest first: the newest is the row's, the others its history. With
    # each, the newest cycle opened for the person and course, if any (a cycle is opened
    # only for someone holding a certificate of the course, so it is always found here).
    newest = (select(CourseCycle).where(CourseCycle.user_id == Certificate.user_id,
                                        CourseCycle.course_id == Certificate.course_id)
              .order_by(CourseCycle.number.desc()).limit(1))
    certified: dict[tuple[int, int], list] = {}
    opened: dict[tuple[int, int], _Opened] = {}
    for row in db.session.execute(
            select(Certificate.user_id, Certificate.course_id, Certificate.completed_on,
                   Certificate.code, Certificate.ce_hours, Certificate.status,
                   Certificate.issued_at, Certificate.cycle,
                   newest.with_only_columns(CourseCycle.number).scalar_subquery()
                   .label("opened"),
                   newest.with_only_columns(CourseCycle.due_on).scalar_subquery()
                   .label("opened_due"))
            .where(Certificate.user_id.in_(_staff_ids(clinic_id)),
                   Certificate.course_id.in_(course_ids)).order_by(Certificate.cycle)):
        certified.setdefault((row.user_id, row.course_id), []).append(row)
        if row.opened is not None:
            opened[(row.user_id, row.course_id)] = _Opened(row.opened, row.opened_due)
    titles = {row.course_id: row.title for row in assignments}
    personal = {row.user_id for row in assignments if row.user_id is not None}
    asked_of: dict[tuple, list] = {}  # the same for everyone who joined at the same moment
    rows = []
    for person in people:
        standing = Standing(person.standing)
        user_id = person.id
        evidence = standing is Standing.STAFF and person.evidence_notice_at is not None
        key = (person.joined_at, user_id if user_id in personal else None)
        if key not in asked_of:
            asked_of[key] = _asked(assignments, user_id, person.joined_at, settings.timezone)
        for course_id, due_date, withdrawn_at, recur_months in asked_of[key]:
            # What counts is what happened while the person was on the staff and the
            # assignment stood.
            ended = min((moment for moment in (person.left_at, withdrawn_at) if moment),
                        default=None)
            as_of = settings.local_date(ended) if ended else today
            done = counted.get((user_id, course_id), _NO_PROGRESS)
            unpassed_read = done.quiz_read - done.passed_and_read
            # Completed after leaving: not the clinic's record.
            theirs = [found for found in certified.get((user_id, course_id), ())
                      if ended is None or found.issued_at <= ended]
            certificate = theirs[-1] if theirs else None
            cycle = opened.get((user_id, course_id))
            revoked = certificate is not None \
                and certificate.status is not CertificateStatus.VALID
            valid = certificate if certificate is not None and not revoked else None
            expiry = expires_on(valid.completed_on, recur_months) \
                if valid is not None and recur_months else None
            lapsed = None
            if expiry is not None and expired(expiry, as_of):
                # Training that recurs is met by a completion within its months only: the
                # next one is due the day this one expires.
                lapsed, valid, due_date = valid.completed_on, None, expiry
            if cycle is not None and recur_months and (
                    certificate is None or certificate.cycle < cycle.number):
                # A new cycle is open and not completed yet: it is due when remind said.
                due_date = cycle.due_on
            # Until told, the managers see completion dates only (no certificate, no CEs). A
            # deleted account shows as "Deleted account" with its date and certificate code.
            shown = valid is not None and (evidence or standing is Standing.FORMER
                                           or person.deleted_at is not None)
            started = bool(done.plain_read or unpassed_read or done.tried)
            rows.append(ReportRow(
                user_id, person.legal_name or person.email,
                "" if person.deleted_at is not None else person.email, course_id,
                titles[course_id], due_date,
                status(completed=valid is not None, started=started, due=due_date,
                       today=as_of),
                # A lesson with a quiz is complete when read and passed; either alone is half.
                percent(lesson_count[course_id], done.plain_read + done.passed_and_read,
                        unpassed_read + done.passed - done.passed_and_read),
                quiz_count[course_id], done.passed, shown_quizzes.get((user_id, course_id), ()),
                valid.completed_on if valid else None, valid.code if shown else None,
                family_name=person.family_name, standing=standing,
                left_on=settings.local_date(person.left_at) if person.left_at else None,
                evidence=evidence,
                licence_number=person.licence_number if evidence else None,
                licence_state=person.licence_state if evidence else None,
                ce_hours=valid.ce_hours if shown else None, revoked=revoked,
                withdrawn_on=settings.local_date(withdrawn_at) if withdrawn_at else None,
                best_scores=done.scores or "", recur_months=recur_months,
                expires_on=expiry, expired_completion=lapsed,
                cycle=cycle.number if cycle is not None else 1,
                history=tuple(
                    PastCycle(past.cycle, past.completed_on,
                              past.code if evidence or standing is Standing.FORMER else None,
                              expires_on(past.completed_on, recur_months) if recur_months
                              else None)
                    for past in theirs[:-1])))
    return rows


class _Opened(NamedTuple):
    number: int
    due_on: dt.date


class _Asked(NamedTuple):
    course_id: int
    due: dt.date
    withdrawn_at: dt.datetime | None  # None: in force
    recur_months: int | None  # None: once is enough


def _asked(assignments, user_id: int | None, joined_at: dt.datetime,
           timezone: dt.tzinfo) -> list[_Asked]:
    """What the clinic asks of one person: each course in force (a personal assignment
    replacing the clinic's), and each withdrawn assignment that was ever theirs."""
    mine = [a for a in assignments if a.user_id is None or (user_id and a.user_id == user_id)]

    def facts(a):
        return AssignmentFacts(a.course_id, a.due_on, a.user_id is not None, a.assigned_at,
                               joined_at, timezone)

    in_force = [a for a in mine if a.withdrawn_at is None]
    recur = {a.course_id: a.recur_months
             for a in sorted(in_force, key=lambda a: a.user_id is not None)}
    due = effective_due_dates(facts(a) for a in in_force)
    return [_Asked(course_id, due_date, None, recur[course_id])
            for course_id, due_date in due.items()] + [
        _Asked(a.course_id, due_on(facts(a)), a.withdrawn_at, a.recur_months) for a in mine
        if a.withdrawn_at is not None and a.withdrawn_at > joined_at]


def quiz_columns(course_ids: list[int]) -> list[tuple[int, int, str]]:
    """Each quiz of these courses as (course id, lesson position, lesson title), in course
    and lesson order: the CSV's best-score columns."""
    return [tuple(row) for row in db.session.execute(
        select(Lesson.course_id, Lesson.position, Lesson.title)
        .join(Quiz, (Quiz.lesson_id == Lesson.id) & Quiz.archived_at.is_(None))
        .where(Lesson.course_id.in_(course_ids), Lesson.archived_at.is_(None))
        .order_by(Lesson.course_id, Lesson.position))]


def _progress_counts(clinic_id: int, course_ids: list[int],
                     scores: bool) -> dict[tuple[int, int], CourseProgress]:
    """(user, course) -> the counted read marks and quiz standings (`course_progress`, kept
    by the operations that change them), with the best scores if asked: one narrow row per
    person and course."""
    return {(row.user_id, row.course_id): row for row in db.session.execute(
        select(CourseProgress.user_id, CourseProgress.course_id, CourseProgress.plain_read,
               CourseProgress.quiz_read, CourseProgress.passed,
               CourseProgress.passed_and_read, CourseProgress.tried,
               CourseProgress.scores if scores else null().label("scores"))
        .where(CourseProgress.user_id.in_(_staff_ids(clinic_id)),
               CourseProgress.course_id.in_(course_ids)))}


class _NoProgress(NamedTuple):
    plain_read: int = 0
    quiz_read: int = 0
    passed: int = 0
    passed_and_read: int = 0
    tried: int = 0
    scores: str | None = None


_NO_PROGRESS = _NoProgress()


class _LessonFacts(NamedTuple):
    course_id: int
    position: int
    title: str
    max_attempts: int  # of its quiz's current version; 0: no limit (or no quiz)


def _quiz_results(clinic_id: int, lessons: dict[int, _LessonFacts]
                  ) -> dict[tuple[int, int], tuple[QuizResult, ...]]:
    """(user, course) -> the quizzes tried and not passed yet (what says who is struggling,
    out of attempts or weakest where), in lesson order, each with its best score, pass, failures and whether its
    attempts are used up. From the standings the attempts keep, grouped by course in SQL, so
    that one short row per person and course crosses over, its quizzes packed as
    "lesson:best:passed:fails:tries:granted"."""
    quizzes = select(Quiz.id).where(Quiz.lesson_id.in_(list(lessons)),
                                    Quiz.archived_at.is_(None))
    per_quiz = (
        select(QuizStanding.user_id, QuizStanding.quiz_id,
               QuizStanding.best_score.label("best"),
               case((QuizStanding.passed, 1), else_=0).label("passes"),
               QuizStanding.failures.label("fails"), QuizStanding.attempts.label("tries"),
               QuizStanding.cycle)
        .where(QuizStanding.user_id.in_(_staff_ids(clinic_id)),
               QuizStanding.quiz_id.in_(quizzes), QuizStanding.passed.is_(False),
               # The person's current cycle only (nmt_course/cycles.py).
               QuizStanding.cycle == cycles.of_quiz(QuizStanding.user_id,
                                                    QuizStanding.quiz_id))).subquery()
    # Extra attempts granted matter only while the quiz is not passed: looked up only then.
    granted = case((per_quiz.c.passes == 0, select(
        func.coalesce(func.sum(AttemptGrant.attempts), 0))
        .where(AttemptGrant.user_id == per_quiz.c.user_id,
               AttemptGrant.quiz_id == per_quiz.c.quiz_id,
               AttemptGrant.cycle == per_quiz.c.cycle).scalar_subquery()), else_=0)
    rows = db.session.execute(
        select(per_quiz.c.user_id, Lesson.course_id,
               func.aggregate_strings(_packed(Lesson.id, per_quiz.c.best, per_quiz.c.passes,
                                              per_quiz.c.fails, per_quiz.c.tries, granted),
                                      " "))
        .join(Quiz, Quiz.id == per_quiz.c.quiz_id).join(Lesson, Lesson.id == Quiz.lesson_id)
        .group_by(per_quiz.c.user_id, Lesson.course_id))
    results, locked = {}, {}
    for user_id, course_id, quizzes_text in rows:
        unpacked = []
        for part in quizzes_text.split():
            lesson_id, best, passes, fails, tries, granted = map(int, part.split(":"))
            _, position, title, max_attempts = lessons[lesson_id]
            # The policy's answer depends on these four numbers only: asked once each.
            key = (tries, passes, max_attempts, granted)
            if key not in locked:
                locked[key] = policy.out_of_attempts(policy.Standing(
                    attempts_used=tries, passed=passes > 0, current_version_id=None,
                    max_attempts=policy.attempt_limit(max_attempts, granted)))
            unpacked.append(QuizResult(title, position, best, passes > 0, fails, locked[key]))
        unpacked.sort(key=lambda result: result.position)
        results[(user_id, course_id)] = tuple(unpacked)
    return results


def _packed(*columns):
    """SQL: the columns as text joined by colons."""
    text = cast(columns[0], String)
    for column in columns[1:]:
        text = text + ":" + cast(column, String)
    return text
