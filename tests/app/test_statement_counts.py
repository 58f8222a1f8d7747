"""The busiest pages issue a fixed number of SQL statements, however much data there is."""
from __future__ import annotations

from pathlib import Path

from nmt_course.extensions import db
from tests.helpers import (DEMO_FAIL, DEMO_PASS, count_statements, import_content, login,
                           make_user, quiz_form, submit_quiz)


def write_course(root: Path, slug: str, lessons: int, questions: int) -> None:
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
            f"  - id: q{q}\n    type: single\n    prompt: Question {q}?\n    choices:\n"
            f"      - {{id: right, text: 'Yes', correct: true}}\n      - {{id: wrong, text: 'No'}}\n"
            f"    explanation: Yes.\n" for q in range(questions))
        (quiz_dir / f"lesson-{n}.yaml").write_text(f"questions:\n{items}")


def measure(app, client) -> dict[str, int]:
    """Statements for the lesson page, the dashboard and one quiz submission."""
    counts = {}
    form = quiz_form(client, "demo", "first-lesson")
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as statements:
        assert client.get("/courses/demo/lessons/first-lesson").status_code == 200
    counts["lesson"] = len(statements)
    with count_statements(engine) as statements:
        assert client.get("/dashboard").status_code == 200
    counts["dashboard"] = len(statements)
    with count_statements(engine) as statements:
        assert submit_quiz(client, "demo", "first-lesson", DEMO_FAIL,
                           form=form).status_code == 302
    counts["submit"] = len(statements)
    return counts


def test_statement_counts_do_not_grow_with_data(app, client, tmp_path):
    import_content(app)
    make_user(app)
    login(client)
    submit_quiz(client, "demo", "second-lesson", {"only": "false", "other": "b"})
    small = measure(app, client)

    # Much more of everything: courses, lessons, questions, other learners, progress, attempts.
    for index in range(3):
        write_course(tmp_path, f"big-{index}", lessons=12, questions=9)
    import_content(app, tmp_path / "lessons", tmp_path / "quizzes")
    for n in range(3):
        make_user(app, f"peer{n}@example.com")
        peer = app.test_client()
        login(peer, f"peer{n}@example.com")
        submit_quiz(peer, "demo", "first-lesson", DEMO_PASS)
    for index in range(3):
        for lesson in range(1, 12):
            submit_quiz(client, f"big-{index}", f"lesson-{lesson}",
                        {f"q{q}": "right" for q in range(9)})
    large = measure(app, client)

    # A quiz with 9 questions instead of 5 costs no more statements either.
    form = quiz_form(client, "big-0", "lesson-12")
    with app.app_context(), count_statements(db.engine) as statements:
        submit_quiz(client, "big-0", "lesson-12", {f"q{q}": "wrong" for q in range(9)},
                    form=form)
    large["bigger quiz"] = len(statements)

    assert large == {**small, "bigger quiz": small["submit"]}, (small, large)
    assert small["lesson"] <= 8 and small["dashboard"] <= 8 and small["submit"] <= 24, small
