"""Rosters as real spreadsheets save them: semicolons, First name / Last name, .xlsx; a file
over the limits invites nobody."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from nmt_course.clinics.models import Invitation
from nmt_course.extensions import db
from tests.app.authoring_helpers import upload_file
from tests.app.clinic_helpers import make_clinic, manager_client, use_outbox


def invitations(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Invitation.id)))


def upload(app, clinic_id: int, name: str, data: bytes):
    return upload_file(manager_client(app), f"/clinics/{clinic_id}/invitations/upload",
                       "roster-roster", name, data)


def test_a_semicolon_csv_from_european_excel_invites_everyone_by_full_name(app):
    outbox = use_outbox(app)
    clinic_id = make_clinic(app)
    data = ("\ufeffNachname;Last name;E-Mail;First name\r\n"
            "x;Brandt;ana@example.com;Ana\r\ny;Coe;cy@example.com;Cy\r\n").encode()
    page = upload(app, clinic_id, "Mitarbeiter.csv", data)
    assert page.status_code == 200
    assert "2 invitations sent: ana@example.com, cy@example.com." in page.text
    assert outbox.to("ana@example.com")[0].body.startswith("Hello Ana Brandt,")


def test_an_xlsx_roster_is_read_directly(app):
    from openpyxl import Workbook
    outbox = use_outbox(app)
    clinic_id = make_clinic(app)
    book = Workbook()
    for row in (["Name", "Email"], ["Ana Brandt", "ana@example.com"], ["Cy", "oops"]):
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    page = upload(app, clinic_id, "staff.xlsx", data.getvalue())
    assert "1 invitation sent: ana@example.com." in page.text
    assert "line 3: &#39;oops&#39; is not an e-mail address" in page.text
    assert [m.to for m in outbox.messages] == ["ana@example.com"]


def test_a_roster_over_the_limits_is_refused_whole_with_the_limit_named(app):
    outbox = use_outbox(app)
    clinic_id = make_clinic(app)
    outbox.messages.clear()
    rows = "email\n" + "".join(f"p{n}@example.com\n" for n in range(501))
    page = upload(app, clinic_id, "staff.csv", rows.encode())
    assert page.status_code == 422 and "more than 500 people" in page.text
    big = upload(app, clinic_id, "staff.xlsx", b"PK\x03\x04" + b"x" * 300_000)
    assert big.status_code == 422 and "larger than 256 KB" in big.text
    assert invitations(app) == 0 and outbox.messages == []
