"""Reads about certificates."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping

from sqlalchemy import select
from sqlalchemy.orm import undefer, with_expression

from .. import codes, cycles
from ..accounts.models import User
from ..credentials import did_web, status_list, verifier
from ..database import db
from ..runtime import Runtime, Settings
from . import credential
from .models import (Certificate, CertificateCredential, CertificateRevision, CertificateStatus,
                     CourseTrackingNumber, ProviderSettings)
from .provider import Provider

MAX_UPLOAD = verifier.MAX_BYTES


def provider(settings: Settings, *, with_signature: bool = True) -> Provider:
    """The provider settings as saved by an admin, or the config's first values (one
    statement)."""
    query = select(ProviderSettings).where(ProviderSettings.id == 1)
    if with_signature:
        query = query.options(undefer(ProviderSettings.signature_png))
    return provider_of(db.session.scalar(query), settings, with_signature=with_signature)


def provider_of(row: ProviderSettings | None, settings: Settings, *,
                with_signature: bool = True) -> Provider:
    """The Provider of a provider_settings row read by the caller (None: not saved yet)."""
    if row is None:
        return Provider.from_settings(settings)
    return Provider(name=row.name, postal_address=row.postal_address,
                    contact_email=row.contact_email, approval_number=row.approval_number,
                    signature_png=row.signature_png if with_signature else None,
                    version=row.version,
                    cebroker_provider_number=row.cebroker_provider_number)


def certificates_for(learner_id: int) -> list[Certificate]:
    """Every certificate of the learner, of every cycle, newest first, each knowing whether
    it is of their current cycle in its course (`in_current_cycle`)."""
    return list(db.session.scalars(
        select(Certificate).where(Certificate.user_id == learner_id)
        .options(with_expression(Certificate.in_current_cycle, Certificate.cycle
                                 == cycles.current(Certificate.user_id, Certificate.course_id)))
        .order_by(Certificate.issued_at.desc())))


def certificate_for(learner_id: int, course_id: int) -> Certificate | None:
    """The learner's certificate of the course in their current cycle (earlier cycles' stay
    theirs, listed by `certificates_for`)."""
    return db.session.scalar(select(Certificate).where(
        Certificate.user_id == learner_id, Certificate.course_id == course_id,
        Certificate.cycle == cycles.current(learner_id, course_id)))


def revisions_of(certificate_ids: list[int]) -> dict[int, list[CertificateRevision]]:
    """The revisions re-issues replaced, per certificate, oldest first (one statement)."""
    found: dict[int, list[CertificateRevision]] = {}
    if certificate_ids:
        for row in db.session.scalars(
                select(CertificateRevision)
                .where(CertificateRevision.certificate_id.in_(certificate_ids))
                .order_by(CertificateRevision.certificate_id, CertificateRevision.revision)):
            found.setdefault(row.certificate_id, []).append(row)
    return found


def replaced_revision(certificate_id: int, revision: int) -> CertificateRevision | None:
    return db.session.scalar(
        select(CertificateRevision).options(undefer(CertificateRevision.pdf))
        .where(CertificateRevision.certificate_id == certificate_id,
               CertificateRevision.revision == revision))


def course_tracking_number(course_id: int) -> str:
    return db.session.scalar(select(CourseTrackingNumber.cebroker_course_number).where(
        CourseTrackingNumber.course_id == course_id)) or ""


def completions(course_id: int, first: dt.date, last: dt.date
                ) -> list[tuple[Certificate, str]]:
    """The course's certificates that stand, completed from `first` to `last` (inclusive),
    in order of completion, each with its holder's family name as the account gives it now
    (one statement): a roster's rows."""
    return [tuple(row) for row in db.session.execute(
        select(Certificate, User.family_name).join(User, User.id == Certificate.user_id)
        .where(Certificate.course_id == course_id,
               Certificate.status == CertificateStatus.VALID,
               Certificate.completed_on.between(first, last))
        .order_by(Certificate.completed_on, Certificate.id))]


def certificate_by_typed_code(typed: str) -> Certificate | None:
    """The certificate whose code a person typed (any case, spaces or dashes), or None."""
    canonical = codes.normalise(typed)
    if canonical is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == canonical))


def credential_of(certificate_id: int) -> CertificateCredential | None:
    """The credential of the certificate's latest revision, with its document."""
    return db.session.scalar(
        select(CertificateCredential).options(undefer(CertificateCredential.document))
        .where(CertificateCredential.certificate_id == certificate_id)
        .order_by(CertificateCredential.revision.desc()).limit(1))


def credential_of_revision_exists(certificate_id: int, revision: int) -> bool:
    return db.session.scalar(select(select(CertificateCredential.id).where(
        CertificateCredential.certificate_id == certificate_id,
        CertificateCredential.revision == revision).exists()))


def status_index_taken(list_number: int, index: int) -> bool:
    return db.session.scalar(select(select(CertificateCredential.id).where(
        CertificateCredential.status_list == list_number,
        CertificateCredential.status_index == index).exists()))


def set_status_bits(list_number: int) -> list[int]:
    """The indexes whose bit is set: credentials of revoked certificates, and of revisions a
    re-issue superseded."""
    return list(db.session.scalars(
        select(CertificateCredential.status_index)
        .join(Certificate, Certificate.id == CertificateCredential.certificate_id)
        .where(CertificateCredential.status_list == list_number,
               (Certificate.status != CertificateStatus.VALID)
               | CertificateCredential.superseded_at.is_not(None))
        .order_by(CertificateCredential.status_index)))


def status_lists_in_use() -> list[int]:
    return list(db.session.scalars(
        select(CertificateCredential.status_list).distinct()
        .order_by(CertificateCredential.status_list)))


def unsigned_certificates(after_id: int, limit: int) -> list[tuple[Certificate, bool]]:
    """Certificates without a credential after `after_id`, oldest first, with whether the
    learner puts the licence number in credentials."""
    rows = db.session.execute(
        select(Certificate, User.licence_in_credentials)
        .join(User, User.id == Certificate.user_id)
        .where(~Certificate.has_credential, Certificate.id > after_id)
        .order_by(Certificate.id).limit(limit))
    return [tuple(row) for row in rows]


class _SiteStatusLists(Mapping):
    """This site's status lists by URL, each read from the records only when a credential
    names it (its contents are trusted: they are the records)."""

    def __init__(self, runtime: Runtime, did: str):
        self.settings, self.did = runtime.settings, did

    def __getitem__(self, url: str) -> verifier.StatusList:
        prefix = credential.status_list_url(self.settings, 0)[:-1]
        number = url.removeprefix(prefix)
        if not url.startswith(prefix) or not number.isdigit() or len(number) > 6:
            raise KeyError(url)
        bits = status_list.bitstring(set_status_bits(int(number)))
        return verifier.StatusList(url=url, issuer=self.did, bits=bits,
                                   source="this site's records")

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def check_credential_file(runtime: Runtime, raw: bytes) -> verifier.Report:
    """Verify an uploaded credential against this site's keys (current and rotated out) and
    its own revocation records."""
    did = did_web.did_for(runtime.settings.site_url)
    keys = did_web.keys_of(did, runtime.issuer_keys.public)
    return verifier.verify(raw, keys=keys, loader=credential.loader(), now=runtime.clock(),
                           status_lists=_SiteStatusLists(runtime, did),
                           key_labels=credential.key_labels(runtime))
