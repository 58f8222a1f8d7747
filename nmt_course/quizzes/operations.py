"""Quiz versions, attempts, extra attempts and learners' flags. Grading and storing an
attempt, and storing a version, run inside a caller's transaction (learning's, which knows
the course); the others are one transaction each."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, insert, literal, or_, select, update

from .. import audit, cycles
from ..accounts.models import User
from ..content import QuizSource, ReviewMode
from ..database import db, insert_on_conflict, transaction
from ..grading import grade, gradable
from ..mailing import outbox
from ..runtime import Email, Runtime
from ..text import one_line
from . import policy, queries
from .item_analysis import answer_rows, key_hash
from .models import (AttemptGrant, AttemptRequest, Choice, Question, QuestionAnswer,
                     QuestionFlag, Quiz, QuizAttempt, QuizStanding, QuizVersion)
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


@dataclass(frozen=True)
class Seen:
    """What the submission's page read with the quiz (learning.queries.quiz_context): the
    learner's standing, the "key:hash" of the questions they answered before and their
    first score. While the stored standing is still this one, nothing of it has changed."""

    standing: policy.Standing
    answered: set[str]
    first_score: int | None


def record_attempt(learner: User, *, version: QuizVersion, questions: Sequence[Question],
                   shown: Presentation, number: int, answers: Mapping[str, Sequence[str]],
                   at: dt.datetime, seconds: int | None = None,
                   seen: Seen | None = None) -> AttemptOutcome:
    """Inside the caller's write transaction (learning.operations.submit_quiz, which also
    sees whether the pass completed a course): grade attempt `number` on the questions it
    showed (`shown`, recomputed by the server) of `version`, which must still be the quiz's
    current version, and store it with what it showed. QuizRefused if the rules say no.

    Given what the page read (`seen`), the standing is kept by a compare-and-set: its
    statement changes the row only if the attempts, the pass and the current version are
    still those the page read, so the page's verdict holds without reading them again.
    Otherwise (a concurrent submission, a new version, a regrade's pass, a new cycle) it
    changes nothing and the rules are asked again on the standing read now."""
    asked = queries.shown_questions(list(questions), shown)
    result = grade(gradable(asked, version.pass_mark), answers)
    if seen is not None and policy.judge_submission(
            seen.standing, number=number, version_id=version.id) is policy.Verdict.ACCEPT \
            and _keep_standing(learner.id, version, result.score, result.passed,
                               standing=seen.standing, compare=True):
        answered, first_score = seen.answered, seen.first_score
    else:
        # Decided on what is stored now, inside the write transaction, by the same rules
        # the page used: a concurrent submission or a new version may have changed it.
        standing, _, answered, first_score = queries.standing_with_answered(learner.id,
                                                                            version.quiz_id)
        verdict = policy.judge_submission(standing, number=number, version_id=version.id)
        if verdict is policy.Verdict.REPLAY:
            return AttemptOutcome(number, created=False)
        if isinstance(verdict, policy.Refusal):
            raise QuizRefused(verdict)
        _keep_standing(learner.id, version, result.score, result.passed, standing=standing,
                       compare=False)
    attempt = QuizAttempt(
        user_id=learner.id, quiz_id=version.quiz_id, quiz_version_id=version.id, number=number,
        cycle=cycles.of_quiz(learner.id, version.quiz_id),  # stamped by the INSERT itself
        answers={key: sorted(answers.get(key, ())) for key in shown.questions},
        shown=shown.as_json(),
        correct_count=result.correct_count, question_count=result.question_count,
        score=result.score, passed=result.passed, submitted_at=at, seconds=seconds)
    db.session.add(attempt)
    # The same form sent twice at once: the unique (user, quiz, cycle, number) index admits
    # one; the other fails here and, run again by @transaction, is answered as a replay.
    db.session.flush()
    hashes = {q.key: key_hash(q.type, (c.key for c in q.choices if c.correct)) for q in asked}
    rows = answer_rows(shown=shown.questions, answers=answers, hashes=hashes,
                       results={r.key: r.correct for r in result.questions},
                       answered_before=answered,
                       first_score=result.score if first_score is None else first_score)
    db.session.execute(insert(QuestionAnswer), [
        {**row, "attempt_id": attempt.id, "user_id": learner.id, "quiz_id": version.quiz_id,
         "quiz_version_id": version.id} for row in rows])
    return AttemptOutcome(number, created=True, passed=result.passed)


def _keep_standing(learner_id: int, version: QuizVersion, score: int, passed: bool, *,
                   standing: policy.Standing, compare: bool) -> bool:
    """Add this attempt to the learner's standing at the quiz in their current cycle, in one
    statement. `compare`: only if the stored standing is still `standing` and `version`
    still the quiz's current version (True if it was kept); otherwise the caller read
    `standing` in this transaction and it is kept unconditionally."""
    quiz_id = version.quiz_id
    cycle = cycles.of_quiz(learner_id, quiz_id)
    is_current = select(func.max(QuizVersion.number)).where(
        QuizVersion.quiz_id == quiz_id).scalar_subquery() == version.number
    if standing.attempts_used == 0:  # the first attempt: no row yet
        values = {"user_id": learner_id, "quiz_id": quiz_id, "attempts": 1,
                  "best_score": score, "failures": int(not passed), "passed": passed}
        if not compare:
            db.session.execute(insert(QuizStanding).values(cycle=cycle, **values))
            return True
        # A row stored meanwhile (a concurrent first attempt) makes this insert nothing, as
        # does a newer version.
        kept = db.session.execute(
            insert_on_conflict(QuizStanding).from_select(
                [*values, "cycle"],
                select(*(literal(value) for value in values.values()), cycle)
                .where(is_current))
            .on_conflict_do_nothing().returning(QuizStanding.attempts))
        return kept.first() is not None  # (rowcount says -1 for this on PostgreSQL)
    conditions = [QuizStanding.user_id == learner_id, QuizStanding.quiz_id == quiz_id,
                  QuizStanding.cycle == cycle]
    if compare:
        conditions += [QuizStanding.attempts == standing.attempts_used,
                       QuizStanding.passed.is_(standing.passed), is_current]
    kept = db.session.execute(
        update(QuizStanding).where(*conditions)
        .values(attempts=QuizStanding.attempts + 1,
                best_score=case((QuizStanding.best_score < score, score),
                                else_=QuizStanding.best_score),
                failures=QuizStanding.failures + int(not passed),
                passed=or_(QuizStanding.passed, passed)))
    return kept.rowcount == 1


MAX_GRANT = 10


@transaction
def grant_attempts(runtime: Runtime, *, learner_id: int, quiz_id: int, attempts: int,
                   reason: str, granted_by_id: int | None = None) -> AttemptGrant:
    """Allow a learner `attempts` more attempts at a quiz than its limit (say, after a
    conversation about what they found hard). The reason is kept in the audit log."""
    reason = one_line(reason)
    if not 1 <= attempts <= MAX_GRANT:
        raise ValueError(f"grant from 1 to {MAX_GRANT} attempts at a time")
    if not reason:
        raise ValueError("say why the attempts are granted")
    now = runtime.clock()
    # For the learner's current cycle: a new cycle starts with the quiz's limit again.
    grant = AttemptGrant(user_id=learner_id, quiz_id=quiz_id, attempts=attempts,
                         cycle=cycles.of_quiz(learner_id, quiz_id),
                         reason=reason[:500], granted_by_id=granted_by_id, granted_at=now)
    db.session.add(grant)
    # A grant answers any request for more attempts at this quiz.
    db.session.execute(update(AttemptRequest).where(
        AttemptRequest.user_id == learner_id, AttemptRequest.quiz_id == quiz_id,
        AttemptRequest.granted_at.is_(None)).values(granted_at=now))
    audit.record("quiz.attempts_granted", at=now, actor_id=granted_by_id,
                 subject=f"user:{learner_id}", quiz=quiz_id, attempts=attempts, reason=reason)
    return grant


class NotOutOfAttempts(ValueError):
    """Only a learner who has used every attempt a quiz allows may ask for more."""


def request_attempts(runtime: Runtime, learner: User, quiz_id: int,
                     mails: list[Email]) -> bool:
    """The learner, out of attempts at the quiz, asks for more: the request waits for an
    admin (People) and shows on their clinic's report. `mails` (to the admins, rendered
    before) go only with a new request; asking again changes nothing. True if new."""
    return _request_attempts(runtime, learner, quiz_id, mails)


@transaction
def _request_attempts(runtime: Runtime, learner: User, quiz_id: int,
                      mails: list[Email]) -> bool:
    found = queries.standing(learner.id, quiz_id)
    if found is None or not policy.out_of_attempts(found[0]):
        raise NotOutOfAttempts("You can still take this quiz, or have passed it.")
    if queries.open_attempt_request(learner.id, quiz_id) is not None:
        return False
    now = runtime.clock()
    db.session.add(AttemptRequest(user_id=learner.id, quiz_id=quiz_id, requested_at=now))
    audit.record("quiz.attempts_requested", at=now, actor_id=learner.id,
                 subject=f"user:{learner.id}", quiz=quiz_id)
    for mail in mails:
        outbox.queue(mail, at=now)
    return True


FLAG_LENGTH = (3, 500)  # characters of a learner's note on a question


class FlagRefused(Exception):
    """Why a flag was not taken; the message is shown."""


@transaction
def flag_question(runtime: Runtime, learner: User, *, quiz_id: int, question_key: str,
                  comment: str) -> QuestionFlag:
    """Note, for the course's authors, that a question of the quiz's current version seems
    wrong or unclear. A learner's second note on the same question replaces the first."""
    comment = one_line(comment)
    if not FLAG_LENGTH[0] <= len(comment) <= FLAG_LENGTH[1]:
        raise FlagRefused(f"Say in a few words (at most {FLAG_LENGTH[1]} characters) what "
                          "seems wrong.")
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
    audit.record("quiz.flag_resolved", at=flag.resolved_at, actor_id=actor.id,
                 subject=f"quiz:{flag.quiz_id}", flag_id=flag.id, question=flag.question_key,
                 user_id=flag.user_id)


