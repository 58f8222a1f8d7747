"""A learner deletes their account: what is erased at once, what is kept for the retention
period (certificates and the evidence behind them, still verifiable), the clinic's view, the
erasure log, and `records purge` once the period has passed."""
from __future__ import annotations

import pytest
import datetime as dt
import hashlib
from pathlib import Path

from sqlalchemy import func, select, update

from nmt_course import erasure_log
from nmt_course.accounts.erasure_operations import email_sha256
from nmt_course.accounts.models import AccountErasure, User, UserSession
from nmt_course.accounts.queries import erasures, user_by_email
from nmt_course.audit import AuditEvent
from nmt_course.certificates.models import (Certificate, CertificateCredential,
                                            CertificateStatus)
from nmt_course.certificates.queries import set_status_bits
from nmt_course.clinics.models import Membership
from nmt_course.cycles import CourseCycle
from nmt_course.extensions import db
from nmt_course.learning.account_operations import reapply_erasure
from nmt_course.learning.models import CourseEvaluation, CourseProgress, LessonProgress
from nmt_course.quizzes.models import QuestionAnswer, QuizAttempt, QuizStanding
from nmt_course.retention import RETENTION_YEARS
from tests.app.clinic_helpers import assign, join_staff, make_clinic, today, use_outbox
from tests.helpers import (DEMO_PASS, PASSWORD, SECOND_PASS, csrf_from, import_content, login,
                           make_user, read_lesson, runtime, send_evaluation, set_clock,
                           submit_quiz)


def _complete(client, comment: str = "") -> str:
    for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
        read_lesson(client, "demo", lesson)
        submit_quiz(client, "demo", lesson, answers)
    response = send_evaluation(client, "demo", comment=comment)
    assert response.status_code == 302
    return response.location


def _world(app):
    outbox = use_outbox(app)
    import_content(app)
    make_user(app, "Jane@Example.com", name="Jane Learner", licence_number="MA-1")
    client = app.test_client()
    login(client, "jane@example.com")
    path = _complete(client, comment="I told my boss about my back pain")
    return outbox, client, path


def _delete(client, password: str = PASSWORD):
    page = client.get("/account/delete")
    return client.post("/account/delete", data={"csrf_token": csrf_from(page.text),
                                                "password": password})


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_page_states_the_consequences_first(app):
    _, client, _ = _world(app)
    page = client.get("/account/delete")
    assert page.status_code == 200
    assert f"Kept for {RETENTION_YEARS} years, then removed" in page.text
    assert "Erased at once" in page.text and "Deleted account" in page.text
    assert 'href="/account/delete"' in client.get("/account").text


def test_a_wrong_password_deletes_nothing(app):
    _, client, _ = _world(app)
    response = _delete(client, "not my password")
    assert response.status_code == 422
    assert "That password is not correct, so your account was not deleted." in response.text
    with app.app_context():
        user = user_by_email("jane@example.com")
        assert user.deleted_at is None and user.legal_name == "Jane Learner"
        assert _count(AccountErasure) == 0
    assert client.get("/dashboard").status_code == 200  # still logged in
    assert _delete(client, "").status_code == 422


