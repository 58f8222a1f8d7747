"""The OpenBadgeCredential of a certificate, built from plain data (Open Badges 3.0 on the
VC Data Model 2.0). Only Open Badges and VC terms: the learner is named by an IdentityObject
of type "name", CE hours are `creditsEarned` / `creditsAvailable`, the course type is a `tag`,
the board's approval number an `otherIdentifier`."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from .contexts import CREDENTIAL_CONTEXTS

CRITERIA = ("Read every lesson of the course and pass each lesson's quiz on the provider's "
            "platform; the certificate is issued once nothing is unmet.")


@dataclass(frozen=True)
class Issuer:
    did: str
    name: str
    url: str
    email: str = ""

    def profile(self) -> dict:
        profile = {"id": self.did, "type": ["Profile"], "name": self.name, "url": self.url}
        if self.email:
            profile["email"] = self.email
        return profile


@dataclass(frozen=True)
class CertificateFacts:
    """What the certificate certifies, as stored with it."""

    code: str  # as displayed
    learner_name: str
    licence_number: str | None  # only when the learner chose to include it
    course_title: str
    ce_hours: Decimal
    course_type: str
    approval_number: str
    achievement_id: str  # stable per course
    issued_at: dt.datetime
    verification_url: str
    # The provider as the certificate printed it; empty: the site's configured name.
    issuer_name: str = ""
    issuer_email: str = ""


def certificate_title(course_type: str) -> str:
    """Home study earns a Certificate of Achievement (the national board's term)."""
    return ("Certificate of Achievement" if course_type == "Home Study"
            else "Certificate of Completion")


def achievement_type(course_type: str) -> str:
    """OB3's "Certificate" for a graded home-study course (its learners were assessed: every
    quiz passed); "CertificateOfCompletion", which attests completion alone, otherwise."""
    return "Certificate" if course_type == "Home Study" else "CertificateOfCompletion"


def new_credential_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def credits(hours: Decimal) -> int | float:
    """A JSON number every JSON-LD processor reads alike: 3, not 3.0 (which a JavaScript
    verifier reads as the integer 3 and a Python one as a double, so their canonical forms,
    and so the signature, would differ)."""
    return int(hours) if hours == hours.to_integral_value() else float(hours)


def achievement_description(facts: CertificateFacts) -> str:
    parts = [f"A {facts.course_type.lower()} continuing-education course in neuromuscular "
             f"therapy, {facts.ce_hours.normalize():f} CE hours"]
    if facts.approval_number:
        parts.append(f"approval number {facts.approval_number}")
    return ", ".join(parts) + "."


def build(facts: CertificateFacts, issuer: Issuer, status: dict,
          credential_id: str) -> dict:
    """The unsigned credential."""
    hours = credits(facts.ce_hours)
    achievement = {
        "id": facts.achievement_id, "type": ["Achievement"],
        "achievementType": achievement_type(facts.course_type), "name": facts.course_title,
        "description": achievement_description(facts),
        "criteria": {"narrative": CRITERIA}, "creditsAvailable": hours,
        "tag": [facts.course_type],
    }
    if facts.approval_number:
        achievement["otherIdentifier"] = [{
            "type": "IdentifierEntry", "identifier": facts.approval_number,
            "identifierType": "ext:ApprovalNumber"}]
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                        "identityHash": facts.learner_name}],
        "creditsEarned": hours,
        "achievement": achievement,
    }
    if facts.licence_number:
        subject["licenseNumber"] = facts.licence_number
    return {
        "@context": list(CREDENTIAL_CONTEXTS),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certificate_title(facts.course_type)}: {facts.course_title}",
        "description": f"{facts.learner_name} completed “{facts.course_title}” "
                       f"(certificate {facts.code}).",
        "issuer": issuer.profile(),
        "validFrom": timestamp(facts.issued_at),
        "credentialSubject": subject,
        "evidence": [{"id": facts.verification_url, "type": ["Evidence"],
                      "name": "Public verification page",
                      "description": "The provider's page that shows whether this "
                                     "certificate still stands."}],
        "credentialStatus": status,
    }
