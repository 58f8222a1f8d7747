"""CSV cells can never become spreadsheet formulas."""
from __future__ import annotations

import csv
import io

import pytest

from nmt_course.csv_safe import cell, from_lines, neutralise, to_csv


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


def _cell_by_cell(header, rows) -> str:
    """What the writer must produce: every cell neutralised, then written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow([neutralise(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


@pytest.mark.parametrize("cells", [
    ["plain", 3, None, "2026-12-06", "Mary-Jane", "a=b", ""],  # nothing risky
    ["=1+1", "x"], ["x", "=1+1"], ["x", "", "@cmd"], ["\tcmd", "x"], ["x", "\r=cmd"],
    ["x", "line\n=SUM(A1)"], ["x", "\tcmd"], ["\r=cmd", "x"], ["x", 'say "hi", =no'], ["a,=b", "c"], ["-2", "x", "-0.5"],
    ["x", ""], ["", "+1"], ["x", "\t"], ['"=quoted', "x"], ["x", "tab\there"],
    ["x", '=HYPERLINK("http://evil")'], ['=HYPERLINK("http://evil")', "x"], ["=a,b", "x"]])
def test_a_document_is_what_writing_each_neutralised_cell_gives(cells):
    """The writer writes a document at once and looks for a risky cell in the text only:
    whatever the cells (quoted, multi-line, numbers, empty last), the document is the same
    as neutralising every cell first."""
    header = ["a", "=b"]
    rows = [["first", 1], cells, ["last", "", ""]]
    assert to_csv(header, rows) == _cell_by_cell(header, rows)
    assert to_csv(header, iter(rows)) == _cell_by_cell(header, rows)
    # Lines written cell by cell (the clinic report's CSV) make the same document.
    assert from_lines(header, [",".join(map(cell, row)) for row in rows]) == _cell_by_cell(
        header, rows)


@pytest.mark.parametrize("value, written", [
    ("plain", "plain"), (3, "3"), (None, ""), ("=1+1", "'=1+1"), ("a,b", '"a,b"'),
    ('say "hi"', '"say ""hi"""'), ("line\nbreak", '"line\nbreak"'), ("\r=cmd", "\"'\r=cmd\""),
    ('=HYPERLINK("http://evil")', '"\'=HYPERLINK(""http://evil"")"'), ("-0.5", "-0.5")])
def test_a_cell_is_written_neutralised_and_quoted(value, written):
    assert cell(value) == written


@pytest.mark.parametrize("first", ["=1+1", '=HYPERLINK("http://evil")', "\r=cmd", "@cmd"])
def test_the_first_cell_after_the_header_is_looked_at_too(first):
    assert to_csv(["a", "b"], [[first, "x"]]) == _cell_by_cell(["a", "b"], [[first, "x"]])
