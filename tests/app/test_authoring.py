"""Writing a course in the browser: the Author area, drafts, publication, lessons, quizzes,
images, and text that survives an expired form."""
from __future__ import annotations

import io
import os

import pytest
from PIL import Image
from sqlalchemy import func, select

from nmt_course.content import CourseStatus
from nmt_course.extensions import db
from nmt_course.learning.models import Course, CourseImage
from nmt_course.quizzes.models import QuizVersion
from tests.app.authoring_helpers import (LESSON, SINGLE, TRUE_FALSE, author, post, publish,
                                         upload_file, write_course)
from tests.helpers import login, make_user

BASE = "/author/courses/neck-care"


def versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(QuizVersion.id)))


def test_the_author_area_is_for_instructors_and_admins(app, client):
    assert client.get("/author/").location.startswith("/login")
    make_user(app)
    login(client)
    assert "Author</a>" not in client.get("/dashboard").text
    assert client.get("/author/").status_code == 403
    assert client.get("/author/courses/new").status_code == 403
    teacher = author(app)
    assert 'href="/author/">Author</a>' in teacher.get("/dashboard").text
    assert teacher.get("/author/").status_code == 200


def test_a_new_course_stays_invisible_to_learners_until_published(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    make_user(app)
    learner = app.test_client()
    login(learner)
    assert learner.get("/courses/neck-care").status_code == 404
    assert "Neck Care" not in learner.get("/").text
    preview = teacher.get(f"{BASE}/preview/lessons/neck-basics").text
    assert "The sternocleidomastoid turns the head." in preview
    assert "Preview of the draft" in preview
    assert publish(teacher, f"{BASE}/publish", {"confirm_warnings": "y"}).status_code == 302
    assert "Neck Care" in learner.get("/").text
    assert "The sternocleidomastoid turns the head." in learner.get(
        "/courses/neck-care/lessons/neck-basics").text


def test_edits_wait_in_the_draft_until_published_or_discarded(app):
    teacher = author(app)
    write_course(teacher)
    make_user(app)
    learner = app.test_client()
    login(learner)
    lesson = "/courses/neck-care/lessons/neck-basics"
    post(teacher, f"{BASE}/lessons/neck-basics/edit",
         {**LESSON, "body": "## The neck\n\nA rewritten lesson about the scalenes."})
    assert "rewritten lesson" not in learner.get(lesson).text
    assert "rewritten lesson" in teacher.get(f"{BASE}/preview/lessons/neck-basics").text
    assert "Unpublished edits" in teacher.get(BASE).text
    assert post(teacher, f"{BASE}/discard").status_code == 302
    assert "rewritten lesson" not in teacher.get(f"{BASE}/preview/lessons/neck-basics").text
    post(teacher, f"{BASE}/lessons/neck-basics/edit",
         {**LESSON, "body": "## The neck\n\nA rewritten lesson about the scalenes."})
    publish(teacher, f"{BASE}/publish", {"confirm_warnings": "y"})
    assert "rewritten lesson" in learner.get(lesson).text


def test_publishing_is_blocked_by_errors_and_asks_to_confirm_warnings(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    # A question about an objective the lesson no longer states: nothing is published.
    post(teacher, f"{BASE}/lessons/neck-basics/edit",
         {**LESSON, "objectives": "Name the neck muscles."})
    refused = publish(teacher, f"{BASE}/publish", {"confirm_warnings": "y"})
    assert refused.status_code == 409
    assert ("question &#39;palpate-tf&#39; tests objective &#39;o2&#39;, which the lesson does "
            "not state (was it deleted?)") in refused.text
    assert 'Quiz of “Neck Basics”' in refused.text  # named for the author, linked to fix it
    with app.app_context():
        assert db.session.scalar(select(Course.status)) is CourseStatus.DRAFT
    # Typing the deleted objective's label again brings it back for its question.
    post(teacher, f"{BASE}/lessons/neck-basics/edit",
         {**LESSON, "objectives": "Name the neck muscles.\n[o2] Palpate them safely."})
    unconfirmed = publish(teacher, f"{BASE}/publish")
    assert unconfirmed.status_code == 409
    assert "confirm that you publish it anyway" in unconfirmed.text
    assert "ce_hours 0.5 is more than the 0 hours estimated" in unconfirmed.text
    assert publish(teacher, f"{BASE}/publish", {"confirm_warnings": "y"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Course.status)) is CourseStatus.PUBLISHED


def test_questions_per_attempt_cannot_exceed_the_bank(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    too_many = post(teacher, f"{BASE}/lessons/neck-basics/quiz", {
        "pass_mark": "50", "max_attempts": "3", "draw": "5",
        "review_after_fail": "objectives"})
    assert too_many.status_code == 422
    assert "The bank holds 2 questions: show at most that many per attempt" in too_many.text


def test_a_published_lessons_address_cannot_change(app):
    teacher = author(app)
    write_course(teacher)
    page = teacher.get(f"{BASE}/lessons/neck-basics/edit").text
    assert "It cannot change now" in page and 'id="slug"' not in page
    renamed = post(teacher, f"{BASE}/lessons/neck-basics/edit", {**LESSON, "slug": "renamed"})
    assert renamed.status_code == 422 and "its address cannot change" in renamed.text


def test_only_a_course_never_published_can_be_deleted(app):
    teacher = author(app)
    write_course(teacher)
    assert post(teacher, f"{BASE}/delete").status_code == 302
    assert teacher.get(BASE).status_code == 200  # refused: it was published
    write_course(teacher, "scratch", publish=False)
    assert post(teacher, "/author/courses/scratch/delete").location == "/author/"
    assert teacher.get("/author/courses/scratch").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Course.id))) == 1


