"""Rosters for state reporting: CSV and .xlsx (licence number, state, given and family name,
completion date, CEs, approval number; learners without a licence listed apart; formula-safe
cells), CE Broker's full-credit upload, and their bad input."""
from __future__ import annotations

import pytest
import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import select

from nmt_course.audit import AuditEvent
from nmt_course.certificates.models import Certificate, CertificateStatus
from nmt_course.extensions import db
from tests.app.test_certificates import complete_course
from tests.helpers import csrf_from, import_content, login, make_user

PERIOD = "from=2026-01-01&to=2026-12-31"


def _world(app, *, licence: str | None = "MA-1234", name: str = "Jane Q. Learner"):
    import_content(app)
    make_user(app, name=name, licence_number=licence, licence_state="Florida")
    learner = app.test_client()
    login(learner)
    complete_course(learner)
    make_user(app, "lee@example.com", name="=HYPERLINK(\"x\") Lee")  # no licence number
    other = app.test_client()
    login(other, "lee@example.com")
    complete_course(other)
    with app.app_context():
        for certificate in db.session.scalars(select(Certificate)):
            certificate.completed_on = dt.date(2026, 5, 1)
        db.session.commit()
    make_user(app, "admin@example.com", is_admin=True)
    admin = app.test_client()
    login(admin, "admin@example.com")
    return admin


@pytest.mark.dialect("date filters")
def test_csv_roster_lists_licensed_learners_and_the_others_apart(app):
    admin = _world(app)
    response = admin.get(f"/admin/rosters?course=demo&{PERIOD}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == ("Licence number,Licence state,Given name,Family name,Completion date,"
                        "CEs,Course approval number,Certificate code")
    assert lines[1].startswith("MA-1234,Florida,Jane Q.,Learner,2026-05-01,")
    apart = lines.index("Learners without a licence number (not reportable until they add "
                        "one)")
    # Listed, not dropped; its formula-like name neutralised by the one CSV writer.
    assert lines[apart + 1].startswith(",,\"'=HYPERLINK(\"\"x\"\")\",Lee,2026-05-01")


def test_xlsx_roster_has_the_same_rows_and_no_formula(app):
    admin = _world(app)
    response = admin.get(f"/admin/rosters?course=demo&{PERIOD}&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    roster, apart = book["Roster"], book["No licence number"]
    rows = list(roster.iter_rows(values_only=True))
    assert rows[0][0] == "Licence number" and rows[1][:4] == ("MA-1234", "Florida", "Jane Q.",
                                                             "Learner")
    assert rows[1][4].date() == dt.date(2026, 5, 1)
    other = list(apart.iter_rows(values_only=True))[1]
    assert other[2] == "'=HYPERLINK(\"x\")" and apart.cell(2, 3).data_type == "s"


def test_an_empty_period_gives_a_file_with_its_header(app):
    admin = _world(app)
    response = admin.get("/admin/rosters?course=demo&from=2020-01-01&to=2020-12-31&format=csv")
    assert response.status_code == 200
    assert response.data.decode("utf-8-sig").splitlines() == [
        "Licence number,Licence state,Given name,Family name,Completion date,CEs,"
        "Course approval number,Certificate code"]
    book = load_workbook(io.BytesIO(admin.get(
        "/admin/rosters?course=demo&from=2020-01-01&to=2020-12-31&format=xlsx").data))
    assert [len(list(book[name].iter_rows())) for name in book.sheetnames] == [1, 1]


def test_revoked_certificates_are_not_on_the_roster(app):
    admin = _world(app)
    with app.app_context():
        for certificate in db.session.scalars(select(Certificate)):
            certificate.status = CertificateStatus.REVOKED
        db.session.commit()
    response = admin.get(f"/admin/rosters?course=demo&{PERIOD}&format=csv")
    assert len(response.data.decode("utf-8-sig").splitlines()) == 1


def test_cebroker_upload_needs_both_tracking_numbers_then_follows_the_layout(app):
    admin = _world(app)
    url = f"/admin/rosters?course=demo&{PERIOD}&format=cebroker"
    refused = admin.get(url)
    assert refused.status_code == 409 and "tracking numbers" in refused.text
    page = admin.get("/admin/provider").text
    saved = admin.post("/admin/provider", data={
        "csrf_token": csrf_from(page), "name": "NMT Academy", "postal_address": "1 Main St",
        "cebroker_provider_number": "50-7777", "version": "0"})
    assert saved.status_code == 302
    bad = admin.post("/admin/rosters/demo/tracking-number",
                     data={"csrf_token": csrf_from(page), "number": "20-12a"})
    assert bad.status_code == 422 and "made of digits" in bad.text
    assert admin.post("/admin/rosters/demo/tracking-number",
                      data={"csrf_token": csrf_from(page), "number": "20-0123456"}
                      ).status_code == 302
    response = admin.get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    # Only the licensed learner: provider and course numbers without their prefixes, the
    # licence number, the date as an Excel date, the state as State=XX.
    assert len(rows) == 1
    assert rows[0][:2] == ("7777", "0123456") and rows[0][4] == "MA-1234"
    assert rows[0][5].date() == dt.date(2026, 5, 1) and rows[0][6] == "State=FL"
    assert sheet.cell(1, 6).number_format == "m/d/yyyy"
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.details).where(
            AuditEvent.action == "course.tracking_number_set"))["after"] == "0123456"


def test_bad_roster_requests_get_a_clear_message(app):
    admin = _world(app)
    unknown = admin.get(f"/admin/rosters?course=no-such-course&{PERIOD}&format=csv")
    assert unknown.status_code == 404 and "No course has the address" in unknown.text
    backwards = admin.get("/admin/rosters?course=demo&from=2026-12-31&to=2026-01-01&format=csv")
    assert backwards.status_code == 400 and "before it starts" in backwards.text
    assert admin.get(f"/admin/rosters?course=demo&{PERIOD}&format=pdf").status_code == 400
    assert admin.post("/admin/rosters/nothing/tracking-number",
                      data={"csrf_token": csrf_from(admin.get("/admin/rosters").text)}
                      ).status_code == 404


def test_the_provider_tracking_number_must_be_digits(app):
    admin = _world(app)
    page = admin.get("/admin/provider").text
    refused = admin.post("/admin/provider", data={
        "csrf_token": csrf_from(page), "name": "NMT Academy", "postal_address": "1 Main St",
        "cebroker_provider_number": "50-ABC", "version": "0"})
    assert refused.status_code == 409 and "made of digits" in refused.text
    assert "50-ABC" not in admin.get("/admin/provider").text
