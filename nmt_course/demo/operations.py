"""Demo data written in bulk: a few statements of many rows each, one transaction per step.

People and clinics first, then everyone's progress (read marks, attempts, standings and the
certificates of those who finished). The certificates copy one certificate issued through
the real operation (its PDF too): a demo database holds one rendered PDF's bytes many
times, never thousands of renderings."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, insert, select

from .. import codes
from ..accounts.models import User
from ..certificates.models import Certificate
from ..clinics.models import Assignment, Clinic, ClinicRole, Membership
from ..content.model import CourseStatus
from ..database import db, transaction
from ..learning import summary_operations as summary
from ..learning.models import Course, Lesson, LessonProgress
from ..quizzes.models import Question, Quiz, QuizAttempt, QuizStanding, QuizVersion
from ..runtime import Runtime
from . import plan as planning

CHUNK = 20_000  # rows per INSERT statement batch


class DemoRefused(Exception):
    pass


@dataclass
class QuizFacts:
    quiz_id: int
    version_id: int
    lesson_id: int
    pass_mark: int
    right: dict[str, list[str]]  # question key -> the right choice keys
    wrong: dict[str, list[str]]  # question key -> a wrong choice


@dataclass
class Written:
    learners: int = 0
    reads: int = 0
    attempts: int = 0
    standings: int = 0
    certificates: int = 0
    clinics: int = 0
    memberships: int = 0
    assignments: int = 0


def refusal(force: bool) -> str | None:
    """Why demo data must not go into this database, or None."""
    demo = f"%@{planning.DOMAIN}"
    if db.session.scalar(select(func.count()).where(User.email.like(demo))):
        return "This database already holds demo data."
    real = db.session.scalar(select(func.count()).where(User.email.not_like(demo)))
    if real and not force:
        return (f"This database has {real} real account(s): demo data would mix with them. "
                "Use a new database, or --force.")
    return None


def _chunks(rows: Iterator[dict]) -> Iterator[list[dict]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _bulk(model, rows) -> int:
    count = 0
    for batch in _chunks(iter(rows)):
        db.session.execute(insert(model.__table__), batch)
        count += len(batch)
    return count


@transaction
def add_people(runtime: Runtime, plan: planning.Plan, password_hash: str,
               seed: int) -> Written:
    """Learners, clinic managers, instructors; clinics with their staff and assignments."""
    now = runtime.clock()
    rng = random.Random(seed)

    def person(email: str, name: str, **flags) -> dict:
        family = name.rsplit(" ", 1)[-1]
        return {"email": email, "password_hash": password_hash, "legal_name": name,
                "family_name": family, "licence_number": None, "licence_state": None,
                "licence_in_credentials": False, "is_admin": False, "is_instructor": False,
                "active": True, "clinic_digest": True,
                "created_at": now - dt.timedelta(days=rng.randint(30, 700)), **flags}

    written = Written()
    written.learners = _bulk(User, (
        person(planning.learner_email(n), f"Demo Learner {n}",
               licence_number=f"MT{n:06d}", licence_state=rng.choice(("FL", "TX", "NY", "WA")))
        for n in range(plan.learners)))
    _bulk(User, (person(planning.manager_email(n), f"Demo Manager {n}")
                 for n in range(len(plan.clinics))))
    _bulk(User, (person(planning.author_email(n), f"Demo Author {n}", is_instructor=True)
                 for n in range(5)))
    ids = dict(db.session.execute(select(User.email, User.id).where(
        User.email.like(f"%@{planning.DOMAIN}"))).all())
    courses = course_ids()
    memberships, assignments = [], []
    for n, clinic in enumerate(plan.clinics):
        opened = now - dt.timedelta(days=400)
        clinic_id = db.session.execute(insert(Clinic).values(
            name=clinic.name, created_at=opened).returning(Clinic.id)).scalar_one()
        manager = ids[planning.manager_email(n)]
        memberships.append({"clinic_id": clinic_id, "user_id": manager,
                            "role": ClinicRole.MANAGER, "joined_at": opened,
                            "takes_courses": False, "evidence_notice_at": opened})
        for learner in clinic.staff:
            joined = opened + dt.timedelta(days=rng.randint(0, 300))
            memberships.append({"clinic_id": clinic_id,
                                "user_id": ids[planning.learner_email(learner)],
                                "role": ClinicRole.STAFF, "joined_at": joined,
                                "takes_courses": False, "evidence_notice_at": joined})
        for course, days in zip(clinic.courses, clinic.due_in_days):
            assignments.append({"clinic_id": clinic_id, "course_id": courses[course],
                                "user_id": None, "due_on": (now + dt.timedelta(days=days)).date(),
                                "assigned_at": opened, "assigned_by_id": manager})
    written.clinics = len(plan.clinics)
    written.memberships = _bulk(Membership, memberships)
    written.assignments = _bulk(Assignment, assignments)
    return written


def course_ids() -> list[int]:
    """The published courses in plan order: the shipped ones, then the generated ones."""
    rows = db.session.execute(select(Course.id, Course.slug).where(
        Course.status == CourseStatus.PUBLISHED).order_by(Course.id)).all()
    shipped = [row.id for row in rows if not row.slug.startswith("demo-course-")]
    generated = sorted((row for row in rows if row.slug.startswith("demo-course-")),
                       key=lambda row: int(row.slug.rsplit("-", 1)[1]))
    return shipped + [row.id for row in generated]


def quiz_facts(course_id: int) -> list[QuizFacts]:
    """Each active lesson's quiz, in order: its current version and answers to give."""
    facts = []
    lessons = db.session.scalars(select(Lesson).where(
        Lesson.course_id == course_id, Lesson.archived_at.is_(None)).order_by(Lesson.position))
    for lesson in lessons:
        quiz = db.session.scalar(select(Quiz).where(Quiz.lesson_id == lesson.id))
        version = db.session.scalar(select(QuizVersion).where(QuizVersion.quiz_id == quiz.id)
                                    .order_by(QuizVersion.number.desc()).limit(1))
        questions = db.session.scalars(select(Question).where(
            Question.quiz_version_id == version.id).order_by(Question.position)).all()
        shown = questions[:version.draw] if version.draw else questions
        facts.append(QuizFacts(
            quiz.id, version.id, lesson.id, version.pass_mark,
            {q.key: sorted(c.key for c in q.choices if c.correct) for q in shown},
            {q.key: [next(c.key for c in q.choices if not c.correct)] for q in shown}))
    return facts


