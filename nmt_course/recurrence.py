"""Training that recurs (pure): an assignment repeated every N months, when a completion
expires, when it is time to renew, and how CE hours count when a course is completed more
than once in one licence renewal period. No Flask, no database."""
from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

MIN_MONTHS, MAX_MONTHS = 1, 60
# A completion this close to its expiry (or past it) is due for renewal.
RENEWAL_WINDOW_DAYS = 30
# Shown beside a transcript's total (the board's rule: a CE cannot be used more than once).
COUNTED_ONCE = ("A course completed more than once in a renewal period counts its CE hours "
                "once.")


def recurrence_problem(months: int | None) -> str | None:
    """Why `months` cannot be a recurrence (None: no recurrence, or a good one)."""
    if months is None or MIN_MONTHS <= months <= MAX_MONTHS:
        return None
    return f"Repeat every {MIN_MONTHS} to {MAX_MONTHS} months, or leave it empty."


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it has no such day (January
    31 + 1 month is February 28 or 29)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def expires_on(completed_on: dt.date, months: int) -> dt.date:
    """The first day a completion no longer meets an assignment repeated every `months`."""
    return add_months(completed_on, months)


def expired(expiry: dt.date, today: dt.date) -> bool:
    return today >= expiry


def due_for_renewal(expiry: dt.date, today: dt.date) -> bool:
    """Within the renewal window of its expiry, or past it."""
    return (expiry - today).days <= RENEWAL_WINDOW_DAYS


class CompletionHours(NamedTuple):
    course_id: int
    completed_on: dt.date
    ce_hours: Decimal


class CountedHours(NamedTuple):
    total: Decimal
    counted: tuple[CompletionHours, ...]  # the completions whose hours count
    repeated: tuple[int, ...]  # courses completed more than once in the period (counted once)


def hours_in_period(completions: Iterable[CompletionHours], start: dt.date,
                    end: dt.date) -> CountedHours:
    """The CE hours of the completions from `start` to `end` (both included, one renewal
    period), each course counted once however many times it was completed in it: its
    earliest completion there counts."""
    first: dict[int, CompletionHours] = {}
    seen: dict[int, int] = {}
    for completion in sorted(completions, key=lambda c: (c.completed_on, c.course_id)):
        if not start <= completion.completed_on <= end:
            continue
        seen[completion.course_id] = seen.get(completion.course_id, 0) + 1
        first.setdefault(completion.course_id, completion)
    counted = tuple(first.values())
    return CountedHours(sum((c.ce_hours for c in counted), Decimal(0)), counted,
                        tuple(sorted(course for course, times in seen.items() if times > 1)))
