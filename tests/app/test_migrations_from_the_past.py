"""A site upgraded from an earlier release keeps its records: a database at each chosen
shipped revision (the first; the one that brought clinics; the last release), holding a
learner with attempts and a certificate, others part-way, and a clinic with staff and an
assignment, is upgraded to head; every learner, attempt, certificate and clinic is still
there, of the first cycle, and every verification code still verifies. On SQLite and PostgreSQL.

The rows are written by today's code at head, then the database is taken back to the
revision by the migrations' own downgrades (which is how the revision's schema and data
shape are reached without the old code), then upgraded again."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from nmt_course import create_app
from nmt_course.extensions import db
from tests.app.clinic_helpers import assign, complete_demo, join_staff, make_clinic, today
from tests.conftest import BACKENDS, app_config, new_database
from tests.helpers import DEMO_FAIL, DEMO_PASS, import_content, make_user, pass_quiz_directly

# LAST_RELEASE: the head of the last release that shipped (what a site upgrades from today).
FIRST, CLINICS, LAST_RELEASE = "cf58ec544c0b", "d63fcaab22d8", "b7c1e23a9d04"

SNAPSHOTS = {
    "learners": "SELECT id, email, legal_name FROM users ORDER BY id",
    "attempts": "SELECT id, user_id, quiz_id, number, score, passed FROM quiz_attempts "
                "ORDER BY id",
    "certificates": "SELECT id, code, user_id, course_id, legal_name, course_title, "
                    "completed_on FROM certificates ORDER BY id",
    "clinics": "SELECT id, name FROM clinics ORDER BY id",
    "clinic staff": "SELECT clinic_id, user_id, role FROM clinic_memberships "
                    "ORDER BY clinic_id, user_id",
    "assignments": "SELECT clinic_id, course_id, user_id, due_on FROM clinic_assignments "
                   "ORDER BY id",
}
CLINIC_TABLES = ("clinics", "clinic staff", "assignments")


@pytest.fixture(params=BACKENDS)
def fresh_uri(request, tmp_path):
    """An empty database of this test's own."""
    uri, drop = new_database(request.param, tmp_path)
    yield uri
    drop()


def snapshot(app) -> dict[str, list[tuple]]:
    with app.app_context():
        taken = {name: [tuple(row) for row in db.session.execute(text(query))]
                 for name, query in SNAPSHOTS.items()}
        db.session.remove()
    return taken


CYCLED = ("lesson_progress", "quiz_attempts", "quiz_standings", "certificates",
          "attempt_grants")


def first_cycle_only(app) -> bool:
    """Whether every row of the tables that have cycles is of cycle 1, none opened."""
    with app.app_context():
        cycles = {name: set(db.session.scalars(text(f"SELECT DISTINCT cycle FROM {name}")))
                  for name in CYCLED}
        opened = db.session.scalar(text("SELECT count(*) FROM course_cycles"))
        db.session.remove()
    return all(found <= {1} for found in cycles.values()) and opened == 0 \
        and all(cycles[name] for name in ("lesson_progress", "quiz_attempts", "certificates"))


def fill(app) -> list[str]:
    """Representative rows: a learner with a certificate (after a failed attempt), one
    part-way, one who never started; a clinic with a manager, staff and an assignment.
    Returns the certificate codes."""
    import_content(app)
    clinic = make_clinic(app)
    staff = join_staff(app, clinic, "staff@example.com", "Sam Staff")
    assign(app, clinic, today(app) + dt.timedelta(days=30), staff_ids=[staff])
    as_lists = lambda answers: {k: [v] if isinstance(v, str) else v  # noqa: E731
                                for k, v in answers.items()}
    make_user(app, "done@example.com", name="Dana Done")
    pass_quiz_directly(app, "done@example.com", "demo", "first-lesson", as_lists(DEMO_FAIL))
    complete_demo(app, "done@example.com")
    complete_demo(app, "staff@example.com")
    make_user(app, "partway@example.com", name="Pat Partway")
    pass_quiz_directly(app, "partway@example.com", "demo", "first-lesson", as_lists(DEMO_PASS))
    make_user(app, "new@example.com", name="Nora New")
    with app.app_context():
        codes = list(db.session.scalars(text("SELECT code FROM certificates ORDER BY id")))
        db.session.remove()
    return codes


def test_a_database_from_each_earlier_release_upgrades_with_its_records(fresh_uri):
    app = create_app(app_config(fresh_uri))
    with app.app_context():
        upgrade()
    codes = fill(app)
    before = snapshot(app)
    assert len(codes) == 2 and len(before["attempts"]) >= 5 and before["clinics"]
    names = {"Dana Done", "Sam Staff"}
    try:
        for revision in (LAST_RELEASE, CLINICS, FIRST):
            with app.app_context():
                downgrade(revision=revision)
                db.session.remove()
                upgrade()
                db.session.remove()
            after = snapshot(app)
            kept = {name: rows for name, rows in before.items()
                    if revision != FIRST or name not in CLINIC_TABLES}  # no clinics then
            assert {name: after[name] for name in kept} == kept, revision
            assert first_cycle_only(app), revision  # every row kept became cycle 1
            public = app.test_client()
            for code in codes:
                page = public.get(f"/verify/{code}", follow_redirects=True)
                assert page.status_code == 200, (revision, code)
                assert "This certificate is valid." in page.text, revision
            assert names == {name for name in names
                             if any(name in public.get(f"/verify/{code}", follow_redirects=True).text
                                    for code in codes)}
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
