"""How numbers and dates read on pages and certificates (pure)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal


def ce_hours(hours: Decimal) -> str:
    """1.50 -> '1.5', 2.00 -> '2'."""
    text = f"{Decimal(hours).normalize():f}"
    return text


def ce_label(hours: Decimal) -> str:
    return f"{ce_hours(hours)} CE" + ("" if Decimal(hours) == 1 else "s")


def long_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def times(number: int) -> str:
    """'once', 'twice', '3 times'."""
    return {1: "once", 2: "twice"}.get(number, f"{number} times")


def count_of(number: int, noun: str) -> str:
    """'1 lesson', '2 lessons' (nouns that take an s)."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


# The dates a form may name (a date beyond them once overflowed into a 500).
EARLIEST_DATE, LATEST_DATE = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


def typed_date(text: str, label: str, problems: list[str]) -> dt.date | None:
    """The date typed as YYYY-MM-DD, None when nothing is typed; what is wrong with it is
    added to `problems` (labelled), and None returned."""
    text = text.strip()[:40]
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        problems.append(f"{label}: “{text}” is not a date; use the form 2026-03-31.")
        return None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        problems.append(f"{label}: give a date from {EARLIEST_DATE.isoformat()} to "
                        f"{LATEST_DATE.isoformat()}.")
        return None
    return day