def test_a_changed_quiz_gets_a_new_version_and_an_unchanged_one_does_not(app):
    teacher = author(app)
    write_course(teacher)
    assert versions(app) == 1
    post(teacher, f"{BASE}/settings", {"title": "Neck Care", "summary": "Better summary.",
                                      "ce_hours": "0.5", "course_type": "Home Study",
                                      "approval_number": "", "description": ""})
    publish(teacher, f"{BASE}/publish", {"confirm_warnings": "y"})
    assert versions(app) == 1
    post(teacher, f"{BASE}/lessons/neck-basics/quiz/questions/scm-action/edit",
         {**SINGLE, "explanation": "Clearer: it turns the face to the opposite side."})
    publish(teacher, f"{BASE}/publish", {"confirm_warnings": "y"})
    assert versions(app) == 2


def test_a_course_published_from_the_browser_is_not_overwritten_by_import_unasked(
        app, runner, tmp_path):
    teacher = author(app)
    write_course(teacher)
    lessons = tmp_path / "lessons" / "neck-care"
    lessons.mkdir(parents=True)
    (lessons / "course.md").write_text("---\ntitle: From Files\nce_hours: 0.5\n"
                                       "status: published\n---\nText.\n")
    (lessons / "01-other.md").write_text("---\ntitle: Other\n---\n## Other\n\nWords.\n")
    app.config.update(LESSONS_DIR=str(tmp_path / "lessons"),
                      QUIZZES_DIR=str(tmp_path / "quizzes"))
    refused = runner.invoke(args=["content", "import"])
    assert refused.exit_code == 1 and "edited in the browser" in refused.output
    with app.app_context():
        assert db.session.scalar(select(Course.title)) == "Neck Care"
    assert runner.invoke(args=["content", "import", "--force"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(Course.title)) == "From Files"


def test_lessons_are_added_reordered_and_removed(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    post(teacher, f"{BASE}/lessons/new", {**LESSON, "title": "Jaw", "slug": "jaw"})
    page = teacher.get(BASE).text
    assert page.index("Neck Basics") < page.index(">Jaw<")
    post(teacher, f"{BASE}/lessons/jaw/move", {"direction": "up"})
    page = teacher.get(BASE).text
    assert page.index(">Jaw<") < page.index("Neck Basics")
    taken = post(teacher, f"{BASE}/lessons/new", {**LESSON, "slug": "jaw"})
    assert taken.status_code == 422 and "already uses" in taken.text
    post(teacher, f"{BASE}/lessons/neck-basics/remove")
    page = teacher.get(BASE).text
    assert "Neck Basics" not in page and ">Jaw<" in page
    assert teacher.get(f"{BASE}/lessons/neck-basics/edit").status_code == 404
    assert post(teacher, f"{BASE}/lessons/neck-basics/move").status_code == 404


def test_the_lesson_preview_uses_the_learners_renderer_and_saves_nothing(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    page = post(teacher, f"{BASE}/lessons/neck-basics/edit",
                {**LESSON, "action": "preview",
                 "body": "## Care\n\n!!! warning \"Stop\"\n    Refer.\n\n<script>x()</script>"})
    assert page.status_code == 200
    assert '<div class="admonition warning">' in page.text and "x()</script>" not in page.text
    assert "Refer." not in teacher.get(f"{BASE}/preview/lessons/neck-basics").text


def test_the_question_editor_covers_every_type_and_checks_the_key(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    url = f"{BASE}/lessons/neck-basics/quiz/questions/new"
    none_right = post(teacher, url, {**SINGLE, "key": "x", "choices-0-correct": ""})
    assert none_right.status_code == 422
    assert "Mark exactly one choice as the right answer." in none_right.text
    two_right = post(teacher, url, {**SINGLE, "key": "x", "choices-1-correct": "y"})
    assert "Mark exactly one choice as the right answer." in two_right.text
    assert post(teacher, url, {**SINGLE, "key": "x", "type": "multiple",
                               "choices-1-correct": "y",
                               "prompt": "Which muscles turn the head? Choose all that "
                                         "apply."}).status_code == 302
    duplicate = post(teacher, url, {**TRUE_FALSE, "prompt": "Another statement."})
    assert "Another question of this quiz uses that id." in duplicate.text
    quiz = teacher.get(f"{BASE}/lessons/neck-basics/quiz").text
    assert quiz.count('class="card author-item"') == 3
    post(teacher, f"{BASE}/lessons/neck-basics/quiz/questions/x/remove")
    assert teacher.get(f"{BASE}/lessons/neck-basics/quiz").text.count(
        'class="card author-item"') == 2


def test_quality_warnings_show_beside_their_question(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    post(teacher, f"{BASE}/lessons/neck-basics/quiz/questions/new", {
        **SINGLE, "key": "negative", "prompt": "Which of these is not a neck muscle?",
        "choices-2-text": "All of the above"})
    page = teacher.get(f"{BASE}/lessons/neck-basics/quiz/questions/negative/edit").text
    prompt_at = page.index('id="prompt"')
    negative = page.index("asks with &#39;not&#39; without emphasis")
    assert prompt_at < negative < page.index('id="choices"')  # beside the question's text
    assert "points at other options" in page
    quiz = teacher.get(f"{BASE}/lessons/neck-basics/quiz").text
    assert quiz.index('id="q-negative"') < quiz.index("without emphasis")


def upload(client, name: str, data: bytes):
    return upload_file(client, f"{BASE}/images", "image", name, data,
                       alt="A diagram of the neck")


def png(size=(8, 8), noise: bool = False, kind: str = "PNG") -> bytes:
    """A real image (PNG unless `kind` says); with noise, too big to compress under 2 MB."""
    image = (Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)) if noise
             else Image.new("RGB", size, (200, 50, 50)))
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return buffer.getvalue()


@pytest.mark.parametrize("name, data, message", [
    ("fake.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>x()</script></svg>",
     "That file is not a PNG, JPEG or WebP image."),
    ("anim.png", png(kind="GIF"), "GIF images are not accepted: use PNG, JPEG or WebP."),
    ("huge.png", png(size=(1000, 800), noise=True),
     "The file is larger than 2 MB; images may be at most 2 MB"),
])
def test_images_are_checked_by_content_not_name(app, name, data, message):
    teacher = author(app)
    write_course(teacher, publish=False)
    response = upload(teacher, name, data)
    assert response.status_code == 422 and message in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseImage.id))) == 0


