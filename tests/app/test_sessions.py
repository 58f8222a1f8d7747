"""Sessions the server can end: logout, password changes and resets, deactivation and idle
time end them, whatever copy of the cookie is replayed; login starts a fresh one."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select

from nmt_course.accounts.models import User, UserSession
from nmt_course.audit import AuditEvent
from nmt_course.config import build_config
from nmt_course.extensions import db
from nmt_course.runtime import utcnow
from tests.helpers import (PASSWORD, count_statements, csrf_from, login, make_user, post_form,
                           set_clock)


def logged_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def replay(app, cookies: dict[str, str]):
    """A second browser holding copies of these cookies (captured, say)."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def cookie(client, name: str) -> str:
    found = client.get_cookie(name)
    assert found is not None, name
    return found.value


def log_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/account").text)})


def test_a_cookie_captured_before_logout_opens_nothing_after_it(app, client):
    make_user(app)
    login(client)
    captured = {"session": cookie(client, "session")}
    assert logged_in(replay(app, captured))
    log_out(client)
    assert not logged_in(client)
    assert not logged_in(replay(app, captured))


def test_a_remember_me_cookie_alone_opens_nothing_after_logout(app, client):
    make_user(app)
    post_form(client, "/login", {"email": "learner@example.com", "password": PASSWORD,
                                 "remember": "y"})
    remembered = {"remember_token": cookie(client, "remember_token")}
    assert logged_in(replay(app, remembered))  # what remember-me is for: a new browser visit
    log_out(client)
    assert not logged_in(replay(app, remembered))
    assert client.get_cookie("remember_token") is None  # and the browser forgets it


def test_without_remember_me_nothing_outlives_the_browser(app, client):
    """A shared computer at a clinic: closing the browser (losing the session cookie) logs
    out whoever did not tick "keep me logged in"."""
    make_user(app)
    login(client)
    assert logged_in(client)
    assert client.get_cookie("remember_token") is None


def test_a_password_reset_or_change_or_deactivation_logs_out_every_browser(app):
    make_user(app)
    make_user(app, "admin@example.com", is_admin=True)
    phone, laptop = app.test_client(), app.test_client()
    login(phone)
    login(laptop)
    changed = laptop.post("/account/password", data={
        "csrf_token": csrf_from(laptop.get("/account").text), "pw-current_password": PASSWORD,
        "pw-password": "a brand new passphrase", "pw-confirm": "a brand new passphrase"})
    assert changed.status_code == 302
    assert logged_in(laptop) and not logged_in(phone)  # the one who changed it stays in
    admin = app.test_client()
    login(admin, "admin@example.com")
    with app.app_context():
        learner_id = db.session.scalar(select(User.id).where(
            User.email == "learner@example.com"))
    admin.post(f"/admin/people/{learner_id}/active", data={
        "csrf_token": csrf_from(admin.get("/account").text), "active": "0"})
    assert not logged_in(laptop)


def test_login_starts_a_fresh_session_and_csrf_token(app, client):
    make_user(app)
    before = csrf_from(client.get("/login").text)
    planted = cookie(client, "session")
    login(client)
    assert csrf_from(client.get("/account").text) != before
    assert not logged_in(replay(app, {"session": planted}))


def test_an_idle_session_ends_after_two_hours_and_says_so(app, client):
    make_user(app)
    login(client)
    set_clock(app, lambda: utcnow() + dt.timedelta(minutes=119))
    assert logged_in(client)  # activity keeps it alive ...
    set_clock(app, lambda: utcnow() + dt.timedelta(minutes=119 + 121))
    page = client.get("/dashboard", follow_redirects=True).text
    assert "You were logged out after a while without activity" in page
    assert not logged_in(client)


def test_remember_me_keeps_a_session_for_days_not_forever(app, client):
    make_user(app)
    post_form(client, "/login", {"email": "learner@example.com", "password": PASSWORD,
                                 "remember": "y"})
    set_clock(app, lambda: utcnow() + dt.timedelta(days=29))
    assert logged_in(client)
    set_clock(app, lambda: utcnow() + dt.timedelta(days=29 + 31))
    assert not logged_in(client)


