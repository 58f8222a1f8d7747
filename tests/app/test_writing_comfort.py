"""Writing a course quickly (issue 21): duplicate a question, a lesson or a course; a new
order in one request; addresses and ids made from what was typed; autosave as revisions,
never over another author's newer save; the live preview from the server's own pipeline."""
from __future__ import annotations

import pytest
import io
import re

from PIL import Image
from sqlalchemy import select

from nmt_course.extensions import db
from nmt_course.learning.models import Course, CourseImage
from tests.app.authoring_helpers import (LESSON, SINGLE, author, post, revision_on, token,
                                         upload_file, write_course)

BASE = "/author/courses/neck-care"
LESSONS = BASE + "/lessons"
QUIZ = LESSONS + "/neck-basics/quiz"


def action(client, url: str, **data):
    return client.post(url, data={"csrf_token": token(client), **data})


def lesson_order(client, slug="neck-care") -> list[str]:
    page = client.get(f"/author/courses/{slug}").text
    return re.findall(r'<li class="card author-item" data-key="([^"]+)"', page)


def question_order(client) -> list[str]:
    return re.findall(r'<li class="card author-item" id="q-[^"]+" data-key="([^"]+)"',
                      client.get(QUIZ).text)


def add_lesson(client, title: str, slug: str = "") -> None:
    assert post(client, f"{LESSONS}/new", {**LESSON, "title": title, "slug": slug}
                ).status_code == 302


# --- addresses and ids made from what was typed ------------------------------------------------

