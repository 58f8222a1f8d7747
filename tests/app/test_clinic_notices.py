"""What clinics tell people: the e-mail of each course assigned (once per person and
assignment, later joiners too), reminders that name the clinic and skip those who cannot go
on, the managers' weekly digest, and a learner out of attempts asking for more."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from nmt_course.accounts.queries import user_by_email
from nmt_course.certificates.models import Certificate
from nmt_course.certificates.operations import revoke_certificate
from nmt_course.clinics import assignment_operations, queries
from nmt_course.clinics.models import Clinic
from nmt_course.extensions import db
from tests.app.authoring_helpers import post
from tests.app.clinic_helpers import (assign, complete_demo, join_staff, make_clinic,
                                      manager_client, use_outbox)
from tests.helpers import login, make_user, pass_quiz_directly, runtime, set_clock

UTC = dt.timezone.utc
MONDAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WRONG_SECOND = {"only": "false", "other": "b"}  # the second quiz allows two attempts


def at(app, moment: dt.datetime) -> None:
    set_clock(app, lambda: moment)


def answer(app, email: str, lesson: str, answers: dict) -> None:
    pass_quiz_directly(app, email, "demo", lesson,
                       {k: [v] if isinstance(v, str) else v for k, v in answers.items()})


def remind(runner) -> str:
    result = runner.invoke(args=["clinics", "remind"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def assigned_mails(outbox, address: str):
    return [m for m in outbox.to(address) if "assigned you" in m.subject]


def test_each_person_is_told_of_each_assignment_once_also_when_joining_later(app):
    from tests.helpers import import_content
    import_content(app)
    outbox = use_outbox(app)
    at(app, MONDAY + dt.timedelta(days=1))
    clinic_id = make_clinic(app)
    join_staff(app, clinic_id, "ann@example.com", "Ann Able")
    join_staff(app, clinic_id, "bob@example.com", "Bob Busy")
    assign(app, clinic_id, dt.date(2026, 11, 17))
    (mail,) = assigned_mails(outbox, "ann@example.com")
    assert mail.subject == ("Harbour Clinic assigned you “Demo Course for Tests”, due "
                            "November 17, 2026")
    assert "Harbour Clinic asks you to complete “Demo Course for Tests”" in mail.body
    assert "http://nmt.test/courses/demo" in mail.body and "Hello Ann Able," in mail.body
    assert len(assigned_mails(outbox, "bob@example.com")) == 1
    assert "manager@example.com" not in {m.to for m in outbox.messages if "assigned" in m.subject}

    assign(app, clinic_id, dt.date(2026, 11, 20))  # a new date: no second e-mail
    assert len(assigned_mails(outbox, "ann@example.com")) == 1
    # Someone joining three days later under "everyone, now and later" is told too, with
    # their own due date (as many days from joining as the others had).
    at(app, MONDAY + dt.timedelta(days=4))
    join_staff(app, clinic_id, "cy@example.com", "Cy Cole")
    (late,) = assigned_mails(outbox, "cy@example.com")
    assert "due November 23, 2026" in late.subject and "Hello Cy Cole," in late.body
    # A personal assignment is an assignment of its own, told to its person only.
    with app.app_context():
        bob = user_by_email("bob@example.com").id
    assign(app, clinic_id, dt.date(2026, 11, 30), staff_ids=[bob])
    assert len(assigned_mails(outbox, "bob@example.com")) == 2
    assert len(assigned_mails(outbox, "ann@example.com")) == 1
    with app.app_context():  # withdrawing an assignment that was told of works
        for assignment in queries.assignments_of(clinic_id):
            assignment_operations.withdraw(runtime(app), user_by_email("manager@example.com"),
                                           assignment)
        assert queries.assignments_of(clinic_id) == []


def test_reminders_name_the_clinic_and_skip_those_out_of_attempts(app, runner):
    from tests.helpers import import_content
    import_content(app)
    outbox = use_outbox(app)
    at(app, MONDAY + dt.timedelta(days=1))  # a Tuesday: no digest
    clinic_id = make_clinic(app)
    join_staff(app, clinic_id, "ann@example.com", "Ann Able")
    join_staff(app, clinic_id, "cy@example.com", "Cy Cole")
    assign(app, clinic_id, dt.date(2026, 11, 6))
    for _ in range(2):
        answer(app, "cy@example.com", "second-lesson", WRONG_SECOND)
    outbox.messages.clear()
    assert remind(runner) == "1 reminder and 0 weekly digests queued for sending."
    (mail,) = outbox.messages
    assert mail.to == "ann@example.com" and mail.subject == "Harbour Clinic: courses due soon"
    # Once granted more attempts, Cy can go on, and is reminded again.
    with app.app_context():
        from nmt_course.quizzes import operations as quizzes
        from nmt_course.learning.queries import quiz_context
        cy = user_by_email("cy@example.com")
        quiz = quiz_context("demo", "second-lesson").quiz
        quizzes.grant_attempts(runtime(app), learner_id=cy.id, quiz_id=quiz.id, attempts=1,
                               reason="Talked it through")
    at(app, MONDAY + dt.timedelta(days=2))
    assert remind(runner) == "2 reminders and 0 weekly digests queued for sending."


def test_a_revoked_certificate_is_reminded_again(app, runner):
    from tests.helpers import import_content
    import_content(app)
    outbox = use_outbox(app)
    at(app, MONDAY + dt.timedelta(days=1))
    clinic_id = make_clinic(app)
    join_staff(app, clinic_id, "ann@example.com", "Ann Able")
    assign(app, clinic_id, dt.date(2026, 11, 6))
    complete_demo(app, "ann@example.com")
    outbox.messages.clear()
    assert remind(runner).startswith("0 reminders")
    with app.app_context():
        revoke_certificate(runtime(app), user_by_email("manager@example.com"),
                           db.session.scalar(select(Certificate)), "Issued in error")
    at(app, MONDAY + dt.timedelta(days=2))
    assert remind(runner).startswith("1 reminder ")
    assert outbox.to("ann@example.com")[-1].subject == "Harbour Clinic: courses due soon"


def test_managers_get_a_weekly_digest_on_mondays_unless_they_opt_out(app, runner):
    from tests.helpers import import_content
    import_content(app)
    outbox = use_outbox(app)
    at(app, MONDAY - dt.timedelta(days=6))  # Tuesday, October 27
    clinic_id = make_clinic(app)
    make_user(app, "quiet@example.com", name="Quinn Quiet")
    with app.app_context():
        from nmt_course.clinics import operations
        operations.add_manager(runtime(app), None, db.session.get(Clinic, clinic_id),
                               "quiet@example.com")
    for email, name in [("ann@example.com", "Ann Able"), ("bob@example.com", "Bob Busy"),
                        ("cy@example.com", "Cy Cole"), ("dee@example.com", "Dee Dunn"),
                        ("eve@example.com", "Eve Early")]:
        join_staff(app, clinic_id, email, name)
    assign(app, clinic_id, dt.date(2026, 11, 5))  # a Thursday
    with app.app_context():  # Bob's own date passed the week before: not news this week
        bob = user_by_email("bob@example.com").id
    assign(app, clinic_id, dt.date(2026, 10, 28), staff_ids=[bob])
    complete_demo(app, "eve@example.com")  # completed the week before: not this week's news
    quiet = manager_client(app, "quiet@example.com")
    page = quiet.get("/account").text
    assert "Weekly digest" in page
    assert post(quiet, "/account/clinic-digest", {"clinic_digest": ""}).status_code == 302
    at(app, MONDAY + dt.timedelta(days=2))  # Wednesday
    complete_demo(app, "ann@example.com")
    complete_demo(app, "dee@example.com")
    for _ in range(2):
        answer(app, "cy@example.com", "second-lesson", WRONG_SECOND)
    with app.app_context():
        dee = user_by_email("dee@example.com").id
        revoke_certificate(runtime(app), user_by_email("manager@example.com"),
                           db.session.scalar(select(Certificate).where(
                               Certificate.user_id == dee)), "Issued in error")
    cy = app.test_client()
    login(cy, "cy@example.com")
    post(cy, "/courses/demo/lessons/second-lesson/quiz/more-attempts", {})
    outbox.messages.clear()
    at(app, MONDAY + dt.timedelta(days=7, hours=1))  # Monday, November 9
    # Reminders go to Bob and Dee; Cy, out of attempts, cannot go on.
    assert remind(runner) == "2 reminders and 1 weekly digest queued for sending."
    (digest,) = [m for m in outbox.messages if "week in training" in m.subject]
    assert digest.to == "manager@example.com"
    assert digest.subject == "Harbour Clinic: the week in training"
    body = digest.body
    overdue = body.split("Newly overdue")[1].split("Out of quiz attempts")[0]
    stuck = body.split("Out of quiz attempts")[1].split("Completed this week")[0]
    done = body.split("Completed this week")[1]
    assert "(2):" in overdue and "Bob Busy" not in overdue  # Cy and Dee
    assert "Dee Dunn: Demo Course for Tests" in overdue  # a revoked certificate is not done
    assert "Cy Cole: Demo Course for Tests (asked for more attempts)" in stuck
    assert "(1):" in done and "Ann Able: Demo Course for Tests, November 4, 2026" in done
    assert "Eve Early" not in body and "Dee Dunn" not in done
    assert "http://nmt.test/clinics/" in body
    assert remind(runner).endswith("0 weekly digests queued for sending.")  # once a week
    at(app, MONDAY + dt.timedelta(days=8))
    assert remind(runner).endswith("0 weekly digests queued for sending.")  # not Tuesdays
