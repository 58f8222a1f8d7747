"""`flask --app app backup create|verify|restore`: archives of the database (backups.py,
restore.py)."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .. import backups, restore
from ..learning.account_operations import reapply_erasure
from ..database import db
from ..web import runtime

backup = AppGroup("backup", help="Back up, check and restore the database.")
ARCHIVE = click.argument("path", type=click.Path(path_type=Path))


def _fail(error: Exception) -> None:
    click.echo(f"Error: {error}", err=True)
    raise SystemExit(1)


@backup.command("create")
@ARCHIVE
@click.option("--keep", type=int, help="Then delete all but the N newest archives in the "
                                       "same folder.")
def create_command(path: Path, keep: int | None) -> None:
    """Write one consistent archive of the database to PATH (a file, or a folder for a new
    dated file in it) while the site goes on serving."""
    started = time.monotonic()
    try:
        made = backups.create(db.engine, current_app.config, path, keep=keep)
    except backups.BackupError as error:
        _fail(error)
    manifest = made.manifest
    click.echo(f"Wrote {made.path} ({made.path.stat().st_size:,} bytes, "
               f"{sum(manifest['counts'].values()):,} rows in {len(manifest['counts'])} "
               f"tables, schema {manifest['schema_revision']}) in "
               f"{time.monotonic() - started:.1f} s.")
    for removed in made.pruned:
        click.echo(f"Deleted the older archive {removed}.")
    click.echo("Not in the archive, keep these safely elsewhere:")
    for item in manifest["keep_elsewhere"]:
        click.echo(f"  - {item}")


@backup.command("verify")
@ARCHIVE
def verify_command(path: Path) -> None:
    """Check an archive without restoring it: every part's SHA-256, the database copy and
    its rows against the manifest. Exits 1 if anything is wrong."""
    try:
        report = restore.verify(path)
    except backups.BackupError as error:
        _fail(error)
    for line in report.lines:
        click.echo(line)
    click.echo("The archive is sound." if report.ok else "The archive has problems.")
    if not report.ok:
        raise SystemExit(1)


@backup.command("restore")
@ARCHIVE
@click.option("--replace", is_flag=True, help="Replace a database that holds data.")
def restore_command(path: Path, replace: bool) -> None:
    """Restore the archive at PATH into the configured database (stop the site first)."""
    from flask_migrate import upgrade

    try:
        report = restore.restore(
            db.engine, path, replace=replace,
            erasure_log_file=Path(current_app.config["ERASURE_LOG_FILE"]), upgrade=upgrade,
            reapply_erasure=lambda entry: reapply_erasure(runtime(), entry))
    except backups.BackupError as error:
        _fail(error)
    for line in report.lines:
        click.echo(line)
    if not report.ok:
        click.echo("Restored, but the rows differ from the manifest: see above.", err=True)
        raise SystemExit(1)
