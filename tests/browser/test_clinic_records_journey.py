"""Issue 23 in Chromium: a manager's report keeps an invited row and a leaver's completion,
and opens a staff member's certificate (read only), on a phone and on a desktop."""
from __future__ import annotations

import datetime as dt
import re
import uuid

from tests.app.clinic_helpers import assign, make_clinic, use_outbox
from tests.helpers import make_user, runtime

from .test_instructor_journey import PASSWORD, log_in
from .test_manager_journey import complete_course


def join_staff(app, clinic_id: int, email: str, name: str) -> None:
    """Invite `email` and accept with a new account (the live server's links)."""
    from nmt_course.clinics import operations, queries
    from nmt_course.clinics.models import Clinic, ClinicRole
    from nmt_course.extensions import db

    with app.app_context():
        clinic = db.session.get(Clinic, clinic_id)
        manager = queries.members(clinic_id, ClinicRole.MANAGER)[0].user
        operations.invite(runtime(app), manager, clinic, email, name)
        body = app.extensions["nmt_runtime"].mailer.to(email)[-1].body
        token = re.search(r"/invitations/([\w-]+)", body).group(1)
        operations.accept_with_new_account(runtime(app), token, password=PASSWORD,
                                           legal_name=name)


def test_the_report_keeps_every_record(journey, live_server):
    page, server = journey.page, journey.server
    app = server.app
    use_outbox(app)
    tag = uuid.uuid4().hex[:6]
    manager, ann, dee = (f"{who}-{tag}@example.com" for who in ("boss", "ann", "dee"))
    make_user(app, manager, password=PASSWORD, name="Mo Manager")
    clinic = make_clinic(app, f"Records Clinic {tag}", manager)
    join_staff(app, clinic, ann, "Ann Able")
    today = runtime(app).settings.local_date(runtime(app).clock())
    assign(app, clinic, today + dt.timedelta(days=7), course="nmt-foundations")
    complete_course(app, ann)

    log_in(page, manager)
    page.goto(f"/clinics/{clinic}/staff")
    page.get_by_label("E-mail address", exact=True).fill(dee)
    page.get_by_role("button", name="Send the invitation").click()
    page.goto(f"/clinics/{clinic}")
    journey.check("records-report")
    assert "Invited" in page.inner_text("tbody")

    # The manager opens Ann's certificate from the report: read only.
    journey.follow(page.get_by_role("link", name="Certificate of Ann Able").first,
                   "records-certificate")
    assert "read only" in page.inner_text("main")
    assert page.get_by_role("link", name="Add to LinkedIn").count() == 0

    # Ann leaves; her completion stays under Former staff.
    page.goto(f"/clinics/{clinic}/staff")
    page.get_by_text("Remove Ann Able").first.click()
    page.get_by_role("button", name="Remove Ann Able").click()
    page.get_by_text("stays in the report, under Former staff").wait_for()
    page.goto(f"/clinics/{clinic}")
    assert "Ann Able" not in page.inner_text("main")
    page.get_by_label("People").select_option(label="Former staff")
    journey.follow(page.get_by_role("button", name="Show"), "records-former-staff")
    row = page.inner_text("tbody")
    assert "Ann Able" in row and "Left" in row and "Completed" in row
    journey.finish()
