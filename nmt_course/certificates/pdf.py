"""Render a one-page certificate PDF from plain data (no database, no request), and stamp a
revoked one. Names and titles print in any script the shipped fonts draw, shaped by
HarfBuzz; text no font draws is refused (`UnprintableText`), never printed blank."""
from __future__ import annotations

import datetime as dt
import functools
import io
import threading
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import segno
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from pypdf import PdfReader, PdfWriter

from .. import codes
from ..credentials.badge import certificate_title
from ..formatting import ce_label, long_date
from ..text import one_line
from .provider import Provider

FONTS = Path(__file__).parent / "fonts"
LOGO = Path(__file__).resolve().parents[2] / "static" / "favicon.svg"
INK = (31, 41, 51)
ACCENT = (14, 94, 102)
MUTED = (82, 96, 109)
RED = (163, 28, 28)


@dataclass(frozen=True)
class CertificateData:
    code: str
    legal_name: str
    licence_number: str | None
    licence_state: str | None
    course_title: str
    ce_hours: Decimal
    course_type: str
    approval_number: str  # the course's own, where a board approved it
    provider: Provider
    grading_scale: str
    completed_on: dt.date
    issued_at: dt.datetime
    verification_url: str

    @property
    def provider_name(self) -> str:
        return self.provider.name

    @property
    def title(self) -> str:
        return certificate_title(self.course_type)

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
            parts.append(f"Course approval number {self.approval_number}")
        return "  ·  ".join(parts)

    @property
    def provider_lines(self) -> list[str]:
        lines = [line for line in (self.provider.postal_address, self.provider.contact_email)
                 if line]
        if self.provider.approval_number:
            lines.append(f"Provider approval number {self.provider.approval_number}")
        return lines

    def texts(self) -> list[str]:
        """Every line that carries stored text, whose characters the fonts must draw."""
        return [self.legal_name, self.licence_line, self.course_title, self.course_line,
                self.provider_name, *self.provider_lines, self.grading_scale]


class UnprintableText(ValueError):
    """Text holds characters none of the shipped fonts draws."""


FACES = (("Sans", "", "DejaVuSans.ttf"), ("Sans", "B", "DejaVuSans-Bold.ttf"),
         ("Serif", "B", "DejaVuSerif-Bold.ttf"))
# Tried in order for a character DejaVu lacks; each is loaded only when a text needs it.
FALLBACKS = tuple((name, f"NotoSans{name}-Bold.ttf") for name in (
    "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada",
    "Malayalam", "Sinhala", "Thai", "Lao", "Khmer", "Myanmar", "Ethiopic")) + (
    ("Hangul", "NotoSansKR-Hangul-Bold.otf"),
    ("CJK", "DroidSansFallbackFull.ttf"),  # Chinese and Japanese (4 MB)
)


@functools.cache
def _cmap(file: str) -> frozenset[int]:
    with TTFont(FONTS / file, lazy=True, fontNumber=0) as font:
        return frozenset(font.getBestCmap())


@functools.cache
def _covered_by_dejavu() -> frozenset[int]:
    return frozenset().union(*(_cmap(file) for _, _, file in FACES))


def _drawn(char: str) -> bool:
    """Characters no font needs to draw: spaces, and format controls (joiners, marks of
    direction) that shaping consumes."""
    return char.isspace() or unicodedata.category(char) in ("Cf", "Cc")


def fallbacks_for(texts: list[str]) -> list[tuple[str, str]]:
    """The fallback fonts `texts` need, or UnprintableText naming what no font draws."""
    dejavu, needed, missing = _covered_by_dejavu(), [], []
    for char in sorted({char for text in texts for char in text}):
        code = ord(char)
        if code in dejavu or _drawn(char):
            continue
        font = next((font for font in FALLBACKS if code in _cmap(font[1])), None)
        if font is None:
            missing.append(char)
        elif font not in needed:
            needed.append(font)
    if missing:
        raise UnprintableText(
            "The certificate cannot print these characters: "
            + ", ".join(f"{char} (U+{ord(char):04X})" for char in missing[:10]))
    return sorted(needed, key=FALLBACKS.index)


def check_printable(*texts: str) -> None:
    """Refuse (UnprintableText) text the certificate could not print."""
    fallbacks_for(list(texts))


def _document(texts: list[str]) -> FPDF:
    needed = fallbacks_for(texts)
    pdf = FPDF(orientation="landscape", unit="mm", format="letter")
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 20, 25)
    for family, style, file in FACES:
        pdf.add_font(family, style, FONTS / file)
    for family, file in needed:
        pdf.add_font(family, "", FONTS / file)
    # DejaVu Serif has no Arabic or Hebrew, for example; Sans has.
    pdf.set_fallback_fonts(["Sans", *(family for family, _ in needed)], exact_match=False)
    pdf.set_text_shaping(True)  # joins Arabic, forms Indic conjuncts, orders right-to-left
    return pdf


# fontTools fills module-level caches lazily while fpdf2 subsets fonts, and two threads doing
# so at once can fail (IndexError in OS/2 unicode ranges): one render at a time per process.
_RENDERING = threading.Lock()


def render_certificate_pdf(data: CertificateData) -> bytes:
    with _RENDERING:
        return _render(data)


