"""A revoked certificate no longer counts where it matters: its owner's page says so, the
course and dashboard stop calling the course done, a clinic's report and CSV do not count it
as completed, and reminders go out again."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from nmt_course.accounts.queries import user_by_email
from nmt_course.certificates.models import Certificate
from nmt_course.certificates.operations import revoke_certificate
from nmt_course.extensions import db
from tests.app.clinic_helpers import (assign, complete_demo, join_staff, make_clinic,
                                      manager_client, today, use_outbox)
from tests.app.test_clinic_report import csv_rows, rows_of
from tests.helpers import import_content, login, make_user, runtime


def revoke(app, email: str) -> str:
    """An admin revokes the learner's certificate; its display code."""
    make_user(app, "admin@example.com", is_admin=True)
    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(
            Certificate.user_id == user_by_email(email).id))
        revoke_certificate(runtime(app), user_by_email("admin@example.com"), certificate,
                           "Issued in error")
        return certificate.display_code


@pytest.fixture
def clinic(app):
    """Harbour Clinic: Ann completed the assigned course, due in three days."""
    import_content(app)
    clinic_id = make_clinic(app)
    join_staff(app, clinic_id, "ann@example.com", "Ann Able")
    assign(app, clinic_id, today(app) + dt.timedelta(days=3))
    complete_demo(app, "ann@example.com")
    return clinic_id


def test_the_owner_sees_the_revocation_on_the_certificate_and_the_course(app, clinic):
    owner = app.test_client()
    login(owner, "ann@example.com")
    code = revoke(app, "ann@example.com")
    page = owner.get(f"/certificates/{code}").text
    assert "This certificate is revoked" in page
    course = owner.get("/courses/demo").text
    assert "Your certificate for this course was revoked" in course
    assert "You completed this course" not in course
    dashboard = owner.get("/dashboard").text
    due = today(app) + dt.timedelta(days=3)
    assert f"due {due:%B} {due.day}, {due.year}" in dashboard  # the assignment is open again
    assert '<span class="badge badge-draft">revoked</span>' in dashboard


def test_the_clinic_report_does_not_count_a_revoked_certificate(app, clinic):
    manager = manager_client(app)
    assert "Completed" in rows_of(manager.get(f"/clinics/{clinic}").text)["Ann Able"]
    revoke(app, "ann@example.com")
    row = rows_of(manager.get(f"/clinics/{clinic}").text)["Ann Able"]
    assert "In progress" in row and "status-completed" not in row and "/verify/" not in row
    (line,) = csv_rows(manager.get(f"/clinics/{clinic}/report.csv"))
    assert (line["status"], line["completed on"], line["verification"]) == (
        "in progress", "", "")


def test_reminders_treat_a_revoked_certificate_as_not_completed(app, clinic, runner):
    outbox = use_outbox(app)
    assert runner.invoke(args=["clinics", "remind"]).output.startswith("0 reminders and ")
    revoke(app, "ann@example.com")
    assert runner.invoke(args=["clinics", "remind"]).output.startswith("1 reminder and ")
    (message,) = outbox.to("ann@example.com")
    assert "Demo Course for Tests: due" in message.body
