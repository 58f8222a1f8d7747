"""The certificate PDF: one page, every field, names in any script."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from nmt_course import codes
from nmt_course.certificates.pdf import CertificateData, render_certificate_pdf


def data(**changes) -> CertificateData:
    values = dict(
        code="7K3MQ9TD2XRV8B4NW6JC0HFGPYSA", legal_name="Jane Q. Therapist",
        licence_number="MA12345", licence_state="FL",
        course_title="Neuromuscular Therapy Foundations", ce_hours=Decimal("2.00"),
        course_type="Home Study", approval_number="NCBTMB-1234", provider_name="NMT Academy",
        completed_on=dt.date(2026, 11, 23),
        issued_at=dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.timezone.utc),
        verification_url="https://nmt.example/verify/7K3M-Q9TD-2XRV-8B4N-W6JC-0HFG-PYSA")
    values.update(changes)
    return CertificateData(**values)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def test_pdf_carries_every_certified_field():
    text = text_of(render_certificate_pdf(data()))
    for expected in ("Jane Q. Therapist", "Licence number MA12345 (FL)",
                     "Neuromuscular Therapy Foundations", "Home Study", "2 CEs",
                     "Approval number NCBTMB-1234", "November 23, 2026", "NMT ACADEMY",
                     codes.display("7K3MQ9TD2XRV8B4NW6JC0HFGPYSA"),
                     "https://nmt.example/verify/7K3M-Q9TD-2XRV-8B4N-W6JC-0HFG-PYSA"):
        assert expected in text, expected


@pytest.mark.parametrize("name", ["Σωκράτης Παπαδόπουλος", "Анна Иванова-Смирнова",
                                  "王小明", "Zoë Ørsted-Ñúñez"])
def test_names_in_non_latin_letters_print(name):
    # filterwarnings=error: a glyph missing from every font would fail this test.
    assert name in text_of(render_certificate_pdf(data(legal_name=name)))


def test_without_licence_or_approval_number_those_lines_are_left_out():
    text = text_of(render_certificate_pdf(data(licence_number=None, licence_state=None,
                                               approval_number="")))
    assert "Licence" not in text and "Approval" not in text


def test_a_line_break_in_a_stored_name_adds_no_line_of_its_own():
    pdf = render_certificate_pdf(data(legal_name="Jane Doe\nLicence number FAKE",
                                      licence_number=None))
    lines = [line.strip() for line in
             PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()]
    assert "Jane Doe Licence number FAKE" in lines
    assert "Licence number FAKE" not in lines
