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


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (UTF-8 text with a BOM, so spreadsheet programs read accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        # One look at the whole row (its cells joined by a character that starts none of
        # them), cell by cell only if some cell may start a formula: a clinic's report
        # writes hundreds of thousands of cells.
        if RISKY_CELL.search(SEPARATOR.join(map(str, row))):
            row = [neutralise(cell) for cell in row]
        writer.writerow(row)
    return "\ufeff" + buffer.getvalue()