def test_a_photo_too_large_is_answered_on_the_form_with_its_description_kept(app):
    """A 6 MB upload used to get a bare 413 page that lost the form (issue 21)."""
    teacher = author(app)
    write_course(teacher, publish=False)
    photo = png(size=(1600, 1200), noise=True)
    assert len(photo) > 5 * 1024 * 1024
    response = upload(teacher, "huge.png", photo)
    assert response.status_code == 422
    assert "The file is larger than 2 MB; images may be at most 2 MB" in response.text
    assert 'value="A diagram of the neck"' in response.text
    long_field = post(teacher, "/author/courses/neck-care/lessons/new",
                      {**LESSON, "body": "x" * (600 * 1024)},
                      content_type="multipart/form-data")
    long_field.request.environ["wsgi.input"].close()  # the test client spooled it to disk
    assert long_field.status_code == 413  # elsewhere the limit stays as it was
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseImage.id))) == 0


def test_a_file_past_what_an_image_form_reads_is_answered_on_the_form(app, monkeypatch):
    """Past MAX_UPLOAD_BYTES the request is not read: the course page comes back with the
    limits, not a bare error page."""
    from nmt_course.authoring import image_routes
    monkeypatch.setattr(image_routes, "MAX_UPLOAD_BYTES", 1024 * 1024)
    teacher = author(app)
    write_course(teacher, publish=False)
    response = upload(teacher, "huge.png", png(size=(1000, 800), noise=True))
    assert response.status_code == 413
    assert "The file is larger than 1 MB, so it was not read; images may be at most 2 MB" \
        in response.text
    assert "<h2 id=\"images-heading\">Images</h2>" in response.text
    stranger = author(app, "other@example.com")
    refused = upload(stranger, "huge.png", png(size=(1000, 800), noise=True))
    assert refused.status_code == 404  # not their course, even when too large
    make_user(app, "learner@example.com")
    learner = app.test_client()
    login(learner, "learner@example.com")
    assert upload(learner, "huge.png", png(size=(1000, 800), noise=True)).status_code == 403
    anonymous = upload(app.test_client(), "huge.png", png(size=(1000, 800), noise=True))
    assert anonymous.status_code == 302 and "/login" in anonymous.location


