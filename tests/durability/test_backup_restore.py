"""`backup create|verify|restore`: a populated database (learners, attempts, certificates with
their PDFs, a clinic, drafts and revisions, the audit log) goes into one archive and comes
back whole on a fresh database, on SQLite and PostgreSQL; every verification code still
verifies; damaged, newer and foreign archives are refused; an account deleted after the
archive was taken stays deleted."""
from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select, text

from nmt_course import backups, erasure_log
from nmt_course.accounts.models import User
from nmt_course.certificates.models import Certificate
from nmt_course.extensions import db
from nmt_course.learning.account_operations import reapply_erasure
from tests.app.authoring_helpers import author, write_course
from tests.app.clinic_helpers import complete_demo, join_staff, make_clinic
from tests.durability.conftest import close, migrated_app
from tests.helpers import (DEMO_FAIL, PASSWORD, login, make_user, pass_quiz_directly,
                           read_directly, runtime)
from tests.conftest import SIGNING_KEY_FILE
from tests.helpers import import_content

pytestmark = pytest.mark.slow


def populate(app) -> None:
    import_content(app)
    make_user(app, "done@example.com", name="Dana Done")
    complete_demo(app, "done@example.com")  # attempts, reads, evaluation, certificate + PDF
    make_user(app, "trying@example.com", name="Terry Trying")
    read_directly(app, "trying@example.com", "demo", "first-lesson")
    pass_quiz_directly(app, "trying@example.com", "demo", "first-lesson",
                       {k: [v] if isinstance(v, str) else v for k, v in DEMO_FAIL.items()})
    clinic = make_clinic(app)
    join_staff(app, clinic, "staff@example.com", "Sam Staff")
    write_course(author(app))  # a draft with its revisions, published


def table_counts(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(text(f'SELECT count(*) FROM "{table.name}"'))
                for table in db.metadata.sorted_tables}


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_a_populated_database_round_trips_and_its_certificates_still_verify(
        app, other_database, tmp_path):
    populate(app)
    archive = tmp_path / "site.tar.gz"
    made = cli(app, "backup", "create", str(archive))
    assert made.exit_code == 0, made.output
    assert "keep these safely elsewhere" in made.output and "SECRET_KEY" in made.output
    before = table_counts(app)
    assert before["certificates"] == 1 and before["quiz_attempts"] >= 3
    assert before["draft_revisions"] >= 4 and before["clinic_memberships"] >= 2
    with app.app_context():
        codes = list(db.session.scalars(select(Certificate.code)))

    checked = cli(app, "backup", "verify", str(archive))
    assert checked.exit_code == 0, checked.output
    assert "The archive is sound." in checked.output

    restored = migrated_app(other_database, ERASURE_LOG_FILE=str(tmp_path / "erasures"))
    try:
        result = cli(restored, "backup", "restore", str(archive))
        assert result.exit_code == 0, result.output
        assert "DIFFERS" not in result.output and "certificates: 1 rows  ok" in result.output
        assert table_counts(restored) == before
        client = restored.test_client()
        with restored.app_context():
            certificates = list(db.session.scalars(
                select(Certificate).options(db.undefer(Certificate.pdf))))
            assert [c.code for c in certificates] == codes
            assert all(c.pdf.startswith(b"%PDF") for c in certificates)
            for certificate in certificates:
                page = client.get(f"/verify/{certificate.display_code}")
                assert page.status_code == 200
                assert "This certificate is valid." in page.text
        login(client, "done@example.com", PASSWORD)  # password hashes came back too
        assert client.get("/dashboard").status_code == 200
    finally:
        close(restored)


def test_an_archive_holds_neither_secret_key_nor_signing_key(app, tmp_path):
    import_content(app)
    archive = tmp_path / "site.tar.gz"
    assert cli(app, "backup", "create", str(archive)).exit_code == 0
    everything = gzip.decompress(archive.read_bytes())
    secret = json.loads(Path(SIGNING_KEY_FILE[0]).read_text())["secretKeyMultibase"]
    assert app.config["SECRET_KEY"].encode() not in everything
    assert secret.encode() not in everything
    manifest = backups.read_manifest(archive)
    assert manifest["app_version"] == backups.app_version()
    assert manifest["counts"]["courses"] == 1
    assert any(SIGNING_KEY_FILE[0] in item for item in manifest["keep_elsewhere"])


def test_a_database_that_holds_data_is_refused_unless_replace(app, other_database, tmp_path):
    import_content(app)
    make_user(app, "kept@example.com")
    archive = tmp_path / "site.tar.gz"
    assert cli(app, "backup", "create", str(archive)).exit_code == 0
    target = migrated_app(other_database, ERASURE_LOG_FILE=str(tmp_path / "erasures"))
    try:
        make_user(target, "newer@example.com")
        refused = cli(target, "backup", "restore", str(archive))
        assert refused.exit_code == 1 and "holds data" in refused.output
        with target.app_context():
            assert db.session.scalar(select(User.email)) == "newer@example.com"
        replaced = cli(target, "backup", "restore", "--replace", str(archive))
        assert replaced.exit_code == 0, replaced.output
        with target.app_context():
            assert list(db.session.scalars(select(User.email))) == ["kept@example.com"]
    finally:
        close(target)


