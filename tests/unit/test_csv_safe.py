"""CSV cells can never become spreadsheet formulas."""
from __future__ import annotations

import csv
import io

import pytest

from nmt_course.csv_safe import neutralise, to_csv


@pytest.mark.parametrize("value", ["=1+1", "+1", "-2+3", "-A1", "@SUM(A1)", "\t=cmd",
                                   "\r=cmd", "=HYPERLINK(\"http://evil\")", "-1e3", "--1"])
def test_cells_that_start_a_formula_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value, shown", [("Jane", "Jane"), ("O'Neil", "O'Neil"),
                                          (85, "85"), (None, ""), ("a=b", "a=b"),
                                          ("María Núñez", "María Núñez"), ("-0.25", "-0.25"),
                                          (-2, "-2")])
def test_other_cells_are_left_as_they_are(value, shown):
    assert neutralise(value) == shown


def test_a_document_neutralises_every_cell_and_quotes_what_csv_needs():
    text = to_csv(["name", "=note"], [["=2+3", 'said "hi", left'], ["-1-1", "plain"]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows == [["name", "'=note"], ["'=2+3", 'said "hi", left'], ["'-1-1", "plain"]]


def test_a_risky_cell_anywhere_in_a_row_is_neutralised():
    """The writer looks at a whole row at once: a formula in its last cell, or after a
    number or an empty cell, is caught as surely as in its first."""
    text = to_csv(["a", "b", "c", "d"], [[1, "", None, "=SUM(A1)"], ["x", -2, "@cmd", 3]])
    assert text.splitlines()[1:] == ["1,,,'=SUM(A1)", "x,-2,'@cmd,3"]
