"""Benchmark: item analysis of one quiz with 100,000 attempts (about a million answers).

Run:  .venv/bin/python -m bench.item_analysis [--rounds 7] [--attempts 100000]
                                              [--database-url URL]

The data is generated straight into the tables (25,000 learners, 4 attempts each, 10 of the
first lesson's questions answered per attempt), then the one aggregate statement behind the
Author area's item analysis is timed against a baseline in the same run: counting that
quiz's answers (the least any analysis must read).
"""
from __future__ import annotations

import argparse
import random
import tempfile

from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from nmt_course import create_app
from nmt_course.accounts.models import User
from nmt_course.config import PROJECT_ROOT
from nmt_course.content import load_content
from nmt_course.extensions import db
from nmt_course.learning.operations import import_content
from nmt_course.learning.queries import course_by_slug
from nmt_course.quizzes import queries
from nmt_course.quizzes.item_analysis import chosen_text, key_hash
from nmt_course.quizzes.models import QuestionAnswer, QuizAttempt
from nmt_course.runtime import utcnow

from .common import report, timed

PER_LEARNER = 4


def build(app, attempts: int) -> int:
    """Fill the database; return the quiz's id."""
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        content = load_content(PROJECT_ROOT / "lessons", PROJECT_ROOT / "quizzes")
        import_content(app.extensions["nmt_runtime"], content.courses)
        lesson = course_by_slug("nmt-foundations").lessons[0]
        quiz = queries.quiz_of_lesson(lesson.id)
        version = queries.current_version(quiz.id)
        questions = queries.questions_of(version.id)
        bank = [(q.key, key_hash(q.type, [c.key for c in q.choices if c.correct]),
                 [c.key for c in q.choices], {c.key for c in q.choices if c.correct})
                for q in questions]
        learners = attempts // PER_LEARNER
        now = utcnow()
        db.session.execute(insert(User), [
            {"email": f"l{n}@example.com", "password_hash": "x", "legal_name": f"L {n}",
             "is_admin": False, "is_instructor": False, "active": True,
             "created_at": now} for n in range(learners)])
        user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
        attempt_rows, answer_rows = [], []
        for user_id in user_ids:
            skill = rng.random()
            seen: set[str] = set()
            first_score = None
            for number in range(1, PER_LEARNER + 1):
                shown = rng.sample(bank, 10)
                right = 0
                rows = []
                for key, digest, choices, correct in shown:
                    ok = rng.random() < 0.3 + 0.6 * skill
                    pick = sorted(correct) if ok else [rng.choice(
                        [c for c in choices if c not in correct] or choices)]
                    right += ok
                    rows.append({"user_id": user_id, "quiz_id": quiz.id,
                                 "quiz_version_id": version.id, "question_key": key,
                                 "key_hash": digest, "chosen": chosen_text(pick),
                                 "correct": ok, "first": key not in seen})
                    seen.add(key)
                first_score = right * 10 if first_score is None else first_score
                for row in rows:
                    row["first_score"] = first_score
                attempt_rows.append({"user_id": user_id, "quiz_id": quiz.id,
                                     "quiz_version_id": version.id, "number": number,
                                     "answers": {}, "correct_count": right,
                                     "question_count": 10, "score": right * 10,
                                     "passed": False, "submitted_at": now})
                answer_rows.append(rows)
        db.session.execute(insert(QuizAttempt), attempt_rows)
        attempt_ids = list(db.session.scalars(select(QuizAttempt.id).order_by(QuizAttempt.id)))
        batch = []
        for attempt_id, rows in zip(attempt_ids, answer_rows):
            batch.extend({**row, "attempt_id": attempt_id} for row in rows)
            if len(batch) >= 50_000:
                db.session.execute(insert(QuestionAnswer), batch)
                batch = []
        if batch:
            db.session.execute(insert(QuestionAnswer), batch)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does after a bulk load: statistics, and the visibility map
            # that lets PostgreSQL answer from the covering index alone.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as bare:
                bare.exec_driver_sql("VACUUM ANALYZE")
        return quiz.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI":
                          args.database_url or f"sqlite:///{folder}/bench.sqlite3"})
        quiz_id = build(app, args.attempts)
        samples: dict[str, list[float]] = {"count the quiz's answers (baseline)": [],
                                           "item analysis (one statement)": []}
        with app.app_context():
            count = select(func.count(QuestionAnswer.id)).where(
                QuestionAnswer.quiz_id == quiz_id)
            answers = db.session.scalar(count)
            queries.item_counts(quiz_id)  # warm the page cache once
            for _ in range(args.rounds):
                samples["count the quiz's answers (baseline)"].append(
                    timed(lambda: db.session.scalar(count)))
                samples["item analysis (one statement)"].append(
                    timed(lambda: queries.item_counts(quiz_id)))
            summary, rows = queries.item_counts(quiz_id)
            db.engine.dispose()
    print(f"{summary.attempts} attempts, {summary.learners} learners, {answers} answers, "
          f"{len(rows)} aggregate rows")
    report(samples, "count the quiz's answers (baseline)", "step")


if __name__ == "__main__":
    main()
