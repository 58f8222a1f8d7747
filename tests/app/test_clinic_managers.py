"""Small things a manager hits: the Clinics item in the navigation, taking the clinic's
courses themselves, failed forms whose address reopens, short course titles in the picker."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from nmt_course.audit import AuditEvent
from nmt_course.extensions import db
from nmt_course.learning.queries import course_by_slug
from tests.app.authoring_helpers import post, upload_file
from tests.app.clinic_helpers import (assign, join_staff, make_clinic, manager_client, today,
                                      use_outbox)
from tests.helpers import import_content, login, make_user


def nav(page: str) -> str:
    return page.split('aria-label="Main"')[1].split("</nav>")[0]


def test_managers_find_their_clinics_in_the_navigation(app):
    import_content(app)
    clinic_id = make_clinic(app)
    join_staff(app, clinic_id, "ann@example.com", "Ann Able")
    manager = manager_client(app)
    assert '<a href="/clinics"' in nav(manager.get("/dashboard").text)
    ann = app.test_client()
    login(ann, "ann@example.com")
    assert "/clinics" not in nav(ann.get("/dashboard").text)


def test_a_manager_adds_themselves_to_the_staff_and_takes_its_courses(app):
    import_content(app)
    outbox = use_outbox(app)
    clinic_id = make_clinic(app)
    join_staff(app, clinic_id, "ann@example.com", "Ann Able")
    assign(app, clinic_id, today(app) + dt.timedelta(days=7))
    manager = manager_client(app)
    staff_page = manager.get(f"/clinics/{clinic_id}/staff").text
    assert "Add me to the staff to take its assigned courses" in staff_page
    assert "Demo Course for Tests" not in manager.get("/dashboard").text
    outbox.messages.clear()

    added = post(manager, f"/clinics/{clinic_id}/staff/me", {"take": "1"})
    assert added.status_code == 302
    (mail,) = outbox.to("manager@example.com")
    assert "assigned you “Demo Course for Tests”" in mail.subject
    assert "Demo Course for Tests" in manager.get("/dashboard").text
    report = manager.get(f"/clinics/{clinic_id}").text
    assert "Manager of Harbour Clinic" in report.split("<tbody>")[1]
    assert "Take me off the staff" in manager.get(f"/clinics/{clinic_id}/staff").text
    post(manager, f"/clinics/{clinic_id}/staff/me", {"take": "1"})  # again: changes nothing
    assert len(outbox.to("manager@example.com")) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "clinic.manager_takes_courses")) == 1

    post(manager, f"/clinics/{clinic_id}/staff/me", {"take": "0"})
    assert "Manager of Harbour Clinic" not in manager.get(f"/clinics/{clinic_id}").text.split(
        "<tbody>")[1]
    # Staff cannot use the manager's button to reach anything.
    ann = app.test_client()
    login(ann, "ann@example.com")
    assert post(ann, f"/clinics/{clinic_id}/staff/me", {"take": "1"}).status_code == 404
    # Nor can an admin who is on the staff without managing the clinic.
    make_user(app, "admin@example.com", is_admin=True)
    join_staff(app, clinic_id, "admin@example.com")
    admin = app.test_client()
    login(admin, "admin@example.com")
    assert post(admin, f"/clinics/{clinic_id}/staff/me", {"take": "1"}).status_code == 404


def test_a_failed_form_leaves_an_address_that_reopens(app):
    import_content(app)
    use_outbox(app)
    clinic_id = make_clinic(app)
    manager = manager_client(app)
    for url, response in (
            (f"/clinics/{clinic_id}/invitations",
             post(manager, f"/clinics/{clinic_id}/invitations", {"invite-email": "nope"})),
            (f"/clinics/{clinic_id}/invitations/upload",
             upload_file(manager, f"/clinics/{clinic_id}/invitations/upload", "roster-roster",
                         "staff.csv", b"\n"))):
        assert response.status_code == 422
        reopened = manager.get(url)
        assert reopened.status_code == 302
        assert reopened.headers["Location"].endswith(f"/clinics/{clinic_id}/staff")
    make_user(app, "admin@example.com", is_admin=True)
    admin = app.test_client()
    login(admin, "admin@example.com")
    for part, field in (("name", "rename-name"), ("managers", "manager-email")):
        url = f"/admin/clinics/{clinic_id}/{part}"
        assert post(admin, url, {field: ""}).status_code == 422
        reopened = admin.get(url)
        assert reopened.status_code == 302
        assert reopened.headers["Location"].endswith(f"/admin/clinics/{clinic_id}")


def test_the_assignment_picker_names_courses_by_their_short_title(app):
    import_content(app)
    clinic_id = make_clinic(app)
    with app.app_context():
        course_by_slug("demo").title = "Demo Course: For Tests, With a Long Subtitle"
        db.session.commit()
    page = manager_client(app).get(f"/clinics/{clinic_id}/assignments").text
    picker = page.split('name="assign-course"')[1].split("</select>")[0]
    assert ">Demo Course</option>" in picker and "Long Subtitle" not in picker
