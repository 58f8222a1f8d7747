"""Withdrawing an assignment marks it: no longer required, reminded, reported or digested,
but kept as a record (the assignments page's history, the report and CSV when asked), and
the same course can be assigned again."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from nmt_course.accounts.queries import user_by_email
from nmt_course.audit import AuditEvent
from nmt_course.clinics import assignment_operations, queries
from nmt_course.clinics.models import Assignment, AssignmentNotice
from nmt_course.clinics.notice_queries import digest
from nmt_course.clinics.operations import ClinicError
from nmt_course.extensions import db
from tests.app.authoring_helpers import post
from tests.app.clinic_helpers import (assign, complete_demo, join_staff, make_clinic,
                                      manager_client, use_outbox)
from tests.app.test_clinic_report import csv_rows, rows_of
from tests.helpers import import_content, login, runtime, set_clock

UTC = dt.timezone.utc
TUESDAY = dt.datetime(2026, 11, 3, 15, 0, tzinfo=UTC)


def at(app, moment: dt.datetime) -> None:
    set_clock(app, lambda: moment)


@pytest.fixture
def withdrawn(app):
    """Harbour Clinic assigned the demo course to everyone, due November 5; Ann completed
    it, Cy did not; on November 10 (Cy overdue) the manager withdrew it."""
    import_content(app)
    use_outbox(app)
    at(app, TUESDAY)
    clinic_id = make_clinic(app)
    join_staff(app, clinic_id, "ann@example.com", "Ann Able")
    join_staff(app, clinic_id, "cy@example.com", "Cy Cole")
    assign(app, clinic_id, dt.date(2026, 11, 5))
    complete_demo(app, "ann@example.com")
    at(app, TUESDAY + dt.timedelta(days=7))
    with app.app_context():
        (assignment,) = queries.assignments_of(clinic_id)
    done = post(manager_client(app), f"/clinics/{clinic_id}/assignments/{assignment.id}"
                "/withdraw", follow_redirects=True)
    assert "is withdrawn" in done.text
    return clinic_id


def test_withdrawal_is_a_mark_with_its_author_in_the_audit_log(app, withdrawn):
    with app.app_context():
        manager = user_by_email("manager@example.com")
        (assignment,) = db.session.scalars(select(Assignment)).all()
        assert assignment.withdrawn_at == TUESDAY + dt.timedelta(days=7)
        assert assignment.withdrawn_by_id == manager.id
        # The e-mails sent of it stay recorded too.
        assert len(db.session.scalars(select(AssignmentNotice)).all()) == 2
        (event,) = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "clinic.assignment_withdrawn")).all()
        assert event.actor_id == manager.id
        assert queries.assignments_of(withdrawn) == []
        # A withdrawn assignment cannot be withdrawn again, nor its date changed.
        with pytest.raises(ClinicError):
            assignment_operations.withdraw(runtime(app), manager, assignment)
    manager_page = manager_client(app)
    assert post(manager_page, f"/clinics/{withdrawn}/assignments/{assignment.id}/withdraw"
                ).status_code == 404
    assert post(manager_page, f"/clinics/{withdrawn}/assignments/{assignment.id}",
                {f"due{assignment.id}-due_on": "2027-01-01"}).status_code == 404


def test_a_withdrawn_assignment_is_no_longer_asked_of_anyone(app, withdrawn, runner):
    manager = manager_client(app)
    assert "Nothing to report yet" in manager.get(f"/clinics/{withdrawn}").text
    result = runner.invoke(args=["clinics", "remind"])
    assert result.output.startswith("0 reminders"), result.output  # Cy is not reminded
    staff = app.test_client()
    login(staff, "cy@example.com")
    assert "Assigned by" not in staff.get("/dashboard").text
    with app.app_context():
        week = digest(withdrawn, runtime(app).settings, TUESDAY + dt.timedelta(days=7))
        assert week.empty  # Cy's overdue course is not news


def test_a_withdrawn_assignment_stays_in_the_history_and_in_the_report_when_asked(
        app, withdrawn):
    manager = manager_client(app)
    page = manager.get(f"/clinics/{withdrawn}/assignments").text
    history = page.split('id="withdrawn-heading"')[1]
    assert ("Demo Course for Tests: for all staff, due November 5, 2026; withdrawn "
            "November 10, 2026.") in history
    rows = rows_of(manager.get(f"/clinics/{withdrawn}?withdrawn=1").text)
    assert "Withdrawn November 10, 2026" in rows["Cy Cole"]
    assert "Overdue" in rows["Cy Cole"]  # as it stood when withdrawn
    assert "Completed" in rows["Ann Able"]
    lines = csv_rows(manager.get(f"/clinics/{withdrawn}/report.csv?withdrawn=1&sort=name"))
    assert [(line["name"], line["assignment"], line["status"]) for line in lines] == [
        ("Ann Able", "withdrawn 2026-11-10", "completed"),
        ("Cy Cole", "withdrawn 2026-11-10", "overdue")]
    assert csv_rows(manager.get(f"/clinics/{withdrawn}/report.csv")) == []


@pytest.mark.dialect("partial unique index")
def test_the_same_course_can_be_assigned_again_after_a_withdrawal(app, withdrawn):
    outbox = app.extensions["nmt_runtime"].mailer
    outbox.messages.clear()
    assign(app, withdrawn, dt.date(2026, 12, 1))
    with app.app_context():
        rows = db.session.scalars(select(Assignment).order_by(Assignment.id)).all()
        assert [(a.due_on, a.withdrawn_at is None) for a in rows] == [
            (dt.date(2026, 11, 5), False), (dt.date(2026, 12, 1), True)]
    # A new assignment: each person is told of it.
    assert {m.to for m in outbox.messages if "assigned you" in m.subject} == {
        "ann@example.com", "cy@example.com"}
    rows = rows_of(manager_client(app).get(f"/clinics/{withdrawn}").text)
    assert "Not started" in rows["Cy Cole"] and "Withdrawn" not in rows["Cy Cole"]
    # One assignment in force per course for the whole clinic: the database says so too.
    with app.app_context():
        first = db.session.scalars(select(Assignment)).first()
        db.session.add(Assignment(clinic_id=withdrawn, course_id=first.course_id,
                                  user_id=None, due_on=dt.date(2026, 12, 2),
                                  assigned_at=TUESDAY))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


@pytest.mark.dialect("partial unique index")
def test_one_personal_assignment_in_force_per_course_and_person(app, withdrawn):
    with app.app_context():
        cy = user_by_email("cy@example.com").id
        course_id = db.session.scalars(select(Assignment.course_id)).first()
    assign(app, withdrawn, dt.date(2026, 12, 1), staff_ids=[cy])
    with app.app_context():
        (personal,) = queries.assignments_of(withdrawn)
        assignment_operations.withdraw(runtime(app), user_by_email("manager@example.com"),
                                       personal)
    assign(app, withdrawn, dt.date(2026, 12, 8), staff_ids=[cy])  # after a withdrawal: fine
    with app.app_context():
        db.session.add(Assignment(clinic_id=withdrawn, course_id=course_id, user_id=cy,
                                  due_on=dt.date(2026, 12, 9), assigned_at=TUESDAY))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
