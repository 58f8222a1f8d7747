"""The e-mails clinics send, as text. Pure."""
from __future__ import annotations

import datetime as dt

from ..formatting import long_date
from ..runtime import Email, Settings


def invitation_mail(settings: Settings, *, to: str, name: str, role: str, clinic_name: str,
                    token: str) -> Email:
    greeting = f"Hello {name}," if name else "Hello,"
    what = ("to manage its staff's training" if role == "manager"
            else "to take the continuing-education courses it assigns you")
    return Email(
        to=to, subject=f"{clinic_name} invites you to {settings.provider_name}",
        body=f"{greeting}\n\n{clinic_name} invites you to {settings.provider_name} {what}.\n"
             f"To accept, open this link within {settings.invitation_days} days:\n\n"
             f"{settings.url(f'/invitations/{token}')}\n\n"
             "If you have an account with this address, you will be asked to log in; if not, "
             "you will choose a password. The link works once. If you did not expect this "
             "message, ignore it.\n")


def reminder_mail(settings: Settings, *, to: str, name: str,
                  courses: list[tuple[str, str, dt.date]], today: dt.date) -> Email:
    """`courses`: (title, slug, due date), earliest first."""
    lines = "\n".join(
        f"- {title}: {'overdue since' if due < today else 'due'} {long_date(due)}\n"
        f"  {settings.url(f'/courses/{slug}')}"
        for title, slug, due in courses)
    return Email(
        to=to, subject="Courses due soon",
        body=f"Hello {name},\n\nYour clinic asked you to complete these courses at "
             f"{settings.provider_name}:\n\n{lines}\n\nYour progress is on your dashboard: "
             f"{settings.url('/dashboard')}\n")
