"""A clinic manager onboards staff in Chromium: an admin creates the clinic, the manager
invites three people (one from a CSV file), assigns the course due next week; the staff
accept; one completes the course; the report and its CSV show it; eleven months on, a new
cycle of the recurring course is opened for her and shows on the report, and, completed
again, her earlier cycle; another clinic's manager sees none of it."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid

from nmt_course.formatting import long_date
from tests.app.clinic_helpers import use_outbox
from tests.helpers import make_user, runtime, set_clock

from .test_instructor_journey import PASSWORD, log_in, log_out


def complete_course(app, email: str, *, evaluate: bool = True) -> None:
    """Read every lesson of the shipped course, pass its quiz and answer the evaluation
    (unless answered before: a course taken again in a new cycle), through the
    operations."""
    from nmt_course.accounts.queries import user_by_email
    from nmt_course.evaluation import QUESTIONS
    from nmt_course.learning import operations as learning
    from nmt_course.learning.queries import course_by_slug, quiz_context
    from nmt_course.quizzes import queries as quiz_queries

    run = runtime(app)
    with app.app_context():
        user = user_by_email(email)
        course = course_by_slug("nmt-foundations")
        for lesson in course.lessons:
            learning.mark_lesson_read(run, user, lesson, course)
            context = quiz_context(course.slug, lesson.slug)
            standing, version = quiz_queries.standing(user.id, context.quiz.id)
            questions = quiz_queries.questions_of(version.id)
            shown = quiz_queries.presentation_for(run.settings.order_key, user.id, version,
                                                  questions, standing.next_number)
            outcome = learning.submit_quiz(
                run, user, course=course, version=version, questions=questions, shown=shown,
                number=standing.next_number,
                answers={q.key: [c.key for c in q.choices if c.correct] for q in questions})
            assert outcome.attempt.passed
        if not evaluate:
            assert outcome.completed is not None and outcome.completed.certificate is not None
            return
        done = learning.send_evaluation(run, user, course,
                                        objectives_met={lesson.id: 4 for lesson in course.lessons},
                                        ratings=dict.fromkeys(QUESTIONS, 4), comment="")
        assert done is not None and done.certificate is not None


def use_every_attempt(app, email: str) -> str:
    """Fail the first quiz of the shipped course until no attempt is left: its address."""
    from nmt_course.accounts.queries import user_by_email
    from nmt_course.learning import operations as learning
    from nmt_course.learning.queries import course_by_slug, quiz_context
    from nmt_course.quizzes import policy, queries as quiz_queries

    run = runtime(app)
    with app.app_context():
        user = user_by_email(email)
        course = course_by_slug("nmt-foundations")
        lesson = course.lessons[0]
        context = quiz_context(course.slug, lesson.slug)
        while True:
            standing, version = quiz_queries.standing(user.id, context.quiz.id)
            if policy.closed(standing) is not None:
                return f"/courses/{course.slug}/lessons/{lesson.slug}/quiz"
            questions = quiz_queries.questions_of(version.id)
            shown = quiz_queries.presentation_for(run.settings.order_key, user.id, version,
                                                  questions, standing.next_number)
            learning.submit_quiz(
                run, user, course=course, version=version, questions=questions, shown=shown,
                number=standing.next_number,
                answers={q.key: [c.key for c in q.choices if not c.correct][:1]
                         for q in questions})


def test_manager_journey(journey, browser, live_server, tmp_path):
    page, server = journey.page, journey.server
    outbox = use_outbox(server.app)
    tag = uuid.uuid4().hex[:6]
    admin, manager, rival = (f"{who}-{tag}@example.com" for who in ("admin", "boss", "rival"))
    staff = [f"{who}-{tag}@example.com" for who in ("ann", "bob", "cy")]
    clinic = f"Harbour Clinic {tag}"
    make_user(server.app, admin, password=PASSWORD, name="Ada Admin", is_admin=True)
    make_user(server.app, manager, password=PASSWORD, name="Mo Manager")
    make_user(server.app, rival, password=PASSWORD, name="Rita Rival")

    # An admin creates the clinic and makes Mo its manager.
    log_in(page, admin)
    journey.follow(page.get_by_role("link", name="Clinics", exact=True), "admin-clinics")
    page.get_by_label("Clinic name").fill(clinic)
    page.get_by_label("Manager's e-mail address").fill(manager)
    journey.follow(page.get_by_role("button", name="Create the clinic"), "admin-clinic-created")
    assert "Mo Manager now manages" in page.inner_text(".flashes")
    page.goto("/admin/clinics")
    page.get_by_label("Clinic name").fill(f"Rival Clinic {tag}")
    page.get_by_label("Manager's e-mail address").fill(rival)
    page.get_by_role("button", name="Create the clinic").click()
    page.get_by_text("Rita Rival now manages").wait_for()
    log_out(page)

    # The manager invites two people by e-mail and one from a CSV file.
    log_in(page, manager)
    journey.check("manager-dashboard")
    journey.follow(page.get_by_role("link", name=clinic), "empty-report")
    clinic_url = page.url
    page.get_by_role("link", name="Staff and invitations").click()
    journey.follow(page.get_by_role("button", name="Send the invitation"), "invite-error")
    for email in staff[:2]:
        page.get_by_label("E-mail address", exact=True).fill(email)
        page.get_by_role("button", name="Send the invitation").click()
        assert f"Invitation sent to {email}." in page.inner_text(".flashes")
    roster = tmp_path / "staff.csv"
    # As Excel saves CSV in much of Europe: semicolons, first and last names apart.
    roster.write_text(f"First name;Last name;E-mail\nCy;Cole;{staff[2]}\n"
                      "No;Body;not-an-address\n")
    page.get_by_label("file of names and e-mail addresses").set_input_files(str(roster))
    journey.follow(page.get_by_role("button", name="Invite everyone in the file"),
                   "invited-from-csv")
    assert "line 3" in page.inner_text("main")

    # ... and assigns the course, due in a week and again every 12 months.
    due = runtime(server.app).settings.local_date(runtime(server.app).clock()) \
        + dt.timedelta(days=7)
    page.get_by_role("link", name="Assigned courses").click()
    with server.app.app_context():
        from nmt_course.learning.queries import course_by_slug
        course_title = course_by_slug("nmt-foundations").short_title
        full_title = course_by_slug("nmt-foundations").title
    page.get_by_label("Course", exact=True).select_option(label=course_title)
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_label("Repeat every (months)").fill("61")
    page.get_by_role("button", name="Assign").click()
    assert "Repeat every 1 to 60 months" in page.inner_text("main")  # nothing assigned
    page.get_by_label("Repeat every (months)").fill("12")
    journey.follow(page.get_by_role("button", name="Assign"), "assigned")
    assert "is assigned, due" in page.inner_text(".flashes")
    assert "repeated every 12 months" in page.inner_text("main")

    # The three accept, each in their own browser; Ann completes the course.
    names = {staff[0]: "Ann Able", staff[1]: "Bob Busy", staff[2]: "Cy Cole"}
    for email in staff:
        other = browser.new_context(viewport=page.viewport_size, base_url=server.url)
        tab = other.new_page()
        journey.use(tab)
        path = re.search(r"(/invitations/[\w-]+)", outbox.to(email)[-1].body).group(1)
        tab.goto(path)
        if email == staff[0]:
            journey.check("invitation")
        tab.get_by_label("Legal name").fill(names[email])
        tab.get_by_label("Password", exact=True).fill(PASSWORD)
        tab.get_by_label("Password again").fill(PASSWORD)
        tab.get_by_role("button", name="Create my account and join").click()
        tab.wait_for_url(re.compile(r"/dashboard$"))
        if email == staff[0]:
            journey.check("staff-dashboard")
            assert "Assigned by" in tab.inner_text("main")
        if email == staff[1]:  # Bob runs out of attempts and asks for more, in one click
            tab.goto(use_every_attempt(server.app, email))
            journey.check("out-of-attempts")
            assert "Mo Manager" in tab.inner_text("main")
            tab.get_by_role("button", name="Ask for more attempts").click()
            tab.get_by_text("Your request for more attempts is sent.").wait_for()
        other.close()
    journey.use(page)
    assert [m.subject for m in outbox.to(staff[2]) if "assigned you" in m.subject] == [
        f"{clinic} assigned you “{full_title}”, due {long_date(due)}"]
    complete_course(server.app, staff[0])

    page.goto(clinic_url)
    journey.check("report")
    text = page.inner_text("main")
    assert "1 completed, 1 in progress, 1 not started, 0 overdue" in page.content()
    assert "Ann Able" in text and "Bob Busy" in text and "Cy Cole" in text
    assert "They asked for more attempts." in text
    with server.app.app_context():
        from nmt_course.recurrence import expires_on
        completed = runtime(server.app).settings.local_date(runtime(server.app).clock())
    assert f"Expires on {long_date(expires_on(completed, 12))}" in text
    page.get_by_label("Status").select_option("completed")
    journey.follow(page.get_by_role("button", name="Show"), "report-filtered")
    assert "Bob Busy" not in page.inner_text("tbody")
    download = page.request.get(f"{clinic_url}/report.csv?sort=name")
    rows = list(csv.DictReader(io.StringIO(download.text().lstrip("\ufeff"))))
    assert [(r["name"], r["status"]) for r in rows] == [
        ("Ann Able", "completed"), ("Bob Busy", "in progress"), ("Cy Cole", "not started")]

    # Eleven months on, `clinics remind` opens Ann a new cycle (the completion expires within
    # 30 days): the report shows it and its due date; once she completes it again, the
    # earlier cycle is on her row.
    run = runtime(server.app)
    later = run.clock() + dt.timedelta(days=335)
    set_clock(server.app, lambda: later)
    try:
        result = server.app.test_cli_runner().invoke(args=["clinics", "remind"])
        assert "new cycle" in result.output, result.output
        log_in(page, manager)  # the session was idle for eleven months
        page.goto(clinic_url)
        journey.check("report-new-cycle")
        row = page.locator("tbody tr", has_text="Ann Able").inner_text()
        assert "Cycle 2, due" in row and "Completed" in row
        complete_course(server.app, staff[0], evaluate=False)
        page.goto(clinic_url)
        journey.check("report-earlier-cycle")
        row = page.locator("tbody tr", has_text="Ann Able").inner_text()
        assert f"Cycle 1: completed {long_date(completed)}" in row
    finally:
        set_clock(server.app, run.clock)

    # The manager may turn off the weekly digest on the account page.
    journey.follow(page.get_by_role("link", name="Account"), "account-digest")
    assert page.get_by_label("E-mail me a digest of the clinics I manage every Monday").is_checked()

    # Another clinic's manager sees none of it.
    log_out(page)
    log_in(page, rival)
    assert page.request.get(clinic_url).status == 404
    journey.follow(page.get_by_role("link", name=f"Rival Clinic {tag}"), "rival-report")
    assert "Ann Able" not in page.inner_text("main")
    journey.finish()