def test_a_course_address_typed_as_words_becomes_an_address(app):
    teacher = author(app)
    response = post(teacher, "/author/courses/new", {
        "title": "Scalene Release", "slug": "Scalene Release", "summary": "",
        "ce_hours": "1", "course_type": "Home Study"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/author/courses/scalene-release")
    empty = post(teacher, "/author/courses/new", {
        "title": "Piriformis Syndrome — Débridé", "slug": "", "summary": "",
        "ce_hours": "1", "course_type": "Home Study"})
    assert empty.headers["Location"].endswith("/author/courses/piriformis-syndrome-debride")
    taken = post(teacher, "/author/courses/new", {
        "title": "Scalene release", "slug": "", "summary": "", "ce_hours": "1",
        "course_type": "Home Study"})
    assert taken.status_code == 200
    assert "A course already uses the address “scalene-release”" in taken.text


def test_a_lesson_address_is_made_from_its_title(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    add_lesson(teacher, "Scalene Release")
    add_lesson(teacher, "Pec Minor", "Pec Minor Release")
    assert lesson_order(teacher) == ["neck-basics", "scalene-release", "pec-minor-release"]


def test_a_question_without_an_id_gets_one_from_its_prompt(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    for _ in range(2):
        response = post(teacher, f"{QUIZ}/questions/new", {**SINGLE, "key": ""})
        assert response.status_code == 302
    assert question_order(teacher) == ["scm-action", "palpate-tf", "client-turns-head-left",
                                       "client-turns-head-left-2"]
    page = teacher.get(f"{QUIZ}/questions/new").text
    assert 'data-suggest-from="prompt"' in page and 'data-taken="scm-action palpate-tf' in page


# --- duplicates ----------------------------------------------------------------------------------

def test_a_question_is_duplicated_just_after_itself(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    response = action(teacher, f"{QUIZ}/questions/scm-action/duplicate")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/quiz/questions/scm-action-copy/edit")
    action(teacher, f"{QUIZ}/questions/scm-action/duplicate")
    assert question_order(teacher) == ["scm-action", "scm-action-copy-2", "scm-action-copy",
                                       "palpate-tf"]
    copy = teacher.get(f"{QUIZ}/questions/scm-action-copy/edit").text
    assert "against your hand" in copy and "The right sternocleidomastoid" in copy
    assert action(teacher, f"{QUIZ}/questions/nope/duplicate").status_code == 404


def test_a_lesson_is_duplicated_with_its_quiz_just_after_itself(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    add_lesson(teacher, "Scalene Release")
    response = action(teacher, f"{LESSONS}/neck-basics/duplicate")
    assert response.headers["Location"].endswith("/lessons/neck-basics-copy/edit")
    assert lesson_order(teacher) == ["neck-basics", "neck-basics-copy", "scalene-release"]
    editor = teacher.get(f"{LESSONS}/neck-basics-copy/edit").text
    assert 'value="Neck Basics (copy)"' in editor
    quiz = teacher.get(f"{LESSONS}/neck-basics-copy/quiz").text
    assert "scm-action" in quiz and "palpate-tf" in quiz


def test_a_course_is_duplicated_as_a_draft_of_ones_own(app):
    owner = author(app)
    write_course(owner)
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(image, format="PNG")
    upload_file(owner, f"{BASE}/images", "image", "neck.png", image.getvalue(), alt="Neck")
    with app.app_context():
        name = db.session.scalar(select(CourseImage.name))
    body = LESSON["body"] + f"\n\n![Neck](/courses/neck-care/images/{name})"
    post(owner, f"{LESSONS}/neck-basics/edit", {**LESSON, "body": body})
    post(owner, f"{BASE}/settings", {"title": "Neck Care", "summary": "The neck.",
                                     "ce_hours": "0.5", "course_type": "Home Study",
                                     "approval_number": "BOARD-123", "description": "D"})
    helper = author(app, "helper@example.com")
    post(owner, f"{BASE}/maintainers", {"email": "helper@example.com"})
    response = post(helper, f"{BASE}/duplicate", {"copy-title": "Neck Care Advanced",
                                                 "copy-slug": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/author/courses/neck-care-advanced")
    with app.app_context():
        copy = db.session.scalar(select(Course).where(Course.slug == "neck-care-advanced"))
        helper_id = db.session.scalar(select(Course.owner_id).where(Course.id == copy.id))
        images = db.session.scalars(select(CourseImage.name).where(
            CourseImage.course_id == copy.id)).all()
        assert not copy.is_published and copy.title == "Neck Care Advanced"
    assert images == [name]
    page = helper.get("/author/courses/neck-care-advanced").text
    assert "Neck Basics" in page and "must be fixed before" not in page  # the images came too
    assert 'value="BOARD-123"' not in page
    lesson = helper.get("/author/courses/neck-care-advanced/lessons/neck-basics/edit").text
    assert f"/courses/neck-care-advanced/images/{name}" in lesson
    assert helper_id != 0
    refused = post(helper, f"{BASE}/duplicate", {"copy-title": "Neck Care",
                                                "copy-slug": "neck-care"})
    assert refused.status_code == 422 and "already uses the address" in refused.text
    stranger = author(app, "stranger@example.com")
    assert post(stranger, f"{BASE}/duplicate", {"copy-title": "Mine"}).status_code == 404


# --- a new order in one request -----------------------------------------------------------------

def test_lessons_take_the_order_they_were_dragged_to(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    add_lesson(teacher, "Scalene Release")
    add_lesson(teacher, "Pec Minor")
    url = f"{LESSONS}/order"
    wanted = ["pec-minor", "neck-basics", "scalene-release"]
    response = teacher.post(url, data={"csrf_token": token(teacher), "order": wanted})
    assert response.status_code == 302 and lesson_order(teacher) == wanted
    stale = teacher.post(url, data={"csrf_token": token(teacher),
                                    "order": ["neck-basics", "pec-minor"]})
    assert stale.status_code == 302
    assert "The lessons changed since this page was loaded" in teacher.get(
        stale.headers["Location"]).text
    assert lesson_order(teacher) == wanted


def test_questions_take_the_order_they_were_dragged_to(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    url = f"{QUIZ}/order"
    ok = teacher.post(url, data={"csrf_token": token(teacher),
                                 "order": ["palpate-tf", "scm-action"]})
    assert ok.status_code == 302 and question_order(teacher) == ["palpate-tf", "scm-action"]
    for bad in (["palpate-tf"], ["palpate-tf", "palpate-tf"], ["palpate-tf", "nope"]):
        teacher.post(url, data={"csrf_token": token(teacher), "order": bad})
        assert question_order(teacher) == ["palpate-tf", "scm-action"]


# --- autosave ------------------------------------------------------------------------------------

def autosave(client, revision: str, **changes):
    return client.post(f"{LESSONS}/neck-basics/autosave", data={
        "csrf_token": token(client), **LESSON, "revision": revision, **changes})


def test_autosave_keeps_a_revision_and_tells_the_new_one(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    editor = teacher.get(f"{LESSONS}/neck-basics/edit").text
    loaded = revision_on(editor)
    assert 'data-autosave-url="/author/courses/neck-care/lessons/neck-basics/autosave"' in editor
    assert 'data-autosave-seconds="30"' in editor
    response = autosave(teacher, loaded, body="## The neck\n\nAutosaved words.",
                        slug="renamed")
    assert response.status_code == 200 and response.json["saved"] is True
    assert response.json["revision"] == int(loaded) + 1
    assert "Autosaved the lesson" in teacher.get(f"{BASE}/history/").text
    again = autosave(teacher, str(response.json["revision"]), body="## The neck\n\nMore.")
    assert again.json["saved"] is True  # its own autosave is no conflict
    assert "More." in teacher.get(f"{LESSONS}/neck-basics/edit").text  # address unchanged


@pytest.mark.dialect("row locks")
def test_autosave_never_overwrites_another_authors_newer_save(app):
    owner = author(app)
    write_course(owner, publish=False)
    loaded = revision_on(owner.get(f"{LESSONS}/neck-basics/edit").text)
    helper = author(app, "helper@example.com")
    post(owner, f"{BASE}/maintainers", {"email": "helper@example.com"})
    assert post(helper, f"{LESSONS}/neck-basics/edit",
                {**LESSON, "body": "## Theirs\n\nThe helper wrote this."}).status_code == 302
    clash = autosave(owner, loaded, body="## Mine\n\nThe owner wrote this.")
    assert clash.status_code == 409 and clash.json["conflict"] is True
    assert "Helper saved this lesson after you opened it" in clash.json["message"]
    assert "The helper wrote this." in owner.get(f"{LESSONS}/neck-basics/edit").text
    invalid = autosave(owner, loaded, title="")
    assert invalid.status_code == 422 and "Title" in invalid.json["message"]


# --- the live preview ----------------------------------------------------------------------------

def test_the_live_preview_is_the_servers_sanitised_rendering(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    url = f"{LESSONS}/preview"
    response = teacher.post(url, data={
        "csrf_token": token(teacher),
        "body": "## Heading\n\n**bold** <script>alert(1)</script>\n\n!!! warning \"Careful\"\n"
                "    Mind the carotid."})
    assert response.status_code == 200
    assert "<h2" in response.text and "<strong>bold</strong>" in response.text
    assert "<script" not in response.text and "admonition" in response.text
    assert teacher.post(url, data={"body": "x"}).status_code == 400  # no token
    too_long = teacher.post(url, data={"csrf_token": token(teacher), "body": "x" * 200_001})
    assert too_long.status_code == 400


def test_the_live_preview_is_rate_limited(app, make_app):
    author(app)
    limited = make_app(RATELIMIT_ENABLED=True)
    teacher = limited.test_client()
    from tests.helpers import login
    login(teacher, "teach@example.com")
    write_course(teacher, publish=False)
    codes = [teacher.post(f"{LESSONS}/preview", data={"csrf_token": token(teacher),
                                                      "body": "x"}).status_code
             for _ in range(61)]
    assert codes[:60] == [200] * 60 and codes[60] == 429


def test_every_form_that_takes_typing_warns_before_its_entries_are_left(app):
    """Each form with fields (not a lone button) carries the mark site.js warns by: the quiz
    and course settings had none."""
    teacher = author(app)
    write_course(teacher, publish=False)
    with_images = io.BytesIO()
    Image.new("RGB", (8, 8)).save(with_images, format="PNG")
    upload_file(teacher, f"{BASE}/images", "image", "a.png", with_images.getvalue(), alt="A")
    pages = [BASE, "/author/courses/new", f"{LESSONS}/neck-basics/edit", QUIZ,
             f"{QUIZ}/questions/scm-action/edit", f"{LESSONS}/new"]
    forms = [(url, tag) for url in pages
             for tag in re.findall(r'<form [^>]*class="(?:[^"]* )?form(?: [^"]*)?"[^>]*>',
                                   teacher.get(url).text)]
    assert len(forms) >= 11
    assert [(url, tag) for url, tag in forms if "data-warn-unsaved" not in tag] == []
