"""web.bulk_work: the cycle collector paused for a page's bulk work, and always back after."""
from __future__ import annotations

import gc

import pytest

from nmt_course.web import bulk_work


def test_the_collector_is_paused_inside_and_back_after_even_on_an_error():
    assert gc.isenabled()
    with bulk_work():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(LookupError), bulk_work():
        raise LookupError
    assert gc.isenabled()


def test_a_collector_paused_by_someone_else_stays_paused():
    gc.disable()
    try:
        with bulk_work():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
