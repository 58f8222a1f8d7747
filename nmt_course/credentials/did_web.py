"""The issuer as a did:web: its DID comes from SITE_URL and its DID document, published at
/.well-known/did.json, lists every public key (current and rotated out) as a Multikey
verification method usable for assertions."""
from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlsplit

from . import multikey
from .contexts import DID_CONTEXTS


def did_for(site_url: str) -> str:
    """did:web of the site: the host, its port percent-encoded, path segments after colons
    (a site under a path publishes its document at <path>/did.json, see docs/credentials.md)."""
    parts = urlsplit(site_url)
    host = parts.hostname or "localhost"
    if parts.port:
        host += quote(f":{parts.port}", safe="")
    segments = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", host, *segments])


def method_id(did: str, public_multibase: str) -> str:
    """A verification method's id: the DID with the key itself as fragment, so that each key,
    current or retired, keeps its own id."""
    return f"{did}#{public_multibase}"


def document(did: str, public_keys: tuple[str, ...]) -> dict:
    methods = [{"id": method_id(did, key), "type": "Multikey", "controller": did,
                "publicKeyMultibase": key} for key in public_keys]
    return {"@context": list(DID_CONTEXTS), "id": did, "verificationMethod": methods,
            "assertionMethod": [method["id"] for method in methods]}


class DidDocumentError(Exception):
    pass


def assertion_keys(did_document: object) -> dict[str, bytes]:
    """Verification method id → Ed25519 public key, for each Multikey the document lists
    under assertionMethod (by reference or embedded)."""
    if not isinstance(did_document, Mapping) or not isinstance(did_document.get("id"), str):
        raise DidDocumentError("the DID document has no id")
    did = did_document["id"]
    methods = {method.get("id"): method
               for method in _list(did_document.get("verificationMethod"))
               if isinstance(method, Mapping)}
    keys = {}
    for item in _list(did_document.get("assertionMethod")):
        method = methods.get(item) if isinstance(item, str) else item
        if not isinstance(method, Mapping) or method.get("type") != "Multikey":
            continue
        if method.get("controller") != did or not str(method.get("id", "")).startswith(did):
            continue
        try:
            keys[method["id"]] = multikey.decode_public(method.get("publicKeyMultibase"))
        except ValueError:
            continue
    if not keys:
        raise DidDocumentError("the DID document lists no Ed25519 Multikey for assertions")
    return keys


def keys_of(did: str, public_keys: tuple[str, ...]) -> dict[str, bytes]:
    """The same mapping for the app's own keys."""
    return {method_id(did, key): multikey.decode_public(key) for key in public_keys}


def _list(value: object) -> list:
    return value if isinstance(value, list) else [value] if value is not None else []
