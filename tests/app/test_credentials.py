"""The portable credential: downloaded by its owner, checked offline by the command-line
verifier and by the upload on the verification page, revocable, surviving a key rotation."""
from __future__ import annotations

import io
import json
import shutil
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from sqlalchemy import func, select

from nmt_course.audit import AuditEvent
from nmt_course.certificates import credential as issuing
from nmt_course.certificates.models import Certificate, CertificateCredential
from nmt_course.certificates.operations import attach_credential
from nmt_course.credentials import multikey, verifier
from nmt_course.extensions import db
from tests.app.test_certificates import complete_course
from tests.helpers import csrf_from, import_content, login, make_user, post_form, runtime
from tests.unit.test_credentials import OB3


def download(client, path: str) -> bytes:
    response = client.get(path + "/credential.json")
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("application/json")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    return response.data


def cli_verify(app, tmp_path, credential: bytes, status: bytes | None = None, did=None):
    (tmp_path / "credential.json").write_bytes(credential)
    args = ["credentials", "verify", str(tmp_path / "credential.json")]
    if status is not None:
        (tmp_path / "status.json").write_bytes(status)
        args += ["--status", str(tmp_path / "status.json")]
    if did is not None:
        (tmp_path / "did.json").write_bytes(did)
        args += ["--did", str(tmp_path / "did.json")]
    return app.test_cli_runner().invoke(args=args)


def revoke(app, reason: str = "Issued in error") -> None:
    make_user(app, "admin@example.com", is_admin=True)
    admin = app.test_client()
    login(admin, "admin@example.com")
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
    url = f"/admin/people/{certificate.user_id}/certificates/{certificate.id}/revoke"
    page = admin.get(f"/admin/people/{certificate.user_id}").text
    admin.post(url, data={"csrf_token": csrf_from(page),
                          f"revoke{certificate.id}-reason": reason})


