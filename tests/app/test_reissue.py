"""Re-issuing a certificate after a name or licence correction: the same code, a new revision
of its snapshot, PDF and credential, the old revision kept and listed for admins, the learner
e-mailed, and issue, re-issue and revocation in the audit log."""
from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from nmt_course.accounts.queries import user_by_email
from nmt_course.audit import AuditEvent
from nmt_course.certificates import queries
from nmt_course.certificates.models import (Certificate, CertificateCredential,
                                            CertificateRevision)
from nmt_course.certificates.reissue_operations import (Correction, ReissueRefused,
                                                        _store_reissue)
from nmt_course.extensions import db
from tests.app.clinic_helpers import use_outbox
from tests.app.test_certificates import complete_course
from tests.helpers import csrf_from, import_content, login, make_user, runtime


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _world(app):
    outbox = use_outbox(app)
    import_content(app)
    make_user(app, name="Jane Lerner", licence_number="MA-1", licence_state="FL")
    learner = app.test_client()
    login(learner)
    path = complete_course(learner)
    make_user(app, "admin@example.com", is_admin=True)
    admin = app.test_client()
    login(admin, "admin@example.com")
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        ids = certificate.user_id, certificate.id, certificate.display_code
    return outbox, learner, admin, path, ids


def _reissue(admin, person, certificate_id, **fields):
    page = admin.get(f"/admin/people/{person}").text
    data = {"csrf_token": csrf_from(page)}
    data.update({f"reissue{certificate_id}-{key}": value for key, value in fields.items()})
    return admin.post(f"/admin/people/{person}/certificates/{certificate_id}/reissue",
                      data=data, follow_redirects=True)


@pytest.mark.real_pdf
def test_a_name_correction_reissues_the_certificate_under_the_same_code(app):
    outbox, learner, admin, path, (person, certificate_id, code) = _world(app)
    old_pdf = learner.get(path + ".pdf").data
    old_credential = json.loads(learner.get(path + "/credential.json").data)
    done = _reissue(admin, person, certificate_id, legal_name="Jane Learner",
                    licence_number="MA-1", licence_state="FL",
                    reason="Name misspelt; learner sent her licence")
    assert done.status_code == 200 and "re-issued as revision 2" in done.text
    # The learner's certificate: same code, the corrected name, a new PDF and credential.
    assert "Jane Learner" in learner.get(path).text
    new_pdf = learner.get(path + ".pdf").data
    assert "Jane Learner" in pdf_text(new_pdf) and code in pdf_text(new_pdf)
    new_credential = json.loads(learner.get(path + "/credential.json").data)
    assert new_credential["credentialSubject"]["identifier"][0]["identityHash"] == \
        "Jane Learner"
    assert "Jane Learner" in app.test_client().get(f"/verify/{code}").text
    # The old revision: kept, listed for admins with its PDF, its credential's bit set.
    page = admin.get(f"/admin/people/{person}").text
    assert "Revision 1 (PDF)" in page and "Name misspelt" in page
    kept = admin.get(f"/admin/people/{person}/certificates/{certificate_id}/revisions/1.pdf")
    assert kept.status_code == 200 and kept.data == old_pdf
    assert "Jane Lerner" in pdf_text(kept.data)
    assert admin.get(f"/admin/people/{person}/certificates/{certificate_id}/revisions/2.pdf"
                     ).status_code == 404  # the current one is the certificate's own
    with app.app_context():
        rows = list(db.session.scalars(select(CertificateCredential)
                                       .order_by(CertificateCredential.revision)))
        assert [(row.revision, row.superseded_at is not None) for row in rows] == [
            (1, True), (2, False)]
        assert rows[0].status_index in queries.set_status_bits(1)
        assert rows[1].status_index not in queries.set_status_bits(1)
        assert old_credential["credentialStatus"]["statusListIndex"] == str(
            rows[0].status_index)
        revision = db.session.scalar(select(CertificateRevision))
        assert (revision.revision, revision.legal_name) == (1, "Jane Lerner")
    # The learner is told.
    told = outbox.to("learner@example.com")[-1]
    assert "re-issued" in told.subject and "Name misspelt" in told.body


