"""Two app processes, one state: two gunicorn servers, started as production starts them
(gunicorn.conf.py), on two loopback ports over one fresh PostgreSQL database and one Redis
(a key prefix of the test's own, removed afterwards). Every person's requests go to each
server in turn, as a load balancer without sticky sessions sends them."""
from __future__ import annotations

import os
import threading
import uuid

import pytest
from sqlalchemy import func, select

from bench.serve import start_server
from nmt_course import create_app
from nmt_course.certificates.models import Certificate
from nmt_course.extensions import db
from tests.app.authoring_helpers import LESSON, post, write_course
from tests.conftest import app_config, missing_service, new_database
from tests.helpers import (DEMO_PASS, SECOND_PASS, csrf_from, evaluation_answers,
                           import_content, login, make_user, read_lesson, submit_quiz)
from tests.multiprocess.servers import Browser

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("two-processes")]
SECRET_KEY = "two-processes-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def site(tmp_path_factory, signing_key_file):
    """A fresh PostgreSQL database (migrated, the fixture course imported, a learner and an
    instructor) and two gunicorn servers over it sharing one Redis; all removed at the end."""
    base_url, redis_url = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
    if not base_url or not redis_url:
        missing_service("TEST_DATABASE_URL and TEST_REDIS_URL are needed for two processes")
    import redis

    uri, drop_database = new_database("postgresql", tmp_path_factory.mktemp("database"))
    prefix = f"nmt-two-processes-{uuid.uuid4().hex}:"
    store = redis.Redis.from_url(redis_url)
    servers = []
    setup = create_app(app_config(uri))
    try:
        with setup.app_context():
            from flask_migrate import upgrade
            upgrade()
        import_content(setup)
        make_user(setup, "learner@example.com", name="Jane Learner")
        make_user(setup, "teach@example.com", name="Teach", is_instructor=True)
        environ = {"DATABASE_URL": uri, "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": prefix,
                   "SECRET_KEY": SECRET_KEY, "SITE_URL": "http://nmt.test",
                   "SIGNING_KEY_FILE": str(signing_key_file), "MAIL_DELIVERY": "cron",
                   "NMT_ENV": "development"}
        folder = tmp_path_factory.mktemp("servers")
        for n in (1, 2):
            servers.append(start_server(environ, folder / f"gunicorn-{n}.log"))
        yield setup, [server.base for server in servers], store, prefix
    finally:
        for server in servers:
            server.stop()
        with setup.app_context():
            db.session.remove()
            db.engine.dispose()
        for key in store.scan_iter(f"{prefix}*"):
            store.delete(key)
        store.close()
        drop_database()


def certificates(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Certificate))
        db.session.remove()
    return count


def test_a_learner_alternating_between_the_servers_completes_the_course_once(site):
    app, bases, _, _ = site
    learner = Browser(*bases)
    login(learner)
    for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
        assert read_lesson(learner, "demo", lesson).status_code == 302
        assert submit_quiz(learner, "demo", lesson, answers).status_code == 302
    page = learner.get("/courses/demo/evaluation")
    assert page.status_code == 200
    # The evaluation sent twice at once, once to each server (a double click, a retry).
    answers, responses = evaluation_answers(page.text), {}
    senders = [threading.Thread(target=lambda base=base: responses.__setitem__(
        base, learner.copy(base).post("/courses/demo/evaluation", data=answers)))
        for base in bases]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert {base: response.status_code < 500 for base, response in responses.items()} == {
        base: True for base in bases}
    assert certificates(app) == 1
    codes = {response.location for response in responses.values()
             if response.location and "/certificates/" in response.location}
    assert len(codes) >= 1
    (code,) = codes
    for _ in bases:  # each server shows it and its PDF
        assert learner.get(code).status_code == 200
        assert learner.get(code + ".pdf").headers["Content-Type"] == "application/pdf"
    assert set(learner.served_by) == set(bases)


def test_a_logout_on_one_server_ends_the_session_on_the_other(site):
    _, (first, second), _, _ = site
    browser = Browser(first, second)
    login(browser)
    kept = browser.copy(second)  # the cookie as it was, sent to the other server
    assert kept.get("/dashboard").status_code == 200
    on_first = browser.copy(first)
    token = csrf_from(on_first.get("/dashboard").text)
    assert on_first.post("/logout", data={"csrf_token": token}).status_code == 302
    after = kept.get("/dashboard")
    assert after.status_code == 302 and after.location.startswith("/login")


def test_an_authors_save_on_one_server_is_seen_on_the_other(site):
    _, (first, second), _, _ = site
    teacher = Browser(first, second)
    login(teacher, "teach@example.com")
    write_course(teacher, "neck-care", publish=False)
    on_first, on_second = teacher.copy(first), teacher.copy(second)
    base = "/author/courses/neck-care"
    saved = post(on_first, f"{base}/lessons/neck-basics/edit",
                 {**LESSON, "body": "## The neck\n\nSaved on the first server: scalenes."})
    assert saved.status_code == 302
    assert "Saved on the first server" in on_second.get(f"{base}/preview/lessons/neck-basics").text
    # And the other server's editor offers that revision, so its next save is not refused.
    again = post(on_second, f"{base}/lessons/neck-basics/edit",
                 {**LESSON, "body": "## The neck\n\nThen on the second: the trapezius."})
    assert again.status_code == 302
    assert "the trapezius" in on_first.get(f"{base}/preview/lessons/neck-basics").text


def test_a_rate_limit_counts_across_both_servers(site):
    """Five wrong passwords for one account in a minute, whichever server each reaches:
    the sixth is refused, by either."""
    _, bases, store, prefix = site
    guesser = Browser(*bases)
    account = f"{uuid.uuid4().hex}@example.com"
    statuses = []
    for n in range(6):
        on = bases[n % 2]
        token = csrf_from(guesser.get("/login", on=on).text)
        statuses.append(guesser.post("/login", on=on, data={
            "csrf_token": token, "email": account, "password": "wrong guess"}).status_code)
    assert statuses == [200] * 5 + [429]
    # The counts live in Redis under this site's prefix only.
    keys = [key.decode() for key in store.scan_iter(f"*{account}*")]
    assert keys and all(key.startswith(prefix) for key in keys)
