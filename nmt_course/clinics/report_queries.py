"""A clinic's compliance report: every staff member x every course assigned to them, read
from the same stored facts as a learner's progress (their counted copy in course_progress,
quiz standings, certificates) in a fixed number of statements, whatever the staff count."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import NamedTuple

from sqlalchemy import (DateTime, exists, func, literal, null, select, true, type_coerce,
                        union_all)

from .. import cycles
from ..accounts.models import User
from ..certificates.models import Certificate, CertificateStatus
from ..cycles import CourseCycle
from ..database import UTCDateTime, db
from ..learning.models import Course, CourseProgress, Lesson
from ..progress import percent
from ..recurrence import expired, expires_on
from ..quizzes import policy
from ..quizzes.models import AttemptGrant, Quiz, QuizVersion
from ..runtime import Settings
from .compliance import (AssignmentFacts, PastCycle, QuizResult, ReportRow, Standing, Status,
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
    return _read(union_all(staff, former, invited))


def course_count(clinic_id: int) -> int:
    """How many courses the clinic assigned (the report's view depends on it)."""
    return db.session.scalar(select(func.count(func.distinct(Assignment.course_id)))
                             .where(Assignment.clinic_id == clinic_id, in_force())) or 0


def _read(statement) -> list:
    """The statement's rows as the database driver gives them, fetched at once (Core, not
    the ORM's row loading, which costs more than the report's own work at 5,000 pairs)."""
    return db.session.connection().execute(statement).all()


def report(clinic_id: int, settings: Settings, now: dt.datetime, *, quizzes: bool = True,
           withdrawn: bool = False, scores: bool = False) -> list[ReportRow]:
    """Every person x every course assigned to them (staff, former staff and those invited),
    in six statements (five without `quizzes`: the matrix shows states only, not the quizzes
    tried and not passed yet); with `withdrawn`, also a row per withdrawn assignment
    (as it stood when withdrawn); with `scores`, each quiz's best score (the CSV's)."""
    today = settings.local_date(now)
    local_date = settings.local_date
    people = _people(clinic_id)
    assignments = _read(
        select(Assignment.course_id, Assignment.user_id, Assignment.due_on,
               Assignment.assigned_at, Assignment.withdrawn_at, Assignment.recur_months,
               Course.title)
        .join(Course, Course.id == Assignment.course_id)
        .where(Assignment.clinic_id == clinic_id, true() if withdrawn else in_force()))
    if not people or not assignments:
        return []
    course_ids = sorted({row.course_id for row in assignments})
    limit = (select(QuizVersion.max_attempts).where(QuizVersion.quiz_id == Quiz.id)
             .order_by(QuizVersion.number.desc()).limit(1).scalar_subquery())
    lesson_count, quiz_count = Counter(), Counter()
    quiz_lessons: dict[str, _LessonFacts] = {}  # by quiz id, as course_progress writes it
    for course_id, position, title, quiz_id, max_attempts in _read(
            select(Lesson.course_id, Lesson.position, Lesson.title, Quiz.id, limit)
            .outerjoin(Quiz, (Quiz.lesson_id == Lesson.id) & Quiz.archived_at.is_(None))
            .where(Lesson.course_id.in_(course_ids), Lesson.archived_at.is_(None))):
        lesson_count[course_id] += 1
        if quiz_id is not None:
            quiz_count[course_id] += 1
            quiz_lessons[str(quiz_id)] = _LessonFacts(position, title, max_attempts or 0)
    counted = _progress_counts(clinic_id, course_ids, scores=scores, quizzes=quizzes)
    # (Without `quizzes`, nothing is unpassed: the column is not read.)
    results = _QuizResults(quiz_lessons, _granted(clinic_id, course_ids)) if quizzes else None
    # Revoked certificates too: the row says "certificate revoked", and is not completed.
    # Each cycle's, oldest first: the newest is the row's, the others its history. With
    # each, the newest cycle opened for the person and course, if any (a cycle is opened
    # only for someone holding a certificate of the course, so it is always found here).
    newest = (select(CourseCycle).where(CourseCycle.user_id == Certificate.user_id,
                                        CourseCycle.course_id == Certificate.course_id)
              .order_by(CourseCycle.number.desc()).limit(1))
    certified: dict[tuple[int, int], list] = {}
    opened: dict[tuple[int, int], tuple[int, dt.date]] = {}
    for user_id, course_id, *certificate, opened_number, opened_due in _read(
            select(Certificate.user_id, Certificate.course_id, Certificate.completed_on,
                   Certificate.code, Certificate.ce_hours,
                   (Certificate.status == CertificateStatus.VALID).label("valid"),
                   # As stored (naive UTC): thousands of them, compared with a day the
                   # person left only for those who left.
                   type_coerce(Certificate.issued_at, DateTime()), Certificate.cycle,
                   newest.with_only_columns(CourseCycle.number).scalar_subquery(),
                   newest.with_only_columns(CourseCycle.due_on).scalar_subquery())
            .where(Certificate.user_id.in_(_staff_ids(clinic_id)),
                   Certificate.course_id.in_(course_ids)).order_by(Certificate.cycle)):
        certified.setdefault((user_id, course_id), []).append(certificate)
        if opened_number is not None:
            opened[(user_id, course_id)] = (opened_number, opened_due)
    titles = {row.course_id: row.title for row in assignments}
    personal = {row.user_id for row in assignments if row.user_id is not None}
    asked_of: dict[tuple, list] = {}  # the same for everyone who joined at the same moment
    rows = []
    for (standing, user_id, legal_name, family_name, email, licence_number, licence_state,
         joined_at, evidence_notice_at, left_at, deleted_at) in people:
        standing = Standing(standing)
        evidence = standing is Standing.STAFF and evidence_notice_at is not None
        # Until told, the managers see completion dates only (no certificate, no CEs). A
        # deleted account shows as "Deleted account" with its date and certificate code.
        proof = evidence or standing is Standing.FORMER or deleted_at is not None
        name, shown_email = legal_name or email, "" if deleted_at is not None else email
        left_on = local_date(left_at) if left_at else None
        if not evidence:
            licence_number = licence_state = None
        key = (joined_at, user_id if user_id in personal else None)
        if key not in asked_of:
            asked_of[key] = _asked(assignments, user_id, joined_at, settings.timezone)
        for course_id, due_date, withdrawn_at, recur_months in asked_of[key]:
            # What counts is what happened while the person was on the staff and the
            # assignment stood.
            if withdrawn_at is None:
                ended, as_of = left_at, left_on or today
            else:
                ended = min(left_at, withdrawn_at) if left_at else withdrawn_at
                as_of = local_date(ended)
            pair = (user_id, course_id)  # the key of every lookup below
            (plain_read, quiz_read, passed, passed_and_read, tried, best_scores,
             unpassed) = counted.get(pair, _NO_PROGRESS)
            unpassed_read = quiz_read - passed_and_read
            # Completed after leaving: not the clinic's record.
            theirs = certified.get(pair, ())
            if theirs and ended is not None:
                stored_end = ended.astimezone(dt.timezone.utc).replace(tzinfo=None)
                theirs = [found for found in theirs if found[4] <= stored_end]
            certificate = theirs[-1] if theirs else None
            revoked = lapsed = expiry = None
            cycle = 1
            if certificate is not None:
                completed_on, code, ce_hours, valid = certificate[:4]
                if not valid:
                    certificate, revoked = None, True
                elif recur_months:
                    expiry = expires_on(completed_on, recur_months)
                    if expired(expiry, as_of):
                        # Training that recurs is met by a completion within its months
                        # only: the next one is due the day this one expires.
                        certificate, lapsed, due_date = None, completed_on, expiry
            if pair in opened:
                cycle, cycle_due = opened[pair]
                if recur_months and (not theirs or theirs[-1][5] < cycle):
                    # A new cycle is open and not completed yet: due when remind said.
                    due_date = cycle_due
            if certificate is None:
                completed_on = code = ce_hours = None
                state = status(completed=False, due=due_date, today=as_of,
                               started=bool(plain_read or unpassed_read or tried))
            else:
                state = Status.COMPLETED
                if not proof:
                    code = ce_hours = None
            # Positional, in ReportRow's order: a keyword call costs more than the rest of
            # the row at 5,000 pairs.
            rows.append(_new_row(ReportRow, (
                user_id, name, shown_email, course_id, titles[course_id], due_date, state,
                # A lesson with a quiz is complete when read and passed; either alone is
                # half.
                percent(lesson_count[course_id], plain_read + passed_and_read,
                        unpassed_read + passed - passed_and_read),
                quiz_count[course_id], passed,
                results.of(user_id, unpassed) if unpassed else (),
                completed_on, code, family_name, standing, left_on, evidence,
                licence_number, licence_state, ce_hours, bool(revoked),
                local_date(withdrawn_at) if withdrawn_at else None, best_scores or "",
                recur_months, expiry, lapsed, cycle,
                tuple(PastCycle(past[5], past[0],
                                past[1] if evidence or standing is Standing.FORMER else None,
                                expires_on(past[0], recur_months) if recur_months else None)
                      for past in theirs[:-1]) if len(theirs) > 1 else ())))
    return rows


_new_row = tuple.__new__


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


def _progress_counts(clinic_id: int, course_ids: list[int], *, scores: bool,
                     quizzes: bool) -> dict[tuple[int, int], tuple]:
    """(user, course) -> the counted read marks and quiz standings (`course_progress`, kept
    by the operations that change them), with the best scores and the quizzes not passed if
    asked: one narrow row per person and course."""
    return {(row[0], row[1]): row[2:] for row in _read(
        select(CourseProgress.user_id, CourseProgress.course_id, CourseProgress.plain_read,
               CourseProgress.quiz_read, CourseProgress.passed,
               CourseProgress.passed_and_read, CourseProgress.tried,
               CourseProgress.scores if scores else null().label("scores"),
               CourseProgress.unpassed if quizzes else null().label("unpassed"))
        .where(CourseProgress.user_id.in_(_staff_ids(clinic_id)),
               CourseProgress.course_id.in_(course_ids)))}


class _NoProgress(NamedTuple):
    plain_read: int = 0
    quiz_read: int = 0
    passed: int = 0
    passed_and_read: int = 0
    tried: int = 0
    scores: str | None = None
    unpassed: str | None = None


_NO_PROGRESS = _NoProgress()


class _LessonFacts(NamedTuple):
    position: int
    title: str
    max_attempts: int  # of its quiz's current version; 0: no limit (or no quiz)


def _granted(clinic_id: int, course_ids: list[int]) -> dict[tuple[int, str], int]:
    """(user, quiz id) -> the extra attempts granted in the person's current cycle."""
    return {(user_id, str(quiz_id)): attempts for user_id, quiz_id, attempts in _read(
        select(AttemptGrant.user_id, AttemptGrant.quiz_id, func.sum(AttemptGrant.attempts))
        .join(Quiz, Quiz.id == AttemptGrant.quiz_id).join(Lesson, Lesson.id == Quiz.lesson_id)
        .where(AttemptGrant.user_id.in_(_staff_ids(clinic_id)),
               Lesson.course_id.in_(course_ids),
               AttemptGrant.cycle == cycles.current(AttemptGrant.user_id, Lesson.course_id))
        .group_by(AttemptGrant.user_id, AttemptGrant.quiz_id))}


class _QuizResults:
    """A person's quizzes tried and not passed yet in a course (what says who is struggling,
    out of attempts or weakest where), from what course_progress keeps of them ("quiz:best:
    failures:attempts ...", learning/summary_operations.py), in lesson order."""

    def __init__(self, quiz_lessons: dict[str, _LessonFacts],
                 granted: dict[tuple[int, str], int]):
        self.quiz_lessons = quiz_lessons
        self.granted = granted
        # The policy's answer depends on three numbers only: asked once for each three.
        self.locked: dict[tuple, bool] = {}

    def of(self, user_id: int, kept: str) -> tuple[QuizResult, ...]:
        results = []
        for part in kept.split():
            quiz_id, best, fails, tries = part.split(":")
            lesson = self.quiz_lessons.get(quiz_id)
            if lesson is None:  # archived since (its course is being counted again)
                continue
            position, title, max_attempts = lesson
            granted = self.granted.get((user_id, quiz_id), 0)
            key = (tries, max_attempts, granted)
            out_of_attempts = self.locked.get(key)
            if out_of_attempts is None:
                out_of_attempts = self.locked[key] = policy.out_of_attempts(policy.Standing(
                    attempts_used=int(tries), passed=False, current_version_id=None,
                    max_attempts=policy.attempt_limit(max_attempts, granted)))
            results.append(_new_row(QuizResult, (title, position, int(best), False,
                                                 int(fails), out_of_attempts)))
        if len(results) > 1:
            results.sort(key=_by_position)
        return tuple(results)


def _by_position(result: QuizResult) -> int:
    return result.position
