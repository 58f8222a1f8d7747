"""Fixtures of the durability tests: databases of their own (a restore target, a server's
database), beside the run's shared app."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, make_url, text

from nmt_course import create_app
from nmt_course.config import database_url as normalise_url
from nmt_course.extensions import db
from tests.conftest import app_config, missing_service


def new_database(backend: str, folder) -> tuple[str, callable]:
    """A database nobody else uses, and how to drop it."""
    if backend == "sqlite":
        return f"sqlite:///{folder / f'{uuid.uuid4().hex[:8]}.sqlite3'}", lambda: None
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        missing_service("TEST_DATABASE_URL is not set")
    url = make_url(normalise_url(base))
    name = f"nmt_durability_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture
def other_database(backend, tmp_path):
    """An empty, unmigrated database on the test's backend."""
    uri, drop = new_database(backend, tmp_path)
    yield uri
    drop()


def migrated_app(uri: str, **overrides):
    app = create_app(app_config(uri, **overrides))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    return app


def close(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
