"""Benchmark: how much the learner's pages cost, relative to /healthz, on small and large data.

Run:  .venv/bin/python -m bench.pages [--rounds 7] [--requests 40] [--database-url URL]

Each round times every page in turn (in-process, through Flask's test client, so the
figures are the application's own cost and not a network's); the report gives each page's
median over rounds and its ratio to the /healthz baseline measured in the same rounds. It
then adds 300 learners with progress, attempts and certificates and measures again: pages
whose statement count is fixed should cost about the same on the larger data.
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from nmt_course import create_app
from nmt_course.accounts.operations import create_user
from nmt_course.accounts.queries import user_by_email
from nmt_course.certificates.queries import certificates_for
from nmt_course.config import PROJECT_ROOT
from nmt_course.content import load_content
from nmt_course.evaluation import QUESTIONS
from nmt_course.extensions import db
from nmt_course.learning import operations as learning, queries as learning_queries
from nmt_course.quizzes import queries as quiz_queries

COURSE = "nmt-foundations"
PASSWORD = "benchmark password"
RESULTS = Path(__file__).parent / "results"


def build_app(database_url: str):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False, "MAIL_SERVER": None, "SITE_URL": "http://bench.test",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        upgrade()
        content = load_content(PROJECT_ROOT / "lessons", PROJECT_ROOT / "quizzes")
        learning.import_content(runtime(app), content.courses)
    return app


def runtime(app):
    return app.extensions["nmt_runtime"]


def right_answers(questions) -> dict[str, list[str]]:
    return {q.key: [c.key for c in q.choices if c.correct] for q in questions}


def add_learner(app, email: str, *, lessons_passed: int) -> None:
    """A learner who read and passed (at the second attempt) the first lessons."""
    run = runtime(app)
    with app.app_context():
        user = create_user(run, email=email, password=PASSWORD, legal_name="Bench Learner")
        course = learning_queries.course_by_slug(COURSE)
        active = [lesson for lesson in course.lessons if lesson.archived_at is None]
        for lesson in active[:lessons_passed]:
            learning.mark_lesson_read(run, user, lesson, course)
            context = learning_queries.quiz_context(COURSE, lesson.slug)
            for number, passing in ((1, False), (2, True)):
                _, version = quiz_queries.standing(user.id, context.quiz.id)
                questions = quiz_queries.questions_of(version.id)
                answers = (right_answers(questions) if passing
                           else {q.key: ["not-a-choice"] for q in questions})
                shown = quiz_queries.presentation_for(run.settings.order_key, user.id, version,
                                                      questions, number)
                learning.submit_quiz(run, user, course=course, version=version,
                                     questions=questions, shown=shown, number=number,
                                     answers=answers)
        if lessons_passed >= len(active):  # the evaluation issues the certificate
            learning.send_evaluation(run, user, course,
                                     objectives_met={lesson.id: 4 for lesson in active},
                                     ratings=dict.fromkeys(QUESTIONS, 4), comment="")


def lesson_slugs(app) -> list[str]:
    with app.app_context():
        return [lesson.slug for lesson in learning_queries.course_by_slug(COURSE).lessons
                if lesson.archived_at is None]


def log_in(client, email: str) -> None:
    import re
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"csrf_token": token, "email": email,
                                       "password": PASSWORD}).status_code == 302


def pages(app, client) -> dict[str, callable]:
    """The requests to time; each returns a response."""
    with app.app_context():
        lessons = learning_queries.course_by_slug(COURSE).lessons
        context = learning_queries.quiz_context(COURSE, lessons[-1].slug)
        _, version = quiz_queries.standing(0, context.quiz.id)
        wrong = {f"q-{q.key}": "not-a-choice" for q in quiz_queries.questions_of(version.id)}
        certificate = certificates_for(user_by_email("done@example.com").id)[0].display_code
    lesson_url = f"/courses/{COURSE}/lessons/{lessons[3].slug}"
    quiz_url = f"/courses/{COURSE}/lessons/{lessons[-1].slug}/quiz"

    def submit():
        # A rejected submission: validation and rendering, but no new row (repeatable).
        import re
        page = client.get(quiz_url).get_data(as_text=True)
        fields = dict(re.findall(r'name="(csrf_token|version|attempt)"[^>]*value="([^"]*)"',
                                 page))
        return client.post(quiz_url, data={**fields, **wrong})

    return {
        "healthz (baseline)": lambda: client.get("/healthz"),
        "catalogue": lambda: client.get("/"),
        "course page": lambda: client.get(f"/courses/{COURSE}"),
        "lesson page": lambda: client.get(lesson_url),
        "quiz page": lambda: client.get(quiz_url),
        "quiz page + rejected submit": submit,
        "dashboard": lambda: client.get("/dashboard"),
        "verify page": lambda: client.get(f"/verify/{certificate}"),
    }


def measure(requests: dict, rounds: int, per_round: int) -> dict[str, float]:
    """Median milliseconds per request for each page, over `rounds` rounds."""
    samples: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(rounds):
        for name, request in requests.items():
            start = time.perf_counter()
            for _ in range(per_round):
                response = request()
                assert response.status_code in (200, 422), (name, response.status_code)
            samples[name].append((time.perf_counter() - start) * 1000 / per_round)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        app = build_app(args.database_url or f"sqlite:///{folder}/bench.sqlite3")
        add_learner(app, "learner@example.com", lessons_passed=4)
        add_learner(app, "done@example.com", lessons_passed=len(lesson_slugs(app)))
        client = app.test_client()
        log_in(client, "learner@example.com")
        small = measure(pages(app, client), args.rounds, args.requests)

        for n in range(300):
            add_learner(app, f"peer{n}@example.com",
                        lessons_passed=n % (len(lesson_slugs(app)) + 1))
        large = measure(pages(app, client), args.rounds, args.requests)
        with app.app_context():
            db.engine.dispose()

    base_small, base_large = small["healthz (baseline)"], large["healthz (baseline)"]
    print(f"{'page':30} {'ms':>7} {'x base':>7} {'ms 300+':>8} {'x base':>7} {'large/small':>11}")
    for name in small:
        print(f"{name:30} {small[name]:7.2f} {small[name] / base_small:7.1f} "
              f"{large[name]:8.2f} {large[name] / base_large:7.1f} "
              f"{large[name] / small[name]:11.2f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pages.json").write_text(json.dumps({"small": small, "large": large}, indent=2))


if __name__ == "__main__":
    main()
