"""Strangers guessing at an account cannot keep its owner out (issue 15, finding 4): guesses
at one account from everywhere hold it for a minute at most, and a browser that logged in to
it before (a signed device cookie, OWASP's pattern) is not held by them at all."""
from __future__ import annotations

import time

import pytest

from nmt_course.accounts import device_cookie
from tests.helpers import PASSWORD, csrf_from, make_user

ACCOUNT = "learner@example.com"


def _try(client, address: str, password: str):
    environ = {"REMOTE_ADDR": address}
    token = csrf_from(client.get("/login", environ_base=environ).text)
    return client.post("/login", environ_base=environ, data={
        "csrf_token": token, "email": ACCOUNT, "password": password})


@pytest.fixture
def limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    make_user(app)
    return app


@pytest.fixture
def clock(monkeypatch):
    """The rate limiter's clock (time.time), moved on by hand."""
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


def _guess_all_day(limited, clock, rounds: int = 6) -> None:
    """Five wrong passwords a minute, each from a new address: 30 in six minutes."""
    for round_ in range(rounds):
        for n in range(5):
            assert _try(limited.test_client(), f"198.51.{round_}.{n}",
                        "wrong guess").status_code == 200
        clock[0] += 61
    for n in range(5):  # and the current minute used up too
        _try(limited.test_client(), f"198.51.100.{n}", "wrong guess")


def test_the_owner_gets_in_from_a_new_browser_after_a_minute_at_most(limited, clock):
    _guess_all_day(limited, clock)
    owner = limited.test_client()
    refused = _try(owner, "203.0.113.9", PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "Wait a minute, then try again." in refused.text
    clock[0] += 61  # before: held for the rest of the day (30 failures a day per account)
    assert _try(owner, "203.0.113.9", PASSWORD).status_code == 302


def test_a_browser_that_logged_in_before_is_not_held_by_strangers(limited, clock):
    home = limited.test_client()
    assert _try(home, "203.0.113.7", PASSWORD).status_code == 302
    assert home.get_cookie(device_cookie.COOKIE, path="/login") is not None
    home.post("/logout", data={"csrf_token": csrf_from(home.get("/dashboard").text)})
    _guess_all_day(limited, clock)
    assert _try(limited.test_client(), "203.0.113.8", PASSWORD).status_code == 429
    assert _try(home, "203.0.113.7", PASSWORD).status_code == 302


def test_the_device_cookie_opens_no_other_account_and_cannot_be_forged(limited, clock):
    make_user(limited, "other@example.com", name="Other Person")
    other = limited.test_client()
    environ = {"REMOTE_ADDR": "203.0.113.5"}
    token = csrf_from(other.get("/login", environ_base=environ).text)
    assert other.post("/login", environ_base=environ, data={
        "csrf_token": token, "email": "other@example.com",
        "password": PASSWORD}).status_code == 302
    other.post("/logout", data={"csrf_token": csrf_from(other.get("/dashboard").text)})
    forged = limited.test_client()
    forged.set_cookie(device_cookie.COOKIE, "eyJuIjoieCIsImEiOltdfQ.forged.sig", path="/login")
    _guess_all_day(limited, clock)
    assert _try(other, "203.0.113.5", PASSWORD).status_code == 429  # trusted for another
    assert _try(forged, "203.0.113.6", PASSWORD).status_code == 429


def test_a_trusted_browser_has_a_limit_of_its_own(limited, clock):
    home = limited.test_client()
    assert _try(home, "203.0.113.7", PASSWORD).status_code == 302
    home.post("/logout", data={"csrf_token": csrf_from(home.get("/dashboard").text)})
    statuses = [_try(home, f"203.0.113.{n}", "wrong guess").status_code for n in range(7)]
    assert statuses == [200] * 5 + [429] * 2
