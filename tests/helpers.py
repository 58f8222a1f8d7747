"""Helpers for app tests: reading forms out of pages, logging in, taking quizzes."""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import hashlib
import re
from collections.abc import Hashable
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import event, exists, literal, or_, select, text

from nmt_course.accounts import operations as accounts
from nmt_course.accounts.queries import user_by_email
from nmt_course.content import ContentSet, load_content
from nmt_course.extensions import db
from nmt_course.learning import operations as learning, queries as learning_queries
from nmt_course.quizzes import queries as quiz_queries
from nmt_course.runtime import utcnow

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
PASSWORD = "correct horse battery"


class _FormParser(HTMLParser):
    """Collects the fields of each <form> on a page (inputs, checked boxes, selects)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "method": attrs.get("method", "get"),
                               "fields": {}, "names": []})
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name"):
            form = self.forms[-1]
            form["names"].append(attrs["name"])
            if attrs.get("type") in ("radio", "checkbox"):
                if "checked" in attrs:
                    form["fields"].setdefault(attrs["name"], []).append(attrs.get("value", "on"))
            else:
                form["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self.forms[-1]["fields"][self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms(html: str) -> list[dict]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_with(html: str, field: str) -> dict:
    """The first form on the page that has a field called `field`."""
    for form in forms(html):
        if field in form["names"]:
            return form
    raise AssertionError(f"no form with a field {field!r} on the page")


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_form(client, url: str, data: dict, *, field: str = "csrf_token", **kwargs):
    """GET `url`, take the CSRF token of its form, POST `data` with it."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return client.post(url, data={"csrf_token": csrf_from(page.get_data(as_text=True)), **data},
                       **kwargs)


def runtime(app):
    """The settings, mailer and clock the app's operations run with."""
    return app.extensions["nmt_runtime"]


def set_clock(app, clock) -> None:
    """Make the app's operations see `clock()` as the time."""
    app.extensions["nmt_runtime"] = dataclasses.replace(runtime(app), clock=clock)


def make_user(app, email: str = "learner@example.com", *, name: str = "Jane Learner",
              password: str = PASSWORD, **flags):
    with app.app_context():
        user = accounts.create_user(runtime(app), email=email, password=password,
                                    legal_name=name, **flags)
        return user.id


