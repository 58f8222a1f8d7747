"""The audit log: what it records, and admins reading it with filters."""
from __future__ import annotations

import datetime as dt

import pytest

from sqlalchemy import select

from nmt_course.accounts.models import User
from nmt_course.audit import AuditEvent
from nmt_course.extensions import db
from nmt_course.learning.models import Course
from nmt_course.quizzes.models import QuestionFlag
from tests.app.authoring_helpers import author, post, upload_file, write_course
from tests.app.test_authoring import png
from tests.app.clinic_helpers import join_staff, make_clinic
from tests.helpers import PASSWORD, import_content, login, make_user, post_form

BASE = "/author/courses/neck-care"


@pytest.mark.dialect("date filters")
def test_admins_read_the_log_with_filters(app):
    make_user(app, "kim@example.com", name="Kim Learner")
    post_form(app.test_client(), "/login", {"email": "kim@example.com", "password": "wrong"})
    clinic_id = make_clinic(app, "Harbour Clinic", "lee@example.com")
    join_staff(app, clinic_id, "sam@example.com", "Sam Staff")
    admin = author(app, "admin@example.com", is_admin=True)
    with app.app_context():
        kim = db.session.scalar(select(AuditEvent.actor_id).where(
            AuditEvent.action == "user.login_failed"))
    post(admin, f"/admin/people/{kim}/roles", {"is_instructor": "y"})

    everything = admin.get("/admin/audit").text
    for action in ("user.login_failed", "user.login", "user.roles_changed", "clinic.created",
                   "clinic.joined"):
        assert action in everything, action
    logins = admin.get("/admin/audit?kind=logins").text
    assert "user.login_failed" in logins and "clinic.created" not in logins
    assert "127.0.0.1" in logins  # from where
    kims = admin.get("/admin/audit?person=kim").text
    assert "Kim Learner" in kims and "Sam Staff" not in kims
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert "No event matches." in admin.get(f"/admin/audit?since={tomorrow}").text
    not_a_date = admin.get("/admin/audit?since=yesterday")
    assert not_a_date.status_code == 400
    assert "From: “yesterday” is not a date; use the form 2026-03-31." in not_a_date.text
    assert admin.get("/admin/audit?kind=secrets").status_code == 400


def test_only_admins_read_the_log(app, client):
    make_user(app)
    login(client)
    assert client.get("/admin/audit").status_code == 403
    assert app.test_client().get("/admin/audit").status_code == 302


def test_the_log_names_people_by_id_and_keeps_no_secret(app):
    import_content(app)
    make_user(app, "kim@example.com", name="Kim Learner")
    client = app.test_client()
    login(client, "kim@example.com")
    post_form(client, "/reset-password", {"email": "kim@example.com"})
    with app.app_context():
        text = repr(db.session.execute(select(AuditEvent.subject, AuditEvent.details)).all())
    assert "kim@example.com" not in text and PASSWORD not in text
    assert "reset-password/" not in text


def test_every_kind_of_event_has_a_filter():
    """An event the code records but no filter shows would hide in 'all kinds' only."""
    import re

    from nmt_course.admin.queries import KINDS
    from nmt_course.config import PROJECT_ROOT

    source = "\n".join(path.read_text() for path in (PROJECT_ROOT / "nmt_course").rglob("*.py"))
    actions = set(re.findall(r'"((?:user|certificate|clinic|content|course|draft|quiz)'
                             r'\.[a-z_]+)"', source))
    prefixes = [prefix for _, chosen in KINDS.values() for prefix in chosen]
    assert len(actions) > 30
    assert sorted(a for a in actions if not a.startswith(tuple(prefixes))) == []


