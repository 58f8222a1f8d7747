"""The database layer every feature shares: engine set-up, the UTC and enum column types and
the one `transaction` helper that operations write through.

pysqlite starts transactions lazily and cannot upgrade a read lock to a write lock without
risking an immediate "database is locked". So transactions are begun explicitly: operations
that write begin with BEGIN IMMEDIATE (writers queue on the busy timeout), everything else
with a plain BEGIN, and WAL lets readers run beside the one writer. synchronous=FULL keeps
every acknowledged commit through a power cut.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import enum
import functools
from collections.abc import Iterator
from pathlib import Path

from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from sqlalchemy import event, func, literal
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import DateTime, String, TypeDecorator

from .extensions import db
from .runtime import utcnow

__all__ = ["EnumValue", "UTCDateTime", "configure_engine", "db", "schema_is_current",
           "transaction", "utcnow", "writing"]

_write_intent = contextvars.ContextVar("write_intent", default=False)
# How long a writer waits for the one before it (SQLite has one writer at a time).
BUSY_TIMEOUT_MS = 15000


def writing() -> bool:
    """Whether a write transaction is open in this context."""
    return _write_intent.get()


@contextlib.contextmanager
def _write_intent_block() -> Iterator[None]:
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def end_read() -> None:
    """End the read transaction the session holds (nothing is pending: only operations
    write), so that its connection goes back to the pool before slow work such as
    rendering a certificate; what was loaded stays loaded (expire_on_commit is off)."""
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("changes made outside an operation; only operations write")
    db.session.commit()


def transaction(func):
    """Run `func` as one write transaction and commit it.

    A unique constraint that fires means a concurrent request changed the same facts first:
    the whole function runs again on the new state (each one reads before it writes), so a
    double-submitted form gets the stored result instead of an error.
    """
    @functools.wraps(func)
    def run(*args, **kwargs):
        if writing():  # the inner rollback would silently discard the outer's work
            raise RuntimeError("a write transaction is already open; operations do not nest")
        session = db.session
        for attempt in range(1, 4):
            # End the page's read transaction; with expire_on_commit off, what it loaded stays
            # loaded, so the write does not read it all again.
            end_read()
            try:
                with _write_intent_block():
                    result = func(*args, **kwargs)
                    session.commit()
                return result
            except IntegrityError:
                session.rollback()
                if attempt == 3:
                    raise
            except BaseException:
                session.rollback()
                raise
        raise AssertionError("unreachable")
    return run


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: the same on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use an aware UTC datetime")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=dt.timezone.utc)


class EnumValue(TypeDecorator):
    """An enum member in Python, its value in a plain VARCHAR column (so the schema is the
    string column it always was). Only members are stored: a stray string is an error."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[enum.Enum], length: int = 20):
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, self.enum_class):
            raise TypeError(f"{value!r} is not a {self.enum_class.__name__}")
        return value.value

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum_class(value)


def insert_on_conflict(table):
    """INSERT that can say ON CONFLICT (DO NOTHING, DO UPDATE), in the dialect of the
    database (both SQLite and PostgreSQL have it; SQLAlchemy's plain insert does not)."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def strings_in_order(text, separator: str, order_by):
    """The aggregate of `text` joined by `separator`, in the order of `order_by` where the
    database can be told (PostgreSQL), else in the order its rows come (SQLite before 3.44
    has no ORDER BY here). Either way, two of these in one GROUP BY agree with each other:
    each row of the group is added to both at once."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import aggregate_order_by
        return func.string_agg(text, aggregate_order_by(literal(separator), order_by))
    return func.group_concat(text, separator)


def schema_is_current(engine: Engine, migrations: Path) -> bool:
    """Whether the database has every migration applied (and so every table)."""
    config = Config()
    config.set_main_option("script_location", str(migrations))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        # Stated, not left to the build's default: in WAL mode NORMAL skips the fsync of each
        # commit, so a power cut can lose commits the site already acknowledged (a passed
        # quiz, an issued certificate). FULL syncs the log on every commit.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")
