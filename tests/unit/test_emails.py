"""Every e-mail the site sends, rendered from its pair of templates: a subject, a plain-text
part with every link written out, and an HTML part in the site's look that reads without
images, with what people typed escaped. One test per e-mail."""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from jinja2 import UndefinedError
from markupsafe import escape

from nmt_course.clinics.queries import DueCourse
from nmt_course.config import PROJECT_ROOT
from nmt_course.mailing.messages import TEMPLATES, render_email
from nmt_course.runtime import Settings

SETTINGS = Settings.from_config({
    "SECRET_KEY": "k", "SITE_URL": "https://ce.example.org/", "PROVIDER_NAME": "Harbour CE",
    "TIMEZONE": "UTC", "PASSWORD_HASH_METHOD": "pbkdf2", "PASSWORD_RESET_MINUTES": 60,
    "INVITATION_DAYS": 14, "REMEMBER_COOKIE_DURATION": dt.timedelta(days=30),
    "SUPPORT_EMAIL": "help@ce.example.org"})
NAME = 'Zoë <b>"Bold"</b> & Co'  # what a person may type as their name


def render(template: str, **facts):
    mail = render_email(template, to="jane@example.com", settings=SETTINGS, **facts)
    assert mail.to == "jane@example.com"
    return mail


def check_both_parts(mail, *, links: list[str], says: list[str]) -> None:
    """What every e-mail must be: the text part holds the words and the links, the HTML part
    the same words, each link as a link, the name escaped, no image, the site's colours."""
    for link in links:
        assert link in mail.body
        assert f'href="{escape(link)}"' in mail.html
    for words in says:
        assert words in mail.body and words in html.unescape(mail.html), words
    assert NAME in mail.body and NAME not in mail.html and escape(NAME) in mail.html
    assert "Harbour CE" in mail.body and "Harbour CE" in mail.html
    assert "<img" not in mail.html and "url(" not in mail.html  # nothing to block
    assert "#0e5e66" in mail.html and mail.html.startswith("<!doctype html>")
    assert "\n\n\n" not in mail.body  # blocks leave no gaps


def test_the_password_changed_notice():
    mail = render("password_changed", name=NAME)
    assert mail.subject == "Your password was changed"
    check_both_parts(mail, links=["https://ce.example.org/reset-password"],
                     says=["every session logged in with the old one has ended",
                           "Harbour CE at help@ce.example.org"])


def test_the_password_reset_link():
    link = "https://ce.example.org/reset-password/tok3n"
    mail = render("password_reset", name=NAME, minutes=60, link=link)
    assert mail.subject == "Reset your password"
    check_both_parts(mail, links=[link], says=["within 60 minutes", "The link works once."])


def test_the_new_address_confirmation():
    link = "https://ce.example.org/account/email/tok3n"
    mail = render("email_change_confirm", name=NAME, current_email="old@example.com",
                  hours=24, link=link)
    assert mail.subject == "Confirm your new e-mail address"
    check_both_parts(mail, links=[link], says=["(with old@example.com)", "within 24 hours"])


def test_the_changed_address_notice():
    mail = render("email_changed", name=NAME, masked_email="j…@example.net")
    assert mail.subject == "Your e-mail address was changed"
    check_both_parts(mail, links=[], says=["now uses the address", "j…@example.net",
                                           "contact Harbour CE at help@ce.example.org"])


@pytest.mark.parametrize("manager, what", [(False, "to take the continuing-education courses"),
                                           (True, "to manage its staff's training")])
def test_the_clinic_invitation(manager, what):
    link = "https://ce.example.org/invitations/tok3n"
    mail = render("clinic_invitation", name=NAME, manager=manager, clinic_name="Bay & Co",
                  days=14, link=link)
    assert mail.subject == "Bay & Co invites you to Harbour CE"  # a subject is plain text
    check_both_parts(mail, links=[link], says=["Bay & Co invites you", what,
                                               "within 14 days"])


def test_the_notice_that_managers_now_see_certificates():
    link = "https://ce.example.org/dashboard"
    mail = render("clinic_evidence_notice", name=NAME, clinic_name="Bay & Co", link=link)
    assert mail.subject == "Bay & Co's managers now see your certificates"
    check_both_parts(mail, links=[link], says=[
        "the managers of Bay & Co see", "your licence number and state",
        "courses the clinic did not assign you stay private"])


def test_the_course_reminder():
    today = dt.date(2026, 3, 10)
    mail = render("course_reminder", name=NAME, today=today, courses=[
        DueCourse("Neck & Shoulders", "neck", dt.date(2026, 3, 1), "Bay & Co"),
        DueCourse("Low Back", "low-back", dt.date(2026, 3, 15), "Bay & Co")],
        clinic_name="Bay & Co", overdue_since=dt.date(2026, 3, 1))
    assert mail.subject == "Bay & Co: courses overdue since March 1, 2026"
    soon = render_email("course_reminder", to="j@example.com", settings=SETTINGS, name=NAME,
                        today=today, courses=[], clinic_name="Bay & Co", overdue_since=None)
    assert soon.subject == "Bay & Co: courses due soon"
    check_both_parts(mail, links=["https://ce.example.org/courses/neck",
                                  "https://ce.example.org/courses/low-back",
                                  "https://ce.example.org/dashboard"],
                     says=["Neck & Shoulders", "overdue since March 1, 2026",
                           "due March 15, 2026"])


