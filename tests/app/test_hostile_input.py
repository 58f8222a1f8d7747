"""Random and malformed input, huge numbers included, at every form, every address parameter
and the content readers: never a 500 or a traceback, and a refused request changes nothing.
Hypothesis draws the input; a failure prints the smallest example it found."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from nmt_course.clinics.roster import read_roster
from nmt_course.content import load_files
from nmt_course.content.gift import parse_gift
from nmt_course.extensions import db
from tests.app.authoring_helpers import token
from tests.app.test_authorization_matrix import EMAILS, ROUTES, build_world
from tests.helpers import csrf_from, forms, login

# PostgreSQL refuses what SQLite stores: text past a column's length, NUL characters, integers
# past 64 bits.
pytestmark = pytest.mark.dialect("column lengths, NUL characters, integer ranges")

# Text as people and attackers type it: any character, control characters, right-to-left
# overrides, markup, numbers far beyond any column's range.
NASTY = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "1e309", "NaN", "null",
                     "\x00", "\u202e", "<script>alert(1)</script>", "javascript:alert(1)",
                     "' OR 1=1 --", "../../etc/passwd", "%00", "😀" * 50, "a" * 5000,
                     "2026-02-30", "9999-12-31", "-0", "１２３"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
QUIET = settings(max_examples=150, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])
# Tables a refused request may still write to: the audit log (a failed login is recorded)
# and the sessions of the person logging in.
LOGS = {"audit_events", "outbox_messages", "user_sessions", "alembic_version"}


def snapshot() -> dict[str, int]:
    """Rows per table, counted in one statement."""
    tables = [table for table in db.metadata.sorted_tables if table.name not in LOGS]
    counts = db.session.execute(select(*(select(func.count()).select_from(table)
                                          .scalar_subquery() for table in tables))).one()
    return dict(zip((table.name for table in tables), counts))


def field_names(app, client, world) -> list[str]:
    """The names of every field of every form on the pages a person can open."""
    names = set()
    for (rule, method), (path, _) in ROUTES.items():
        if method == "GET" and "{stylesheet}" not in path:
            page = client.get(path.format(**world))
            if page.mimetype == "text/html":
                for form in forms(page.get_data(as_text=True)):
                    names.update(form["names"])
            page.close()
    return sorted(names - {"csrf_token"})


POSTS = sorted((rule, path) for (rule, method), (path, _) in ROUTES.items()
               if method == "POST" and rule != "/logout")
GETS = sorted((rule, path) for (rule, method), (path, _) in ROUTES.items()
              if method == "GET" and "<" in rule)


def test_every_form_survives_random_data(app):
    world = build_world(app)
    admin = app.test_client()
    login(admin, EMAILS["admin"], "correct horse battery")
    names = field_names(app, admin, world)

    @QUIET
    @given(route=st.sampled_from(POSTS),
           fields=st.dictionaries(st.one_of(st.sampled_from(names), st.text(max_size=20)),
                                  st.one_of(NASTY, st.lists(NASTY, max_size=3)),
                                  max_size=8))
    def check(route, fields):
        _, path = route
        with app.app_context():
            before = snapshot()
        response = admin.post(path.format(**world),
                              data={**fields, "csrf_token": token(admin)})
        status = response.status_code
        response.close()
        assert status < 500, (path, fields)
        if status >= 400:
            with app.app_context():
                assert snapshot() == before, (path, fields, status)

    check()


def test_every_address_parameter_survives_random_values(app):
    world = build_world(app)
    admin = app.test_client()
    login(admin, EMAILS["admin"], "correct horse battery")

    @QUIET
    @given(route=st.sampled_from(GETS), value=NASTY, query=st.dictionaries(
        st.sampled_from(["course", "status", "sort", "help", "kind", "person", "since",
                         "until", "before", "q", "code", "next", "draft"]), NASTY,
        max_size=4))
    def check(route, value, query):
        rule, path = route
        # Put the drawn value where the first placeholder of the address was.
        url = re.sub(r"\{[a-z_]+\}", lambda _: "{}", path, count=1).replace(
            "{}", _quote(value) or "x", 1).format(**world)
        response = admin.get(url, query_string=query)
        status = response.status_code
        response.close()
        assert status < 500, (url, query)

    check()


def test_anonymous_forms_survive_random_data(app):
    client = app.test_client()

    @QUIET
    @given(path=st.sampled_from(["/login", "/register", "/reset-password"]),
           fields=st.dictionaries(st.sampled_from(["email", "password", "confirm",
                                                   "legal_name", "licence_number",
                                                   "licence_state", "remember"]),
                                  NASTY, max_size=7))
    def check(path, fields):
        with app.app_context():
            before = snapshot()
        response = client.post(path, data={**fields,
                                            "csrf_token": csrf_from(client.get(path).text)})
        assert response.status_code < 500, (path, fields)
        if response.status_code >= 400 or path != "/register":
            with app.app_context():
                assert snapshot() == before, (path, fields)

    check()


def _quote(value: str) -> str:
    from urllib.parse import quote
    return quote(value, safe="")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(front=st.dictionaries(st.sampled_from(["title", "minutes", "objectives", "ce_hours",
                                              "status", "course_type", "draw", "pass_mark"]),
                             NASTY, max_size=5),
       body=NASTY, quiz=st.one_of(NASTY, st.text(alphabet=":-{}[]#&*!|>'\"%@` \n\tabc1",
                                                 max_size=200)))
def test_the_content_reader_reports_problems_and_never_raises(front, body, quiz):
    header = "".join(f"{key}: {value}\n" for key, value in front.items())
    files = {"lessons/demo/course.md": f"---\n{header}---\n{body}\n",
             "lessons/demo/01-first.md": f"---\n{header}---\n{body}\n",
             "quizzes/demo/first.yaml": quiz}
    result = load_files(files)
    assert result.errors or result.courses  # either it is read, or it says why not


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=st.one_of(NASTY, st.text(alphabet="{}=~#%:\\-> \nTFabc1.", max_size=300)))
def test_gift_and_roster_readers_never_raise(text):
    result = parse_gift(text)
    assert all(isinstance(line, str) for line in result.skipped + result.warnings)
    roster = read_roster(text)
    assert all(invitee.email for invitee in roster.invitees)


def test_a_nul_character_anywhere_refuses_the_whole_request(app, client):
    """PostgreSQL refuses NUL in text, and nobody types one: the request answers 400 before
    any page reads it, and no account is made."""
    page = client.get("/register")
    response = client.post("/register", data={
        "csrf_token": csrf_from(page.text), "email": "nul@example.com",
        "password": "a long enough pw", "confirm": "a long enough pw",
        "legal_name": "Ann\x00 Able", "licence_number": "", "licence_state": ""})
    assert response.status_code == 400
    assert "Something in that request was not right" in response.text
    assert client.get("/courses?q=a\x00b").status_code == 400
    assert client.get("/verify/AB\x00CD").status_code == 400
    with app.app_context():
        assert snapshot()["users"] == 0
