"""Wakes a sender when a transaction that queued mail commits. MAIL_DELIVERY says how:
`background` (a thread per app process sends soon after), `inline` (sent before the request
goes on: tests) or `cron` (nothing here: `flask --app app mail deliver` runs on a schedule)."""
from __future__ import annotations

import logging
import threading

from flask import Flask, current_app, has_app_context
from sqlalchemy import event

from ..database import db
from .operations import deliver_pending
from .outbox import QUEUED

log = logging.getLogger(__name__)
POLL_SECONDS = 60  # a background sender also retries failed messages this often


class BackgroundSender:
    def __init__(self, app: Flask):
        self.app = app
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def kick(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="nmt-mail", daemon=True)
                self.thread.start()
        self.wake.set()

    def stop(self, timeout: float = 30) -> None:
        """End the thread once it has finished what it is sending, waiting up to `timeout`
        seconds (an app being discarded: its polls must not outlive its database)."""
        self.stopping.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def _run(self) -> None:
        while True:
            self.wake.wait(POLL_SECONDS)
            self.wake.clear()
            if self.stopping.is_set():
                return
            self.deliver()

    def deliver(self) -> None:
        with self.app.app_context():
            try:
                deliver_pending(self.app.extensions["nmt_runtime"])
            except Exception:  # noqa: BLE001 - the sender must outlive a bad moment
                log.exception("mail delivery failed")
            finally:
                db.session.remove()


_listening = False


def init_app(app: Flask) -> None:
    if app.config["MAIL_DELIVERY"] != "cron":
        app.extensions["nmt_mail_sender"] = BackgroundSender(app)
    global _listening
    if not _listening:  # one listener on the shared session, whichever app is current
        event.listen(db.session, "after_commit", _after_commit)
        _listening = True


def _after_commit(session) -> None:
    if not session.info.pop(QUEUED, False) or not has_app_context():
        return
    sender = current_app.extensions.get("nmt_mail_sender")
    if sender is None:
        return
    if current_app.config["MAIL_DELIVERY"] == "inline":
        # In a thread of its own (so its own session), joined before the request goes on.
        worker = threading.Thread(target=sender.deliver)
        worker.start()
        worker.join()
    else:
        sender.kick()
