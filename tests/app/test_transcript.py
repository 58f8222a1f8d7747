"""A learner's CE transcript: every certificate, CEs per calendar year and for a chosen
period, revoked certificates listed and not counted; as a page and a PDF."""
from __future__ import annotations

import pytest
import datetime as dt
import io

from pypdf import PdfReader
from sqlalchemy import select

from nmt_course.certificates.models import Certificate, CertificateStatus
from nmt_course.extensions import db
from tests.app.test_certificates import complete_course


def _world(app, learner):
    complete_course(learner)
    with app.app_context():
        first = db.session.scalar(select(Certificate))
        first.completed_on = dt.date(2026, 3, 10)
        hours = first.ce_hours
        db.session.commit()
    return hours


@pytest.mark.dialect("decimal sums")
def test_transcript_lists_certificates_and_totals_by_year_and_period(app, learner):
    hours = _world(app, learner)
    page = learner.get("/transcript")
    assert page.status_code == 200
    assert "Your CE transcript" in page.text and "2026: " in page.text
    ranged = learner.get("/transcript?from=2026-01-01&to=2026-12-31")
    assert ranged.status_code == 200
    total = ranged.text.split('id="period-total"')[1].split("</p>")[0]
    assert f"{hours.normalize():f} CEs" in total
    assert "counts its CE hours once" in total  # the board's rule, beside the total
    outside = learner.get("/transcript?from=2027-01-01&to=2027-12-31")
    assert "0 CEs" in outside.text.split('id="period-total"')[1]


def test_a_revoked_certificate_is_listed_and_not_counted(app, learner):
    _world(app, learner)
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        certificate.status = CertificateStatus.REVOKED
        db.session.commit()
    page = learner.get("/transcript?from=2026-01-01&to=2026-12-31")
    assert "revoked" in page.text and "(not counted)" in page.text
    assert "0 CEs" in page.text.split('id="period-total"')[1]
    assert "2026: 0 CEs" in page.text


def test_transcript_pdf_totals_the_period(app, learner):
    hours = _world(app, learner)
    response = learner.get("/transcript.pdf?from=2026-01-01&to=2026-06-30")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Jane Q. Learner" in text
    assert f"{hours.normalize():f} CEs" in text and "2026" in text


def test_a_period_that_ends_before_it_starts_is_refused(app, learner):
    _world(app, learner)
    for url in ("/transcript?from=2026-12-31&to=2026-01-01",
                "/transcript.pdf?from=2026-12-31&to=2026-01-01"):
        response = learner.get(url)
        assert response.status_code == 400
        assert "ends (2026-01-01) before it starts (2026-12-31)" in response.text
        assert 'id="period-total"' not in response.text
    assert learner.get("/transcript?from=yesterday").status_code == 400


def test_the_transcript_asks_a_visitor_to_log_in(app):
    assert app.test_client().get("/transcript").status_code == 302
