"""The course evaluation before the certificate, and the evidence authors and admins see:
evaluation averages and CSV without names (nothing until 5 answered), measured hours with
their median and interquartile range, and the warning once 20 completed below the hours."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from nmt_course.certificates.models import Certificate
from nmt_course.extensions import db
from nmt_course.learning.models import Course, CourseEvaluation
from tests.app.authoring_helpers import author
from tests.helpers import (DEMO_PASS, SECOND_PASS, evaluate_directly, evaluation_answers,
                           import_content, make_user, pass_quiz_directly, read_directly,
                           read_lesson, send_evaluation, set_clock, submit_quiz)

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def finish_lessons(client):
    for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
        read_lesson(client, "demo", lesson)
        submit_quiz(client, "demo", lesson, answers)


def test_the_evaluation_comes_before_the_certificate_and_once(app, learner):
    assert learner.get("/courses/demo/evaluation").location == "/courses/demo"
    finish_lessons(learner)
    assert count(app, Certificate) == 0
    course = learner.get("/courses/demo").text
    assert "Answer the course evaluation" in course and "/courses/demo/evaluation" in course
    assert "/courses/demo/evaluation" in learner.get("/dashboard").text
    page = learner.get("/courses/demo/evaluation").text
    assert "The First Lesson" in page and "from 1 (not at all) to 5 (fully)" in page
    response = send_evaluation(learner, "demo", rating=5, comment="Clear and useful.")
    assert response.location.startswith("/certificates/")
    assert count(app, Certificate) == 1
    assert learner.get("/courses/demo/evaluation").location == "/courses/demo"
    with app.app_context():
        answer = db.session.scalar(select(CourseEvaluation))
        assert (answer.content_quality, answer.comment) == (5, "Clear and useful.")


def test_a_bad_evaluation_is_refused_with_a_message_and_changes_nothing(app, learner):
    finish_lessons(learner)
    url = "/courses/demo/evaluation"
    page = learner.get(url).text
    for change, message in (({"relevance": "6"}, "Not a valid choice"),
                            ({"hours_matched": "0"}, "Not a valid choice"),
                            ({"content_quality": ""}, "Choose from 1 to 5."),
                            ({"comment": "x" * 2001}, "Keep it to 2,000 characters.")):
        response = learner.post(url, data={**evaluation_answers(page), **change})
        assert response.status_code == 422 and message in response.text, change
    assert count(app, CourseEvaluation) == 0 and count(app, Certificate) == 0
    ok = learner.post(url, data=evaluation_answers(page, comment="y" * 2000))
    assert ok.status_code == 302 and count(app, CourseEvaluation) == 1


def test_a_learner_certified_before_evaluations_keeps_the_certificate(app, learner):
    finish_lessons(learner)
    send_evaluation(learner, "demo")
    with app.app_context():
        db.session.query(CourseEvaluation).delete()  # as if certified before evaluations
        db.session.commit()
    course = learner.get("/courses/demo").text
    assert "View your certificate" in course and "Answer the course evaluation" not in course
    assert "Complete." in learner.get("/dashboard").text
    assert count(app, Certificate) == 1


def complete_directly(app, email: str, *, minutes_per_step: int = 0, rating: int = 4,
                      comment: str = ""):
    make_user(app, email)
    opened = START - dt.timedelta(minutes=minutes_per_step)
    for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
        read_directly(app, email, "demo", lesson, opened_at=opened)
        as_lists = {key: value if isinstance(value, list) else [value]
                    for key, value in answers.items()}
        pass_quiz_directly(app, email, "demo", lesson, as_lists, opened_at=opened)
    return evaluate_directly(app, email, "demo", rating=rating, comment=comment)


def test_authors_see_evaluation_results_only_from_five_answers_and_without_names(app):
    import_content(app)
    set_clock(app, lambda: START)
    teacher = author(app, "admin@example.com", is_admin=True)
    for n in range(4):
        complete_directly(app, f"learner{n}@example.com", rating=2 + n % 2,
                          comment="=HYPERLINK(1)" if n == 0 else "")
    page = teacher.get("/author/courses/demo/evidence").text
    assert "4 learners answered so far" in page and "once 5 learners have answered" in page
    assert teacher.get("/author/courses/demo/evaluations.csv").status_code == 404
    complete_directly(app, "learner4@example.com", rating=5)
    page = teacher.get("/author/courses/demo/evidence").text
    assert "5 learners answered" in page
    assert "The quality of the content</th><td data-label=\"Average\">3.0" in page
    assert "learner0" not in page and "Jane" not in page
    csv = teacher.get("/author/courses/demo/evaluations.csv").text
    lines = csv.lstrip("\ufeff").splitlines()
    assert len(lines) == 6 and lines[0].startswith("Objectives met: The First Lesson")
    assert "'=HYPERLINK(1)" in csv  # through the one CSV writer
    assert "learner" not in csv and "Jane" not in csv


def test_measured_hours_warn_once_twenty_completed_below_the_declared_hours(app):
    import_content(app)
    set_clock(app, lambda: START)
    with app.app_context():
        db.session.execute(update(Course).values(ce_hours=1))
        db.session.commit()
    teacher = author(app, "admin@example.com", is_admin=True)
    for n in range(19):  # 4 steps of 1 to 19 minutes: medians 40 min, below the 60 declared
        complete_directly(app, f"learner{n}@example.com", minutes_per_step=n + 1)
    page = teacher.get("/author/courses/demo/evidence").text
    assert "<td data-label=\"Learners\">19</td><td data-label=\"Median\">40.0 min</td>" in page
    assert "<td data-label=\"Interquartile range\">22.0 min to 58.0 min</td>" in page
    assert "Warning:" not in page and "once 20 learners have completed" in page
    complete_directly(app, "learner19@example.com", minutes_per_step=20)
    page = teacher.get("/author/courses/demo/evidence").text
    assert "Warning: 20 learners completed the course" in page
    assert "median time (42.0 min) is below the declared 1 CE" in page


def test_the_operation_itself_refuses_a_bad_early_or_second_evaluation(app, learner):
    import pytest

    from nmt_course.evaluation import QUESTIONS
    from nmt_course.learning import operations as learning

    def send(**changes):
        return evaluate_directly_with(app, **changes)

    with pytest.raises(learning.EvaluationRefused, match="once every lesson is complete"):
        send()
    finish_lessons(learner)
    for changes, message in (({"rating": 6}, "from 1 to 5"), ({"rating": 0}, "from 1 to 5"),
                             ({"comment": "z" * 2001}, "keep it to 2,000"),
                             ({"lessons": 1}, "each lesson")):
        with pytest.raises(learning.EvaluationRefused, match=message):
            send(**changes)
    assert count(app, CourseEvaluation) == 0
    assert send() is not None
    with pytest.raises(learning.EvaluationRefused, match="already sent"):
        send()
    assert count(app, CourseEvaluation) == 1 and count(app, Certificate) == 1
    assert set(QUESTIONS) == {"content_quality", "relevance", "hours_matched"}


def test_the_operation_refuses_an_evaluation_of_a_course_unpublished_since_the_page(
        app, learner):
    """Checked on the course as stored inside the write (its one read there)."""
    import pytest

    from nmt_course.content import CourseStatus
    from nmt_course.learning import operations as learning

    finish_lessons(learner)
    with app.app_context():
        db.session.execute(update(Course).values(status=CourseStatus.DRAFT))
        db.session.commit()
    with pytest.raises(learning.CourseNotPublished):
        evaluate_directly_with(app)
    assert count(app, CourseEvaluation) == 0 and count(app, Certificate) == 0


def evaluate_directly_with(app, *, rating: int = 4, comment: str = "", lessons: int | None = None):
    from nmt_course.accounts.queries import user_by_email
    from nmt_course.evaluation import QUESTIONS
    from nmt_course.learning import operations as learning
    from nmt_course.learning.queries import course_by_slug
    from tests.helpers import runtime

    with app.app_context():
        course = course_by_slug("demo")
        rated = course.lessons[:lessons] if lessons is not None else course.lessons
        return learning.send_evaluation(
            runtime(app), user_by_email("learner@example.com"), course,
            objectives_met={lesson.id: rating for lesson in rated},
            ratings=dict.fromkeys(QUESTIONS, rating), comment=comment)


def test_a_course_unpublished_between_the_page_and_the_write_is_a_message(app, learner,
                                                                           monkeypatch):
    """The page read the course as published; the write finds it a draft: the learner is
    told, and nothing is stored."""
    from nmt_course.content import CourseStatus
    from nmt_course.learning import operations as learning

    finish_lessons(learner)
    send = learning.send_evaluation

    def unpublished_meanwhile(*args, **kwargs):
        db.session.execute(update(Course).values(status=CourseStatus.DRAFT))
        db.session.commit()
        return send(*args, **kwargs)

    monkeypatch.setattr(learning, "send_evaluation", unpublished_meanwhile)
    answer = send_evaluation(learner, "demo")
    assert answer.status_code == 302 and answer.location == "/courses/demo"
    assert "This course is not published" in learner.get("/dashboard").text
    assert count(app, CourseEvaluation) == 0 and count(app, Certificate) == 0
