"""The site as production runs it, for the crash test and the held-load benchmark: gunicorn
(sync workers) in front of a database of its own, learners driving it over HTTP through
real sockets, and a ledger of every write a response acknowledged, checked against the
database afterwards.

ServedSite starts and stops gunicorn (through bench/serve.py) and can SIGKILL its workers; Browser is a minimal HTTP
client with cookies and forms; Learner walks the fixture course (tests/fixtures/content:
read, fail and pass quizzes, evaluate, receive the certificate), retrying a step whose
answer was lost; Ledger keeps what was acknowledged (served_data.check compares it with the
database).
"""
from __future__ import annotations

import http.client
import os
import queue
import random
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from .serve import Server, free_port, start_server

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CONTENT = PROJECT_ROOT / "tests" / "fixtures" / "content"
COURSE = "demo"
LESSONS = ("first-lesson", "second-lesson")
PASS = {"first-lesson": {"colour": "red", "primes": ["two", "three"], "sky": "false",
                         "water": "true", "cats": "four-legs"},
        "second-lesson": {"only": "true", "other": "a"}}
FAIL = {"colour": "blue", "primes": ["two"], "sky": "true", "water": "false",
        "cats": "six-legs"}
LOST = (ConnectionError, http.client.HTTPException, socket.timeout, OSError)


class ServedSite:
    """gunicorn serving the app with `environ` (DATABASE_URL and the rest), started by
    bench/serve.py like every other server here: the production settings, a worker killed
    back at once (preload_app), a short graceful timeout so that a stop does not wait."""

    def __init__(self, environ: dict[str, str], *, workers: int = 2, log: Path | None = None,
                 rate_limits: bool = True):
        self.port = free_port()
        self.environ = {"SITE_URL": f"http://127.0.0.1:{self.port}", **environ}
        self.workers, self.log, self.rate_limits = workers, log, rate_limits
        self.server: Server | None = None

    @property
    def address(self) -> tuple[str, int]:
        return "127.0.0.1", self.port

    def start(self) -> None:
        self.server = start_server(
            self.environ, self.log, workers=self.workers, port=self.port, wait=60,
            app="app:app" if self.rate_limits else "bench.load_app:app",
            settings={"GUNICORN_TIMEOUT": "60", "GUNICORN_GRACEFUL_TIMEOUT": "5",
                      "GUNICORN_ACCESS_LOG": os.devnull})

    def worker_pids(self) -> list[int]:
        return self.server.worker_pids() if self.server else []

    def kill_a_worker(self, chooser: random.Random) -> bool:
        return self.server.kill_a_worker(chooser) if self.server else False

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        self.server = None


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def location(self) -> str:
        return urlsplit(self.headers.get("location", "")).path


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {},
                               "names": set()})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["names"].add(attrs["name"])
            if attrs.get("type") not in ("radio", "checkbox") or "checked" in attrs:
                self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")


def form_with(html: str, name: str) -> dict | None:
    parser = _Forms()
    parser.feed(html)
    return next((form for form in parser.forms if name in form["names"]), None)


class Browser:
    """One person's cookies; each request on a fresh connection (sync workers close it)."""

    def __init__(self, address: tuple[str, int], timeout: float = 60):
        self.address, self.timeout = address, timeout
        self.cookies: dict[str, str] = {}
        self.answers: list[tuple[str, str, int, float]] = []  # method, path, status, seconds
        self.lost = 0  # requests whose answer never came (the connection broke)

    def request(self, method: str, path: str, data: dict | None = None) -> Response:
        connection = http.client.HTTPConnection(*self.address, timeout=self.timeout)
        body = urlencode(data, doseq=True) if data is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Sec-Fetch-Site": "same-origin"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read().decode("utf-8", "replace")
            for header in answer.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            self.answers.append((method, path, answer.status, time.monotonic() - started))
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()},
                            content)
        except LOST:
            self.lost += 1
            raise
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Response:
        return self.request("POST", path, data)


@dataclass
class Ledger:
    """Writes the site acknowledged (a success answer reached the client)."""
    reads: set = field(default_factory=set)  # (email, lesson)
    attempts: set = field(default_factory=set)  # (email, lesson, number)
    evaluations: set = field(default_factory=set)  # email
    certificates: set = field(default_factory=set)  # (email, code)
    imports: list = field(default_factory=list)  # markers of successful content imports
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, item) -> None:
        with self.lock:
            if kind == "imports":
                self.imports.append(item)
            else:
                getattr(self, kind).add(item)


