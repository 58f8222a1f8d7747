"""An instructor writes a course in Chromium, previews and publishes it; a learner completes
it; the instructor changes a quiz and publishes again; an admin adds a maintainer; the
maintainer's save of a question the instructor changed meanwhile is refused as a conflict
and merged; the instructor reads the history and a diff, and restores a version; corrects a
quiz's key and regrades the attempts it turns into passes; answers one question in the
preview."""
from __future__ import annotations

import io
import re
import uuid

from PIL import Image
from sqlalchemy import func, select

from nmt_course.accounts.queries import user_by_email
from nmt_course.certificates.models import Certificate
from nmt_course.extensions import db
from nmt_course.quizzes.models import QuizAttempt, QuizStanding
from tests.browser.journey import click_through
from tests.helpers import evaluate_directly, make_user, pass_quiz_directly, read_directly

PASSWORD = "a long enough password"


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard$"))


def log_out(page) -> None:
    """Log out and wait for the page that says so: a navigation started before the logout's
    own ends can lose the cookie it sets (a flaky 400 on the next login's CSRF check)."""
    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You are logged out.").wait_for()


def add_question(page, *, key: str, prompt: str, choices: list[tuple[str, bool]],
                 objective: str, explanation: str) -> None:
    page.get_by_role("link", name="Add a question with one right answer").click()
    page.get_by_label("Question id").fill(key)
    page.get_by_label("Lesson objective it tests").select_option(objective)
    page.get_by_label("Question", exact=True).fill(prompt)
    for number, (text, right) in enumerate(choices, start=1):
        page.get_by_label(f"Choice {number}", exact=True).fill(text)
        if right:  # one right answer: a radio button per row, numbered for screen readers
            page.get_by_role("radio", name=f"Choice {number} is right").check()
    page.get_by_label("Explanation (Markdown)").fill(explanation)
    page.get_by_role("button", name="Save the question").click()
    assert "The question is saved in the draft." in page.inner_text(".flashes")


def write_lesson(journey, page, *, title: str, slug: str, body: str, name: str) -> None:
    page.get_by_role("link", name="Add a lesson").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Address").fill(slug)
    page.get_by_label("Objectives, one a line").fill(
        "Name the muscle that turns the head.\nPalpate it safely.")
    page.get_by_label("Lesson (Markdown)").fill(body)
    # The live preview beside the text is the server's rendering, as learners will see it.
    page.locator(".live-preview .admonition.warning").wait_for()
    journey.follow(page.get_by_role("button", name="Preview below"), f"{name}-preview")
    assert page.locator(".preview .admonition.warning").count() == 1
    journey.follow(page.get_by_role("button", name="Save the lesson"), f"{name}-saved")
    page.get_by_role("link", name="Its quiz").click()
    page.get_by_label("Pass mark (%)").fill("50")
    journey.follow(page.get_by_role("button", name="Save the settings"), f"{name}-quiz-settings")
    for n in (1, 2):
        add_question(page, key=f"{slug}-q{n}",
                     prompt=f"A client turns the head to the left against your hand ({n}). "
                            "Which muscle is working?",
                     choices=[("The right sternocleidomastoid", True),
                              ("The left sternocleidomastoid", False),
                              ("The right upper trapezius", False)],
                     objective="o1", explanation="It turns the face to the opposite side.")
        to_quiz = page.locator(".breadcrumbs").get_by_role("link", name="Quiz", exact=True)
        if n == 1:
            journey.check(f"{name}-question")
            click_through(to_quiz)
    journey.follow(to_quiz, f"{name}-quiz")
    page.get_by_role("link", name=re.compile("^Author")).first.click()


