"""Statement budgets: every statement of the request counts (the user's load and, on SQLite,
each BEGIN included), and none grows with the number of lessons, attempts or learners."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from nmt_course.extensions import db
from tests.helpers import (count_statements, csrf_from, evaluate_directly, evaluation_answers,
                           form_with, import_content, login, make_user, pass_quiz_directly,
                           quiz_form, read_directly, submit_quiz)

pytestmark = pytest.mark.dialect("statement budgets")

# The completing step stores the certificate's signed credential too (issue 18). Since issue
# 16 it is the course evaluation, sent once every lesson is read and its quiz passed; it
# reads the provider settings and the quizzes' pass marks (in one read transaction after the
# commit) and queues the certificate's e-mail. Read marks, submissions and the evaluation
# read, in their transaction, that the course is published (issue 15). A read mark and a
# submission also recount the learner's row of course_progress (one upsert), which clinic
# reports read instead of every mark and standing (issue 23). A submission reads the quiz
# with the learner's standing, takes the version's questions from the process's copy (the
# quiz page, asked first, read them), and its recount checks that the course is published
# and whether the learner has evaluated it (issue 26); the page reads the standing and the
# answered questions with the quiz, and the write keeps the standing by a compare-and-set
# instead of reading it again. The completing evaluation reads, in one statement of its
# transaction, all it decides on plus the pass marks and provider settings its certificate
# prints, so nothing is read after its commit; the certificate is inserted without a look
# first (its unique key refuses a concurrent one). docs/architecture.md lists each
# statement that stays.
BUDGETS = {"lesson page": 4, "course page": 4, "dashboard": 6, "quiz page": 4,
           "read mark": 10, "failed submission": 8, "passed submission": 8,
           "evaluation page": 3, "completing evaluation": 12,
           "certificate page": 3, "verification page": 2, "certificate PDF": 4,
           "provider settings page": 3, "provider settings save": 7}


def write_course(root: Path, slug: str, lessons: int, questions: int,
                 draw: int | None = None) -> None:
    course_dir = root / "lessons" / slug
    quiz_dir = root / "quizzes" / slug
    course_dir.mkdir(parents=True)
    quiz_dir.mkdir(parents=True)
    (course_dir / "course.md").write_text(
        f"---\ntitle: Course {slug}\nce_hours: 1\nstatus: published\n---\nAbout it.\n")
    for n in range(1, lessons + 1):
        (course_dir / f"{n:02d}-lesson-{n}.md").write_text(
            f"---\ntitle: Lesson {n}\nobjectives:\n  - Learn {n}.\n---\n## Part\n\nText {n}.\n")
        items = "".join(
            f"  - id: q{q}\n    type: single\n    objective: 1\n    prompt: Question {q}?\n"
            f"    choices:\n      - {{id: right, text: 'Yes', correct: true}}\n"
            f"      - {{id: wrong, text: 'No'}}\n    explanation: Yes.\n"
            for q in range(questions))
        drawn = f"draw: {draw}\n" if draw else ""
        (quiz_dir / f"lesson-{n}.yaml").write_text(f"{drawn}questions:\n{items}")


def answers(questions: int, choice) -> dict[str, object]:
    return {f"q{q}": choice for q in range(questions)}


def measure(app, client, course: str, lessons: int, questions: int) -> dict[str, int]:
    """Count each page's statements for a learner with every lesson but the first and last
    read and passed, who reads the first, fails its quiz, passes it, reads and passes the
    last, then completes the course with the evaluation."""
    with app.app_context():
        engine = db.engine
    counts = {}

    def count(name, request):
        with count_statements(engine) as statements:
            response = request()
        assert response.status_code in (200, 302), (name, response.status_code)
        counts[name] = len(statements)
        return response

    first, last = "lesson-1", f"lesson-{lessons}"
    count("lesson page", lambda: client.get(f"/courses/{course}/lessons/{first}"))
    count("course page", lambda: client.get(f"/courses/{course}"))
    count("dashboard", lambda: client.get("/dashboard"))
    count("quiz page", lambda: client.get(f"/courses/{course}/lessons/{first}/quiz"))
    read = form_with(client.get(f"/courses/{course}/lessons/{first}").text, "opened")
    count("read mark", lambda: client.post(read["action"], data=read["fields"]))
    for name, lesson, choice in (("failed submission", first, "wrong"),
                                 ("passed submission", first, "right")):
        form = quiz_form(client, course, lesson)
        count(name, lambda: submit_quiz(client, course, lesson, answers(questions, choice),
                                        form=form))
    read = form_with(client.get(f"/courses/{course}/lessons/{last}").text, "opened")
    client.post(read["action"], data=read["fields"])
    submit_quiz(client, course, last, answers(questions, "right"))
    url = f"/courses/{course}/evaluation"
    page = count("evaluation page", lambda: client.get(url)).text
    response = count("completing evaluation",
                     lambda: client.post(url, data=evaluation_answers(page)))
    code = re.search(r"/certificates/([0-9A-Z-]+)", response.location).group(1)
    count("certificate page", lambda: client.get(f"/certificates/{code}"))
    count("certificate PDF", lambda: client.get(f"/certificates/{code}.pdf"))
    count("verification page", lambda: app.test_client().get(f"/verify/{code}"))
    return counts


def learner_on(app, email: str, course: str, lessons: int, questions: int, *,
               earlier_failures: int = 0):
    """A logged-in learner who read every lesson of `course` and passed its quiz but the
    first and the last."""
    make_user(app, email)
    client = app.test_client()
    login(client, email)
    for _ in range(earlier_failures):
        pass_quiz_directly(app, email, course, "lesson-1", answers(questions, ["wrong"]))
    for n in range(2, lessons):
        read_directly(app, email, course, f"lesson-{n}")
        pass_quiz_directly(app, email, course, f"lesson-{n}", answers(questions, ["right"]))
    return client


def test_statement_budgets_hold_and_do_not_grow_with_data(app, tmp_path, monkeypatch):
    # Mail leaves after the commit from a sender of its own (a thread in production), not
    # in the request: tests deliver inline, which would count the sender's statements.
    monkeypatch.delitem(app.extensions, "nmt_mail_sender")
    write_course(tmp_path, "small", lessons=3, questions=3)
    write_course(tmp_path, "large", lessons=12, questions=9, draw=6)  # a bank, drawn from
    import_content(app, tmp_path / "lessons", tmp_path / "quizzes")

    small = measure(app, learner_on(app, "a@example.com", "small", 3, 3, earlier_failures=1),
                    "small", 3, 3)

    # Others' progress, attempts and certificates in the same course, and a learner with many
    # more lessons, questions and earlier attempts.
    for n in range(4):
        peer = f"peer{n}@example.com"
        learner_on(app, peer, "large", 12, 9, earlier_failures=2)
        for lesson in (1, 12):
            read_directly(app, peer, "large", f"lesson-{lesson}")
            pass_quiz_directly(app, peer, "large", f"lesson-{lesson}",
                               answers(9, ["right"]))
        evaluate_directly(app, peer, "large")
    client = learner_on(app, "b@example.com", "large", 12, 9, earlier_failures=5)
    large = measure(app, client, "large", 12, 9)

    admin = app.test_client()
    make_user(app, "admin@example.com", is_admin=True)
    login(admin, "admin@example.com")
    with app.app_context():
        engine = db.engine
    form_token = csrf_from(admin.get("/admin/provider").text)
    for name, request in (
            ("provider settings page", lambda: admin.get("/admin/provider")),
            ("provider settings save", lambda: admin.post("/admin/provider", data={
                "csrf_token": form_token, "name": "NMT Academy",
                "postal_address": "1 Main St", "version": "0"}))):
        with count_statements(engine) as statements:
            assert request().status_code in (200, 302)
        small[name] = len(statements)

    assert large == {name: small[name] for name in large}, (small, large)
    over = {name: (counts, BUDGETS[name]) for name, counts in small.items()
            if counts > BUDGETS[name]}
    assert over == {}, over
