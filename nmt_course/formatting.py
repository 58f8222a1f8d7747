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
