"""Every route, called with GET and POST by each kind of person, answers as it should: the
page (ok), a redirect to log in, 403 (the role may not) or 404 (not their record). A route
added without an entry here fails the test, so none escapes the table."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from sqlalchemy import select

from nmt_course.accounts.queries import user_by_email
from nmt_course.certificates.models import Certificate
from nmt_course.clinics.models import Assignment, Invitation
from nmt_course.quizzes.models import AttemptRequest
from nmt_course.extensions import db
from nmt_course.learning.models import CourseImage
from nmt_course.quizzes.models import QuestionFlag
from tests.app.authoring_helpers import author, post, token, upload_file, write_course
from tests.app.clinic_helpers import assign, join_staff, make_clinic, today, use_outbox
from tests.helpers import (DEMO_PASS, SECOND_PASS, PASSWORD, built_once, csrf_from,
                           import_content, login,
                           make_user, read_lesson, send_evaluation, submit_quiz)

ROLES = ("anonymous", "learner", "other_learner", "owner", "other_instructor", "manager_a",
         "manager_b", "admin")
INSTRUCTORS = ("owner", "other_instructor")


def spec(default: str, **roles: str) -> dict[str, str]:
    return {role: roles.get(role, default) for role in ROLES}


PUBLIC = spec("ok")
LOGGED_IN = spec("ok", anonymous="login")
ADMIN = spec("forbidden", anonymous="login", admin="ok")
AUTHOR_AREA = spec("forbidden", anonymous="login", owner="ok", other_instructor="ok",
                   admin="ok")
OWNERS_COURSE = spec("forbidden", anonymous="login", owner="ok", other_instructor="missing",
                     admin="ok")
CLINIC_A = spec("missing", anonymous="login", manager_a="ok", admin="ok")
LEARNERS_ATTEMPT = spec("missing", anonymous="login", learner="ok")
LEARNERS_CERTIFICATE = spec("missing", anonymous="login", learner="ok", admin="ok")
# The managers of a clinic see a staff member's certificate of a course the clinic assigned
# (read only, at the clinic's address); the learner is on clinic A's staff and was told.
LEARNERS_LINK = spec("missing", anonymous="login", learner="ok")  # sent to the learner
INVITEES_LINK = spec("forbidden", anonymous="ok")  # the invited address has no account yet

A = "/author/courses/{course}"
L = A + "/lessons/neck-basics"
C = "/clinics/{clinic_a}"
# (rule, method): (the address called, who may do what)
ROUTES = {
    ("/", "GET"): ("/", PUBLIC),
    ("/healthz", "GET"): ("/healthz", PUBLIC),
    ("/static/<path:filename>", "GET"): ("{stylesheet}", PUBLIC),
    ("/register", "GET"): ("/register", PUBLIC), ("/register", "POST"): ("/register", PUBLIC),
    ("/login", "GET"): ("/login", PUBLIC), ("/login", "POST"): ("/login", PUBLIC),
    ("/logout", "POST"): ("/logout", PUBLIC),
    ("/reset-password", "GET"): ("/reset-password", PUBLIC),
    ("/reset-password", "POST"): ("/reset-password", PUBLIC),
    ("/reset-password/<token>", "GET"): ("/reset-password/{reset}", PUBLIC),
    ("/reset-password/<token>", "POST"): ("/reset-password/{reset}", PUBLIC),
    ("/account", "GET"): ("/account", LOGGED_IN), ("/account", "POST"): ("/account", LOGGED_IN),
    ("/account/password", "POST"): ("/account/password", LOGGED_IN),
    ("/account/email", "POST"): ("/account/email", LOGGED_IN),
    ("/account/clinic-digest", "POST"): ("/account/clinic-digest", LOGGED_IN),
    ("/account/delete", "GET"): ("/account/delete", LOGGED_IN),
    ("/account/delete", "POST"): ("/account/delete", LOGGED_IN),  # no password: 422
    ("/transcript", "GET"): ("/transcript", LOGGED_IN),  # one's own, whoever asks
    ("/transcript.pdf", "GET"): ("/transcript.pdf", LOGGED_IN),
    ("/account/email/<token>", "GET"): ("/account/email/{email_change}", LEARNERS_LINK),
    ("/account/email/<token>", "POST"): ("/account/email/{email_change}", LEARNERS_LINK),
    ("/dashboard", "GET"): ("/dashboard", LOGGED_IN),
    ("/courses/<slug>", "GET"): ("/courses/demo", PUBLIC),
    ("/courses/<slug>/certificate", "POST"): ("/courses/demo/certificate", LOGGED_IN),
    ("/courses/<slug>/evaluation", "GET"): ("/courses/demo/evaluation", LOGGED_IN),
    ("/courses/<slug>/evaluation", "POST"): ("/courses/demo/evaluation", LOGGED_IN),
    ("/courses/<slug>/images/<name>", "GET"): ("/courses/{course}/images/{image}", PUBLIC),
    ("/courses/<slug>/lessons/<lesson_slug>", "GET"): (
        "/courses/demo/lessons/first-lesson", LOGGED_IN),
    ("/courses/<slug>/lessons/<lesson_slug>/read", "POST"): (
        "/courses/demo/lessons/first-lesson/read", LOGGED_IN),
    ("/courses/<slug>/lessons/<lesson_slug>/quiz", "GET"): (
        "/courses/demo/lessons/first-lesson/quiz", LOGGED_IN),
    ("/courses/<slug>/lessons/<lesson_slug>/quiz", "POST"): (
        "/courses/demo/lessons/first-lesson/quiz", LOGGED_IN),
    ("/courses/<slug>/lessons/<lesson_slug>/quiz/more-attempts", "POST"): (
        "/courses/demo/lessons/second-lesson/quiz/more-attempts", LOGGED_IN),
    ("/courses/<slug>/lessons/<lesson_slug>/quiz/attempts/<int:number>", "GET"): (
        "/courses/demo/lessons/first-lesson/quiz/attempts/1", LEARNERS_ATTEMPT),
    ("/courses/<slug>/lessons/<lesson_slug>/quiz/questions/<key>/flag", "GET"): (
        "/courses/demo/lessons/first-lesson/quiz/questions/colour/flag", LOGGED_IN),
    ("/courses/<slug>/lessons/<lesson_slug>/quiz/questions/<key>/flag", "POST"): (
        "/courses/demo/lessons/first-lesson/quiz/questions/colour/flag", LOGGED_IN),
    ("/certificates/<code>", "GET"): ("/certificates/{certificate}", LEARNERS_CERTIFICATE),
    ("/certificates/<code>.pdf", "GET"): ("/certificates/{certificate}.pdf",
                                          LEARNERS_CERTIFICATE),
    ("/certificates/<code>/credential.json", "GET"): ("/certificates/{certificate}/credential.json",
                                                      LEARNERS_CERTIFICATE),
    ("/verify", "GET"): ("/verify", PUBLIC),
    ("/verify/<code>", "GET"): ("/verify/{certificate}", PUBLIC),
    ("/verify/credential", "POST"): ("/verify/credential", PUBLIC),  # no file: 400
    ("/credentials/status/<int:number>", "GET"): ("/credentials/status/1", PUBLIC),
    ("/.well-known/did.json", "GET"): ("/.well-known/did.json", PUBLIC),
    # Author area
    ("/author/", "GET"): ("/author/", AUTHOR_AREA),
    ("/author/courses/new", "GET"): ("/author/courses/new", AUTHOR_AREA),
    ("/author/courses/new", "POST"): ("/author/courses/new", AUTHOR_AREA),
    ("/author/courses/<slug>", "GET"): (A, OWNERS_COURSE),
    ("/author/courses/<slug>/settings", "POST"): (A + "/settings", OWNERS_COURSE),
    ("/author/courses/<slug>/publish", "GET"): (A + "/publish", OWNERS_COURSE),
    ("/author/courses/<slug>/publish", "POST"): (A + "/publish", OWNERS_COURSE),
    ("/author/courses/<slug>/history/", "GET"): (A + "/history/", OWNERS_COURSE),
    ("/author/courses/<slug>/history/<int:number>", "GET"): (A + "/history/1", OWNERS_COURSE),
    ("/author/courses/<slug>/history/<int:number>/restore", "POST"): (
        A + "/history/1/restore", OWNERS_COURSE),
    ("/author/courses/<slug>/history/discard", "POST"): (A + "/history/discard",
                                                         OWNERS_COURSE),
    ("/author/courses/<slug>/discard", "POST"): (A + "/discard", OWNERS_COURSE),
    ("/author/courses/<slug>/delete", "POST"): (A + "/delete", OWNERS_COURSE),
    ("/author/courses/<slug>/export.zip", "GET"): (A + "/export.zip", OWNERS_COURSE),
    ("/author/courses/<slug>/images", "POST"): (A + "/images", OWNERS_COURSE),
    ("/author/courses/<slug>/images/<int:image_id>/replace", "POST"): (
        A + "/images/{image_id}/replace", OWNERS_COURSE),
    ("/author/courses/<slug>/images/<int:image_id>/delete", "POST"): (
        A + "/images/{image_id}/delete", OWNERS_COURSE),
    ("/author/courses/<slug>/duplicate", "POST"): (A + "/duplicate", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/order", "POST"): (A + "/lessons/order", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/preview", "POST"): (A + "/lessons/preview",
                                                         OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/autosave", "POST"): (L + "/autosave",
                                                                   OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/duplicate", "POST"): (L + "/duplicate",
                                                                    OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/quiz/order", "POST"): (L + "/quiz/order",
                                                                     OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/quiz/questions/<key>/duplicate", "POST"): (
        L + "/quiz/questions/scm-action/duplicate", OWNERS_COURSE),
    ("/author/courses/<slug>/maintainers", "POST"): (A + "/maintainers", OWNERS_COURSE),
    ("/author/courses/<slug>/maintainers/<int:user_id>/remove", "POST"): (
        A + "/maintainers/{helper_id}/remove", OWNERS_COURSE),
    ("/author/courses/<slug>/preview/", "GET"): (A + "/preview/", OWNERS_COURSE),
    ("/author/courses/<slug>/preview/lessons/<lesson>", "GET"): (
        A + "/preview/lessons/neck-basics", OWNERS_COURSE),
    ("/author/courses/<slug>/preview/lessons/<lesson>/quiz", "GET"): (
        A + "/preview/lessons/neck-basics/quiz", OWNERS_COURSE),
    # A preview attempt with no answer: the form again (422), nothing stored.
    ("/author/courses/<slug>/preview/lessons/<lesson>/quiz", "POST"): (
        A + "/preview/lessons/neck-basics/quiz?question=scm-action", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/new", "GET"): (A + "/lessons/new", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/new", "POST"): (A + "/lessons/new", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/edit", "GET"): (L + "/edit", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/edit", "POST"): (L + "/edit", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/move", "POST"): (L + "/move", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/remove", "POST"): (L + "/remove",
                                                                 OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/quiz", "GET"): (L + "/quiz", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/quiz", "POST"): (L + "/quiz", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/quiz/gift", "POST"): (L + "/quiz/gift",
                                                                    OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/quiz/questions/new", "GET"): (
        L + "/quiz/questions/new", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/quiz/questions/new", "POST"): (
        L + "/quiz/questions/new", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/quiz/questions/<key>/edit", "GET"): (
        L + "/quiz/questions/scm-action/edit", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/quiz/questions/<key>/edit", "POST"): (
        L + "/quiz/questions/scm-action/edit", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/quiz/questions/<key>/move", "POST"): (
        L + "/quiz/questions/scm-action/move", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/quiz/questions/<key>/remove", "POST"): (
        L + "/quiz/questions/palpate-tf/remove", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/quiz/flags/<int:flag_id>/resolve", "POST"): (
        L + "/quiz/flags/{flag}/resolve", OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/analysis", "GET"): (L + "/analysis",
                                                                  OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/analysis.csv", "GET"): (L + "/analysis.csv",
                                                                      OWNERS_COURSE),
    ("/author/courses/<slug>/lessons/<lesson>/regrade/", "GET"): (L + "/regrade/",
                                                                  OWNERS_COURSE),
    # No version reviewed: back to the page, nothing regraded.
    ("/author/courses/<slug>/lessons/<lesson>/regrade/", "POST"): (L + "/regrade/",
                                                                   OWNERS_COURSE),
    ("/author/courses/<slug>/evidence", "GET"): (A + "/evidence", OWNERS_COURSE),
    # Nobody answered the evaluation of this course: 404 even for its owner
    # (tests/app/test_evaluation.py shows it to them from 5 answers on).
    ("/author/courses/<slug>/evaluations.csv", "GET"): (
        A + "/evaluations.csv", spec("forbidden", anonymous="login", owner="missing",
                                     other_instructor="missing", admin="missing")),
    # Admins
    ("/admin/people", "GET"): ("/admin/people", ADMIN),
    ("/admin/people/<int:user_id>", "GET"): ("/admin/people/{learner_id}", ADMIN),
    ("/admin/people/<int:user_id>/roles", "POST"): ("/admin/people/{learner_id}/roles", ADMIN),
    ("/admin/people/<int:user_id>/active", "POST"): ("/admin/people/{learner_id}/active",
                                                     ADMIN),
    ("/admin/people/<int:user_id>/legal-name", "POST"): (
        "/admin/people/{learner_id}/legal-name", ADMIN),
    ("/admin/people/<int:user_id>/attempts", "POST"): ("/admin/people/{learner_id}/attempts",
                                                       ADMIN),
    ("/admin/people/<int:user_id>/certificates/<int:certificate_id>/revoke", "POST"): (
        "/admin/people/{learner_id}/certificates/{certificate_id}/revoke", ADMIN),
    ("/admin/people/<int:user_id>/certificates/<int:certificate_id>/reissue", "POST"): (
        "/admin/people/{learner_id}/certificates/{certificate_id}/reissue", ADMIN),  # 422
    ("/admin/people/<int:user_id>/certificates/<int:certificate_id>/revisions/"
     "<int:revision>.pdf", "GET"): (
        "/admin/people/{learner_id}/certificates/{certificate_id}/revisions/1.pdf", ADMIN),
    ("/admin/rosters", "GET"): ("/admin/rosters?course=demo&format=csv", ADMIN),
    ("/admin/rosters/<slug>/tracking-number", "POST"): ("/admin/rosters/demo/tracking-number",
                                                        ADMIN),
    ("/admin/audit", "GET"): ("/admin/audit", ADMIN),
    ("/admin/mail", "GET"): ("/admin/mail", ADMIN),
    ("/admin/provider", "GET"): ("/admin/provider", ADMIN),
    ("/admin/provider", "POST"): ("/admin/provider", ADMIN),  # no name: 422
    ("/admin/provider/signature.png", "GET"): ("/admin/provider/signature.png", ADMIN),
    ("/admin/clinics", "GET"): ("/admin/clinics", ADMIN),
    ("/admin/clinics", "POST"): ("/admin/clinics", ADMIN),
    ("/admin/clinics/<int:clinic_id>", "GET"): ("/admin/clinics/{clinic_a}", ADMIN),
    ("/admin/clinics/<int:clinic_id>/managers", "POST"): ("/admin/clinics/{clinic_a}/managers",
                                                          ADMIN),
    ("/admin/clinics/<int:clinic_id>/managers/<int:user_id>/remove", "POST"): (
        "/admin/clinics/{clinic_a}/managers/{manager_a_id}/remove", ADMIN),
    ("/admin/clinics/<int:clinic_id>/name", "POST"): ("/admin/clinics/{clinic_a}/name", ADMIN),
    # A failed form's address, reopened: the page it belongs to.
    ("/admin/clinics/<int:clinic_id>/managers", "GET"): ("/admin/clinics/{clinic_a}/managers",
                                                         ADMIN),
    ("/admin/clinics/<int:clinic_id>/name", "GET"): ("/admin/clinics/{clinic_a}/name", ADMIN),
    ("/admin/attempt-requests/<int:request_id>/grant", "POST"): (
        "/admin/attempt-requests/{attempt_request}/grant", ADMIN),
    # Clinics
    ("/clinics", "GET"): ("/clinics", LOGGED_IN),
    ("/clinics/<int:clinic_id>", "GET"): (C, CLINIC_A),
    ("/clinics/<int:clinic_id>/report.csv", "GET"): (C + "/report.csv", CLINIC_A),
    ("/clinics/<int:clinic_id>/staff", "GET"): (C + "/staff", CLINIC_A),
    ("/clinics/<int:clinic_id>/certificates/<code>", "GET"): (C + "/certificates/{certificate}",
                                                             CLINIC_A),
    ("/clinics/<int:clinic_id>/certificates/<code>.pdf", "GET"): (
        C + "/certificates/{certificate}.pdf", CLINIC_A),
    ("/clinics/<int:clinic_id>/courses/<int:course_id>/certificates.zip", "GET"): (
        C + "/courses/{course_id}/certificates.zip", CLINIC_A),
    ("/clinics/<int:clinic_id>/assignments", "GET"): (C + "/assignments", CLINIC_A),
    ("/clinics/<int:clinic_id>/assignments", "POST"): (C + "/assignments", CLINIC_A),
    ("/clinics/<int:clinic_id>/assignments/<int:assignment_id>", "POST"): (
        C + "/assignments/{assignment}", CLINIC_A),
    ("/clinics/<int:clinic_id>/assignments/<int:assignment_id>/withdraw", "POST"): (
        C + "/assignments/{assignment}/withdraw", CLINIC_A),
    ("/clinics/<int:clinic_id>/invitations", "POST"): (C + "/invitations", CLINIC_A),
    ("/clinics/<int:clinic_id>/invitations/upload", "POST"): (C + "/invitations/upload",
                                                              CLINIC_A),
    ("/clinics/<int:clinic_id>/invitations/<int:invitation_id>/resend", "POST"): (
        C + "/invitations/{invitation}/resend", CLINIC_A),
    ("/clinics/<int:clinic_id>/invitations/<int:invitation_id>/revoke", "POST"): (
        C + "/invitations/{invitation}/revoke", CLINIC_A),
    ("/clinics/<int:clinic_id>/staff/<int:user_id>/remove", "POST"): (
        C + "/staff/{learner_id}/remove", CLINIC_A),
    ("/clinics/<int:clinic_id>/invitations", "GET"): (C + "/invitations", CLINIC_A),
    ("/clinics/<int:clinic_id>/invitations/upload", "GET"): (C + "/invitations/upload",
                                                             CLINIC_A),
    # A manager's own place on the staff: an admin who does not manage it has none.
    ("/clinics/<int:clinic_id>/staff/me", "POST"): (
        C + "/staff/me", spec("missing", anonymous="login", manager_a="ok")),
    ("/invitations/<token>", "GET"): ("/invitations/{invite_token}", INVITEES_LINK),
    ("/invitations/<token>", "POST"): ("/invitations/{invite_token}", INVITEES_LINK),
    ("/invitations/<token>/join", "POST"): ("/invitations/{invite_token}/join", INVITEES_LINK),
    ("/invitations/<token>/join", "GET"): ("/invitations/{invite_token}/join", PUBLIC),
}
# What changes a lot runs last (deeper addresses before the ones they live under), logging
# out at the very end; the invitation link runs before anything can resend it.
LAST = ("/remove", "/withdraw", "/revoke", "/discard", "/delete", "/active")


def running_order(key: tuple[str, str]):
    rule, method = key
    if rule == "/logout":
        rank = 4
    elif any(mark in rule for mark in LAST):
        rank = 3
    elif rule.startswith("/invitations/"):
        rank = 1
    else:
        rank = 2
    return (method == "POST", rank, -len(rule), rule)


def test_the_table_names_every_route(app):
    routes = {(rule.rule, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == set(ROUTES)


def build_world(app) -> dict:
    """The records every address points at: a learner's attempt and certificate, a course
    written in the browser with an image and a learner's flag, two clinics. Built through
    the pages once per test process and database, then put back from its rows."""
    outbox = use_outbox(app)
    return built_once(app, "authorization world", lambda: _build_world(app, outbox))


def _build_world(app, outbox) -> dict:
    import_content(app)
    make_user(app, "learner@example.com", name="Lee Learner")
    make_user(app, "other@example.com", name="Olly Other")
    learner = app.test_client()
    login(learner)
    for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
        read_lesson(learner, "demo", lesson)
        submit_quiz(learner, "demo", lesson, answers)
    send_evaluation(learner, "demo")
    owner = author(app, "owner@example.com")
    write_course(owner)
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 50, 50)).save(image, format="PNG")
    upload_file(owner, "/author/courses/neck-care/images", "image", "neck.png",
                image.getvalue(), alt="The neck")
    post(learner, "/courses/neck-care/lessons/neck-basics/quiz/questions/scm-action/flag",
         {"comment": "Two choices could be right."})
    make_user(app, "other.instructor@example.com", is_instructor=True)
    make_user(app, "helper@example.com", is_instructor=True)
    post(owner, "/author/courses/neck-care/maintainers", {"email": "helper@example.com"})
    admin = author(app, "admin@example.com", is_admin=True)
    signature = io.BytesIO()
    Image.new("RGBA", (60, 20), (0, 0, 0, 255)).save(signature, format="PNG")
    saved = admin.post("/admin/provider", data={
        "csrf_token": token(admin), "name": "NMT Academy", "postal_address": "1 Main St",
        "version": "0", "signature": (io.BytesIO(signature.getvalue()), "signature.png")},
        content_type="multipart/form-data")
    assert saved.status_code == 302
    with app.test_request_context():
        certificate = db.session.scalar(select(Certificate))
        person, certificate_id = certificate.user_id, certificate.id
    reissued = post(admin, f"/admin/people/{person}/certificates/{certificate_id}/reissue", {
        f"reissue{certificate_id}-legal_name": "Lee Learner",
        f"reissue{certificate_id}-licence_number": "MA-2",
        f"reissue{certificate_id}-reason": "Licence number corrected"})
    assert reissued.status_code == 302  # so that revision 1 is kept, for its address
    clinic_a = make_clinic(app, "Clinic A", "manager.a@example.com")
    make_clinic(app, "Clinic B", "manager.b@example.com")
    join_staff(app, clinic_a, "learner@example.com")
    other = app.test_client()  # out of attempts at the second quiz, asking for more
    login(other, "other@example.com")
    for _ in range(2):
        submit_quiz(other, "demo", "second-lesson", {"only": "false", "other": "b"})
    post(other, "/courses/demo/lessons/second-lesson/quiz/more-attempts")
    assign(app, clinic_a, today(app) + dt.timedelta(days=7))
    manager = app.test_client()
    login(manager, "manager.a@example.com")
    post(manager, f"/clinics/{clinic_a}/invitations", {"invite-email": "invitee@example.com"})
    post(learner, "/account/email", {"em-new_email": "lee.new@example.com",
                                     "em-current_password": PASSWORD})
    reset = app.test_client()
    reset.post("/reset-password", data={"csrf_token": csrf_from(reset.get("/login").text),
                                        "email": "learner@example.com"})
    with app.test_request_context():
        certificate = db.session.scalar(select(Certificate))
        return {
            "course": "neck-care", "clinic_a": clinic_a,
            "stylesheet": app.jinja_env.globals["asset_url"]("css/site.css"),
            "image": db.session.scalar(select(CourseImage.name)),
            "image_id": db.session.scalar(select(CourseImage.id)),
            "flag": db.session.scalar(select(QuestionFlag.id)),
            "certificate": certificate.display_code, "certificate_id": certificate.id,
            "course_id": certificate.course_id,
            "learner_id": user_by_email("learner@example.com").id,
            "manager_a_id": user_by_email("manager.a@example.com").id,
            "helper_id": user_by_email("helper@example.com").id,
            "assignment": db.session.scalar(select(Assignment.id)),
            "attempt_request": db.session.scalar(select(AttemptRequest.id)),
            "invitation": db.session.scalar(select(Invitation.id).where(
                Invitation.email == "invitee@example.com")),
            "invite_token": outbox.link("invitee@example.com").rsplit("/", 1)[1],
            "email_change": outbox.to("lee.new@example.com")[-1].body.split(
                "/account/email/")[1].split()[0],
            "reset": outbox.to("learner@example.com")[-1].body.split(
                "/reset-password/")[1].split()[0],
        }


EMAILS = {"learner": "learner@example.com", "other_learner": "other@example.com",
          "owner": "owner@example.com", "other_instructor": "other.instructor@example.com",
          "manager_a": "manager.a@example.com", "manager_b": "manager.b@example.com",
          "admin": "admin@example.com"}


def outcome(response) -> str:
    if response.status_code >= 500:
        return f"error {response.status_code}"
    if response.status_code == 302 and "/login" in response.location:
        return "login"
    return {403: "forbidden", 404: "missing"}.get(response.status_code, "ok")


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(app, role):
    world = build_world(app)
    client = app.test_client()
    if role != "anonymous":
        if role in ("manager_a", "manager_b", "learner", "other_learner"):
            login(client, EMAILS[role])
        else:
            login(client, EMAILS[role], PASSWORD)
    wrong = []
    for rule, method in sorted(ROUTES, key=running_order):
        path, expected = ROUTES[(rule, method)]
        url = path.format(**world)
        if method == "GET":
            response = client.get(url)
        else:
            form_token = token(client) if role != "anonymous" else csrf_from(
                client.get("/login").text)
            response = client.post(url, data={"csrf_token": form_token})
        got = outcome(response)
        response.close()
        if got != expected[role]:
            wrong.append(f"{method} {url}: {got}, expected {expected[role]}")
    assert wrong == [], "\n".join(wrong)
