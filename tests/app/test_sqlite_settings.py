"""SQLite as the embedded default must be safe under several workers: WAL (readers beside the
writer), synchronous=FULL (no acknowledged commit lost to a power cut), a busy timeout
(writers queue instead of failing) and BEGIN IMMEDIATE for writes only."""
from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, event, text

from nmt_course.database import configure_engine
from nmt_course.extensions import db
from tests.helpers import count_statements, form_with

on_sqlite = pytest.mark.parametrize("backend", ["sqlite"])


@on_sqlite
def test_every_connection_is_durable_and_waits_for_the_writer(app):
    with app.app_context(), db.engine.connect() as connection:
        settings = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                    for name in ("journal_mode", "synchronous", "busy_timeout",
                                 "foreign_keys")}
    # synchronous 2 is FULL (1 would be NORMAL).
    assert settings == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 15000,
                        "foreign_keys": 1}


def test_full_sync_is_stated_not_left_to_the_build(tmp_path):
    """Some SQLite builds default to synchronous=NORMAL in WAL mode: the app sets FULL."""
    engine = create_engine(f"sqlite:///{tmp_path / 'normal.sqlite3'}")
    event.listen(engine, "connect",
                 lambda connection, _: connection.execute("PRAGMA synchronous = NORMAL"))
    configure_engine(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    engine.dispose()


@on_sqlite
def test_pages_read_with_plain_begin_and_only_operations_take_the_write_lock(app, learner):
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as page:
        assert learner.get("/courses/demo/lessons/first-lesson").status_code == 200
    begins = [s for s in page if s.startswith("BEGIN")]
    assert begins and set(begins) == {"BEGIN"}

    form = form_with(learner.get("/courses/demo/lessons/first-lesson").text, "opened")
    with count_statements(engine) as mark:
        assert learner.post(form["action"], data=form["fields"]).status_code == 302
    assert "BEGIN IMMEDIATE" in mark


@on_sqlite
def test_pages_answer_and_writes_wait_while_another_process_writes(app, learner):
    """Another worker holding the write lock neither blocks a page nor makes a write fail
    with "database is locked": the write waits its turn."""
    with app.app_context():
        path = db.engine.url.database
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE users SET legal_name = legal_name")
    try:
        assert learner.get("/courses/demo/lessons/first-lesson").status_code == 200
        form = form_with(learner.get("/courses/demo/lessons/first-lesson").text, "opened")
        release = threading.Timer(0.5, other.execute, args=("COMMIT",))
        release.start()
        response = learner.post(form["action"], data=form["fields"])
        release.join()
    finally:
        other.close()
    assert response.status_code == 302
    with app.app_context():
        marked = db.session.execute(text("SELECT count(*) FROM lesson_progress "
                                         "WHERE read_at IS NOT NULL")).scalar()
        db.session.remove()
    assert marked == 1