def test_a_learner_downloads_a_credential_that_verifies_offline_until_revoked(
        app, learner, tmp_path):
    path = complete_course(learner)
    page = learner.get(path).text
    assert f'href="{path}/credential.json"' in page and "Add to LinkedIn" in page
    credential = download(learner, path)
    document = json.loads(credential)
    schema = json.loads((OB3 / "ob_v3p0_achievementcredential.schema.json").read_text())
    jsonschema.Draft201909Validator(schema).validate(document)
    subject = document["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == "Jane Q. Learner"
    assert subject["creditsEarned"] == 0.5 and "licenseNumber" not in subject
    assert subject["achievement"]["name"] == "Demo Course for Tests"
    assert subject["achievement"]["id"] == "http://nmt.test/courses/demo"
    assert document["issuer"]["id"] == "did:web:nmt.test"
    assert document["evidence"][0]["id"] == "http://nmt.test/verify/" + path.rsplit("/", 1)[1]
    public = app.test_client()
    status = public.get("/credentials/status/1")
    assert status.status_code == 200
    did = public.get("/.well-known/did.json")
    assert json.loads(did.data)["id"] == "did:web:nmt.test"

    good = cli_verify(app, tmp_path, credential, status.data, did.data)
    assert good.exit_code == 0, good.output
    assert "ok   Proof: eddsa-rdfc-2022 signature matches" in good.output
    assert "ok   Status: not revoked" in good.output and "Result: VALID" in good.output

    revoke(app)
    still = cli_verify(app, tmp_path, credential, status.data, did.data)
    assert still.exit_code == 0  # the old list does not know yet
    revoked = cli_verify(app, tmp_path, credential, public.get("/credentials/status/1").data,
                         did.data)
    assert revoked.exit_code == 1 and "FAIL Status: revoked by its issuer" in revoked.output
    assert "Result: REVOKED" in revoked.output
    upload = upload_file(public, credential)
    assert "has been revoked by its issuer" in upload


def one_character_changed(text: str, at: int) -> str:
    """`text` with the character at `at` replaced by another of the same kind."""
    old = text[at]
    new = {"9": "8"}.get(old, chr(ord(old) + 1)) if old.isdigit() else (
        "B" if old == "A" else "A")
    return text[:at] + new + text[at + 1:]


@pytest.mark.parametrize("change", [
    lambda d: d["credentialSubject"]["identifier"][0].update(
        identityHash=one_character_changed("Jane Q. Learner", -1)),
    lambda d: d.update(validFrom=one_character_changed(d["validFrom"], -2)),  # a second
    lambda d: d["proof"][0].update(
        proofValue=one_character_changed(d["proof"][0]["proofValue"], -1)),
    lambda d: d["credentialSubject"].update(creditsEarned=5),
], ids=["subject", "date", "proof", "credits"])
def test_changing_one_character_of_subject_dates_or_proof_fails(app, learner, tmp_path, change):
    document = json.loads(download(learner, complete_course(learner)))
    change(document)
    result = cli_verify(app, tmp_path, json.dumps(document).encode())
    assert result.exit_code == 1
    assert "Result: NOT VALID" in result.output
    assert ("signature does not match" in result.output
            or "not an Ed25519 signature" in result.output), result.output


def upload_file(client, data: bytes, name: str = "credential.json", status: int = 200) -> str:
    page = client.get("/verify")
    response = client.post("/verify/credential", data={
        "csrf_token": csrf_from(page.text), "credential": (io.BytesIO(data), name)},
        content_type="multipart/form-data")
    assert response.status_code == status, response.status_code
    return response.text


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def test_the_upload_explains_every_refusal_and_stores_nothing(app, learner):
    credential = download(learner, complete_course(learner))
    public = app.test_client()
    before = row_counts(app)
    assert "This credential is valid" in upload_file(public, credential)
    other_key = multikey.SigningKey.generate(multikey.dt.datetime.now(multikey.dt.timezone.utc))
    document = json.loads(credential)
    method = document["proof"][0]["verificationMethod"].split("#")[0]
    document["proof"][0]["verificationMethod"] = f"{method}#{other_key.public_multibase}"
    cases = {
        b"%PDF-1.7 not json": "is not JSON",
        b'["a list"]': "not a credential",
        b'{"name": "a note"}': "not a Verifiable Credential",
        json.dumps(document).encode(): "signed by a key this verifier does not know",
        b" " * (verifier.MAX_BYTES + 1): "too large",
        b"[" * 40 + b"]" * 40: "too complex",
    }
    for data, reason in cases.items():
        text = upload_file(public, data)
        assert "This credential cannot be trusted." in text and reason in text, reason
    assert row_counts(app) == before
    missing = public.post("/verify/credential", data={
        "csrf_token": csrf_from(public.get("/verify").text)})
    assert missing.status_code == 400 and "Choose a credential file." in missing.text


def test_credential_uploads_are_rate_limited_like_look_ups(make_app):
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    token = csrf_from(client.get("/verify").text)
    statuses = [client.post("/verify/credential", data={
        "csrf_token": token, "credential": (io.BytesIO(b"{}"), "c.json")},
        content_type="multipart/form-data").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


def test_a_credential_signed_before_a_key_rotation_still_verifies(make_app, learner, tmp_path):
    credential = download(learner, complete_course(learner))
    key_file = tmp_path / "signing_key.json"
    shutil.copy(learner.application.config["SIGNING_KEY_FILE"], key_file)
    rotated = make_app(SIGNING_KEY_FILE=str(key_file))
    result = rotated.test_cli_runner().invoke(args=["keys", "generate", "--rotate"])
    assert result.exit_code == 0 and "is kept in" in result.output
    after = make_app(SIGNING_KEY_FILE=str(key_file))
    did = json.loads(after.test_client().get("/.well-known/did.json").data)
    assert len(did["assertionMethod"]) == 2
    text = upload_file(after.test_client(), credential)
    assert "This credential is valid" in text and "a rotated-out key of this site" in text
    verified = cli_verify(after, tmp_path, credential)
    assert verified.exit_code == 0 and "Result: VALID" in verified.output
    # New credentials are signed with the new key.
    with after.app_context():
        new_key = multikey.load(key_file).signing.public_multibase
    assert did["assertionMethod"][0].endswith(new_key)


def test_without_a_key_certificates_are_issued_and_backfill_signs_them(make_app, tmp_path):
    unkeyed = make_app(SIGNING_KEY_FILE=str(tmp_path / "none.json"))
    import_content(unkeyed)
    make_user(unkeyed, name="Jane Q. Learner")
    client = unkeyed.test_client()
    login(client)
    path = complete_course(client)
    assert "not ready yet" in client.get(path).text
    assert client.get(path + "/credential.json").status_code == 404
    assert unkeyed.test_client().get("/.well-known/did.json").status_code == 404
    assert unkeyed.test_client().get("/credentials/status/1").status_code == 503
    refused = unkeyed.test_cli_runner().invoke(args=["credentials", "backfill"])
    assert refused.exit_code == 1 and "keys generate" in refused.output

    keyed = make_app()
    result = keyed.test_cli_runner().invoke(args=["credentials", "backfill"])
    assert result.exit_code == 0 and "Signed 1 credential." in result.output
    again = keyed.test_cli_runner().invoke(args=["credentials", "backfill"])
    assert "Signed 0 credentials." in again.output
    keyed_client = keyed.test_client()
    login(keyed_client)
    credential = download(keyed_client, path)
    assert "This credential is valid" in upload_file(keyed_client, credential)
    with keyed.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "certificate.credential_signed")) == 1
        # A run that lost a race to another (which signed it first) stores nothing.
        certificate = db.session.scalar(select(Certificate))
        facts = issuing.facts(
            runtime(keyed).settings, code=certificate.code, legal_name="Jane Q. Learner",
            licence_number=None, course_title=certificate.course_title,
            ce_hours=certificate.ce_hours, course_type=certificate.course_type,
            approval_number="", course_slug="demo", issued_at=certificate.issued_at)
        assert attach_credential(runtime(keyed), certificate.id, 1, facts) is False
        assert db.session.scalar(select(func.count(CertificateCredential.id))) == 1