@pytest.mark.dialect("foreign keys")
def test_deleting_erases_the_person_and_keeps_the_evidence(app):
    outbox, client, path = _world(app)
    code = path.rsplit("/", 1)[1]
    with app.app_context():
        user_id = user_by_email("jane@example.com").id
        before = {model: _count(model) for model in (QuizAttempt, QuestionAnswer,
                                                     QuizStanding, LessonProgress)}
    response = _delete(client)
    assert response.status_code == 302
    # Logged out, and nobody can log in as them again.
    assert client.get("/dashboard").status_code == 302
    failed = app.test_client().post("/login", data={
        "csrf_token": csrf_from(app.test_client().get("/login").text),
        "email": "jane@example.com", "password": PASSWORD})
    assert failed.status_code != 302
    with app.app_context():
        user = db.session.get(User, user_id)
        assert (user.legal_name, user.licence_number, user.active) == (
            "Deleted account", None, False)
        assert "jane" not in user.email and user.deleted_at is not None
        assert _count(UserSession) == 0
        # The erasure log: the id, a SHA-256 of the normalised address, the time.
        assert erasures() == [(user_id, hashlib.sha256(b"jane@example.com").hexdigest(),
                               user.deleted_at)]
        # Evidence kept: attempts, answers, standings, reads, the evaluation without comment.
        assert {model: _count(model) for model in before} == before
        evaluation = db.session.scalar(select(CourseEvaluation))
        assert evaluation.comment == "" and evaluation.content_quality == 4
        certificate = db.session.scalar(select(Certificate))
        assert certificate.legal_name == "Jane Learner" and certificate.is_valid
        assert db.session.scalar(select(AuditEvent.action).where(
            AuditEvent.subject == f"user:{user_id}").order_by(AuditEvent.id.desc())
        ) == "user.deleted"
    # The certificate still verifies.
    public = app.test_client().get(f"/verify/{code}")
    assert public.status_code == 200 and "This certificate is valid." in public.text
    assert "Jane Learner" in public.text
    told = outbox.to("jane@example.com")[-1]
    assert told.subject == "Your account was deleted" and f"{RETENTION_YEARS} years" in told.body


def test_an_admin_cannot_delete_their_own_account(app):
    make_user(app, "admin@example.com", is_admin=True)
    client = app.test_client()
    login(client, "admin@example.com")
    response = _delete(client)
    assert response.status_code == 422 and "ask another admin" in response.text
    with app.app_context():
        assert user_by_email("admin@example.com").deleted_at is None


def test_the_clinic_report_shows_a_deleted_account_with_date_and_code(app):
    use_outbox(app)
    import_content(app)
    clinic = make_clinic(app)
    join_staff(app, clinic, "sam@example.com")
    assign(app, clinic, today(app) + dt.timedelta(days=10))
    staff = app.test_client()
    login(staff, "sam@example.com")
    path = _complete(staff)
    with app.app_context():  # not told yet that managers see certificates: dates only
        db.session.execute(update(Membership).values(evidence_notice_at=None))
        db.session.commit()
    _delete(staff)
    manager = app.test_client()
    login(manager, "manager@example.com")
    report = manager.get(f"/clinics/{clinic}").text
    code = path.rsplit("/", 1)[1]
    assert "Deleted account" in report and code in report
    assert "sam@example.com" not in report and "Sam Staff" not in report
    assert "deleted.invalid" not in report
    with app.app_context():
        completed = db.session.scalar(select(Certificate.completed_on))
    assert f"{completed:%B} {completed.day}, {completed.year}" in report


def _years_later(app, years: int, days: int = 0):
    start = runtime(app).clock()
    later = start.replace(year=start.year + years) + dt.timedelta(days=days)
    set_clock(app, lambda: later)


def test_records_purge_keeps_everything_within_the_period(app, runner):
    _, client, path = _world(app)
    make_user(app, "kept@example.com", name="Kept Learner")
    kept = app.test_client()
    login(kept, "kept@example.com")
    _complete(kept)
    _delete(client)
    _years_later(app, RETENTION_YEARS, days=-1)
    result = runner.invoke(args=["records", "purge"])
    assert result.exit_code == 0, result.output
    assert f"Nothing to remove: no deleted account's records are past their " \
           f"{RETENTION_YEARS} years." in result.output
    with app.app_context():
        assert _count(QuizAttempt) == 4 and _count(CourseEvaluation) == 2
        assert all(c.is_valid for c in db.session.scalars(select(Certificate)))
    assert "This certificate is valid." in app.test_client().get(
        "/verify/" + path.rsplit("/", 1)[1]).text


