"""Portable credentials: Open Badges 3.0 (VC Data Model 2.0) signed with the eddsa-rdfc-2022
Data Integrity cryptosuite, revocable through a Bitstring Status List, and checked offline.

PURE: plain data in, plain data out; no Flask, no database, no network. `contexts` serves the
bundled JSON-LD contexts, `canonical` canonicalises with a bound on the work, `multikey` holds
the issuer's Ed25519 keys, `proofs` signs and verifies, `status_list`, `did_web` and `badge`
build documents, and `verifier` checks a file and reports what it checked."""
