"""Out of attempts is no dead end: the learner sees who to contact and asks for more in one
click, the admins grant in one click, and the clinic report shows the request meanwhile.
Struggling (failed twice, not passed) clears on the pass."""
from __future__ import annotations

import pytest
import datetime as dt

from sqlalchemy import func, select

from nmt_course.extensions import db
from nmt_course.quizzes.models import AttemptGrant, AttemptRequest
from tests.app.authoring_helpers import post
from tests.app.clinic_helpers import (assign, join_staff, make_clinic, manager_client, today,
                                      use_outbox)
from tests.helpers import (DEMO_FAIL, DEMO_PASS, import_content, login, make_user,
                           pass_quiz_directly)

QUIZ = "/courses/demo/lessons/second-lesson/quiz"
WRONG_SECOND = {"only": ["false"], "other": ["b"]}  # the second quiz allows two attempts


def rows_of(page: str) -> dict[str, str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return {row.split('<th scope="row">')[1].split("<")[0]: row
            for row in body.split("<tr>")[1:]}


def requests_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AttemptRequest.id)))


@pytest.mark.dialect("partial unique index")
def test_a_learner_out_of_attempts_asks_and_an_admin_grants_in_one_click(app):
    import_content(app)
    outbox = use_outbox(app)
    make_user(app, "admin@example.com", name="Ada Admin", is_admin=True)
    clinic_id = make_clinic(app)
    other_clinic = make_clinic(app, "Other Clinic", "other.manager@example.com")
    join_staff(app, clinic_id, "cy@example.com", "Cy Cole")
    join_staff(app, other_clinic, "cy@example.com", "Cy Cole")  # assigned nothing there
    join_staff(app, clinic_id, "ann@example.com", "Ann Able")
    assign(app, clinic_id, today(app) + dt.timedelta(days=7))
    for _ in range(2):
        pass_quiz_directly(app, "cy@example.com", "demo", "second-lesson", WRONG_SECOND)
    cy = app.test_client()
    login(cy, "cy@example.com")
    closed = cy.get(QUIZ).text
    assert "You have used every attempt this quiz allows." in closed
    assert "Manager of Harbour Clinic, Harbour Clinic:" in closed
    assert "manager@example.com" in closed and "Ask for more attempts" in closed
    assert "other.manager@example.com" not in closed  # that clinic did not assign the course

    # Someone who can still take the quiz cannot ask.
    ann = app.test_client()
    login(ann, "ann@example.com")
    refused = post(ann, f"{QUIZ}/more-attempts", follow_redirects=True)
    assert "You can still take this quiz" in refused.text
    assert requests_count(app) == 0

    outbox.messages.clear()
    asked = post(cy, f"{QUIZ}/more-attempts")
    assert asked.status_code == 302 and asked.headers["Location"].endswith(QUIZ)
    post(cy, f"{QUIZ}/more-attempts")  # twice: still one request, one e-mail
    assert requests_count(app) == 1
    (mail,) = outbox.messages
    assert mail.to == "admin@example.com"
    assert mail.subject == "Cy Cole asks for more attempts at a quiz"
    assert "http://nmt.test/admin/people" in mail.body
    assert "You asked for more attempts on" in cy.get(QUIZ).text

    manager = manager_client(app)
    row = rows_of(manager.get(f"/clinics/{clinic_id}").text)["Cy Cole"]
    assert "Out of attempts" in row and "They asked for more attempts." in row

    # Only admins grant; the manager's click answers 403 and changes nothing.
    with app.app_context():
        request_id = db.session.scalar(select(AttemptRequest.id))
    assert post(manager, f"/admin/attempt-requests/{request_id}/grant").status_code == 403
    admin = app.test_client()
    login(admin, "admin@example.com")
    people = admin.get("/admin/people").text
    assert "Asked for more attempts" in people and "Grant Cy Cole one more attempt" in people
    granted = post(admin, f"/admin/attempt-requests/{request_id}/grant")
    assert granted.status_code == 302
    with app.app_context():
        grant = db.session.scalar(select(AttemptGrant))
        assert grant.attempts == 1 and grant.reason.startswith("Asked for more attempts on")
        assert db.session.get(AttemptRequest, request_id).granted_at is not None
    # Answered: a second click finds nothing to grant, the report and the quiz move on.
    assert post(admin, f"/admin/attempt-requests/{request_id}/grant").status_code == 404
    assert "Asked for more attempts" not in admin.get("/admin/people").text
    row = rows_of(manager.get(f"/clinics/{clinic_id}").text)["Cy Cole"]
    assert "Out of attempts" not in row and "asked for more attempts" not in row
    assert 'name="attempt"' in cy.get(QUIZ).text


def test_struggling_clears_on_the_pass(app):
    import_content(app)
    clinic_id = make_clinic(app)
    join_staff(app, clinic_id, "bob@example.com", "Bob Busy")
    assign(app, clinic_id, today(app) + dt.timedelta(days=7))
    answers = {k: [v] if isinstance(v, str) else v for k, v in DEMO_FAIL.items()}
    for _ in range(2):
        pass_quiz_directly(app, "bob@example.com", "demo", "first-lesson", answers)
    manager = manager_client(app)
    assert "Struggling" in rows_of(manager.get(f"/clinics/{clinic_id}").text)["Bob Busy"]
    assert "Bob Busy" in rows_of(manager.get(f"/clinics/{clinic_id}?help=1").text)
    pass_quiz_directly(app, "bob@example.com", "demo", "first-lesson",
                       {k: [v] if isinstance(v, str) else v for k, v in DEMO_PASS.items()})
    assert "Struggling" not in rows_of(manager.get(f"/clinics/{clinic_id}").text)["Bob Busy"]
    assert "Bob Busy" not in manager.get(f"/clinics/{clinic_id}?help=1").text
