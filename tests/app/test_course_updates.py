"""A course re-imported with more lessons and questions keeps every learner's record, and
tells learners who had started it what is new."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import delete, func, select

from nmt_course.certificates.models import Certificate
from nmt_course.extensions import db
from nmt_course.learning.models import CourseEvaluation
from nmt_course.runtime import utcnow
from tests.helpers import (DEMO_PASS, SECOND_PASS, import_content, login, make_user,
                           read_lesson, send_evaluation, set_clock, submit_quiz)

THIRD = """---
title: The Third Lesson
objectives:
  - Recall what the third lesson says.
---
## Third

Added after the course was first published.
"""


def grow_course(app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(app.config["LESSONS_DIR"].rsplit("/", 1)[0], content)
    (content / "lessons" / "demo" / "03-third-lesson.md").write_text(THIRD)
    quiz = content / "quizzes" / "demo" / "first-lesson.yaml"
    quiz.write_text(quiz.read_text() + """  - id: extra
    type: true_false
    prompt: A question added later.
    answer: true
    explanation: Added.
""")
    later = utcnow() + dt.timedelta(days=30)
    set_clock(app, lambda: later)  # the update comes a month after learners started
    reports = import_content(app, content / "lessons", content / "quizzes")
    assert "lessons 1 added" in str(reports[0]) and "1 new quiz versions" in str(reports[0])


def test_an_updated_course_keeps_certificates_and_asks_for_the_new_lessons(app, tmp_path):
    import_content(app)
    make_user(app, "done@example.com")
    make_user(app, "midway@example.com")
    done, midway = app.test_client(), app.test_client()
    login(done, "done@example.com")
    login(midway, "midway@example.com")
    for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
        read_lesson(done, "demo", lesson)
        submit_quiz(done, "demo", lesson, answers)
    send_evaluation(done, "demo")
    read_lesson(midway, "demo", "first-lesson")
    submit_quiz(midway, "demo", "first-lesson", DEMO_PASS)
    with app.app_context():
        code = db.session.scalar(select(Certificate.code))

    grow_course(app, tmp_path)

    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 1
        assert db.session.scalar(select(Certificate.code)) == code
    login(done, "done@example.com")  # a month idle ended their sessions
    login(midway, "midway@example.com")
    page = done.get("/courses/demo").text
    assert "1 lesson was added after you completed this course. Your certificate stands" in page
    assert "View your certificate" in page

    page = midway.get("/courses/demo").text
    assert "1 new lesson was added after you started. Complete it to finish" in page
    assert page.count("badge-new") == 1
    assert "Read “The Third Lesson”" in page  # now a requirement of the certificate
    assert "Pass the quiz for “The First Lesson”" not in page  # the old pass still counts
    assert "1 new lesson was added after you started" in midway.get("/dashboard").text

    make_user(app, "newcomer@example.com")
    newcomer = app.test_client()
    login(newcomer, "newcomer@example.com")
    submit_quiz(newcomer, "demo", "second-lesson", SECOND_PASS)
    assert "badge-new" not in newcomer.get("/courses/demo").text


def test_the_course_page_says_how_its_hours_were_estimated(app, client):
    import_content(app)
    page = client.get("/courses/demo").text
    assert ("How the CE hours were estimated: 6,130 words of lesson prose (leaving out "
            "references, sources, further reading, code and image text) and 46 words of the 7 "
            "quiz questions a learner answers, read at 200 words a minute, plus 0.25 minutes to "
            "answer each question, make 32 minutes, rounded down to the half hour: 0.5 CEs."
            ) in page


@pytest.mark.parametrize("evidence", ["evaluation", "certificate only"])
def test_passing_a_new_lessons_quiz_completes_an_evaluated_course_again(app, tmp_path,
                                                                        evidence):
    """A learner who evaluated the course (or holds a certificate earned before evaluations
    existed) completes it again by passing the quiz of a lesson added later: the submission
    sees the completion (the one certificate is kept), so a pass is checked for completion
    once the evaluation is sent or the certificate held."""
    import_content(app)
    make_user(app, "done@example.com")
    done = app.test_client()
    login(done, "done@example.com")
    for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
        read_lesson(done, "demo", lesson)
        submit_quiz(done, "demo", lesson, answers)
    send_evaluation(done, "demo")
    if evidence == "certificate only":  # as a certificate from before evaluations stands
        with app.app_context():
            db.session.execute(delete(CourseEvaluation))
            db.session.commit()
    content = tmp_path / "content"
    shutil.copytree(app.config["LESSONS_DIR"].rsplit("/", 1)[0], content)
    (content / "lessons" / "demo" / "03-third-lesson.md").write_text(THIRD)
    shutil.copy(content / "quizzes" / "demo" / "second-lesson.yaml",
                content / "quizzes" / "demo" / "third-lesson.yaml")
    import_content(app, content / "lessons", content / "quizzes")

    read_lesson(done, "demo", "third-lesson")
    assert "the course is complete" not in done.get("/courses/demo").text
    passed = submit_quiz(done, "demo", "third-lesson", SECOND_PASS)
    assert "You passed, and the course is complete." in done.get(passed.location).text
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 1