def login(client, email: str = "learner@example.com", password: str = PASSWORD, *,
          url: str = "/login"):
    """Log in through the form at `url` (the login page, or where a redirect pointed)."""
    response = post_form(client, url, {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _files_as_they_are(*folders: Path) -> tuple:
    """Every file's path and a hash of its bytes: reading is cheap, parsing is not."""
    return tuple((str(path), hashlib.sha256(path.read_bytes()).digest())
                 for folder in folders for path in sorted(folder.rglob("*")) if path.is_file())


@functools.lru_cache(maxsize=8)
def _loaded(lessons: Path, quizzes: Path, files: tuple) -> ContentSet:
    """The content of two folders, read once for as long as their files stay the same: most
    tests import the same fixture course (the result is frozen data)."""
    return load_content(lessons, quizzes)


def content_of(lessons: Path, quizzes: Path) -> ContentSet:
    """load_content(lessons, quizzes), parsed once per test process while the files stay
    the same (several test modules read the shipped course while being collected)."""
    return _loaded(lessons, quizzes, _files_as_they_are(lessons, quizzes))


def import_content(app, lessons: Path | None = None, quizzes: Path | None = None, **kwargs):
    """Import the courses in two folders (by default the app's: the fixture course) through
    the operation. Into empty tables, on the system clock, the app's own folders are
    imported once per test process and database, and their rows put back after that."""
    own = lessons is None and quizzes is None
    lessons = lessons or Path(app.config["LESSONS_DIR"])
    quizzes = quizzes or Path(app.config["QUIZZES_DIR"])
    files = _files_as_they_are(lessons, quizzes)
    content = _loaded(lessons, quizzes, files)
    assert not content.errors, content.errors

    def run():
        with app.app_context():
            return learning.import_content(runtime(app), content.courses, **kwargs)

    if not own or runtime(app).clock is not utcnow:  # a test's clock: its times are recorded
        return run()
    return built_once(app, ("import", files, tuple(sorted(kwargs.items()))), run)


def pass_quiz_directly(app, email: str, course: str, lesson: str,
                       answers: dict[str, list[str]], opened_at=None) -> learning.QuizSubmitted:
    """Submit the learner's next attempt through the operations, as the quiz page would."""
    with app.app_context():
        user = user_by_email(email)
        context = learning_queries.quiz_context(course, lesson)
        standing, version = quiz_queries.standing(user.id, context.quiz.id)
        questions = quiz_queries.questions_of(version.id)
        shown = quiz_queries.presentation_for(runtime(app).settings.order_key, user.id,
                                              version, questions, standing.next_number)
        return learning.submit_quiz(
            runtime(app), user, course=context.course, version=version, questions=questions,
            shown=shown, number=standing.next_number,
            answers={key: answers[key] for key in shown.questions if key in answers},
            opened_at=opened_at)


def quiz_form(client, course: str, lesson: str) -> dict:
    page = client.get(f"/courses/{course}/lessons/{lesson}/quiz")
    assert page.status_code == 200, page.status_code
    return form_with(page.get_data(as_text=True), "attempt")


def submit_quiz(client, course: str, lesson: str, answers: dict[str, list[str] | str], *,
                form: dict | None = None, headers: dict | None = None):
    """Open the quiz (or use `form`, as filled in), answer ({question id: choice ids}), submit."""
    form = form or quiz_form(client, course, lesson)
    data = dict(form["fields"])
    for question, choices in answers.items():
        data[f"q-{question}"] = choices
    return client.post(f"/courses/{course}/lessons/{lesson}/quiz", data=data, headers=headers)


DEMO_PASS = {"colour": "red", "primes": ["two", "three"], "sky": "false", "water": "true",
             "cats": "four-legs"}
DEMO_FAIL = {"colour": "blue", "primes": ["two"], "sky": "false", "water": "true",
             "cats": "six-legs"}
SECOND_PASS = {"only": "true", "other": "a"}


@contextlib.contextmanager
def count_statements(engine):
    """Record every SQL statement sent through `engine` while the block runs."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def read_lesson(client, course: str, lesson: str, **extra):
    """Open the lesson and press its read button (the form carries the signed open time)."""
    page = client.get(f"/courses/{course}/lessons/{lesson}")
    assert page.status_code == 200, page.status_code
    form = form_with(page.get_data(as_text=True), "opened")
    return client.post(form["action"], data={**form["fields"], **extra})


def evaluation_answers(html: str, rating: int = 4, comment: str = "") -> dict:
    """The evaluation form on `html`, every rating set to `rating`."""
    form = form_with(html, "hours_matched")
    data = {name: str(rating) for name in form["names"]
            if name.startswith("lesson-") or name in ("content_quality", "relevance",
                                                      "hours_matched")}
    return {**form["fields"], **data, "comment": comment}


def send_evaluation(client, course: str, rating: int = 4, comment: str = ""):
    """Answer the course's evaluation through its page."""
    url = f"/courses/{course}/evaluation"
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data=evaluation_answers(page.get_data(as_text=True), rating,
                                                    comment))


def read_directly(app, email: str, course: str, lesson: str, opened_at=None):
    """Mark a lesson read through the operations, as the lesson page would."""
    with app.app_context():
        user = user_by_email(email)
        found = learning_queries.course_by_slug(course)
        return learning.mark_lesson_read(runtime(app), user,
                                         learning_queries.active_lesson(found.id, lesson),
                                         found, opened_at=opened_at)


def evaluate_directly(app, email: str, course: str, rating: int = 4, comment: str = ""):
    """Send the course evaluation through the operations, as its page would."""
    from nmt_course.evaluation import QUESTIONS

    with app.app_context():
        user = user_by_email(email)
        found = learning_queries.course_by_slug(course)
        rows = learning_queries.lesson_rows([found.id], user.id)[found.id]
        return learning.send_evaluation(
            runtime(app), user, found, objectives_met={row.id: rating for row in rows},
            ratings={key: rating for key in QUESTIONS}, comment=comment)


# (database, what was built) -> (the rows of every table, what the builder returned)
_BUILT: dict[tuple[str, Hashable], tuple[dict[str, list[dict]], object]] = {}


def _tables_are_empty() -> bool:
    return not db.session.scalar(select(or_(*(
        exists(select(literal(1)).select_from(table)) for table in db.metadata.sorted_tables))))


def built_once(app, name: Hashable, build):
    """`build()`'s records, made by running it the first time a test process needs them on
    this database, and afterwards by putting back the rows it left (much faster than going
    through the pages again). Only from empty tables: otherwise `build()` simply runs. What
    `build` returns must be plain data (ids, tokens), and everything it changes must be
    in the database: settings, mailers and clocks are set up outside it."""
    key = (app.config["SQLALCHEMY_DATABASE_URI"], name)
    with app.app_context():
        empty = _tables_are_empty()
        db.session.remove()
    if not empty:
        return build()
    if key not in _BUILT:
        result = build()
        with app.app_context(), db.engine.connect() as connection:
            rows = {table.name: [dict(row) for row in connection.execute(
                table.select().order_by(*table.primary_key.columns)).mappings()]
                for table in db.metadata.sorted_tables}
        _BUILT[key] = (rows, copy.deepcopy(result))
        return result
    rows, result = _BUILT[key]
    result = copy.deepcopy(result)
    with app.app_context(), db.engine.begin() as connection:
        for table in db.metadata.sorted_tables:  # parents first
            if rows[table.name]:
                connection.execute(table.insert(), rows[table.name])
        if connection.dialect.name == "postgresql":
            _sequences_past(connection, rows)
    return result


def _sequences_past(connection, rows) -> None:
    """PostgreSQL's id sequences beyond the ids put back (SQLite takes the next id from the
    table itself)."""
    for table in db.metadata.sorted_tables:
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or not rows[table.name] or columns[0].autoincrement is False:
            continue
        column = columns[0].name
        highest = max(row[column] for row in rows[table.name])
        if not isinstance(highest, int):
            continue
        sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                     {"t": table.name, "c": column})
        if sequence:
            connection.execute(text("SELECT setval(CAST(:s AS regclass), "
                                    "GREATEST(:n, nextval(CAST(:s AS regclass))))"),
                               {"s": sequence, "n": highest})
