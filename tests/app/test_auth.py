"""Accounts: register, log in and out, reset a password, edit details, rate limits."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from werkzeug.security import check_password_hash

from nmt_course.accounts.models import PasswordResetToken, User
from nmt_course.extensions import db
from nmt_course.runtime import utcnow
from tests.helpers import PASSWORD, csrf_from, login, make_user, post_form, runtime, set_clock

NEW_ACCOUNT = {"legal_name": "María José Núñez", "email": "Maria@Example.com",
               "password": "a long enough pw", "confirm": "a long enough pw",
               "licence_number": "MA 60123", "licence_state": "FL"}


def test_register_creates_a_hashed_account_and_logs_in(app, client):
    response = post_form(client, "/register", NEW_ACCOUNT)
    assert response.status_code == 302 and response.location == "/dashboard"
    with app.app_context():
        user = db.session.query(User).one()
        assert (user.email, user.legal_name, user.licence_number, user.licence_state) == (
            "maria@example.com", "María José Núñez", "MA 60123", "FL")
        assert user.password_hash != "a long enough pw"
        assert check_password_hash(user.password_hash, "a long enough pw")
    assert "María José Núñez" in client.get("/dashboard").text


def test_names_are_stored_as_one_clean_line(app, client):
    post_form(client, "/register", {**NEW_ACCOUNT,
                                    "legal_name": "Mar\u0131a\nLicence number FAKE\u202e",
                                    "licence_number": " MA\t60123\x0b "})
    with app.app_context():
        user = db.session.query(User).one()
        assert user.legal_name == "Mar\u0131a Licence number FAKE"
        assert user.licence_number == "MA 60123"


@pytest.mark.parametrize("change, message", [
    ({"password": "short", "confirm": "short"}, "Use at least 10 characters."),
    ({"confirm": "something else"}, "The two passwords are not the same."),
    ({"email": "not-an-email"}, "Enter an e-mail address such as name@example.com."),
    ({"legal_name": ""}, "Enter your legal name."),
    ({"legal_name": "\n\u202e\x0b"}, "Enter your legal name."),
    ({"password": "1234567890", "confirm": "1234567890"}, "This password is too easy to guess"),
    ({"password": "password12", "confirm": "password12"}, "This password is too easy to guess"),
    ({"password": "maria@example.com", "confirm": "maria@example.com"},
     "Half or more of this password is your name or e-mail address"),
    ({"licence_state": "XX"}, "Not a valid choice."),
    # Issue 15, finding 10: zxcvbn scored these 3 even with the name given as user input.
    ({"legal_name": "Mary Alpha", "email": "mary.alpha@example.com",
      "password": "MaryAlpha1234", "confirm": "MaryAlpha1234"},
     "Half or more of this password is your name or e-mail address, which a guesser tries "
     "first"),
    ({"password": "Nunez!Maria!2024", "confirm": "Nunez!Maria!2024"},
     "Half or more of this password is your name or e-mail address"),
])
@pytest.mark.dialect("column lengths")
def test_bad_registration_explains_and_creates_nothing(app, client, change, message):
    response = post_form(client, "/register", {**NEW_ACCOUNT, **change})
    assert response.status_code == 200
    assert message in response.text
    assert 'aria-invalid="true"' in response.text and "There is a problem" in response.text
    with app.app_context():
        assert db.session.query(User).count() == 0


@pytest.mark.dialect("case-insensitive lookup")
def test_duplicate_email_offers_login_and_reset(app, client):
    make_user(app, "maria@example.com")
    response = post_form(client, "/register", NEW_ACCOUNT)
    assert "An account with this e-mail address already exists." in response.text
    assert '<a href="/login">Log in</a>' in response.text
    assert '<a href="/reset-password">reset your password</a>' in response.text
    with app.app_context():
        assert db.session.query(User).count() == 1


def test_login_and_logout_by_post(app, client):
    make_user(app)
    assert client.get("/dashboard").status_code == 302
    login(client)
    assert client.get("/dashboard").status_code == 200
    assert client.get("/logout").status_code == 405  # no GET: a link cannot log you out
    response = client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_logout_without_csrf_token_is_refused(app, client):
    make_user(app)
    login(client)
    assert client.post("/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200


def test_wrong_password_is_refused_with_one_message(app, client):
    make_user(app)
    response = post_form(client, "/login", {"email": "learner@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "The e-mail address or password is not correct." in response.text
    unknown = post_form(client, "/login", {"email": "ghost@example.com", "password": "nope"})
    assert "The e-mail address or password is not correct." in unknown.text


def test_missing_csrf_token_is_refused(app, client):
    make_user(app)
    response = client.post("/login", data={"email": "learner@example.com",
                                           "password": PASSWORD})
    assert response.status_code == 400
    assert "This form had expired" in response.text
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize("target, lands", [
    ("/courses/demo", "/courses/demo"),
    ("https://evil.example/", "/dashboard"),
    ("//evil.example/x", "/dashboard"),
    ("/\\evil.example", "/dashboard"),
    ("javascript:alert(1)", "/dashboard"),
])
def test_next_after_login_stays_on_this_site(app, client, target, lands):
    make_user(app)
    page = client.get("/login", query_string={"next": target})
    response = client.post("/login", query_string={"next": target}, data={
        "csrf_token": csrf_from(page.text), "email": "learner@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == lands


def reset_link(inbox) -> str:
    body = inbox.messages[-1].content.decode()
    match = re.search(r"http://nmt\.test(/reset-password/[A-Za-z0-9_\-]+)", body)
    assert match, body
    return match.group(1)


def test_password_reset_by_emailed_single_use_link(mail_app, smtp_server):
    _, inbox = smtp_server
    make_user(mail_app)
    client = mail_app.test_client()
    response = post_form(client, "/reset-password", {"email": "LEARNER@example.com"})
    assert response.status_code == 302
    assert len(inbox.messages) == 1
    assert inbox.messages[0].rcpt_tos == ["learner@example.com"]
    path = reset_link(inbox)
    token = path.rsplit("/", 1)[1]
    with mail_app.app_context():
        stored = db.session.query(PasswordResetToken).one()
        assert token not in stored.token_hash  # only a hash is kept

    response = post_form(client, path, {"password": "brand new password",
                                        "confirm": "brand new password"})
    assert response.status_code == 302
    login(client, password="brand new password")
    assert client.get(path).status_code == 404  # single use
    assert "This link no longer works" in client.get(path).text


def test_reset_for_unknown_address_sends_nothing_and_says_the_same(mail_app, smtp_server):
    _, inbox = smtp_server
    client = mail_app.test_client()
    response = post_form(client, "/reset-password", {"email": "nobody@example.com"},
                         follow_redirects=True)
    assert "If an account uses that address" in response.text
    assert inbox.messages == []


def test_reset_link_expires(mail_app, smtp_server):
    _, inbox = smtp_server
    make_user(mail_app)
    client = mail_app.test_client()
    post_form(client, "/reset-password", {"email": "learner@example.com"})
    link = reset_link(inbox)
    assert client.get(link).status_code == 200
    minutes = runtime(mail_app).settings.password_reset_minutes
    later = utcnow() + dt.timedelta(minutes=minutes, seconds=1)
    set_clock(mail_app, lambda: later)
    assert client.get(link).status_code == 404


def test_reset_ends_other_sessions(mail_app, smtp_server):
    _, inbox = smtp_server
    make_user(mail_app)
    elsewhere = mail_app.test_client()
    login(elsewhere)
    client = mail_app.test_client()
    post_form(client, "/reset-password", {"email": "learner@example.com"})
    post_form(client, reset_link(inbox), {"password": "brand new password",
                                          "confirm": "brand new password"})
    assert elsewhere.get("/dashboard").status_code == 302


def test_without_a_mail_server_the_message_goes_to_the_log(app, client, caplog):
    make_user(app)
    post_form(client, "/reset-password", {"email": "learner@example.com"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "MAIL_SERVER is not set" in logged
    assert "http://nmt.test/reset-password/" in logged


def test_account_details_can_be_changed(app, client):
    make_user(app)
    login(client)
    response = post_form(client, "/account", {"legal_name": "Jane Q. Learner",
                                              "licence_number": "LMT-9", "licence_state": "NY"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.query(User).one()
        assert (user.legal_name, user.licence_number, user.licence_state) == (
            "Jane Q. Learner", "LMT-9", "NY")


def test_change_password_needs_the_current_one(app, client):
    make_user(app)
    login(client)
    page = client.get("/account")
    token = csrf_from(page.text)
    wrong = client.post("/account/password", data={
        "pw-csrf_token": token, "pw-current_password": "wrong",
        "pw-password": "another password", "pw-confirm": "another password"})
    assert "Your current password is not correct." in wrong.text
    right = client.post("/account/password", data={
        "pw-csrf_token": token, "pw-current_password": PASSWORD,
        "pw-password": "another password", "pw-confirm": "another password"})
    assert right.status_code == 302
    assert client.get("/dashboard").status_code == 200  # this session survives


def failed_logins(app, times: int = 12):
    """Wrong passwords from one address, each for another account."""
    client = app.test_client()
    token = csrf_from(client.get("/login").text)
    return [client.post("/login", data={"csrf_token": token, "email": f"user{n}@example.com",
                                        "password": "wrong"}) for n in range(times)]


def test_login_is_rate_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True)
    responses = failed_logins(limited)
    assert [r.status_code for r in responses] == [200] * 10 + [429, 429]
    assert "Too many tries" in responses[-1].text


def test_rate_limits_are_shared_through_redis(make_app, redis_url):
    url, prefix = redis_url
    settings = dict(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix)
    first = make_app(**settings)
    assert failed_logins(first)[-1].status_code == 429
    # A second app process with the same Redis sees the same count.
    second = make_app(**settings)
    client = second.test_client()
    token = csrf_from(client.get("/login").text)
    assert client.post("/login", data={"csrf_token": token, "email": "x@example.com",
                                       "password": "y"}).status_code == 429


def test_guesses_at_one_account_from_many_addresses_are_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True)
    make_user(limited)
    statuses = []
    for n in range(8):  # a new address for every guess
        client = limited.test_client()
        token = csrf_from(client.get("/login", environ_base={
            "REMOTE_ADDR": f"198.51.100.{n}"}).text)
        statuses.append(client.post("/login", environ_base={"REMOTE_ADDR": f"198.51.100.{n}"},
                                    data={"csrf_token": token, "email": "LEARNER@example.com",
                                          "password": "wrong guess"}).status_code)
    assert statuses == [200] * 5 + [429] * 3


def test_successful_logins_do_not_use_up_the_limit(make_app):
    limited = make_app(RATELIMIT_ENABLED=True)
    make_user(limited)
    for _ in range(12):  # a class logging in on one network
        client = limited.test_client()
        assert login(client).status_code == 302


def test_reset_links_for_one_account_are_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True)
    make_user(limited)
    statuses = []
    for n in range(5):
        client = limited.test_client()
        environ = {"REMOTE_ADDR": f"203.0.113.{n}"}
        token = csrf_from(client.get("/reset-password", environ_base=environ).text)
        statuses.append(client.post("/reset-password", environ_base=environ, data={
            "csrf_token": token, "email": "learner@example.com"}).status_code)
    assert statuses == [302] * 3 + [429] * 2
    with limited.app_context():
        assert db.session.query(PasswordResetToken).count() == 3
