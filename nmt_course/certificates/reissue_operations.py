"""Re-issuing a certificate after an admin corrects the legal name or licence number it
printed: the same code, a new revision of its snapshot and PDF (the one it replaces is kept
in `certificate_revisions`), a new signed credential (the old one's status bit is set), and
an e-mail to the learner. Like issuing, the PDF and e-mail are made before the short write
transaction; the credential is signed after it (`operations.attach_credential`)."""
from __future__ import annotations

import dataclasses

from sqlalchemy import select, update
from sqlalchemy.orm import undefer

from .. import audit, codes
from ..accounts.models import User
from ..database import db, transaction
from ..formatting import ce_label
from ..mailing import outbox
from ..mailing.messages import render_email
from ..runtime import Email, Runtime
from ..text import one_line
from . import credential, queries
from .models import Certificate, CertificateCredential, CertificateRevision
from .operations import attach_credential
from .pdf import CertificateData, UnprintableText, render_certificate_pdf
from .provider import Provider


class ReissueRefused(Exception):
    """Nothing was re-issued; the message says why."""


@dataclasses.dataclass(frozen=True)
class Correction:
    legal_name: str
    licence_number: str | None
    licence_state: str | None
    reason: str


def _correction(certificate: Certificate, legal_name: str, licence_number: str | None,
                licence_state: str | None, reason: str) -> Correction:
    fixed = Correction(one_line(legal_name)[:200], one_line(licence_number)[:64] or None,
                       one_line(licence_state)[:64] or None, one_line(reason)[:500])
    if not fixed.legal_name or not fixed.reason:
        raise ReissueRefused("Give the legal name to print and the reason for the re-issue.")
    if (fixed.legal_name, fixed.licence_number, fixed.licence_state) == (
            certificate.legal_name, certificate.licence_number, certificate.licence_state):
        raise ReissueRefused("The name and licence are what the certificate prints already: "
                             "correct one of them to re-issue it.")
    return fixed


def reissue_certificate(runtime: Runtime, actor: User, certificate: Certificate, *,
                        legal_name: str, licence_number: str | None,
                        licence_state: str | None, reason: str, course_slug: str) -> int:
    """Re-issue `certificate` with the corrected name and licence; returns the new revision
    number. ReissueRefused (nothing changed) when the reason is missing, nothing differs,
    the certificate is revoked, the name cannot be printed, or someone re-issued it since
    it was read."""
    fixed = _correction(certificate, legal_name, licence_number, licence_state, reason)
    settings, now = runtime.settings, runtime.clock()
    current = queries.provider(settings)
    printed = Provider(name=certificate.provider_name,
                       postal_address=certificate.provider_address,
                       contact_email=certificate.provider_email,
                       approval_number=certificate.provider_approval_number,
                       signature_png=current.signature_png)
    data = CertificateData(
        code=certificate.code, legal_name=fixed.legal_name,
        licence_number=fixed.licence_number, licence_state=fixed.licence_state,
        course_title=certificate.course_title, ce_hours=certificate.ce_hours,
        course_type=certificate.course_type, approval_number=certificate.approval_number,
        provider=printed, grading_scale=certificate.grading_scale,
        completed_on=certificate.completed_on, issued_at=now,
        verification_url=settings.verification_url(certificate.code))
    try:
        pdf = render_certificate_pdf(data)
    except UnprintableText as error:
        raise ReissueRefused(str(error)) from error
    owner = db.session.get(User, certificate.user_id)
    mail = None
    if owner is not None and owner.deleted_at is None:
        mail = render_email(
            "certificate_reissued", to=owner.email, settings=settings, name=fixed.legal_name,
            course_title=certificate.course_title, certificate_title=data.title,
            ce=ce_label(certificate.ce_hours),
            page=f"/certificates/{codes.display(certificate.code)}",
            verification_url=data.verification_url, reason=fixed.reason)
    revision = _store_reissue(runtime, actor, certificate.id, certificate.revision, fixed,
                              pdf, mail, now)
    if runtime.issuer_keys.signing is not None:
        attach_credential(runtime, certificate.id, revision, credential.facts(
            settings, code=certificate.code, legal_name=fixed.legal_name,
            licence_number=(fixed.licence_number if owner is not None
                            and owner.licence_in_credentials else None),
            course_title=certificate.course_title, ce_hours=certificate.ce_hours,
            course_type=certificate.course_type, approval_number=certificate.approval_number,
            course_slug=course_slug, issued_at=now, provider_name=certificate.provider_name,
            provider_email=certificate.provider_email))
    return revision


@transaction
def _store_reissue(runtime: Runtime, actor: User, certificate_id: int, read_revision: int,
                   fixed: Correction, pdf: bytes, mail: Email | None, now) -> int:
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.id == certificate_id).with_for_update()
        .options(undefer(Certificate.pdf)).execution_options(populate_existing=True))
    if certificate.revision != read_revision:
        raise ReissueRefused("Someone re-issued this certificate after you opened the page; "
                             "here it is as it stands now.")
    if not certificate.is_valid:
        raise ReissueRefused("A revoked certificate cannot be re-issued.")
    db.session.add(CertificateRevision(
        certificate_id=certificate.id, revision=certificate.revision,
        legal_name=certificate.legal_name, licence_number=certificate.licence_number,
        licence_state=certificate.licence_state,
        issued_at=certificate.reissued_at or certificate.issued_at, superseded_at=now,
        reason=fixed.reason, pdf=certificate.pdf))
    db.session.execute(
        update(CertificateCredential)
        .where(CertificateCredential.certificate_id == certificate.id,
               CertificateCredential.superseded_at.is_(None))
        .values(superseded_at=now))
    before = {"legal_name": certificate.legal_name,
              "licence_number": certificate.licence_number,
              "licence_state": certificate.licence_state}
    certificate.legal_name, certificate.licence_number = fixed.legal_name, fixed.licence_number
    certificate.licence_state, certificate.pdf = fixed.licence_state, pdf
    certificate.revision, certificate.reissued_at = certificate.revision + 1, now
    audit.record("certificate.reissued", at=now, actor_id=actor.id,
                 subject=f"certificate:{certificate.id}", user=certificate.user_id,
                 revision=certificate.revision, reason=fixed.reason, before=before,
                 after={"legal_name": fixed.legal_name,
                        "licence_number": fixed.licence_number,
                        "licence_state": fixed.licence_state})
    if mail is not None:
        outbox.queue(mail, at=now)
    return certificate.revision
