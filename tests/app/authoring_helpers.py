"""Helpers for the Author area's tests: authors, tokens, a course written in the browser."""
from __future__ import annotations

import io
import re

from tests.helpers import csrf_from, login, make_user


def token(client) -> str:
    """The session's form token (every page of a logged-in user carries it: the small
    verification page is the cheapest to ask)."""
    return csrf_from(client.get("/verify").text)


EDITORS = ("/edit", "/quiz", "/questions/new", "/settings")


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST a form; an editor's form carries the revision its page shows now, as a browser's
    does (give `revision` to send another)."""
    data = dict(data or {})
    if url.endswith(EDITORS) and "revision" not in data:
        page = client.get(url.removesuffix("/settings"))
        if page.status_code == 200:
            data["revision"] = revision_on(page.text)
    return client.post(url, data={"csrf_token": token(client), **data}, **kwargs)


def revision_on(page: str) -> str:
    """The draft revision an editor page's form was loaded at (its hidden field)."""
    return re.search(r'<input[^>]*name="revision"[^>]*value="(\d+)"', page)[1]


def publish(client, url: str, data: dict | None = None):
    """Publish as an author does: open the review of the changes, then confirm it."""
    review = client.get(url)
    return post(client, url, {"revision": revision_on(review.text), **(data or {})})


publish_draft = publish  # write_course's `publish` argument hides the helper


def upload_file(client, url: str, field: str, name: str, data: bytes, **fields):
    """POST a file as a browser's form would."""
    response = client.post(url, data={"csrf_token": token(client),
                                      field: (io.BytesIO(data), name), **fields},
                           content_type="multipart/form-data")
    response.request.environ["wsgi.input"].close()  # the test client spools big bodies to disk
    return response


def author(app, email: str = "teach@example.com", **flags):
    """A logged-in instructor (or, with is_admin=True, an admin)."""
    flags.setdefault("is_instructor", not flags.get("is_admin"))
    make_user(app, email, name=email.split("@")[0].title(), **flags)
    client = app.test_client()
    login(client, email)
    return client


LESSON = {"title": "Neck Basics", "slug": "neck-basics",
          "objectives": "Name the neck muscles.\nPalpate them safely.",
          "body": "## The neck\n\nThe sternocleidomastoid turns the head. " * 3,
          "action": "save"}
SINGLE = {"key": "scm-action", "type": "single", "objective": "o1",
          "prompt": "A client turns the head to the left against your hand. Which muscle is "
                    "working?",
          "choices-0-text": "The right sternocleidomastoid", "choices-0-correct": "y",
          "choices-1-text": "The left sternocleidomastoid",
          "choices-2-text": "The right upper trapezius",
          "explanation": "The sternocleidomastoid turns the head to the opposite side."}
TRUE_FALSE = {"key": "palpate-tf", "type": "true_false", "objective": "o2",
              "prompt": "Pincer palpation lifts the muscle away from the carotid artery.",
              "answer": "true", "explanation": "Lift, never press, in the anterior neck."}


def write_course(client, slug: str = "neck-care", *, publish: bool = True) -> None:
    """A course with one lesson and a two-question quiz, written through the editor."""
    assert post(client, "/author/courses/new", {
        "title": "Neck Care", "slug": slug, "summary": "The neck.", "ce_hours": "0.5",
        "course_type": "Home Study"}).status_code == 302
    base = f"/author/courses/{slug}/lessons"
    assert post(client, f"{base}/new", LESSON).status_code == 302
    assert post(client, f"{base}/neck-basics/quiz", {
        "pass_mark": "50", "max_attempts": "3", "draw": "",
        "review_after_fail": "objectives"}).status_code == 302
    for question in (SINGLE, TRUE_FALSE):
        assert post(client, f"{base}/neck-basics/quiz/questions/new",
                    question).status_code == 302
    if publish:
        response = publish_draft(client, f"/author/courses/{slug}/publish",
                                 {"confirm_warnings": "y"})
        assert response.status_code == 302, response.text
