"""Delivering the outbox. Each message is claimed in one short transaction, sent outside any
transaction, then marked sent (or its failure counted) in another."""
from __future__ import annotations

import datetime as dt
import logging
import smtplib

from sqlalchemy import or_, select, update

from ..database import db, transaction
from ..runtime import Email, Runtime
from .models import OutboxMessage

log = logging.getLogger(__name__)
MAX_FAILURES = 5
CLAIM_EXPIRES = dt.timedelta(minutes=10)  # a sender that died mid-send frees its claim


@transaction
def _claim(runtime: Runtime, tried: set[int]) -> OutboxMessage | None:
    now = runtime.clock()
    for message in db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failures < MAX_FAILURES,
                   OutboxMessage.id.not_in(tried),
                   or_(OutboxMessage.claimed_at.is_(None),
                       OutboxMessage.claimed_at < now - CLAIM_EXPIRES))
            .order_by(OutboxMessage.id).limit(5)):
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id, or_(
                OutboxMessage.claimed_at.is_(None),
                OutboxMessage.claimed_at < now - CLAIM_EXPIRES))
            .values(claimed_at=now))
        if claimed.rowcount == 1:
            return message
    return None


@transaction
def _settle(runtime: Runtime, message_id: int, error: str | None) -> None:
    values = ({"sent_at": runtime.clock()} if error is None else
              {"failures": OutboxMessage.failures + 1, "last_error": error[:500],
               "claimed_at": None})
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                       .values(**values))


def deliver_pending(runtime: Runtime, limit: int = 500) -> tuple[int, int]:
    """Send what the outbox holds (at most `limit`); returns (sent, failed). A message that
    fails is tried again later, up to MAX_FAILURES times."""
    sent = failed = 0
    tried: set[int] = set()  # a message that failed waits for the next run
    while sent + failed < limit:
        message = _claim(runtime, tried)
        if message is None:
            break
        tried.add(message.id)
        try:
            runtime.mailer.send(Email(message.to, message.subject, message.body, message.html))
        except (OSError, smtplib.SMTPException) as error:
            log.warning("could not send message %s to %s: %s", message.id, message.to, error)
            _settle(runtime, message.id, f"{type(error).__name__}: {error}")
            failed += 1
        else:
            _settle(runtime, message.id, None)
            sent += 1
    return sent, failed