def test_issue_reissue_and_revocation_are_in_the_audit_log(app):
    _, _, admin, _, (person, certificate_id, _) = _world(app)
    _reissue(admin, person, certificate_id, legal_name="Jane Learner", licence_number="MA-1",
             licence_state="FL", reason="Typo")
    page = admin.get(f"/admin/people/{person}").text
    admin.post(f"/admin/people/{person}/certificates/{certificate_id}/revoke",
               data={"csrf_token": csrf_from(page),
                     f"revoke{certificate_id}-reason": "Issued in error"})
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject == f"certificate:{certificate_id}").order_by(AuditEvent.id)))
        reissued = db.session.scalar(select(AuditEvent.details).where(
            AuditEvent.action == "certificate.reissued"))
    assert [a for a in actions if a != "certificate.credential_signed"] == [
        "certificate.issued", "certificate.reissued", "certificate.revoked"]
    assert reissued["before"]["legal_name"] == "Jane Lerner"
    assert reissued["after"]["legal_name"] == "Jane Learner" and reissued["revision"] == 2


def test_a_reissue_without_reason_or_change_changes_nothing(app):
    outbox, _, admin, _, (person, certificate_id, _) = _world(app)
    sent = len(outbox.messages)
    no_reason = _reissue(admin, person, certificate_id, legal_name="Jane Learner",
                         licence_number="MA-1", licence_state="FL", reason="")
    assert no_reason.status_code == 422 and "Say why the certificate is re-issued" in \
        no_reason.text
    same = _reissue(admin, person, certificate_id, legal_name="Jane Lerner",
                    licence_number="MA-1", licence_state="FL", reason="Nothing really")
    assert same.status_code == 409 and "what the certificate prints already" in same.text
    with app.app_context():
        assert db.session.scalar(select(Certificate.revision)) == 1
        assert db.session.scalar(select(CertificateRevision)) is None
    assert len(outbox.messages) == sent


def test_a_revoked_certificate_is_not_reissued(app):
    _, _, admin, _, (person, certificate_id, _) = _world(app)
    page = admin.get(f"/admin/people/{person}").text
    admin.post(f"/admin/people/{person}/certificates/{certificate_id}/revoke",
               data={"csrf_token": csrf_from(page),
                     f"revoke{certificate_id}-reason": "Issued in error"})
    refused = _reissue(admin, person, certificate_id, legal_name="Jane Learner",
                       licence_number="MA-1", licence_state="FL", reason="Typo")
    assert refused.status_code == 409 and "A revoked certificate cannot be re-issued" in \
        refused.text
    with app.app_context():
        assert db.session.scalar(select(Certificate.revision)) == 1


@pytest.mark.real_pdf
def test_a_licence_correction_prints_the_new_licence(app):
    _, learner, admin, path, (person, certificate_id, _) = _world(app)
    _reissue(admin, person, certificate_id, legal_name="Jane Lerner",
             licence_number="MA-7", licence_state="FL", reason="Licence number typo")
    assert "MA-7" in pdf_text(learner.get(path + ".pdf").data)


@pytest.mark.dialect("row locks")
def test_a_reissue_over_a_newer_one_is_refused(app):
    _, _, admin, _, (person, certificate_id, _) = _world(app)
    _reissue(admin, person, certificate_id, legal_name="Jane Learner", licence_number="MA-1",
             licence_state="FL", reason="Typo")
    with app.app_context():
        actor = user_by_email("admin@example.com")
        with pytest.raises(ReissueRefused, match="after you opened the page"):
            _store_reissue(runtime(app), actor, certificate_id, 1,  # read before the other
                           Correction("Jane Other", "MA-1", "FL", "Again"), b"%PDF", None,
                           runtime(app).clock())
        assert db.session.scalar(select(Certificate.legal_name)) == "Jane Learner"
