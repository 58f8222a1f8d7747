"""Certificates: what was certified, copied at issue time."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (Date, ForeignKey, LargeBinary, Numeric, String, Text, UniqueConstraint,
                        exists)
from sqlalchemy.orm import Mapped, column_property, deferred, mapped_column, query_expression

from .. import codes
from ..database import EnumValue, UTCDateTime, db, utcnow


class CertificateStatus(enum.Enum):
    VALID = "valid"
    REVOKED = "revoked"  # withdrawn by an admin, with a reason; verification says so
    # The holder deleted their account and the retention period passed: `records purge`
    # erased the record, keeping only the code and dates (its credential's bit is set).
    PURGED = "purged"


class Certificate(db.Model):
    """Later edits to the user or the course never reach a certificate."""

    __tablename__ = "certificates"
    # One per learner, course and cycle (nmt_course/cycles.py): a retake earns another.
    __table_args__ = (UniqueConstraint("user_id", "course_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    # The learner's cycle in the course it certifies; rows from before cycles: 1.
    cycle: Mapped[int] = mapped_column(default=1, server_default="1")
    status: Mapped[CertificateStatus] = mapped_column(EnumValue(CertificateStatus),
                                                      default=CertificateStatus.VALID)
    legal_name: Mapped[str] = mapped_column(String(200))
    licence_number: Mapped[str | None] = mapped_column(String(64))
    licence_state: Mapped[str | None] = mapped_column(String(64))
    course_title: Mapped[str] = mapped_column(String(200))
    ce_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    course_type: Mapped[str] = mapped_column(String(20))
    approval_number: Mapped[str] = mapped_column(String(100), default="")
    provider_name: Mapped[str] = mapped_column(String(200))
    # The provider settings and grading scale as printed (older certificates: "").
    provider_address: Mapped[str] = mapped_column(String(300), default="")
    provider_email: Mapped[str] = mapped_column(String(254), default="")
    provider_approval_number: Mapped[str] = mapped_column(String(100), default="")
    grading_scale: Mapped[str] = mapped_column(String(300), default="")
    completed_on: Mapped[dt.date] = mapped_column(Date)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(String(500), default="")
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    # The snapshot above (name, licence, PDF) is the latest revision's; a re-issue keeps the
    # one it replaces in `certificate_revisions`.
    revision: Mapped[int] = mapped_column(default=1)
    reissued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Whether it is of the holder's current cycle in the course: read by `certificates_for`
    # (None where not read).
    in_current_cycle: Mapped[bool | None] = query_expression()

    @property
    def display_code(self) -> str:
        return codes.display(self.code)

    @property
    def is_valid(self) -> bool:
        return self.status is CertificateStatus.VALID


class CertificateRevision(db.Model):
    """A revision of a certificate that a re-issue replaced, as it was printed: kept, listed
    for admins, never served as the certificate."""

    __tablename__ = "certificate_revisions"
    __table_args__ = (UniqueConstraint("certificate_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    revision: Mapped[int]
    legal_name: Mapped[str] = mapped_column(String(200))
    licence_number: Mapped[str | None] = mapped_column(String(64))
    licence_state: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # when this revision was
    superseded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(500), default="")  # why it was replaced
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))


class CourseTrackingNumber(db.Model):
    """A course's tracking number at CE Broker (set by an admin on the roster page): the
    full-credit roster upload names the course by it."""

    __tablename__ = "course_tracking_numbers"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), primary_key=True)
    cebroker_course_number: Mapped[str] = mapped_column(String(20), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProviderSettings(db.Model):
    """What certificates print about the provider, edited by an admin (one row, id 1; until
    it is saved, the config's values stand). Certificates copy it when issued."""

    __tablename__ = "provider_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    postal_address: Mapped[str] = mapped_column(String(300), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    approval_number: Mapped[str] = mapped_column(String(100), default="")
    # The provider's tracking number at CE Broker, without its "50-" prefix (rosters).
    cebroker_provider_number: Mapped[str] = mapped_column(String(20), default="")
    signature_png: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    # Counts saves: a form carries the version it was read at, so a save over someone
    # else's newer one is refused instead of silently undoing it.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CertificateCredential(db.Model):
    """The signed Open Badges credential of one revision of a certificate, stored as signed,
    and its own index in a status list: its bit is set when the certificate is revoked or
    the revision is superseded by a re-issue (`superseded_at`)."""

    __tablename__ = "certificate_credentials"
    __table_args__ = (UniqueConstraint("certificate_id", "revision"),
                      UniqueConstraint("status_list", "status_index"))

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    revision: Mapped[int] = mapped_column(default=1)
    status_list: Mapped[int] = mapped_column(default=1)
    status_index: Mapped[int]
    document: Mapped[str] = deferred(mapped_column(Text, nullable=False))  # JSON, as signed
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


# Whether the certificate has a signed credential, read with the certificate itself.
Certificate.has_credential = column_property(
    exists().where(CertificateCredential.certificate_id == Certificate.id))