def test_an_old_password_hash_is_made_again_at_login(make_app, app):
    make_user(app)  # hashed with the tests' cheap method
    strong = make_app(PASSWORD_HASH_METHOD="argon2id")
    login(strong.test_client())
    with app.app_context():
        assert db.session.scalar(select(User.password_hash)).startswith("$argon2id$")
    login(app.test_client())  # and it still checks out


def test_logins_failures_and_logouts_are_recorded_without_secrets(app, client):
    make_user(app)
    post_form(client, "/login", {"email": "learner@example.com", "password": "wrong one"})
    post_form(client, "/login", {"email": "nobody@example.com", "password": "wrong one"})
    login(client)
    log_out(client)
    with app.app_context():
        learner_id = db.session.scalar(select(User.id))
        rows = db.session.execute(select(AuditEvent.action, AuditEvent.actor_id,
                                         AuditEvent.details).order_by(AuditEvent.id)).all()
    seen = [(action, actor) for action, actor, _ in rows if action.startswith("user.log")]
    assert seen == [("user.login_failed", learner_id), ("user.login_failed", None),
                    ("user.login", learner_id), ("user.logout", learner_id)]
    text = repr(rows)
    assert "wrong one" not in text and PASSWORD not in text and "nobody@" not in text
    assert all(details.get("address") == "127.0.0.1" for action, _, details in rows
               if action.startswith("user.log"))


def test_session_cookies_are_httponly_lax_and_secure_over_https(tmp_path):
    config = build_config(tmp_path, {"SECRET_KEY": "x", "SITE_URL": "https://ce.example.com"})
    assert config["SESSION_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]


def test_the_client_address_comes_from_trusted_proxies_only(make_app, app):
    def recorded_address(application) -> str:
        client = application.test_client()
        token = csrf_from(client.get("/login").text)
        client.post("/login", headers={"X-Forwarded-For": "203.0.113.9"}, data={
            "csrf_token": token, "email": "learner@example.com", "password": PASSWORD})
        with application.app_context():
            return db.session.scalar(select(AuditEvent.details).where(
                AuditEvent.action == "user.login").order_by(AuditEvent.id.desc()))["address"]

    make_user(app)
    assert recorded_address(app) == "127.0.0.1"  # no proxy configured: the header is ignored
    assert recorded_address(make_app(PROXY_FIX_X_FOR=1)) == "203.0.113.9"


def test_with_redis_the_live_sessions_are_looked_up_there(make_app, redis_url):
    """REDIS_URL set: each request asks Redis whether its session is live, so no page reads
    user_sessions, which still records every login; logout ends the session in Redis for
    every copy of the cookie, and a session's key expires with its lifetime."""
    import redis

    url, prefix = redis_url
    served = make_app(REDIS_URL=url, REDIS_KEY_PREFIX=f"{prefix}:")
    store = redis.Redis.from_url(url)
    make_user(served)
    client = served.test_client()
    login(client)
    keys = list(store.scan_iter(f"{prefix}:session:*"))
    assert len(keys) == 1
    assert dt.timedelta(days=29) < dt.timedelta(seconds=store.ttl(keys[0])) <= dt.timedelta(
        days=30)
    captured = {"session": cookie(client, "session")}
    with served.app_context():
        with count_statements(db.engine) as statements:
            assert logged_in(client)
    assert statements and not [s for s in statements if "user_sessions" in s]
    log_out(client)
    assert list(store.scan_iter(f"{prefix}:session:*")) == []
    assert not logged_in(replay(served, captured))
    with served.app_context():
        assert db.session.query(UserSession).filter(UserSession.ended_at.isnot(None)).count() == 1


def test_a_login_lasts_thirty_days_at_most_however_active(app):
    """The idle limit ends a quiet session; this ends a busy one (an absolute limit)."""
    from nmt_course.accounts.queries import user_for_session
    from nmt_course.accounts.session_operations import start_session
    from tests.helpers import runtime

    make_user(app)
    run = runtime(app)
    with app.app_context():
        user = db.session.query(User).one()
        start_session(run, user, remember=False, address="192.0.2.1")
        session_id = user.get_id()
        later = dataclasses.replace(run, clock=lambda: utcnow() + dt.timedelta(days=29))
        assert user_for_session(later, session_id) is not None
        later = dataclasses.replace(run, clock=lambda: utcnow() + dt.timedelta(days=31))
        assert user_for_session(later, session_id) is None
