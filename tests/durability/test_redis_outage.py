"""With REDIS_URL set and Redis down: the user_sessions table answers, a logout made during
the outage holds after Redis returns, rate limits count per process, the pages that start
sessions answer 503 (try again shortly), and /healthz says Redis is degraded. Redis here is
a redis-server of the test's own, paused (SIGSTOP: it hangs, keeping its keys) or killed
(nothing listens)."""
from __future__ import annotations

import signal

import pytest
import redis

from nmt_course.accounts import live_sessions
from nmt_course.accounts.models import UserSession
from nmt_course.extensions import db
from tests.app.clinic_helpers import complete_demo
from tests.app.test_sessions import cookie, logged_in, replay
from tests.helpers import csrf_from, import_content, login, make_user

pytestmark = pytest.mark.slow


@pytest.fixture
def served(make_app, own_redis, monkeypatch):
    monkeypatch.setattr(live_sessions, "RETRY_SECONDS", 0.0)  # ask again at every request
    return make_app(REDIS_URL=own_redis.url, RATELIMIT_STORAGE_URI=own_redis.url)


def session_keys(own_redis) -> list[bytes]:
    return list(redis.Redis.from_url(own_redis.url).scan_iter("nmt:session:*"))


def test_a_logout_during_the_outage_holds_when_redis_returns(served, own_redis):
    make_user(served)
    client = served.test_client()
    login(client)
    captured = {"session": cookie(client, "session")}
    assert len(session_keys(own_redis)) == 1

    own_redis.signal(signal.SIGSTOP)  # Redis hangs, its keys kept
    try:
        assert logged_in(client)  # the table answers
        page = client.get("/account")
        response = client.post("/logout", data={"csrf_token": csrf_from(page.text)})
        assert response.status_code == 302
        assert not logged_in(replay(served, captured))
        with served.app_context():
            assert db.session.query(UserSession).filter(
                UserSession.ended_at.isnot(None)).count() == 1
    finally:
        own_redis.signal(signal.SIGCONT)
    # Redis is back with the session's key still in it; the first request removes it
    # before Redis answers for anyone.
    assert not logged_in(replay(served, captured))
    assert session_keys(own_redis) == []
    assert not logged_in(replay(served, captured))


def test_with_redis_gone_pages_that_start_sessions_answer_503_and_the_rest_serve(
        served, own_redis):
    import_content(served)
    make_user(served)
    client = served.test_client()
    login(client)
    own_redis.stop()  # nothing listens on its port now

    assert client.get("/courses/demo/lessons/first-lesson").status_code == 200
    health = served.test_client().get("/healthz")
    assert health.status_code == 200
    assert "redis: degraded" in health.text and "sessions are checked in the database" \
        in health.text
    assert served.test_client().get("/healthz?strict=1").status_code == 503

    stranger = served.test_client()
    for url in ("/login", "/register", "/reset-password"):
        page = stranger.get(url)
        assert page.status_code == 503, url
        assert "try again shortly" in page.text and page.headers["Retry-After"] == "30"
    token = csrf_from(client.get("/account").text)
    assert client.post("/account/email", data={"csrf_token": token}).status_code == 503
    with served.app_context():
        assert db.session.query(UserSession).count() == 1  # nobody logged in meanwhile

    own_redis.start()
    assert stranger.get("/login").status_code == 200
    assert served.test_client().get("/healthz").text == "ok\n"


def test_with_redis_gone_rate_limits_count_in_each_process(make_app, own_redis, monkeypatch):
    monkeypatch.setattr(live_sessions, "RETRY_SECONDS", 0.0)
    served = make_app(REDIS_URL=own_redis.url, RATELIMIT_STORAGE_URI=own_redis.url,
                      RATELIMIT_ENABLED=True)
    import_content(served)
    make_user(served)
    complete_demo(served, "learner@example.com")
    from nmt_course.certificates.models import Certificate

    with served.app_context():
        code = db.session.query(Certificate).one().display_code
    client = served.test_client()
    login(client)
    own_redis.stop()

    visitor = served.test_client()
    answers = [visitor.get(f"/verify/{code}").status_code for _ in range(61)]
    assert answers == [200] * 60 + [429]  # 60 per minute, counted in this process
    quiz = "/courses/demo/lessons/first-lesson/quiz"
    token = csrf_from(client.get("/account").text)
    posts = [client.post(quiz, data={"csrf_token": token}).status_code for _ in range(11)]
    assert 500 not in posts and posts[-1] == 429 and 429 not in posts[:-1]