@transaction
def add_progress(runtime: Runtime, plan: planning.Plan, seed: int,
                 template_code: str) -> Written:
    """Everyone's read marks, attempts and standings; certificates for finished courses,
    copied from the certificate `template_code` (its PDF included)."""
    now = runtime.clock()
    rng = random.Random(seed)
    courses = course_ids()
    facts = {course: quiz_facts(course) for course in courses}
    template = db.session.scalar(select(Certificate).where(Certificate.code == template_code))
    pdf = db.session.scalar(select(Certificate.pdf).where(Certificate.id == template.id))
    titles = dict(db.session.execute(select(Course.id, Course.title)).all())
    ids = dict(db.session.execute(select(User.email, User.id).where(
        User.email.like(f"%@{planning.DOMAIN}"))).all())
    issued = set(db.session.execute(select(Certificate.user_id, Certificate.course_id)).all())
    written = Written()
    reads, attempts, standings, certificates = [], [], [], []

    def flush(final: bool = False) -> None:
        for model, rows, name in ((LessonProgress, reads, "reads"),
                                  (QuizAttempt, attempts, "attempts"),
                                  (QuizStanding, standings, "standings"),
                                  (Certificate, certificates, "certificates")):
            if rows and (final or len(rows) >= CHUNK):
                setattr(written, name, getattr(written, name) + _bulk(model, rows))
                rows.clear()

    for n, taken in plan.taking.items():
        user_id = ids[planning.learner_email(n)]
        for index in taken:
            course_id, quizzes = courses[index], facts[courses[index]]
            when = now - dt.timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1440))
            tries = planning.progress(rng, len(quizzes),
                                      complete=(user_id, course_id) in issued)
            for quiz, (count, passed) in zip(quizzes, tries):
                when += dt.timedelta(minutes=rng.randint(10, 90))
                reads.append({"user_id": user_id, "lesson_id": quiz.lesson_id,
                              "read_at": when, "seconds": rng.randint(300, 1800)})
                best = 0
                for number in range(1, count + 1):
                    attempts.append(_attempt(quiz, user_id, number, passed and number == count,
                                             when, rng))
                    best = max(best, attempts[-1]["score"])
                    when += dt.timedelta(minutes=rng.randint(2, 30))
                if count:
                    standings.append({"user_id": user_id, "quiz_id": quiz.quiz_id,
                                      "attempts": count, "best_score": best,
                                      "failures": count - passed, "passed": passed})
            if all(passed for _, passed in tries) and (user_id, course_id) not in issued:
                certificates.append(_certificate(template, pdf, user_id, course_id,
                                                 titles[course_id], n, when))
            flush()
    flush(final=True)
    for course_id in courses:  # the counted copy clinic reports read, as operations keep it
        summary.refresh(course_id)
    return written


def _attempt(quiz: QuizFacts, user_id: int, number: int, passing: bool,
             when: dt.datetime, rng: random.Random) -> dict:
    keys = list(quiz.right)
    total = len(keys)
    if passing:
        right = total - (rng.random() < 0.3 and total * (100 - quiz.pass_mark) >= 100)
    else:
        right = rng.randint(0, max(0, (quiz.pass_mark * total - 1) // 100))
    answers = {key: quiz.right[key] if i < right else quiz.wrong[key]
               for i, key in enumerate(keys)}
    return {"user_id": user_id, "quiz_id": quiz.quiz_id, "quiz_version_id": quiz.version_id,
            "number": number, "answers": answers, "shown": None, "correct_count": right,
            "question_count": total, "score": right * 100 // total if total else 0,
            "passed": passing, "submitted_at": when, "seconds": rng.randint(60, 900)}


def _certificate(template: Certificate, pdf: bytes, user_id: int, course_id: int,
                 title: str, learner: int, when: dt.datetime) -> dict:
    return {"code": codes.new_code(), "user_id": user_id, "course_id": course_id,
            "status": template.status, "legal_name": f"Demo Learner {learner}",
            "licence_number": f"MT{learner:06d}", "licence_state": template.licence_state,
            "course_title": title, "ce_hours": template.ce_hours,
            "course_type": template.course_type, "approval_number": template.approval_number,
            "provider_name": template.provider_name,
            "provider_address": template.provider_address,
            "provider_email": template.provider_email,
            "provider_approval_number": template.provider_approval_number,
            "grading_scale": template.grading_scale, "completed_on": when.date(),
            "issued_at": when, "revoked_at": None, "revoked_reason": "", "pdf": pdf}
