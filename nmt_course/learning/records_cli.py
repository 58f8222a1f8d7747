"""`flask --app app records purge` (run it from cron, daily or weekly): remove what deleted
accounts kept once the retention period has passed, and say what was removed."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..retention import RETENTION_YEARS
from ..web import runtime
from .account_operations import purge_records

records = AppGroup("records", help="The records kept for the retention period.")


@records.command("purge")
def purge_command() -> None:
    """Remove what deleted accounts kept, once their newest certificate is older than the
    retention period."""
    purged = purge_records(runtime())
    if not purged.accounts:
        click.echo(f"Nothing to remove: no deleted account's records are past their "
                   f"{RETENTION_YEARS} years.")
        return
    click.echo(f"Removed the records of {purged.accounts} deleted "
               f"account{'s' if purged.accounts != 1 else ''} past their "
               f"{RETENTION_YEARS} years:")
    for name, count in purged.rows.items():
        click.echo(f"  {name}: {count}")
