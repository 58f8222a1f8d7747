"""A CSV of staff to invite (name and e-mail per row), read as text. Pure.

A header row is optional: with one, the columns are found by name ("name", "e-mail" and
their common spellings), in any order; without one, the cell holding an @ is the address
and the other one the name. Each bad row is reported by its line; good rows are kept.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from ..text import email_address

MAX_ROWS = 500
MAX_BYTES = 256 * 1024
NAME_HEADERS = {"name", "full name", "legal name", "staff name"}
EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mail address", "mail"}


@dataclass(frozen=True)
class Invitee:
    line: int
    name: str
    email: str


@dataclass
class Roster:
    invitees: list[Invitee] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line N: why"


def _columns(cells: list[str]) -> tuple[int, int] | None:
    """(name column, e-mail column) if `cells` is a header row."""
    names = [cell.strip().casefold() for cell in cells]
    email = next((i for i, cell in enumerate(names) if cell in EMAIL_HEADERS), None)
    name = next((i for i, cell in enumerate(names) if cell in NAME_HEADERS), None)
    if email is None:
        return None
    return (name if name is not None else -1), email


def roster_text(data: bytes) -> str:
    """The file as text: UTF-8 (with or without a byte-order mark), else Windows-1252 as
    older spreadsheet programs save CSV. ValueError with a reason for anything else."""
    if len(data) > MAX_BYTES:
        raise ValueError("The file is larger than 256 KB: split it into smaller files.")
    if b"\x00" in data:
        raise ValueError("This is not a CSV file: save the spreadsheet as CSV and try again.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise ValueError("The file's characters could not be read: save it as CSV "
                             "(UTF-8) and try again.") from None


def read_roster(text: str) -> Roster:
    roster = Roster()
    try:
        rows = list(enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")),
                              start=1))
    except csv.Error as error:
        roster.problems.append(f"The file could not be read as CSV ({error}).")
        return roster
    rows = [(line, cells) for line, cells in rows if any(cell.strip() for cell in cells)]
    if not rows:
        roster.problems.append("The file has no rows.")
        return roster
    columns = _columns(rows[0][1])
    if columns is not None:
        rows = rows[1:]
    seen: dict[str, int] = {}
    for line, cells in rows:
        if len(roster.invitees) >= MAX_ROWS:
            roster.problems.append(f"line {line}: only {MAX_ROWS} people at a time; "
                                   "send the rest in another file")
            break
        if columns is not None:
            name_at, email_at = columns
            address = cells[email_at] if email_at < len(cells) else ""
            name = cells[name_at] if 0 <= name_at < len(cells) else ""
        else:
            address = next((cell for cell in cells if "@" in cell), "")
            name = next((cell for cell in cells if "@" not in cell and cell.strip()), "")
        if not address.strip():
            roster.problems.append(f"line {line}: no e-mail address")
            continue
        try:
            email = email_address(address)
        except ValueError as error:
            roster.problems.append(f"line {line}: '{address.strip()[:80]}' is not an e-mail "
                                   f"address ({error})")
            continue
        if email in seen:
            roster.problems.append(f"line {line}: {email} is already on line {seen[email]}")
            continue
        seen[email] = line
        roster.invitees.append(Invitee(line, name, email))
    return roster
