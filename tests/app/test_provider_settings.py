"""Provider settings edited by an admin and the Certificate of Achievement built from them:
every field a board asks for on the PDF and the verification page, a copy kept with each
certificate, a revoked PDF stamped, the new certificate's link e-mailed, and a name no font
draws refused at issue time rather than printed blank."""
from __future__ import annotations

import io
import logging

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select, update

from nmt_course.accounts.models import User
from nmt_course.audit import AuditEvent
from nmt_course.certificates.models import Certificate, ProviderSettings
from nmt_course.extensions import db
from tests.app.clinic_helpers import use_outbox
from tests.app.test_certificates import complete_course
from tests.helpers import (DEMO_PASS, SECOND_PASS, csrf_from, login, make_user, post_form,
                           read_lesson, runtime, send_evaluation, submit_quiz)


def png(width: int = 240, height: int = 60, *, noise: bool = False) -> bytes:
    image = Image.new("RGBA", (width, height), (20, 30, 80, 255))
    if noise:  # incompressible, so the file is large
        image = Image.frombytes("RGBA", (width, height), __import__("os").urandom(
            width * height * 4))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 20), (0, 0, 0)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def admin(app):
    make_user(app, "admin@example.com", name="Ada Admin", is_admin=True)
    client = app.test_client()
    login(client, "admin@example.com")
    return client


def save(admin, *, signature: tuple[bytes, str] | None = None, version: str | None = None,
         **fields):
    page = admin.get("/admin/provider").text
    data = {"csrf_token": csrf_from(page), "name": "Harbour CE Institute",
            "postal_address": "12 Harbour Street, Tampa, FL 33602",
            "contact_email": "ce@harbour.example", "approval_number": "NCBTMB 451234",
            "version": version if version is not None else
            page.split('name="version" type="hidden" value="')[1].split('"')[0]}
    data.update(fields)
    if signature is not None:
        data["signature"] = (io.BytesIO(signature[0]), signature[1])
    return admin.post("/admin/provider", data=data, content_type="multipart/form-data")


def stored(app) -> ProviderSettings | None:
    with app.app_context():
        row = db.session.get(ProviderSettings, 1)
        if row is not None:
            db.session.expunge(row)
        return row


def pdf_text(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def test_the_page_starts_from_the_config_and_an_admin_saves_it_audited(app, admin):
    page = admin.get("/admin/provider").text
    assert 'value="NMT Test Academy"' in page and "nothing is saved yet" in page
    response = save(admin, signature=(png(), "signature.png"))
    assert response.status_code == 302
    assert "saved" in admin.get(response.location).text
    row = stored(app)
    assert (row.name, row.postal_address, row.contact_email, row.approval_number,
            row.version) == ("Harbour CE Institute", "12 Harbour Street, Tampa, FL 33602",
                             "ce@harbour.example", "NCBTMB 451234", 1)
    assert admin.get("/admin/provider/signature.png").data == png()
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "provider.updated"))
        assert event.actor_id is not None
        assert event.details["changed"]["approval_number"] == "NCBTMB 451234"
        assert event.details["changed"]["signature"].startswith("PNG")
    log = admin.get("/admin/audit", query_string={"kind": "certificates"}).text
    assert "provider.updated" in log


@pytest.mark.parametrize("upload, message", [
    ((jpeg(), "signature.png"), "The signature must be a PNG image."),
    ((b"%PDF-1.4 not an image", "signature.png"), "That file is not a PNG image."),
    ((png(300, 300, noise=True), "big.png"), "The signature may be at most 200 KB"),
])
def test_a_signature_that_is_not_a_small_png_is_refused_and_nothing_changes(
        app, admin, upload, message):
    response = save(admin, signature=upload, name="Changed Name")
    assert response.status_code == 422
    assert message in response.text
    assert stored(app) is None


def test_a_certificate_must_show_an_address_or_an_email(app, admin):
    response = save(admin, postal_address="", contact_email="")
    assert response.status_code == 409
    assert "Enter a postal address or a contact e-mail" in response.text
    assert stored(app) is None
    assert save(admin, contact_email="not an address").status_code == 422
    assert save(admin, name=" ").status_code == 422
    assert stored(app) is None


@pytest.mark.dialect("row locks")
def test_a_save_over_someone_elses_newer_save_is_refused(app, admin):
    assert save(admin, version="0").status_code == 302
    stale = save(admin, version="0", name="Older Form")
    assert stale.status_code == 409 and "Someone saved the provider settings" in stale.text
    assert stored(app).name == "Harbour CE Institute"
    assert save(admin, version="1", name="Newer Form").status_code == 302
    assert stored(app).name == "Newer Form"


def test_the_signature_can_be_removed(app, admin):
    save(admin, signature=(png(), "signature.png"))
    save(admin, remove_signature="y")
    assert admin.get("/admin/provider/signature.png").status_code == 404


