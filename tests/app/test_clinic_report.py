"""Assignments with due dates, the staff's dashboard, and the manager's compliance report:
statuses, progress, scores, struggling, certificates, filters, bars, CSV, time zone."""
from __future__ import annotations

import csv
import datetime as dt
import gc
import io

import pytest
from sqlalchemy import select

from nmt_course.accounts.models import User
from nmt_course.clinics.models import Assignment
from nmt_course.clinics.report_queries import report
from nmt_course.extensions import db
from nmt_course.learning.models import CourseProgress
from nmt_course.runtime import utcnow
from tests.app.authoring_helpers import post
from tests.app.clinic_helpers import (assign, complete_demo, join_staff, make_clinic,
                                      manager_client, today)
from tests.helpers import (DEMO_FAIL, DEMO_PASS, SECOND_PASS, count_statements, import_content,
                           login, pass_quiz_directly, runtime, set_clock)


def answer(app, email: str, lesson: str, answers: dict) -> None:
    pass_quiz_directly(app, email, "demo", lesson,
                       {key: [value] if isinstance(value, str) else value
                        for key, value in answers.items()})


@pytest.fixture
def clinic(app):
    """Harbour Clinic: three staff, the demo course due in a week. Ann completes it, Bob
    fails the first quiz twice, Cy has not started."""
    import_content(app)
    clinic_id = make_clinic(app)
    for email, name in [("ann@example.com", "Ann Able"), ("bob@example.com", "Bob Busy"),
                        ("cy@example.com", "Cy Cole")]:
        join_staff(app, clinic_id, email, name)
    assign(app, clinic_id, today(app) + dt.timedelta(days=7))
    complete_demo(app, "ann@example.com")
    for _ in range(2):
        answer(app, "bob@example.com", "first-lesson", DEMO_FAIL)
    return clinic_id


