"""A draft course is seen only by those who may edit it, and nothing is ever recorded in it
(issue 15, finding 1): no read mark, attempt, completion or certificate, whoever asks."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select, update

from nmt_course.accounts.models import User
from nmt_course.accounts.queries import user_by_email
from nmt_course.authoring.models import CourseMaintainer
from nmt_course.certificates.models import Certificate
from nmt_course.content import CourseStatus
from nmt_course.extensions import db
from nmt_course.learning import operations as learning
from nmt_course.learning.models import Course, Lesson, LessonProgress
from nmt_course.learning import queries as learning_queries
from nmt_course.learning.queries import course_by_slug
from nmt_course.quizzes import queries as quiz_queries
from nmt_course.quizzes.models import QuizAttempt
from tests.app.authoring_helpers import author, post, publish_draft
from tests.helpers import (DEMO_PASS, SECOND_PASS, csrf_from, import_content, login,
                           make_user, pass_quiz_directly, runtime, submit_quiz)

PAGES = ("/courses/demo", "/courses/demo/lessons/first-lesson",
         "/courses/demo/lessons/first-lesson/quiz")


def _set_status(app, status: CourseStatus) -> None:
    with app.app_context():
        db.session.execute(update(Course).values(status=status))
        db.session.commit()


def _records(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (LessonProgress, QuizAttempt, Certificate))


@pytest.fixture
def draft(app):
    """The fixture course as a draft owned by owner@, maintained by helper@."""
    import_content(app)
    owner = make_user(app, "owner@example.com", is_instructor=True)
    helper = make_user(app, "helper@example.com", is_instructor=True)
    with app.app_context():
        db.session.execute(update(Course).values(status=CourseStatus.DRAFT, owner_id=owner))
        course_id = db.session.scalar(select(Course.id))
        db.session.add(CourseMaintainer(course_id=course_id, user_id=helper))
        db.session.commit()
    return app


def test_another_instructor_finds_no_draft_and_can_record_nothing(draft, client):
    """The attack: an instructor who is no author of the course opened it, marked its lessons
    read, passed its quizzes and got a certificate /verify called valid. Now all 404."""
    make_user(draft, "other@example.com", is_instructor=True)
    login(client, "other@example.com")
    for path in PAGES:
        assert client.get(path).status_code == 404, path
    token = csrf_from(client.get("/verify").text)
    for path in ("/courses/demo/lessons/first-lesson/read",
                 "/courses/demo/lessons/first-lesson/quiz", "/courses/demo/certificate"):
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path
    assert _records(draft) == (0, 0, 0)
    assert "Demo Course for Tests" not in client.get("/").text


@pytest.mark.parametrize("who", ["owner@example.com", "helper@example.com", "admin"])
def test_its_authors_and_admins_see_the_draft_but_nothing_is_recorded(draft, client, who):
    if who == "admin":
        who = "boss@example.com"
        make_user(draft, who, is_admin=True)
    login(client, who)
    course = client.get("/courses/demo")
    assert course.status_code == 200
    assert "only its authors and admins can see this course" in course.text
    lesson = client.get("/courses/demo/lessons/first-lesson")
    assert lesson.status_code == 200 and "nothing is recorded here" in lesson.text
    assert "Mark as read" not in lesson.text and "Take the quiz" not in lesson.text
    refused = client.post("/courses/demo/lessons/second-lesson/read",
                          data={"csrf_token": csrf_from(lesson.text)})
    assert refused.status_code == 302
    assert "not published, so nothing is recorded" in client.get(refused.location).text
    # Its quizzes have no page for anyone; authors try them in the Author area's preview.
    assert client.get("/courses/demo/lessons/first-lesson/quiz").status_code == 404
    assert _records(draft) == (0, 0, 0)


def test_the_operations_record_nothing_for_an_unpublished_course(app):
    """Whoever asks: the check is in the write transactions, on the course as stored then."""
    import_content(app)
    make_user(app, name="Jane Q. Learner")
    pass_quiz_directly(app, "learner@example.com", "demo", "first-lesson", DEMO_PASS)
    with app.app_context():
        user = user_by_email("learner@example.com")
        course = course_by_slug("demo")
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "second-lesson"))
    _set_status(app, CourseStatus.DRAFT)  # unpublished after the page read the course
    with app.app_context():
        with pytest.raises(learning.CourseNotPublished):
            learning.mark_lesson_read(runtime(app), user, lesson, course)
    before = _records(app)
    _set_status(app, CourseStatus.PUBLISHED)
    with app.app_context():
        context_course = course_by_slug("demo")
    # A pass that would complete the course is refused once the course is a draft again.
    with app.app_context():
        context = learning_queries.quiz_context("demo", "second-lesson")
        standing, version = quiz_queries.standing(user.id, context.quiz.id)
        questions = quiz_queries.questions_of(version.id)
        shown = quiz_queries.presentation_for(runtime(app).settings.order_key, user.id,
                                              version, questions, standing.next_number)
    _set_status(app, CourseStatus.DRAFT)
    with app.app_context():
        with pytest.raises(learning.CourseNotPublished):
            learning.submit_quiz(runtime(app), user, course=context_course, version=version,
                                 questions=questions, shown=shown,
                                 number=standing.next_number,
                                 answers={k: [SECOND_PASS[k]] for k in shown.questions})
        assert learning.finish_course(runtime(app), user, context_course) is None
    assert _records(app) == before == (0, 1, 0)


def test_a_course_completed_before_it_went_back_to_draft_issues_no_certificate(app, learner):
    """The course waited only for the learner's licence number when it became a draft."""
    with app.app_context():
        db.session.execute(update(Course).values(requires_licence=True))
        db.session.commit()
    submit_quiz(learner, "demo", "first-lesson", DEMO_PASS)
    submit_quiz(learner, "demo", "second-lesson", SECOND_PASS)
    assert _records(app) == (0, 2, 0)
    with app.app_context():
        db.session.execute(update(Course).values(status=CourseStatus.DRAFT))
        db.session.execute(update(User).values(licence_number="LMT-1", licence_state="FL"))
        db.session.commit()
        user = user_by_email("learner@example.com")
        course = course_by_slug("demo")
        assert learning.finish_course(runtime(app), user, course) is None
        assert learning.complete_waiting_courses(runtime(app), user) == []
    assert _records(app) == (0, 2, 0)


