"""Rosters of a course's completions for state reporting, from plain data: a readable roster
as CSV (through the one CSV writer) and as .xlsx (openpyxl, with the same formula-safe rule),
learners without a licence number listed apart; and the file CE Broker takes for a
full-credit roster upload. Pure: no Flask, no database.

CE Broker's layout (help.cebroker.com, "Creating Excel Files (Full Course Credit)",
https://help.cebroker.com/hc/en-us/articles/15226514662548): one row per licensee, no other
rows; column A the provider tracking number without "50-", B the course tracking number
without "20-" (or C the provider's own course id), D an optional publishing number, E the
licence number, F the completion date as an Excel date (12/3/2008), G "State=XX", H
"Profession=XX" (optional; this site leaves it empty).
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook

from ..csv_safe import neutralise, to_csv

HEADER = ("Licence number", "Licence state", "Given name", "Family name", "Completion date",
          "CEs", "Course approval number", "Certificate code")
APART = "Learners without a licence number (not reportable until they add one)"

US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL",
    "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI",
    "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ",
    "new mexico": "NM", "new york": "NY", "north carolina": "NC", "north dakota": "ND",
    "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN",
    "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR"}


@dataclass(frozen=True)
class RosterLine:
    licence_number: str | None
    licence_state: str | None
    given_name: str
    family_name: str
    completed_on: dt.date
    ce_hours: Decimal
    approval_number: str
    code: str

    def cells(self) -> tuple:
        return (self.licence_number or "", self.licence_state or "", self.given_name,
                self.family_name, self.completed_on, self.ce_hours, self.approval_number,
                self.code)


def split_name(legal_name: str, family_name: str) -> tuple[str, str]:
    """Given and family name from the legal name the certificate printed: the family name
    the account names when the legal name ends with it, else its last word."""
    if family_name and legal_name.casefold().endswith(family_name.casefold()) \
            and len(legal_name) > len(family_name):
        return legal_name[:-len(family_name)].strip(), legal_name[-len(family_name):]
    given, _, last = legal_name.rpartition(" ")
    return given.strip(), last


def apart(lines: Sequence[RosterLine]) -> tuple[list[RosterLine], list[RosterLine]]:
    """Those with a licence number, and those without (listed apart, never dropped)."""
    return ([line for line in lines if line.licence_number],
            [line for line in lines if not line.licence_number])


def _text_cells(line: RosterLine) -> list[object]:
    return [cell.isoformat() if isinstance(cell, dt.date) else
            f"{cell.normalize():f}" if isinstance(cell, Decimal) else cell
            for cell in line.cells()]


def readable_csv(lines: Sequence[RosterLine]) -> str:
    """The roster; below it, after an empty row, the learners without a licence number."""
    licensed, unlicensed = apart(lines)
    rows: list[Sequence[object]] = [_text_cells(line) for line in licensed]
    if unlicensed:
        rows += [[], [APART], *(_text_cells(line) for line in unlicensed)]
    return to_csv(HEADER, rows)


def _safe(value: object) -> object:
    """A cell as the spreadsheet gets it: text neutralised as the CSV writer does (a string
    beginning with = would otherwise be stored as a formula), dates and numbers as such."""
    if isinstance(value, (dt.date, Decimal, int, float)) or value is None:
        return value
    return neutralise(value)


def _sheet(workbook: Workbook, title: str, lines: Sequence[RosterLine], *, first: bool):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append([_safe(cell) for cell in HEADER])
    for line in lines:
        sheet.append([_safe(cell) for cell in line.cells()])
    for row in sheet.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    return sheet


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def readable_xlsx(lines: Sequence[RosterLine]) -> bytes:
    """The roster on one sheet, the learners without a licence number on a second."""
    licensed, unlicensed = apart(lines)
    workbook = Workbook()
    _sheet(workbook, "Roster", licensed, first=True)
    _sheet(workbook, "No licence number", unlicensed, first=False)
    return _bytes(workbook)


def state_code(licence_state: str | None) -> str:
    """A US state's two-letter code from what the learner typed ("FL", "Florida"), or ""."""
    typed = (licence_state or "").strip()
    if len(typed) == 2 and typed.isalpha() and typed.upper() in US_STATES.values():
        return typed.upper()
    return US_STATES.get(typed.casefold(), "")


def cebroker_xlsx(lines: Sequence[RosterLine], provider_number: str,
                  course_number: str) -> bytes:
    """CE Broker's full-credit roster upload: one row per licensed learner (columns A-H as
    its help centre documents them), nothing else; learners without a licence number
    cannot be reported and are left to the readable roster, which lists them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Roster"
    for line in apart(lines)[0]:
        state = state_code(line.licence_state)
        sheet.append([_safe(provider_number), _safe(course_number), None, None,
                      _safe(line.licence_number), line.completed_on,
                      f"State={state}" if state else None, None])
        sheet.cell(sheet.max_row, 6).number_format = "m/d/yyyy"
    return _bytes(workbook)
