"""The pure clinic rules: due dates for later joiners, statuses, report sorting and bars, and
reading a roster CSV."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest

from nmt_course.clinics.compliance import (AssignmentFacts, QuizResult, ReportRow, Status,
                                           course_bars, due_on, effective_due_dates,
                                           needs_reminder, select_rows, status)
from nmt_course.clinics.roster import read_roster, read_upload, read_xlsx, roster_text

UTC = dt.timezone.utc
MADE = dt.datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # a Monday afternoon
DUE = dt.date(2026, 11, 16)  # 14 days on


def facts(joined: dt.datetime, *, personal=False, course=1, due=DUE, tz=UTC):
    return AssignmentFacts(course, due, personal, MADE, joined, tz)


def test_staff_who_joined_before_keep_the_date_and_later_ones_get_as_many_days():
    assert due_on(facts(MADE - dt.timedelta(days=30))) == DUE
    assert due_on(facts(MADE + dt.timedelta(days=3))) == DUE + dt.timedelta(days=3)
    assert due_on(facts(MADE + dt.timedelta(days=3), personal=True)) == DUE


def test_days_are_counted_on_the_providers_calendar():
    # Made at 15:00 UTC = 04:00 next day in Auckland: the 14 days count from November 3 there.
    auckland = ZoneInfo("Pacific/Auckland")
    joined = dt.datetime(2026, 11, 10, 12, 0, tzinfo=UTC)  # November 11 in Auckland
    assert due_on(facts(joined, tz=auckland)) == dt.date(2026, 11, 24)
    assert due_on(facts(joined)) == dt.date(2026, 11, 24)  # 10 Nov + 14 in UTC


def test_a_personal_assignment_replaces_the_clinics_for_that_person():
    joined = MADE - dt.timedelta(days=1)
    dates = effective_due_dates([facts(joined, personal=True, due=dt.date(2026, 11, 5)),
                                 facts(joined), facts(joined, course=2)])
    assert dates == {1: dt.date(2026, 11, 5), 2: DUE}


@pytest.mark.parametrize("completed, started, today, expected", [
    (True, True, DUE + dt.timedelta(days=5), Status.COMPLETED),
    (False, True, DUE + dt.timedelta(days=1), Status.OVERDUE),
    (False, False, DUE, Status.NOT_STARTED),
    (False, True, DUE, Status.IN_PROGRESS),
])
def test_status(completed, started, today, expected):
    assert status(completed=completed, started=started, due=DUE, today=today) is expected


def test_reminders_start_a_week_before_and_go_on_after():
    assert needs_reminder(DUE, DUE - dt.timedelta(days=7))
    assert not needs_reminder(DUE, DUE - dt.timedelta(days=8))
    assert needs_reminder(DUE, DUE + dt.timedelta(days=30))


def row(name, state, percent=0, course=1, failures=0):
    quizzes = (QuizResult("Lesson", 1, 50, False, failures),) if failures else ()
    return ReportRow(hash(name), name, f"{name}@x.org", course, f"Course {course}", DUE, state,
                     percent, 3, 0, quizzes, None, None)


def test_selecting_sorting_and_bars():
    rows = [row("cy", Status.NOT_STARTED), row("ann", Status.COMPLETED, 100),
            row("bob", Status.OVERDUE, 50, failures=2), row("dee", Status.IN_PROGRESS, 50, 2)]
    assert [r.name for r in select_rows(rows)] == ["bob", "cy", "dee", "ann"]
    assert [r.name for r in select_rows(rows, sort="name")] == ["ann", "bob", "cy", "dee"]
    assert [r.name for r in select_rows(rows, wanted=Status.OVERDUE)] == ["bob"]
    assert [r.name for r in select_rows(rows, course_id=2)] == ["dee"]
    assert rows[2].struggling_with == ("Lesson",) and rows[0].struggling_with == ()
    (one, two) = course_bars(rows)
    assert dict(one.counts) == {Status.COMPLETED: 1, Status.IN_PROGRESS: 0,
                                Status.NOT_STARTED: 1, Status.OVERDUE: 1}
    assert one.total == 3 and two.total == 1


def test_a_roster_with_a_header_in_any_order():
    # Names as the file has them (the invitation cleans them); addresses as they are stored.
    roster = read_roster("E-mail,Full name\nAnn@X.org, Ann  Able \nbob@x.org,Bob\n")
    assert [(i.line, i.name, i.email) for i in roster.invitees] == [
        (2, " Ann  Able ", "ann@x.org"), (3, "Bob", "bob@x.org")]
    assert roster.problems == []


def test_a_roster_without_a_header_finds_the_address():
    roster = read_roster("\ufeffAnn Able;,ANN@X.ORG\nbob@x.org\n")
    assert [(i.name, i.email) for i in roster.invitees] == [("Ann Able;", "ann@x.org"),
                                                           ("", "bob@x.org")]


def test_bad_rows_are_reported_by_line_and_good_rows_kept():
    roster = read_roster("name,email\nA,a@x.org\nB,b@\nC,\nD,a@x.org\n" + "E," + "e" * 300
                         + "@x.org\n")
    assert [i.email for i in roster.invitees] == ["a@x.org"]
    assert [p.split(":")[0] for p in roster.problems] == ["line 3", "line 4", "line 5",
                                                          "line 6"]


def test_roster_files_are_text():
    assert roster_text("Zoë,z@x.org".encode("cp1252")) == "Zoë,z@x.org"
    assert roster_text("\ufeffZoë,z@x.org".encode()) == "Zoë,z@x.org"
    with pytest.raises(ValueError, match="not a CSV file"):
        roster_text(b"\x89PNG\x00\x00")
    with pytest.raises(ValueError, match="larger than 256 KB"):
        roster_text(b"x" * (256 * 1024 + 1))


@pytest.mark.parametrize("mark", [",", ";", "\t"])
def test_a_roster_separated_by_commas_semicolons_or_tabs(mark):
    text = mark.join(["Last name", "E-mail", "First name"]) + "\r\n" + mark.join(
        ["Able", "ann@x.org", "Ann"]) + "\r\n" + mark.join(["Bay", "bo@x.org", "Bo"]) + "\r\n"
    roster = read_upload("staff.csv", ("\ufeff" + text).encode())
    assert [(i.line, i.name, i.email) for i in roster.invitees] == [
        (2, "Ann Able", "ann@x.org"), (3, "Bo Bay", "bo@x.org")]
    assert roster.problems == []


def test_a_semicolon_roster_from_european_excel_with_a_comma_in_a_name():
    roster = read_roster("Name;E-mail\n\"Able, Ann\";ann@x.org\nBo Bay;bo@x.org\n")
    assert [(i.name, i.email) for i in roster.invitees] == [("Able, Ann", "ann@x.org"),
                                                           ("Bo Bay", "bo@x.org")]


def _workbook(rows) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_roster_is_read_directly():
    data = _workbook([["First name", "Last name", "Email"], ["Ann", "Able", "ANN@x.org"],
                      [None, None, None], ["Cy", "Coe", "not-an-address"]])
    roster = read_upload("Staff list.xlsx", data)
    assert [(i.line, i.name, i.email) for i in roster.invitees] == [(2, "Ann Able", "ann@x.org")]
    assert [p.split(":")[0] for p in roster.problems] == ["line 4"]


def test_a_roster_over_the_row_limit_is_refused_whole_with_the_limit_named():
    people = "".join(f"p{n}@x.org\n" for n in range(501))
    with pytest.raises(ValueError, match="more than 500 people"):
        read_roster("email\n" + people)
    assert len(read_roster("email\n" + people[people.index("\n") + 1:]).invitees) == 500
    with pytest.raises(ValueError, match="more than 500 people"):
        read_xlsx(_workbook([["Email"]] + [[f"p{n}@x.org"] for n in range(501)]))


def test_an_xlsx_that_unpacks_too_far_or_is_damaged_is_refused():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * 9_000_000)
    assert len(bomb.getvalue()) < 256 * 1024
    with pytest.raises(ValueError, match="unpacks to more than 8 MB"):
        read_upload("staff.xlsx", bomb.getvalue())
    with pytest.raises(ValueError, match="could not be opened"):
        read_upload("staff.xlsx", b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError, match="larger than 256 KB"):
        read_upload("staff.xlsx", b"PK\x03\x04" + b"x" * 256 * 1024)
    with pytest.raises(ValueError, match="older Excel file"):
        read_upload("staff.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
