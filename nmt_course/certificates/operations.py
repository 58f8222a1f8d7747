"""Issuing certificates (learning.completion.conclude, when a course is completed) and
revoking them. The PDF is rendered and the credential signed before the write transaction
opens, so no writer waits behind them; the insert that follows is one short transaction. A
certificate issued without an issuer key gets its credential later, from
`backfill_credentials`."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import undefer

from .. import audit, codes, cycles
from ..accounts.models import User
from ..database import db, end_read, transaction
from ..events import Completion
from ..formatting import ce_label
from ..mailing import outbox
from ..mailing.messages import render_email
from ..runtime import Email, Runtime
from ..text import email_address, one_line
from . import credential, queries
from .models import (Certificate, CertificateCredential, CertificateStatus, CourseTrackingNumber,
                     ProviderSettings)
from .provider import Provider, grading_scale
from .pdf import CertificateData, render_certificate_pdf
from .queries import certificate_for

# A random status index is taken already with a chance of (credentials in the list) / 131,072.
INDEX_TRIES = 8


@dataclass(frozen=True)
class IssuedCertificate:
    code: str
    course_title: str

    @property
    def display_code(self) -> str:
        return codes.display(self.code)


def issue_certificate(runtime: Runtime, completion: Completion, *,
                      provider: Provider | None = None) -> IssuedCertificate:
    """Render the PDF, sign the credential (when there is a key) and write the e-mail from
    the completion's copy of the facts and the provider settings as they stand, then store
    them; if a certificate for this learner and course exists already (a concurrent issue
    won), it is kept and the new ones are discarded. UnprintableText when the name or title
    holds characters no shipped font draws: nothing is stored, the course page offers the
    certificate again once the name is corrected. `provider`: the provider settings, if the
    caller read them in the transaction that completed the course."""
    settings = runtime.settings
    code = codes.new_code()
    issued_at = runtime.clock()
    if provider is None:
        provider = queries.provider(settings)
    end_read()  # 32 learners finishing at once must not hold 32 connections while rendering
    data = CertificateData(
        code=code, legal_name=completion.legal_name, licence_number=completion.licence_number,
        licence_state=completion.licence_state, course_title=completion.course_title,
        ce_hours=completion.ce_hours, course_type=completion.course_type,
        approval_number=completion.approval_number, provider=provider,
        grading_scale=grading_scale(completion.pass_marks),
        completed_on=settings.local_date(completion.completed_at), issued_at=issued_at,
        verification_url=settings.verification_url(code))
    pdf = render_certificate_pdf(data)
    facts = credential.facts(
        settings, code=code, legal_name=data.legal_name,
        licence_number=data.licence_number if completion.licence_in_credential else None,
        course_title=data.course_title, ce_hours=data.ce_hours, course_type=data.course_type,
        approval_number=data.approval_number, course_slug=completion.course_slug,
        issued_at=issued_at, provider_name=provider.name,
        provider_email=provider.contact_email)
    mail = render_email(
        "certificate_issued", to=completion.learner_email, settings=settings,
        name=data.legal_name, provider_name=provider.name, course_title=data.course_title,
        certificate_title=data.title,
        ce=ce_label(data.ce_hours), page=f"/certificates/{codes.display(code)}",
        verification_url=data.verification_url) if completion.learner_email else None
    for _ in range(INDEX_TRIES):
        try:
            stored = _store(data, completion, pdf, credential.sign(runtime, facts), mail, [])
        except StatusIndexTaken:
            continue  # sign again with another random index
        return IssuedCertificate(stored.code, stored.course_title)
    raise StatusIndexTaken("no free status-list index after several tries")


class StatusIndexTaken(Exception):
    """The random status-list index drawn for a credential belongs to another already."""


def _credential_row(certificate_id: int, revision: int,
                    signed: credential.SignedCredential) -> CertificateCredential:
    return CertificateCredential(
        certificate_id=certificate_id, revision=revision, status_list=signed.status_list,
        status_index=signed.status_index, document=signed.document, signed_at=signed.signed_at)


def _refuse_a_taken_index(signed: credential.SignedCredential | None, runs: list) -> None:
    """A rerun after a unique-constraint error may be the index's: then sign again. Only a
    rerun asks, so the usual insert costs no extra statement."""
    runs.append(None)
    if signed is not None and len(runs) > 1 and queries.status_index_taken(
            signed.status_list, signed.status_index):
        raise StatusIndexTaken


@transaction
def _store(data: CertificateData, completion: Completion, pdf: bytes,
           signed: credential.SignedCredential | None, mail: Email | None,
           runs: list) -> Certificate:
    # The first run inserts without looking: the unique (user, course, cycle) and
    # (status list, index) constraints refuse a certificate issued meanwhile and an index
    # taken. Only a rerun after such a refusal asks which it was, so the usual issue costs
    # no read: the stored certificate is kept, or a taken index signs again.
    if runs:
        existing = certificate_for(completion.learner_id, completion.course_id)
        if existing is not None:
            return existing
    _refuse_a_taken_index(signed, runs)
    certificate = Certificate(
        code=data.code, user_id=completion.learner_id, course_id=completion.course_id,
        # The learner's current cycle, stamped by the INSERT itself (nmt_course/cycles.py).
        cycle=cycles.current(completion.learner_id, completion.course_id),
        status=CertificateStatus.VALID, legal_name=data.legal_name,
        licence_number=data.licence_number, licence_state=data.licence_state,
        course_title=data.course_title,
        ce_hours=data.ce_hours, course_type=data.course_type,
        approval_number=data.approval_number, provider_name=data.provider_name,
        provider_address=data.provider.postal_address,
        provider_email=data.provider.contact_email,
        provider_approval_number=data.provider.approval_number,
        grading_scale=data.grading_scale, completed_on=data.completed_on,
        issued_at=data.issued_at, pdf=pdf)
    db.session.add(certificate)
    # Unique (user, course, cycle): a concurrent issue fails here, and @transaction runs this again,
    # which then finds and returns the stored certificate.
    db.session.flush()
    if signed is not None:
        db.session.add(_credential_row(certificate.id, 1, signed))
        db.session.flush()
    audit.record("certificate.issued", at=data.issued_at, actor_id=completion.learner_id,
                 subject=f"certificate:{certificate.id}", course=completion.course_slug,
                 signed=signed is not None)
    if mail is not None:
        outbox.queue(mail, at=data.issued_at)
    return certificate


class NoSigningKey(Exception):
    """There is no issuer key to sign with."""


def backfill_credentials(runtime: Runtime, course_slugs: Mapping[int, str], *,
                         batch: int = 200) -> int:
    """Sign a credential for every certificate that has none (issued before credentials
    existed, or while there was no key), each in its own short transaction; returns how
    many were signed. The facts are the certificate's own, copied when it was issued;
    `course_slugs` (course id to address) names each achievement."""
    if runtime.issuer_keys.signing is None:
        raise NoSigningKey("There is no issuer key: run `flask --app app keys generate`.")
    signed_count, after_id = 0, 0
    while rows := queries.unsigned_certificates(after_id, batch):
        after_id = rows[-1][0].id
        for certificate, licence_in_credentials in rows:
            facts = credential.facts(
                runtime.settings, code=certificate.code, legal_name=certificate.legal_name,
                licence_number=certificate.licence_number if licence_in_credentials else None,
                course_title=certificate.course_title, ce_hours=certificate.ce_hours,
                course_type=certificate.course_type,
                approval_number=certificate.approval_number,
                course_slug=course_slugs[certificate.course_id],
                issued_at=certificate.issued_at, provider_name=certificate.provider_name,
                provider_email=certificate.provider_email)
            signed_count += attach_credential(runtime, certificate.id, 1, facts)
    return signed_count


def attach_credential(runtime: Runtime, certificate_id: int, revision: int,
                      facts: credential.badge.CertificateFacts) -> bool:
    """Sign and store the credential of one revision of a certificate, unless it has one
    (another run stored it first). A re-issue calls this with the next revision after
    marking the previous revision's credential superseded (which sets its status bit)."""
    for _ in range(INDEX_TRIES):
        signed = credential.sign(runtime, facts)
        try:
            return _attach(certificate_id, revision, signed, [])
        except StatusIndexTaken:
            continue
    raise StatusIndexTaken("no free status-list index after several tries")