@pytest.mark.dialect("binary columns")
def test_an_image_is_stored_in_the_database_and_served_for_good(app):
    teacher = author(app)
    write_course(teacher)
    response = upload(teacher, "Trigger Point.png", png())
    assert response.status_code == 302
    with app.app_context():
        name = db.session.scalar(select(CourseImage.name))
    assert name.startswith("trigger-point.") and name.endswith(".png")
    served = app.test_client().get(f"/courses/neck-care/images/{name}")
    assert served.status_code == 200 and served.data == png()
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in served.headers["Cache-Control"]
    assert app.test_client().get("/courses/neck-care/images/nope.png").status_code == 404
    page = teacher.get(BASE).text  # with the line to paste, the description as its alt text
    assert f"![A diagram of the neck](/courses/neck-care/images/{name})" in page


def test_a_draft_shows_only_the_images_uploaded_for_its_course(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    assert upload(teacher, "Neck.png", png()).status_code == 302
    with app.app_context():
        name = db.session.scalar(select(CourseImage.name))
    missing = "neck.0123456789.png"
    post(teacher, f"{BASE}/lessons/neck-basics/edit", {
        **LESSON, "body": f"## Pictures\n\n![The neck](/courses/neck-care/images/{missing})"})
    refused = publish(teacher, f"{BASE}/publish", {"confirm_warnings": "y"})
    assert f"the image &#39;{missing}&#39; is not among the course&#39;s images" in refused.text
    post(teacher, f"{BASE}/lessons/neck-basics/edit", {
        **LESSON, "body": f"## Pictures\n\n![The neck](/courses/neck-care/images/{name})"})
    assert publish(teacher, f"{BASE}/publish", {"confirm_warnings": "y"}).status_code == 302


def test_an_expired_form_token_never_loses_the_lesson_text(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    text = "## Care\n\nA long paragraph the author wrote for an hour."
    response = teacher.post(f"{BASE}/lessons/neck-basics/edit",
                            data={**LESSON, "body": text, "csrf_token": "expired"},
                            headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 400
    assert "nothing was saved. Your text is still here" in response.text
    assert "A long paragraph the author wrote for an hour." in response.text
    assert "A long paragraph" not in teacher.get(f"{BASE}/preview/lessons/neck-basics").text


def test_an_ended_session_keeps_the_text_for_a_save_after_logging_in(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    stranger = app.test_client()  # the author's session is gone
    form = {**LESSON, "body": "## Care\n\nWritten before the session ended.",
            "csrf_token": "old"}
    same_site = stranger.post(f"{BASE}/lessons/neck-basics/edit", data=form,
                              headers={"Sec-Fetch-Site": "same-origin"})
    assert same_site.status_code == 401
    assert "Written before the session ended." in same_site.text
    cross_site = stranger.post(f"{BASE}/lessons/neck-basics/edit", data=form,
                               headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 400
    assert "Written before the session ended." not in cross_site.text


def test_course_settings_are_validated_and_saved_to_the_draft(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    bad = post(teacher, f"{BASE}/settings", {"title": "", "ce_hours": "-1",
                                            "course_type": "Home Study"})
    assert bad.status_code == 422 and "Enter the course title." in bad.text
    post(teacher, f"{BASE}/settings", {"title": "Neck Care Two", "summary": "",
                                      "ce_hours": "1.5", "course_type": "Webinar",
                                      "approval_number": "BD-1", "requires_licence": "y",
                                      "description": "All about necks."})
    preview = teacher.get(f"{BASE}/preview/").text
    assert "Neck Care Two" in preview and "1.5 CEs" in preview and "Webinar" in preview


def test_an_image_needs_a_description_for_learners_who_cannot_see_it(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    response = upload_file(teacher, f"{BASE}/images", "image", "x.png", png())
    assert response.status_code == 422
    assert "Describe the image for learners who cannot see it." in response.text
