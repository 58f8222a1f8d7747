"""Check a credential file offline and say what was checked: its size, that it is JSON and an
Open Badges 3.0 credential, its proof against a set of keys (the issuer's did:web document or
the app's own), its dates and its revocation status. Untrusted input: bounded before any
JSON-LD work (size, nesting, number of values), and canonicalised with a bound on the work."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import canonical, proofs, status_list
from .contexts import OB_V3, VC_V2, DocumentLoader

MAX_BYTES = 64 * 1024
MAX_DEPTH = 24
MAX_VALUES = 4_000
CREDENTIAL_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


class Refused(Exception):
    """The file cannot be verified; the message is the reason, for a person."""


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: not checked, and the detail says why
    detail: str


@dataclass(frozen=True)
class StatusList:
    """A status list whose contents are trusted: read from a verified status list credential,
    or from the issuing site's own records."""

    url: str
    issuer: str
    bits: bytes
    source: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    summary: dict[str, str] = field(default_factory=dict)
    revoked: bool = False

    @property
    def ok(self) -> bool:
        return all(check.ok is not False for check in self.checks)

    @property
    def verdict(self) -> str:
        return "revoked" if self.revoked else "valid" if self.ok else "not valid"

    @property
    def status_checked(self) -> bool:
        return any(check.name == "Status" and check.ok is not None for check in self.checks)

    @property
    def reason(self) -> str:
        return next((check.detail for check in self.checks if check.ok is False), "")

    def add(self, name: str, ok: bool | None, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))

    def lines(self) -> list[str]:
        marks = {True: "ok  ", False: "FAIL", None: "--  "}
        lines = [f"{marks[check.ok]} {check.name}: {check.detail}" for check in self.checks]
        lines += [f"     {name}: {value}" for name, value in self.summary.items()]
        lines.append(f"Result: {self.verdict.upper()}"
                     + (f": {self.reason}" if self.reason and not self.revoked else ""))
        return lines


def parse(raw: bytes, what: str = "file") -> dict:
    """The JSON object in `raw`, within the size and shape bounds, or Refused."""
    if len(raw) > MAX_BYTES:
        raise Refused(f"The {what} is too large: {len(raw):,} bytes, and a credential is at "
                      f"most {MAX_BYTES // 1024} KB.")
    try:
        value = json.loads(raw.decode("utf-8-sig"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError) as error:
        raise Refused(f"The {what} is not JSON ({_short(error)}).") from error
    except RecursionError as error:
        raise Refused(f"The {what} is too complex to verify: it is nested too deeply.") \
            from error
    _within_bounds(value, what)
    if not isinstance(value, dict):
        raise Refused(f"The {what} is JSON but not a credential: it is not a JSON object.")
    return value


def verify(raw: bytes, *, keys: Mapping[str, bytes], loader: DocumentLoader,
           now: dt.datetime, status_lists: Mapping[str, StatusList] | None = None,
           key_labels: Mapping[str, str] | None = None) -> Report:
    """Check the credential in `raw`; every step taken goes in the report, and the first
    failure ends it."""
    report = Report()
    step = "Size"
    try:
        if len(raw) > MAX_BYTES:
            parse(raw)  # refuses with the reason
        report.add(step, True, f"{len(raw):,} bytes (at most {MAX_BYTES:,})")
        step = "JSON"
        document = parse(raw)
        report.add(step, True, "read")
        step = "Structure"
        issuer = _structure(document)
        report.add(step, True, "an Open Badges 3.0 OpenBadgeCredential (VC Data Model 2.0), "
                               "contexts bundled with this app")
        step = "Key"
        method = _key(document, issuer, keys)
        label = (key_labels or {}).get(method, "")
        report.add(step, True, method + (f" ({label})" if label else ""))
        step = "Proof"
        _signature(document, keys[method], loader)
        report.add(step, True, "eddsa-rdfc-2022 signature matches the canonical form")
        report.summary.update(_summary(document))  # only what the signature covers
        step = "Dates"
        report.add(step, *_dates(document, now))
        step = "Status"
        _status(report, document, issuer, {} if status_lists is None else status_lists)
    except Refused as refusal:
        report.add(step, False, str(refusal))
    return report


def read_status_list(raw: bytes, *, keys: Mapping[str, bytes], loader: DocumentLoader,
                     source: str) -> StatusList:
    """The status list in a BitstringStatusListCredential file, after checking its proof."""
    document = parse(raw, "status list file")
    subject = document.get("credentialSubject")
    if (document.get("@context") != [VC_V2]
            or "BitstringStatusListCredential" not in _types(document)
            or not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList"
            or subject.get("statusPurpose") != status_list.PURPOSE
            or not isinstance(document.get("id"), str)):
        raise Refused("The status list file is not a revocation BitstringStatusListCredential.")
    _absolute_ids(document)
    issuer = _issuer_id(document)
    _signature(document, keys[_key(document, issuer, keys)], loader, what="status list")
    try:
        bits = status_list.decode(subject.get("encodedList"))
    except status_list.StatusListError as error:
        raise Refused(f"The status list cannot be read: {error}.") from error
    return StatusList(url=document["id"], issuer=issuer, bits=bits, source=source)


def _structure(document: dict) -> str:
    contexts = document.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] != VC_V2:
        raise Refused("It is not a Verifiable Credential 2.0: its @context does not start "
                      f"with {VC_V2}.")
    for context in contexts:
        if not isinstance(context, str):
            raise Refused("It embeds a context of its own; only the published Verifiable "
                          "Credentials and Open Badges contexts are accepted.")
        if context not in (VC_V2, OB_V3):
            raise Refused(f"It names a context this verifier does not hold ({context[:100]}), "
                          "and it fetches nothing from the network.")
    types = _types(document)
    if OB_V3 not in contexts or "VerifiableCredential" not in types \
            or not types & CREDENTIAL_TYPES:
        raise Refused("It is not an Open Badges 3.0 credential (type OpenBadgeCredential "
                      "with the Open Badges 3.0 context).")
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict) or not isinstance(subject.get("achievement"), dict):
        raise Refused("It is not a credential of one achievement: credentialSubject must be "
                      "one object with an achievement.")
    if not isinstance(document.get("validFrom"), str):
        raise Refused("It has no validFrom date.")
    _absolute_ids(document)
    return _issuer_id(document)


