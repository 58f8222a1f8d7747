"""Invitations: single-use, expiring links sent by mail; accepting them with a new account or
the invited address's own; resending, revoking; inviting from a CSV file."""
from __future__ import annotations

import pytest
import base64
import datetime as dt
import email
import email.policy
import re

from sqlalchemy import select

from nmt_course.accounts.models import User
from nmt_course.clinics.models import Invitation, Membership
from nmt_course.extensions import db
from nmt_course.runtime import utcnow
from tests.app.authoring_helpers import post, upload_file
from tests.app.clinic_helpers import make_clinic, manager_client, use_outbox
from tests.helpers import form_with, login, make_user, set_clock

NEW_ACCOUNT = {"legal_name": "Ana Staff", "password": "a long enough pw",
               "confirm": "a long enough pw", "licence_number": "MA 1", "licence_state": "FL"}


def members_of(app, clinic_id: int) -> list[tuple[str, str]]:
    """(e-mail, role as stored) of each member."""
    with app.app_context():
        return sorted((email, role.value) for email, role in db.session.execute(
            select(User.email, Membership.role).join(Membership, Membership.user_id == User.id)
            .where(Membership.clinic_id == clinic_id)))


def test_an_invitation_travels_by_smtp_and_makes_an_account(make_app, smtp_server):
    port, inbox = smtp_server
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                   MAIL_DEFAULT_SENDER="ce@nmt.test")
    clinic_id = make_clinic(app)
    manager = manager_client(app)
    sent = post(manager, f"/clinics/{clinic_id}/invitations",
                {"invite-email": "Ana@Example.com", "invite-name": "Ana"}, follow_redirects=True)
    assert "Invitation sent to ana@example.com." in sent.text
    pending = sent.text.split('id="pending-heading"')[1].split('id="invite-heading"')[0]
    assert "<td>ana@example.com<span" in pending
    (message,) = inbox.messages
    assert message.rcpt_tos == ["ana@example.com"]
    # Both parts travel: plain text first, the HTML as its alternative.
    mail = email.message_from_bytes(message.content, policy=email.policy.default)
    assert mail.get_content_type() == "multipart/alternative"
    body = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Harbour Clinic invites you" in body and "within 14 days" in body
    path = re.search(r"http://nmt\.test(/invitations/[A-Za-z0-9_\-]+)", body).group(1)
    assert f'href="http://nmt.test{path}"' in html
    token = path.rsplit("/", 1)[1]
    assert len(base64.urlsafe_b64decode(token + "==")) * 8 >= 128
    with app.app_context():
        stored = db.session.scalar(select(Invitation.token_hash))
        assert token not in stored and len(stored) == 64  # only its SHA-256 is kept

    newcomer = app.test_client()
    form = newcomer.get(path)
    assert form.status_code == 200 and "ana@example.com" in form.text
    assert 'value="Ana"' in form.text  # the name the manager gave
    joined = newcomer.post(path, data={**form_with(form.text, "legal_name")["fields"],
                                       **NEW_ACCOUNT})
    assert joined.status_code == 302 and joined.location.endswith("/dashboard")
    assert "You are on the staff of Harbour Clinic" in newcomer.get("/dashboard").text
    assert ("ana@example.com", "staff") in members_of(app, clinic_id)
    # The link works once.
    again = app.test_client().get(path)
    assert again.status_code == 404 and "This invitation no longer works" in again.text


def test_bad_account_details_keep_the_invitation_open(app):
    outbox = use_outbox(app)
    clinic_id = make_clinic(app)
    post(manager_client(app), f"/clinics/{clinic_id}/invitations", {"invite-email": "a@x.org"})
    visitor = app.test_client()
    path = outbox.link("a@x.org")
    page = visitor.get(path).text
    short = visitor.post(path, data={**form_with(page, "legal_name")["fields"],
                                     **NEW_ACCOUNT, "password": "short", "confirm": "short"})
    assert short.status_code == 422 and "Use at least 10 characters." in short.text
    assert members_of(app, clinic_id) == [("manager@example.com", "manager")]
    assert visitor.get(path).status_code == 200


def test_an_expired_invitation_no_longer_works(app):
    outbox = use_outbox(app)
    clinic_id = make_clinic(app)
    post(manager_client(app), f"/clinics/{clinic_id}/invitations", {"invite-email": "a@x.org"})
    path = outbox.link("a@x.org")
    set_clock(app, lambda: utcnow() + dt.timedelta(days=14, minutes=1))
    assert app.test_client().get(path).status_code == 404
    assert "Expired" in manager_client(app).get(f"/clinics/{clinic_id}/staff").text


@pytest.mark.dialect("partial unique index")
def test_resending_kills_the_old_link_and_revoking_kills_the_new(app):
    outbox = use_outbox(app)
    clinic_id = make_clinic(app)
    manager = manager_client(app)
    post(manager, f"/clinics/{clinic_id}/invitations", {"invite-email": "a@x.org"})
    first = outbox.link("a@x.org")
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))
    resent = post(manager, f"/clinics/{clinic_id}/invitations/{invitation_id}/resend",
                  follow_redirects=True)
    assert "the earlier link no longer works" in resent.text
    second = outbox.link("a@x.org")
    assert second != first and len(outbox.to("a@x.org")) == 2
    visitor = app.test_client()
    assert visitor.get(first).status_code == 404
    assert visitor.get(second).status_code == 200
    revoked = post(manager, f"/clinics/{clinic_id}/invitations/{invitation_id}/revoke",
                   follow_redirects=True)
    assert "The invitation to a@x.org is revoked" in revoked.text
    assert visitor.get(second).status_code == 404
    staff_page = manager.get(f"/clinics/{clinic_id}/staff").text
    assert "a@x.org" not in staff_page and "Invitations not yet accepted (0)" in staff_page
    # A revoked invitation cannot be resent or revoked again: it is not this clinic's open one.
    assert post(manager, f"/clinics/{clinic_id}/invitations/{invitation_id}/resend"
                ).status_code == 404


