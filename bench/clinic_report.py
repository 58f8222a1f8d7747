"""Benchmark: a clinic's compliance report with 500 staff and a 30-lesson course, and the
matrix of 500 staff by 10 courses with its CSV (issue 23: within 2x the first).

Run:  .venv/bin/python -m bench.clinic_report [--rounds 7] [--requests 10] [--staff 500]
                                              [--courses 10] [--lessons 30]
                                              [--database-url URL]

Courses of `--lessons` lessons, each with a quiz, are written as files and imported; the
staff are generated straight into the tables with varied progress (read marks, one to three
attempts per quiz tried and the standings they keep, certificates for those who finished).
Two clinics: one assigned a single course (the report as it was), one assigned `--courses`
courses (the matrix). Each round times, in-process through Flask's test client and at one
connection, each step in turn `--requests` times over: /healthz (the baseline), the single
course's report page, its CSV, the matrix page, its CSV and the report's reads alone; then
the SQL statements are counted.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import case, event, func, insert, select

from nmt_course import create_app
from nmt_course.accounts.models import User
from nmt_course.accounts.session_operations import start_session
from nmt_course.certificates.models import Certificate, CertificateStatus
from nmt_course.clinics import operations as clinics
from nmt_course.clinics.assignment_operations import assign
from nmt_course.clinics.models import ClinicRole, Membership
from nmt_course.clinics.report_queries import report as clinic_report
from nmt_course.content import load_content
from nmt_course.extensions import db
from nmt_course.learning.models import Lesson, LessonProgress
from nmt_course.learning.operations import import_content
from nmt_course.learning.queries import course_by_slug
from nmt_course.learning.summary_operations import refresh
from nmt_course.quizzes.models import Quiz, QuizAttempt, QuizStanding, QuizVersion
from nmt_course.runtime import utcnow

from .common import report, timed

LESSONS = 30
PASSWORD_HASH = "pbkdf2:sha256:1000$x$" + "0" * 64


def write_course(root: Path, slug: str = "bench", lessons_count: int = LESSONS) -> None:
    lessons, quizzes = root / "lessons" / slug, root / "quizzes" / slug
    lessons.mkdir(parents=True)
    quizzes.mkdir(parents=True)
    (lessons / "course.md").write_text(
        f"---\ntitle: Benchmark Course {slug}\nsummary: Lessons.\nce_hours: 1\n"
        "course_type: Home Study\nstatus: published\n---\nA course for the benchmark.\n")
    for n in range(1, lessons_count + 1):
        (lessons / f"{n:02d}-lesson-{n}.md").write_text(
            f"---\ntitle: Lesson {n}\nminutes: 10\nobjectives:\n  - Know fact {n}.\n---\n"
            f"## Fact {n}\n\nFact {n} is worth knowing.\n")
        (quizzes / f"lesson-{n}.yaml").write_text(
            "pass_mark: 50\nmax_attempts: 0\nquestions:\n"
            f"  - id: q{n}\n    type: true_false\n    objective: 1\n"
            f"    prompt: Fact {n} is worth knowing.\n    answer: true\n"
            "    explanation: It is.\n")


def _progress(rng, staff_ids, course_id, quizzes, lessons_count, now):
    """Varied progress in one course: read marks, attempts, certificates for those done."""
    reads, attempts, certificates = [], [], []
    for user_id in staff_ids:
        done = rng.choice([0, rng.randrange(lessons_count), lessons_count])
        for position, (quiz_id, version_id, lesson_id) in enumerate(quizzes):
            if position > done:
                break
            reads.append({"user_id": user_id, "lesson_id": lesson_id, "read_at": now})
            tries = rng.randint(1, 3) if position < done else rng.randint(0, 2)
            for number in range(1, tries + 1):
                passed = position < done and number == tries
                attempts.append({
                    "user_id": user_id, "quiz_id": quiz_id, "quiz_version_id": version_id,
                    "number": number, "answers": {}, "correct_count": int(passed),
                    "question_count": 1, "score": 100 if passed else 0, "passed": passed,
                    "submitted_at": now})
        if done == lessons_count:
            certificates.append({
                # As long as a real code (codes.LENGTH), and as unique.
                "code": f"B{course_id:05d}{user_id:010d}".ljust(28, "0"), "user_id": user_id,
                "course_id": course_id, "status": CertificateStatus.VALID,
                "legal_name": f"Staff {user_id}", "course_title": "B", "ce_hours": 1,
                "course_type": "Home Study", "approval_number": "", "provider_name": "Bench",
                "completed_on": now.date(), "issued_at": now, "pdf": b""})
    for table, rows in ((LessonProgress, reads), (QuizAttempt, attempts),
                        (Certificate, certificates)):
        if rows:
            db.session.execute(insert(table), rows)


def build(app, folder: Path, staff: int, courses: int = 10, lessons: int = LESSONS,
          seed: int = 7) -> tuple[int, int]:
    """Two clinics with the same `staff` members (told that managers see their evidence):
    one assigned the 30-lesson course, the other `courses` courses of `lessons` lessons;
    everyone's progress in each. Their ids."""
    rng = random.Random(seed)
    write_course(folder)
    slugs = [f"m{n}" for n in range(courses)]
    for slug in slugs:
        write_course(folder, slug, lessons)
    run = app.extensions["nmt_runtime"]
    with app.app_context():
        upgrade()
        import_content(run, load_content(folder / "lessons", folder / "quizzes").courses)
        now = utcnow()
        db.session.execute(insert(User), [
            {"email": "manager@example.com", "password_hash": PASSWORD_HASH,
             "legal_name": "Mo Manager", "is_admin": False, "is_instructor": False,
             "active": True, "created_at": now}] + [
            {"email": f"staff{n}@example.com", "password_hash": PASSWORD_HASH,
             "legal_name": f"Staff Member {n}", "family_name": f"Member {n}",
             "licence_number": f"MT{n:05d}", "licence_state": "FL", "is_admin": False,
             "is_instructor": False, "active": True, "created_at": now}
            for n in range(staff)])
        db.session.commit()
        manager = db.session.scalar(select(User).where(User.email == "manager@example.com"))
        staff_ids = list(db.session.scalars(
            select(User.id).where(User.email.like("staff%")).order_by(User.id)))
        ids = []
        for name, assigned in (("Bench Clinic", ["bench"]), ("Matrix Clinic", slugs)):
            clinic, _ = clinics.create_clinic(run, None, name, manager.email)
            db.session.execute(insert(Membership), [
                {"clinic_id": clinic.id, "user_id": user_id, "role": ClinicRole.STAFF,
                 "joined_at": now, "evidence_notice_at": now} for user_id in staff_ids])
            db.session.commit()
            for slug in assigned:
                assign(run, manager, clinic, course_by_slug(slug), run.settings.local_date(now))
            ids.append(clinic.id)
        for slug in ["bench"] + slugs:
            course = course_by_slug(slug)
            quizzes = list(db.session.execute(
                select(Quiz.id, QuizVersion.id, Quiz.lesson_id)
                .join(QuizVersion, QuizVersion.quiz_id == Quiz.id)
                .join(Lesson, Quiz.lesson_id == Lesson.id).where(Lesson.course_id == course.id)
                .order_by(Lesson.position)))
            _progress(rng, staff_ids, course.id, quizzes, len(quizzes), now)
        # What each attempt keeps as it is submitted (see quizzes.operations).
        db.session.execute(insert(QuizStanding).from_select(
            ["user_id", "quiz_id", "attempts", "best_score", "failures", "passed"],
            select(QuizAttempt.user_id, QuizAttempt.quiz_id, func.count(),
                   func.max(QuizAttempt.score), func.count(case((~QuizAttempt.passed, 1))),
                   func.count(case((QuizAttempt.passed, 1))) > 0)
            .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id)))
        for slug in ["bench"] + slugs:  # and what reads and attempts keep counted
            refresh(course_by_slug(slug).id)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does after a bulk load: statistics and the visibility map.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as bare:
                bare.exec_driver_sql("VACUUM ANALYZE")
        return ids[0], ids[1]