def import_quiz(lesson_id: int, source: QuizSource | None, now: dt.datetime) -> int:
    """Inside the caller's write transaction (a content import or a publication): archive,
    revive or version the lesson's quiz; return how many versions were created."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.lesson_id == lesson_id))
    if source is None:
        if quiz is not None and quiz.archived_at is None:
            quiz.archived_at = now
        return 0
    if quiz is None:
        quiz = Quiz(lesson_id=lesson_id)
        db.session.add(quiz)
        db.session.flush()
    quiz.archived_at = None
    latest = db.session.scalar(select(QuizVersion).where(QuizVersion.quiz_id == quiz.id)
                               .order_by(QuizVersion.number.desc()).limit(1))
    if latest is not None and latest.content_hash == source.content_hash:
        return 0
    version = QuizVersion(quiz_id=quiz.id, number=(latest.number + 1) if latest else 1,
                          content_hash=source.content_hash, pass_mark=source.pass_mark,
                          max_attempts=source.max_attempts, draw=source.draw,
                          review_after_fail=ReviewMode(source.review_after_fail),
                          source=source.canonical(), created_at=now)
    db.session.add(version)
    db.session.flush()
    for position, question in enumerate(source.questions, start=1):
        row = Question(quiz_version_id=version.id, key=question.key, position=position,
                       type=question.type, objective=question.objective,
                       prompt_html=question.prompt_html,
                       explanation_html=question.explanation_html)
        db.session.add(row)
        db.session.flush()
        db.session.add_all(
            Choice(question_id=row.id, key=choice.key, position=index,
                   text_html=choice.text_html, correct=choice.correct,
                   feedback_html=choice.feedback_html)
            for index, choice in enumerate(question.choices, start=1))
    return 1
