"""What a regrade of a quiz to its current key would do, read outside any write transaction:
at most four statements whatever the number of attempts, and only the attempts whose key can have
changed are read and graded (quizzes/regrade.py)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from .. import cycles
from ..database import db
from .models import Question, QuizAttempt, QuizStanding, QuizVersion
from .queries import versions_and_questions
from .regrade import Plan, StoredAttempt, changed, keyed, plan


@dataclass(frozen=True)
class RegradeView:
    plan: Plan
    versions: dict[int, QuizVersion]  # by id, every version of the quiz
    questions: dict[int, dict[str, Question]]  # by version id, then question key


def _pairs_that_can_change(questions: dict[int, dict[str, Question]],
                           current: int) -> list[tuple[int, int]]:
    """(own version, key version) of the attempts a regrade to `current` can change: some
    question of the own version is keyed differently by the two."""
    pairs = []
    for own, asked in questions.items():
        keys = list(asked)
        now = keyed(keys, asked, questions[current])
        for graded in questions:
            if graded != current and changed(keyed(keys, asked, questions[graded]), now):
                pairs.append((own, graded))
    return pairs


def regrade_view(quiz_id: int) -> RegradeView | None:
    """The regrade plan of the quiz to its current version's key; None for a quiz with no
    version."""
    versions, questions = versions_and_questions(quiz_id)
    if not versions:
        return None
    current = max(versions.values(), key=lambda v: v.number).id
    pairs = _pairs_that_can_change(questions, current)
    attempts: list[StoredAttempt] = []
    passed: set[int] = set()
    if pairs:
        key_version = func.coalesce(QuizAttempt.graded_version_id, QuizAttempt.quiz_version_id)
        rows = db.session.execute(
            select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.number,
                   QuizAttempt.quiz_version_id, key_version, QuizAttempt.shown,
                   QuizAttempt.answers, QuizAttempt.score, QuizAttempt.passed)
            .where(QuizAttempt.quiz_id == quiz_id,  # a few more at most; plan() sorts them
                   QuizAttempt.quiz_version_id.in_(sorted({own for own, _ in pairs})),
                   key_version.in_(sorted({graded for _, graded in pairs})),
                   # Each learner's current cycle: an earlier one is closed (its certificate
                   # issued or the cycle left behind), and one pass per cycle is the rule.
                   QuizAttempt.cycle == cycles.of_quiz(QuizAttempt.user_id, quiz_id))).all()
        attempts = [StoredAttempt(
            id=row[0], user_id=row[1], number=row[2], version_id=row[3],
            graded_version_id=row[4],
            # Attempts from before draws showed every question of their version.
            shown=tuple(row[5]["questions"]) if row[5] else tuple(questions[row[3]]),
            answers=row[6], score=row[7], passed=row[8]) for row in rows]
        passed = set(db.session.scalars(select(QuizStanding.user_id).where(
            QuizStanding.quiz_id == quiz_id, QuizStanding.passed.is_(True),
            QuizStanding.cycle == cycles.of_quiz(QuizStanding.user_id, quiz_id))))
    return RegradeView(
        plan(attempts, keys=questions, current=current, passed=passed,
             pass_marks={v.id: v.pass_mark for v in versions.values()}),
        versions, questions)