def png(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def lesson_titles(page) -> list[str]:
    return page.locator("#lesson-list > li .author-item-title").all_inner_texts()


def write_comfortably(journey, page, slug: str) -> None:
    """Reorder with the keyboard, duplicate a lesson, autosave, replace an image and be
    refused deleting one a lesson shows (issue 21)."""
    assert lesson_titles(page) == ["The Sternocleidomastoid", "The Scalenes"]
    page.get_by_role("button", name="Move down The Sternocleidomastoid").focus()
    page.keyboard.press("Enter")
    move_up = page.get_by_role("button", name="Move up The Sternocleidomastoid")
    move_up.wait_for()
    assert lesson_titles(page) == ["The Scalenes", "The Sternocleidomastoid"]
    assert move_up.evaluate("button => button === document.activeElement")
    # The announcement is written 50 ms after the move, so screen readers read it again.
    page.locator("#js-status", has_text="The Sternocleidomastoid is now 2 of 2.").wait_for(
        state="attached")
    journey.check("lessons-reordered")
    page.keyboard.press("Enter")  # and back, still from the keyboard
    page.get_by_role("button", name="Move up The Scalenes").wait_for()
    assert lesson_titles(page) == ["The Sternocleidomastoid", "The Scalenes"]

    journey.follow(page.get_by_role("button", name="Duplicate The Scalenes"), "lesson-duplicated")
    assert "The lesson is copied" in page.inner_text(".flashes")
    assert page.get_by_label("Title").input_value() == "The Scalenes (copy)"
    body = page.get_by_label("Lesson (Markdown)")
    body.press("End")
    page.get_by_role("button", name="Bold").click()
    assert "**bold text**" in body.input_value()
    page.clock.fast_forward(31_000)
    page.get_by_text("Saved automatically at").wait_for()
    journey.check("lesson-autosaved")
    page.goto(f"/author/courses/{slug}/history/")
    assert "Autosaved the lesson “The Scalenes (copy)”" in page.inner_text("main")
    page.goto(f"/author/courses/{slug}")
    page.locator("summary", has_text="Remove The Scalenes (copy)").click()
    click_through(page.get_by_role("button", name="Remove “The Scalenes (copy)”"))
    assert lesson_titles(page) == ["The Sternocleidomastoid", "The Scalenes"]

    page.get_by_label(re.compile(r"^Image \(PNG")).set_input_files(
        files=[{"name": "scm.png", "mimeType": "image/png", "buffer": png((200, 60, 60))}])
    page.get_by_label("What the image shows").fill("The sternocleidomastoid from the side")
    page.get_by_role("button", name="Upload").click()
    markdown = page.locator("#images-heading ~ .image-list code").first.inner_text()
    assert markdown.startswith("![The sternocleidomastoid from the side](/courses/")
    page.get_by_role("link", name="The Sternocleidomastoid", exact=True).click()
    lesson_body = page.get_by_label("Lesson (Markdown)")
    lesson_body.fill(lesson_body.input_value() + "\n\n" + markdown + "\n")
    page.get_by_role("button", name="Save the lesson").click()
    page.goto(f"/author/courses/{slug}")
    journey.follow(page.get_by_role("button", name="Delete The sternocleidomastoid from the side"),
                   "image-delete-refused")
    assert ("it is shown in the lesson “The Sternocleidomastoid” (in the draft)"
            in page.inner_text(".flashes"))
    page.locator("summary", has_text="Replace The sternocleidomastoid from the side").click()
    page.get_by_label(re.compile(r"^New image \(")).set_input_files(
        files=[{"name": "scm-2.png", "mimeType": "image/png", "buffer": png((60, 60, 200))}])
    journey.follow(page.get_by_role("button", name="Replace the image"), "image-replaced")
    assert "The image is replaced" in page.inner_text(".flashes")
    new_name = page.inner_text(".flashes").split("the draft now shows ")[1].split(".png")[0]
    assert page.locator(".image-list > li").count() == 1  # the old one showed nowhere else
    page.get_by_role("link", name="The Sternocleidomastoid", exact=True).click()
    assert new_name in page.get_by_label("Lesson (Markdown)").input_value()
    page.get_by_role("link", name=re.compile("^Author")).first.click()
    page.get_by_role("link", name=re.compile(slug[-6:])).first.click()


def test_instructor_journey(journey, browser, live_server):
    page, server = journey.page, journey.server
    slug = f"neck-{uuid.uuid4().hex[:6]}"
    title = f"Neck Care for Desk Workers {slug[-6:]}"
    teacher = f"teach-{slug}@example.com"
    admin, helper = f"admin-{slug}@example.com", f"helper-{slug}@example.com"
    make_user(server.app, teacher, password=PASSWORD, name="Tess Teacher", is_instructor=True)
    make_user(server.app, admin, password=PASSWORD, name="Ada Admin", is_admin=True)
    make_user(server.app, helper, password=PASSWORD, name="Hal Helper", is_instructor=True)

    page.clock.install()  # timers run as usual, and autosave's 30 seconds can be skipped
    log_in(page, teacher)
    journey.follow(page.get_by_role("link", name="Author", exact=True), "author-area")
    page.get_by_role("link", name="New course").click()
    journey.follow(page.get_by_role("button", name="Create the course"), "new-course-errors")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Address").fill(slug)
    page.get_by_label("Summary").fill("Safe work on the neck for clients at desks.")
    page.get_by_label("CE hours").fill("0.5")
    journey.follow(page.get_by_role("button", name="Create the course"), "course-workspace")

    body = ("## Sternocleidomastoid\n\nIt turns the head to the opposite side.\n\n"
            "!!! warning \"Carotid artery\"\n    Lift the muscle away; feel no pulse.\n")
    write_lesson(journey, page, title="The Sternocleidomastoid", slug="scm", body=body,
                 name="lesson-1")
    page.get_by_role("link", name=re.compile(title)).first.click()
    write_lesson(journey, page, title="The Scalenes", slug="scalenes", body=body,
                 name="lesson-2")
    click_through(page.get_by_role("link", name=re.compile(title)).first)
    write_comfortably(journey, page, slug)

    journey.follow(page.get_by_role("link", name="Preview the draft"), "preview-course")
    journey.follow(page.get_by_role("link", name="The Sternocleidomastoid", exact=True),
                   "preview-lesson")
    journey.follow(page.get_by_role("link", name=re.compile("its quiz")), "preview-quiz")
    page.get_by_role("link", name="Back to editing").click()

    journey.follow(page.get_by_role("link", name="Review the changes and publish"),
                   "publish-review")
    journey.follow(page.get_by_role("button", name="Publish these changes"),
                   "publish-needs-confirmation")
    page.get_by_label("I have read the warnings and publish anyway").check()
    journey.follow(page.get_by_role("button", name="Publish these changes"), "published")
    assert "Learners see it now." in page.inner_text(".flashes")

    # A learner completes the course (the learner's own journey is tested elsewhere).
    learner = f"learner-{slug}@example.com"
    make_user(server.app, learner, password=PASSWORD, name="Lee Learner")
    for lesson in ("scm", "scalenes"):
        read_directly(server.app, learner, slug, lesson)
        answers = {f"{lesson}-q{n}": ["c1"] for n in (1, 2)}
        submitted = pass_quiz_directly(server.app, learner, slug, lesson, answers)
        assert submitted.attempt.passed
    assert evaluate_directly(server.app, learner, slug).certificate is not None
    with server.app.app_context():
        before = db.session.scalar(select(Certificate).where(
            Certificate.course_title == title))
        assert before is not None
        code, pdf = before.code, before.pdf

    # The instructor improves a question and publishes again.
    page.get_by_role("link", name="Quiz", exact=False).first.click()
    page.get_by_role("link", name=re.compile(r"\(1\)")).click()
    page.get_by_label("Explanation (Markdown)").fill("Clearer: the right SCM turns the face "
                                                     "to the left.")
    page.get_by_role("button", name="Save the question").click()
    page.get_by_role("link", name=re.compile(title)).first.click()
    page.get_by_role("link", name="Review the changes and publish").click()
    page.get_by_label("I have read the warnings and publish anyway").check()
    page.get_by_role("button", name="Publish these changes").click()
    assert "1 new quiz version." in page.inner_text(".flashes")
    with server.app.app_context():
        after = db.session.scalar(select(Certificate).where(Certificate.code == code))
        assert after.pdf == pdf
        numbers = {a.version.number for a in db.session.scalars(
            select(QuizAttempt).where(QuizAttempt.quiz_version_id.is_not(None)))
            if a.user_id == after.user_id}
        assert numbers == {1}

    # An admin makes a second instructor a maintainer.
    other = browser.new_context(viewport=page.viewport_size, base_url=server.url)
    admin_page = other.new_page()
    journey.use(admin_page)
    log_in(admin_page, admin)
    admin_page.goto("/author/")
    journey.check("admin-author-area")
    admin_page.get_by_role("link", name=title).click()
    admin_page.get_by_label("E-mail address of an instructor").fill(helper)
    journey.follow(admin_page.get_by_role("button", name="Add a maintainer"), "maintainer-added")
    assert "Hal Helper can now edit this course." in admin_page.inner_text(".flashes")
    admin_page.goto("/admin/people")
    journey.check("people")
    other.close()

    # The teacher and the new maintainer open one question; the teacher saves first.
    question = f"/author/courses/{slug}/lessons/scm/quiz/questions/scm-q2/edit"
    helpers = browser.new_context(viewport=page.viewport_size, base_url=server.url)
    helper_page = helpers.new_page()
    log_in(helper_page, helper)
    helper_page.goto(question)
    journey.use(page)
    page.goto(question)
    page.get_by_label("Question", exact=True).fill(
        "Teacher's text: a client turns the head left against your hand. Which muscle works?")
    page.get_by_role("button", name="Save the question").click()
    assert "The question is saved in the draft." in page.inner_text(".flashes")
    journey.use(helper_page)
    helper_page.get_by_label("Question", exact=True).fill(
        "Helper's text: the head turns left against resistance. Which muscle contracts?")
    journey.follow(helper_page.get_by_role("button", name="Save the question"), "edit-conflict")
    conflict = helper_page.inner_text(".conflict")
    assert "Tess Teacher saved this after you opened it" in conflict
    assert "Teacher's text" in conflict and "Helper's text" in conflict
    kept = helper_page.get_by_label("Question", exact=True)
    assert kept.input_value().startswith("Helper's text")  # the helper's text is not lost
    kept.fill("Merged: a client turns the head left against your hand. Which muscle works?")
    helper_page.get_by_role("button", name="Save the question").click()
    assert "The question is saved in the draft." in helper_page.inner_text(".flashes")
    helpers.close()

    # The teacher reads the history and the diff, and restores the teacher's version.
    journey.use(page)
    page.goto(f"/author/courses/{slug}")
    journey.follow(page.get_by_role("link", name="History"), "history")
    assert "Saved by Hal Helper" in page.inner_text("main")
    journey.follow(page.get_by_role("link", name=re.compile("Saved the question scm-q2")).first,
                   "diff")
    assert "Merged:" in page.inner_text(".diff-added")
    assert "Teacher's text" in page.inner_text(".diff-removed")
    journey.follow(page.get_by_role("button", name=re.compile("^Restore the version before")),
                   "restored")
    assert "Restored into the draft" in page.inner_text(".flashes")
    page.goto(question)
    assert page.get_by_label("Question", exact=True).input_value().startswith("Teacher's text")

    change_a_key_and_regrade(journey, page, server, slug)
    preview_one_question(journey, page, server, slug)
    journey.finish()


def change_a_key_and_regrade(journey, page, server, slug: str) -> None:
    """Three learners fail the second quiz; the teacher changes its first question and key,
    publishes, sees that a regrade passes those three, and applies it."""
    failed = [f"failed{n}-{slug}@example.com" for n in range(3)]
    for email in failed:
        make_user(server.app, email, password=PASSWORD, name="Fay Failed")
        read_directly(server.app, email, slug, "scalenes")
        answers = {f"scalenes-q{n}": ["c2"] for n in (1, 2)}
        assert not pass_quiz_directly(server.app, email, slug, "scalenes",
                                      answers).attempt.passed
    page.goto(f"/author/courses/{slug}/lessons/scalenes/quiz/questions/scalenes-q1/edit")
    # The question now asks about a turn to the right, so the left SCM is the right answer.
    page.get_by_label("Question", exact=True).fill(
        "A client turns the head to the right against your hand (1). Which muscle is working?")
    # One right answer: its key is a radio button, so choosing the second leaves the first.
    page.get_by_role("radio", name="Choice 2 is right").check()
    page.get_by_label("Explanation (Markdown)").fill(
        "The left sternocleidomastoid turns the face to the right.")
    page.get_by_role("button", name="Save the question").click()
    assert "The question is saved in the draft." in page.inner_text(".flashes")
    page.goto(f"/author/courses/{slug}/publish")
    page.get_by_label("I have read the warnings and publish anyway").check()
    page.get_by_role("button", name="Publish these changes").click()
    flashes = page.inner_text(".flashes")
    assert "The key of the quiz of “The Scalenes” changed: 3 attempts would now pass" in flashes
    page.goto(f"/author/courses/{slug}/lessons/scalenes/quiz")
    journey.follow(page.get_by_role("link", name="Regrade after a key change"), "regrade")
    assert "3 attempts would now pass" in page.inner_text("main")
    journey.follow(page.get_by_role("button", name="Regrade: turn 3 attempts into passes"),
                   "regraded")
    assert "3 attempts regraded to a pass." in page.inner_text(".flashes")
    with server.app.app_context():
        ids = [user_by_email(email).id for email in failed]
        assert all(db.session.scalars(select(QuizStanding.passed).where(
            QuizStanding.user_id.in_(ids))).all())


def preview_one_question(journey, page, server, slug: str) -> None:
    """The teacher answers one question of the draft as a learner would: graded, with its
    feedback and explanation, and stored nowhere."""
    with server.app.app_context():
        attempts = db.session.scalar(select(func.count(QuizAttempt.id)))
    page.goto(f"/author/courses/{slug}/lessons/scalenes/quiz")
    journey.follow(page.get_by_role("link", name="Preview question scalenes-q1"),
                   "preview-one-question")
    page.get_by_label("The left sternocleidomastoid").check()
    journey.follow(page.get_by_role("button", name="Submit answers"), "preview-result")
    result = page.inner_text("main")
    assert "Passed" in result and "1 of 1 right" in result
    assert "The left sternocleidomastoid turns the face to the right." in result
    with server.app.app_context():
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == attempts
