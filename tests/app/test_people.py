"""Who may author which course, and admins managing people."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from nmt_course.accounts.models import User
from nmt_course.audit import AuditEvent
from nmt_course.extensions import db
from tests.app.authoring_helpers import LESSON, author, post, write_course
from tests.helpers import SECOND_PASS, import_content, login, make_user, submit_quiz

BASE = "/author/courses/neck-care"
EDITOR_PAGES = [BASE, f"{BASE}/lessons/neck-basics/edit", f"{BASE}/lessons/neck-basics/quiz",
                f"{BASE}/lessons/neck-basics/quiz/questions/scm-action/edit",
                f"{BASE}/preview/", f"{BASE}/preview/lessons/neck-basics",
                f"{BASE}/preview/lessons/neck-basics/quiz"]
EDITOR_POSTS = [f"{BASE}/settings", f"{BASE}/publish", f"{BASE}/discard", f"{BASE}/images",
                f"{BASE}/maintainers", f"{BASE}/lessons/new", f"{BASE}/history/1/restore",
                f"{BASE}/history/discard",
                f"{BASE}/lessons/neck-basics/move", f"{BASE}/lessons/neck-basics/remove",
                f"{BASE}/lessons/neck-basics/quiz/questions/scm-action/remove"]


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def test_another_instructors_course_answers_404_everywhere(app):
    owner = author(app)
    write_course(owner)
    other = author(app, "other@example.com")
    for url in EDITOR_PAGES:
        assert owner.get(url).status_code == 200, url
        assert other.get(url).status_code == 404, url
    for url in EDITOR_POSTS:
        assert post(other, url).status_code == 404, url
    assert "Neck Care" not in other.get("/author/").text
    assert "Neck Care" in owner.get("/author/").text


def test_the_owner_adds_a_maintainer_who_may_then_edit(app):
    owner = author(app)
    write_course(owner)
    maintainer = author(app, "helper@example.com")
    make_user(app, "learner@example.com")
    not_instructor = post(owner, f"{BASE}/maintainers", {"email": "learner@example.com"})
    assert not_instructor.status_code == 422 and "is not an instructor" in not_instructor.text
    assert post(owner, f"{BASE}/maintainers",
                {"email": "helper@example.com"}).status_code == 302
    assert maintainer.get(BASE).status_code == 200
    assert "Neck Care" in maintainer.get("/author/").text
    assert post(maintainer, f"{BASE}/lessons/neck-basics/edit",
                {**LESSON, "title": "Edited by the maintainer"}).status_code == 302
    # Only the owner chooses maintainers.
    assert post(maintainer, f"{BASE}/maintainers",
                {"email": "teach@example.com"}).status_code == 403
    helper = user_id(app, "helper@example.com")
    assert post(maintainer, f"{BASE}/maintainers/{helper}/remove").status_code == 403
    assert post(owner, f"{BASE}/maintainers/{helper}/remove").status_code == 302
    assert maintainer.get(BASE).status_code == 404


def test_an_admin_edits_every_course_and_manages_its_maintainers(app):
    owner = author(app)
    write_course(owner)
    admin = author(app, "admin@example.com", is_admin=True)
    author(app, "second@example.com")
    assert admin.get(BASE).status_code == 200
    assert post(admin, f"{BASE}/maintainers",
                {"email": "second@example.com"}).status_code == 302
    assert "Second" in owner.get(BASE).text


def test_people_pages_are_for_admins_only(app, client):
    assert client.get("/admin/people").location.startswith("/login")
    teacher = author(app)
    assert teacher.get("/admin/people").status_code == 403
    assert post(teacher, f"/admin/people/{user_id(app, 'teach@example.com')}/roles",
                {"is_admin": "y"}).status_code == 403
    admin = author(app, "admin@example.com", is_admin=True)
    assert admin.get("/admin/people").status_code == 200
    assert 'href="/admin/people">People</a>' in admin.get("/dashboard").text
    assert "People</a>" not in teacher.get("/dashboard").text


@pytest.mark.dialect("case-insensitive lookup")
def test_admins_search_people_and_change_their_roles(app):
    admin = author(app, "admin@example.com", is_admin=True)
    make_user(app, "jo@example.com", name="Jo Percent_Sign")
    make_user(app, "kim@example.com", name="Kim Lee")
    found = admin.get("/admin/people", query_string={"q": "percent_"}).text
    assert "Jo Percent_Sign" in found and "Kim Lee" not in found
    assert "Kim Lee" in admin.get("/admin/people", query_string={"q": "KIM@"}).text
    kim = user_id(app, "kim@example.com")
    assert post(admin, f"/admin/people/{kim}/roles", {"is_instructor": "y"}).status_code == 302
    kim_client = app.test_client()
    login(kim_client, "kim@example.com")
    assert kim_client.get("/author/").status_code == 200
    me = user_id(app, "admin@example.com")
    refused = post(admin, f"/admin/people/{me}/roles", {"is_instructor": "y"})
    assert refused.status_code == 409 and "cannot remove your own admin role" in refused.text
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "user.roles_changed"))
        assert (event.actor_id, event.subject) == (me, f"user:{kim}")
        assert event.details["after"] == {"instructor": True, "admin": False}


def test_a_deactivated_account_is_logged_out_at_once_and_can_be_reactivated(app):
    admin = author(app, "admin@example.com", is_admin=True)
    make_user(app)
    learner = app.test_client()
    login(learner)
    assert learner.get("/dashboard").status_code == 200
    target = user_id(app, "learner@example.com")
    assert post(admin, f"/admin/people/{target}/active", {"active": "0"}).status_code == 302
    assert learner.get("/dashboard").status_code == 302  # back to the login page
    again = app.test_client()
    response = again.get("/login")
    assert response.status_code == 200
    assert post(admin, f"/admin/people/{target}/active", {"active": "1"}).status_code == 302
    assert learner.get("/dashboard").status_code == 302  # a session from before stays ended
    login(again)
    me = user_id(app, "admin@example.com")
    refused = post(admin, f"/admin/people/{me}/active", {"active": "0"})
    assert refused.status_code == 409 and "cannot deactivate your own account" in refused.text


def test_a_legal_name_correction_is_recorded_with_who_and_why(app):
    admin = author(app, "admin@example.com", is_admin=True)
    make_user(app, name="Jane Lerner")
    target = user_id(app, "learner@example.com")
    missing = post(admin, f"/admin/people/{target}/legal-name",
                   {"name-legal_name": "Jane Learner"})
    assert missing.status_code == 422 and "Say why the name changes." in missing.text
    assert post(admin, f"/admin/people/{target}/legal-name", {
        "name-legal_name": "Jane Learner",
        "name-reason": "Learner sent a copy of her licence"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, target).legal_name == "Jane Learner"
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "user.legal_name_corrected"))
        assert event.actor_id == user_id(app, "admin@example.com")
        assert event.details == {"before": "Jane Lerner", "after": "Jane Learner",
                                 "reason": "Learner sent a copy of her licence"}


@pytest.mark.parametrize("attempts, status", [("1", 302), ("0", 422), ("11", 422)])
def test_an_admin_grants_a_learner_another_quiz_attempt(app, attempts, status):
    import_content(app)
    admin = author(app, "admin@example.com", is_admin=True)
    make_user(app)
    learner = app.test_client()
    login(learner)
    wrong = {"only": "false", "other": "b"}
    submit_quiz(learner, "demo", "second-lesson", wrong)
    submit_quiz(learner, "demo", "second-lesson", wrong)
    quiz_page = "/courses/demo/lessons/second-lesson/quiz"
    assert "You have used every attempt" in learner.get(quiz_page).text
    target = user_id(app, "learner@example.com")
    page = admin.get(f"/admin/people/{target}").text
    assert '<optgroup label="Demo Course for Tests">' in page
    quiz_id = page.split(">The Second Lesson</option>")[0].rsplit('value="', 1)[1].split('"')[0]
    response = post(admin, f"/admin/people/{target}/attempts", {
        "grant-quiz": quiz_id, "grant-attempts": attempts,
        "grant-reason": "Re-read the lesson"})
    assert response.status_code == status
    reopened = 'name="attempt"' in learner.get(quiz_page).text
    assert reopened == (status == 302)
    if reopened:
        assert submit_quiz(learner, "demo", "second-lesson", SECOND_PASS).location.endswith(
            "/attempts/3")