@transaction
def _attach(certificate_id: int, revision: int, signed: credential.SignedCredential,
            runs: list) -> bool:
    if queries.credential_of_revision_exists(certificate_id, revision):
        return False
    _refuse_a_taken_index(signed, runs)
    db.session.add(_credential_row(certificate_id, revision, signed))
    db.session.flush()
    audit.record("certificate.credential_signed", at=signed.signed_at,
                 subject=f"certificate:{certificate_id}", revision=revision,
                 status_list=signed.status_list)
    return True


class ProviderRefused(Exception):
    """The provider settings were not saved: a field is missing or someone saved first."""


@transaction
def save_provider(runtime: Runtime, actor: User, *, name: str, postal_address: str,
                  contact_email: str, approval_number: str, signature_png: bytes | None,
                  remove_signature: bool, read_version: int,
                  cebroker_provider_number: str = "") -> Provider:
    """Save what certificates issued from now on print about the provider. The signature,
    if given, was checked by `provider.check_signature` before the transaction. Refused when
    someone else saved since `read_version` was read. Audited with what changed."""
    name, postal_address = one_line(name)[:200], one_line(postal_address)[:300]
    approval_number = one_line(approval_number)[:100]
    contact_email = email_address(contact_email) if contact_email.strip() else ""
    cebroker_provider_number = tracking_number(cebroker_provider_number, "50-")
    if cebroker_provider_number is None:
        raise ProviderRefused("The CE Broker provider tracking number is made of digits, "
                              "for example 50-12345 or 12345.")
    if not name:
        raise ProviderRefused("Enter the provider's name.")
    if not postal_address and not contact_email:
        raise ProviderRefused("Enter a postal address or a contact e-mail: a certificate "
                              "must show one.")
    row = db.session.scalar(select(ProviderSettings).where(ProviderSettings.id == 1)
                            .options(undefer(ProviderSettings.signature_png)))
    before = (queries.provider(runtime.settings, with_signature=False) if row is None
              else None)
    if (row.version if row is not None else 0) != read_version:
        raise ProviderRefused("Someone saved the provider settings after you opened them. "
                              "Here they are as saved now: make your change again.")
    if row is None:
        row = ProviderSettings(id=1, version=0, name=before.name,
                               postal_address=before.postal_address,
                               contact_email=before.contact_email,
                               approval_number=before.approval_number,
                               cebroker_provider_number="")
        db.session.add(row)
    values = {"name": name, "postal_address": postal_address,
              "contact_email": contact_email, "approval_number": approval_number,
              "cebroker_provider_number": cebroker_provider_number}
    changed = {key: value for key, value in values.items() if getattr(row, key) != value}
    for key, value in changed.items():
        setattr(row, key, value)
    if remove_signature and row.signature_png is not None:
        row.signature_png, changed["signature"] = None, "removed"
    elif signature_png is not None and signature_png != row.signature_png:
        row.signature_png = signature_png
        changed["signature"] = f"PNG, {len(signature_png)} bytes"
    now = runtime.clock()
    row.version, row.updated_at, row.updated_by_id = row.version + 1, now, actor.id
    audit.record("provider.updated", at=now, actor_id=actor.id, subject="provider",
                 changed=changed)
    return Provider(name=row.name, postal_address=row.postal_address,
                    contact_email=row.contact_email, approval_number=row.approval_number,
                    signature_png=row.signature_png, version=row.version,
                    cebroker_provider_number=row.cebroker_provider_number)


