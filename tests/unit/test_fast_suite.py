"""Which PostgreSQL runs the fast suite keeps (tests/conftest.py): only those of tests marked
`dialect`; every other test's PostgreSQL run is slow, so `-m "not slow"` leaves it out and the
whole suite still runs it."""
from __future__ import annotations

from types import SimpleNamespace

from tests.conftest import pytest_collection_modifyitems


class Item:
    """What the collection hook reads of a collected test: its parameters and its marks."""

    def __init__(self, backend: str | None, *marks: str):
        self.callspec = None if backend is None else SimpleNamespace(params={"backend": backend})
        self.marks = set(marks)

    def get_closest_marker(self, name: str):
        return name if name in self.marks else None

    def add_marker(self, mark) -> None:
        self.marks.add(mark.name)


def test_only_tests_marked_dialect_run_on_postgresql_in_the_fast_suite():
    items = {"plain on PostgreSQL": Item("postgresql"),
             "dialect on PostgreSQL": Item("postgresql", "dialect"),
             "plain on SQLite": Item("sqlite"),
             "not a database test": Item(None)}
    pytest_collection_modifyitems(list(items.values()))
    slow = {name for name, item in items.items() if "slow" in item.marks}
    assert slow == {"plain on PostgreSQL"}

