"""Crash safety: gunicorn (two sync workers) on the embedded default and on PostgreSQL,
learners reading lessons, failing and passing quizzes, answering the evaluation and
receiving certificates, a content import now and then, and the workers SIGKILLed at random
moments (at least 20 times). Afterwards every write a client received a success answer for
is in the database, nothing is half written, SQLite's integrity check passes, and the outbox
delivers every message at least once, each send with the message's own stable Message-ID
(so the receiver drops the copies a kill between sending and marking sent causes)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import email
import itertools
import queue
import random
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from bench.served_data import check, import_changed_content, prepare
from bench.served_site import Ledger, ServedSite, free_port, walk_learners
from tests.durability.conftest import new_database

pytestmark = pytest.mark.slow
KILLS = 20
LONGEST = 240  # seconds at most, on a machine however busy
PACING = 4  # seconds a kill waits at most for answers since the one before
CLIENTS = 4
PASSWORD = "correct horse battery"


class Inbox:
    def __init__(self):
        self.ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.ids.append(email.message_from_bytes(envelope.content)["Message-ID"])
        return "250 OK"


def test_killed_workers_lose_no_acknowledged_write(backend, tmp_path):
    url, drop = new_database(backend, tmp_path)
    emails = [f"crash{n}@example.com" for n in range(60)]
    environ = prepare(url, emails, PASSWORD, tmp_path)
    inbox, smtp_port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    environ.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), MAIL_USE_TLS="0")
    site = ServedSite(environ, log=tmp_path / "gunicorn.log", rate_limits=False)
    ledger, stop, chooser = Ledger(), threading.Event(), random.Random(27)
    learners: queue.Queue = queue.Queue()
    for address in emails:
        learners.put(address)
    try:
        site.start()

        browsers = []

        def answers() -> int:
            return sum(len(browser.answers) for browser in list(browsers))

        def importer() -> None:
            for number in itertools.count(1):
                if stop.wait(10):
                    return
                if import_changed_content(environ, tmp_path, f"import {number}"):
                    ledger.add("imports", f"import {number}")

        threads = [threading.Thread(target=walk_learners, args=(
            site.address, learners, PASSWORD, ledger, stop, browsers),
            kwargs={"seed": n, "most_failures": 1}) for n in range(CLIENTS)]
        threads.append(threading.Thread(target=importer))
        for thread in threads:
            thread.start()
        kills, started = 0, time.monotonic()
        # Kills come 0.3 to 2.5 s apart, each after some answers since the one before (so
        # that on a busy machine the kills interleave with work rather than pile up), or
        # after PACING seconds when the answers are slow (CI runs other tests beside it); then
        # the learners go on until a few certificates (seconds of PDF and signature each)
        # and attempts are through, so that every kind of write is checked.
        while kills < KILLS and time.monotonic() - started < LONGEST:
            time.sleep(chooser.uniform(0.3, 2.5))
            answered, waiting = answers(), time.monotonic()
            while answers() < answered + 2 and time.monotonic() - waiting < PACING:
                time.sleep(0.1)
            kills += site.kill_a_worker(chooser)
        while ((len(ledger.certificates) < 2 or len(ledger.attempts) < 10)
               and time.monotonic() - started < LONGEST):
            time.sleep(0.2)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        site.stop()
        print(f"{backend}: {kills} kills in {time.monotonic() - started:.0f} s; acknowledged "
              f"{len(ledger.reads)} reads, {len(ledger.attempts)} attempts, "
              f"{len(ledger.certificates)} certificates, {len(ledger.imports)} imports")
        assert kills >= KILLS
        assert len(ledger.certificates) >= 2 and len(ledger.attempts) >= 10
        assert ledger.imports
        assert check(url, ledger, exact=False) == []
        at_least_once(url, site.environ, smtp_port, inbox)
    finally:
        stop.set()
        site.stop()
        smtp.stop()
        drop()


def at_least_once(url: str, environ: dict, smtp_port: int, inbox: Inbox) -> None:
    """Deliver what is left (claims of killed senders expire after ten minutes), then: each
    outbox row reached the server under its own Message-ID, copies only under the same."""
    from nmt_course import create_app
    from nmt_course.config import database_url
    from nmt_course.extensions import db
    from nmt_course.mailing.models import OutboxMessage
    from nmt_course.mailing.operations import deliver_pending, message_id

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(url),
                      "SECRET_KEY": environ["SECRET_KEY"],
                      "SIGNING_KEY_FILE": environ["SIGNING_KEY_FILE"],
                      "SITE_URL": environ["SITE_URL"], "MAIL_SERVER": "127.0.0.1",
                      "MAIL_PORT": smtp_port, "MAIL_USE_TLS": False, "MAIL_DELIVERY": "cron"})
    runtime = app.extensions["nmt_runtime"]
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=11)
    with app.app_context():
        deliver_pending(dataclasses.replace(runtime, clock=lambda: later))
        rows = list(db.session.scalars(select(OutboxMessage)))
        assert all(row.sent_at is not None for row in rows)
        db.session.remove()
        db.engine.dispose()
    received = set(inbox.ids)
    assert received == {message_id(runtime.settings, row) for row in rows}
    print(f"mail: {len(rows)} messages, {len(inbox.ids)} sends, "
          f"{len(inbox.ids) - len(received)} duplicates dropped by Message-ID")


def test_the_check_finds_a_missing_write_and_a_half_written_one(tmp_path):
    """The checks above can fail: a promised write that is not there, an attempt without its
    answers."""
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    prepare(url, ["one@example.com"], PASSWORD, tmp_path)
    ledger = Ledger()
    ledger.add("reads", ("one@example.com", "first-lesson"))
    ledger.add("attempts", ("one@example.com", "first-lesson", 1))
    assert check(url, ledger, exact=False) == [
        "acknowledged read mark missing: ('one@example.com', 'first-lesson')",
        "acknowledged attempt missing: ('one@example.com', 'first-lesson', 1)"]
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO quiz_attempts (user_id, quiz_id, quiz_version_id, number, answers, "
            "correct_count, question_count, score, passed, submitted_at) SELECT u.id, q.id, "
            "v.id, 1, '{}', 0, 1, 0, 0, '2026-01-01' FROM users u, quizzes q JOIN "
            "quiz_versions v ON v.quiz_id = q.id LIMIT 1"))
    engine.dispose()
    found = check(url, Ledger(), exact=False)
    assert any(problem.startswith("attempt without its answers") for problem in found)
