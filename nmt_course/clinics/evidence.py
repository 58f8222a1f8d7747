"""The evidence a clinic's managers may see of their staff's training: the certificates of
the courses the clinic assigned them, once the person has been told the managers see them.
Reads only."""
from __future__ import annotations

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import undefer

from ..certificates.models import Certificate, CertificateStatus
from ..certificates.queries import certificate_by_typed_code
from ..database import db
from .models import Assignment, ClinicRole, Membership

# How long the dashboard says that a clinic's managers see a person's certificates, after
# the person was told (on joining, or by the e-mail to those who joined before).
NOTICE_DAYS = 30


def _seen_by(clinic_id: int):
    """The condition that the clinic's managers may see a certificate: its owner is on the
    staff now and has been told, and the clinic assigned the course (to all or to them)."""
    return and_(
        exists().where(Membership.clinic_id == clinic_id,
                       Membership.user_id == Certificate.user_id,
                       Membership.role == ClinicRole.STAFF,
                       Membership.evidence_notice_at.is_not(None)),
        exists().where(Assignment.clinic_id == clinic_id,
                       Assignment.course_id == Certificate.course_id,
                       or_(Assignment.user_id.is_(None),
                           Assignment.user_id == Certificate.user_id)))


def staff_certificate(clinic_id: int, typed_code: str) -> Certificate | None:
    """The certificate with this code if the clinic's managers may see it; None otherwise."""
    certificate = certificate_by_typed_code(typed_code)
    if certificate is None:
        return None
    allowed = db.session.scalar(select(Certificate.id).where(
        Certificate.id == certificate.id, _seen_by(clinic_id)))
    return certificate if allowed is not None else None


def course_certificates(clinic_id: int, course_id: int) -> list[Certificate]:
    """Every valid certificate of the course the clinic's managers may see, with its PDF,
    in the order of the owners' names."""
    return list(db.session.scalars(
        select(Certificate).options(undefer(Certificate.pdf))
        .where(Certificate.course_id == course_id,
               Certificate.status == CertificateStatus.VALID, _seen_by(clinic_id))
        .order_by(Certificate.legal_name, Certificate.id)))