def _issuer_id(document: dict) -> str:
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str):
        raise Refused("It names no issuer.")
    return issuer_id


def _key(document: dict, issuer: str, keys: Mapping[str, bytes]) -> str:
    try:
        proof = proofs.check_shape(document.get("proof"))
    except proofs.ProofError as error:
        raise Refused(f"It cannot be checked: {error}.") from error
    method = proof["verificationMethod"]
    if method.split("#", 1)[0] != issuer:
        raise Refused(f"It is signed by a key that does not belong to its issuer ({issuer}).")
    if method not in keys:
        raise Refused(f"It is signed by a key this verifier does not know ({method[:120]}).")
    return method


def _signature(document: dict, public_key: bytes, loader: DocumentLoader,
               what: str = "credential") -> None:
    try:
        matches = proofs.verify(document, public_key, loader)
    except proofs.ProofError as error:
        raise Refused(f"The {what} cannot be checked: {error}.") from error
    except canonical.CanonicalizationError as error:
        raise Refused(f"The {what} cannot be verified: {error}.") from error
    if not matches:
        raise Refused(f"The signature does not match: the {what} was changed after it was "
                      "signed, or signed by another key.")


def _dates(document: dict, now: dt.datetime) -> tuple[bool, str]:
    valid_from = _datetime(document.get("validFrom"))
    valid_until = _datetime(document.get("validUntil")) if "validUntil" in document else None
    if valid_from is None or ("validUntil" in document and valid_until is None):
        raise Refused("Its dates are not date-times with a time zone.")
    if valid_from > now:
        raise Refused(f"It is not valid before {document['validFrom']}.")
    if valid_until is not None and valid_until <= now:
        raise Refused(f"It expired at {document['validUntil']}.")
    return True, f"valid from {document['validFrom']}" + (
        f" until {document['validUntil']}" if valid_until else ", no expiry")


def _status(report: Report, document: dict, issuer: str,
            lists: Mapping[str, StatusList]) -> None:
    entry = document.get("credentialStatus")
    if entry is None:
        report.add("Status", None, "the credential has no status entry")
        return
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry" \
            or entry.get("statusPurpose") != status_list.PURPOSE:
        raise Refused("Its credentialStatus is not a revocation BitstringStatusListEntry.")
    url, index = entry.get("statusListCredential"), entry.get("statusListIndex")
    if not isinstance(url, str) or not isinstance(index, str) or not index.isdigit():
        raise Refused("Its credentialStatus names no status list and index.")
    found = lists.get(url)
    if found is None:
        report.add("Status", None, f"not checked: no status list given for {url}")
        return
    if found.issuer != issuer:
        raise Refused("The status list comes from another issuer than the credential.")
    try:
        revoked = status_list.is_set(found.bits, int(index))
    except status_list.StatusListError as error:
        raise Refused(f"Its status cannot be read: {error}.") from error
    place = f"index {index} of {url}, from {found.source}"
    if revoked:
        report.revoked = True
        report.add("Status", False, f"revoked by its issuer ({place})")
    else:
        report.add("Status", True, f"not revoked ({place})")


def _summary(document: dict) -> dict[str, str]:
    subject = document["credentialSubject"]
    achievement = subject["achievement"]
    names = [item.get("identityHash") for item in subject.get("identifier") or []
             if isinstance(item, dict) and item.get("identityType") == "name"]
    issuer = document.get("issuer")
    summary = {
        "Learner": str(names[0]) if names else "(not named)",
        "Course": str(achievement.get("name", "")),
        "CE hours": str(subject.get("creditsEarned", "")),
        "Issued": str(document.get("validFrom", "")),
        "Issuer": str(issuer.get("name", "")) if isinstance(issuer, dict) else str(issuer),
    }
    if "licenseNumber" in subject:
        summary["Licence number"] = str(subject["licenseNumber"])
    return {name: value[:200] for name, value in summary.items()}


def _types(document: dict) -> set:
    value = document.get("type")
    items = value if isinstance(value, list) else [value]
    return {item for item in items if isinstance(item, str)}


def _absolute_ids(value: object) -> None:
    """Every `id` is an absolute IRI: JSON-LD drops a node with a relative one without a word,
    which would leave it outside the signature."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for name in ("id", "@id"):
                node_id = item.get(name)
                if name in item and not (isinstance(node_id, str)
                                         and _ABSOLUTE_IRI.match(node_id)):
                    raise Refused("It is not a valid credential: an id is not an absolute "
                                  "IRI.")
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _within_bounds(value: object, what: str) -> None:
    count, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH or count > MAX_VALUES:
            raise Refused(f"The {what} is too complex to verify: more than {MAX_VALUES:,} "
                          f"values or nested deeper than {MAX_DEPTH} levels.")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def _datetime(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _short(error: Exception) -> str:
    return re.sub(r"\s+", " ", str(error))[:120]
