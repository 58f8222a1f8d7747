"""An author's button sent with an expired form token answers 400 with a page that says to
reload, never a 500, and changes nothing; and a form sent from another site never comes
back filled in with its text (issue 15, finding 11: nine POST-only author routes gave 500)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from nmt_course.authoring.models import CourseDraft
from nmt_course.extensions import db
from nmt_course.learning.models import Course
from tests.app.authoring_helpers import LESSON, author, post, write_course

BASE = "/author/courses/neck-care"
VALUES = {"slug": "neck-care", "lesson": "neck-basics", "key": "scm-action", "flag_id": 1,
          "user_id": 1, "number": 1, "image_id": 1}


def _buttons(app) -> list[str]:
    """Every Author route that only takes a POST (a button, not a page with a form)."""
    return sorted(rule.build({k: v for k, v in VALUES.items() if k in rule.arguments})[1]
                  for rule in app.url_map.iter_rules()
                  if rule.rule.startswith("/author/") and "GET" not in rule.methods)


def _state(app):
    with app.app_context():
        db.session.remove()
        return (db.session.scalar(select(CourseDraft.files)),
                db.session.scalar(select(Course.source_files)))


@pytest.fixture
def teacher(app):
    client = author(app)
    write_course(client)
    assert post(client, f"{BASE}/lessons/new", {**LESSON, "title": "Second",
                                                "slug": "second"}).status_code == 302
    return client


@pytest.mark.parametrize("site", ["same-origin", "cross-site"])
def test_every_author_button_with_an_expired_token_says_to_reload(app, teacher, site):
    before = _state(app)
    buttons = _buttons(app)
    assert len(buttons) >= 9
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: an error is a 500 page
    for url in buttons:
        response = teacher.post(url, data={"csrf_token": "expired", "email": "x@example.com"},
                                headers={"Sec-Fetch-Site": site})
        assert response.status_code == 400, url
        assert "This form had expired or was sent from another site. Reload the page" in (
            response.text), url
    assert _state(app) == before


def test_an_editor_form_from_another_site_does_not_come_back_filled_in(app, teacher):
    planted = "## Pay here\n\nhttps://evil.example/pay"
    response = teacher.post(f"{BASE}/lessons/neck-basics/edit",
                            data={**LESSON, "body": planted, "csrf_token": "expired"},
                            headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 400 and "evil.example" not in response.text
    assert "Reload the page" in response.text
