"""The clinic report's CSV lines, written from cells written once: the same document as
writing every cell through csv_safe.to_csv, whatever the names and titles hold."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from nmt_course.clinics.compliance import (PastCycle, QuizResult, ReportRow, Standing,
                                           Status)
from nmt_course.clinics.report_csv import report_csv
from nmt_course.csv_safe import from_lines, to_csv

DAY = dt.date(2026, 12, 6)


def _url(code: str) -> str:
    return f"http://nmt.test/verify/{code}"


def _rows() -> list[ReportRow]:
    risky = QuizResult('=HYPERLINK("http://evil")', 2, 0, False, 3, True)
    plain = QuizResult("Lesson, with a comma", 1, 40, False, 2, False)
    return [
        ReportRow(1, '=cmd "quoted", name', "a@example.com", 10, "@Course, one", DAY,
                  Status.OVERDUE, 30, 2, 0, (plain, risky), None, None, family_name="-Family",
                  licence_number="+1 licence", licence_state="FL",
                  best_scores="1 2|40 0"),
        ReportRow(1, '=cmd "quoted", name', "a@example.com", 11, "Plain course", DAY,
                  Status.COMPLETED, 100, 1, 1, (), DAY + dt.timedelta(days=3), "ABCDEF123456",
                  family_name="-Family", licence_number="+1 licence", licence_state="FL",
                  ce_hours=Decimal("1.50"), recur_months=12, cycle=2,
                  history=(PastCycle(1, DAY, "ABCDEF000000", DAY),),
                  best_scores="4|100"),
        ReportRow(None, "Ivy Invited", "\tivy@example.com", 10, "@Course, one", DAY,
                  Status.NOT_STARTED, 0, 2, 0, (), None, None, standing=Standing.INVITED),
        ReportRow(2, "Fay Former", "fay@example.com", 12, "No quizzes", DAY,
                  Status.IN_PROGRESS, 50, 0, 0, (), None, None, standing=Standing.FORMER,
                  left_on=DAY, withdrawn_on=DAY),
    ]


def _cells_written_one_by_one(header, lines) -> str:
    """Each line parsed back into cells, written again through to_csv."""
    cells = list(csv.reader(io.StringIO("\r\n".join(lines))))
    return to_csv(header, [[cell[1:] if cell[:2] in {"'=", "'+", "'-", "'@", "'\t"} else cell
                            for cell in row] for row in cells])


def test_lines_are_the_document_to_csv_writes():
    quizzes = [(10, 1, "Lesson, with a comma"), (10, 2, "Second"), (11, 4, "Fourth")]
    header, lines = report_csv(_rows(), quizzes, _url)
    text = from_lines(header, lines)
    assert text == _cells_written_one_by_one(header, lines)
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == 4 and all(len(row) == len(header) for row in rows)
    first, second, invited, former = rows
    assert (first["name"], first["family name"], first["licence number"], first["course"]) == (
        '\'=cmd "quoted", name', "'-Family", "'+1 licence", "'@Course, one")
    assert first["struggling with"] == 'Lesson, with a comma; =HYPERLINK("http://evil")'
    assert first["out of attempts at"] == '\'=HYPERLINK("http://evil")'
    assert (first["best score: quiz 1"], first["best score: quiz 2"]) == ("40", "0")
    assert (second["best score: quiz 1"], second["best score: quiz 2"]) == ("100", "")
    assert second["earlier cycles"] == (
        "cycle 1: completed 2026-12-06, valid until 2026-12-06, "
        "http://nmt.test/verify/ABCDEF000000")
    assert (second["CE hours"], second["completed vs due"], second["cycle"]) == (
        "1.5", "completed 3 days late", "2")
    assert invited["e-mail"] == "'\tivy@example.com" and invited["staff"] == "invited"
    assert former["staff"] == "former staff (left 2026-12-06)"
    assert former["assignment"] == "withdrawn 2026-12-06"
    assert former["best score: quiz 1"] == ""


def test_best_scores_land_under_their_quizzes_however_they_were_kept():
    """course_progress keeps scores in lesson order ("1 2|40 0"), written as they are when
    they are the course's first quizzes; anything else is placed quiz by quiz."""
    quizzes = [(10, 1, "One"), (10, 2, "Two"), (10, 5, "Five"), (11, 3, "Three")]
    row = _rows()[0]
    kept = {"1 2|40 0": (10, ["40", "0", ""]),  # the first two, in order
            "1 2 5|1 2 3": (10, ["1", "2", "3"]),
            "2 1|0 40": (10, ["40", "0", ""]),  # in another order
            "1 5|40 90": (10, ["40", "", "90"]),  # the second not tried
            "5 9 1|90 70 40": (10, ["40", "", "90"]),  # 9: a lesson whose quiz is gone
            "3|100": (11, ["100", "", ""])}  # a shorter course, padded
    rows = [row._replace(course_id=course, best_scores=text)
            for text, (course, _) in kept.items()]
    header, lines = report_csv(rows, quizzes, _url)
    read = list(csv.DictReader(io.StringIO(from_lines(header, lines).removeprefix("\ufeff"))))
    assert [[line[f"best score: quiz {n}"] for n in (1, 2, 3)] for line in read] == [
        cells for _, cells in kept.values()]
    assert all(len(line) == len(header) for line in read)  # no cell for a quiz gone