def rewrite(archive: Path, target: Path, *, manifest=None, part=None) -> None:
    """A copy of `archive` with its manifest or its database part changed."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == "manifest.json" and manifest:
                data = json.dumps(manifest(json.loads(data))).encode()
            elif member.name != "manifest.json" and part:
                data = part(data)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


def test_a_damaged_or_newer_archive_is_refused_and_nothing_changes(app, other_database,
                                                                    tmp_path):
    import_content(app)
    archive = tmp_path / "site.tar.gz"
    assert cli(app, "backup", "create", str(archive)).exit_code == 0
    damaged, newer = tmp_path / "damaged.tar.gz", tmp_path / "newer.tar.gz"
    # One byte flipped (zeroing the end could leave a file that ends in zeros unchanged).
    rewrite(archive, damaged, part=lambda data: data[:-100] + bytes([data[-100] ^ 0xFF])
            + data[-99:])
    rewrite(archive, newer, manifest=lambda m: {**m, "schema_revision": "ffff00000000"})
    target = migrated_app(other_database, ERASURE_LOG_FILE=str(tmp_path / "erasures"))
    try:
        for bad, said in ((damaged, "SHA-256"), (newer, "newer")):
            checked = cli(target, "backup", "verify", str(bad))
            assert checked.exit_code == 1 and said in checked.output, checked.output
            refused = cli(target, "backup", "restore", str(bad))
            assert refused.exit_code == 1 and said in refused.output, refused.output
        assert table_counts(target)["courses"] == 0
        not_an_archive = tmp_path / "notes.txt"
        not_an_archive.write_text("hello")
        assert "not a backup archive" in cli(target, "backup", "verify",
                                             str(not_an_archive)).output
    finally:
        close(target)


def test_an_account_deleted_after_the_backup_does_not_come_back(app, other_database,
                                                                tmp_path):
    import_content(app)
    gone = make_user(app, "gone@example.com", name="Gale Gone")
    make_user(app, "stays@example.com", name="Stella Stays")
    archive = tmp_path / "site.tar.gz"
    assert cli(app, "backup", "create", str(archive)).exit_code == 0
    log = tmp_path / "erasure_log.jsonl"
    # The deletion, as account deletion does it: the log line first (on disk), then the
    # database.
    entry = erasure_log.Erasure(user_id=gone,
                                email_sha256=erasure_log.email_digest("gone@example.com"),
                                at=dt.datetime.now(dt.timezone.utc))
    erasure_log.append(log, entry)
    erasure_log.append(log, erasure_log.Erasure(  # before the archive: already in it
        user_id=gone, email_sha256="0" * 64, at=entry.at - dt.timedelta(days=1)))
    with app.app_context():
        assert reapply_erasure(runtime(app), entry)

    target = migrated_app(other_database, ERASURE_LOG_FILE=str(log))
    try:
        result = cli(target, "backup", "restore", str(archive))
        assert result.exit_code == 0, result.output
        assert "erased again 1 account(s)" in result.output
        with target.app_context():
            emails = set(db.session.scalars(select(User.email)))
            person = db.session.get(User, gone)
            assert "gone@example.com" not in emails and "stays@example.com" in emails
            assert person.legal_name != "Gale Gone" and not person.active
        client = target.test_client()
        refused = client.post("/login", data={"email": "gone@example.com",
                                              "password": PASSWORD})
        assert refused.status_code != 302
    finally:
        close(target)


def test_an_older_archive_is_migrated_after_the_restore(backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("the migrations themselves are tested on both backends elsewhere")
    from flask_migrate import upgrade

    script = backups.script_directory()
    head = script.get_current_head()
    previous = script.get_revision(head).down_revision
    old = migrated_app(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    fresh = migrated_app(f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
                         ERASURE_LOG_FILE=str(tmp_path / "erasures"))
    try:
        with old.app_context():
            from flask_migrate import downgrade

            downgrade(revision=previous)
        archive = tmp_path / "old.tar.gz"
        assert cli(old, "backup", "create", str(archive)).exit_code == 0
        assert backups.read_manifest(archive)["schema_revision"] == previous
        assert "a restore runs the migrations" in cli(fresh, "backup", "verify",
                                                      str(archive)).output
        result = cli(fresh, "backup", "restore", "--replace", str(archive))
        assert result.exit_code == 0, result.output
        assert f"migrated from schema revision {previous}" in result.output
        with fresh.app_context():
            assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == head
            upgrade()  # nothing left to do
    finally:
        close(old)
        close(fresh)


def test_keep_prunes_older_archives_and_nothing_else(app, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "README").write_text("not an archive")
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    with app.app_context():
        for day in range(3):
            made = backups.create(db.engine, app.config, folder, keep=2,
                                  now=start + dt.timedelta(days=day))
    assert sorted(path.name for path in folder.iterdir()) == [
        "README", "nmt-backup-20260102T000000Z.tar.gz", "nmt-backup-20260103T000000Z.tar.gz"]
    assert [path.name for path in made.pruned] == ["nmt-backup-20260101T000000Z.tar.gz"]
    refused = cli(app, "backup", "create", str(folder), "--keep", "0")
    assert refused.exit_code == 1 and "--keep must be 1 or more" in refused.output
