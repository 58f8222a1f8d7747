"""Engine set-up that makes SQLite behave under concurrent requests.

pysqlite starts transactions lazily and cannot upgrade a read lock to a write lock without
risking an immediate "database is locked". So transactions are begun explicitly: services that
write begin with BEGIN IMMEDIATE (writers queue on the busy timeout), everything else with a
plain BEGIN, and WAL lets readers run beside the one writer.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine

_write_intent = contextvars.ContextVar("write_intent", default=False)


def writing() -> bool:
    """Whether a write transaction is open in this context."""
    return _write_intent.get()


@contextlib.contextmanager
def write_intent() -> Iterator[None]:
    """Transactions begun inside this block intend to write."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")
