"""A roster of staff to invite (name and e-mail per row): a CSV file, or an Excel .xlsx
workbook read directly. Pure.

CSV files may separate cells with commas, semicolons (Excel in much of Europe) or tabs: the
separator is detected. A header row is optional: with one, the columns are found by name
("name", or "first name" and "last name", and "e-mail", in their common spellings), in any
order; without one, the cell holding an @ is the address and the other one the name. Each bad
row is reported by its line; good rows are kept. A file over the limits is refused whole
(ValueError naming the limit), so that nothing is invited from it.
"""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..text import email_address

MAX_ROWS = 500
MAX_BYTES = 256 * 1024
# An .xlsx is a zip: what its parts may unpack to, so that a small file cannot expand into
# hundreds of megabytes in memory.
MAX_XLSX_UNPACKED = 8 * 1024 * 1024
MAX_COLUMNS = 50
SEPARATORS = ",;\t"
NAME_HEADERS = {"name", "full name", "legal name", "staff name"}
FIRST_NAME_HEADERS = {"first name", "firstname", "first", "given name", "forename"}
LAST_NAME_HEADERS = {"last name", "lastname", "last", "surname", "family name"}
EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mail address", "mail"}
TOO_MANY_ROWS = (f"The file has more than {MAX_ROWS} people: invite at most {MAX_ROWS} at a "
                 "time (split the file). Nobody was invited.")


@dataclass(frozen=True)
class Invitee:
    line: int
    name: str
    email: str


@dataclass
class Roster:
    invitees: list[Invitee] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line N: why"


@dataclass(frozen=True)
class _Columns:
    email: int
    names: tuple[int, ...]  # joined with a space: (name,) or (first name, last name)


def _columns(cells: list[str]) -> _Columns | None:
    """Where the address and the name are, if `cells` is a header row."""
    names = [cell.strip().casefold() for cell in cells]

    def find(headers: set[str]) -> int | None:
        return next((i for i, cell in enumerate(names) if cell in headers), None)

    email = find(EMAIL_HEADERS)
    if email is None:
        return None
    whole = find(NAME_HEADERS)
    if whole is not None:
        return _Columns(email, (whole,))
    return _Columns(email, tuple(i for i in (find(FIRST_NAME_HEADERS), find(LAST_NAME_HEADERS))
                                 if i is not None))


def _check_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise ValueError(f"The file is larger than {MAX_BYTES // 1024} KB: split it into "
                         "smaller files. Nobody was invited.")


def roster_text(data: bytes) -> str:
    """The file as text: UTF-8 (with or without a byte-order mark), else Windows-1252 as
    older spreadsheet programs save CSV. ValueError with a reason for anything else."""
    _check_size(data)
    if b"\x00" in data:
        raise ValueError("This is not a CSV file: save the spreadsheet as CSV or .xlsx and try "
                         "again.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise ValueError("The file's characters could not be read: save it as CSV "
                             "(UTF-8) and try again.") from None


def separator(text: str) -> str:
    """The cell separator of a CSV text: the sniffer's guess from its first lines, else the
    one of `SEPARATORS` that occurs most in the first line (a comma on a tie)."""
    sample = "\n".join(text[:8192].splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        return max(SEPARATORS, key=lambda mark: (first.count(mark), mark == ","))


def read_roster(text: str) -> Roster:
    """The rows of a CSV text. ValueError if it holds more than MAX_ROWS people."""
    text = text.lstrip("\ufeff")
    try:
        rows = list(enumerate(csv.reader(io.StringIO(text, newline=""),
                                         delimiter=separator(text)), start=1))
    except csv.Error as error:
        return Roster(problems=[f"The file could not be read as CSV ({error})."])
    return _roster(rows)


def read_xlsx(data: bytes) -> Roster:
    """The rows of the first sheet of an .xlsx workbook. ValueError for a file that is not
    one, or over the limits."""
    from openpyxl import load_workbook  # only rosters need it

    _check_size(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except zipfile.BadZipFile:
        raise ValueError("This .xlsx file could not be opened: save it again from the "
                         "spreadsheet program, or as CSV.") from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise ValueError(f"This workbook unpacks to more than {MAX_XLSX_UNPACKED // 2**20} MB: "
                         "save the staff list alone as CSV. Nobody was invited.")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            # One row more than a header and MAX_ROWS people may hold, to tell it is too many.
            rows = [(line, ["" if cell is None else str(cell) for cell in cells])
                    for line, cells in enumerate(sheet.iter_rows(
                        max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS, values_only=True), start=1)]
        finally:
            book.close()
    except Exception:  # openpyxl raises many kinds (ValueError too) on a damaged file
        raise ValueError("This .xlsx file could not be read: save it again from the "
                         "spreadsheet program, or as CSV.") from None
    return _roster(rows)


def read_upload(filename: str, data: bytes) -> Roster:
    """A roster from an uploaded file: an .xlsx workbook (known by its zip signature) or
    CSV text."""
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        return read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValueError("This is an older Excel file (.xls): save it as .xlsx or CSV and try "
                         "again.")
    return read_roster(roster_text(data))


def _roster(numbered: Iterable[tuple[int, list[str]]]) -> Roster:
    rows = [(line, cells) for line, cells in numbered if any(cell.strip() for cell in cells)]
    if not rows:
        return Roster(problems=["The file has no rows."])
    columns = _columns(rows[0][1])
    if columns is not None:
        rows = rows[1:]
    if len(rows) > MAX_ROWS:
        raise ValueError(TOO_MANY_ROWS)
    roster = Roster()
    seen: dict[str, int] = {}
    for line, cells in rows:
        if columns is not None:
            address = cells[columns.email] if columns.email < len(cells) else ""
            parts = [cells[i] for i in columns.names if i < len(cells) and cells[i].strip()]
            name = parts[0] if len(parts) == 1 else " ".join(part.strip() for part in parts)
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
