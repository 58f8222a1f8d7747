"""Certificate codes, safe redirects and formatting."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from nmt_course import codes
from nmt_course.formatting import ce_label, long_date
from nmt_course.security import safe_next


def test_codes_are_long_random_and_typeable():
    made = {codes.new_code() for _ in range(2000)}
    assert len(made) == 2000
    for code in list(made)[:50]:
        assert len(code) == 28 and set(code) <= set(codes.ALPHABET)
        shown = codes.display(code)
        assert shown.count("-") == 6
        assert codes.normalise(shown) == code
        assert codes.normalise(shown.lower().replace("-", " ")) == code
    assert len(codes.ALPHABET) ** codes.LENGTH >= 2 ** 128
    assert codes.display("0123456789ABCDEFGHJKMNPQRSTV") == "0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV"
    assert codes.display("0123456789") == "0123-4567-89"  # any other length, in fours too


def test_normalise_forgives_misreadings_and_refuses_junk():
    code = "0123456789ABCDEFGHJKMNPQRSTV"
    assert codes.normalise("O123456789ABCDEFGHJKMNPQRSTV") == code
    assert codes.normalise("0I23456789ABCDEFGHJKMNPQRSTV") == "0123456789ABCDEFGHJKMNPQRSTV"
    assert codes.normalise(code[:-1]) is None
    assert codes.normalise(code[:-1] + "U") is None
    assert codes.normalise("<script>") is None


@pytest.mark.parametrize("target", ["/dashboard", "/courses/a?x=1#top", "/"])
def test_safe_next_keeps_paths_on_this_site(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", [
    None, "", "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil",
    "javascript:alert(1)", "http:/evil.example", "/\tevil", "evil.example",
    "/ok\r\nLocation: x", "ftp://x",
])
def test_safe_next_refuses_everything_else(target):
    assert safe_next(target) is None


def test_ce_and_dates_read_naturally():
    assert ce_label(Decimal("2.00")) == "2 CEs"
    assert ce_label(Decimal("1.50")) == "1.5 CEs"
    assert ce_label(Decimal("1")) == "1 CE"
    assert long_date(dt.date(2026, 3, 7)) == "March 7, 2026"
