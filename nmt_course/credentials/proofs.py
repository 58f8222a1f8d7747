"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C Data Integrity EdDSA
Cryptosuites v1.0, §3.3): canonicalise the document without its proof and the proof options
with the document's @context (RDFC-1.0), hash each with SHA-256, and sign
proofHash || documentHash with Ed25519; the signature is base58btc multibase."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import base58

from . import canonical, multikey
from .contexts import DocumentLoader

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PURPOSE = "assertionMethod"


@dataclass(frozen=True)
class Hashes:
    """What a proof signs, kept apart so the specification's vectors can be compared."""

    canonical_document: str
    canonical_proof: str

    @property
    def document_hash(self) -> bytes:
        return hashlib.sha256(self.canonical_document.encode()).digest()

    @property
    def proof_hash(self) -> bytes:
        return hashlib.sha256(self.canonical_proof.encode()).digest()

    @property
    def signed_bytes(self) -> bytes:
        return self.proof_hash + self.document_hash


def proof_options(verification_method: str, created: dt.datetime) -> dict:
    return {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE,
            "created": created.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "verificationMethod": verification_method, "proofPurpose": PURPOSE}


def hashes(document: Mapping, options: Mapping, loader: DocumentLoader) -> Hashes:
    """Canonical forms of the unsecured document and of the proof configuration."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    configuration = {key: value for key, value in options.items() if key != "proofValue"}
    configuration["@context"] = document["@context"]
    return Hashes(canonical.canonize(unsecured, loader),
                  canonical.canonize(configuration, loader))


def sign(document: Mapping, key: multikey.SigningKey, verification_method: str,
         created: dt.datetime, loader: DocumentLoader, *, as_set: bool = False) -> dict:
    """The document with a proof added; `as_set` writes it as a one-proof array, as
    1EdTech's JSON Schema for Open Badges 3.0 requires (the signature is the same)."""
    options = proof_options(verification_method, created)
    signature = key.sign(hashes(document, options, loader).signed_bytes)
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode()}
    return {**document, "proof": [proof] if as_set else proof}


class ProofError(Exception):
    """The proof is missing, malformed, or of a kind this verifier does not check."""


def check_shape(proof: object) -> dict:
    """The proof, if it is one this suite verifies; ProofError says what is wrong."""
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("it has no proof (or more than one)")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"its proof is not a {PROOF_TYPE} of the {CRYPTOSUITE} cryptosuite")
    if proof.get("proofPurpose") != PURPOSE:
        raise ProofError(f"its proof's purpose is not {PURPOSE}")
    for name in ("verificationMethod", "created", "proofValue"):
        if not isinstance(proof.get(name), str):
            raise ProofError(f"its proof has no {name}")
    return proof


def signature_of(proof: Mapping) -> bytes:
    value = proof["proofValue"]
    try:
        signature = base58.b58decode(value[1:]) if value.startswith("z") else b""
    except ValueError:
        signature = b""
    if len(signature) != 64:
        raise ProofError("its proofValue is not an Ed25519 signature in base58btc")
    return signature


def verify(document: Mapping, public_key: bytes, loader: DocumentLoader) -> bool:
    """Whether the document's proof is a valid signature by `public_key`. Canonicalisation
    errors (too complex, undefined terms, unknown contexts) propagate."""
    proof = check_shape(document.get("proof"))
    signature = signature_of(proof)
    return multikey.verify_signature(public_key, signature,
                                     hashes(document, proof, loader).signed_bytes)
