"""Training that recurs: an assignment repeated every N months (1-60, refused otherwise with
the range named), met by a completion within the last N months; the report's expiry, its
"expiring within 30 days" filter and the CSV's columns; nothing changes without one."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from nmt_course.clinics import assignment_operations, queries
from nmt_course.clinics.models import Assignment, Clinic, ClinicRole
from nmt_course.clinics.operations import ClinicError
from nmt_course.extensions import db
from nmt_course.learning.queries import course_by_slug
from tests.app.authoring_helpers import post
from tests.app.clinic_helpers import complete_demo, join_staff, make_clinic, manager_client
from tests.app.test_clinic_report import csv_rows, rows_of
from tests.helpers import import_content, runtime, set_clock

UTC = dt.timezone.utc
START = dt.datetime(2026, 1, 12, 15, 0, tzinfo=UTC)  # Ann completes the course that day


def at(app, moment: dt.datetime) -> None:
    set_clock(app, lambda: moment)


def assign_every(app, clinic_id: int, months: int | None, due: dt.date) -> None:
    with app.app_context():
        clinic = db.session.get(Clinic, clinic_id)
        manager = queries.members(clinic_id, ClinicRole.MANAGER)[0].user
        assignment_operations.assign(runtime(app), manager, clinic, course_by_slug("demo"),
                                     due, recur_months=months)


@pytest.fixture
def clinic(app):
    """Ann completed the demo course on January 12, 2026; Cy has not started."""
    import_content(app)
    at(app, START)
    clinic_id = make_clinic(app)
    join_staff(app, clinic_id, "ann@example.com", "Ann Able")
    join_staff(app, clinic_id, "cy@example.com", "Cy Cole")
    complete_demo(app, "ann@example.com")
    return clinic_id


@pytest.mark.parametrize("months", ["0", "61", "-3"])
def test_a_recurrence_out_of_range_is_refused_with_the_range_named(app, clinic, months):
    response = post(manager_client(app), f"/clinics/{clinic}/assignments", {
        "assign-course": str(course_by_slug_id(app)), "assign-due_on": "2026-02-01",
        "assign-who": "clinic", "assign-recur_months": months})
    assert response.status_code == 422
    assert "Repeat every 1 to 60 months, or leave it empty." in response.text
    with app.app_context():
        assert db.session.scalars(select(Assignment)).all() == []
        manager = queries.members(clinic, ClinicRole.MANAGER)[0].user
        with pytest.raises(ClinicError, match="1 to 60 months"):
            assignment_operations.assign(runtime(app), manager, db.session.get(Clinic, clinic),
                                         course_by_slug("demo"), dt.date(2026, 2, 1),
                                         recur_months=int(months))
        assert db.session.scalars(select(Assignment)).all() == []


def course_by_slug_id(app) -> int:
    with app.app_context():
        return course_by_slug("demo").id


def test_a_12_month_assignment_is_stored_and_shown(app, clinic):
    manager = manager_client(app)
    done = post(manager, f"/clinics/{clinic}/assignments", {
        "assign-course": str(course_by_slug_id(app)), "assign-due_on": "2026-02-01",
        "assign-who": "clinic", "assign-recur_months": "12"}, follow_redirects=True)
    assert "repeated every 12 months" in done.text
    with app.app_context():
        assert db.session.scalar(select(Assignment.recur_months)) == 12


def test_a_completion_expires_after_the_months_of_the_assignment(app, clinic):
    assign_every(app, clinic, 12, dt.date(2026, 2, 1))
    # Eleven months on: completed, and expiring within 30 days (January 12, 2027).
    at(app, dt.datetime(2026, 12, 20, 12, 0, tzinfo=UTC))
    manager = manager_client(app)  # (a session lasts 30 days)
    rows = rows_of(manager.get(f"/clinics/{clinic}").text)
    assert "Completed" in rows["Ann Able"]
    assert "Expires on January 12, 2027" in rows["Ann Able"]
    assert list(rows_of(manager.get(f"/clinics/{clinic}?expiring=1").text)) == ["Ann Able"]
    (line,) = csv_rows(manager.get(f"/clinics/{clinic}/report.csv?expiring=1"))
    assert (line["repeats every (months)"], line["expires on"], line["expired on"]) == (
        "12", "2027-01-12", "")
    # Ten months on, the expiry is further than 30 days away.
    at(app, dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC))
    manager = manager_client(app)
    assert "Nobody matches these filters" in manager.get(f"/clinics/{clinic}?expiring=1").text
    # On the day it expires, the course is no longer completed: due that day, then overdue.
    at(app, dt.datetime(2027, 1, 12, 12, 0, tzinfo=UTC))
    manager = manager_client(app)
    rows = rows_of(manager.get(f"/clinics/{clinic}").text)
    assert "Completed</span>" not in rows["Ann Able"]
    assert "Expired January 12, 2027 (completed January 12, 2026)" in rows["Ann Able"]
    at(app, dt.datetime(2027, 1, 13, 12, 0, tzinfo=UTC))
    manager = manager_client(app)
    rows = rows_of(manager.get(f"/clinics/{clinic}").text)
    assert "Overdue" in rows["Ann Able"]
    lines = {line["name"]: line for line in csv_rows(manager.get(
        f"/clinics/{clinic}/report.csv"))}
    assert (lines["Ann Able"]["status"], lines["Ann Able"]["due date"],
            lines["Ann Able"]["expired on"], lines["Ann Able"]["completed on"]) == (
        "overdue", "2027-01-12", "2027-01-12", "")


def test_without_a_recurrence_a_completion_never_expires(app, clinic):
    assign_every(app, clinic, None, dt.date(2026, 2, 1))
    at(app, dt.datetime(2031, 1, 12, 12, 0, tzinfo=UTC))
    rows = rows_of(manager_client(app).get(f"/clinics/{clinic}").text)
    assert "Completed" in rows["Ann Able"] and "Expire" not in rows["Ann Able"]