def rows_of(page: str) -> dict[str, str]:
    """Each person's row of the report's table, by name."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return {row.split('<th scope="row">')[1].split("<")[0]: row
            for row in body.split("<tr>")[1:]}


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))


def test_the_report_shows_each_persons_state(app, clinic):
    page = manager_client(app).get(f"/clinics/{clinic}").text
    rows = rows_of(page)
    assert set(rows) == {"Ann Able", "Bob Busy", "Cy Cole"}
    assert "Completed" in rows["Ann Able"] and "100 %" in rows["Ann Able"]
    assert 'href="/verify/' in rows["Ann Able"]
    assert "In progress" in rows["Bob Busy"] and "Struggling" in rows["Bob Busy"]
    assert "Failed twice or more: The First Lesson" in rows["Bob Busy"]
    assert "0 of 2 passed" in rows["Bob Busy"] and "1 of 2" not in rows["Bob Busy"]
    assert "Lowest: The First Lesson, 40 %" in rows["Bob Busy"]  # the best of two attempts
    assert "2 of 2 passed" in rows["Ann Able"]
    assert "Not started" in rows["Cy Cole"] and "None yet" in rows["Cy Cole"]
    assert "Struggling" not in rows["Ann Able"] + rows["Cy Cole"]
    # One bar for the course, its numbers in words as well as in the drawing.
    assert "Demo Course for Tests: 1 completed, 1 in progress, 1 not started, 0 overdue" in page
    assert "Completed: <strong>1</strong>" in page


def test_a_verification_link_opens_the_public_certificate(app, clinic):
    manager = manager_client(app)
    row = rows_of(manager.get(f"/clinics/{clinic}").text)["Ann Able"]
    link = row.split('href="/verify/')[1].split('"')[0]
    link = f"/verify/{link}"
    public = app.test_client().get(link)
    assert public.status_code == 200 and "Ann Able" in public.text and "Valid" in public.text


@pytest.mark.dialect("collation")
def test_filters_and_sorting(app, clinic):
    manager = manager_client(app)
    done = rows_of(manager.get(f"/clinics/{clinic}?status=completed").text)
    assert list(done) == ["Ann Able"]
    by_name = list(rows_of(manager.get(f"/clinics/{clinic}?sort=name").text))
    assert by_name == ["Ann Able", "Bob Busy", "Cy Cole"]
    by_progress = list(rows_of(manager.get(f"/clinics/{clinic}?sort=progress").text))
    assert by_progress[-1] == "Ann Able"
    nobody = manager.get(f"/clinics/{clinic}?status=overdue").text
    assert "Nobody matches these filters" in nobody
    assert manager.get(f"/clinics/{clinic}?status=lost").status_code == 400
    assert manager.get(f"/clinics/{clinic}?sort=salary").status_code == 400
    # Refused inside the report's bulk work: the cycle collector is back on all the same.
    assert gc.isenabled()


@pytest.mark.dialect("time zones")
def test_overdue_is_decided_in_the_providers_time_zone(app, clinic, make_app):
    with app.app_context():
        due = db.session.scalar(select(Assignment.due_on))
    # 11:30 UTC on the due date is already the next day in Auckland (UTC+13 in summer).
    moment = dt.datetime.combine(due, dt.time(11, 30), tzinfo=dt.timezone.utc)
    set_clock(app, lambda: moment)
    assert "Overdue" not in rows_of(manager_client(app).get(f"/clinics/{clinic}").text)[
        "Cy Cole"]
    auckland = make_app(TIMEZONE="Pacific/Auckland")
    set_clock(auckland, lambda: moment)
    rows = rows_of(manager_client(auckland).get(f"/clinics/{clinic}").text)
    assert "Overdue" in rows["Cy Cole"] and "Overdue" in rows["Bob Busy"]
    assert "Completed" in rows["Ann Able"]
    staff = auckland.test_client()
    login(staff, "cy@example.com")
    assert "Overdue" in staff.get("/dashboard").text


def test_the_csv_holds_the_same_rows_through_the_safe_writer(app, clinic):
    join_staff(app, clinic, "eve@example.com", "=HYPERLINK(\"http://evil\")")
    response = manager_client(app).get(f"/clinics/{clinic}/report.csv?sort=name")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert [row["name"] for row in rows] == [
        "'=HYPERLINK(\"http://evil\")", "Ann Able", "Bob Busy", "Cy Cole"]
    ann = rows[1]
    assert (ann["status"], ann["progress %"]) == ("completed", "100")
    assert ann["verification"].startswith("http://nmt.test/verify/")
    assert ann["completed on"] == today(app).isoformat()
    assert rows[2]["struggling with"] == "The First Lesson"
    assert rows[2]["best score: The First Lesson"] == "40"
    assert rows[2]["best score: The Second Lesson"] == ""  # not tried
    only_done = csv_rows(manager_client(app).get(
        f"/clinics/{clinic}/report.csv?status=completed"))
    assert [row["name"] for row in only_done] == ["Ann Able"]


@pytest.mark.dialect("string aggregates in order")
def test_scores_are_kept_in_lesson_order_when_the_lessons_are_reordered(app, clinic, tmp_path):
    """course_progress keeps best scores in lesson order (which the CSV writes as they
    are), not in the order the lessons were first imported or their quizzes taken."""
    import shutil
    from pathlib import Path

    answer(app, "cy@example.com", "second-lesson", SECOND_PASS)
    answer(app, "cy@example.com", "first-lesson", DEMO_FAIL)
    content = tmp_path / "content"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "content", content)
    lessons = content / "lessons" / "demo"
    (lessons / "01-first-lesson.md").rename(lessons / "03-first-lesson.md")
    import_content(app, content / "lessons", content / "quizzes", force=True)
    with app.app_context():
        kept = db.session.scalar(select(CourseProgress.scores).join(
            User, User.id == CourseProgress.user_id).where(User.email == "cy@example.com"))
    assert kept == "2 3|100 40"  # the second lesson comes first now
    cy = [row for row in csv_rows(manager_client(app).get(f"/clinics/{clinic}/report.csv"))
          if row["name"] == "Cy Cole"][0]
    assert (cy["best score: The Second Lesson"], cy["best score: The First Lesson"]) == (
        "100", "40")


@pytest.mark.dialect("statement budget")
def test_the_report_takes_the_same_statements_for_any_number_of_staff(app, clinic):
    def statements() -> int:
        with app.app_context(), count_statements(db.engine) as seen:
            report(clinic, runtime(app).settings, utcnow())
        return len([s for s in seen if not s.startswith("BEGIN")])

    few = statements()
    for n in range(5):
        join_staff(app, clinic, f"more{n}@example.com", f"More {n}")
        answer(app, f"more{n}@example.com", "first-lesson", DEMO_PASS)
    assert statements() == few == 6


def test_staff_see_assigned_courses_first_with_the_due_date(app, clinic):
    staff = app.test_client()
    login(staff, "cy@example.com")
    due = today(app) + dt.timedelta(days=7)
    page = staff.get("/dashboard").text
    assert "Assigned by Harbour Clinic, due" in page
    assert f"{due:%B} {due.day}, {due.year}" in page
    assert "Overdue" not in page
    set_clock(app, lambda: utcnow() + dt.timedelta(days=9))
    login(staff, "cy@example.com")  # nine idle days ended the session
    assert "Overdue" in staff.get("/dashboard").text


def test_staff_who_join_later_get_as_many_days(app, clinic):
    set_clock(app, lambda: utcnow() + dt.timedelta(days=3))
    join_staff(app, clinic, "late@example.com", "Lee Late")
    row = rows_of(manager_client(app).get(f"/clinics/{clinic}").text)["Lee Late"]
    due = today(app) + dt.timedelta(days=7)
    assert f"{due:%B} {due.day}, {due.year}" in row


def test_a_course_for_chosen_staff_and_a_personal_date(app, clinic):
    with app.app_context():
        from nmt_course.accounts.queries import user_by_email
        cy = user_by_email("cy@example.com").id
    personal = today(app) + dt.timedelta(days=2)
    manager = manager_client(app)
    made = post(manager, f"/clinics/{clinic}/assignments", {
        "assign-course": str(course_id(app)), "assign-due_on": personal.isoformat(),
        "assign-who": "chosen", "assign-staff": [str(cy)]})
    assert made.status_code == 302
    rows = rows_of(manager.get(f"/clinics/{clinic}").text)
    assert f"{personal:%B} {personal.day}, {personal.year}" in rows["Cy Cole"]
    assert f"{personal:%B} {personal.day}, {personal.year}" not in rows["Bob Busy"]
    none_chosen = post(manager, f"/clinics/{clinic}/assignments", {
        "assign-course": str(course_id(app)), "assign-due_on": personal.isoformat(),
        "assign-who": "chosen"})
    assert none_chosen.status_code == 422
    assert "Choose at least one member of the clinic&#39;s staff." in none_chosen.text


def course_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Assignment.course_id))


def test_changing_and_withdrawing_an_assignment(app, clinic):
    manager = manager_client(app)
    with app.app_context():
        assignment = db.session.scalar(select(Assignment.id))
    later = today(app) + dt.timedelta(days=30)
    changed = post(manager, f"/clinics/{clinic}/assignments/{assignment}",
                   {f"due{assignment}-due_on": later.isoformat()}, follow_redirects=True)
    assert (f"“Demo Course for Tests” (for all staff) is now due {later:%B} {later.day}, "
            f"{later.year}") in changed.text
    again = post(manager, f"/clinics/{clinic}/assignments", {
        "assign-course": str(course_id(app)), "assign-due_on": later.isoformat(),
        "assign-who": "clinic"}, follow_redirects=True)
    assert "was already assigned to them: it is now due" in again.text
    past = post(manager, f"/clinics/{clinic}/assignments/{assignment}",
                {f"due{assignment}-due_on": "2001-01-01"}, follow_redirects=True)
    assert "The due date has passed" in past.text
    with app.app_context():
        assert db.session.scalar(select(Assignment.due_on)) == later
    post(manager, f"/clinics/{clinic}/assignments/{assignment}/withdraw")
    assert "Nothing to report yet" in manager.get(f"/clinics/{clinic}").text
    staff = app.test_client()
    login(staff, "cy@example.com")
    assert "Assigned by" not in staff.get("/dashboard").text


def test_an_assignment_due_in_the_past_is_refused(app, clinic):
    manager = manager_client(app)
    refused = post(manager, f"/clinics/{clinic}/assignments", {
        "assign-course": str(course_id(app)), "assign-due_on": "2001-01-01",
        "assign-who": "clinic"})
    assert refused.status_code == 422 and "The due date has passed" in refused.text
    with app.app_context():
        assert len(db.session.scalars(select(Assignment)).all()) == 1


def test_progress_in_the_report_is_the_learners_own(app, clinic):
    """Reading and passing in every order: the report's percentage is the one the learner
    sees, from the same stored facts."""
    from nmt_course.accounts.queries import user_by_email
    from nmt_course.learning import operations as learning
    from nmt_course.learning.queries import course_by_slug, progress_by_course

    def read(email: str, lesson: str) -> None:
        with app.app_context():
            course = course_by_slug("demo")
            found = next(item for item in course.lessons if item.slug == lesson)
            learning.mark_lesson_read(runtime(app), user_by_email(email), found, course)

    plans = {"r1@example.com": [("read", "first-lesson")],
             "p1@example.com": [("pass", "first-lesson")],
             "rp@example.com": [("read", "first-lesson"), ("pass", "first-lesson")],
             "mix@example.com": [("read", "first-lesson"), ("read", "second-lesson"),
                                 ("pass", "second-lesson")]}
    for email, steps in plans.items():
        join_staff(app, clinic, email, email.split("@")[0])
        for step, lesson in steps:
            if step == "read":
                read(email, lesson)
            else:
                answer(app, email, lesson, DEMO_PASS if lesson == "first-lesson"
                       else SECOND_PASS)
    with app.app_context():
        reported = {row.email: row.percent
                    for row in report(clinic, runtime(app).settings, utcnow())}
        course = course_by_slug("demo")
        own = {email: progress_by_course(user_by_email(email), [course])[course.id].percent
               for email in plans}
    assert {email: reported[email] for email in plans} == own
    assert own == {"r1@example.com": 25, "p1@example.com": 25, "rp@example.com": 50,
                   "mix@example.com": 75}


def test_a_course_published_again_is_counted_again(app, clinic, tmp_path):
    """The report reads each person's counted progress (course_progress): a quiz archived by
    a new version of the course counts there at once as it does for the learner (Cy's read
    of its lesson becomes a whole lesson)."""
    import shutil
    from pathlib import Path

    from nmt_course.accounts.queries import user_by_email
    from nmt_course.learning.queries import course_by_slug, progress_by_course
    from tests.helpers import read_directly

    read_directly(app, "cy@example.com", "demo", "second-lesson")
    content = tmp_path / "content"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "content", content)
    (content / "quizzes" / "demo" / "second-lesson.yaml").unlink()

    def percents() -> dict[str, int]:
        with app.app_context():
            return {row.name: row.percent
                    for row in report(clinic, runtime(app).settings, utcnow())}

    assert percents() == {"Ann Able": 100, "Bob Busy": 0, "Cy Cole": 25}
    import_content(app, content / "lessons", content / "quizzes", force=True)
    assert percents() == {"Ann Able": 100, "Bob Busy": 0, "Cy Cole": 50}
    with app.app_context():
        course = course_by_slug("demo")
        assert progress_by_course(user_by_email("cy@example.com"),
                                  [course])[course.id].percent == 50


def test_an_assignment_needs_a_published_course(app, clinic):
    manager = manager_client(app)
    due = (today(app) + dt.timedelta(days=3)).isoformat()
    for course, message in (("", "Choose a course."), ("99999", "Not a valid choice."),
                            ("abc", "Choose a course.")):
        refused = post(manager, f"/clinics/{clinic}/assignments", {
            "assign-course": course, "assign-due_on": due, "assign-who": "clinic"})
        assert refused.status_code == 422 and message in refused.text, course
    with app.app_context():
        assert len(db.session.scalars(select(Assignment)).all()) == 1


def test_someone_out_of_attempts_is_marked_until_more_are_granted(app, clinic, runner):
    for _ in range(2):  # the second quiz allows two attempts
        answer(app, "cy@example.com", "second-lesson", {"only": "false", "other": "b"})
    manager = manager_client(app)
    row = rows_of(manager.get(f"/clinics/{clinic}").text)["Cy Cole"]
    assert "Out of attempts" in row and "At The Second Lesson" in row
    helped = rows_of(manager.get(f"/clinics/{clinic}?help=1").text)
    assert set(helped) == {"Bob Busy", "Cy Cole"}  # struggling, and out of attempts
    report = csv_rows(manager.get(f"/clinics/{clinic}/report.csv?help=1&sort=name"))
    assert [r["out of attempts at"] for r in report] == ["", "The Second Lesson"]
    granted = runner.invoke(args=["quizzes", "grant-attempts", "cy@example.com", "demo",
                                  "second-lesson", "--reason", "Talked it through"])
    assert granted.exit_code == 0, granted.output
    row = rows_of(manager.get(f"/clinics/{clinic}").text)["Cy Cole"]
    assert "Out of attempts" not in row


def test_the_csv_is_named_for_the_clinic_and_the_day(app, clinic):
    response = manager_client(app).get(f"/clinics/{clinic}/report.csv")
    assert (f'filename="harbour-clinic-{today(app).isoformat()}-report.csv"'
            in response.headers["Content-Disposition"])


def test_someone_both_on_the_staff_and_a_former_member_has_each_quiz_counted_once(app, clinic):
    """Bob left the staff and came back as a manager who takes the courses (his leaver record
    stays open: he did not return as staff). The report reads his quizzes once."""
    from nmt_course.accounts.queries import user_by_email
    from nmt_course.clinics import membership_operations, queries
    from nmt_course.clinics.models import Clinic, ClinicRole, Membership

    with app.app_context():
        bob, place = user_by_email("bob@example.com"), db.session.get(Clinic, clinic)
        manager = queries.members(clinic, ClinicRole.MANAGER)[0].user
        membership_operations.remove_member(runtime(app), manager, place,
                                            queries.membership(clinic, bob.id))
        db.session.add(Membership(clinic_id=clinic, user_id=bob.id, role=ClinicRole.MANAGER,
                                  takes_courses=True, joined_at=utcnow()))
        db.session.commit()
        rows = [row for row in report(clinic, runtime(app).settings, utcnow())
                if row.name == "Bob Busy"]
    assert [(row.struggling_with, len(row.quizzes)) for row in rows] == [
        (("The First Lesson",), 1)]
