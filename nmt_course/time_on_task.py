"""Time on task, pure: the signed open time a lesson's or quiz's form carries (so opening a
page writes nothing, and a learner cannot claim to have opened it earlier), and the median
and interquartile range that authors and admins compare with a course's declared hours."""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import Decimal

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "nmt-open-time"
# Longer than this between opening and sending is a page left open, not time on task: it
# still counts towards a lesson's min_minutes, but is not recorded.
MAX_TASK_SECONDS = 12 * 3600
# Measured times are compared with the declared hours once this many learners completed.
WARNING_LEARNERS = 20


def sign_open_time(secret: str | bytes, *, user_id: int, subject: str, at: dt.datetime) -> str:
    """A token saying that `user_id` opened `subject` ("lesson:3", "quiz:5") at `at`."""
    return URLSafeSerializer(secret, salt=SALT).dumps([user_id, subject, int(at.timestamp())])


def opened_at(secret: str | bytes, token: str | None, *, user_id: int,
              subject: str) -> dt.datetime | None:
    """When the token says this user opened this subject; None for a missing, forged or
    someone else's token."""
    if not token or len(token) > 200:
        return None
    try:
        owner, signed_subject, moment = URLSafeSerializer(secret, salt=SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if owner != user_id or signed_subject != subject or not isinstance(moment, int):
        return None
    return dt.datetime.fromtimestamp(moment, dt.timezone.utc)


def task_seconds(opened: dt.datetime | None, now: dt.datetime) -> int | None:
    """Seconds on task from `opened` to `now`, when they count as such."""
    if opened is None:
        return None
    seconds = int((now - opened).total_seconds())
    return seconds if 0 <= seconds <= MAX_TASK_SECONDS else None


@dataclass(frozen=True)
class Spread:
    """Completed learners' times, in minutes."""

    learners: int
    median: Decimal
    lower_quartile: Decimal
    upper_quartile: Decimal


def spread(seconds: list[int]) -> Spread | None:
    """Median and interquartile range of the times given in seconds; None for no times."""
    if not seconds:
        return None
    minutes = sorted(Decimal(value) / 60 for value in seconds)
    if len(minutes) == 1:
        quartiles = [minutes[0]] * 3
    else:
        quartiles = statistics.quantiles(minutes, n=4, method="inclusive")
    whole = Decimal("0.1")
    return Spread(len(minutes), *(Decimal(q).quantize(whole) for q in
                                  (statistics.median(minutes), quartiles[0], quartiles[2])))


def below_declared(measured: Spread | None, declared_minutes: Decimal) -> bool:
    """The warning a provider must heed: enough learners completed, and half of them took
    less time than the hours the course declares."""
    return (measured is not None and measured.learners >= WARNING_LEARNERS
            and measured.median < declared_minutes)
