"""A rule's values live where the rule is written: pages say what the code enforces, and the
form and the file loader share one CE-hours bound."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from nmt_course.config import PROJECT_ROOT
from nmt_course.content import load_files, model
from tests.app.authoring_helpers import author, post
from tests.helpers import import_content

COURSE = """---
title: Tiny
summary: One.
ce_hours: {hours}
course_type: Home Study
status: draft
---
A course.
"""
LESSON = "---\ntitle: Only\n---\nSome words to read.\n"


def loader_accepts(hours: str) -> bool:
    result = load_files({"lessons/tiny/course.md": COURSE.format(hours=hours),
                         "lessons/tiny/01-only.md": LESSON})
    return not any("ce_hours must" in problem.message for problem in result.errors)


def form_accepts(client, hours: str, slug: str) -> bool:
    response = post(client, "/author/courses/new", {
        "title": "Tiny", "slug": slug, "summary": "One.", "ce_hours": hours,
        "course_type": "Home Study"})
    if response.status_code == 422:
        assert "CE hours run from 0.25 to 100" in response.text
    return response.status_code == 302


@pytest.mark.parametrize("hours, accepted", [("0.25", True), ("100", True), ("1.5", True),
                                             ("0.1", False), ("0.24", False),
                                             ("100.01", False), ("1.333", False)])
def test_one_ce_hours_bound_for_the_form_and_the_files(app, hours, accepted):
    client = author(app)
    slug = "tiny-" + hours.replace(".", "-")
    assert (form_accepts(client, hours, slug), loader_accepts(hours)) == (accepted, accepted)


def test_the_course_page_states_the_rule_the_estimate_uses(app, client, monkeypatch):
    import_content(app)
    monkeypatch.setattr(model, "WORDS_PER_MINUTE", 250)
    monkeypatch.setattr(model, "MINUTES_PER_QUESTION", Decimal("0.5"))
    page = client.get("/courses/demo").text
    # (6,130 + 46) / 250 + 7 x 0.5 = 28.2 minutes
    assert ("read at 250 words a minute, plus 0.5 minutes to answer each question, make 28 "
            "minutes") in page
    assert model.ce_hours_basis(15000, 0, Decimal(0)).endswith(
        "make 60 minutes, rounded down to the half hour: 1 CE")


# Numbers a page says are the rule's own, passed in; a few are what they say, not a rule.
PLAIN_NUMBERS = {"Attempt 1", "Badges 3.0"}
TAGS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<[^>]*>", re.DOTALL)
RULE_WORDS = re.compile(r"[^\s.:;,(]*\s?\b(\d+(?:\.\d+)?|twice|thrice|a day|a week|an hour|"
                        r"the hour)\b[^.:;,)\n]*")


def test_pages_receive_rule_values_instead_of_typing_them():
    typed = []
    for path in sorted((PROJECT_ROOT / "templates").rglob("*.html")):
        text = TAGS.sub(" ", path.read_text())
        typed += [f"{path.relative_to(PROJECT_ROOT)}: {match.group(0).strip()}"
                  for match in RULE_WORDS.finditer(text)
                  if not any(plain in match.group(0) for plain in PLAIN_NUMBERS)]
    assert typed == []