def _render(data: CertificateData) -> bytes:
    pdf = _document(data.texts())
    pdf.set_title(f"{data.title}: {data.course_title}")
    pdf.set_author(data.provider_name)
    pdf.set_subject(f"{data.legal_name}, {data.course_title}")
    pdf.set_creator("NMT course platform")
    pdf.set_creation_date(data.issued_at)
    pdf.add_page()
    width, height = pdf.w, pdf.h
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.4)
    pdf.rect(8, 8, width - 16, height - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11.5, 11.5, width - 23, height - 23)

    def line(text: str, family: str, size: float, *, style: str = "", color=INK,
             gap: float = 0, x: float | None = None, w: float = 0,
             align: Align = Align.C) -> None:
        pdf.set_font(family, style, size)
        pdf.set_text_color(*color)
        if x is not None:
            pdf.set_x(x)
        # One line each, whatever was stored: a line break in a name must not add a line
        # that reads as the certificate's own (an older row may predate the normaliser).
        pdf.multi_cell(w, size * 0.45, one_line(text), align=align, new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
        if gap:
            pdf.ln(gap)

    # The provider block: logo, name, address or e-mail, approval number.
    pdf.image(LOGO, x=20, y=19, w=15, h=15, alt_text="Logo")
    pdf.set_y(19)
    line(data.provider_name, "Sans", 12, style="B", color=ACCENT, x=39, w=150,
         align=Align.L, gap=0.5)
    for text in data.provider_lines:
        line(text, "Sans", 9, color=MUTED, x=39, w=150, align=Align.L, gap=0.3)

    pdf.set_y(54)
    line(data.title, "Serif", 32, style="B", gap=8)
    line("This certifies that", "Sans", 12, color=MUTED, gap=2)
    line(data.legal_name, "Serif", 26, style="B", gap=1)
    if data.licence_line:
        line(data.licence_line, "Sans", 11, color=MUTED)
    pdf.ln(6)
    line("has completed the continuing-education course", "Sans", 12, color=MUTED, gap=2)
    line(data.course_title, "Serif", 19, style="B", gap=2)
    line(data.course_line, "Sans", 11, gap=2.5)
    line(f"Completed on {long_date(data.completed_on)}", "Sans", 12, gap=2.5)
    if data.grading_scale:
        line(f"Grading: {data.grading_scale}", "Sans", 10, color=MUTED)

    bottom = height - 20
    _signature(pdf, data, bottom)
    qr_size = 30
    pdf.image(_qr_png(data.verification_url), x=width - 20 - qr_size, y=bottom - qr_size,
              w=qr_size, h=qr_size, alt_text="QR code of the verification address")
    left = 118
    pdf.set_xy(left, bottom - 21)
    for text, size, style, color in (("Certificate code", 9, "", MUTED),
                                     (codes.display(data.code), 11, "B", INK),
                                     ("Check this certificate at", 9, "", MUTED)):
        pdf.set_x(left)
        pdf.set_text_color(*color)
        pdf.set_font("Sans", style, size)
        pdf.cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(left)
    pdf.set_text_color(*ACCENT)
    pdf.set_font("Sans", "", 8)
    pdf.cell(0, 5, data.verification_url, link=data.verification_url)
    return bytes(pdf.output())


def _signature(pdf: FPDF, data: CertificateData, bottom: float) -> None:
    """The provider's signature above a rule, named below it."""
    left, rule_y = 24, bottom - 9
    if data.provider.signature_png:
        pdf.image(io.BytesIO(data.provider.signature_png), x=left, y=rule_y - 19,
                  h=18, keep_aspect_ratio=True, w=70, alt_text="Signature")
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)
    pdf.line(left, rule_y, left + 75, rule_y)
    pdf.set_xy(left, rule_y + 1)
    pdf.set_text_color(*MUTED)
    pdf.set_font("Sans", "", 9)
    pdf.multi_cell(80, 4, f"For {one_line(data.provider_name)}", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=0)
    buffer.seek(0)
    return buffer


def stamp_revoked(pdf: bytes, revoked_on: dt.date) -> bytes:
    with _RENDERING:
        return _stamp_revoked(pdf, revoked_on)


def _stamp_revoked(pdf: bytes, revoked_on: dt.date) -> bytes:
    """The stored PDF with REVOKED and the date drawn over every page, as text."""
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    width, height = (float(value) * 25.4 / 72 for value in page.mediabox[2:])
    stamp = FPDF(unit="mm", format=(width, height))
    stamp.set_auto_page_break(False)
    stamp.add_font("Sans", "B", FONTS / "DejaVuSans-Bold.ttf")
    stamp.add_page()
    stamp.set_text_color(*RED)
    stamp.set_draw_color(*RED)
    stamp.set_font("Sans", "B", 16)
    stamp.set_xy(0, 38)
    stamp.cell(width, 8, f"REVOKED on {long_date(revoked_on)}: this certificate is not valid",
               align=Align.C)
    with stamp.local_context(fill_opacity=0.35, stroke_opacity=0.6):
        with stamp.rotation(angle=18, x=width / 2, y=height / 2):
            stamp.set_font("Sans", "B", 96)
            stamp.set_xy(0, height / 2 - 20)
            stamp.cell(width, 40, "REVOKED", align=Align.C, border=0)
    overlay = PdfReader(io.BytesIO(bytes(stamp.output()))).pages[0]
    writer = PdfWriter(clone_from=reader)
    for original in writer.pages:
        original.merge_page(overlay)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
