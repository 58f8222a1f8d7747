"""The site as production runs it, for the crash test and the held-load benchmark: gunicorn
(sync workers) in front of a database of its own, learners driving it over HTTP through
real sockets, and a ledger of every write a response acknowledged, checked against the
database afterwards.

ServedSite starts and stops gunicorn and can SIGKILL its workers; Browser is a minimal HTTP
client with cookies and forms; Learner walks the fixture course (tests/fixtures/content:
read, fail and pass quizzes, evaluate, receive the certificate), retrying a step whose
answer was lost; Ledger keeps what was acknowledged; check() says what the database lacks or
holds half written.
"""
from __future__ import annotations

import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sqlalchemy import create_engine, text

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServedSite:
    """gunicorn serving create_app() with `environ` (DATABASE_URL and the rest)."""

    def __init__(self, environ: dict[str, str], *, workers: int = 2, log: Path | None = None,
                 rate_limits: bool = True):
        self.port = free_port()
        self.environ = {**os.environ, "SITE_URL": f"http://127.0.0.1:{self.port}", **environ}
        self.workers, self.log, self.rate_limits = workers, log, rate_limits
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> tuple[str, int]:
        return "127.0.0.1", self.port

    def start(self) -> None:
        app = ("nmt_course:create_app()" if self.rate_limits
               else "nmt_course:create_app({'RATELIMIT_ENABLED': False})")
        self.output = output = self.log.open("ab") if self.log else subprocess.DEVNULL
        # --preload: the app is built once and forked, so a killed worker is back at once.
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "--worker-class", "sync",
             "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
             "--timeout", "60", "--graceful-timeout", "5", "--preload", app],
            cwd=PROJECT_ROOT, env=self.environ, stdout=output, stderr=output)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if Browser(self.address).get("/healthz").status == 200:
                    return
            except LOST:
                time.sleep(0.1)
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}); see {self.log}")
        raise RuntimeError("gunicorn did not answer within 60 s")

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def kill_a_worker(self, chooser: random.Random) -> bool:
        pids = self.worker_pids()
        if not pids:
            return False
        try:
            os.kill(chooser.choice(pids), signal.SIGKILL)
        except ProcessLookupError:
            return False
        return True

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.log and not self.output.closed:
            self.output.close()


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


def check(database_url: str, ledger: Ledger, *, exact: bool) -> list[str]:
    """What the database lacks of the ledger, or holds half written; with `exact`, also
    what it holds that no answer promised (a run without crashes)."""
    engine = create_engine(database_url)
    problems: list[str] = []
    with engine.connect() as connection:
        def rows(sql: str) -> set:
            return {tuple(row) for row in connection.execute(text(sql))}

        reads = rows("SELECT u.email, l.slug FROM lesson_progress p JOIN users u ON "
                     "u.id = p.user_id JOIN lessons l ON l.id = p.lesson_id WHERE "
                     "p.read_at IS NOT NULL")
        attempts = rows("SELECT u.email, l.slug, a.number FROM quiz_attempts a JOIN users u "
                        "ON u.id = a.user_id JOIN quizzes q ON q.id = a.quiz_id JOIN lessons l "
                        "ON l.id = q.lesson_id")
        evaluations = {email for (email,) in rows(
            "SELECT u.email FROM course_evaluations e JOIN users u ON u.id = e.user_id")}
        certificates = rows("SELECT u.email, c.code FROM certificates c JOIN users u ON "
                            "u.id = c.user_id")
        codes = {(email, code.replace("-", "")) for email, code in certificates}
        acknowledged = {(email, code.replace("-", "")) for email, code in ledger.certificates}
        for name, promised, held in (("read mark", ledger.reads, reads),
                                     ("attempt", ledger.attempts, attempts),
                                     ("evaluation", ledger.evaluations, evaluations),
                                     ("certificate", acknowledged, codes)):
            problems += [f"acknowledged {name} missing: {item}" for item in promised - held]
            if exact:
                problems += [f"{name} no answer promised: {item}" for item in held - promised]
        problems += [f"attempt without its answers: {row}" for row in rows(
            "SELECT a.id FROM quiz_attempts a WHERE NOT EXISTS (SELECT 1 FROM "
            "question_answers q WHERE q.attempt_id = a.id)")]
        problems += [f"certificate without its PDF: {row}" for row in rows(
            "SELECT id FROM certificates WHERE pdf IS NULL OR length(pdf) < 1000")]
        problems += [f"standing disagrees with the attempts: {row}" for row in rows(
            "SELECT s.user_id, s.quiz_id FROM quiz_standings s WHERE s.attempts <> (SELECT "
            "count(*) FROM quiz_attempts a WHERE a.user_id = s.user_id AND a.quiz_id = "
            "s.quiz_id)")]
        # The only mail here is the certificate's: one message per certificate, to its owner.
        mail = sorted(email for (email,) in connection.execute(text(
            "SELECT \"to\" FROM outbox_messages")))
        owners = sorted(email for email, _ in certificates)
        if mail != owners:
            problems.append(f"outbox and certificates disagree: {len(mail)} messages, "
                            f"{len(owners)} certificates")
        if ledger.imports:
            body = connection.execute(text(
                "SELECT l.body_markdown FROM lessons l WHERE l.slug = 'second-lesson'")).scalar_one()
            if ledger.imports[-1] not in body:
                problems.append(f"the last acknowledged import ({ledger.imports[-1]}) is not "
                                "in the lesson")
        if engine.dialect.name == "sqlite":
            result = connection.execute(text("PRAGMA integrity_check")).scalars().all()
            if result != ["ok"]:
                problems.append(f"integrity_check: {result[:5]}")
    engine.dispose()
    return problems


