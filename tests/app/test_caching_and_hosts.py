"""What a logged-in person sees is never stored by a cache or a shared computer's browser;
requests for a host the site does not serve are refused when TRUSTED_HOSTS is set."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from nmt_course.certificates.models import Certificate
from nmt_course.extensions import db

from tests.helpers import (DEMO_PASS, SECOND_PASS, import_content, login, make_user,
                           read_lesson, send_evaluation, submit_quiz)


def test_logged_in_pages_and_the_certificate_pdf_are_not_stored(app, client):
    import_content(app)
    make_user(app)
    assert "Cache-Control" not in client.get("/").headers  # public: caches may keep it
    login(client)
    for path in ("/", "/dashboard", "/account", "/courses/demo"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
        read_lesson(client, "demo", lesson)
        submit_quiz(client, "demo", lesson, answers)
    send_evaluation(client, "demo")
    with app.app_context():
        path = f"/certificates/{db.session.scalar(select(Certificate)).display_code}"
    assert client.get(path + ".pdf").headers["Cache-Control"] == "no-store"
    assert client.get(path).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("host, status", [("ce.example.com", 200), ("evil.example", 400)])
def test_trusted_hosts(make_app, host, status):
    app = make_app(TRUSTED_HOSTS=["ce.example.com"])
    assert app.test_client().get("/healthz", headers={"Host": host}).status_code == status
