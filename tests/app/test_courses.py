"""Catalogue, course and lesson pages, read marks and progress."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from nmt_course.content import CourseStatus
from nmt_course.extensions import db
from nmt_course.learning.models import Course, Lesson, LessonProgress
from tests.helpers import csrf_from, import_content, login, make_user


def mark_read(client, lesson: str, **extra):
    page = client.get(f"/courses/demo/lessons/{lesson}")
    return client.post(f"/courses/demo/lessons/{lesson}/read",
                       data={"csrf_token": csrf_from(page.text), **extra})


def test_catalogue_lists_published_courses_only(app, client):
    import_content(app)
    with app.app_context():
        db.session.add(Course(slug="hidden", title="A Draft Course", ce_hours=1,
                              course_type="Live", status=CourseStatus.DRAFT))
        db.session.commit()
    page = client.get("/")
    assert "Demo Course for Tests" in page.text and "0.5 CEs" in page.text
    assert "A Draft Course" not in page.text
    assert client.get("/courses/hidden").status_code == 404


def test_a_draft_is_not_shown_to_instructors_who_do_not_author_it(app, client):
    """Drafts show only to their owner, maintainers and admins (tests/app/test_draft_courses.py)."""
    with app.app_context():
        db.session.add(Course(slug="hidden", title="A Draft Course", ce_hours=1,
                              course_type="Live", status=CourseStatus.DRAFT))
        db.session.commit()
    make_user(app, "teacher@example.com", is_instructor=True)
    make_user(app, "admin@example.com", is_admin=True)
    login(client, "teacher@example.com")
    assert client.get("/courses/hidden").status_code == 404
    admin = app.test_client()
    login(admin, "admin@example.com")
    page = admin.get("/courses/hidden")
    assert page.status_code == 200 and "Draft: only its authors and admins" in page.text


def test_course_page_for_a_visitor(app, client):
    import_content(app)
    page = client.get("/courses/demo")
    assert page.status_code == 200
    assert "The First Lesson" in page.text and "The Second Lesson" in page.text
    assert "<strong>test suite</strong>" in page.text
    assert "Approval number TEST-001" in page.text
    assert "Create a free account" in page.text


def test_lessons_need_an_account(app, client):
    import_content(app)
    response = client.get("/courses/demo/lessons/first-lesson")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_lesson_page_shows_sanitised_content_objectives_and_navigation(learner):
    page = learner.get("/courses/demo/lessons/first-lesson")
    assert page.status_code == 200
    text = page.text
    assert "<h1>The First Lesson</h1>" in text
    assert "Recall what the first lesson says." in text
    assert '<div class="admonition note">' in text and "<th>Term</th>" in text
    assert "alert(" not in text
    assert "About 5 minutes of reading" in text
    assert "Lesson 1 of 2" in text
    assert 'href="/courses/demo/lessons/second-lesson"' in text
    assert "Mark as read and take the quiz" in text
    assert learner.get("/courses/demo/lessons/nope").status_code == 404


def test_lesson_page_renders_no_markdown(app, learner, monkeypatch):
    import nmt_course.content.markdown as rendering

    def refuse(*args, **kwargs):
        raise AssertionError("Markdown rendered during a request")

    monkeypatch.setattr(rendering, "_convert", refuse)
    assert learner.get("/courses/demo/lessons/first-lesson").status_code == 200
    assert learner.get("/courses/demo/lessons/first-lesson/quiz").status_code == 200


@pytest.mark.dialect("INSERT ... ON CONFLICT")
def test_mark_as_read_is_recorded_once_and_moves_progress(app, learner):
    response = mark_read(learner, "second-lesson")
    assert response.status_code == 302
    mark_read(learner, "second-lesson")
    with app.app_context():
        assert db.session.scalar(select(func.count(LessonProgress.id))) == 1
    course = learner.get("/courses/demo").text
    assert 'value="25"' in course  # half of one of two lessons
    assert "Read · quiz to pass" in course


def test_mark_as_read_then_quiz_goes_to_the_quiz(learner):
    response = mark_read(learner, "first-lesson", then="quiz")
    assert response.location == "/courses/demo/lessons/first-lesson/quiz"


def test_mark_as_read_needs_a_csrf_token(app, learner):
    assert learner.post("/courses/demo/lessons/first-lesson/read").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(LessonProgress.id))) == 0


def test_dashboard_lists_started_courses_with_progress(learner):
    assert "You have not started a course yet" in learner.get("/dashboard").text
    mark_read(learner, "first-lesson")
    page = learner.get("/dashboard").text
    assert "Demo Course for Tests" in page
    assert '<progress id="progress-demo" max="100" value="25">' in page
    assert "Next: " in page


def test_archived_lessons_disappear_but_keep_their_read_marks(app, learner):
    mark_read(learner, "second-lesson")
    with app.app_context():
        db.session.execute(update(Lesson).where(Lesson.slug == "second-lesson")
                           .values(archived_at=func.now()))
        db.session.commit()
    assert learner.get("/courses/demo/lessons/second-lesson").status_code == 404
    assert "The Second Lesson" not in learner.get("/courses/demo").text
    with app.app_context():
        assert db.session.scalar(select(func.count(LessonProgress.id))) == 1