def test_the_new_certificate_link():
    mail = render("certificate_issued", name=NAME, course_title="Neck & Shoulders",
                  certificate_title="Certificate of Achievement", ce="3 CEs",
                  page="/certificates/7K3M-Q9TD",
                  verification_url="https://ce.example.org/verify/7K3M-Q9TD")
    assert mail.subject == "Your Certificate of Achievement: Neck & Shoulders"
    check_both_parts(mail, links=["https://ce.example.org/certificates/7K3M-Q9TD",
                                  "https://ce.example.org/verify/7K3M-Q9TD"],
                     says=["Neck & Shoulders", "earned 3 CEs"])
    assert "%PDF" not in mail.body and "<img" not in mail.html  # a link, not an attachment


def test_the_reissued_certificate_notice():
    mail = render("certificate_reissued", name=NAME, course_title="Neck & Shoulders",
                  certificate_title="Certificate of Achievement", ce="3 CEs",
                  page="/certificates/7K3M-Q9TD",
                  verification_url="https://ce.example.org/verify/7K3M-Q9TD",
                  reason="Name <misspelt> & fixed")
    assert mail.subject == "Your Certificate of Achievement was re-issued: Neck & Shoulders"
    check_both_parts(mail, links=["https://ce.example.org/certificates/7K3M-Q9TD",
                                  "https://ce.example.org/verify/7K3M-Q9TD"],
                     says=["re-issued with corrected details", "keeps its code",
                           "Name <misspelt> & fixed"])


def test_the_account_deleted_notice():
    mail = render("account_deleted", name=NAME, years=6)
    assert mail.subject == "Your account was deleted"
    check_both_parts(mail, links=[], says=["you can no longer log in",
                                           "kept for 6 years from their issue"])


def test_the_course_assigned_notice():
    link = "https://ce.example.org/courses/neck"
    mail = render("course_assigned", name=NAME, clinic_name="Bay & Co",
                  course_title="Neck & Shoulders", due=dt.date(2026, 3, 15), link=link)
    assert mail.subject == "Bay & Co assigned you “Neck & Shoulders”, due March 15, 2026"
    check_both_parts(mail, links=[link, "https://ce.example.org/dashboard"],
                     says=["Bay & Co asks you to complete", "March 15, 2026"])


def test_the_clinic_digest():
    from nmt_course.clinics.notice_queries import Digest, DigestLine
    digest = Digest(overdue=[DigestLine("Bo <i>", "Neck & Shoulders", dt.date(2026, 3, 5)),
                             DigestLine("Di", "Low Back", dt.date(2026, 3, 6),
                                        expired_on=dt.date(2026, 2, 4), cycle=2)],
                    out_of_attempts=[DigestLine("Cy", "Low Back", dt.date(2026, 3, 20),
                                                asked=True)],
                    completed=[])
    mail = render("clinic_digest", name=NAME, clinic_name="Bay & Co", clinic_id=7,
                  digest=digest, today=dt.date(2026, 3, 9))
    assert mail.subject == "Bay & Co: the week in training"
    check_both_parts(mail, links=["https://ce.example.org/clinics/7",
                                  "https://ce.example.org/account"],
                     says=["Newly overdue (2)", "Neck & Shoulders, due March 5, 2026",
                           "Low Back, the completion expired February 4, 2026; renewal "
                           "(cycle 2) due March 6, 2026",
                           "Low Back (asked for more attempts)", "Completed this week (0)",
                           "nobody"])
    assert "Bo <i>" in mail.body and "Bo &lt;i&gt;" in mail.html


def test_the_course_due_again():
    mail = render("course_due_again", name=NAME, clinic_name="Bay & Co",
                  course_title="Neck & Shoulders", course_slug="neck", months=12,
                  completed_on=dt.date(2025, 3, 20), expires_on=dt.date(2026, 3, 20),
                  due_on=dt.date(2026, 3, 20), today=dt.date(2026, 2, 19))
    assert mail.subject == "Bay & Co: Neck & Shoulders is due again by March 20, 2026"
    check_both_parts(mail, links=["https://ce.example.org/courses/neck"],
                     says=["every 12 months", "completed it on March 20, 2025",
                           "expires on March 20, 2026", "every quiz attempt again"])
    late = render("course_due_again", name=NAME, clinic_name="Bay & Co",
                  course_title="Neck", course_slug="neck", months=12,
                  completed_on=dt.date(2025, 3, 20), expires_on=dt.date(2026, 3, 20),
                  due_on=dt.date(2026, 4, 30), today=dt.date(2026, 3, 31))
    assert "expired on March 20, 2026" in late.body


def test_the_request_for_more_attempts():
    link = "https://ce.example.org/admin/people"
    mail = render("attempts_requested", name=NAME, learner_name="Cy Cole",
                  learner_email="cy@example.com", lesson_title="Trigger Points",
                  course_title="Neck & Shoulders", link=link)
    assert mail.subject == "Cy Cole asks for more attempts at a quiz"
    check_both_parts(mail, links=[link], says=["“Trigger Points” in “Neck & Shoulders”",
                                               "cy@example.com"])


def test_a_fact_an_email_needs_and_does_not_get_is_an_error():
    with pytest.raises(UndefinedError):
        render_email("password_reset", to="x@example.com", settings=SETTINGS, name="X")


def test_every_email_is_a_pair_and_has_its_test():
    texts = {path.stem for path in TEMPLATES.glob("[!_]*.txt")}
    assert texts == {path.stem for path in TEMPLATES.glob("[!_]*.html")}
    tested = set(re.findall(r'render\("(\w+)"', (PROJECT_ROOT / "tests/unit/test_emails.py")
                            .read_text()))
    assert texts == tested