def test_keys_generate_refuses_to_overwrite_without_rotate(make_app, tmp_path):
    app = make_app(SIGNING_KEY_FILE=str(tmp_path / "k" / "signing_key.json"))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["keys", "generate"]).exit_code == 0
    first = (tmp_path / "k" / "signing_key.json").read_text()
    refused = runner.invoke(args=["keys", "generate"])
    assert refused.exit_code == 1 and "--rotate" in refused.output
    assert runner.invoke(args=["keys", "generate", "--if-missing"]).exit_code == 0
    assert (tmp_path / "k" / "signing_key.json").read_text() == first
    assert not (tmp_path / "k" / "signing_key.retired.json").exists()


@pytest.mark.parametrize("opted_in", [False, True])
def test_the_licence_number_goes_in_only_when_the_learner_opts_in(app, learner, opted_in):
    page = learner.get("/account").text
    assert "Put my licence number in my digital credentials" in page
    assert 'name="licence_in_credentials"' in page and "checked" not in page.split(
        'name="licence_in_credentials"')[1].split(">")[0]
    post_form(learner, "/account", {"legal_name": "Jane Q. Learner", "licence_number": "LMT-7",
                                    "licence_state": "TX",
                                    **({"licence_in_credentials": "y"} if opted_in else {})})
    document = json.loads(download(learner, complete_course(learner)))
    assert document["credentialSubject"].get("licenseNumber") == (
        "LMT-7" if opted_in else None)


def test_the_certificate_page_offers_linkedin_and_the_link_and_only_the_owner_the_file(
        app, learner):
    path = complete_course(learner)
    code = path.rsplit("/", 1)[1]
    page = learner.get(path).text
    link = page.split('href="https://www.linkedin.com/profile/add?')[1].split('"')[0]
    query = parse_qs(urlsplit("?" + link.replace("&amp;", "&")).query)
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
    assert query == {"startTask": ["CERTIFICATION_NAME"], "name": ["Demo Course for Tests"],
                     "organizationName": ["NMT Test Academy"],
                     "issueYear": [str(certificate.completed_on.year)],
                     "issueMonth": [str(certificate.completed_on.month)],
                     "certUrl": [f"http://nmt.test/verify/{code}"], "certId": [code]}
    assert f'value="http://nmt.test/verify/{code}" readonly' in page
    credential_link = f'href="/certificates/{code}/credential.json"'
    assert credential_link in learner.get(f"/verify/{code}").text
    assert credential_link not in app.test_client().get(f"/verify/{code}").text
    make_user(app, "other@example.com")
    other = app.test_client()
    login(other, "other@example.com")
    assert credential_link not in other.get(f"/verify/{code}").text
    assert other.get(f"{path}/credential.json").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(CertificateCredential.id))) == 1


@pytest.mark.dialect("a unique constraint firing mid-transaction")
def test_a_status_index_drawn_twice_is_drawn_again(app, monkeypatch):
    """Two credentials never share a status-list index: a second draw of a taken one fails
    its insert, and the certificate is signed again with another."""
    from nmt_course.credentials import status_list

    draws = iter([7, 7, 8])
    monkeypatch.setattr(status_list, "random_index", lambda: next(draws))
    import_content(app)
    for email in ("one@example.com", "two@example.com"):
        make_user(app, email)
        client = app.test_client()
        login(client, email)
        complete_course(client)
    with app.app_context():
        indexes = db.session.scalars(select(CertificateCredential.status_index)
                                     .order_by(CertificateCredential.id)).all()
        assert indexes == [7, 8]
        assert db.session.scalar(select(func.count(Certificate.id))) == 2
