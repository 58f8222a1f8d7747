"""Browser tests: Debian's Chromium, driven by Playwright, against a live server on loopback.

Every page a journey checks is screenshotted (tests/_artifacts/screenshots, git-ignored),
audited by axe-core and, at the end of the journey, validated by the Nu HTML Checker.
"""
from __future__ import annotations

import os
import shutil
import socket
import threading
import uuid
from pathlib import Path

import pytest

from nmt_course import create_app
from nmt_course.config import PROJECT_ROOT
from nmt_course.extensions import db
from tests.conftest import app_config, missing_service
from tests.helpers import import_content

from .journey import ARTIFACTS, Journey

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1440, "height": 900}}
SKIPPED: list[str] = []


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
            # One worker runs them all, with one live server and one Chromium.
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        SKIPPED.append(reason)
        missing_service(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class LiveServer:
    def __init__(self, app, url: str):
        self.app = app
        self.url = url


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app with the shipped course, served by a real HTTP server on 127.0.0.1."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    database = tmp_path_factory.mktemp("live") / "live.sqlite3"
    app = create_app(app_config(
        f"sqlite:///{database}", TESTING=False, SITE_URL=url,
        LESSONS_DIR=str(PROJECT_ROOT / "lessons"), QUIZZES_DIR=str(PROJECT_ROOT / "quizzes")))
    with app.app_context():
        upgrade()
    import_content(app)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, url)
    server.shutdown()
    thread.join()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    yield


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def journey(request, browser, live_server, viewport):
    """A browser tab at the given viewport; `journey.check(name)` audits the current page."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], base_url=live_server.url,
                                  locale="en-US")
    page = context.new_page()
    name = request.node.originalname.removeprefix("test_")
    trip = Journey(page, live_server, name=name, viewport=viewport)
    yield trip
    context.close()


@pytest.fixture
def learner_email():
    return f"learner-{uuid.uuid4().hex[:10]}@example.com"


def pytest_terminal_summary(terminalreporter):
    if SKIPPED:
        terminalreporter.write_line(f"Browser tests were SKIPPED: {SKIPPED[0]}.", yellow=True)
