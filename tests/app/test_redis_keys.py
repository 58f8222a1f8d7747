"""Several sites may share one Redis: every key the app writes there starts with its
REDIS_KEY_PREFIX, and a person's counts belong to that account, not to a reused id."""
from __future__ import annotations

import uuid

import pytest

from nmt_course.accounts.models import User
from nmt_course.extensions import db
from tests.conftest import empty_tables
from tests.helpers import csrf_from, login, make_user


def change_email(client) -> int:
    """Ask for an address change with a wrong password: the form says so, the try counts."""
    token = csrf_from(client.get("/account").text)
    return client.post("/account/email", data={
        "csrf_token": token, "em-new_email": "new@example.com",
        "em-current_password": "not my password"}).status_code


def per_person_part(app, email: str) -> str:
    with app.app_context():
        user = db.session.query(User).filter_by(email=email).one()
        return f"user:{user.id}:{user.created_at.timestamp():.6f}"


def test_every_key_the_app_writes_in_redis_starts_with_its_prefix(make_app, redis_url):
    import redis

    url, prefix = redis_url
    site = make_app(REDIS_URL=url, REDIS_KEY_PREFIX=f"{prefix}:", RATELIMIT_ENABLED=True,
                    RATELIMIT_STORAGE_URI=url)
    email = f"{uuid.uuid4().hex}@example.com"
    make_user(site, email)
    client = site.test_client()
    token = csrf_from(client.get("/login").text)
    assert client.post("/login", data={"csrf_token": token, "email": email,
                                       "password": "wrong"}).status_code == 200
    assert login(client, email).status_code == 302
    assert change_email(client) == 422

    store = redis.Redis.from_url(url)
    per_person = per_person_part(site, email)
    written = {name: [key.decode() for key in store.scan_iter(f"*{marker}*")]
               for name, marker in (("account counts", email), ("person counts", per_person),
                                    ("sessions", f"{prefix}:session:"))}
    store.close()
    assert all(written.values()), written  # each kind was written
    assert {name: [key for key in keys if not key.startswith(f"{prefix}:")]
            for name, keys in written.items()} == {name: [] for name in written}


@pytest.mark.parametrize("backend", ["sqlite"])  # where a new database reuses ids
def test_a_new_database_does_not_inherit_a_persons_counts(make_app, backend):
    """A database made anew starts ids at 1 again: its user 1 is someone else, whose tries
    are their own even though the rate-limit store outlived the old database."""
    site = make_app(RATELIMIT_ENABLED=True)
    make_user(site)
    client = site.test_client()
    login(client)
    assert [change_email(client) for _ in range(6)] == [422] * 5 + [429]
    with site.app_context():
        first_id = db.session.query(User.id).scalar()
        db.session.remove()
        empty_tables()
    make_user(site)
    with site.app_context():
        assert db.session.query(User.id).scalar() == first_id
    client = site.test_client()
    login(client)
    assert change_email(client) == 422