def prepare(database_url: str, emails: list[str], password: str, folder: Path) -> dict:
    """Migrate an empty database, import the fixture course, make the learners (with a
    cheap password hash: the site makes it argon2id at their first login); returns the
    environment gunicorn and `flask` commands need (an issuer key of its own in `folder`)."""
    import datetime as dt
    import secrets

    from flask_migrate import upgrade

    from nmt_course import create_app
    from nmt_course.accounts.operations import create_user
    from nmt_course.content import load_content
    from nmt_course.credentials import multikey
    from nmt_course.extensions import db
    from nmt_course.learning.operations import import_content

    key_file = folder / "signing_key.json"
    if not key_file.exists():
        multikey.generate(key_file, rotate=False, now=dt.datetime.now(dt.timezone.utc))
    environ = {"DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
               "SIGNING_KEY_FILE": str(key_file),
               "ERASURE_LOG_FILE": str(folder / "erasure_log.jsonl"),
               "NMT_ENV": "development", "MAIL_DELIVERY": "background"}
    app = create_app({"SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(database_url),
                      "SECRET_KEY": environ["SECRET_KEY"], "SIGNING_KEY_FILE": str(key_file),
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "MAIL_DELIVERY": "cron"})
    with app.app_context():
        upgrade()
        runtime = app.extensions["nmt_runtime"]
        content = load_content(FIXTURE_CONTENT / "lessons", FIXTURE_CONTENT / "quizzes")
        import_content(runtime, content.courses)
        for number, email in enumerate(emails):
            create_user(runtime, email=email, password=password,
                        legal_name=f"Learner Number{number}")
        db.session.remove()
        db.engine.dispose()
    return environ


def _sqlalchemy_url(url: str) -> str:
    from nmt_course.config import database_url

    return database_url(url)


def import_changed_content(environ: dict[str, str], folder: Path, marker: str) -> bool:
    """`flask content import` of the fixture course with `marker` added to its second
    lesson, as a release would; True if it said it succeeded."""
    import shutil

    target = folder / "content"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(FIXTURE_CONTENT, target)
    lesson = target / "lessons" / COURSE / "02-second-lesson.md"
    lesson.write_text(lesson.read_text() + f"\n\nRevision note: {marker}.\n")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("flask")), "--app", "app", "content", "import",
         str(target)], cwd=PROJECT_ROOT, env={**os.environ, **environ}, capture_output=True,
        text=True, timeout=120)
    return result.returncode == 0
