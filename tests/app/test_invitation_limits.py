"""Invitation mail is bounded (issue 15, finding 5): managers could resend without limit and
upload any number of CSV files, with any text as the greeting's name ("Hello URGENT: your
licence is suspended... https://..."). Now 500 invitations a clinic a day, 3 resends an
invitation, and names that are names; each refusal says the limit and sends nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from nmt_course.clinics import operations
from nmt_course.clinics.models import Clinic, Invitation
from nmt_course.clinics.operations import INVITATIONS_PER_DAY, RESENDS_PER_INVITATION
from nmt_course.extensions import db
from nmt_course.runtime import utcnow
from nmt_course.text import name_problem
from tests.app.authoring_helpers import post, upload_file
from tests.app.clinic_helpers import make_clinic, manager_client, use_outbox
from tests.helpers import runtime, set_clock

PHISH = "URGENT: your licence is suspended. Pay at https://evil.example/pay"


def _invitations(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Invitation.id)))


def test_an_invitation_is_resent_three_times_at_most(app):
    outbox = use_outbox(app)
    clinic_id = make_clinic(app)
    manager = manager_client(app)
    post(manager, f"/clinics/{clinic_id}/invitations", {"invite-email": "a@x.org"})
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))
    url = f"/clinics/{clinic_id}/invitations/{invitation_id}/resend"
    for _ in range(RESENDS_PER_INVITATION):
        assert "the earlier link no longer works" in post(manager, url,
                                                          follow_redirects=True).text
    refused = post(manager, url, follow_redirects=True).text
    assert "This invitation was resent 3 times, the most allowed" in refused
    assert len(outbox.to("a@x.org")) == 1 + RESENDS_PER_INVITATION
    assert app.test_client().get(outbox.link("a@x.org")).status_code == 200  # still valid


def _sent_already(app, clinic_id: int, count: int, at: dt.datetime) -> None:
    """`count` invitations the clinic sent at `at` (stored directly: mailing them is slow)."""
    with app.app_context():
        db.session.add_all(Invitation(clinic_id=clinic_id, email=f"earlier{n}@x.org",
                                      token_hash=f"{n:064d}", sent_at=at,
                                      expires_at=at + dt.timedelta(days=14))
                           for n in range(count))
        db.session.commit()


def test_a_clinic_sends_500_invitations_a_day_at_most(app):
    outbox = use_outbox(app)
    clinic_id = make_clinic(app)
    manager = manager_client(app)
    now = utcnow()
    set_clock(app, lambda: now)
    _sent_already(app, clinic_id, INVITATIONS_PER_DAY - 2, now - dt.timedelta(hours=23))
    roster = "".join(f"Staff Person,s{n}@x.org\n" for n in range(5))
    page = upload_file(manager, f"/clinics/{clinic_id}/invitations/upload", "roster-roster",
                       "staff.csv", roster.encode())
    assert "2 invitations sent: s0@x.org, s1@x.org." in page.text
    assert ("line 3 and the 2 after it: not invited. Harbour Clinic has sent 500 invitations "
            "in the last 24 hours, the most allowed in a day: send the rest tomorrow.") in page.text
    one = post(manager, f"/clinics/{clinic_id}/invitations", {"invite-email": "b@x.org"})
    assert one.status_code == 422 and "has sent 500 invitations in the last 24 hours" in one.text
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id).where(
            Invitation.email == "s0@x.org"))
    with app.app_context():  # s0 was sent a day ago: its place is free, but resending it
        db.session.execute(Invitation.__table__.update().where(  # would take one again
            Invitation.id == invitation_id).values(sent_at=now - dt.timedelta(hours=25)))
        db.session.commit()
    assert post(manager, f"/clinics/{clinic_id}/invitations",
                {"invite-email": "b@x.org"}).status_code == 302
    resent = post(manager, f"/clinics/{clinic_id}/invitations/{invitation_id}/resend",
                  follow_redirects=True)
    assert "has sent 500 invitations in the last 24 hours" in resent.text
    with app.app_context(), pytest.raises(operations.ClinicError, match="has sent 500"):
        clinic = db.session.get(Clinic, clinic_id)
        operations.add_manager(runtime(app), None, clinic, "new-manager@x.org")  # an admin's
    assert sorted(m.to for m in outbox.messages) == ["b@x.org", "s0@x.org", "s1@x.org"]
    set_clock(app, lambda: now + dt.timedelta(hours=1, minutes=1))  # the early ones aged out
    assert post(manager, f"/clinics/{clinic_id}/invitations",
                {"invite-email": "c@x.org"}).status_code == 302


def test_a_name_that_carries_a_message_is_refused(app):
    outbox = use_outbox(app)
    clinic_id = make_clinic(app)
    manager = manager_client(app)
    page = post(manager, f"/clinics/{clinic_id}/invitations",
                {"invite-email": "a@x.org", "invite-name": PHISH})
    assert page.status_code == 422
    assert "A name may hold only letters, spaces and the marks names use" in page.text
    upload = upload_file(manager, f"/clinics/{clinic_id}/invitations/upload", "roster-roster",
                         "staff.csv", f'"{PHISH}",b@x.org\nCy Staff,c@x.org\n'.encode())
    assert "1 invitation sent: c@x.org." in upload.text
    assert "line 1: A name may hold only letters" in upload.text
    assert _invitations(app) == 1 and [m.to for m in outbox.messages] == ["c@x.org"]


@pytest.mark.parametrize("name", ["Ana O'Brien-Núñez", "Jean-Luc (JL) Picard Jr.",
                                  "Dr. María José", "Zoë d’Arcy", "李小龍", "Ольга Петрова",
                                  "محمد عبد الله", "अनुष्\u200dका", "Nguyễn Thị Minh Khai", ""])
def test_names_of_every_script_pass(name):
    assert name_problem(name) is None


@pytest.mark.parametrize("name", [PHISH, "Visit evil.example/x", "ana@x.org", "Agent 007",
                                  "Call +1 555 0100", "Win $100", "<b>Ana</b>", "a_b"])
def test_what_is_no_name_is_refused(name):
    assert name_problem(name) is not None