@pytest.mark.real_pdf
def test_the_certificate_prints_every_board_field_and_keeps_its_copy(app, admin, learner):
    save(admin, signature=(png(), "signature.png"))
    post_form(learner, "/account", {"legal_name": "Jane Q. Learner",
                                    "licence_number": "LMT-555", "licence_state": "TX"})
    path = complete_course(learner)
    pdf = learner.get(path + ".pdf").data
    text = pdf_text(pdf)
    for expected in ("Certificate of Achievement", "Jane Q. Learner",
                     "Licence number LMT-555 (TX)", "Demo Course for Tests", "Home Study",
                     "0.5 CEs", "Course approval number TEST-001", "Harbour CE Institute",
                     "12 Harbour Street, Tampa, FL 33602", "ce@harbour.example",
                     "Provider approval number NCBTMB 451234",
                     # the demo quizzes pass at 80 % and 50 %
                     "Passed every lesson quiz at its pass mark (50 % to 80 %); no partial "
                     "credit", "For Harbour CE Institute", "http://nmt.test/verify/"):
        assert expected in text, expected
    images = {image.image.size for image in PdfReader(io.BytesIO(pdf)).pages[0].images}
    assert (240, 60) in images  # the signature
    # Later changes to the settings never reach an issued certificate.
    save(admin, name="Renamed Provider", approval_number="NEW-9")
    assert learner.get(path + ".pdf").data == pdf
    public = app.test_client().get("/verify/" + path.rsplit("/", 1)[1]).text
    for shown in ("Certificate of Achievement", "Harbour CE Institute",
                  "12 Harbour Street, Tampa, FL 33602", "ce@harbour.example", "NCBTMB 451234",
                  "Passed every lesson quiz at its pass mark", "Valid"):
        assert shown in public, shown
    assert "Renamed Provider" not in public and "LMT-555" not in public
    credential = learner.get(path + "/credential.json").get_json()
    assert credential["issuer"]["name"] == "Harbour CE Institute"
    assert credential["issuer"]["email"] == "ce@harbour.example"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Certificate"
    assert credential["name"] == "Certificate of Achievement: Demo Course for Tests"


def test_a_revoked_certificates_pdf_is_stamped_with_the_date(app, admin, learner):
    path = complete_course(learner)
    assert "REVOKED" not in pdf_text(learner.get(path + ".pdf").data)
    with app.app_context():
        certificate_id, person = db.session.execute(
            select(Certificate.id, Certificate.user_id)).one()
    page = admin.get(f"/admin/people/{person}").text
    admin.post(f"/admin/people/{person}/certificates/{certificate_id}/revoke",
               data={"csrf_token": csrf_from(page),
                     f"revoke{certificate_id}-reason": "Issued in error"})
    day = runtime(app).clock().date()
    for client in (learner, admin):
        response = client.get(path + ".pdf")
        assert response.headers["Content-Disposition"].endswith('-revoked.pdf"')
        text = pdf_text(response.data)
        assert (f"REVOKED on {day:%B} {day.day}, {day.year}: this certificate is not valid"
                in text)
    assert "since" in learner.get(path).text


def test_a_new_certificate_is_emailed_to_its_owner_as_a_link(app, learner):
    outbox = use_outbox(app)
    path = complete_course(learner)
    mails = [mail for mail in outbox.to("learner@example.com")
             if "Certificate of Achievement" in mail.subject]
    assert len(mails) == 1
    assert mails[0].subject == "Your Certificate of Achievement: Demo Course for Tests"
    assert f"http://nmt.test{path}" in mails[0].body
    assert "%PDF" not in mails[0].body


def test_a_name_no_font_draws_is_refused_on_the_account_page(learner):
    response = post_form(learner, "/account", {"legal_name": "Ahmose \U00013000"})
    assert response.status_code == 422
    assert "The certificate cannot print these characters: \U00013000 (U+13000)" in \
        response.text


def test_a_name_no_font_draws_is_refused_at_issue_never_printed_blank(app, learner, caplog):
    # A name stored before the account page checked it.
    with app.app_context():
        db.session.execute(update(User).values(legal_name="Ahmose \U00013000"))
        db.session.commit()
    with caplog.at_level(logging.ERROR):
        for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
            read_lesson(learner, "demo", lesson)
            submit_quiz(learner, "demo", lesson, answers)
        send_evaluation(learner, "demo")
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 0
    assert "U+13000" in caplog.text
    # Once the name prints, the course page's button issues it.
    post_form(learner, "/account", {"legal_name": "Ahmose Smith"})
    course = learner.get("/courses/demo").text
    assert "/courses/demo/certificate" in course
    learner.post("/courses/demo/certificate", data={"csrf_token": csrf_from(course)})
    with app.app_context():
        assert db.session.scalar(select(Certificate.legal_name)) == "Ahmose Smith"
