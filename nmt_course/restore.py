"""Checking and restoring backup archives (backups.py makes them).

A restore refuses a database that holds data (unless told to replace it), checks every
part's SHA-256, loads the database, compares the rows per table with the manifest, runs the
migrations when the archive is older than the code (and refuses an archive newer than the
code), then erases again every account the erasure log names after the archive was taken.
The site should be stopped while it runs.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from alembic.util import CommandError
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Engine

from . import erasure_log
from .backups import (BackupError, backend_of, connection_facts, created_at, extracted,
                      libpq_target, pg_program, run_program, script_directory, sqlite_facts)


@dataclass
class Report:
    """What verify or restore found, line by line; `ok` false when something is wrong."""
    lines: list[str] = field(default_factory=list)
    ok: bool = True

    def say(self, line: str) -> None:
        self.lines.append(line)

    def problem(self, line: str) -> None:
        self.ok = False
        self.lines.append(line)


def revision_status(revision: str | None) -> str:
    """'current', 'older' (the code migrates it) or 'newer' (made by a later version)."""
    script = script_directory()
    if revision in script.get_heads():
        return "current"
    try:
        known = revision is not None and script.get_revision(revision) is not None
    except CommandError:
        known = False
    return "older" if known else "newer"


def compare_counts(report: Report, expected: dict[str, int], found: dict[str, int]) -> None:
    """One line per table: rows found against the manifest; a difference is a problem."""
    for table in sorted(set(expected) | set(found)):
        want, have = expected.get(table), found.get(table)
        mark = "ok" if want == have else "DIFFERS"
        if want != have:
            report.problem(f"  {table}: {have} rows, manifest {want}  {mark}")
        else:
            report.say(f"  {table}: {have} rows  {mark}")


def verify(path: Path) -> Report:
    """Check an archive without restoring it: hashes, the database part itself, its counts
    and whether this code can restore it."""
    report = Report()
    with extracted(path) as (manifest, part):
        report.say(f"{path}: made {manifest['created_at']} by version "
                   f"{manifest['app_version']}, {manifest['backend']}; every part matches "
                   "its SHA-256")
        if manifest["backend"] == "sqlite":
            connection = sqlite3.connect(f"file:{part}?mode=ro", uri=True)
            try:
                check = connection.execute("PRAGMA integrity_check").fetchall()
            finally:
                connection.close()
            if check != [("ok",)]:
                report.problem(f"integrity_check: {check[:5]}")
            revision, counts = sqlite_facts(part)
            if revision != manifest["schema_revision"]:
                report.problem(f"schema revision {revision}, manifest "
                               f"{manifest['schema_revision']}")
            compare_counts(report, manifest["counts"], counts)
        else:
            run_program([pg_program("pg_restore"), "--list", str(part)], {})
            report.say(f"pg_restore reads the dump; {sum(manifest['counts'].values())} rows "
                       f"in {len(manifest['counts'])} tables by the manifest")
    status = revision_status(manifest["schema_revision"])
    if status == "newer":
        report.problem(f"schema revision {manifest['schema_revision']} is newer than this "
                       "code: restore it with the version that made it")
    else:
        report.say(f"schema revision {manifest['schema_revision']} ({status}"
                   + (": a restore runs the migrations after it" if status == "older" else "")
                   + ")")
    return report


def rows_held(engine: Engine) -> int:
    """Rows in the database's tables (the migrations' own bookkeeping aside)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            tables = [name for (name,) in connection.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                "'sqlite_%'"))]
            counts = {table: connection.execute(text(f'SELECT count(*) FROM "{table}"'))
                      .scalar_one() for table in tables if table != "alembic_version"}
        else:
            counts = connection_facts(connection)[1]
    return sum(counts.values())


def restore(engine: Engine, path: Path, *, replace: bool, erasure_log_file: Path,
            upgrade: Callable[[], None],
            reapply_erasure: Callable[[erasure_log.Erasure], bool]) -> Report:
    """Restore `path` into the database `engine` names (see the module's docstring)."""
    report = Report()
    backend = backend_of(engine)
    with extracted(path) as (manifest, part):
        if manifest["backend"] != backend:
            raise BackupError(f"{path} holds a {manifest['backend']} database; this site "
                              f"uses {backend}: restore it into {manifest['backend']}")
        status = revision_status(manifest["schema_revision"])
        if status == "newer":
            raise BackupError(f"{path} was made by a newer version (schema revision "
                              f"{manifest['schema_revision']}, app version "
                              f"{manifest['app_version']}); this code cannot read it. "
                              "Nothing was changed.")
        held = rows_held(engine)
        if held and not replace:
            raise BackupError(f"the database holds data ({held} rows): nothing was changed. "
                              "Restore into an empty database, or add --replace to replace "
                              "everything it holds with the archive.")
        erasures = erasure_log.after(erasure_log.read(erasure_log_file),
                                     created_at(manifest))
        report.say(f"every part of {path} matches its SHA-256")
        engine.dispose()
        (_load_sqlite if backend == "sqlite" else _load_postgresql)(engine, part)
        engine.dispose()
    report.say(f"restored the database of {manifest['created_at']} (version "
               f"{manifest['app_version']}); rows against the manifest:")
    with engine.connect() as connection:
        counts = (connection_facts(connection) if backend != "sqlite"
                  else sqlite_facts(Path(engine.url.database)))[1]
    compare_counts(report, manifest["counts"], counts)
    if status == "older":
        upgrade()
        report.say(f"migrated from schema revision {manifest['schema_revision']} to the "
                   "code's")
    erased = sum(1 for entry in erasures if reapply_erasure(entry))
    report.say(f"erased again {erased} account(s) deleted after the archive was taken "
               f"({len(erasures)} in the erasure log since then)")
    return report


def _load_sqlite(engine: Engine, part: Path) -> None:
    source = sqlite3.connect(part)
    target = sqlite3.connect(engine.url.database, timeout=30)
    try:
        source.backup(target)  # page by page, replacing everything the file held
    finally:
        target.close()
        source.close()


def _load_postgresql(engine: Engine, part: Path) -> None:
    metadata = MetaData()
    with engine.begin() as connection:
        metadata.reflect(connection)
        metadata.drop_all(connection)
    url, environ = libpq_target(engine)
    run_program([pg_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                 "--single-transaction", f"--dbname={url}", str(part)], environ)
