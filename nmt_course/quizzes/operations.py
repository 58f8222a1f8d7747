"""Grading and storing quiz attempts: one write transaction per submission."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import case, insert, or_, select, update

from .. import audit
from ..accounts.models import User
from ..database import db, transaction
from ..events import Completion, announce_completion
from ..grading import grade
from ..learning import completion
from ..learning.models import Course
from ..runtime import Runtime
from . import policy, queries
from .item_analysis import answer_rows, key_hash
from .models import (AttemptGrant, Question, QuestionAnswer, QuestionFlag, QuizAttempt,
                     QuizStanding, QuizVersion)
from .presentation import Presentation


class QuizRefused(Exception):
    """The quiz rules refuse this submission; `refusal` says why, in the learner's words."""

    def __init__(self, refusal: policy.Refusal):
        super().__init__(refusal.value)
        self.refusal = refusal


@dataclass(frozen=True)
class AttemptOutcome:
    number: int
    created: bool  # False: the same form was submitted before; this is that attempt
    passed: bool = False
    completed_course: bool = False
    # What the course_completed subscribers returned (the certificate, for one).
    announced: tuple[object, ...] = field(default=())


def submit_attempt(runtime: Runtime, learner: User, *, course: Course, version: QuizVersion,
                   questions: Sequence[Question], shown: Presentation, number: int,
                   answers: Mapping[str, Sequence[str]]) -> AttemptOutcome:
    """Grade attempt `number` on the questions it showed (`shown`, recomputed by the server)
    of `version`, which must still be the quiz's current version, and store it with what it
    showed; a completed course is announced once the attempt is committed."""
    outcome, done = _record_attempt(runtime, learner, course, version, questions, shown,
                                    number, answers)
    if done is None:
        return outcome
    return AttemptOutcome(outcome.number, outcome.created, outcome.passed, True,
                          tuple(announce_completion(runtime, done)))


@transaction
def _record_attempt(runtime: Runtime, learner: User, course: Course, version: QuizVersion,
                    questions: Sequence[Question], shown: Presentation, number: int,
                    answers: Mapping[str, Sequence[str]]) -> tuple[AttemptOutcome,
                                                                   Completion | None]:
    # Decided on what is stored now, inside the write transaction, by the same rules the
    # page used: a concurrent submission or a new version may have changed it.
    standing, _, answered, first_score = queries.standing_with_answered(learner.id,
                                                                        version.quiz_id)
    verdict = policy.judge_submission(standing, number=number, version_id=version.id)
    if verdict is policy.Verdict.REPLAY:
        return AttemptOutcome(number, created=False), None
    if isinstance(verdict, policy.Refusal):
        raise QuizRefused(verdict)

    asked = queries.shown_questions(list(questions), shown)
    result = grade(queries.gradable(asked, version.pass_mark), answers)
    now = runtime.clock()
    attempt = QuizAttempt(
        user_id=learner.id, quiz_id=version.quiz_id, quiz_version_id=version.id, number=number,
        answers={key: sorted(answers.get(key, ())) for key in shown.questions},
        shown=shown.as_json(),
        correct_count=result.correct_count, question_count=result.question_count,
        score=result.score, passed=result.passed, submitted_at=now)
    db.session.add(attempt)
    # The same form sent twice at once: the unique (user, quiz, number) index admits one; the
    # other fails here and, run again by @transaction, is answered as a replay above.
    db.session.flush()
    _keep_standing(learner.id, version.quiz_id, first=standing.attempts_used == 0,
                   score=result.score, passed=result.passed)
    hashes = {q.key: key_hash(q.type, (c.key for c in q.choices if c.correct)) for q in asked}
    rows = answer_rows(shown=shown.questions, answers=answers, hashes=hashes,
                       results={r.key: r.correct for r in result.questions},
                       answered_before=answered,
                       first_score=result.score if first_score is None else first_score)
    db.session.execute(insert(QuestionAnswer), [
        {**row, "attempt_id": attempt.id, "user_id": learner.id, "quiz_id": version.quiz_id,
         "quiz_version_id": version.id} for row in rows])
    outcome = AttemptOutcome(number, created=True, passed=result.passed)
    if not result.passed:
        return outcome, None
    done = completion.completed(learner, [course], now)
    return outcome, done[0] if done else None


