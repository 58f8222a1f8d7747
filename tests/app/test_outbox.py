"""Mail leaves through the outbox after the commit: inline (tests), from a background thread,
or from `flask mail deliver` (cron); a failed send is kept and tried again."""
from __future__ import annotations

import pytest
import dataclasses
import datetime as dt
import time

from sqlalchemy import select

from nmt_course.accounts import operations as accounts
from nmt_course.extensions import db
from nmt_course.mailing.models import OutboxMessage
from tests.helpers import make_user, runtime


class Flaky:
    """A mail server that refuses the first `failures` messages."""

    def __init__(self, failures: int):
        self.failures, self.sent = failures, []

    def send(self, message):
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("mail server down")
        self.sent.append(message)


def outbox_rows(app):
    with app.app_context():
        return [(m.to, m.sent_at is not None, m.failures)
                for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_cron_mode_sends_only_when_asked_and_retries_failures(make_app):
    app = make_app(MAIL_DELIVERY="cron")
    make_user(app)
    server = Flaky(failures=1)
    app.extensions["nmt_runtime"] = dataclasses.replace(runtime(app), mailer=server)
    with app.app_context():
        accounts.request_password_reset(runtime(app), "learner@example.com")
    assert outbox_rows(app) == [("learner@example.com", False, 0)]  # queued, not sent
    runner = app.test_cli_runner()
    first = runner.invoke(args=["mail", "deliver"])
    assert first.exit_code == 1 and "0 sent, 1 failed." in first.output
    assert outbox_rows(app) == [("learner@example.com", False, 1)]
    # A failure waits a minute before its next try (then two, four...).
    assert runner.invoke(args=["mail", "deliver"]).output.strip() == "0 sent, 0 failed."
    app.extensions["nmt_runtime"] = dataclasses.replace(
        runtime(app), clock=lambda: dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=61))
    second = runner.invoke(args=["mail", "deliver"])
    assert second.exit_code == 0 and "1 sent, 0 failed." in second.output
    assert [m.to for m in server.sent] == ["learner@example.com"]
    assert runner.invoke(args=["mail", "deliver"]).output.strip() == "0 sent, 0 failed."


@pytest.mark.dialect("threads, commit visibility")
def test_the_background_sender_delivers_soon_after_the_commit(make_app, smtp_server):
    port, inbox = smtp_server
    app = make_app(MAIL_DELIVERY="background", MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                   MAIL_USE_TLS=False)
    make_user(app)
    sender = app.extensions["nmt_mail_sender"]
    try:
        with app.app_context():
            accounts.request_password_reset(runtime(app), "learner@example.com")
        for _ in range(100):
            if inbox.messages:
                break
            time.sleep(0.05)
        assert [m.rcpt_tos for m in inbox.messages] == [["learner@example.com"]]
        for _ in range(100):  # marked sent just after the server took it
            if outbox_rows(app) == [("learner@example.com", True, 0)]:
                break
            time.sleep(0.05)
        assert outbox_rows(app) == [("learner@example.com", True, 0)]
    finally:
        sender.stop(timeout=5)  # before this test's database goes
    assert not sender.thread.is_alive()


@pytest.mark.dialect("transactions")
def test_a_rolled_back_operation_sends_nothing(app):
    make_user(app)
    server = Flaky(failures=0)
    app.extensions["nmt_runtime"] = dataclasses.replace(runtime(app), mailer=server)
    with app.app_context():
        try:
            accounts.reset_password(runtime(app), "not-a-token", "another long password")
        except accounts.InvalidResetLink:
            pass
    assert outbox_rows(app) == [] and server.sent == []
