"""A certificate's portable credential: from the facts stored with the certificate to a
signed OpenBadgeCredential, the issuer's status list and DID document, and the links the
certificate page offers. Plain data in and out, no Flask, no database."""
from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from .. import codes
from ..credentials import badge, did_web, proofs, status_list
from ..credentials.contexts import DocumentLoader
from ..runtime import Runtime, Settings

# Every credential so far has its index in list 1 (131,072 indexes, drawn at random). When it
# fills past half, new credentials should start list 2: `sign(..., list_number=2)`.
STATUS_LIST = 1


@functools.cache
def loader() -> DocumentLoader:
    """One loader of the bundled contexts per process (it caches the resolved contexts)."""
    return DocumentLoader()


def issuer(settings: Settings, certificate: badge.CertificateFacts | None = None
           ) -> badge.Issuer:
    """The provider as the issuer: as the certificate printed it (the provider settings when
    it was issued), else the configured name."""
    name = (certificate.issuer_name if certificate else "") or settings.provider_name
    email = (certificate.issuer_email if certificate else "") or settings.support_email
    return badge.Issuer(did=did_web.did_for(settings.site_url), name=name,
                        url=settings.site_url, email=email)


def status_list_url(settings: Settings, number: int) -> str:
    return settings.url(f"/credentials/status/{number}")


@dataclass(frozen=True)
class SignedCredential:
    status_list: int
    status_index: int
    document: str  # the JSON, as served
    signed_at: dt.datetime


def facts(settings: Settings, *, code: str, legal_name: str, licence_number: str | None,
          course_title: str, ce_hours: Decimal, course_type: str, approval_number: str,
          course_slug: str, issued_at: dt.datetime, provider_name: str = "",
          provider_email: str = "") -> badge.CertificateFacts:
    """The credential's facts; `licence_number` only when the learner chose to include it."""
    return badge.CertificateFacts(
        code=codes.display(code), learner_name=legal_name, licence_number=licence_number,
        course_title=course_title, ce_hours=Decimal(ce_hours), course_type=course_type,
        approval_number=approval_number or "",
        achievement_id=settings.url(f"/courses/{course_slug}"), issued_at=issued_at,
        verification_url=settings.verification_url(code), issuer_name=provider_name,
        issuer_email=provider_email)


def sign(runtime: Runtime, certificate: badge.CertificateFacts, *,
         list_number: int = STATUS_LIST) -> SignedCredential | None:
    """The signed credential with a fresh random status index, or None without a key."""
    key = runtime.issuer_keys.signing
    if key is None:
        return None
    settings = runtime.settings
    index = status_list.random_index()
    the_issuer = issuer(settings, certificate)
    unsigned = badge.build(certificate, the_issuer,
                           status_list.entry(status_list_url(settings, list_number), index),
                           badge.new_credential_id())
    now = runtime.clock()
    signed = proofs.sign(unsigned, key, did_web.method_id(the_issuer.did, key.public_multibase),
                         now, loader(), as_set=True)
    return SignedCredential(list_number, index, json.dumps(signed, indent=2, ensure_ascii=False),
                            now)


def signed_status_list(runtime: Runtime, number: int, set_indexes: list[int]) -> dict | None:
    """The status list credential as it stands now, signed; None without a key."""
    key = runtime.issuer_keys.signing
    if key is None:
        return None
    did = did_web.did_for(runtime.settings.site_url)
    now = runtime.clock()
    unsigned = status_list.list_credential(status_list_url(runtime.settings, number), did,
                                           set_indexes, now)
    return proofs.sign(unsigned, key, did_web.method_id(did, key.public_multibase), now,
                       loader(), as_set=True)


def key_labels(runtime: Runtime) -> dict[str, str]:
    """Verification method → which of this site's keys it is, for a verifier's report."""
    did, keys = did_web.did_for(runtime.settings.site_url), runtime.issuer_keys
    return {did_web.method_id(did, key): (
                "this site's current key" if keys.signing and key == keys.public[0]
                else "a rotated-out key of this site") for key in keys.public}


def did_document(runtime: Runtime) -> dict:
    return did_web.document(did_web.did_for(runtime.settings.site_url),
                            runtime.issuer_keys.public)


def linkedin_add_url(*, certification: str, organisation: str, issued_on: dt.date,
                     code: str, verification_url: str) -> str:
    """LinkedIn's documented "Add to Profile" link for a certification: the form opens
    filled in (name, issuing organisation, issue month, credential id and URL)."""
    return "https://www.linkedin.com/profile/add?" + urlencode({
        "startTask": "CERTIFICATION_NAME", "name": certification,
        "organizationName": organisation, "issueYear": issued_on.year,
        "issueMonth": issued_on.month, "certUrl": verification_url, "certId": code})