def _keep_standing(learner_id: int, quiz_id: int, *, first: bool, score: int,
                   passed: bool) -> None:
    """Add this attempt to the learner's standing at the quiz, in one statement."""
    if first:
        db.session.execute(insert(QuizStanding).values(
            user_id=learner_id, quiz_id=quiz_id, attempts=1, best_score=score,
            failures=int(not passed), passed=passed))
        return
    db.session.execute(
        update(QuizStanding)
        .where(QuizStanding.user_id == learner_id, QuizStanding.quiz_id == quiz_id)
        .values(attempts=QuizStanding.attempts + 1,
                best_score=case((QuizStanding.best_score < score, score),
                                else_=QuizStanding.best_score),
                failures=QuizStanding.failures + int(not passed),
                passed=or_(QuizStanding.passed, passed)))


MAX_GRANT = 10


@transaction
def grant_attempts(runtime: Runtime, *, learner_id: int, quiz_id: int, attempts: int,
                   reason: str, granted_by_id: int | None = None) -> AttemptGrant:
    """Allow a learner `attempts` more attempts at a quiz than its limit (say, after a
    conversation about what they found hard). The reason is kept in the audit log."""
    reason = reason.strip()
    if not 1 <= attempts <= MAX_GRANT:
        raise ValueError(f"grant from 1 to {MAX_GRANT} attempts at a time")
    if not reason:
        raise ValueError("say why the attempts are granted")
    now = runtime.clock()
    grant = AttemptGrant(user_id=learner_id, quiz_id=quiz_id, attempts=attempts,
                         reason=reason[:500], granted_by_id=granted_by_id, granted_at=now)
    db.session.add(grant)
    audit.record("quiz.attempts_granted", at=now, actor_id=granted_by_id,
                 subject=f"user:{learner_id}", quiz=quiz_id, attempts=attempts, reason=reason)
    return grant


class FlagRefused(Exception):
    """Why a flag was not taken; the message is shown."""


@transaction
def flag_question(runtime: Runtime, learner: User, *, quiz_id: int, question_key: str,
                  comment: str) -> QuestionFlag:
    """Note, for the course's authors, that a question of the quiz's current version seems
    wrong or unclear. A learner's second note on the same question replaces the first."""
    comment = " ".join(comment.split())
    if not 3 <= len(comment) <= 500:
        raise FlagRefused("Say in a few words (at most 500 characters) what seems wrong.")
    _, version = queries.standing(learner.id, quiz_id)
    if question_key not in {q.key for q in queries.questions_of(version.id)}:
        raise FlagRefused("That question is no longer part of this quiz.")
    now = runtime.clock()
    flag = db.session.scalar(select(QuestionFlag).where(
        QuestionFlag.user_id == learner.id, QuestionFlag.quiz_id == quiz_id,
        QuestionFlag.question_key == question_key, QuestionFlag.resolved_at.is_(None)))
    if flag is None:
        flag = QuestionFlag(user_id=learner.id, quiz_id=quiz_id, question_key=question_key)
        db.session.add(flag)
    flag.quiz_version_id, flag.comment, flag.created_at = version.id, comment, now
    return flag


@transaction
def resolve_flag(runtime: Runtime, actor: User, *, flag_id: int, quiz_ids: set[int]) -> None:
    """Mark a learner's flag as dealt with; only flags on `quiz_ids` (the author's course)."""
    flag = db.session.get(QuestionFlag, flag_id)
    if flag is None or flag.quiz_id not in quiz_ids or flag.resolved_at is not None:
        raise FlagRefused("That flag is not open on this course.")
    flag.resolved_at, flag.resolved_by_id = runtime.clock(), actor.id
