"""Clinics and their managers: admins create them; a manager reaches only their own clinics,
and every other clinic's record answers 404 wherever its id appears."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from nmt_course.clinics.models import Assignment, Clinic, ClinicRole, Invitation, Membership
from nmt_course.extensions import db
from tests.app.authoring_helpers import author, post
from tests.app.clinic_helpers import (assign, join_staff, make_clinic, manager_client, today,
                                      use_outbox)
from tests.helpers import import_content, login, make_user


def test_an_admin_creates_a_clinic_with_its_manager_in_the_browser(app):
    use_outbox(app)
    make_user(app, "lee@example.com", name="Lee Manager")
    admin = author(app, "admin@example.com", is_admin=True)
    assert "Clinics" in admin.get("/dashboard").text
    created = post(admin, "/admin/clinics", {"name": "  Harbour   Clinic ",
                                             "manager_email": "LEE@example.com"})
    assert created.status_code == 302
    page = admin.get(created.location).text
    assert "Harbour Clinic is created. Lee Manager now manages Harbour Clinic." in page
    with app.app_context():
        clinic = db.session.scalar(select(Clinic))
        member = db.session.scalar(select(Membership))
        assert clinic.name == "Harbour Clinic"
        assert (member.clinic_id, member.role) == (clinic.id, ClinicRole.MANAGER)
    assert "Harbour Clinic" in admin.get("/admin/clinics").text

    lee = manager_client(app, "lee@example.com")
    assert lee.get("/clinics").location.endswith(f"/clinics/{clinic.id}")
    assert lee.get("/admin/clinics").status_code == 403
    assert post(lee, "/admin/clinics", {"name": "Mine", "manager_email": "lee@example.com"}
                ).status_code == 403


def test_a_manager_without_an_account_is_invited_to_manage(app):
    outbox = use_outbox(app)
    admin = author(app, "admin@example.com", is_admin=True)
    page = post(admin, "/admin/clinics", {"name": "Bay Clinic",
                                          "manager_email": "new.boss@example.com"},
                follow_redirects=True).text
    assert "No account uses new.boss@example.com: an invitation to manage Bay Clinic" in page
    visitor = app.test_client()
    form = visitor.get(outbox.link("new.boss@example.com")).text
    assert "to manage its staff" in form
    with app.app_context():
        assert db.session.scalar(select(Invitation.role)) is ClinicRole.MANAGER


def test_bad_clinic_forms_say_what_is_wrong_and_change_nothing(app):
    admin = author(app, "admin@example.com", is_admin=True)
    missing = post(admin, "/admin/clinics", {"name": "", "manager_email": "not-an-address"})
    assert missing.status_code == 422
    assert "Give the clinic a name." in missing.text
    assert "Enter an e-mail address such as name@example.com." in missing.text
    with app.app_context():
        assert db.session.scalar(select(Clinic)) is None


def test_the_command_creates_a_clinic(app, runner):
    make_user(app, "lee@example.com")
    result = runner.invoke(args=["clinics", "create", "Harbour Clinic",
                                 "--manager", "lee@example.com"])
    assert result.exit_code == 0, result.output
    assert "Harbour Clinic: lee@example.com manages it." in result.output
    bad = runner.invoke(args=["clinics", "create", "X", "--manager", "nope"])
    assert bad.exit_code == 1 and "is not an e-mail address" in bad.output


def test_one_person_manages_several_clinics_and_sees_each(app):
    first = make_clinic(app, "North Clinic", "lee@example.com")
    second = make_clinic(app, "South Clinic", "lee@example.com")
    lee = manager_client(app, "lee@example.com")
    listing = lee.get("/clinics").text
    assert "North Clinic" in listing and "South Clinic" in listing
    for clinic_id in (first, second):
        assert lee.get(f"/clinics/{clinic_id}").status_code == 200
    assert "Clinics you manage" in lee.get("/dashboard").text


@pytest.fixture
def two_clinics(app):
    """Clinic A (managed by a@) and clinic B (managed by b@), each with staff, an open
    invitation and an assignment."""
    import_content(app)
    outbox = use_outbox(app)
    ids = {}
    for letter in "ab":
        clinic_id = make_clinic(app, f"Clinic {letter.upper()}", f"{letter}@example.com")
        staff_id = join_staff(app, clinic_id, f"staff-{letter}@example.com")
        assign(app, clinic_id, today(app) + dt.timedelta(days=7))
        manager = manager_client(app, f"{letter}@example.com")
        post(manager, f"/clinics/{clinic_id}/invitations",
             {"invite-email": f"later-{letter}@example.com"})
        with app.app_context():
            invitation = db.session.scalar(select(Invitation.id).where(
                Invitation.email == f"later-{letter}@example.com"))
            assignment = db.session.scalar(select(Assignment.id).where(
                Assignment.clinic_id == clinic_id))
        ids[letter] = {"clinic": clinic_id, "staff": staff_id, "invitation": invitation,
                       "assignment": assignment}
    return ids, outbox


def b_routes(b):
    """Every clinic route, pointed at clinic B's records (method, path, form data)."""
    c, s, i, a = b["clinic"], b["staff"], b["invitation"], b["assignment"]
    return [
        ("GET", f"/clinics/{c}", None), ("GET", f"/clinics/{c}/report.csv", None),
        ("GET", f"/clinics/{c}/staff", None), ("GET", f"/clinics/{c}/assignments", None),
        ("POST", f"/clinics/{c}/invitations", {"invite-email": "x@example.com"}),
        ("POST", f"/clinics/{c}/invitations/{i}/resend", {}),
        ("POST", f"/clinics/{c}/invitations/{i}/revoke", {}),
        ("POST", f"/clinics/{c}/staff/{s}/remove", {}),
        ("POST", f"/clinics/{c}/assignments", {"assign-course": "1", "assign-due_on": "2030-01-01",
                                              "assign-who": "clinic"}),
        ("POST", f"/clinics/{c}/assignments/{a}", {f"due{a}-due_on": "2030-01-01"}),
        ("POST", f"/clinics/{c}/assignments/{a}/withdraw", {}),
    ]