def log_in_as_manager(app):
    """A client whose session is the manager's (the form round trip is not what is timed)."""
    client = app.test_client()
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.email == "manager@example.com"))
        start_session(app.extensions["nmt_runtime"], manager, remember=False, address="bench")
        ident = manager.get_id()
    with client.session_transaction() as session:
        session["_user_id"] = ident
        session["_fresh"] = True
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--staff", type=int, default=500)
    parser.add_argument("--courses", type=int, default=10)
    parser.add_argument("--lessons", type=int, default=LESSONS,
                        help="lessons in each of the matrix's courses")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                          "SITE_URL": "http://bench.test", "MAIL_SERVER": None,
                          # Assignments queue e-mail; no sender thread writes beside the load.
                          "MAIL_DELIVERY": "cron",
                          "SQLALCHEMY_DATABASE_URI": args.database_url
                          or f"sqlite:///{folder}/bench.sqlite3"})
        clinic_id, matrix_id = build(app, Path(folder), args.staff, args.courses, args.lessons)
        client = log_in_as_manager(app)
        run = app.extensions["nmt_runtime"]
        steps = {
            "healthz (baseline)": lambda: client.get("/healthz"),
            "report page": lambda: client.get(f"/clinics/{clinic_id}"),
            "report CSV": lambda: client.get(f"/clinics/{clinic_id}/report.csv"),
            "matrix page": lambda: client.get(f"/clinics/{matrix_id}"),
            "matrix CSV": lambda: client.get(f"/clinics/{matrix_id}/report.csv"),
        }
        for name, step in steps.items():
            assert step().status_code == 200, name
        with app.app_context():
            steps["report reads alone"] = lambda: clinic_report(
                clinic_id, run.settings, run.clock())
            samples = {name: [] for name in steps}
            for _ in range(args.rounds):
                # Each step once in turn, `requests` times over: on a shared machine the
                # speed drifts within seconds, and every step then meets the same drift.
                times = {name: [] for name in steps}
                for _ in range(args.requests):
                    for name, step in steps.items():
                        times[name].append(timed(step))
                for name, values in times.items():
                    samples[name].append(statistics.median(values))
        with app.app_context():
            rows = clinic_report(clinic_id, run.settings, run.clock())
            statements: list[str] = []
            event.listen(db.engine, "before_cursor_execute",
                         lambda *a: statements.append(a[2]))
            client.get(f"/clinics/{clinic_id}")
            one = len(statements)
            client.get(f"/clinics/{matrix_id}")
            db.session.remove()
            db.engine.dispose()
    print(f"{args.staff} staff x 1 course of {LESSONS} lessons: {len(rows)} report rows, "
          f"{one} SQL statements per report page; {args.staff} staff x {args.courses} courses "
          f"of {args.lessons} lessons: {len(statements) - one} per matrix page")
    report(samples, "healthz (baseline)", "step")
    page = statistics.median(samples["report page"])
    for name in ("matrix page", "matrix CSV"):  # issue 23 measures these against the report
        print(f"{name} / report page: {statistics.median(samples[name]) / page:.2f}")


if __name__ == "__main__":
    main()
