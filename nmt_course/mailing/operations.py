"""Delivering the outbox. Each message is claimed in one short transaction, sent outside any
transaction, then marked sent (or its failure counted) in another.

Delivery is at least once: a process that dies between the mail server's acceptance and the
mark sends the message again once its claim expires. Every send of one outbox row carries
the same Message-ID (message_id), so a receiver can drop the copy. A failure is tried again
after a wait that doubles each time (RETRY_FIRST, at most RETRY_LONGEST), MAX_FAILURES times
in all; what is still unsent is listed for admins (/admin/mail) with its last error."""
from __future__ import annotations

import datetime as dt
import logging
import smtplib

from sqlalchemy import or_, select, update

from ..database import db, transaction
from urllib.parse import urlsplit

from ..runtime import Email, Runtime, Settings
from .models import OutboxMessage

log = logging.getLogger(__name__)
MAX_FAILURES = 10
CLAIM_EXPIRES = dt.timedelta(minutes=10)  # a sender that died mid-send frees its claim
RETRY_FIRST = dt.timedelta(minutes=1)
RETRY_LONGEST = dt.timedelta(hours=2)  # ten tries span about eight hours


def retry_wait(failures: int) -> dt.timedelta:
    """How long a message waits after its `failures`-th failure."""
    return min(RETRY_FIRST * 2 ** (failures - 1), RETRY_LONGEST)


def message_id(settings: Settings, message: OutboxMessage) -> str:
    """The same for every send of one outbox row, and unique to this site's outbox."""
    host = urlsplit(settings.site_url).hostname or "localhost"
    return f"<outbox.{message.id}.{int(message.queued_at.timestamp())}@{host}>"


@transaction
def _claim(runtime: Runtime, tried: set[int]) -> OutboxMessage | None:
    now = runtime.clock()
    for message in db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failures < MAX_FAILURES,
                   OutboxMessage.id.not_in(tried),
                   or_(OutboxMessage.next_attempt_at.is_(None),
                       OutboxMessage.next_attempt_at <= now),
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
def _settle(runtime: Runtime, message: OutboxMessage, error: str | None) -> None:
    now = runtime.clock()
    values = ({"sent_at": now} if error is None else
              {"failures": message.failures + 1, "last_error": error[:500],
               "claimed_at": None, "next_attempt_at": now + retry_wait(message.failures + 1)})
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id)
                       .values(**values))


def deliver_pending(runtime: Runtime, limit: int = 500) -> tuple[int, int]:
    """Send what the outbox holds and is due (at most `limit`); returns (sent, failed). A
    message that fails is tried again after retry_wait, up to MAX_FAILURES times."""
    sent = failed = 0
    tried: set[int] = set()  # a message that failed waits for the next run
    while sent + failed < limit:
        message = _claim(runtime, tried)
        if message is None:
            break
        tried.add(message.id)
        try:
            runtime.mailer.send(Email(message.to, message.subject, message.body, message.html,
                                      message_id=message_id(runtime.settings, message)))
        except (OSError, smtplib.SMTPException) as error:
            log.warning("could not send message %s to %s: %s", message.id, message.to, error)
            _settle(runtime, message, f"{type(error).__name__}: {error}")
            failed += 1
        else:
            _settle(runtime, message, None)
            sent += 1
    return sent, failed