class Learner:
    """Walks the course once; every step is tried again until its answer arrives (a lost
    answer may mean the write happened: the next try finds it done)."""

    def __init__(self, address, email: str, password: str, ledger: Ledger,
                 chooser: random.Random, stop: threading.Event, failures: int = 1):
        self.browser = Browser(address)
        self.email, self.password, self.ledger = email, password, ledger
        self.chooser, self.stop, self.failures = chooser, stop, failures

    def retrying(self, step, *args):
        while not self.stop.is_set():
            try:
                result = step(*args)
            except LOST:
                result = None
            if result is not None:
                return result
            time.sleep(0.05)
        return None

    def walk(self) -> bool:
        """The whole course; False if told to stop first."""
        if not self.retrying(self._login):
            return False
        for lesson in LESSONS:
            if not self.retrying(self._read, lesson):
                return False
            tries = self.failures if lesson == LESSONS[0] else 0
            for _ in range(tries):
                if not self.retrying(self._quiz, lesson, FAIL):
                    return False
            if not self.retrying(self._quiz, lesson, PASS[lesson]):
                return False
        return bool(self.retrying(self._evaluate) and self.retrying(self._certificate))

    def _login(self):
        page = self.browser.get("/login")
        form = form_with(page.text, "csrf_token")
        answer = self.browser.post("/login", {**form["fields"], "email": self.email,
                                              "password": self.password})
        return True if answer.status == 302 else None

    def _read(self, lesson: str):
        page = self.browser.get(f"/courses/{COURSE}/lessons/{lesson}")
        if page.status != 200:
            return None
        form = form_with(page.text, "opened")
        if form is None:
            return True  # read already (an earlier try's answer was lost)
        answer = self.browser.post(form["action"], form["fields"])
        if answer.status == 302:
            self.ledger.add("reads", (self.email, lesson))
            return True
        return None

    def _quiz(self, lesson: str, answers: dict):
        url = f"/courses/{COURSE}/lessons/{lesson}/quiz"
        page = self.browser.get(url)
        if page.status != 200:
            return None
        form = form_with(page.text, "attempt")
        if form is None:
            return True  # passed already
        data = dict(form["fields"])
        for name in re.findall(r'name="(q-[^"]+)"', page.text):
            question = name[2:]
            if question in answers:
                data[name] = answers[question]
        answer = self.browser.post(url, data)
        found = re.search(r"/attempts/(\d+)$", answer.location)
        if answer.status == 302 and found:
            self.ledger.add("attempts", (self.email, lesson, int(found.group(1))))
            return True
        return None

    def _evaluate(self):
        url = f"/courses/{COURSE}/evaluation"
        page = self.browser.get(url)
        form = form_with(page.text, "hours_matched") if page.status == 200 else None
        if form is None:
            return True if page.status in (302, 200) else None  # answered already
        data = dict(form["fields"])
        for name in form["names"]:
            if name.startswith("lesson-") or name in ("content_quality", "relevance",
                                                      "hours_matched"):
                data[name] = "4"
        answer = self.browser.post(url, data)
        if answer.status == 302:
            self.ledger.add("evaluations", self.email)
            if answer.location.startswith("/certificates/"):  # a certificate, promised
                self.ledger.add("certificates", (self.email, answer.location.rsplit("/", 1)[1]))
            return True
        return None

    def _certificate(self):
        page = self.browser.get(f"/courses/{COURSE}")
        found = re.search(r'href="(/certificates/[A-Z0-9-]+)"', page.text)
        if found is None:  # an issue interrupted: ask again, as the course page offers
            form = form_with(page.text, "csrf_token")
            answer = self.browser.post(f"/courses/{COURSE}/certificate", form["fields"])
            if answer.status != 302 or "/certificates/" not in answer.location:
                return None
            path = answer.location
        else:
            path = found.group(1)
        shown = self.browser.get(path)
        if shown.status == 200:
            self.ledger.add("certificates", (self.email, path.rsplit("/", 1)[1]))
            return True
        return None


def walk_learners(address, emails: queue.Queue, password: str, ledger: Ledger,
                  stop: threading.Event, browsers: list, *, seed: int,
                  most_failures: int) -> None:
    """One client: learner after learner from `emails`, each failing the first quiz up to
    `most_failures` times, until none is left or `stop` is set; their browsers go into
    `browsers` (for the answers they received)."""
    chooser = random.Random(seed)
    while not stop.is_set():
        try:
            email = emails.get_nowait()
        except queue.Empty:
            return
        walker = Learner(address, email, password, ledger, chooser, stop,
                         failures=chooser.randint(0, most_failures))
        browsers.append(walker.browser)
        walker.walk()
