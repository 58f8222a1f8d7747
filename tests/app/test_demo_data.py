"""`flask --app app demo-data`: a large school's database in bulk, never mixed into a real
one unasked."""
from __future__ import annotations

import pytest
import re

from sqlalchemy import func, select

from nmt_course.certificates.models import Certificate
from nmt_course.clinics.models import Assignment, Clinic, Membership
from nmt_course.demo import plan as planning
from nmt_course.extensions import db
from nmt_course.learning.models import CourseProgress, Lesson, LessonProgress
from nmt_course.quizzes.models import QuizAttempt, QuizStanding
from tests.helpers import login, make_user


def count(app, model) -> int:
    with app.app_context():
        found = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
    return found


@pytest.mark.dialect("sequences")
def test_demo_data_fills_a_new_database_and_its_people_can_log_in(app, runner):
    result = runner.invoke(args=["demo-data", "--learners", "30", "--clinics", "3",
                                 "--courses", "3"])
    assert result.exit_code == 0, result.output
    assert count(app, Clinic) == 3 and count(app, Assignment) >= 3
    assert count(app, Membership) >= 3 + 12  # a manager each, 40% of learners as staff
    attempts, certificates = count(app, QuizAttempt), count(app, Certificate)
    assert attempts > 30 * 10 and certificates >= 1
    assert re.search(rf"{attempts} attempts", result.output)
    with app.app_context():
        pdfs = db.session.execute(select(func.count(Certificate.id.distinct()),
                                         func.count(Certificate.pdf.distinct()))).one()
        standings = db.session.execute(select(QuizStanding)).scalars().all()
        tried = db.session.scalar(select(func.count()).select_from(
            select(QuizAttempt.user_id, QuizAttempt.quiz_id).distinct().subquery()))
        db.session.remove()
    assert pdfs == (certificates, 1)  # one rendered PDF, shared
    assert len(standings) == tried
    with app.app_context():  # clinic reports read course_progress: counted for everyone
        learning = db.session.scalar(select(func.count()).select_from(
            select(LessonProgress.user_id, Lesson.course_id).distinct()
            .join(Lesson, Lesson.id == LessonProgress.lesson_id).subquery()))
        db.session.remove()
    assert learning > 0 and count(app, CourseProgress) == learning
    # The learner who holds the certificate issued for real sees it.
    client = app.test_client()
    login(client, planning.learner_email(0), planning.PASSWORD)
    assert "/certificates/" in client.get("/dashboard").text
    manager = app.test_client()
    login(manager, planning.manager_email(0), planning.PASSWORD)
    assert manager.get("/clinics", follow_redirects=True).status_code == 200


def test_demo_data_refuses_a_database_with_real_people_unless_forced(app, runner):
    make_user(app, "real@example.com")
    refused = runner.invoke(args=["demo-data", "--learners", "5", "--clinics", "1",
                                  "--courses", "1"])
    assert refused.exit_code != 0
    assert "1 real account" in refused.output and "--force" in refused.output
    assert count(app, QuizAttempt) == 0
    forced = runner.invoke(args=["demo-data", "--learners", "5", "--clinics", "1",
                                 "--courses", "1", "--force"])
    assert forced.exit_code == 0, forced.output
    assert count(app, QuizAttempt) > 0
    again = runner.invoke(args=["demo-data", "--learners", "5", "--force"])
    assert again.exit_code != 0 and "already holds demo data" in again.output
