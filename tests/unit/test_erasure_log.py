"""The erasure log outside the database: appended line by line, read back whole; a line a
crash cut short is not an erasure (its deletion never answered)."""
from __future__ import annotations

import datetime as dt
import stat

import pytest

from nmt_course import erasure_log

AT = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)


def test_appended_erasures_read_back_in_order_and_after_a_moment(tmp_path):
    path = tmp_path / "instance" / "erasure_log.jsonl"
    first = erasure_log.Erasure(7, erasure_log.email_digest("a@example.com"), AT)
    second = erasure_log.Erasure(9, erasure_log.email_digest("b@example.com"),
                                 AT + dt.timedelta(hours=1))
    erasure_log.append(path, first)
    erasure_log.append(path, second)
    assert erasure_log.read(path) == [first, second]
    assert erasure_log.after(erasure_log.read(path), AT) == [second]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "a@example.com" not in path.read_text()


def test_a_line_cut_short_is_ignored_and_a_foreign_line_is_an_error(tmp_path):
    path = tmp_path / "log.jsonl"
    erasure_log.append(path, erasure_log.Erasure(1, "ab" * 32, AT))
    with path.open("a") as handle:
        handle.write('{"user_id": 2, "email_sha')
    assert [entry.user_id for entry in erasure_log.read(path)] == [1]
    path.write_text('{"user": 3}\n')
    with pytest.raises(ValueError, match="not an erasure record"):
        erasure_log.read(path)
    assert erasure_log.read(tmp_path / "missing.jsonl") == []
