"""The pure parts of CE records: the retention period's dates, the transcript's totals and
periods, and the rosters' names, states and formula-safe cells."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from nmt_course import retention
from nmt_course.certificates import ce_roster
from nmt_course.certificates.transcript import Entry, parse_period, period_total, year_totals


def entry(day: dt.date, hours: str, counted: bool = True, course_id: int | None = None) -> Entry:
    """A certificate of its own course unless `course_id` says which."""
    return Entry(course_id=course_id or day.toordinal(), code="X", course_title="C",
                 completed_on=day, approval_number="",
                 ce_hours=Decimal(hours), counted=counted,
                 status="valid" if counted else "revoked")


def test_the_retention_period_is_six_years_to_the_day():
    assert retention.RETENTION_YEARS == 6
    issued = dt.datetime(2024, 2, 29, 12, tzinfo=dt.timezone.utc)
    assert retention.kept_until(issued) == dt.datetime(2030, 2, 28, 12, tzinfo=dt.timezone.utc)
    assert retention.years_before(dt.datetime(2030, 3, 1, tzinfo=dt.timezone.utc)) == \
        dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc)


def test_totals_per_year_and_period_leave_revoked_certificates_out():
    entries = [entry(dt.date(2025, 12, 31), "3"), entry(dt.date(2026, 1, 1), "1.5"),
               entry(dt.date(2026, 6, 1), "2", counted=False)]
    assert year_totals(entries) == [(2026, Decimal("1.5")), (2025, Decimal("3"))]
    period, problems = parse_period("2025-12-31", "2026-12-31")
    assert problems == [] and period_total(entries, period) == Decimal("4.5")
    open_start, _ = parse_period("", "2025-12-31")
    assert period_total(entries, open_start) == Decimal("3")


def test_a_course_completed_twice_in_a_period_counts_its_ces_once():
    """The board's rule: a CE cannot be used more than once in a renewal period."""
    entries = [entry(dt.date(2025, 1, 10), "3.5", course_id=1),
               entry(dt.date(2025, 12, 20), "3.5", course_id=1),
               entry(dt.date(2025, 6, 1), "2", course_id=2)]
    period, _ = parse_period("2025-01-01", "2026-12-31")
    assert period_total(entries, period) == Decimal("5.5")
    assert year_totals(entries) == [(2025, Decimal("5.5"))]
    later, _ = parse_period("2025-06-01", "2026-12-31")  # the first completion is outside
    assert period_total(entries, later) == Decimal("5.5")


def test_a_period_must_not_end_before_it_starts():
    _, problems = parse_period("2026-02-01", "2026-01-31")
    assert problems == ["The period ends (2026-01-31) before it starts (2026-02-01): swap the "
                        "dates."]
    assert parse_period("2026-13-01", "")[1] == [
        "From: “2026-13-01” is not a date; use the form 2026-03-31."]
    assert parse_period("2026-01-31", "2026-01-31")[1] == []  # one day is a period


def test_names_split_at_the_family_name_the_account_gives():
    assert ce_roster.split_name("María José de la Cruz", "de la Cruz") == (
        "María José", "de la Cruz")
    assert ce_roster.split_name("Jane Q. Learner", "") == ("Jane Q.", "Learner")
    assert ce_roster.split_name("Cher", "") == ("", "Cher")


def test_state_codes_for_cebroker():
    assert ce_roster.state_code("fl") == "FL" and ce_roster.state_code("Florida") == "FL"
    assert ce_roster.state_code("New York") == "NY"
    assert ce_roster.state_code("Ontario") == "" and ce_roster.state_code(None) == ""
    assert ce_roster.state_code("ZZ") == ""


def line(**changes) -> ce_roster.RosterLine:
    fields = dict(licence_number="MA-1", licence_state="FL", given_name="Jane",
                  family_name="Learner", completed_on=dt.date(2026, 5, 1),
                  ce_hours=Decimal("3.50"), approval_number="AP-1", code="ABCD-EFGH")
    fields.update(changes)
    return ce_roster.RosterLine(**fields)


def test_spreadsheet_cells_that_would_run_are_stored_as_text():
    data = ce_roster.readable_xlsx([line(given_name="=1+1", family_name="@SUM(A1)",
                                         licence_number="+1")])
    sheet = load_workbook(io.BytesIO(data))["Roster"]
    cells = [cell for cell in sheet[2]]
    assert [cell.value for cell in cells[:4]] == ["'+1", "FL", "'=1+1", "'@SUM(A1)"]
    assert all(cell.data_type != "f" for cell in cells)
    assert cells[5].value == 3.5  # a number stays a number


def test_cebroker_rows_only_for_licensed_learners():
    data = ce_roster.cebroker_xlsx([line(), line(licence_number=None)], "7777", "0123")
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert len(rows) == 1 and rows[0][4] == "MA-1" and rows[0][6] == "State=FL"
    assert list(load_workbook(io.BytesIO(ce_roster.cebroker_xlsx([], "1", "2")))
                .active.iter_rows(values_only=True)) == []
