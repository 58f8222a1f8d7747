"""Backup archives: one consistent copy of the database, made while the site serves, with a
manifest (schema revision, rows per table, app version, SHA-256 of each part).

An archive is a gzipped tar holding `manifest.json` first, then one database part:
`database.sqlite3` (SQLite's online backup API: a consistent copy while writers go on) or
`database.pgdump` (pg_dump's custom format, taken in the snapshot the counts were read in).
Course images and the provider's signature are rows of the database (course_images,
provider_settings), so the database part holds them. SECRET_KEY and the issuer key never go
in: the manifest names them, to be kept safely elsewhere. restore.py reads archives back.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from .config import PROJECT_ROOT

FORMAT = "nmt-course-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PARTS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MIGRATIONS = PROJECT_ROOT / "migrations"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """What makes an archive unusable, or a backup or restore impossible; said to the operator."""


@dataclass(frozen=True)
class Made:
    path: Path
    manifest: dict
    pruned: list[Path]


def app_version() -> str:
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def script_directory() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def backend_of(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in PARTS:
        raise BackupError(f"backups handle SQLite and PostgreSQL, not {name}")
    return name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- PostgreSQL client programs -------------------------------------------------------------

def pg_program(name: str) -> str:
    """pg_dump or pg_restore: PG_DUMP names pg_dump (pg_restore is looked for beside it),
    otherwise PATH."""
    configured = os.environ.get("PG_DUMP")
    if configured:
        candidate = Path(configured) if name == "pg_dump" else Path(configured).with_name(name)
        if candidate.is_file():
            return str(candidate)
        raise BackupError(f"{candidate} not found (PG_DUMP={configured})")
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install PostgreSQL's client programs or set "
                          "PG_DUMP to pg_dump's path")
    return found


def libpq_target(engine: Engine) -> tuple[str, dict[str, str]]:
    """The database as pg_dump and pg_restore name it, with the password in the environment
    rather than on a command line others can read."""
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    environ = dict(os.environ)
    if url.password:
        environ["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environ


def run_program(arguments: list[str], environ: dict[str, str]) -> None:
    result = subprocess.run(arguments, env=environ, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(arguments[0]).name} failed: "
                          f"{(result.stderr or result.stdout).strip()[-2000:]}")


# --- reading what a database holds ----------------------------------------------------------

def sqlite_facts(path: Path) -> tuple[str | None, dict[str, int]]:
    """(schema revision, rows per table) of a SQLite file."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        return _facts(lambda sql: connection.execute(sql).fetchall(), tables)
    finally:
        connection.close()


def connection_facts(connection) -> tuple[str | None, dict[str, int]]:
    """The same, read through a SQLAlchemy connection (PostgreSQL: the current schema)."""
    tables = sorted(connection.execute(text(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        "current_schema() AND table_type = 'BASE TABLE'")).scalars())
    return _facts(lambda sql: connection.execute(text(sql)).fetchall(), tables)


def _facts(run, tables: list[str]) -> tuple[str | None, dict[str, int]]:
    revision = None
    if "alembic_version" in tables:
        rows = run("SELECT version_num FROM alembic_version")
        revision = rows[0][0] if rows else None
    counts = {table: int(run(f'SELECT count(*) FROM "{table}"')[0][0])
              for table in tables if table != "alembic_version"}
    return revision, counts


# --- making an archive ----------------------------------------------------------------------

def _copy_sqlite(engine: Engine, target: Path) -> tuple[str | None, dict[str, int]]:
    source_path = engine.url.database
    if not source_path or source_path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    source = sqlite3.connect(source_path, timeout=30)
    destination = sqlite3.connect(target)
    try:
        source.execute("PRAGMA busy_timeout = 30000")
        # One step: a consistent snapshot, taken under a read transaction, while writers
        # go on in the WAL beside it.
        source.backup(destination)
        destination.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        destination.close()
        source.close()
    return sqlite_facts(target)


def _dump_postgresql(engine: Engine, target: Path) -> tuple[str | None, dict[str, int]]:
    program = pg_program("pg_dump")
    url, environ = libpq_target(engine)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # pg_dump joins this transaction's snapshot: the counts and the dump see the
            # same instant, however many writes land meanwhile.
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            revision, counts = connection_facts(connection)
            run_program([program, "--format=custom", "--no-owner", "--no-privileges",
                         f"--snapshot={snapshot}", f"--file={target}", f"--dbname={url}"],
                        environ)
    return revision, counts


