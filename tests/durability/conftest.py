"""Fixtures of the durability tests: databases of their own (a restore target, a server's
database), beside the run's shared app."""
from __future__ import annotations


import pytest

from nmt_course import create_app
from nmt_course.extensions import db
from tests.conftest import app_config, missing_service, new_database


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
