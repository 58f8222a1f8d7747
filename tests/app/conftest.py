"""Fixtures shared by the app tests."""
from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller

from tests.helpers import import_content, login, make_user


@pytest.fixture
def learner(app, client):
    """A logged-in learner's client, with the fixture course imported."""
    import_content(app)
    make_user(app, name="Jane Q. Learner")
    login(client)
    return client


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback that keeps what it receives."""
    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


@pytest.fixture
def mail_app(make_app, smtp_server):
    """The same database as `app`, with mail going to the loopback SMTP server."""
    port, _ = smtp_server
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                    MAIL_USE_TLS=False, MAIL_DEFAULT_SENDER="ce@nmt.test")
