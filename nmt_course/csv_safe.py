"""The one way the product writes CSV. Pure.

A spreadsheet runs a cell that starts with =, +, - or @ as a formula (and tab or carriage
return can smuggle one in), so such a cell is prefixed with a single quote, as OWASP's
advice on CSV injection says. Reports from clinics, CE rosters and item analysis all pass
through here.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (UTF-8 text with a BOM, so spreadsheet programs read accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()
