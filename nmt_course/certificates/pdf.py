"""Render a one-page certificate PDF from plain data (no database, no request)."""
from __future__ import annotations

import datetime as dt
import functools
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fontTools.ttLib import TTFont

from .. import codes
from ..formatting import ce_label, long_date
from ..text import one_line

FONTS = Path(__file__).parent / "fonts"
INK = (31, 41, 51)
ACCENT = (14, 94, 102)
MUTED = (82, 96, 109)


@dataclass(frozen=True)
class CertificateData:
    code: str
    legal_name: str
    licence_number: str | None
    licence_state: str | None
    course_title: str
    ce_hours: Decimal
    course_type: str
    approval_number: str
    provider_name: str
    completed_on: dt.date
    issued_at: dt.datetime
    verification_url: str

    @property
    def licence_line(self) -> str:
        if not self.licence_number:
            return ""
        state = f" ({self.licence_state})" if self.licence_state else ""
        return f"Licence number {self.licence_number}{state}"

    @property
    def course_line(self) -> str:
        parts = [self.course_type, ce_label(self.ce_hours)]
        if self.approval_number:
            parts.append(f"Approval number {self.approval_number}")
        return "  ·  ".join(parts)


FACES = (("Sans", "", "DejaVuSans.ttf"), ("Sans", "B", "DejaVuSans-Bold.ttf"),
         ("Serif", "B", "DejaVuSerif-Bold.ttf"))
FALLBACK = ("CJK", "", "DroidSansFallbackFull.ttf")


@functools.cache
def _covered_by_dejavu() -> frozenset[int]:
    """Code points that at least one DejaVu face can draw."""
    covered: set[int] = set()
    for _, _, file in FACES:
        with TTFont(FONTS / file, lazy=True) as font:
            covered.update(font.getBestCmap())
    return frozenset(covered)


def _document(texts: list[str]) -> FPDF:
    pdf = FPDF(orientation="landscape", unit="mm", format="letter")
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 20, 25)
    for family, style, file in FACES:
        pdf.add_font(family, style, FONTS / file)
    fallbacks = ["Sans"]  # DejaVu Serif has no Arabic or Hebrew, for example; Sans has
    covered = _covered_by_dejavu()
    if any(ord(char) not in covered for text in texts for char in text if not char.isspace()):
        # Chinese, Japanese and Korean names: a 4 MB font, loaded only when needed.
        family, style, file = FALLBACK
        pdf.add_font(family, style, FONTS / file)
        fallbacks.append(family)
    pdf.set_fallback_fonts(fallbacks, exact_match=False)
    pdf.set_text_shaping(True)  # joins Arabic letters, orders right-to-left text
    return pdf


def render_certificate_pdf(data: CertificateData) -> bytes:
    pdf = _document([data.legal_name, data.licence_line, data.course_title, data.course_line,
                     data.provider_name])
    pdf.set_title(f"Certificate of Completion: {data.course_title}")
    pdf.set_author(data.provider_name)
    pdf.set_subject(f"{data.legal_name}, {data.course_title}")
    pdf.set_creator("NMT course platform")
    pdf.set_creation_date(data.issued_at)
    pdf.add_page()

    width, height = pdf.w, pdf.h
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, width - 20, height - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, width - 26, height - 26)

    def line(text: str, family: str, size: float, *, style: str = "", color=INK,
             gap: float = 0) -> None:
        pdf.set_font(family, style, size)
        pdf.set_text_color(*color)
        # One line each, whatever was stored: a line break in a name must not add a line
        # that reads as the certificate's own (an older row may predate the normaliser).
        pdf.multi_cell(0, size * 0.5, one_line(text), align=Align.C, new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
        if gap:
            pdf.ln(gap)

    pdf.set_y(24)
    line(data.provider_name.upper(), "Sans", 11, style="B", color=ACCENT, gap=6)
    line("Certificate of Completion", "Serif", 30, style="B", gap=8)
    line("This certifies that", "Sans", 12, color=MUTED, gap=2)
    line(data.legal_name, "Serif", 26, style="B", gap=1)
    if data.licence_line:
        line(data.licence_line, "Sans", 11, color=MUTED)
    pdf.ln(5)
    line("has completed the continuing-education course", "Sans", 12, color=MUTED, gap=2)
    line(data.course_title, "Serif", 19, style="B", gap=2)
    line(data.course_line, "Sans", 11, gap=2)
    line(f"Completed on {long_date(data.completed_on)}", "Sans", 12)

    qr_size = 30
    bottom = height - 22
    pdf.image(_qr_png(data.verification_url), x=width - 25 - qr_size, y=bottom - qr_size,
              w=qr_size, h=qr_size, alt_text="QR code of the verification address")
    pdf.set_xy(25, bottom - 22)
    pdf.set_text_color(*MUTED)
    pdf.set_font("Sans", "", 9)
    pdf.cell(0, 5, "Certificate code", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.set_font("Sans", "B", 12)
    pdf.cell(0, 6, codes.display(data.code), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*MUTED)
    pdf.set_font("Sans", "", 9)
    pdf.cell(0, 5, "Check this certificate at", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 5, data.verification_url, link=data.verification_url)
    return bytes(pdf.output())


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=0)
    buffer.seek(0)
    return buffer
