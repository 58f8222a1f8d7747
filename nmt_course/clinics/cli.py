"""`flask --app app clinics create|remind`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..web import runtime
from ..formatting import count_of
from ..recurrence import RENEWAL_WINDOW_DAYS
from . import (assignment_operations, cycle_operations, evidence_operations,
               notice_operations as notices, operations)
from .compliance import REMINDER_WINDOW_DAYS

clinics = AppGroup("clinics", help="Manage clinics and remind their staff.")


@clinics.command("create")
@click.argument("name")
@click.option("--manager", "manager_email", required=True,
              help="E-mail address of the manager (invited if no account uses it).")
def create_command(name: str, manager_email: str) -> None:
    """Create the clinic NAME with its first manager."""
    try:
        clinic, result = operations.create_clinic(runtime(), None, name, manager_email)
    except operations.ClinicError as error:
        raise click.ClickException(str(error)) from None
    who = (f"{result.user.email} manages it" if result.user is not None
           else f"no account uses {result.invited}, so an invitation to manage it was sent")
    click.echo(f"Created clinic {clinic.id}, {clinic.name}: {who}.")


@clinics.command("remind", help=(
    f"Open a new cycle for staff whose completion of a recurring assignment expires within "
    f"{RENEWAL_WINDOW_DAYS} days or has expired (once: they start the course afresh, told by "
    f"e-mail); e-mail staff whose assigned courses are due within {REMINDER_WINDOW_DAYS} "
    "days or overdue (at most once a day each: run it daily from cron; a second run the same "
    "day queues nothing), and on Mondays each manager's weekly digest (once a week)."))
def remind_command() -> None:
    opened = cycle_operations.open_cycles(runtime())
    if opened:
        click.echo(f"{count_of(opened, 'new cycle')} of recurring training opened.")
    reminders = assignment_operations.send_reminders(runtime())
    digests = notices.send_digests(runtime())
    click.echo(f"{count_of(reminders, 'reminder')} and {count_of(digests, 'weekly digest')} "
               "queued for sending.")


@clinics.command("tell-staff", help=(
    "E-mail the staff who joined a clinic before its managers could see their certificates "
    "that they now can (once each; run it after upgrading, or daily from cron). Until then "
    "the managers see their completion dates only."))
def tell_staff_command() -> None:
    told = evidence_operations.tell_staff(runtime())
    click.echo(f"{count_of(told, 'notice')} queued.")
