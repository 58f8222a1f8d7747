"""Certificates: issued once when nothing is unmet, private to their owner, publicly verifiable."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from nmt_course import codes
from nmt_course.extensions import db
from nmt_course.accounts.models import User
from nmt_course.audit import AuditEvent
from nmt_course.certificates.models import Certificate, CertificateStatus
from nmt_course.learning.models import Course
from tests.helpers import (DEMO_PASS, SECOND_PASS, csrf_from, import_content, login, make_user,
                           post_form, read_lesson, send_evaluation, submit_quiz)


def complete_course(client) -> str:
    """Read both lessons, pass both quizzes, answer the evaluation; return the certificate
    page's path."""
    for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
        read_lesson(client, "demo", lesson)
        submit_quiz(client, "demo", lesson, answers)
    response = send_evaluation(client, "demo")
    assert response.status_code == 302 and response.location.startswith("/certificates/"), \
        "the evaluation leads to the certificate"
    return response.location


def certificate_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Certificate.id)))


def test_no_certificate_until_nothing_is_unmet(app, learner):
    submit_quiz(learner, "demo", "first-lesson", DEMO_PASS)
    assert certificate_count(app) == 0
    course = learner.get("/courses/demo").text
    assert "Still to do for your certificate" in course
    assert "Pass the quiz for “The Second Lesson”" in course


def test_completing_the_course_issues_one_certificate_with_a_snapshot(app, learner):
    path = complete_course(learner)
    assert certificate_count(app) == 1
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        assert path == f"/certificates/{codes.display(certificate.code)}"
        assert (certificate.legal_name, certificate.course_title, str(certificate.ce_hours),
                certificate.course_type, certificate.approval_number,
                certificate.provider_name, certificate.status) == (
            "Jane Q. Learner", "Demo Course for Tests", "0.50", "Home Study", "TEST-001",
            "NMT Test Academy", CertificateStatus.VALID)
    page = learner.get(path).text
    assert "Jane Q. Learner" in page and "0.5 CEs" in page
    assert f"http://nmt.test/verify/{path.rsplit('/', 1)[1]}" in page
    dashboard = learner.get("/dashboard").text
    assert path in dashboard and 'value="100"' in dashboard


