"""Fixtures: the app on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.

Each test process (pytest-xdist runs one per core) builds one app per backend and makes its
own PostgreSQL database, dropped at the end; each test starts from empty tables and the
app's own settings. With CI=true a missing PostgreSQL or Redis fails the run instead of
skipping.

Every test taking `app` runs on both backends in the whole suite (`./dev test`, what CI
runs). The fast suite (`-m "not slow"`) runs on PostgreSQL only the tests marked
`@pytest.mark.dialect("why")`: those exercising what the two databases do differently (row
locks and concurrency, partial unique indexes, a constraint firing mid-transaction, column
lengths, NUL characters and integer ranges, case-insensitive lookups and collation, JSON and
binary columns, INSERT ... ON CONFLICT, time zones, migrations, statement budgets). Every
other test's PostgreSQL run carries the `slow` mark: a test that comes to depend on such a
difference gets the mark.

Certificates issued in a test get a placeholder PDF unless the test is marked `real_pdf` (as
every test reading a certificate's PDF is) or drives a browser: `certificate_pdfs` below.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from nmt_course import create_app
from nmt_course.config import database_url as normalise_url
from nmt_course.credentials import multikey
from nmt_course.extensions import db, limiter
from tests.helpers import FIXTURE_CONTENT

IN_CI = os.environ.get("CI", "").lower() == "true"


def missing_service(message: str):
    """Fail under CI, skip elsewhere: a developer's machine may have no PostgreSQL or Redis."""
    if IN_CI:
        pytest.fail(f"{message} (required when CI=true)", pytrace=False)
    pytest.skip(message)


# The issuer key every test app signs with, made once per run outside the checkout (a
# developer's instance/ key is never read).
SIGNING_KEY_FILE: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def signing_key_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("keys") / "signing_key.json"
    multikey.generate(path, rotate=False, now=dt.datetime.now(dt.timezone.utc))
    SIGNING_KEY_FILE[:] = [str(path)]
    return path


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
        # No round trip to test each pooled connection before use (the deployed default):
        # the test servers do not restart during a run, and the suite checks out thousands.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SIGNING_KEY_FILE": SIGNING_KEY_FILE[0],
        # Beside the key, never in the checkout's instance/ folder.
        "ERASURE_LOG_FILE": str(Path(SIGNING_KEY_FILE[0]).parent / "erasure_log.jsonl"),
    }
    config.update(overrides)
    return config


def pytest_xdist_auto_num_workers(config):
    """`-n auto` (pyproject.toml): every core, except for a run of tests named one by one
    (path::test), which starting the workers would only slow down."""
    return 0 if any("::" in arg for arg in config.args) else None


BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") or IN_CI else [])


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by the marks
def pytest_collection_modifyitems(items):
    """A test's PostgreSQL run belongs to the slow suite unless the test is marked `dialect`
    (the module docstring says why)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if (callspec is not None and callspec.params.get("backend") == "postgresql"
                and item.get_closest_marker("dialect") is None):
            item.add_marker(pytest.mark.slow)


def empty_tables() -> None:
    """Delete every row, children first, in one transaction (inside an app context); on
    PostgreSQL in one round trip."""
    tables = reversed(db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("; ".join(f'DELETE FROM "{table.name}"'
                                                 for table in tables))
            return
        for table in tables:
            connection.execute(table.delete())


class Backends:
    """Per test process (each pytest-xdist worker is one): a migrated database and one app
    for each backend, made when a test first needs them and kept for the whole run.
    Building an app, and compiling its templates again, costs more than most tests, so
    tests share it; the `app` fixture gives each test empty tables and the app's own
    settings back."""

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.uris: dict[str, str] = {}
        self.apps: dict[str, object] = {}
        self.limiter_state: dict = {}
        self.drop_postgres = None  # how to drop this process's PostgreSQL database, if made
        self.shm_folder: Path | None = None

    def database(self, backend: str) -> str:
        """A migrated, empty database: the migrations are tested on each."""
        if backend not in self.uris:
            uri = (self._postgres_database() if backend == "postgresql" else
                   f"sqlite:///{self._sqlite_folder() / 'test.sqlite3'}")
            app = create_app(app_config(uri))
            with app.app_context():
                from flask_migrate import upgrade
                upgrade()
                db.engine.dispose()
            self.uris[backend] = uri
        return self.uris[backend]

    def app(self, backend: str):
        if backend not in self.apps:
            self.apps[backend] = create_app(app_config(self.database(backend)))
            self.limiter_state = dict(vars(limiter))  # as every app here leaves it: disabled
        # Flask-Limiter keeps one state for every app it was given (enabled or not, its
        # storage, the first key prefix): an app a test built leaves it changed.
        vars(limiter).clear()
        vars(limiter).update(self.limiter_state)
        return self.apps[backend]

    def _sqlite_folder(self) -> Path:
        """In memory where the system offers it (/dev/shm): each commit's fsync, the point
        of SQLite's durable settings, then costs nothing; the tests of durability itself
        (slow suite) use files of their own."""
        if Path("/dev/shm").is_dir():
            self.shm_folder = Path(tempfile.mkdtemp(prefix="nmt-test-", dir="/dev/shm"))
            return self.shm_folder
        return self.tmp_path_factory.mktemp("sqlite")

    def _postgres_database(self) -> str:
        """A database of this process's own on the server: each run (and each worker) makes
        one, and drops it at the end. It need not survive a crash, so commits skip the wait
        for the disk (a crash would lose at most the last commits, never consistency)."""
        uri, self.drop_postgres = postgres_database("nmt_test", durable=False)
        return uri

    def close(self) -> None:
        for app in self.apps.values():
            with app.app_context():
                db.engine.dispose()
        if self.shm_folder is not None:
            shutil.rmtree(self.shm_folder, ignore_errors=True)
        if self.drop_postgres is not None:
            self.drop_postgres()


def placeholder_pdf(data) -> bytes:
    """A one-page PDF naming the certificate's code, for tests that never read the PDF:
    rendering the real one (fonts parsed and subset) costs about 0.1 s. What the real one
    refuses, text no shipped font draws, this refuses too."""
    from fpdf import FPDF

    from nmt_course.certificates.pdf import check_printable

    check_printable(*data.texts())
    pdf = FPDF(orientation="landscape", unit="mm", format="letter")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, f"Placeholder for certificate {data.code}")
    return bytes(pdf.output())


@pytest.fixture(autouse=True)
def certificate_pdfs(request, monkeypatch):
    """Certificates issued and reissued get a placeholder PDF unless the test is marked
    `real_pdf` (every test that reads a certificate's PDF is) or drives a browser: the
    production renderer is tested there and in tests/unit/test_certificate_pdf.py."""
    if not any(request.node.get_closest_marker(name) for name in ("real_pdf", "browser")):
        from nmt_course.certificates import operations, reissue_operations

        monkeypatch.setattr(operations, "render_certificate_pdf", placeholder_pdf)
        monkeypatch.setattr(reissue_operations, "render_certificate_pdf", placeholder_pdf)


@pytest.fixture(scope="session")
def backends(tmp_path_factory):
    made = Backends(tmp_path_factory)
    yield made
    made.close()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database(backend, backends) -> str:
    return backends.database(backend)


@pytest.fixture
def app(backend, backends):
    """The run's app on this test's backend, as it was built; its tables are emptied and
    its settings put back after the test, whatever the test changed."""
    app = backends.app(backend)
    config, extensions = dict(app.config), dict(app.extensions)
    yield app
    with app.app_context():
        db.session.remove()
        empty_tables()
    app.config.clear()
    app.config.update(config)
    app.extensions.clear()
    app.extensions.update(extensions)


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


def new_database(backend: str, folder) -> tuple[str, callable]:
    """A database nobody else uses, and how to drop it."""
    if backend == "sqlite":
        return f"sqlite:///{folder / f'{uuid.uuid4().hex[:8]}.sqlite3'}", lambda: None
    return postgres_database("nmt_own", durable=True)


def postgres_database(prefix: str, *, durable: bool) -> tuple[str, callable]:
    """A new database on the TEST_DATABASE_URL server, and how to drop it; not `durable`:
    its commits do not wait for the disk."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        missing_service("TEST_DATABASE_URL is not set")
    url = make_url(normalise_url(base))
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            if not durable:
                connection.execute(
                    text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as error:  # noqa: BLE001 - any failure means no server to test on
        server.dispose()
        missing_service(f"cannot create a PostgreSQL database at {url.host}: {error}")

    def drop():
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop
