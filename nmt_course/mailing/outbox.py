"""Queue a message in the open write transaction (like audit.record): it leaves only if the
transaction commits."""
from __future__ import annotations

import datetime as dt

from ..database import db
from ..runtime import Email
from .models import OutboxMessage

QUEUED = "nmt_mail_queued"  # a flag in the session's info: the commit should wake a sender


def queue(message: Email, *, at: dt.datetime) -> None:
    db.session.add(OutboxMessage(to=message.to, subject=message.subject, body=message.body,
                                 html=message.html, queued_at=at))
    db.session.info[QUEUED] = True