def test_a_draft_imported_from_files_and_published_in_the_browser_is_open(app, tmp_path):
    """Seen while reproducing finding 1: publishing kept the files' `status: draft`, so the
    page said "Learners see it now" and the course answered 404."""
    lessons, quizzes = tmp_path / "lessons", tmp_path / "quizzes"
    shutil.copytree(app.config["LESSONS_DIR"], lessons)
    shutil.copytree(app.config["QUIZZES_DIR"], quizzes)
    course_md = lessons / "demo" / "course.md"
    course_md.write_text(course_md.read_text().replace("status: published", "status: draft"))
    assert "status: draft" in course_md.read_text()
    import_content(app, lessons, quizzes)
    admin = author(app, "boss@example.com", is_admin=True)
    assert admin.get("/courses/demo").status_code == 200
    assert post(admin, "/author/courses/demo/settings", {
        "title": "Demo Course for Tests", "summary": "Edited in the browser.",
        "ce_hours": "0.5", "course_type": "Home Study", "approval_number": "TEST-001",
        "description": "A small course."}).status_code == 302
    published = publish_draft(admin, "/author/courses/demo/publish", {"confirm_warnings": "y"})
    assert published.status_code == 302
    assert "Learners see it now" in admin.get(published.location).text
    visitor = app.test_client()
    assert visitor.get("/courses/demo").status_code == 200
    assert "Demo Course for Tests" in visitor.get("/").text
    with app.app_context():
        files = course_by_slug("demo").source_files
    assert "status: published" in files["lessons/demo/course.md"]
