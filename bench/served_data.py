"""The database side of the served-site runs (bench/served_site.py): preparing a database
with the fixture course and its learners, importing changed content as a release would, and
checking afterwards that the database holds what the answers promised and nothing half
written."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from .served_site import COURSE, FIXTURE_CONTENT, PROJECT_ROOT, Ledger


def check(database_url: str, ledger: Ledger, *, exact: bool) -> list[str]:
    """What the database lacks of the ledger, or holds half written; with `exact`, also
    what it holds that no answer promised (a run without crashes)."""
    engine = create_engine(database_url)
    problems: list[str] = []
    with engine.connect() as connection:
        def rows(sql: str) -> set:
            return {tuple(row) for row in connection.execute(text(sql))}

        reads = rows("SELECT u.email, l.slug FROM lesson_progress p JOIN users u ON "
                     "u.id = p.user_id JOIN lessons l ON l.id = p.lesson_id WHERE "
                     "p.read_at IS NOT NULL")
        attempts = rows("SELECT u.email, l.slug, a.number FROM quiz_attempts a JOIN users u "
                        "ON u.id = a.user_id JOIN quizzes q ON q.id = a.quiz_id JOIN lessons l "
                        "ON l.id = q.lesson_id")
        evaluations = {email for (email,) in rows(
            "SELECT u.email FROM course_evaluations e JOIN users u ON u.id = e.user_id")}
        certificates = rows("SELECT u.email, c.code FROM certificates c JOIN users u ON "
                            "u.id = c.user_id")
        codes = {(email, code.replace("-", "")) for email, code in certificates}
        acknowledged = {(email, code.replace("-", "")) for email, code in ledger.certificates}
        for name, promised, held in (("read mark", ledger.reads, reads),
                                     ("attempt", ledger.attempts, attempts),
                                     ("evaluation", ledger.evaluations, evaluations),
                                     ("certificate", acknowledged, codes)):
            problems += [f"acknowledged {name} missing: {item}" for item in promised - held]
            if exact:
                problems += [f"{name} no answer promised: {item}" for item in held - promised]
        problems += [f"attempt without its answers: {row}" for row in rows(
            "SELECT a.id FROM quiz_attempts a WHERE NOT EXISTS (SELECT 1 FROM "
            "question_answers q WHERE q.attempt_id = a.id)")]
        problems += [f"certificate without its PDF: {row}" for row in rows(
            "SELECT id FROM certificates WHERE pdf IS NULL OR length(pdf) < 1000")]
        problems += [f"standing disagrees with the attempts: {row}" for row in rows(
            "SELECT s.user_id, s.quiz_id FROM quiz_standings s WHERE s.attempts <> (SELECT "
            "count(*) FROM quiz_attempts a WHERE a.user_id = s.user_id AND a.quiz_id = "
            "s.quiz_id)")]
        # The only mail here is the certificate's: one message per certificate, to its owner.
        mail = sorted(email for (email,) in connection.execute(text(
            "SELECT \"to\" FROM outbox_messages")))
        owners = sorted(email for email, _ in certificates)
        if mail != owners:
            problems.append(f"outbox and certificates disagree: {len(mail)} messages, "
                            f"{len(owners)} certificates")
        if ledger.imports:
            body = connection.execute(text(
                "SELECT body_markdown FROM lessons WHERE slug = 'second-lesson'")).scalar_one()
            if ledger.imports[-1] not in body:
                problems.append(f"the last acknowledged import ({ledger.imports[-1]}) is not "
                                "in the lesson")
        if engine.dialect.name == "sqlite":
            result = connection.execute(text("PRAGMA integrity_check")).scalars().all()
            if result != ["ok"]:
                problems.append(f"integrity_check: {result[:5]}")
    engine.dispose()
    return problems


def prepare(database_url: str, emails: list[str], password: str, folder: Path) -> dict:
    """Migrate an empty database, import the fixture course, make the learners (with a
    cheap password hash: the site makes it argon2id at their first login); returns the
    environment gunicorn and `flask` commands need (an issuer key of its own in `folder`)."""
    import datetime as dt
    import secrets

    from flask_migrate import upgrade

    from nmt_course import create_app
    from nmt_course.accounts.operations import create_user
    from nmt_course.content import load_content
    from nmt_course.credentials import multikey
    from nmt_course.extensions import db
    from nmt_course.learning.operations import import_content

    key_file = folder / "signing_key.json"
    if not key_file.exists():
        multikey.generate(key_file, rotate=False, now=dt.datetime.now(dt.timezone.utc))
    environ = {"DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
               "SIGNING_KEY_FILE": str(key_file),
               "ERASURE_LOG_FILE": str(folder / "erasure_log.jsonl"),
               "NMT_ENV": "development", "MAIL_DELIVERY": "background"}
    app = create_app({"SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(database_url),
                      "SECRET_KEY": environ["SECRET_KEY"], "SIGNING_KEY_FILE": str(key_file),
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "MAIL_DELIVERY": "cron"})
    with app.app_context():
        upgrade()
        runtime = app.extensions["nmt_runtime"]
        content = load_content(FIXTURE_CONTENT / "lessons", FIXTURE_CONTENT / "quizzes")
        import_content(runtime, content.courses)
        for number, email in enumerate(emails):
            create_user(runtime, email=email, password=password,
                        legal_name=f"Learner Number{number}")
        db.session.remove()
        db.engine.dispose()
    return environ


def _sqlalchemy_url(url: str) -> str:
    from nmt_course.config import database_url

    return database_url(url)


def import_changed_content(environ: dict[str, str], folder: Path, marker: str) -> bool:
    """`flask content import` of the fixture course with `marker` added to its second
    lesson, as a release would; True if it said it succeeded."""
    import shutil

    target = folder / "content"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(FIXTURE_CONTENT, target)
    lesson = target / "lessons" / COURSE / "02-second-lesson.md"
    lesson.write_text(lesson.read_text() + f"\n\nRevision note: {marker}.\n")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("flask")), "--app", "app", "content", "import",
         str(target)], cwd=PROJECT_ROOT, env={**os.environ, **environ}, capture_output=True,
        text=True, timeout=120)
    return result.returncode == 0