@pytest.mark.dialect("foreign keys")
def test_records_purge_removes_what_passed_its_period_and_says_what(app, runner):
    _, client, path = _world(app)
    make_user(app, "kept@example.com", name="Kept Learner")  # not deleted: never purged
    kept = app.test_client()
    login(kept, "kept@example.com")
    kept_path = _complete(kept)
    with app.app_context():  # a cycle of recurring training opened for each (as remind does)
        course_id = db.session.scalar(select(Certificate.course_id))
        for email in ("jane@example.com", "kept@example.com"):
            db.session.add(CourseCycle(user_id=user_by_email(email).id, course_id=course_id,
                                       number=2, due_on=dt.date(2026, 1, 1)))
        db.session.commit()
    _delete(client)
    _years_later(app, RETENTION_YEARS, days=1)
    result = runner.invoke(args=["records", "purge"])
    assert result.exit_code == 0, result.output
    assert f"Removed the records of 1 deleted account past their {RETENTION_YEARS} years:" \
        in result.output
    assert "  quiz attempts: 2" in result.output and \
        "  certificates (kept as tombstones): 1" in result.output and \
        "  course evaluations: 1" in result.output
    assert "  progress counts: 1" in result.output  # what clinic reports counted for them
    assert "  course cycles: 1" in result.output
    with app.app_context():
        assert _count(CourseProgress) == 1 and _count(CourseCycle) == 1  # the kept learner's
        jane = db.session.scalar(select(Certificate).where(Certificate.legal_name == ""))
        assert jane.status is CertificateStatus.PURGED and jane.licence_number is None
        credential = db.session.scalar(select(CertificateCredential).where(
            CertificateCredential.certificate_id == jane.id))
        assert credential.status_index in set_status_bits(1)
        assert _count(QuizAttempt) == 2 and _count(CourseEvaluation) == 1  # the kept one's
        assert db.session.scalar(select(AuditEvent.details).where(
            AuditEvent.action == "records.purged"))["accounts"] == 1
    public = app.test_client()
    gone = public.get("/verify/" + path.rsplit("/", 1)[1])
    assert "was removed after the 6-year retention period" in gone.text
    assert "Jane Learner" not in gone.text
    assert "This certificate is valid." in public.get("/verify/" + kept_path.rsplit("/", 1)[1]
                                                      ).text
    make_user(app, "admin@example.com", is_admin=True)
    admin = app.test_client()
    login(admin, "admin@example.com")
    assert admin.get(path + ".pdf").status_code == 404  # its PDF went with the record
    again = runner.invoke(args=["records", "purge"])
    assert "Nothing to remove" in again.output


def test_erasures_are_applied_again_after_a_restore(app):
    _, client, _ = _world(app)
    make_user(app, "other@example.com", name="Olly Other")
    with app.app_context():
        other = user_by_email("other@example.com")
        now = runtime(app).clock()
        # As if a backup from before Olly deleted their account had been restored.
        entry = erasure_log.Erasure(other.id, email_sha256("Other@Example.com"), now)
        assert not reapply_erasure(runtime(app), erasure_log.Erasure(
            other.id + 999, email_sha256("nobody@example.com"), now))
        assert reapply_erasure(runtime(app), entry)
        assert not reapply_erasure(runtime(app), entry)  # once is enough
        other = db.session.get(User, other.id)
        assert other.legal_name == "Deleted account" and other.deleted_at == now
        # A row whose address is not the logged one is someone else's: left alone.
        jane = user_by_email("jane@example.com")
        assert not reapply_erasure(runtime(app), erasure_log.Erasure(
            jane.id, email_sha256("x@example.com"), now))
        assert db.session.get(User, jane.id).deleted_at is None


def test_a_deletion_is_written_to_the_erasure_log_outside_the_database(app):
    """What `backup restore` reads to erase the account again (erasure_log.py)."""
    log = Path(app.config["ERASURE_LOG_FILE"])
    before = erasure_log.read(log)
    _, client, _ = _world(app)
    with app.app_context():
        jane = user_by_email("jane@example.com").id
    assert _delete(client).status_code == 302
    with app.app_context():
        assert db.session.get(User, jane).deleted_at is not None
    added = erasure_log.read(log)[len(before):]
    assert [(entry.user_id, entry.email_sha256) for entry in added] == [
        (jane, email_sha256("jane@example.com"))]
