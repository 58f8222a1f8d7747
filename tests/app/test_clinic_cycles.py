"""Cycles (issue 24, points 1, 2, 4): a clinic repeats a course every 12 months; `clinics
remind` opens a new cycle for a staff member whose completion is within 30 days of expiry,
once; the course starts afresh for them (read marks, attempts and their limit, the course
page's certificate) and earns a second certificate, while the first still verifies; the
transcript counts the CEs once; the report shows the cycle, its due date and the earlier
one. Learners outside a recurring assignment keep their single cycle."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from nmt_course.accounts.queries import user_by_email
from nmt_course.audit import AuditEvent
from nmt_course.certificates.models import Certificate
from nmt_course.clinics import cycle_operations
from nmt_course.clinics.cycle_queries import cycles_due
from nmt_course.clinics.notice_queries import digest
from nmt_course.clinics.report_queries import report
from nmt_course.cycles import CourseCycle
from nmt_course.extensions import db
from nmt_course.learning.queries import lesson_rows, quiz_context
from nmt_course.mailing.messages import render_email
from nmt_course.quizzes import operations as quiz_operations, queries as quiz_queries
from nmt_course.runtime import Email
from tests.app.clinic_helpers import join_staff, make_clinic, manager_client, use_outbox
from tests.app.test_clinic_recurrence import UTC, assign_every, at
from tests.app.test_clinic_report import csv_rows, rows_of
from tests.helpers import (DEMO_PASS, FIXTURE_CONTENT, SECOND_PASS, count_statements,
                           evaluate_directly, import_content, login, make_user,
                           pass_quiz_directly, read_directly, runtime)

START = dt.datetime(2026, 1, 12, 15, 0, tzinfo=UTC)  # Ann completes the course that day
ELEVEN_MONTHS_ON = dt.datetime(2026, 12, 20, 12, 0, tzinfo=UTC)  # expiry: January 12, 2027
SECOND_FAIL = {"only": ["false"], "other": ["b"]}
as_lists = lambda answers: {k: [v] if isinstance(v, str) else v  # noqa: E731
                            for k, v in answers.items()}


def take_the_course(app, email: str, *, fail_second_first: bool) -> None:
    """Read both lessons and pass both quizzes; the second quiz (2 attempts allowed) failed
    once first if asked, so that its limit is used up by the pass."""
    read_directly(app, email, "demo", "first-lesson")
    pass_quiz_directly(app, email, "demo", "first-lesson", as_lists(DEMO_PASS))
    read_directly(app, email, "demo", "second-lesson")
    if fail_second_first:
        pass_quiz_directly(app, email, "demo", "second-lesson", SECOND_FAIL)
    done = pass_quiz_directly(app, email, "demo", "second-lesson", as_lists(SECOND_PASS))
    assert done.attempt.passed


def standing_of(app, email: str, lesson: str):
    with app.app_context():
        user = user_by_email(email)
        return quiz_queries.standing(user.id, quiz_context("demo", lesson).quiz.id)[0]


def remind(app) -> str:
    result = app.test_cli_runner().invoke(args=["clinics", "remind"])
    assert result.exit_code == 0, result.output
    return result.output


def certificates(app, email: str) -> list[Certificate]:
    with app.app_context():
        user = user_by_email(email)
        found = list(db.session.scalars(select(Certificate).where(
            Certificate.user_id == user.id).order_by(Certificate.cycle)))
        db.session.expunge_all()
        return found


@pytest.fixture
def clinic(app):
    """Ann completed the demo course on January 12, 2026 (using up the second quiz's two
    attempts); Bo completed it too, outside any clinic. The clinic repeats it every 12
    months."""
    import_content(app)
    at(app, START)
    clinic_id = make_clinic(app)
    join_staff(app, clinic_id, "ann@example.com", "Ann Able")
    take_the_course(app, "ann@example.com", fail_second_first=True)
    evaluate_directly(app, "ann@example.com", "demo")
    join_staff(app, make_clinic(app, "Other Clinic", "other@example.com"), "bo@example.com",
               "Bo Bright")
    take_the_course(app, "bo@example.com", fail_second_first=False)
    evaluate_directly(app, "bo@example.com", "demo")
    assign_every(app, clinic_id, 12, dt.date(2026, 2, 1))
    return clinic_id


@pytest.mark.dialect("the current cycle as a subquery in every read")
def test_a_retake_in_a_new_cycle_earns_a_second_certificate_and_the_first_still_verifies(
        app, clinic):
    (first,) = certificates(app, "ann@example.com")
    assert standing_of(app, "ann@example.com", "second-lesson").attempts_used == 2
    with app.app_context():  # an extra attempt granted in cycle 1 stays there
        quiz_operations.grant_attempts(
            runtime(app), learner_id=user_by_email("ann@example.com").id,
            quiz_id=quiz_context("demo", "second-lesson").quiz.id, attempts=1, reason="Asked")
    assert standing_of(app, "ann@example.com", "second-lesson").max_attempts == 3
    outbox = use_outbox(app)

    # Eleven months on, `clinics remind` opens a new cycle for Ann, once.
    at(app, ELEVEN_MONTHS_ON)
    assert "1 new cycle of recurring training opened." in remind(app)
    assert "new cycle" not in remind(app)  # the next day's run (or the same day's) opens none
    at(app, ELEVEN_MONTHS_ON + dt.timedelta(days=1))
    assert "new cycle" not in remind(app)
    with app.app_context():
        (cycle,) = db.session.scalars(select(CourseCycle)).all()
        assert (cycle.number, cycle.due_on) == (2, dt.date(2027, 1, 12))  # the expiry date
        assert cycle.user_id == user_by_email("ann@example.com").id
        (event,) = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "course.cycle_opened")).all()
        assert event.details["cycle"] == 2
    (mail,) = [m for m in outbox.to("ann@example.com") if "is due again" in m.subject]
    assert "Harbour Clinic: " in mail.subject and "January 12, 2027" in mail.subject
    assert outbox.to("bo@example.com") == []  # Bo's training does not recur: one cycle

    # The course starts afresh for Ann: nothing read, fresh attempts, no certificate yet.
    ann = app.test_client()
    login(ann, "ann@example.com")
    page = ann.get("/courses/demo")
    assert "View your certificate" not in page.text and first.display_code not in page.text
    fresh = standing_of(app, "ann@example.com", "second-lesson")
    assert (fresh.attempts_used, fresh.max_attempts, fresh.passed) == (0, 2, False)
    quiz = ann.get("/courses/demo/lessons/second-lesson/quiz")
    # The quiz page reads the new cycle's standing: open at attempt 1, not "You passed".
    assert quiz.status_code == 200 and "Submit answers" in quiz.text
    assert "Attempt 1 of 2" in quiz.text and "You passed this quiz." not in quiz.text
    dashboard = ann.get("/dashboard").text
    assert "January 12, 2027" in dashboard  # the new cycle's due date
    # Bo, outside any recurring assignment, keeps his cycle: completed.
    assert standing_of(app, "bo@example.com", "second-lesson").passed

    # She takes it again, the used-up limit fresh: fails once, passes with her 2nd attempt.
    at(app, ELEVEN_MONTHS_ON + dt.timedelta(days=3))
    take_the_course(app, "ann@example.com", fail_second_first=True)
    first_again, second = certificates(app, "ann@example.com")
    assert (first_again.code, first_again.cycle, second.cycle) == (first.code, 1, 2)
    assert second.completed_on == dt.date(2026, 12, 23) and second.is_valid
    assert first_again.is_valid
    # The first still verifies; both are listed; the transcript counts the CEs once.
    public = app.test_client()
    login(ann, "ann@example.com")  # three days on
    for code in (first.display_code, second.display_code):
        assert "This certificate is valid." in public.get(f"/verify/{code}",
                                                          follow_redirects=True).text
    listed = ann.get("/dashboard").text  # the learner's certificates: both
    assert f"/certificates/{first.display_code}" in listed
    assert f"/certificates/{second.display_code}" in listed
    ranged = ann.get("/transcript?from=2026-01-01&to=2027-12-31")
    total = ranged.text.split('id="period-total"')[1].split("</p>")[0]
    assert f"{first.ce_hours.normalize():f} CEs" in total
    assert first.display_code in ranged.text and second.display_code in ranged.text
    assert second.display_code in ann.get("/courses/demo").text  # the current cycle's
    # The next run opens nothing: her current cycle's completion is fresh. A year on, it is
    # due in turn: a third cycle, due when the second completion expires.
    assert "new cycle" not in remind(app)
    at(app, dt.datetime(2027, 12, 1, 12, 0, tzinfo=UTC))
    assert "1 new cycle of recurring training opened." in remind(app)
    with app.app_context():
        assert db.session.execute(select(CourseCycle.number, CourseCycle.due_on).order_by(
            CourseCycle.number)).all() == [(2, dt.date(2027, 1, 12)), (3, dt.date(2027, 12, 23))]


@pytest.mark.dialect("concurrent runs")
def test_two_runs_at_once_open_one_cycle(app, clinic):
    """The second of two concurrent runs found the same person due before the first
    committed: it opens nothing."""
    at(app, ELEVEN_MONTHS_ON)
    with app.app_context():
        due = cycles_due(runtime(app).settings, runtime(app).clock())
        assert [cycle.cycle for cycle in due] == [2]
        assert cycle_operations.open_cycles(runtime(app)) == 1
        mails = [(cycle, Email(to=cycle.email, subject="s", body="b")) for cycle in due]
        assert cycle_operations._open(runtime(app), mails) == 0
        assert len(db.session.scalars(select(CourseCycle)).all()) == 1


def report_statements(app, clinic_id: int) -> int:
    with app.app_context(), count_statements(db.engine) as seen:
        report(clinic_id, runtime(app).settings, runtime(app).clock())
    return len([s for s in seen if not s.startswith("BEGIN")])


def test_the_report_shows_the_cycle_its_due_date_and_the_earlier_cycle(app, clinic):
    (first,) = certificates(app, "ann@example.com")
    before = report_statements(app, clinic)
    at(app, ELEVEN_MONTHS_ON)
    remind(app)
    manager = manager_client(app)
    row = rows_of(manager.get(f"/clinics/{clinic}").text)["Ann Able"]
    # Still compliant until the expiry; the new cycle is due that day.
    assert "Completed" in row and "Cycle 2, due January 12, 2027" in row
    (line,) = [line for line in csv_rows(manager.get(f"/clinics/{clinic}/report.csv"))
               if line["name"] == "Ann Able"]
    # Still compliant; the progress is the new cycle's: nothing yet.
    assert (line["cycle"], line["status"], line["progress %"]) == ("2", "completed", "0")
    at(app, dt.datetime(2027, 1, 13, 12, 0, tzinfo=UTC))
    manager = manager_client(app)
    row = rows_of(manager.get(f"/clinics/{clinic}").text)["Ann Able"]
    assert "Overdue" in row and "Expired January 12, 2027" in row
    at(app, dt.datetime(2027, 1, 20, 12, 0, tzinfo=UTC))
    take_the_course(app, "ann@example.com", fail_second_first=False)
    manager = manager_client(app)
    row = rows_of(manager.get(f"/clinics/{clinic}").text)["Ann Able"]
    assert "Completed" in row and "Expires on January 20, 2028" in row
    assert "Cycle 1: completed January 12, 2026, valid until January 12, 2027" in row
    (line,) = [line for line in csv_rows(manager.get(f"/clinics/{clinic}/report.csv"))
               if line["name"] == "Ann Able"]
    assert (line["cycle"], line["status"], line["completed on"]) == (
        "2", "completed", "2027-01-20")
    assert line["earlier cycles"].startswith(
        "cycle 1: completed 2026-01-12, valid until 2027-01-12")
    assert report_statements(app, clinic) == before == 6  # however many cycles


def test_the_report_counts_only_the_extra_attempts_of_the_current_cycle(app, clinic):
    """Ann was granted an extra attempt at the second quiz in cycle 1; in cycle 2 she
    fails it twice, the limit, and the report says she is out of attempts."""
    with app.app_context():
        quiz_operations.grant_attempts(
            runtime(app), learner_id=user_by_email("ann@example.com").id,
            quiz_id=quiz_context("demo", "second-lesson").quiz.id, attempts=1, reason="Asked")
    at(app, ELEVEN_MONTHS_ON)
    remind(app)
    read_directly(app, "ann@example.com", "demo", "second-lesson")
    for _ in range(2):
        assert not pass_quiz_directly(app, "ann@example.com", "demo", "second-lesson",
                                      SECOND_FAIL).attempt.passed
    with app.app_context():
        (ann,) = report(clinic, runtime(app).settings, runtime(app).clock())
    assert ann.out_of_attempts == ("The Second Lesson",)


def test_a_completion_far_from_expiry_opens_no_cycle(app, clinic):
    at(app, dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC))  # 72 days before the expiry
    assert "new cycle" not in remind(app)
    with app.app_context():
        assert db.session.scalars(select(CourseCycle)).all() == []


def test_an_expired_completion_gets_the_renewal_window_from_today(app, clinic):
    at(app, dt.datetime(2027, 3, 1, 12, 0, tzinfo=UTC))  # expired January 12
    remind(app)
    with app.app_context():
        assert db.session.scalar(select(CourseCycle.due_on)) == dt.date(2027, 3, 31)


@pytest.mark.dialect("the widened unique key")
def test_the_database_keeps_one_certificate_per_learner_course_and_cycle(app, clinic):
    (first,) = certificates(app, "ann@example.com")
    with app.app_context():
        columns = {c.name: getattr(first, c.name) for c in Certificate.__table__.columns
                   if c.name not in ("id", "code", "pdf")}
        db.session.add(Certificate(**{**columns, "code": "SECONDCYCLE000000", "cycle": 2,
                                      "pdf": b"%PDF"}))
        db.session.commit()  # another cycle: allowed
        db.session.add(Certificate(**{**columns, "code": "SAMECYCLE0000000", "cycle": 2,
                                      "pdf": b"%PDF"}))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_new_cycle_is_reminded_of_by_its_own_due_date(app, clinic):
    at(app, ELEVEN_MONTHS_ON)
    remind(app)
    outbox = use_outbox(app)
    at(app, dt.datetime(2027, 1, 8, 15, 0, tzinfo=UTC))  # within a week of the new due date
    remind(app)
    (mail,) = [m for m in outbox.to("ann@example.com") if "due soon" in m.subject]
    assert "due January 12, 2027" in mail.body


def test_the_weekly_digest_says_the_completion_expired_and_the_renewal_is_overdue(app, clinic):
    at(app, ELEVEN_MONTHS_ON)
    remind(app)
    at(app, dt.datetime(2027, 1, 14, 12, 0, tzinfo=UTC))
    with app.app_context():
        found = digest(clinic, runtime(app).settings, runtime(app).clock())
    (line,) = found.overdue
    assert (line.name, line.due, line.expired_on, line.cycle) == (
        "Ann Able", dt.date(2027, 1, 12), dt.date(2027, 1, 12), 2)
    mail = render_email("clinic_digest", to="m@example.com", settings=runtime(app).settings,
                        name="M", clinic_name="Harbour Clinic", clinic_id=clinic,
                        digest=found, today=dt.date(2027, 1, 14))
    assert "the completion expired January 12, 2027; renewal (cycle 2) due January 12, " \
        "2027" in mail.body


def test_a_regrade_changes_the_current_cycle_only(app, tmp_path):
    """Ann failed, then passed in cycle 1, and failed in cycle 2; the key then changes so
    that her failed answers pass: the cycle 2 attempt becomes her pass, cycle 1 stays."""
    from nmt_course.learning.regrade_operations import apply_regrade
    from nmt_course.quizzes.models import QuizAttempt, QuizStanding
    from nmt_course.quizzes.regrade_queries import regrade_view
    from tests.app.test_regrade import FAILS_NOW, PASSES_NOW, change_the_key

    import_content(app)
    make_user(app, "ann@example.com", name="Ann Able")
    assert not pass_quiz_directly(app, "ann@example.com", "demo", "first-lesson",
                                  FAILS_NOW).attempt.passed
    assert pass_quiz_directly(app, "ann@example.com", "demo", "first-lesson",
                              PASSES_NOW).attempt.passed
    with app.app_context():
        user_id = user_by_email("ann@example.com").id
        quiz_id = quiz_context("demo", "first-lesson").quiz.id
        db.session.add(CourseCycle(user_id=user_id, number=2, due_on=dt.date(2030, 1, 1),
                                   course_id=quiz_context("demo", "first-lesson").course.id))
        db.session.commit()
    assert not pass_quiz_directly(app, "ann@example.com", "demo", "first-lesson",
                                  FAILS_NOW).attempt.passed
    change_the_key(app, tmp_path)
    with app.app_context():
        cycle_two = db.session.scalar(select(QuizAttempt.id).where(QuizAttempt.cycle == 2))
        view = regrade_view(quiz_id)
        assert [item.attempt.id for item in view.plan.would_pass] == [cycle_two]
        apply_regrade(runtime(app), user_by_email("ann@example.com"),
                      quiz_context("demo", "first-lesson").course, quiz_id, view.plan)
        assert db.session.execute(select(
            QuizStanding.cycle, QuizStanding.passed, QuizStanding.failures).order_by(
            QuizStanding.cycle)).all() == [(1, True, 1), (2, True, 0)]
        assert db.session.execute(select(QuizAttempt.cycle, QuizAttempt.number,
                                         QuizAttempt.passed).order_by(QuizAttempt.id)).all() \
            == [(1, 1, False), (1, 2, True), (2, 1, True)]


def test_time_on_task_counts_each_cycle_as_a_time_of_its_own(app):
    from nmt_course.learning.evidence import measured_hours

    import_content(app)
    make_user(app, "ann@example.com", name="Ann Able")
    for cycle, minutes in ((1, 30), (2, 50)):
        if cycle == 2:
            with app.app_context():
                course = quiz_context("demo", "first-lesson").course
                db.session.add(CourseCycle(user_id=user_by_email("ann@example.com").id,
                                           course_id=course.id, number=2,
                                           due_on=dt.date(2030, 1, 1)))
                db.session.commit()
        opened = runtime(app).clock() - dt.timedelta(minutes=minutes)
        for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
            read_directly(app, "ann@example.com", "demo", lesson, opened_at=opened)
            assert pass_quiz_directly(app, "ann@example.com", "demo", lesson,
                                      as_lists(answers), opened_at=opened).attempt.passed
        if cycle == 1:
            evaluate_directly(app, "ann@example.com", "demo")
    assert len(certificates(app, "ann@example.com")) == 2
    with app.app_context():
        measured = measured_hours(quiz_context("demo", "first-lesson").course)
    assert measured.course.learners == 2  # her two completions, each timed on its own
    assert [lesson.measured.learners for lesson in measured.lessons] == [2, 2]


@pytest.mark.dialect("the current cycle as a subquery nested in an EXISTS")
def test_a_new_cycle_in_one_course_leaves_the_learners_other_courses_as_they_are(app, tmp_path):
    """The current cycle is the course's own: a cycle opened in one course must not make
    another course's read marks and passes look like an earlier cycle's."""
    for kind in ("lessons", "quizzes"):
        for slug in ("demo", "demo-two"):
            shutil.copytree(FIXTURE_CONTENT / kind / "demo", tmp_path / kind / slug)
    import_content(app, tmp_path / "lessons", tmp_path / "quizzes")
    make_user(app, "ann@example.com")
    for course in ("demo", "demo-two"):
        read_directly(app, "ann@example.com", course, "first-lesson")
        pass_quiz_directly(app, "ann@example.com", course, "first-lesson", as_lists(DEMO_PASS))
    with app.app_context():
        ann = user_by_email("ann@example.com")
        ids = {slug: quiz_context(slug, "first-lesson").course.id for slug in ("demo", "demo-two")}
        db.session.add(CourseCycle(user_id=ann.id, course_id=ids["demo"], number=2,
                                   due_on=dt.date(2027, 1, 12)))
        db.session.commit()
        outline = lesson_rows(ids.values(), ann.id)
        first = {course: next(row for row in outline[ids[course]] if row.slug == "first-lesson")
                 for course in ids}
        assert (first["demo"].read, first["demo"].quiz_passed) == (False, False)  # afresh
        assert (first["demo-two"].read, first["demo-two"].quiz_passed) == (True, True)