def test_an_existing_account_logs_in_then_joins(app):
    outbox = use_outbox(app)
    make_user(app, "kim@example.com", name="Kim Existing")
    clinic_id = make_clinic(app)
    post(manager_client(app), f"/clinics/{clinic_id}/invitations",
         {"invite-email": "kim@example.com"})
    path = outbox.link("kim@example.com")
    kim = app.test_client()
    page = kim.get(path).text
    assert "You already have an account with kim@example.com" in page
    to_login = re.search(r'href="(/login\?next=[^"]+)"', page).group(1).replace("&amp;", "&")
    logged_in = login(kim, "kim@example.com", url=to_login)
    assert logged_in.location == path
    join = kim.get(path).text
    assert "Join Harbour Clinic" in join
    joined = kim.post(f"{path}/join", data=form_with(join, "csrf_token")["fields"])
    assert joined.status_code == 302
    assert ("kim@example.com", "staff") in members_of(app, clinic_id)


def test_a_link_opened_by_someone_else_says_so_and_changes_nothing(app):
    outbox = use_outbox(app)
    make_user(app, "kim@example.com")
    make_user(app, "eve@example.com")
    clinic_id = make_clinic(app)
    post(manager_client(app), f"/clinics/{clinic_id}/invitations",
         {"invite-email": "kim@example.com"})
    path = outbox.link("kim@example.com")
    eve = app.test_client()
    login(eve, "eve@example.com")
    page = eve.get(path)
    assert page.status_code == 403
    assert "This invitation is for another e-mail address" in page.text
    refused = post(eve, f"{path}/join")
    assert refused.status_code == 403
    assert members_of(app, clinic_id) == [("manager@example.com", "manager")]
    with app.app_context():
        assert db.session.scalar(select(Invitation.accepted_at)) is None


@pytest.mark.dialect("partial unique index")
def test_inviting_a_member_or_an_invited_address_again_is_refused(app):
    use_outbox(app)
    clinic_id = make_clinic(app)
    manager = manager_client(app)
    post(manager, f"/clinics/{clinic_id}/invitations", {"invite-email": "a@x.org"})
    again = post(manager, f"/clinics/{clinic_id}/invitations", {"invite-email": "A@x.org"})
    assert again.status_code == 422 and "a@x.org is already invited" in again.text
    own = post(manager, f"/clinics/{clinic_id}/invitations",
               {"invite-email": "manager@example.com"})
    assert own.status_code == 422 and "already a member of Harbour Clinic" in own.text
    with app.app_context():
        assert len(db.session.scalars(select(Invitation)).all()) == 1


ROSTER = ("Name,E-mail\n"
          "Ana Staff,ana@example.com\n"
          "Bo Staff,not-an-address\n"
          "Cy Staff,cy@example.com\n"
          ",\n"
          "Ana Again,ANA@example.com\n"
          "Manager,manager@example.com\n"
          "Dee Staff,\n")


def test_a_csv_invites_its_good_rows_and_reports_bad_ones_by_line(app):
    outbox = use_outbox(app)
    clinic_id = make_clinic(app)
    manager = manager_client(app)
    page = upload_file(manager, f"/clinics/{clinic_id}/invitations/upload", "roster-roster",
                       "staff.csv", ROSTER.encode())
    assert page.status_code == 200
    text = page.text
    assert "2 invitations sent: ana@example.com, cy@example.com." in text
    assert "line 3: &#39;not-an-address&#39; is not an e-mail address" in text
    assert "line 6: ana@example.com is already on line 2" in text
    assert "line 7: manager@example.com is already a member of Harbour Clinic." in text
    assert "line 8: no e-mail address" in text
    assert sorted(m.to for m in outbox.messages) == ["ana@example.com", "cy@example.com"]
    assert outbox.to("ana@example.com")[0].body.startswith("Hello Ana Staff,")


def test_a_file_that_is_not_a_csv_is_refused_with_a_reason(app):
    use_outbox(app)
    clinic_id = make_clinic(app)
    manager = manager_client(app)
    url = f"/clinics/{clinic_id}/invitations/upload"
    picture = upload_file(manager, url, "roster-roster", "staff.csv",
                          b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert picture.status_code == 422 and "This is not a CSV file" in picture.text
    huge = upload_file(manager, url, "roster-roster", "staff.csv",
                       b"a@example.com\n" * 20_000)
    assert huge.status_code == 422 and "larger than 256 KB" in huge.text
    empty = upload_file(manager, url, "roster-roster", "staff.csv", b"\n\n")
    assert empty.status_code == 422 and "The file has no rows." in empty.text
    with app.app_context():
        assert db.session.scalar(select(Invitation)) is None