TRACKING_DIGITS = 12


def tracking_number(typed: str, prefix: str) -> str | None:
    """A CE Broker tracking number as its roster upload wants it: the digits after the
    prefix ("50-" for providers, "20-" for courses); "" when none is typed, None when what
    is typed is not one."""
    text = one_line(typed).removeprefix(prefix)
    if not text:
        return ""
    return text if text.isdigit() and len(text) <= TRACKING_DIGITS else None


@transaction
def save_course_tracking_number(runtime: Runtime, actor: User, course_id: int,
                                typed: str) -> str:
    """Set the course's CE Broker course tracking number (audited); returns it as stored."""
    number = tracking_number(typed, "20-")
    if number is None:
        raise ProviderRefused("The CE Broker course tracking number is made of digits, "
                              "for example 20-123456 or 123456.")
    now = runtime.clock()
    row = db.session.get(CourseTrackingNumber, course_id)
    if row is None:
        row = CourseTrackingNumber(course_id=course_id, cebroker_course_number="")
        db.session.add(row)
    if row.cebroker_course_number != number:
        audit.record("course.tracking_number_set", at=now, actor_id=actor.id,
                     subject=f"course:{course_id}", before=row.cebroker_course_number,
                     after=number)
        row.cebroker_course_number, row.updated_at = number, now
    return number


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