@pytest.mark.parametrize("query, says", [
    ("until=9999-12-31", "To: give a date from 2000-01-01 to 2999-12-31."),
    ("since=0001-01-01", "From: give a date from 2000-01-01 to 2999-12-31."),
    ("since=1999-12-31&until=3000-01-01", "To: give a date from 2000-01-01 to 2999-12-31."),
    ("until=99999-01-01", "To: “99999-01-01” is not a date"),
])
@pytest.mark.dialect("date range")
def test_a_date_out_of_range_is_explained_not_a_500(app, query, says):
    """Issue 15, finding 12: /admin/audit?until=9999-12-31 overflowed into a 500."""
    admin = author(app, "admin@example.com", is_admin=True)
    page = admin.get(f"/admin/audit?{query}")
    assert page.status_code == 400 and says in page.text
    assert "No event matches." not in page.text
    assert admin.get("/admin/audit?until=2999-12-31").status_code == 200


def _events(app, action: str) -> list[tuple]:
    with app.app_context():
        return [(e.actor_id, e.subject, e.details, e.affected_id) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def test_image_uploads_gift_imports_draft_edits_and_flag_resolutions_are_recorded(app):
    """Issue 15, "Also": none of these was in the log."""
    teacher = author(app, "teach@example.com")
    write_course(teacher)
    with app.app_context():
        teach = db.session.scalar(select(User.id).where(User.email == "teach@example.com"))
        course = f"course:{db.session.scalar(select(Course.id))}"
    edits = _events(app, "draft.saved")  # each draft edit is kept as a revision (issue 19)
    assert any((actor, subject) == (teach, course)
               and details["files"] == ["lessons/neck-care/01-neck-basics.md"]
               for actor, subject, details, _ in edits)
    assert upload_file(teacher, f"{BASE}/images", "image", "neck.png", png(),
                       alt="A neck").status_code == 302
    ((actor, subject, details, _),) = _events(app, "course.image_added")
    assert (actor, subject) == (teach, course) and details["name"].startswith("neck.")
    upload_file(teacher, f"{BASE}/lessons/neck-basics/quiz/gift", "gift", "bank.gift",
                b"::q1:: The trapezius elevates the scapula. {T}\n")
    (actor, subject, details, _) = _events(app, "draft.saved")[-1]
    assert (actor, subject, details["files"], details["summary"]) == (
        teach, course, ["quizzes/neck-care/neck-basics.yaml"],
        "Imported 1 GIFT question into neck-basics")
    make_user(app, "kim@example.com", name="Kim Learner")
    kim = app.test_client()
    login(kim, "kim@example.com")
    post(kim, "/courses/neck-care/lessons/neck-basics/quiz/questions/scm-action/flag",
         {"comment": "Two choices could be right."})
    with app.app_context():
        flag_id = db.session.scalar(select(QuestionFlag.id))
        kim_id = db.session.scalar(select(User.id).where(User.email == "kim@example.com"))
    assert post(teacher, f"{BASE}/lessons/neck-basics/quiz/flags/{flag_id}/resolve"
                ).status_code == 302
    ((actor, subject, details, affected),) = _events(app, "quiz.flag_resolved")
    assert (actor, details["flag_id"], details["question"], affected) == (
        teach, flag_id, "scm-action", kim_id)


@pytest.mark.dialect("JSON columns")
def test_the_person_filter_finds_who_acted_and_whom_it_was_about(app):
    make_user(app, "kim@example.com", name="Kim Learner")
    admin = author(app, "admin@example.com", is_admin=True)
    with app.app_context():
        kim = db.session.scalar(select(User.id).where(User.email == "kim@example.com"))
    post(admin, f"/admin/people/{kim}/roles", {"is_instructor": "y"})
    about_kim = admin.get("/admin/audit?person=kim").text
    assert "user.roles_changed" in about_kim  # done by the admin, about Kim
    assert f'about <a href="/admin/people/{kim}">Kim Learner</a>' in about_kim
    assert "user.roles_changed" in admin.get("/admin/audit?person=admin@").text
    assert "user.roles_changed" not in admin.get("/admin/audit?person=nobody").text
