"""Fixtures: an app per test on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.

Each run makes its own PostgreSQL database and drops it at the end; each test starts from
empty tables. With CI=true a missing PostgreSQL or Redis fails the run instead of skipping.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, make_url, text

from nmt_course import create_app
from nmt_course.config import database_url as normalise_url
from nmt_course.extensions import db
from tests.helpers import FIXTURE_CONTENT

IN_CI = os.environ.get("CI", "").lower() == "true"


def missing_service(message: str):
    """Fail under CI, skip elsewhere: a developer's machine may have no PostgreSQL or Redis."""
    if IN_CI:
        pytest.fail(f"{message} (required when CI=true)", pytrace=False)
    pytest.skip(message)


def app_config(database_uri: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "NMT_ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "SITE_URL": "http://nmt.test",
        "LESSONS_DIR": str(FIXTURE_CONTENT / "lessons"),
        "QUIZZES_DIR": str(FIXTURE_CONTENT / "quizzes"),
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": None,
        "MAIL_DELIVERY": "inline",
        "PROVIDER_NAME": "NMT Test Academy",
        "TIMEZONE": "UTC",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast: the suite hashes hundreds
    }
    config.update(overrides)
    return config


BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") or IN_CI else [])


@pytest.fixture(scope="session")
def postgres_url():
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        missing_service("TEST_DATABASE_URL is not set")
    base_url = make_url(normalise_url(base))
    name = f"nmt_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any failure means no server to test on
        admin.dispose()
        missing_service(f"cannot create a PostgreSQL database at {base_url.host}: {error}")
    yield base_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database(request, tmp_path_factory):
    """A migrated, empty database for the whole run: the migrations are tested on each."""
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite3'}"
    else:
        uri = request.getfixturevalue("postgres_url")
    app = create_app(app_config(uri))
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        db.engine.dispose()
    return uri


@pytest.fixture
def app(database):
    app = create_app(app_config(database))
    yield app
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def make_app(database, app):
    """More apps on the same database (other settings, or a second process's view)."""
    made = []

    def build(**overrides):
        made.append(create_app(app_config(database, **overrides)))
        return made[-1]

    yield build
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        missing_service("TEST_REDIS_URL is not set")
    import redis

    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.RedisError as error:
        missing_service(f"Redis at {url} does not answer: {error}")
    prefix = f"nmt-test-{uuid.uuid4().hex}"
    yield url, prefix
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)
    connection.close()
    # Flask-Limiter keeps the first key prefix it was given for good; tests make many apps.
    from nmt_course.extensions import limiter
    limiter._key_prefix = ""
