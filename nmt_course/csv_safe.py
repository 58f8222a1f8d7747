"""The one way the product writes CSV. Pure.

A spreadsheet runs a cell that starts with =, +, - or @ as a formula (and tab or carriage
return can smuggle one in), so such a cell is prefixed with a single quote, as OWASP's
advice on CSV injection says. A plain number such as -0.25 cannot be a formula and is left
as it is, so spreadsheets still read it as a number. Reports from clinics, CE rosters and
item analysis all pass through here.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
SEPARATOR = "\x00"
RISKY_CELL = re.compile("(?:^|\x00)[=+\\-@\t\r]")
# In written CSV a cell starts after a line's end or a comma, behind its opening quote if
# quoted (a cell with a carriage return always is: an unquoted one after a comma is the
# line's end after an empty last cell).
RISKY_START = re.compile('[,\n](?:"?[=+\\-@\t]|"\r)')
# What csv.writer quotes a cell for (QUOTE_MINIMAL, lines ended by "\r\n").
NEEDS_QUOTES = re.compile('[,"\r\n]')


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (UTF-8 text with a BOM, so spreadsheet programs read accents right)."""
    rows = list(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    start = buffer.tell()
    # A clinic's report writes hundreds of thousands of cells: they are written as they are,
    # and the written text is searched once for a cell that may start a formula. Only if
    # one may (a false alarm costs time, never safety) is it written again, a row at a time.
    writer.writerows(rows)
    if RISKY_START.search(buffer.getvalue(), start - 1):
        buffer.seek(start)
        buffer.truncate()
        for row in rows:
            # One look at the whole row (its cells joined by a character that starts none
            # of them), cell by cell only if some cell may start a formula.
            if RISKY_CELL.search(SEPARATOR.join(map(str, row))):
                row = [neutralise(cell) for cell in row]
            writer.writerow(row)
    return "\ufeff" + buffer.getvalue()


def cell(value: object) -> str:
    """One cell as `to_csv` writes it: neutralised, then quoted if CSV needs it. For
    documents whose lines are built from such cells joined by commas (`from_lines`), where
    most cells repeat (a person's name on each of their rows) and are written once."""
    text = neutralise(value)
    if NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def from_lines(header: Sequence[str], lines: Iterable[str]) -> str:
    """The document `to_csv` writes, from lines already written: each line's cells are
    `cell(...)`'s text, or text that can be neither a formula nor need quotes (numbers,
    dates, the product's own words), joined by commas. (A line of a single empty cell is
    not one: csv.writer writes it as a quoted empty cell.)"""
    return "\ufeff" + "\r\n".join([",".join(map(cell, header)), *lines, ""])
