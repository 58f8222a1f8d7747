"""Benchmark: signing and verifying a certificate's Open Badges credential.

Run:  .venv/bin/python -m bench.credentials [--rounds 7]

The baseline is the bare cryptography of a proof, in the same run: two SHA-256 hashes and an
Ed25519 signature of the credential's bytes. Signing adds JSON-LD expansion and RDF
canonicalization of the credential and of the proof options; it is measured with the loader
the app keeps (contexts resolved once) and with a fresh loader each time (resolved again).
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
from decimal import Decimal

from nmt_course.credentials import badge, did_web, multikey, proofs, status_list, verifier
from nmt_course.credentials.contexts import DocumentLoader

from .common import report, timed

NOW = dt.datetime.now(dt.timezone.utc)
DID = "did:web:ce.example"
KEY = multikey.SigningKey.generate(NOW)
METHOD = did_web.method_id(DID, KEY.public_multibase)
CREDENTIAL = badge.build(
    badge.CertificateFacts(
        code="7K3M-Q9TD-XXXX", learner_name="Amara Okafor-Lindqvist", licence_number=None,
        course_title="Neuromuscular Therapy Foundations", ce_hours=Decimal("3.5"),
        course_type="Home Study", approval_number="TEST-001",
        achievement_id="https://ce.example/courses/nmt-foundations", issued_at=NOW,
        verification_url="https://ce.example/verify/7K3M-Q9TD-XXXX"),
    badge.Issuer(DID, "NMT Continuing Education", "https://ce.example"),
    status_list.entry("https://ce.example/credentials/status/1", 4242), "urn:uuid:bench")


def bare_signature() -> None:
    data = json.dumps(CREDENTIAL).encode()
    KEY.sign(hashlib.sha256(data).digest() + hashlib.sha256(data).digest())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    kept = DocumentLoader()
    signed = json.dumps(proofs.sign(CREDENTIAL, KEY, METHOD, NOW, kept, as_set=True)).encode()
    keys = did_web.keys_of(DID, (KEY.public_multibase,))
    cases = {
        "hashes and Ed25519 signature (baseline)": bare_signature,
        "sign, contexts kept": lambda: proofs.sign(CREDENTIAL, KEY, METHOD, NOW, kept),
        "sign, fresh loader": lambda: proofs.sign(CREDENTIAL, KEY, METHOD, NOW,
                                                  DocumentLoader()),
        "verify a file, contexts kept": lambda: verifier.verify(signed, keys=keys, loader=kept,
                                                                now=NOW),
    }
    samples = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, case in cases.items():
            samples[name].append(timed(case))
    report(samples, "hashes and Ed25519 signature (baseline)", "credential")


if __name__ == "__main__":
    main()
