"""The certificate PDF: one page, every field a board asks for, names in any script, and the
stamp a revoked one is served with. Read back by extracting the PDF's text (pypdf)."""
from __future__ import annotations

import datetime as dt
import io
import unicodedata
from decimal import Decimal

import pytest
import zxingcpp
from PIL import Image, ImageOps
from pypdf import PdfReader

from nmt_course import codes
from nmt_course.certificates.pdf import (CertificateData, UnprintableText,
                                         render_certificate_pdf, stamp_revoked)
from nmt_course.certificates.provider import Provider, grading_scale

URL = "https://nmt.example/verify/7K3M-Q9TD-2XRV-8B4N-W6JC-0HFG-PYSA"


def signature_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (300, 80), (20, 30, 80, 255)).save(buffer, "PNG")
    return buffer.getvalue()


PROVIDER = Provider(name="NMT Academy", postal_address="12 Harbour Street, Tampa, FL 33602",
                    contact_email="ce@nmt.example", approval_number="NCBTMB 451234",
                    signature_png=signature_png(), version=1)


def data(**changes) -> CertificateData:
    values = dict(
        code="7K3MQ9TD2XRV8B4NW6JC0HFGPYSA", legal_name="Jane Q. Therapist",
        licence_number="MA12345", licence_state="FL",
        course_title="Neuromuscular Therapy Foundations", ce_hours=Decimal("2.50"),
        course_type="Home Study", approval_number="CRS-1234", provider=PROVIDER,
        grading_scale=grading_scale([80, 80]), completed_on=dt.date(2026, 11, 23),
        issued_at=dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.timezone.utc),
        verification_url=URL)
    values.update(changes)
    return CertificateData(**values)


def raw_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def text_of(pdf: bytes) -> str:
    return " ".join(raw_text(pdf).split())


def test_pdf_carries_every_field_a_board_asks_for():
    pdf = render_certificate_pdf(data())
    text = text_of(pdf)
    for expected in ("Certificate of Achievement", "Jane Q. Therapist",
                     "Licence number MA12345 (FL)", "Neuromuscular Therapy Foundations",
                     "Home Study", "2.5 CEs", "Course approval number CRS-1234",
                     "November 23, 2026", "NMT Academy", "12 Harbour Street, Tampa, FL 33602",
                     "ce@nmt.example", "Provider approval number NCBTMB 451234",
                     "Grading: Passed every lesson quiz at 80 % or more; no partial credit",
                     "For NMT Academy", codes.display("7K3MQ9TD2XRV8B4NW6JC0HFGPYSA"), URL):
        assert expected in text, expected
    assert "CEU" not in text
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    images = [image.image for image in page.images]
    sizes = {image.size for image in images}
    assert (300, 80) in sizes  # the signature
    assert len(images) >= 2  # the signature and the QR code (the logo is vector)


def test_the_site_logo_is_drawn_in_the_provider_block():
    page = PdfReader(io.BytesIO(render_certificate_pdf(data()))).pages[0]
    drawing = page.get_contents().get_data().decode("latin-1")
    # static/favicon.svg's "N" (M10 23V9l12 14V9), drawn as vector paths in its colour.
    assert "10 23 m 10 9 l 22 23 l 22 9 l S" in drawing
    assert "0.0549 0.3686 0.4 rg" in drawing


def test_the_qr_code_decodes_to_the_verification_address():
    page = PdfReader(io.BytesIO(render_certificate_pdf(data()))).pages[0]
    qr = next(image.image for image in page.images if image.image.size != (300, 80))
    # The quiet zone is the page's white margin; give the decoder one of its own.
    framed = ImageOps.expand(qr.convert("L"), border=32, fill=255)
    assert [code.text for code in zxingcpp.read_barcodes(framed)] == [URL]


def test_other_course_types_are_certificates_of_completion():
    assert "Certificate of Completion" in text_of(render_certificate_pdf(
        data(course_type="Live")))


@pytest.mark.parametrize("marks, scale", [
    ([80, 80, 80], "Passed every lesson quiz at 80 % or more; no partial credit"),
    ([70, 90, 80], "Passed every lesson quiz at its pass mark (70 % to 90 %); no partial credit"),
    ([], "Completed every lesson; no partial credit")])
def test_the_grading_scale_is_built_from_the_pass_marks(marks, scale):
    assert grading_scale(marks) == scale


def comparable(text: str) -> str:
    """What a name reads as once extracted: without spaces, and without the control
    characters pypdf gives glyphs that shaping made and no character maps to alone."""
    return "".join(char for char in text if not char.isspace()
                   and unicodedata.category(char) != "Cc")


NAMES = {
    "latin with diacritics": "Zoë Ørsted-Ñúñez Łukasiewicz",
    "greek": "Σωκράτης Παπαδόπουλος",
    "cyrillic": "Анна Иванова-Смирнова",
    "devanagari": "अमित शर्मा",
    "thai": "สมชาย ใจดี",
    "ethiopic": "አበበ ቢቂላ",
    "hebrew": "דוד כהן",
    "arabic": "محمد علي",
    "chinese": "王小明",
    "korean": "김민준",
}


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_names_in_any_script_print(name):
    # filterwarnings=error: a glyph missing from every font would fail this test too.
    lines = raw_text(render_certificate_pdf(data(legal_name=name))).splitlines()
    # One line holds every word (right-to-left words come out in the order they are drawn).
    assert any(all(comparable(word) in comparable(line) for word in name.split())
               for line in lines), lines


def test_a_course_title_in_another_script_prints_too():
    assert "สมชาย" in text_of(render_certificate_pdf(data(course_title="สมชาย ใจดี")))


def test_a_name_no_font_draws_is_refused_not_printed_blank():
    with pytest.raises(UnprintableText, match="U\\+13000"):
        render_certificate_pdf(data(legal_name="Ahmose \U00013000"))


def test_without_licence_or_approval_numbers_those_lines_are_left_out():
    provider = Provider(name="NMT Academy", postal_address="", contact_email="ce@nmt.example",
                        approval_number="")
    text = text_of(render_certificate_pdf(data(licence_number=None, licence_state=None,
                                               approval_number="", provider=provider)))
    assert "Licence" not in text and "approval" not in text.lower()
    assert "ce@nmt.example" in text


def test_a_line_break_in_a_stored_name_adds_no_line_of_its_own():
    pdf = render_certificate_pdf(data(legal_name="Jane Doe\nLicence number FAKE",
                                      licence_number=None))
    lines = [line.strip() for line in raw_text(pdf).splitlines()]
    assert "Jane Doe Licence number FAKE" in lines
    assert "Licence number FAKE" not in lines


def test_a_revoked_certificate_is_stamped_with_the_date():
    original = render_certificate_pdf(data())
    assert "REVOKED" not in text_of(original)
    stamped = text_of(stamp_revoked(original, dt.date(2026, 12, 1)))
    assert "REVOKED on December 1, 2026: this certificate is not valid" in stamped
    assert "Jane Q. Therapist" in stamped  # the certificate itself is still readable
