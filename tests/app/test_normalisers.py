"""Typed text has one normaliser of each kind, applied by the operation that stores it: one
line for names, titles and reasons (text.one_line), and e-mail addresses
(text.email_address), whether a page, a command or a roster file hands them over."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from nmt_course.accounts import operations as accounts
from nmt_course.accounts.queries import user_by_email
from nmt_course.audit import AuditEvent
from nmt_course.certificates.models import Certificate
from nmt_course.certificates.operations import revoke_certificate
from nmt_course.clinics import operations as clinics
from nmt_course.clinics.models import Invitation
from nmt_course.clinics.roster import read_roster
from nmt_course.extensions import db
from nmt_course.learning.queries import quiz_context
from nmt_course.quizzes import operations as quizzes
from nmt_course.quizzes.models import AttemptGrant
from tests.app.clinic_helpers import complete_demo
from tests.helpers import PASSWORD, import_content, login, make_user, runtime

MESSY = " Talked\u202e it\n through \t on the\u0007 phone "
CLEAN = "Talked it through on the phone"


def test_one_line_text_is_cleaned_by_the_operation_that_stores_it(app):
    import_content(app)
    make_user(app, name="  Jane \n Learner ")
    admin_id = make_user(app, "admin@example.com", is_admin=True)
    complete_demo(app, "learner@example.com")
    run = runtime(app)
    with app.app_context():
        learner, admin = user_by_email("learner@example.com"), user_by_email("admin@example.com")
        assert learner.legal_name == "Jane Learner"
        quiz = quiz_context("demo", "first-lesson").quiz
        quizzes.grant_attempts(run, learner_id=learner.id, quiz_id=quiz.id, attempts=1,
                               reason=MESSY, granted_by_id=admin_id)
        revoke_certificate(run, admin, db.session.scalar(select(Certificate)), MESSY)
        accounts.correct_legal_name(run, admin, learner, legal_name=" Jane\u200f  Q. Learner",
                                    reason=MESSY)
        clinic, _ = clinics.create_clinic(run, admin, "  Bay\n Clinic ", "admin@example.com")
        clinics.invite(run, admin, clinic, "sam@example.com", " Sam \r\n Staff ")
    with app.app_context():
        assert db.session.scalar(select(AttemptGrant.reason)) == CLEAN
        assert db.session.scalar(select(Certificate.revoked_reason)) == CLEAN
        assert user_by_email("learner@example.com").legal_name == "Jane Q. Learner"
        corrected = db.session.scalar(select(AuditEvent.details).where(
            AuditEvent.action == "user.legal_name_corrected"))
        assert corrected["reason"] == CLEAN
        assert (clinic.name, db.session.scalar(select(Invitation.legal_name))) == (
            "Bay Clinic", "Sam Staff")


@pytest.mark.dialect("case-insensitive lookup")
def test_an_address_is_one_address_wherever_it_is_typed(app, client):
    make_user(app, "  Ann@Example.COM ", name="Ann Able")
    with app.app_context():
        ann = user_by_email("ann@example.com")
        assert ann is not None
        run = runtime(app)
        # A clinic's manager, named by another spelling, is the same account, not an invitation.
        clinic, result = clinics.create_clinic(run, None, "Bay Clinic", "ANN@example.com ")
        assert result.user is not None and result.user.id == ann.id
    (row,) = read_roster("name,email\nAnn,Ann@EXAMPLE.com \n").invitees
    assert row.email == "ann@example.com"
    assert login(client, "ann@EXAMPLE.com", PASSWORD).status_code == 302
