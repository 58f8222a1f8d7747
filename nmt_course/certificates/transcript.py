"""A learner's CE transcript: every certificate with its date, course, approval number and
CEs; totals per calendar year and for a chosen period (a licence renewal period), revoked
certificates listed and never counted; and its PDF. Pure: plain data in, no Flask, no
database."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from ..formatting import ce_hours, long_date, typed_date
from ..recurrence import COUNTED_ONCE, CompletionHours, hours_in_period
from ..text import one_line
from .pdf import _RENDERING, ACCENT, FACES, FONTS, INK, MUTED, fallbacks_for


@dataclass(frozen=True)
class Entry:
    course_id: int
    code: str  # as displayed
    course_title: str
    completed_on: dt.date
    approval_number: str
    ce_hours: Decimal
    counted: bool  # False for a revoked certificate: listed, never counted
    status: str  # "valid" or "revoked", as the list says it


@dataclass(frozen=True)
class Period:
    first: dt.date | None
    last: dt.date | None

    @property
    def chosen(self) -> bool:
        return self.first is not None or self.last is not None

    def holds(self, day: dt.date) -> bool:
        return ((self.first is None or day >= self.first)
                and (self.last is None or day <= self.last))

    def describe(self) -> str:
        if self.first and self.last:
            return f"{long_date(self.first)} to {long_date(self.last)}"
        if self.first:
            return f"from {long_date(self.first)}"
        return f"until {long_date(self.last)}" if self.last else "all dates"


def parse_period(first: str, last: str) -> tuple[Period, list[str]]:
    """The period two typed dates (YYYY-MM-DD, either may be empty) name, and what is wrong
    with them: a date that is not one, or a period that ends before it starts."""
    problems: list[str] = []
    period = Period(typed_date(first, "From", problems), typed_date(last, "To", problems))
    if period.first and period.last and period.last < period.first:
        problems.append(f"The period ends ({period.last.isoformat()}) before it starts "
                        f"({period.first.isoformat()}): swap the dates.")
    return period, problems


def _hours(entries: list[Entry], first: dt.date, last: dt.date) -> Decimal:
    """The CEs earned from `first` to `last`: revoked certificates not counted, and a course
    completed more than once in them counted once (recurrence.COUNTED_ONCE)."""
    return hours_in_period((CompletionHours(entry.course_id, entry.completed_on, entry.ce_hours)
                            for entry in entries if entry.counted), first, last).total


def year_totals(entries: list[Entry]) -> list[tuple[int, Decimal]]:
    """CEs per calendar year of completion, newest year first."""
    years = sorted({entry.completed_on.year for entry in entries}, reverse=True)
    return [(year, _hours(entries, dt.date(year, 1, 1), dt.date(year, 12, 31)))
            for year in years]


def period_total(entries: list[Entry], period: Period) -> Decimal:
    return _hours(entries, period.first or dt.date.min, period.last or dt.date.max)


@dataclass(frozen=True)
class TranscriptData:
    learner_name: str
    licence_line: str
    provider_name: str
    entries: list[Entry]
    period: Period
    made_on: dt.date

    def texts(self) -> list[str]:
        return [self.learner_name, self.licence_line, self.provider_name,
                *(entry.course_title for entry in self.entries),
                *(entry.approval_number for entry in self.entries)]


def render_transcript_pdf(data: TranscriptData) -> bytes:
    with _RENDERING:
        return _render(data)


def _render(data: TranscriptData) -> bytes:
    needed = fallbacks_for(data.texts())
    pdf = FPDF(orientation="portrait", unit="mm", format="letter")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, 18)
    for family, style, file in FACES:
        pdf.add_font(family, style, FONTS / file)
    for family, file in needed:
        pdf.add_font(family, "", FONTS / file)
    pdf.set_fallback_fonts(["Sans", *(family for family, _ in needed)], exact_match=False)
    pdf.set_text_shaping(True)
    pdf.set_title(f"CE transcript: {data.learner_name}")
    pdf.set_author(data.provider_name)
    pdf.set_creator("NMT course platform")
    pdf.add_page()

    def text(value: str, size: float, *, style: str = "", color=INK, gap: float = 1) -> None:
        pdf.set_font("Sans", style, size)
        pdf.set_text_color(*color)
        pdf.multi_cell(0, size * 0.5, one_line(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    text(data.provider_name, 11, style="B", color=ACCENT)
    text("Continuing-education transcript", 18, style="B", gap=2)
    text(data.learner_name, 13, style="B", gap=0.5)
    if data.licence_line:
        text(data.licence_line, 10, color=MUTED, gap=0.5)
    text(f"Made on {long_date(data.made_on)}. Revoked certificates are listed and not "
         f"counted. {COUNTED_ONCE}", 9, color=MUTED, gap=4)

    if data.period.chosen:
        text(f"Period {data.period.describe()}: "
             f"{ce_hours(period_total(data.entries, data.period))} CEs", 12, style="B",
             gap=3)
    pdf.set_text_color(*INK)
    # A code is long: it goes under its course's title, where it has the room to stay whole.
    with pdf.table(col_widths=(24, 86, 30, 14, 20), text_align=(
            "LEFT", "LEFT", "LEFT", "RIGHT", "LEFT"), line_height=5,
            first_row_as_headings=True) as table:
        pdf.set_font("Sans", "", 8.5)
        table.row(("Completed", "Course and certificate code", "Approval no.", "CEs",
                   "Status"))
        for entry in data.entries:
            table.row((entry.completed_on.isoformat(),
                       f"{one_line(entry.course_title)}\n{entry.code}",
                       one_line(entry.approval_number), ce_hours(entry.ce_hours),
                       entry.status))
    pdf.ln(4)
    text("CEs per calendar year", 12, style="B", gap=1)
    for year, total in year_totals(data.entries):
        text(f"{year}: {ce_hours(total)} CEs", 10, gap=0.3)
    if not data.entries:
        text("No certificates yet.", 10, color=MUTED)
    pdf.set_y(-22)
    pdf.set_font("Sans", "", 8)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 4, "Each certificate can be checked by its code on the provider's "
             "verification page.", align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
