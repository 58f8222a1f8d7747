"""`flask --app app mail deliver`: send what the outbox holds (for a cron job)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..web import runtime
from .operations import deliver_pending

mail = AppGroup("mail", help="Deliver queued e-mail.")


@mail.command("deliver")
def deliver_command() -> None:
    """Send every queued message that is due; a failure is tried again after a wait that
    doubles each time (up to 10 times); `/admin/mail` lists what is still unsent."""
    sent, failed = deliver_pending(runtime())
    click.echo(f"{sent} sent, {failed} failed.")
    if failed:
        raise SystemExit(1)
