"""The matrix view's cells (clinics/matrix_html.py): what a manager reads in each."""
from __future__ import annotations

import datetime as dt

from nmt_course.clinics.compliance import MatrixLine, PastCycle, ReportRow, Status
from nmt_course.clinics.matrix_html import rows


def row(**changes) -> ReportRow:
    base = ReportRow(7, "Ann <Able>", "ann@example.com", 1, "Neck & Shoulders",
                     dt.date(2027, 1, 12), Status.COMPLETED, 100, 2, 2, (),
                     dt.date(2026, 1, 12), None)
    return base._replace(**changes)


def body(cell: ReportRow) -> str:
    return str(rows([MatrixLine(cell, {1: cell})], [(1, "Neck & Shoulders")],
                    evidence="/clinics/3/certificates/", verify="/verify"))


def test_a_cell_names_the_person_and_course_escaped():
    html = body(row())
    assert "Ann &lt;Able&gt;" in html and 'data-label="Neck &amp; Shoulders"' in html
    assert "<Able>" not in html


def test_a_new_cycle_and_the_earlier_ones_show_in_the_cell():
    assert "Cycle" not in body(row())
    html = body(row(cycle=2, status=Status.NOT_STARTED, completed_on=None,
                    history=(PastCycle(1, dt.date(2026, 1, 12), "ABCDEFGHJKMNPQRS",
                                       dt.date(2027, 1, 12)),)))
    assert "Cycle 2, due January 12, 2027" in html
    assert "Cycle 1: completed January 12, 2026, valid until January 12, 2027" in html
    assert 'href="/verify/' in html and "cycle 1 certificate for Neck &amp; Shoulders" in html
