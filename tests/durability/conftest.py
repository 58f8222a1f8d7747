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


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server of the test's own on a free port (never the machine's shared one), to
    stop, pause and start again."""

    def __init__(self, folder):
        import shutil

        self.binary = shutil.which("redis-server")
        if not self.binary:
            missing_service("redis-server is not installed")
        self.folder, self.port, self.process = folder, free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import subprocess
        import time

        import redis

        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def signal(self, number) -> None:
        self.process.send_signal(number)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            import signal

            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()
