"""Reading counts (issue 16): a lesson is complete when marked read and its quiz passed; a
lesson's min_minutes refuses an early read mark with the time left; the open time travels
signed in the form, so showing a lesson or a quiz writes nothing; time on task is kept."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from nmt_course.certificates.models import Certificate
from nmt_course.extensions import db
from nmt_course.learning.models import Lesson, LessonProgress
from nmt_course.quizzes.models import QuizAttempt
from nmt_course.time_on_task import opened_at, sign_open_time
from tests.helpers import (DEMO_PASS, SECOND_PASS, form_with, quiz_form, read_lesson,
                           set_clock, submit_quiz)

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now


def certificates(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Certificate.id)))


def test_passing_every_quiz_without_reading_completes_nothing(app, learner):
    submit_quiz(learner, "demo", "first-lesson", DEMO_PASS)
    submit_quiz(learner, "demo", "second-lesson", SECOND_PASS)
    page = learner.get("/courses/demo").text
    assert "Read “The First Lesson” and mark it read" in page
    assert "Quiz passed · mark as read" in page
    assert 'value="50"' in page  # each lesson half done
    assert learner.get("/courses/demo/evaluation").location == "/courses/demo"
    assert certificates(app) == 0
    lesson = learner.get("/courses/demo/lessons/first-lesson").text
    assert "Mark the lesson as read to complete it" in lesson
    read_lesson(learner, "demo", "first-lesson")
    read_lesson(learner, "demo", "second-lesson")
    assert "Answer the course evaluation" in learner.get("/courses/demo").text


def test_showing_a_lesson_or_a_quiz_writes_nothing_and_the_time_is_measured(app, learner):
    clock = Clock()
    set_clock(app, clock)
    page = learner.get("/courses/demo/lessons/first-lesson").text
    form = form_with(page, "opened")
    quiz = quiz_form(learner, "demo", "first-lesson")
    with app.app_context():
        assert db.session.scalar(select(func.count(LessonProgress.id))) == 0
    clock.now = START + dt.timedelta(minutes=7, seconds=30)
    learner.post(form["action"], data=form["fields"])
    clock.now = START + dt.timedelta(minutes=10)
    submit_quiz(learner, "demo", "first-lesson", DEMO_PASS, form=quiz)
    with app.app_context():
        assert db.session.scalar(select(LessonProgress.seconds)) == 450
        assert db.session.scalar(select(QuizAttempt.seconds)) == 600


def test_a_forged_or_borrowed_open_time_measures_nothing(app, learner):
    clock = Clock()
    set_clock(app, clock)
    form = form_with(learner.get("/courses/demo/lessons/first-lesson").text, "opened")
    with app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == "first-lesson"))
    earlier = sign_open_time("another-key", user_id=1, subject=f"lesson:{lesson_id}",
                             at=START - dt.timedelta(hours=1))
    clock.now = START + dt.timedelta(minutes=5)
    learner.post(form["action"], data={**form["fields"], "opened": earlier})
    with app.app_context():
        assert db.session.scalar(select(LessonProgress.seconds)) is None
    assert opened_at("k", sign_open_time("k", user_id=1, subject="lesson:1", at=START),
                     user_id=2, subject="lesson:1") is None  # someone else's
    assert opened_at("k", sign_open_time("k", user_id=1, subject="lesson:1", at=START),
                     user_id=1, subject="lesson:2") is None  # another lesson's


def test_min_minutes_refuses_an_early_read_mark_with_the_time_left(app, learner):
    clock = Clock()
    set_clock(app, clock)
    with app.app_context():
        db.session.execute(update(Lesson).where(Lesson.slug == "first-lesson")
                           .values(min_minutes=10))
        db.session.commit()
    page = learner.get("/courses/demo/lessons/first-lesson").text
    assert "at least 10 minutes of reading" in page
    form = form_with(page, "opened")
    clock.now = START + dt.timedelta(minutes=6, seconds=10)
    refused = learner.post(form["action"], data=form["fields"])
    assert refused.status_code == 409
    assert "at least 10 minutes of reading: 4 minutes left." in refused.text
    with app.app_context():
        assert db.session.scalar(select(func.count(LessonProgress.id))) == 0
    # The page sent back keeps the first open time: its clock runs on.
    again = form_with(refused.text, "opened")
    assert again["fields"]["opened"] == form["fields"]["opened"]
    clock.now = START + dt.timedelta(minutes=10)
    assert learner.post(form["action"], data=again["fields"]).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(LessonProgress.seconds)) == 600


def test_min_minutes_cannot_be_met_with_a_forged_open_time(app, learner):
    with app.app_context():
        db.session.execute(update(Lesson).where(Lesson.slug == "first-lesson")
                           .values(min_minutes=10))
        db.session.commit()
    form = form_with(learner.get("/courses/demo/lessons/first-lesson").text, "opened")
    forged = sign_open_time("not-the-key", user_id=1, subject="lesson:1",
                            at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    refused = learner.post(form["action"], data={**form["fields"], "opened": forged})
    assert refused.status_code == 409 and "Read it, then mark it read." in refused.text
    # A fresh open time replaces the forged one in the page sent back.
    assert form_with(refused.text, "opened")["fields"]["opened"] != forged