def a_paths_with_b_records(a, b):
    """Clinic A's own address, with clinic B's records in it."""
    c = a["clinic"]
    return [
        ("POST", f"/clinics/{c}/invitations/{b['invitation']}/resend", {}),
        ("POST", f"/clinics/{c}/invitations/{b['invitation']}/revoke", {}),
        ("POST", f"/clinics/{c}/staff/{b['staff']}/remove", {}),
        ("POST", f"/clinics/{c}/assignments/{b['assignment']}",
         {f"due{b['assignment']}-due_on": "2030-01-01"}),
        ("POST", f"/clinics/{c}/assignments/{b['assignment']}/withdraw", {}),
    ]


def snapshot(app):
    with app.app_context():
        return (db.session.execute(select(Membership.id, Membership.role)).all(),
                db.session.execute(select(Assignment.id, Assignment.due_on)).all(),
                db.session.execute(select(Invitation.id, Invitation.token_hash,
                                          Invitation.revoked_at)).all())


def test_another_clinics_records_answer_404_and_change_nothing(app, two_clinics):
    ids, outbox = two_clinics
    manager_a = manager_client(app, "a@example.com")
    before, mail_before = snapshot(app), len(outbox.messages)
    for method, path, data in b_routes(ids["b"]) + a_paths_with_b_records(ids["a"], ids["b"]):
        response = (manager_a.get(path) if method == "GET" else post(manager_a, path, data))
        assert response.status_code == 404, (method, path, response.status_code)
    assert snapshot(app) == before and len(outbox.messages) == mail_before
    # The report's filter takes only this clinic's courses.
    assert manager_a.get(f"/clinics/{ids['a']['clinic']}?course=999").status_code == 404


def test_staff_and_other_learners_reach_no_clinic_page(app, two_clinics):
    ids, _ = two_clinics
    staff = app.test_client()
    login(staff, "staff-a@example.com")
    for method, path, data in b_routes(ids["a"]):
        response = staff.get(path) if method == "GET" else post(staff, path, data)
        assert response.status_code == 404, (method, path)
    assert "You do not manage a clinic" in staff.get("/clinics").text
    anonymous = app.test_client()
    assert anonymous.get(f"/clinics/{ids['a']['clinic']}").status_code == 302


def test_the_manager_reaches_their_own_clinic_and_an_admin_every_clinic(app, two_clinics):
    ids, _ = two_clinics
    manager_a = manager_client(app, "a@example.com")
    admin = author(app, "admin@example.com", is_admin=True)
    for method, path, _ in b_routes(ids["a"])[:4]:
        assert manager_a.get(path).status_code == 200, path
        assert admin.get(path).status_code == 200, path


def test_managers_are_changed_by_admins_only(app):
    clinic_id = make_clinic(app, "North Clinic", "lee@example.com")
    admin = author(app, "admin@example.com", is_admin=True)
    kim_id = make_user(app, "kim@example.com", name="Kim Co-manager")
    assert post(admin, f"/admin/clinics/{clinic_id}/managers",
                {"manager-email": "kim@example.com"}).status_code == 302
    lee = manager_client(app, "lee@example.com")
    # The staff page's Remove is for staff: a co-manager is not removed there.
    assert post(lee, f"/clinics/{clinic_id}/staff/{kim_id}/remove").status_code == 404
    removed = post(admin, f"/admin/clinics/{clinic_id}/managers/{kim_id}/remove",
                   follow_redirects=True)
    assert "Kim Co-manager no longer manages North Clinic." in removed.text
    with app.app_context():
        lee_id = db.session.scalar(select(Membership.user_id).where(
            Membership.role == ClinicRole.MANAGER))
    last = post(admin, f"/admin/clinics/{clinic_id}/managers/{lee_id}/remove",
                follow_redirects=True)
    assert "A clinic needs a manager" in last.text
    with app.app_context():
        assert db.session.scalar(select(Membership.user_id)) == lee_id


@pytest.mark.dialect("case-insensitive lookup")
def test_two_clinics_cannot_share_a_name(app, runner):
    make_clinic(app, "Harbour Clinic", "lee@example.com")
    admin = author(app, "admin@example.com", is_admin=True)
    again = post(admin, "/admin/clinics", {"name": "harbour  clinic",
                                           "manager_email": "lee@example.com"})
    assert again.status_code == 422 and "There is already a clinic called Harbour" in again.text
    by_command = runner.invoke(args=["clinics", "create", "HARBOUR CLINIC",
                                     "--manager", "lee@example.com"])
    assert by_command.exit_code == 1 and "already a clinic" in by_command.output
    other = make_clinic(app, "Bay Clinic", "lee@example.com")
    renamed = post(admin, f"/admin/clinics/{other}/name", {"rename-name": "Harbour Clinic"})
    assert renamed.status_code == 422 and "already a clinic" in renamed.text
    with app.app_context():
        assert sorted(db.session.scalars(select(Clinic.name))) == ["Bay Clinic",
                                                                   "Harbour Clinic"]
