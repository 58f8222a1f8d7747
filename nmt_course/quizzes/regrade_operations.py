"""Storing a regrade that was graded before (regrade_queries.regrade_view): inside the caller's
write transaction (learning's, which then concludes what the new passes complete), a few
statements whatever the number of attempts."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, case, false, select, update

from .. import cycles
from ..database import db
from .models import QuestionAnswer, Quiz, QuizAttempt, QuizStanding, QuizVersion
from .regrade import Plan, Regraded


class KeyChangedAgain(Exception):
    """The quiz has a newer version than the one the regrade was graded against."""

    def __init__(self):
        super().__init__("The quiz was published again since this regrade was worked out; "
                         "look at the new one before applying it.")


def store_regrade(quiz_id: int, plan: Plan, at: dt.datetime) -> list[Regraded]:
    """Turn the plan's failed attempts into passes graded with the key of its version, and
    keep their learners' standings; return those stored. A learner who has passed since the
    plan was made (by a new attempt, or by a regrade applied at the same time) is left out,
    so applying a plan twice stores it once."""
    # Regrades of one quiz queue here (SQLite's writers queue anyway), so a second click
    # reads the passes the first one stored.
    db.session.execute(select(Quiz.id).where(Quiz.id == quiz_id).with_for_update())
    current = db.session.scalar(select(QuizVersion.id).where(QuizVersion.quiz_id == quiz_id)
                                .order_by(QuizVersion.number.desc()).limit(1))
    if current != plan.version_id:
        raise KeyChangedAgain()
    # Learners' current cycles only, as the plan (regrade_queries.regrade_view).
    passed = set(db.session.scalars(select(QuizStanding.user_id).where(
        QuizStanding.quiz_id == quiz_id, QuizStanding.passed.is_(True),
        QuizStanding.cycle == cycles.of_quiz(QuizStanding.user_id, quiz_id))))
    stored = [item for item in plan.would_pass if item.attempt.user_id not in passed]
    if not stored:
        return []
    attempts = QuizAttempt.__table__
    db.session.execute(
        update(attempts).where(attempts.c.id == bindparam("b_id"),
                               attempts.c.passed == false())
        .values(passed=True, score=bindparam("b_score"), correct_count=bindparam("b_right"),
                graded_version_id=plan.version_id, regraded_at=at),
        [{"b_id": item.attempt.id, "b_score": item.result.score,
          "b_right": item.result.correct_count} for item in stored])
    standings = QuizStanding.__table__
    db.session.execute(
        update(standings).where(standings.c.quiz_id == quiz_id,
                                standings.c.user_id == bindparam("b_user"),
                                standings.c.cycle == cycles.of_quiz(bindparam("b_user"),
                                                                    quiz_id))
        .values(passed=True, failures=standings.c.failures - 1,
                best_score=case((standings.c.best_score < bindparam("b_score"),
                                 bindparam("b_score")), else_=standings.c.best_score)),
        [{"b_user": item.attempt.user_id, "b_score": item.result.score} for item in stored])
    # Item analysis bands learners by their first attempt's score, kept on their answers.
    firsts = [item for item in stored if item.attempt.number == 1]
    if firsts:
        answers = QuestionAnswer.__table__
        db.session.execute(
            update(answers).where(answers.c.quiz_id == quiz_id,
                                  answers.c.user_id == bindparam("b_user"))
            .values(first_score=bindparam("b_score")),
            [{"b_user": item.attempt.user_id, "b_score": item.result.score}
             for item in firsts])
    return stored