def keep_elsewhere(config) -> list[str]:
    """What the archive leaves out on purpose, for the operator to keep safe apart."""
    key_file = Path(str(config.get("SIGNING_KEY_FILE") or ""))
    return [
        "SECRET_KEY (the environment, or instance/secret_key in development): it signs "
        "sessions and keys the quiz draw; keep it with the site's other secrets",
        f"the issuer key {key_file} and its retired keys "
        f"{key_file.with_name(key_file.stem + '.retired.json')}: they sign and prove the "
        "certificates' credentials",
        f"the erasure log {config.get('ERASURE_LOG_FILE')}: a restore erases again every "
        "account it names after the archive was taken",
    ]


def create(engine: Engine, config, path: Path, *, keep: int | None = None,
           now: dt.datetime | None = None) -> Made:
    """Write an archive to `path` (a folder: a new dated file in it) and, with `keep`,
    delete all but the `keep` newest archives in that folder."""
    if keep is not None and keep < 1:
        raise BackupError("--keep must be 1 or more")
    now = now or dt.datetime.now(dt.timezone.utc)
    if path.is_dir():
        path = path / f"nmt-backup-{now.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
    if path.exists():
        raise BackupError(f"{path} exists already: name a new file")
    path.parent.mkdir(parents=True, exist_ok=True)
    backend = backend_of(engine)
    part = PARTS[backend]
    with tempfile.TemporaryDirectory(prefix="nmt-backup-", dir=path.parent) as folder:
        copy = Path(folder) / part
        revision, counts = (_copy_sqlite if backend == "sqlite" else _dump_postgresql)(
            engine, copy)
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "created_at": now.isoformat(), "app_version": app_version(),
            "backend": backend, "schema_revision": revision, "counts": counts,
            "parts": {part: {"sha256": sha256_of(copy), "bytes": copy.stat().st_size}},
            "stored_in_the_database": "course images (course_images) and the provider's "
                                      "signature (provider_settings)",
            "keep_elsewhere": keep_elsewhere(config),
        }
        partial = Path(folder) / "archive.partial"
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
            archive.addfile(info, io.BytesIO(data))
            archive.add(copy, arcname=part, recursive=False)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(partial, 0o600)  # it holds every learner's record
        os.replace(partial, path)
    pruned = prune(path.parent, keep) if keep else []
    return Made(path=path, manifest=manifest, pruned=pruned)


# --- reading an archive ---------------------------------------------------------------------

def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r:*") as archive:
            first = archive.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise BackupError(f"{path} is not a backup archive (no {MANIFEST} first)")
            manifest = json.load(archive.extractfile(first))
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist") from None
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError):
        raise BackupError(f"{path} is not a backup archive (or is damaged)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup archive of this platform")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path} is in archive format {manifest.get('format_version')}; "
                          f"this version reads format {FORMAT_VERSION}")
    return manifest


def created_at(manifest: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(manifest["created_at"])


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest archives in `folder` (by the time in their manifest);
    a file that is not an archive is never touched."""
    archives = []
    for candidate in folder.iterdir():
        if not candidate.is_file():
            continue
        try:
            archives.append((created_at(read_manifest(candidate)), candidate))
        except (BackupError, KeyError, ValueError):
            continue
    archives.sort(reverse=True)
    removed = [candidate for _, candidate in archives[keep:]]
    for candidate in removed:
        candidate.unlink()
    return removed


@contextlib.contextmanager
def extracted(path: Path) -> Iterator[tuple[dict, Path]]:
    """The manifest and the database part, extracted to a private temporary folder, after
    every part's SHA-256 was checked against the manifest (BackupError otherwise)."""
    manifest = read_manifest(path)
    parts = manifest.get("parts") or {}
    if manifest.get("backend") not in PARTS or set(parts) != {PARTS[manifest["backend"]]}:
        raise BackupError(f"{path}: the manifest names unexpected parts {sorted(parts)}")
    with tempfile.TemporaryDirectory(prefix="nmt-restore-") as folder:
        seen = set()
        try:
            with tarfile.open(path, "r:*") as archive:
                for member in archive:
                    if member.name == MANIFEST:
                        continue
                    if member.name not in parts or not member.isfile() or member.name in seen:
                        raise BackupError(f"{path}: unexpected member {member.name!r}")
                    seen.add(member.name)
                    target = Path(folder) / member.name  # a name from the manifest's list
                    digest = hashlib.sha256()
                    with archive.extractfile(member) as source, target.open("wb") as out:
                        while chunk := source.read(CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                    if digest.hexdigest() != parts[member.name]["sha256"]:
                        raise BackupError(f"{path}: {member.name} does not match its SHA-256 "
                                          "in the manifest (the archive is damaged)")
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"{path} is damaged: {error}") from None
        missing = set(parts) - seen
        if missing:
            raise BackupError(f"{path}: missing {', '.join(sorted(missing))}")
        yield manifest, Path(folder) / PARTS[manifest["backend"]]
