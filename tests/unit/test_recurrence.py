"""Recurring training, pure: the bounds of a recurrence, expiry, renewal, and CE hours
counted once per course in a renewal period."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from nmt_course.recurrence import (COUNTED_ONCE, MAX_MONTHS, MIN_MONTHS, CompletionHours,
                                   add_months, due_for_renewal, expired, expires_on,
                                   hours_in_period, recurrence_problem)

D = dt.date


@pytest.mark.parametrize("months", [None, 1, 12, 60])
def test_a_recurrence_from_1_to_60_months_or_none_is_fine(months):
    assert recurrence_problem(months) is None


@pytest.mark.parametrize("months", [0, -1, 61, 120])
def test_a_recurrence_out_of_range_is_refused_with_the_range_named(months):
    assert recurrence_problem(months) == "Repeat every 1 to 60 months, or leave it empty."
    assert (MIN_MONTHS, MAX_MONTHS) == (1, 60)


def test_months_are_added_on_the_calendar():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert add_months(D(2026, 11, 15), 2) == D(2027, 1, 15)
    assert add_months(D(2026, 3, 10), 12) == D(2027, 3, 10)
    assert add_months(D(2026, 3, 10), 60) == D(2031, 3, 10)


def test_a_completion_expires_after_its_months_and_is_renewed_30_days_before():
    expiry = expires_on(D(2026, 1, 10), 12)
    assert expiry == D(2027, 1, 10)
    assert not expired(expiry, D(2027, 1, 9)) and expired(expiry, D(2027, 1, 10))
    assert not due_for_renewal(expiry, D(2026, 12, 10))  # 31 days before
    assert due_for_renewal(expiry, D(2026, 12, 11))  # 30 days before
    assert due_for_renewal(expiry, D(2027, 3, 1))  # past it


def test_a_course_completed_twice_in_a_renewal_period_counts_its_hours_once():
    completions = [CompletionHours(1, D(2025, 3, 1), Decimal("2")),
                   CompletionHours(1, D(2026, 2, 20), Decimal("2.5")),  # retaken, 11 months on
                   CompletionHours(2, D(2025, 6, 1), Decimal("1.5")),
                   CompletionHours(3, D(2024, 12, 31), Decimal("4"))]  # before the period
    counted = hours_in_period(completions, D(2025, 1, 1), D(2026, 12, 31))
    assert counted.total == Decimal("3.5")  # course 1's first completion, and course 2
    assert [c.completed_on for c in counted.counted] == [D(2025, 3, 1), D(2025, 6, 1)]
    assert counted.repeated == (1,)
    assert "counts its CE hours once" in COUNTED_ONCE
    # In the next period the retake counts: each period on its own.
    assert hours_in_period(completions, D(2026, 1, 1), D(2027, 12, 31)).total == Decimal("2.5")


def test_no_completion_in_the_period_counts_nothing():
    assert hours_in_period([], D(2025, 1, 1), D(2026, 12, 31)) == (Decimal(0), (), ())
