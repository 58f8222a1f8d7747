"""With the mail server down, the page that queued a message still succeeds; the outbox
tries again after a wait that doubles; admins see what is undelivered and why; delivery is
at least once, each send of a message carrying the same Message-ID."""
from __future__ import annotations

import dataclasses
import datetime as dt
import email

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from nmt_course.extensions import db
from nmt_course.mailing import operations as mailing
from nmt_course.mailing.models import OutboxMessage
from tests.durability.conftest import free_port
from tests.helpers import csrf_from, login, make_user, runtime

pytestmark = pytest.mark.slow


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def later(app, minutes: float) -> None:
    """The app's clock, `minutes` from now."""
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    app.extensions["nmt_runtime"] = dataclasses.replace(runtime(app), clock=lambda: moment)


def test_with_the_mail_server_down_the_page_succeeds_and_the_outbox_retries(make_app):
    port = free_port()  # nothing listens there yet
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                   MAIL_DELIVERY="inline")
    make_user(app)
    make_user(app, "admin@example.com", name="Ada Admin", is_admin=True)
    visitor = app.test_client()
    page = visitor.get("/reset-password")
    answer = visitor.post("/reset-password", data={"csrf_token": csrf_from(page.text),
                                                   "email": "learner@example.com"})
    assert answer.status_code == 302  # the person is told the link is on its way
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.sent_at is None and message.failures == 1
        assert "ConnectionRefusedError" in message.last_error
        first_wait = message.next_attempt_at

    admin = app.test_client()
    login(admin, "admin@example.com")
    listed = admin.get("/admin/mail")
    assert listed.status_code == 200
    assert "learner@example.com" in listed.text and "ConnectionRefusedError" in listed.text

    with app.app_context():  # not due yet: nothing is tried
        assert mailing.deliver_pending(runtime(app)) == (0, 0)
        later(app, 1.5)
        assert mailing.deliver_pending(runtime(app)) == (0, 1)  # still down: tried, failed
        second_wait = db.session.scalar(select(OutboxMessage.next_attempt_at))
    assert second_wait - first_wait > dt.timedelta(minutes=2)  # the wait doubled

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with app.app_context():
            later(app, 5)
            assert mailing.deliver_pending(runtime(app)) == (1, 0)
    finally:
        controller.stop()
    assert [m["To"] for m in inbox.messages] == ["learner@example.com"]
    assert "Every message has been delivered." in admin.get("/admin/mail").text


def test_a_sender_that_dies_after_sending_sends_again_with_the_same_message_id(make_app,
                                                                               monkeypatch):
    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                       MAIL_DELIVERY="cron")
        make_user(app)
        from nmt_course.accounts import operations as accounts

        with app.app_context():
            accounts.request_password_reset(runtime(app), "learner@example.com")
            real_settle = mailing._settle

            def die(*args, **kwargs):  # the process dies after the server accepted it
                raise KeyboardInterrupt

            monkeypatch.setattr(mailing, "_settle", die)
            with pytest.raises(KeyboardInterrupt):
                mailing.deliver_pending(runtime(app))
            monkeypatch.setattr(mailing, "_settle", real_settle)
            db.session.rollback()
            assert mailing.deliver_pending(runtime(app)) == (0, 0)  # still claimed
            later(app, 11)  # the claim expires
            assert mailing.deliver_pending(runtime(app)) == (1, 0)
            row = db.session.scalar(select(OutboxMessage))
    finally:
        controller.stop()
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == 2 and ids[0] == ids[1]
    assert ids[0] == f"<outbox.{row.id}.{int(row.queued_at.timestamp())}@nmt.test>"
