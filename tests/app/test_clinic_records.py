"""Issue 23: a clinic keeps every record an audit asks for. Leavers stay in the report (under
Former staff) and come back with their assignments; invited people count as not started;
managers see the certificates, licences and CE hours of the courses they assigned, once the
person has been told, and a zip of a course's certificates; completion against the due date."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from sqlalchemy import select, update

from nmt_course.accounts.queries import user_by_email
from nmt_course.certificates.models import Certificate
from nmt_course.clinics.models import Assignment, Leaver, Membership
from nmt_course.extensions import db
from tests.app.authoring_helpers import post
from tests.app.clinic_helpers import (assign, complete_demo, join_staff, make_clinic,
                                      manager_client, today, use_outbox)
from tests.app.test_clinic_report import csv_rows
from tests.helpers import login, import_content, runtime, set_clock


def rows_by_name(page: str) -> dict[str, str]:
    """Each row of every table of the report, by the name it starts with."""
    found = {}
    for body in page.split("<tbody>")[1:]:
        for row in body.split("</tbody>")[0].split("<tr>")[1:]:
            found[row.split('<th scope="row">')[1].split("<")[0].strip()] = row
    return found


def set_licence(app, email: str, number: str = "MT-4711", state: str = "FL") -> None:
    with app.app_context():
        user = user_by_email(email)
        user.licence_number, user.licence_state = number, state
        db.session.commit()


def remove(app, manager, clinic_id: int, email: str):
    with app.app_context():
        user_id = user_by_email(email).id
    return post(manager, f"/clinics/{clinic_id}/staff/{user_id}/remove")


@pytest.fixture
def clinic(app):
    """Harbour Clinic: Ann (licensed) completes the demo course, Bob has not started, Dee is
    invited and has not joined."""
    import_content(app)
    use_outbox(app)
    clinic_id = make_clinic(app)
    join_staff(app, clinic_id, "ann@example.com", "Ann Marie Able")
    join_staff(app, clinic_id, "bob@example.com", "Bob Busy")
    assign(app, clinic_id, today(app) + dt.timedelta(days=7))
    set_licence(app, "ann@example.com")
    complete_demo(app, "ann@example.com")
    post(manager_client(app), f"/clinics/{clinic_id}/invitations",
         {"invite-email": "dee@example.com", "invite-name": "Dee Dawn"})
    return clinic_id


def test_a_leaver_stays_under_former_staff_and_returns_with_their_assignments(app, clinic):
    manager = manager_client(app)
    with app.app_context():
        bob = user_by_email("bob@example.com").id
    personal_due = today(app) + dt.timedelta(days=30)
    assign(app, clinic, personal_due, staff_ids=[bob])
    with app.app_context():
        joined = db.session.scalar(select(Membership.joined_at).where(
            Membership.user_id == bob))
    remove(app, manager, clinic, "ann@example.com")
    remove(app, manager, clinic, "bob@example.com")

    assert "Ann Marie Able" not in manager.get(f"/clinics/{clinic}").text
    former = rows_by_name(manager.get(f"/clinics/{clinic}?people=former").text)
    assert set(former) == {"Ann Marie Able", "Bob Busy"}
    assert f"Left {today(app):%B} {today(app).day}, {today(app).year}" in former[
        "Ann Marie Able"]
    assert "Completed" in former["Ann Marie Able"]
    assert "MT-4711" not in former["Ann Marie Able"]  # no licence numbers once they left
    assert "/clinics/" not in former["Ann Marie Able"].split("Verify")[0]  # no certificate
    lines = {line["name"]: line for line in csv_rows(
        manager.get(f"/clinics/{clinic}/report.csv?people=former"))}
    assert lines["Ann Marie Able"]["staff"] == f"former staff (left {today(app).isoformat()})"
    assert lines["Ann Marie Able"]["status"] == "completed"
    assert lines["Ann Marie Able"]["licence number"] == ""
    assert "Ann Marie Able" not in {line["name"] for line in csv_rows(
        manager.get(f"/clinics/{clinic}/report.csv"))}
    everyone = {line["name"] for line in csv_rows(
        manager.get(f"/clinics/{clinic}/report.csv?people=all"))}
    assert everyone == {"Ann Marie Able", "Bob Busy", "Dee Dawn"}
    assert manager.get(f"/clinics/{clinic}?people=gone").status_code == 400

    # Bob comes back: the same membership, his own assignment and due date with it.
    join_staff(app, clinic, "bob@example.com", "Bob Busy")
    with app.app_context():
        assert db.session.scalar(select(Membership.joined_at).where(
            Membership.user_id == bob)) == joined
        assert db.session.scalar(select(Assignment.due_on).where(
            Assignment.user_id == bob)) == personal_due
        assert db.session.scalar(select(Leaver.returned_at).where(
            Leaver.user_id == bob)) is not None
    current = rows_by_name(manager.get(f"/clinics/{clinic}").text)
    assert f"{personal_due:%B} {personal_due.day}, {personal_due.year}" in current["Bob Busy"]
    assert "Bob Busy" not in rows_by_name(manager.get(f"/clinics/{clinic}?people=former").text)


def test_a_course_completed_after_leaving_is_not_the_clinics_record(app):
    import_content(app)
    clinic = make_clinic(app)
    join_staff(app, clinic, "cy@example.com", "Cy Cole")
    assign(app, clinic, today(app) + dt.timedelta(days=7))
    remove(app, manager_client(app), clinic, "cy@example.com")
    complete_demo(app, "cy@example.com")
    later = runtime(app).clock() + dt.timedelta(days=1)
    set_clock(app, lambda: later)
    (line,) = csv_rows(manager_client(app).get(f"/clinics/{clinic}/report.csv?people=former"))
    assert line["status"] != "completed" and line["completed on"] == ""


def test_invited_people_count_as_not_started(app, clinic):
    manager = manager_client(app)
    page = manager.get(f"/clinics/{clinic}").text
    row = rows_by_name(page)["Dee Dawn"]
    assert "Invited" in row and "Not started" in row
    assert "Demo Course for Tests: 1 completed, 0 in progress, 2 not started, 0 overdue" in page
    (dee,) = [line for line in csv_rows(manager.get(f"/clinics/{clinic}/report.csv"))
              if line["e-mail"] == "dee@example.com"]
    assert (dee["staff"], dee["status"]) == ("invited", "not started")


def test_the_manager_sees_the_evidence_of_an_assigned_course(app, clinic):
    manager = manager_client(app)
    row = rows_by_name(manager.get(f"/clinics/{clinic}?view=list").text)["Ann Marie Able"]
    assert "Licence MT-4711 (FL)" in row and " CE" in row
    link = row.split('href="/clinics/')[1].split('"')[0]
    page = manager.get(f"/clinics/{link}")
    assert page.status_code == 200 and "Ann Marie Able" in page.text
    assert "read only" in page.text and "Add to LinkedIn" not in page.text
    pdf = manager.get(f"/clinics/{link}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    (line,) = [line for line in csv_rows(manager.get(f"/clinics/{clinic}/report.csv"))
               if line["name"] == "Ann Marie Able"]
    assert (line["licence number"], line["licence state"]) == ("MT-4711", "FL")
    assert line["CE hours"] != "" and line["certificate"] == "valid"
    assert line["completed vs due"] == "completed 7 days early"


def test_no_evidence_outside_what_the_clinic_assigned(app, clinic):
    code = _code(app, "ann@example.com")
    other = make_clinic(app, "Other Clinic", "other@example.com")
    join_staff(app, other, "ann@example.com", "Ann Marie Able")  # nothing assigned there
    outsider = manager_client(app, "other@example.com")
    assert outsider.get(f"/clinics/{other}/certificates/{code}").status_code == 404
    assert outsider.get(f"/clinics/{clinic}/certificates/{code}").status_code == 404
    manager = manager_client(app)
    assert manager.get(f"/clinics/{clinic}/certificates/{code}").status_code == 200
    remove(app, manager, clinic, "ann@example.com")
    assert manager.get(f"/clinics/{clinic}/certificates/{code}").status_code == 404
    assert manager.get(f"/clinics/{clinic}/certificates/{code}.pdf").status_code == 404


def _code(app, email: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Certificate).where(
            Certificate.user_id == user_by_email(email).id)).display_code


def untell(app, email: str) -> None:
    """As if the person had joined before managers could see certificates."""
    with app.app_context():
        db.session.execute(update(Membership).where(
            Membership.user_id == user_by_email(email).id).values(evidence_notice_at=None))
        db.session.commit()


def test_until_told_the_manager_sees_completion_dates_only(app, clinic, runner):
    untell(app, "ann@example.com")
    code = _code(app, "ann@example.com")
    manager = manager_client(app)
    row = rows_by_name(manager.get(f"/clinics/{clinic}?view=list").text)["Ann Marie Able"]
    assert "Completed" in row and "MT-4711" not in row and "CE" not in row
    assert "href=" not in row
    assert manager.get(f"/clinics/{clinic}/certificates/{code}").status_code == 404
    (line,) = [line for line in csv_rows(manager.get(f"/clinics/{clinic}/report.csv"))
               if line["name"] == "Ann Marie Able"]
    assert (line["licence number"], line["CE hours"], line["verification"]) == ("", "", "")
    assert line["completed on"] == today(app).isoformat()

    ann = app.test_client()
    login(ann, "ann@example.com")
    assert "The managers of Harbour Clinic will soon see" in ann.get("/dashboard").text
    outbox = use_outbox(app)
    assert runner.invoke(args=["clinics", "tell-staff"]).output.strip() == "1 notice queued."
    (mail,) = outbox.to("ann@example.com")
    assert "Harbour Clinic's managers now see your certificates" == mail.subject
    assert runner.invoke(args=["clinics", "tell-staff"]).output.strip() == "0 notices queued."
    assert "the managers of Harbour Clinic see" in ann.get("/dashboard").text
    assert manager.get(f"/clinics/{clinic}/certificates/{code}").status_code == 200
    assert "MT-4711" in rows_by_name(manager.get(f"/clinics/{clinic}").text)["Ann Marie Able"]


def test_staff_are_told_on_the_invitation_page(app, clinic):
    outbox = app.extensions["nmt_runtime"].mailer
    page = app.test_client().get(outbox.link("dee@example.com")).text
    assert "your certificates (page and PDF), your licence number and state" in page


def test_a_zip_holds_every_certificate_of_the_course_the_managers_may_see(app, clinic):
    join_staff(app, clinic, "eve@example.com", "Eve Early")
    complete_demo(app, "eve@example.com")
    untell(app, "eve@example.com")
    with app.app_context():
        course_id = db.session.scalar(select(Assignment.course_id))
    response = manager_client(app).get(f"/clinics/{clinic}/courses/{course_id}/"
                                       "certificates.zip")
    assert response.headers["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert names == [f"Ann-Marie-Able-{_code(app, 'ann@example.com')}.pdf"]
    assert manager_client(app).get(f"/clinics/{clinic}/courses/999/certificates.zip"
                                   ).status_code == 404


def test_completion_is_told_against_the_due_date(app):
    import_content(app)
    clinic = make_clinic(app)
    join_staff(app, clinic, "ann@example.com", "Ann Able")
    assign(app, clinic, today(app) + dt.timedelta(days=1))
    later = runtime(app).clock() + dt.timedelta(days=5)
    set_clock(app, lambda: later)
    complete_demo(app, "ann@example.com")
    manager = manager_client(app)
    assert "completed 4 days late" in manager.get(f"/clinics/{clinic}").text
    (line,) = csv_rows(manager.get(f"/clinics/{clinic}/report.csv"))
    assert line["completed vs due"] == "completed 4 days late"


def test_the_migration_fills_family_names_and_leaves_earlier_staff_untold(tmp_path):
    """Accounts made before family names get the last word of their legal name; staff who
    joined before managers could see certificates are not told yet."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from nmt_course import create_app
    from tests.conftest import app_config
    from tests.helpers import make_user

    old = create_app(app_config(f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    with old.app_context():
        upgrade()
    make_user(old, "ann@example.com", name="Ann  Marie van Able")
    make_user(old, "bo@example.com", name="Bo")
    clinic = make_clinic(old)
    join_staff(old, clinic, "cy@example.com", "Cy Cole")
    with old.app_context():
        db.session.execute(text("UPDATE users SET family_name = 'changed'"))
        db.session.commit()
        downgrade(revision="128bcd34848e")
        upgrade()
        names = dict(db.session.execute(text("SELECT email, family_name FROM users")).all())
        told = db.session.execute(text(
            "SELECT evidence_notice_at FROM clinic_memberships WHERE role = 'staff'")).all()
        db.engine.dispose()
    assert names["ann@example.com"] == "Able" and names["bo@example.com"] == "Bo"
    assert told == [(None,)]


@pytest.mark.dialect("column lengths")
def test_a_family_name_over_the_limit_is_refused_and_changes_nothing(app):
    from nmt_course.accounts.operations import AccountError, update_account
    from tests.helpers import make_user

    make_user(app, "al@example.com", name="Al Zimmer")
    with app.app_context():
        al = user_by_email("al@example.com")
        with pytest.raises(AccountError, match="at most 200 characters"):
            update_account(runtime(app), al, legal_name="Al Zimmer", licence_number=None,
                           licence_state=None, family_name="x" * 201)
        db.session.rollback()
        assert user_by_email("al@example.com").family_name == "Zimmer"


def test_a_leavers_row_stands_as_on_the_day_they_left(app, clinic):
    """Bob left before his due date: later, his former-staff row is not started (as it stood
    then), not overdue; Cy, still on the staff, is overdue by then."""
    from nmt_course.clinics.compliance import Status
    from nmt_course.clinics.report_queries import report

    join_staff(app, clinic, "cy@example.com", "Cy Cole")
    remove(app, manager_client(app), clinic, "bob@example.com")
    later = runtime(app).clock() + dt.timedelta(days=10)
    with app.app_context():
        states = {row.name: row.status for row in report(clinic, runtime(app).settings, later)}
    assert (states["Bob Busy"], states["Cy Cole"]) == (Status.NOT_STARTED, Status.OVERDUE)
