"""Reminders of courses due soon, at most once a day; leaving a clinic; and the whole journey
of the issue: three staff invited (one by CSV), one completes, the report and CSV agree."""
from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select

from nmt_course.certificates.models import Certificate, CertificateStatus
from nmt_course.clinics.models import Membership
from nmt_course.extensions import db
from tests.app.authoring_helpers import post, upload_file
from tests.app.clinic_helpers import (assign, complete_demo, join_staff, make_clinic,
                                      manager_client, today, use_outbox)
from tests.helpers import form_with, import_content, login, set_clock


def remind(runner) -> str:
    result = runner.invoke(args=["clinics", "remind"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


TUESDAY = dt.datetime(2026, 11, 3, 15, 0, tzinfo=dt.timezone.utc)  # no weekly digest


def test_reminders_go_to_staff_due_within_a_week_once_a_day(app, runner):
    import_content(app)
    outbox = use_outbox(app)
    set_clock(app, lambda: TUESDAY)
    soon = make_clinic(app, "Soon Clinic", "m1@example.com")
    later = make_clinic(app, "Later Clinic", "m2@example.com")
    join_staff(app, soon, "due@example.com", "Dee Due")
    join_staff(app, soon, "done@example.com", "Don Done")
    join_staff(app, later, "relaxed@example.com", "Rae Relaxed")
    assign(app, soon, today(app) + dt.timedelta(days=7))
    assign(app, later, today(app) + dt.timedelta(days=10))
    complete_demo(app, "done@example.com")
    outbox.messages.clear()

    assert remind(runner) == "1 reminder and 0 weekly digests queued for sending."
    (message,) = outbox.messages
    assert message.to == "due@example.com" and message.subject == "Soon Clinic: courses due soon"
    assert "Soon Clinic asked you to complete these courses" in message.body
    assert "Demo Course for Tests: due" in message.body
    assert "http://nmt.test/courses/demo" in message.body
    assert remind(runner) == "0 reminders and 0 weekly digests queued for sending."
    # Four days on, the later clinic's course is due within a week too; the next day's
    # reminder says the first one is overdue.
    set_clock(app, lambda: TUESDAY + dt.timedelta(days=8))
    assert remind(runner) == "2 reminders and 0 weekly digests queued for sending."
    overdue = outbox.to("due@example.com")[-1]
    assert "Demo Course for Tests: overdue since November 10, 2026" in overdue.body
    assert overdue.subject == "Soon Clinic: courses overdue since November 10, 2026"
    assert len(outbox.to("relaxed@example.com")) == 1
    assert outbox.to("done@example.com") == []


def test_a_person_leaves_and_the_clinic_loses_sight_of_them_at_once(app):
    import_content(app)
    clinic_id = make_clinic(app)
    staff_id = join_staff(app, clinic_id, "ann@example.com", "Ann Able")
    assign(app, clinic_id, today(app) + dt.timedelta(days=7))
    complete_demo(app, "ann@example.com")
    manager = manager_client(app)
    assert "Ann Able" in manager.get(f"/clinics/{clinic_id}").text
    staff_page = manager.get(f"/clinics/{clinic_id}/staff").text
    removal = form_with(staff_page, "csrf_token")  # any form's token will do
    response = manager.post(f"/clinics/{clinic_id}/staff/{staff_id}/remove",
                            data={"csrf_token": removal["fields"]["csrf_token"]},
                            follow_redirects=True)
    assert "Ann Able is no longer on the staff of Harbour Clinic" in response.text
    assert "Ann Able" not in manager.get(f"/clinics/{clinic_id}").text
    assert "Ann Able" not in manager.get(f"/clinics/{clinic_id}/report.csv").text
    with app.app_context():
        assert db.session.scalar(select(Membership).where(
            Membership.user_id == staff_id)) is None
        assert db.session.scalar(select(Certificate.status)) is CertificateStatus.VALID
    ann = app.test_client()
    login(ann, "ann@example.com")
    dashboard = ann.get("/dashboard").text
    assert "Demo Course for Tests" in dashboard and "Assigned by" not in dashboard
    assert "View<span" in dashboard  # her certificate stays hers


def test_the_onboarding_journey_of_the_issue(app):
    import_content(app)
    outbox = use_outbox(app)
    clinic_id = make_clinic(app)
    other_clinic = make_clinic(app, "Other Clinic", "other@example.com")
    manager = manager_client(app)
    for email in ("ann@example.com", "bob@example.com"):
        post(manager, f"/clinics/{clinic_id}/invitations", {"invite-email": email})
    upload_file(manager, f"/clinics/{clinic_id}/invitations/upload", "roster-roster",
                "staff.csv", b"name,email\nCy Cole,cy@example.com\n")
    for email, name in (("ann@example.com", "Ann Able"), ("bob@example.com", "Bob Busy"),
                        ("cy@example.com", "Cy Cole")):
        visitor = app.test_client()
        page = visitor.get(outbox.link(email)).text
        assert visitor.post(outbox.link(email), data={
            **form_with(page, "legal_name")["fields"], "legal_name": name,
            "password": "a long enough pw", "confirm": "a long enough pw"}).status_code == 302
    next_week = today(app) + dt.timedelta(days=7)
    with app.app_context():
        from nmt_course.learning.queries import course_by_slug
        course_id = course_by_slug("demo").id
    assert post(manager, f"/clinics/{clinic_id}/assignments", {
        "assign-course": str(course_id), "assign-due_on": next_week.isoformat(),
        "assign-who": "clinic"}).status_code == 302
    complete_demo(app, "ann@example.com")

    page = manager.get(f"/clinics/{clinic_id}").text
    assert "Demo Course for Tests: 1 completed, 0 in progress, 2 not started, 0 overdue" in page
    rows = list(csv.DictReader(io.StringIO(
        manager.get(f"/clinics/{clinic_id}/report.csv?sort=name").text.lstrip("\ufeff"))))
    assert [(r["name"], r["status"], r["due date"]) for r in rows] == [
        ("Ann Able", "completed", next_week.isoformat()),
        ("Bob Busy", "not started", next_week.isoformat()),
        ("Cy Cole", "not started", next_week.isoformat())]
    other = manager_client(app, "other@example.com")
    assert "Nothing to report yet" in other.get(f"/clinics/{other_clinic}").text
    assert other.get(f"/clinics/{clinic_id}").status_code == 404
    assert other.get(f"/clinics/{clinic_id}/report.csv").status_code == 404