@pytest.mark.real_pdf
def test_the_certificate_pdf_is_stored_once_and_served_to_its_owner(app, learner):
    path = complete_course(learner)
    response = learner.get(path + ".pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Jane Q. Learner" in text and "0.5 CEs" in text and path.rsplit("/", 1)[1] in text
    assert "http://nmt.test/verify/" in text
    assert learner.get(path + ".pdf").data == response.data


def test_later_edits_to_user_and_course_never_change_the_certificate(app, learner):
    path = complete_course(learner)
    pdf_before = learner.get(path + ".pdf").data
    post_form(learner, "/account", {"legal_name": "Janet Renamed", "licence_number": "",
                                    "licence_state": ""})
    with app.app_context():
        db.session.execute(update(Course).values(title="Renamed Course", ce_hours=9))
        db.session.commit()
    page = learner.get(path).text
    assert "Jane Q. Learner" in page and "Demo Course for Tests" in page
    assert "Janet Renamed" not in page and "Renamed Course" not in page
    assert learner.get(path + ".pdf").data == pdf_before
    assert certificate_count(app) == 1


def test_another_learner_gets_404_and_an_admin_may_look(app, learner):
    path = complete_course(learner)
    make_user(app, "other@example.com")
    other = app.test_client()
    login(other, "other@example.com")
    assert other.get(path).status_code == 404
    assert other.get(path + ".pdf").status_code == 404
    make_user(app, "admin@example.com", is_admin=True)
    admin = app.test_client()
    login(admin, "admin@example.com")
    assert admin.get(path).status_code == 200
    assert admin.get(path + ".pdf").status_code == 200
    anonymous = app.test_client()
    assert anonymous.get(path).status_code == 302  # to the login page


@pytest.mark.dialect("case of stored text")
def test_code_typed_loosely_redirects_to_the_canonical_address(learner):
    path = complete_course(learner)
    code = path.rsplit("/", 1)[1]
    response = learner.get(f"/certificates/{code.replace('-', '').lower()}")
    assert response.status_code == 301 and response.location == path


def test_public_verification_shows_what_a_board_needs_and_nothing_private(app, learner):
    post_form(learner, "/account", {"legal_name": "Jane Q. Learner",
                                    "licence_number": "LMT-555", "licence_state": "TX"})
    path = complete_course(learner)
    code = path.rsplit("/", 1)[1]
    public = app.test_client()
    page = public.get(f"/verify/{code}")
    assert page.status_code == 200
    for shown in ("This certificate is valid.", "Jane Q. Learner", "Demo Course for Tests",
                  "0.5 CEs", "Home Study", "TEST-001", code):
        assert shown in page.text, shown
    for private in ("learner@example.com", "LMT-555"):
        assert private not in page.text
    # The owner's own page and PDF do carry the licence.
    assert "Licence number LMT-555 (TX)" in learner.get(path).text


def test_verify_form_takes_a_typed_code(learner):
    path = complete_course(learner)
    code = path.rsplit("/", 1)[1]
    public = learner.application.test_client()
    typed = " ".join(code.lower().split("-"))
    response = public.get("/verify", query_string={"code": typed})
    assert response.status_code == 302 and response.location == f"/verify/{code}"
    bad = public.get("/verify", query_string={"code": "not a code"})
    assert bad.status_code == 400 and "Check what you typed." in bad.text


def test_unknown_code_is_404(client):
    response = client.get("/verify/" + codes.display(codes.new_code()))
    assert response.status_code == 404
    assert "No certificate has this code" in response.text
    assert client.get("/verify/<script>alert(1)</script>").status_code == 404


def test_revoked_status_is_shown_publicly(app, learner):
    path = complete_course(learner)
    with app.app_context():
        db.session.execute(update(Certificate).values(status=CertificateStatus.REVOKED))
        db.session.commit()
    page = app.test_client().get("/verify/" + path.rsplit("/", 1)[1]).text
    assert "This certificate is revoked" in page


def test_a_course_requiring_a_licence_waits_for_it(app, learner):
    with app.app_context():
        db.session.execute(update(Course).values(requires_licence=True))
        db.session.commit()
    for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
        read_lesson(learner, "demo", lesson)
        submit_quiz(learner, "demo", lesson, answers)
    assert send_evaluation(learner, "demo").location == "/courses/demo"
    assert certificate_count(app) == 0
    assert "Add your licence number" in learner.get("/courses/demo").text
    response = post_form(learner, "/account", {"legal_name": "Jane Q. Learner",
                                               "licence_number": "LMT-1",
                                               "licence_state": "CA"}, follow_redirects=True)
    assert "Your certificate for “Demo Course for Tests” is ready." in response.text
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        assert (certificate.licence_number, certificate.licence_state) == ("LMT-1", "CA")


def test_reading_a_quizless_course_then_the_evaluation_issues_the_certificate(app, learner):
    from nmt_course.quizzes.models import Quiz
    with app.app_context():
        db.session.execute(update(Quiz).values(archived_at=func.now()))
        db.session.commit()
    for lesson in ("first-lesson", "second-lesson"):
        response = read_lesson(learner, "demo", lesson)
    assert response.location == "/courses/demo" and certificate_count(app) == 0
    course = learner.get("/courses/demo").text
    assert "Answer the course evaluation" in course
    assert "answer the course evaluation" in learner.get("/dashboard").text
    assert send_evaluation(learner, "demo").location.startswith("/certificates/")
    assert certificate_count(app) == 1


@pytest.mark.dialect("unique constraint")
def test_one_certificate_per_learner_and_course_is_a_database_rule(app, learner):
    complete_course(learner)
    from sqlalchemy.exc import IntegrityError
    with app.app_context():
        existing = db.session.scalar(select(Certificate))
        user = db.session.scalar(select(User))
        db.session.add(Certificate(code=codes.new_code(), user_id=user.id,
                                   course_id=existing.course_id, legal_name="x",
                                   course_title="x", ce_hours=1, course_type="Live",
                                   provider_name="x", completed_on=existing.completed_on,
                                   pdf=b""))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


@pytest.mark.dialect("a unique constraint firing mid-transaction")
def test_issuing_again_keeps_the_certificate_issued_first(app, learner):
    """The issue inserts without looking first; the unique key refuses a second
    certificate and the rerun returns the stored one, queuing no second e-mail."""
    from nmt_course.accounts.queries import user_by_email
    from nmt_course.certificates.operations import issue_certificate
    from nmt_course.learning.completion import completion_of
    from nmt_course.learning.queries import course_by_slug
    from nmt_course.mailing.models import OutboxMessage
    from tests.helpers import runtime

    path = complete_course(learner)
    with app.app_context():
        run = runtime(app)
        done = completion_of(user_by_email("learner@example.com"), course_by_slug("demo"),
                             run.clock())
        again = issue_certificate(run, done)
        assert f"/certificates/{again.display_code}" == path
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1
    assert certificate_count(app) == 1


def test_verification_look_ups_are_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True)
    client = limited.test_client()
    statuses = [client.get(f"/verify/AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAA{n % 10}").status_code
                for n in range(61)]
    assert statuses[:60] == [404] * 60 and statuses[60] == 429


def test_an_admin_revokes_a_certificate_with_a_reason(app):
    import_content(app)
    make_user(app)
    learner_client = app.test_client()
    login(learner_client)
    complete_course(learner_client)
    make_user(app, "admin@example.com", is_admin=True)
    admin = app.test_client()
    login(admin, "admin@example.com")
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        person, certificate_id, code = (certificate.user_id, certificate.id,
                                        certificate.display_code)
    page = admin.get(f"/admin/people/{person}").text
    url = f"/admin/people/{person}/certificates/{certificate_id}/revoke"
    token = csrf_from(page)
    empty = admin.post(url, data={"csrf_token": token, f"revoke{certificate_id}-reason": " "},
                       follow_redirects=True)
    assert "Say why the certificate is revoked." in empty.text
    done = admin.post(url, data={"csrf_token": token,
                                 f"revoke{certificate_id}-reason": "Issued in error"},
                      follow_redirects=True)
    assert "is revoked" in done.text and "Issued in error" in done.text
    public = app.test_client().get(f"/verify/{code}").text
    assert "This certificate is revoked" in public and "Issued in error" not in public
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.details).where(
            AuditEvent.action == "certificate.revoked"))["reason"] == "Issued in error"
    # Another person's certificate id under this person answers 404.
    make_user(app, "other@example.com")
    with app.app_context():
        other = db.session.scalar(select(User.id).where(User.email == "other@example.com"))
    assert admin.post(f"/admin/people/{other}/certificates/{certificate_id}/revoke",
                      data={"csrf_token": token}).status_code == 404
