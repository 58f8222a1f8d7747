"""Instructor input is untrusted: every class of payload in the OWASP XSS cheat sheet, written
into a lesson, question, choice, feedback, explanation or course title in the browser, renders
inert for learners, in previews and in the certificate PDF."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from tests.app.authoring_helpers import LESSON, SINGLE, TRUE_FALSE, author, post, publish
from tests.helpers import login, make_user, read_lesson, send_evaluation

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<a href=\"javascript:alert(3)\">link</a>",
    "[md link](javascript:alert(4))",
    "![md image](javascript:alert(5))",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==\">data</a>",
    "![data image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoNyk+)",
    "<svg onload=alert(8)><circle r=1 /></svg>",
    "<iframe src=\"https://evil.example/\"></iframe>",
    "<form action=\"https://evil.example/\"><input name=\"pw\"></form>",
    "<div style=\"background:url(javascript:alert(9))\">styled</div>",
    "<style>body{display:none}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(10)>",
    "<object data=\"https://evil.example/x.swf\"></object><embed src=\"https://evil.example\">",
    "<base href=\"https://evil.example/\"><meta http-equiv=\"refresh\" content=\"0;url=//evil\">",
    "<details open ontoggle=alert(11)>x</details>",
    "\"><script>alert(12)</script><p x=\"",
]
HOSTILE = " ".join(PAYLOADS)
# A lesson may show only images kept with its course (content check refuses <img src=x>, so
# the draft could not be published); the image payloads reach learners in the description
# and the explanations instead, and the lesson editor's preview still renders them all.
LESSON_PAYLOADS = [p for p in PAYLOADS if "<img" not in p]
INLINE = " ".join(p for p in PAYLOADS if "\n" not in p)
FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "base",
                  "frame", "frameset", "applet"}
BASE = "/author/courses/hostile"


class Audit(HTMLParser):
    """Every tag and attribute of a page that could run script or leave the site."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        ours = ((tag == "script" and (attrs.get("src") or "").startswith("/static/"))
                or (tag == "svg" and attrs.get("class") == "brand-mark"))  # the site's logo
        if tag in FORBIDDEN_TAGS and not ours:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in attrs:
            self.problems.append("<meta http-equiv>")
        if tag == "link" and not (attrs.get("href") or "").startswith("/static/"):
            self.problems.append(f"<link href={attrs.get('href')}>")
        if tag == "form" and (attrs.get("action") or "/").startswith(("http", "//")):
            self.problems.append(f"<form action={attrs['action']}>")
        for name, value in attrs.items():
            value = (value or "").strip().lower()
            if name.startswith("on") or name in ("style", "srcdoc") or (
                    name == "formaction" and not value.startswith("/")):
                self.problems.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "data") and value.startswith(
                    ("javascript:", "data:", "vbscript:")):
                self.problems.append(f"{tag} {name}={value[:20]}")


def inert(html: str) -> list[str]:
    audit = Audit()
    audit.feed(html)
    return audit.problems


def test_the_audit_catches_what_it_looks_for():
    assert inert(HOSTILE) != []
    assert inert('<p>fine</p><script src="/static/js/site.1.js"></script>') == []


def hostile_course(app):
    """A course whose every text field carries every payload, published from the browser."""
    teacher = author(app)
    assert post(teacher, "/author/courses/new", {
        "title": f"Title {INLINE}"[:200], "slug": "hostile", "summary": INLINE[:500],
        "ce_hours": "0.5", "course_type": "Home Study"}).status_code == 302
    post(teacher, f"{BASE}/settings", {"title": f"Course {PAYLOADS[0]} {PAYLOADS[11]}",
                                       "summary": PAYLOADS[1], "ce_hours": "0.5",
                                       "course_type": "Home Study", "approval_number": "",
                                       "description": HOSTILE})
    assert post(teacher, f"{BASE}/lessons/new", {
        **LESSON, "title": f"Lesson {PAYLOADS[0]}",
        "objectives": f"Know {PAYLOADS[1]}\nAlso {PAYLOADS[0]}",
        "body": "## Body\n\n" + "\n\n".join(LESSON_PAYLOADS)}).status_code == 302
    post(teacher, f"{BASE}/lessons/neck-basics/quiz", {
        "pass_mark": "50", "max_attempts": "3", "draw": "", "review_after_fail": "questions"})
    for question in (SINGLE, TRUE_FALSE):
        hostile = {**question, "prompt": f"Prompt {INLINE}", "explanation": HOSTILE}
        if question is SINGLE:
            hostile.update({"choices-0-text": f"Right {INLINE}",
                            "choices-0-feedback": f"Feedback {INLINE}",
                            "choices-1-text": f"Wrong {PAYLOADS[2]}"})
        assert post(teacher, f"{BASE}/lessons/neck-basics/quiz/questions/new",
                    hostile).status_code == 302, hostile["key"]
    previews = [teacher.get(url).text for url in (
        f"{BASE}/preview/", f"{BASE}/preview/lessons/neck-basics",
        f"{BASE}/preview/lessons/neck-basics/quiz", f"{BASE}/lessons/neck-basics/edit",
        f"{BASE}/lessons/neck-basics/quiz", BASE)]
    preview = post(teacher, f"{BASE}/lessons/neck-basics/edit",
                   {**LESSON, "action": "preview", "body": HOSTILE}).text
    response = publish(teacher, f"{BASE}/publish", {"confirm_warnings": "y"})
    assert response.status_code == 302, response.text
    return previews + [preview]


@pytest.mark.real_pdf
def test_hostile_content_is_inert_for_learners_in_previews_and_on_the_certificate(app):
    author_pages = hostile_course(app)
    for page in author_pages:
        assert inert(page) == []

    make_user(app)
    learner = app.test_client()
    login(learner)
    lesson = "/courses/hostile/lessons/neck-basics"
    pages = [learner.get("/").text, learner.get("/courses/hostile").text,
             learner.get(lesson).text]
    read_lesson(learner, "hostile", "neck-basics")
    quiz = learner.get(f"{lesson}/quiz").text
    pages.append(quiz)
    fields = dict(re.findall(r'name="(csrf_token|version|attempt)"[^>]*value="([^"]*)"', quiz))
    right = re.search(r'name="q-scm-action"[^>]*value="(c1)"', quiz)
    assert right, "the right choice is offered"
    done = learner.post(f"{lesson}/quiz", data={**fields, "q-scm-action": "c1",
                                                "q-palpate-tf": "true"})
    assert done.status_code == 302, done.text
    result = learner.get(done.location).text
    assert "Why" in result  # the explanations are shown, payloads and all
    pages += [result, learner.get("/dashboard").text,
              learner.get("/courses/hostile/evaluation").text]
    certificate = send_evaluation(learner, "hostile").location
    pages.append(learner.get(certificate).text)
    for page in pages:
        assert inert(page) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in learner.get("/courses/hostile").text

    pdf = learner.get(certificate + ".pdf").data
    assert b"/JavaScript" not in pdf and b"/JS " not in pdf and b"/Launch" not in pdf
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Course <script>alert(1)</script>" in text  # shown as the words it is, no more
