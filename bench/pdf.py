"""Benchmark: rendering a certificate PDF, for a Latin, a Devanagari, a Korean and a Chinese
name, and stamping a revoked one.

Run:  .venv/bin/python -m bench.pdf [--rounds 7]

The baseline is an empty one-page fpdf2 document with a core font, made in the same run.
A name in a script DejaVu lacks also loads its Noto fallback (the Hangul one is 1.3 MB, the
Chinese one 4 MB), so each is reported on its own line.
"""
from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal

from fpdf import FPDF

from nmt_course import codes
from nmt_course.certificates.pdf import CertificateData, render_certificate_pdf, stamp_revoked
from nmt_course.certificates.provider import Provider, grading_scale

from .common import report, timed


def certificate(name: str) -> CertificateData:
    code = codes.new_code()
    return CertificateData(
        code=code, legal_name=name, licence_number="MA 60123", licence_state="FL",
        course_title="Neuromuscular Therapy Foundations", ce_hours=Decimal("2"),
        course_type="Home Study", approval_number="",
        provider=Provider(name="NMT Continuing Education", postal_address="1 Main Street",
                          contact_email="ce@ce.example", approval_number="NCBTMB 1234"),
        grading_scale=grading_scale([80]), completed_on=dt.date(2026, 11, 23),
        issued_at=dt.datetime.now(dt.timezone.utc),
        verification_url=f"https://ce.example/verify/{codes.display(code)}")


def empty_pdf() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "x")
    pdf.output()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    stored = render_certificate_pdf(certificate("Jane Roe"))
    cases = {"empty fpdf2 page (baseline)": empty_pdf,
             "certificate, Latin name": lambda: render_certificate_pdf(certificate("Jane Roe")),
             "certificate, Devanagari name": lambda: render_certificate_pdf(
                 certificate("अमित शर्मा")),
             "certificate, Korean name": lambda: render_certificate_pdf(certificate("김민준")),
             "certificate, Chinese name": lambda: render_certificate_pdf(certificate("王小明")),
             "stamping a revoked one": lambda: stamp_revoked(stored, dt.date.today())}
    samples = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, case in cases.items():
            samples[name].append(timed(case))
    report(samples, "empty fpdf2 page (baseline)", "render")


if __name__ == "__main__":
    main()
