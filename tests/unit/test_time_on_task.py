"""Time on task, pure: the signed open time, the seconds that count, the spread and when it
warns."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from nmt_course.time_on_task import (Spread, below_declared, opened_at, sign_open_time, spread,
                                     task_seconds)

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


def test_an_open_time_reads_back_only_for_its_user_subject_and_key():
    token = sign_open_time("key", user_id=7, subject="quiz:3", at=AT)
    assert opened_at("key", token, user_id=7, subject="quiz:3") == AT
    assert opened_at("other", token, user_id=7, subject="quiz:3") is None
    assert opened_at("key", token + "x", user_id=7, subject="quiz:3") is None
    assert opened_at("key", "", user_id=7, subject="quiz:3") is None
    assert opened_at("key", "x" * 201, user_id=7, subject="quiz:3") is None


def test_seconds_count_from_zero_to_twelve_hours():
    assert task_seconds(AT, AT + dt.timedelta(minutes=3)) == 180
    assert task_seconds(AT, AT + dt.timedelta(hours=12)) == 43200
    assert task_seconds(AT, AT + dt.timedelta(hours=12, seconds=1)) is None  # left open
    assert task_seconds(AT, AT - dt.timedelta(seconds=1)) is None
    assert task_seconds(None, AT) is None


def test_spread_is_the_median_and_quartiles_in_minutes():
    assert spread([]) is None
    assert spread([600]) == Spread(1, Decimal("10.0"), Decimal("10.0"), Decimal("10.0"))
    assert spread([60, 120, 180, 240, 300]) == Spread(5, Decimal("3.0"), Decimal("2.0"),
                                                      Decimal("4.0"))


def test_the_warning_needs_twenty_learners_and_a_median_below_the_hours():
    low = Spread(20, Decimal("50"), Decimal("40"), Decimal("60"))
    assert below_declared(low, Decimal("60"))
    assert not below_declared(low, Decimal("50"))
    assert not below_declared(Spread(19, Decimal("50"), Decimal("40"), Decimal("60")),
                              Decimal("60"))
    assert not below_declared(None, Decimal("60"))
