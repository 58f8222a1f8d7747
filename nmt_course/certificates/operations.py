"""Issuing certificates (learning.completion.conclude, when a course is completed) and
revoking them. The PDF is rendered before the write transaction opens, so no writer waits
behind rendering; the insert that follows is one short transaction."""
from __future__ import annotations

from dataclasses import dataclass

from .. import audit, codes
from ..accounts.models import User
from ..database import db, transaction
from ..events import Completion
from ..runtime import Runtime
from ..text import one_line
from .models import Certificate, CertificateStatus
from .pdf import CertificateData, render_certificate_pdf
from .queries import certificate_for


@dataclass(frozen=True)
class IssuedCertificate:
    code: str
    course_title: str

    @property
    def display_code(self) -> str:
        return codes.display(self.code)


def issue_certificate(runtime: Runtime, completion: Completion) -> IssuedCertificate:
    """Render the PDF from the completion's copy of the facts, then store it; if a certificate
    for this learner and course exists already (a concurrent issue won), it is kept and the
    new rendering is discarded."""
    settings = runtime.settings
    code = codes.new_code()
    issued_at = runtime.clock()
    data = CertificateData(
        code=code, legal_name=completion.legal_name, licence_number=completion.licence_number,
        licence_state=completion.licence_state, course_title=completion.course_title,
        ce_hours=completion.ce_hours, course_type=completion.course_type,
        approval_number=completion.approval_number, provider_name=settings.provider_name,
        completed_on=settings.local_date(completion.completed_at), issued_at=issued_at,
        verification_url=settings.verification_url(code))
    stored = _store(data, completion, render_certificate_pdf(data))
    return IssuedCertificate(stored.code, stored.course_title)


@transaction
def _store(data: CertificateData, completion: Completion, pdf: bytes) -> Certificate:
    existing = certificate_for(completion.learner_id, completion.course_id)
    if existing is not None:
        return existing
    certificate = Certificate(
        code=data.code, user_id=completion.learner_id, course_id=completion.course_id,
        status=CertificateStatus.VALID, legal_name=data.legal_name,
        licence_number=data.licence_number, licence_state=data.licence_state, course_title=data.course_title,
        ce_hours=data.ce_hours, course_type=data.course_type,
        approval_number=data.approval_number, provider_name=data.provider_name,
        completed_on=data.completed_on, issued_at=data.issued_at, pdf=pdf)
    db.session.add(certificate)
    # Unique (user, course): a concurrent issue fails here, and @transaction runs this again,
    # which then finds and returns the stored certificate.
    db.session.flush()
    audit.record("certificate.issued", at=data.issued_at, actor_id=completion.learner_id,
                 subject=f"certificate:{certificate.id}", course=completion.course_slug)
    return certificate


class RevocationRefused(Exception):
    """The certificate is revoked already, or no reason was given."""


@transaction
def revoke_certificate(runtime: Runtime, actor: User, certificate: Certificate,
                       reason: str) -> None:
    """Withdraw a certificate (issued in error, say): the public verification page says so
    from now on, with the date. The reason is kept with it and in the audit log."""
    reason = one_line(reason)
    if not reason:
        raise RevocationRefused("Say why the certificate is revoked.")
    if not certificate.is_valid:
        raise RevocationRefused("This certificate is revoked already.")
    now = runtime.clock()
    certificate.status, certificate.revoked_at = CertificateStatus.REVOKED, now
    certificate.revoked_reason = reason[:500]
    audit.record("certificate.revoked", at=now, actor_id=actor.id,
                 subject=f"certificate:{certificate.id}", user=certificate.user_id,
                 reason=reason[:500])
