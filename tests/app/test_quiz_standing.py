"""A learner's standing at a quiz has one source: the stored fact in quiz_standings says
whether they passed and how many attempts they used, and the quiz policy alone turns it into
"open", "passed" or "out of attempts", for the quiz page, the course page, the grant list and
the clinic report alike."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from nmt_course.accounts.queries import user_by_email
from nmt_course.admin.queries import quizzes_to_grant
from nmt_course.extensions import db
from nmt_course.learning.queries import course_by_slug
from nmt_course.learning.summary_operations import refresh
from nmt_course.quizzes import policy
from nmt_course.quizzes.models import QuizStanding
from tests.app.clinic_helpers import assign, join_staff, make_clinic, manager_client, today
from tests.app.test_clinic_report import rows_of
from tests.helpers import DEMO_FAIL, DEMO_PASS, import_content, login, pass_quiz_directly

QUIZ = "/courses/demo/lessons/first-lesson/quiz"


def staff_who_failed_once(app) -> int:
    """Sam, on Harbour Clinic's staff, failed the first (unlimited) quiz once."""
    import_content(app)
    clinic = make_clinic(app)
    join_staff(app, clinic, "sam@example.com", "Sam Staff")
    assign(app, clinic, today(app) + dt.timedelta(days=7))
    pass_quiz_directly(app, "sam@example.com", "demo", "first-lesson",
                       {k: [v] if isinstance(v, str) else v for k, v in DEMO_FAIL.items()})
    return clinic


def test_passed_is_the_stored_standing_wherever_it_is_read(app):
    clinic = staff_who_failed_once(app)
    with app.app_context():
        sam = user_by_email("sam@example.com").id
        assert [title for _, _, title in quizzes_to_grant(sam)] == ["The First Lesson"]
        # The stored fact changes alone (as a correction would): every reader follows it. (A
        # correction recounts the learner's course_progress row too, which the clinic report
        # reads instead of every standing: learning.summary_operations.refresh.)
        db.session.execute(update(QuizStanding).values(passed=True))
        refresh(course_by_slug("demo").id, sam)
        db.session.commit()
        assert quizzes_to_grant(sam) == []
    learner = app.test_client()
    login(learner, "sam@example.com")
    assert "You passed this quiz." in learner.get(QUIZ).text
    assert "Quiz passed" in learner.get("/courses/demo").text
    row = rows_of(manager_client(app).get(f"/clinics/{clinic}").text)["Sam Staff"]
    assert "1 of 2 passed" in row


def test_every_reader_asks_the_quiz_policy_for_the_attempt_limit(app, monkeypatch):
    clinic = staff_who_failed_once(app)
    learner = app.test_client()
    login(learner, "sam@example.com")
    assert "Question 1" in learner.get(QUIZ).text  # no limit: open after a failure
    # A stricter rule in the one place it is written reaches the quiz page and the report.
    monkeypatch.setattr(policy, "attempt_limit", lambda version_limit, granted: 1)
    assert "You have used every attempt this quiz allows" in learner.get(QUIZ).text
    row = rows_of(manager_client(app).get(f"/clinics/{clinic}").text)["Sam Staff"]
    assert "Out of attempts" in row and "At The First Lesson" in row


def test_a_pass_on_the_last_attempt_is_not_out_of_attempts(app, monkeypatch):
    """The report builds each standing with its stored pass: a learner who used every
    attempt and passed with the last one has nothing to ask for."""
    clinic = staff_who_failed_once(app)
    pass_quiz_directly(app, "sam@example.com", "demo", "first-lesson",
                       {k: [v] if isinstance(v, str) else v for k, v in DEMO_PASS.items()})
    monkeypatch.setattr(policy, "attempt_limit", lambda version_limit, granted: 2)
    row = rows_of(manager_client(app).get(f"/clinics/{clinic}").text)["Sam Staff"]
    assert "1 of 2 passed" in row and "Out of attempts" not in row
