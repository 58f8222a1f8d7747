"""Reads about quizzes and attempts. Each is one statement. Quizzes know their lesson only by
id: what joins them to courses and lessons is learning's (learning.queries). A learner's
attempts, standing and extra attempts are those of their current cycle in the quiz's course
(nmt_course/cycles.py), asked inside the same statement."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased, defer, joinedload

from .. import cycles
from ..database import db
from .models import (AttemptGrant, AttemptRequest, Question, QuestionAnswer, Quiz, QuizAttempt,
                     QuizStanding, QuizVersion)
from . import policy
from .item_analysis import BAND_PERCENT, FEW_IN_A_BAND, AnswerCount
from .presentation import BankQuestion, Presentation, present


def standing(learner_id: int, quiz_id: int) -> tuple[policy.Standing, QuizVersion] | None:
    """The learner's attempts and pass on this quiz, with its current version."""
    found = _standing(learner_id, quiz_id, with_answered=False)
    return found[:2] if found else None


def standing_with_answered(learner_id: int, quiz_id: int):
    """The standing, the "key:hash" of every question the learner has answered in this quiz
    and the score of their first attempt (for item analysis, which counts first answers),
    in one statement."""
    return _standing(learner_id, quiz_id, with_answered=True)


def _history_columns(learner_id, quiz_id) -> list:
    """The "key:hash" of every question the learner has answered in the quiz (any cycle)
    and the score of their very first attempt (their first cycle's): item analysis counts
    first answers and bands learners by that score."""
    return [select(func.aggregate_strings(
                QuestionAnswer.question_key + ":" + QuestionAnswer.key_hash, ","))
            .where(QuestionAnswer.user_id == learner_id, QuestionAnswer.quiz_id == quiz_id,
                   QuestionAnswer.first.is_(True)).scalar_subquery(),
            select(QuizAttempt.score)
            .where(QuizAttempt.user_id == learner_id, QuizAttempt.quiz_id == quiz_id,
                   QuizAttempt.number == 1)
            .order_by(QuizAttempt.cycle).limit(1).scalar_subquery()]


def history_from(answered: str | None, first_score: int | None) -> tuple[set[str], int | None]:
    """The columns _history_columns selects, as answer_rows takes them."""
    return set(filter(None, (answered or "").split(","))), first_score


def _standing(learner_id: int, quiz_id: int, *, with_answered: bool):
    cycle = cycles.of_quiz(learner_id, quiz_id)
    granted = select(func.coalesce(func.sum(AttemptGrant.attempts), 0)).where(
        AttemptGrant.user_id == learner_id, AttemptGrant.quiz_id == quiz_id,
        AttemptGrant.cycle == cycle)
    # The learner's row in quiz_standings: the one stored fact of attempts used and a pass.
    columns = [QuizVersion, QuizStanding.attempts, QuizStanding.passed,
               granted.scalar_subquery()]
    if with_answered:
        columns += _history_columns(learner_id, quiz_id)
    row = db.session.execute(
        select(*columns)
        .outerjoin(QuizStanding, and_(QuizStanding.quiz_id == QuizVersion.quiz_id,
                                      QuizStanding.user_id == learner_id,
                                      QuizStanding.cycle == cycle))
        .where(QuizVersion.quiz_id == quiz_id)
        .options(defer(QuizVersion.source))
        .order_by(QuizVersion.number.desc()).limit(1)).one_or_none()
    if row is None:
        return None
    standing, version = standing_from(*row[:4])
    if not with_answered:
        return standing, version, set(), None
    return (standing, version, *history_from(row[4], row[5]))


def standing_from(version: QuizVersion, used: int | None, passed: bool | None,
                  extra: int) -> tuple[policy.Standing, QuizVersion]:
    """The standing from the columns _standing and with_standing select."""
    return policy.Standing(attempts_used=used or 0, passed=bool(passed),
                           current_version_id=version.id,
                           max_attempts=policy.attempt_limit(version.max_attempts, extra)), version


def with_standing(query, learner_id: int):
    """`query` (a select of Quiz) with the quiz's current version and `learner_id`'s
    standing added as its last four columns (standing_from reads them): a page that reads
    the quiz by its lesson gets the standing in the same statement."""
    other = aliased(QuizVersion)
    latest = (select(func.max(other.number)).where(other.quiz_id == Quiz.id)
              .correlate(Quiz).scalar_subquery())
    cycle = cycles.of_quiz(learner_id, Quiz.id)  # the learner's current cycle
    granted = (select(func.coalesce(func.sum(AttemptGrant.attempts), 0))
               .where(AttemptGrant.user_id == learner_id, AttemptGrant.quiz_id == Quiz.id,
                      AttemptGrant.cycle == cycle)
               .correlate(Quiz).scalar_subquery())
    return (query.add_columns(QuizVersion, QuizStanding.attempts, QuizStanding.passed, granted)
            .join(QuizVersion, and_(QuizVersion.quiz_id == Quiz.id, QuizVersion.number == latest))
            .outerjoin(QuizStanding, and_(QuizStanding.quiz_id == Quiz.id,
                                          QuizStanding.user_id == learner_id,
                                          QuizStanding.cycle == cycle))
            .options(defer(QuizVersion.source)))


def with_history(query, learner_id: int):
    """`query` (a select of Quiz) with the learner's answered questions and first score
    added as its last two columns (history_from reads them): a submission's page reads them
    with the standing, so the write need not read them again."""
    return query.add_columns(*(column.correlate(Quiz)
                               for column in _history_columns(learner_id, Quiz.id)))


def quiz_of_lesson(lesson_id: int) -> Quiz | None:
    return db.session.scalar(select(Quiz).where(Quiz.lesson_id == lesson_id,
                                                Quiz.archived_at.is_(None)))


def current_version(quiz_id: int) -> QuizVersion | None:
    return db.session.scalar(select(QuizVersion).where(QuizVersion.quiz_id == quiz_id)
                             .order_by(QuizVersion.number.desc()).limit(1))


def questions_of(version_id: int) -> list[Question]:
    """A version's questions in order, each with its choices loaded."""
    return list(db.session.scalars(
        select(Question).where(Question.quiz_version_id == version_id)
        .options(joinedload(Question.choices)).order_by(Question.position)).unique())


# A version's questions never change once stored (an edit makes a new version), so every
# quiz page and submission need not read them again: each process keeps the questions of
# the versions it served, keyed by the version's id AND its content hash (a database
# restored or made anew may give an id to other content), detached from any session.
_KEPT_VERSIONS = 256
_kept_questions: dict[tuple[str, int, str], tuple[Question, ...]] = {}


def version_questions(version: QuizVersion) -> list[Question]:
    """questions_of(version.id), read once per process: the same questions in order,
    detached objects with their choices, to read and never to change."""
    key = (str(db.engine.url), version.id, version.content_hash)
    kept = _kept_questions.get(key)
    if kept is None:
        questions = questions_of(version.id)
        for question in questions:
            for choice in question.choices:
                db.session.expunge(choice)
            db.session.expunge(question)
        if len(_kept_questions) >= _KEPT_VERSIONS:
            _kept_questions.clear()
        kept = _kept_questions[key] = tuple(questions)
    return list(kept)


def questions_by_version(version_ids: Iterable[int]) -> dict[int, dict[str, Question]]:
    """The questions of several versions, each with its choices: {version id: {key:
    question}} in the authored order, in one statement."""
    found: dict[int, dict[str, Question]] = {version: {} for version in version_ids}
    for question in db.session.scalars(
            select(Question).where(Question.quiz_version_id.in_(list(found)))
            .options(joinedload(Question.choices)).order_by(Question.position)).unique():
        found[question.quiz_version_id][question.key] = question
    return found


def versions_and_questions(quiz_id: int) -> tuple[dict[int, QuizVersion],
                                                  dict[int, dict[str, Question]]]:
    """Every version of the quiz, and each one's questions by key (two statements)."""
    versions = {v.id: v for v in db.session.scalars(
        select(QuizVersion).where(QuizVersion.quiz_id == quiz_id)
        .options(defer(QuizVersion.source)).order_by(QuizVersion.number))}
    return versions, questions_by_version(versions)


def bank_of(questions: list[Question]) -> list[BankQuestion]:
    return [BankQuestion(q.key, q.type, q.objective, tuple(c.key for c in q.choices))
            for q in questions]


def presentation_for(key: bytes, learner_id: int, version: QuizVersion,
                     questions: list[Question], number: int) -> Presentation:
    """What attempt `number` of `version` shows this learner (recomputed, never stored
    before the attempt is submitted)."""
    return present(key, learner=learner_id, version=version.id, attempt=number,
                   bank=bank_of(questions), draw=version.draw)


def shown_questions(questions: list[Question], shown: Presentation) -> list[Question]:
    """The questions an attempt showed, in the order it showed them."""
    by_key = {question.key: question for question in questions}
    return [by_key[key] for key in shown.questions]


def attempt(learner_id: int, quiz_id: int, number: int) -> QuizAttempt | None:
    """One of the learner's attempts in their current cycle, with the version it answered."""
    return db.session.scalar(
        select(QuizAttempt).where(QuizAttempt.user_id == learner_id,
                                  QuizAttempt.quiz_id == quiz_id, QuizAttempt.number == number,
                                  QuizAttempt.cycle == cycles.of_quiz(learner_id, quiz_id))
        .options(joinedload(QuizAttempt.version).defer(QuizVersion.source)))


def attempts_for(learner_id: int, quiz_id: int) -> list[QuizAttempt]:
    return list(db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == learner_id, QuizAttempt.quiz_id == quiz_id,
                                  QuizAttempt.cycle == cycles.of_quiz(learner_id, quiz_id))
        .order_by(QuizAttempt.number)))


@dataclass(frozen=True)
class QuizSummary:
    attempts: int  # every attempt
    learners: int  # learners with a first attempt
    first_passes: int
    first_average: float | None

    @property
    def band_size(self) -> int:
        """Learners in each of the lower and upper bands."""
        return self.learners * BAND_PERCENT // 100

    @property
    def few_in_each_band(self) -> bool:
        """Too few for discrimination to be more than a hint."""
        return self.band_size < FEW_IN_A_BAND


def item_counts(quiz_id: int) -> tuple[QuizSummary, list[AnswerCount]]:
    """Item analysis of a quiz in one aggregate statement: each learner's first answers,
    grouped by question, key and answer, counted in all and in the lower and upper bands
    of learners (27 % each by the score of their first attempt, then by id), with the quiz's
    totals. The covering index hands the rows over in the order they are grouped in."""
    ranked = select(
        QuizAttempt.score, QuizAttempt.user_id, QuizAttempt.passed,
        func.row_number().over(order_by=(QuizAttempt.score, QuizAttempt.user_id))
        .label("position"), func.count().over().label("learners"),
    ).where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.number == 1).subquery()
    band = ranked.c.learners * BAND_PERCENT // 100

    def at(position, column):
        return func.max(case((ranked.c.position == position, column)))

    # One row: the last learner of the lower band, the last one below the upper band, and
    # the totals; computed once, read by the aggregate below.
    cuts = select(
        at(band, ranked.c.score).label("low_score"), at(band, ranked.c.user_id).label("low_id"),
        at(ranked.c.learners - band, ranked.c.score).label("high_score"),
        at(ranked.c.learners - band, ranked.c.user_id).label("high_id"),
        select(func.count(QuizAttempt.id)).where(QuizAttempt.quiz_id == quiz_id)
        .scalar_subquery().label("attempts"),
        func.count().label("learners"), func.count(case((ranked.c.passed, 1))).label("passed"),
        func.avg(ranked.c.score).label("average")).cte("cuts")
    cut = {column.name: select(column).scalar_subquery() for column in cuts.c}
    answer = QuestionAnswer
    in_lower = or_(answer.first_score < cut["low_score"], and_(
        answer.first_score == cut["low_score"], answer.user_id <= cut["low_id"]))
    in_upper = or_(answer.first_score > cut["high_score"], and_(
        answer.first_score == cut["high_score"], answer.user_id > cut["high_id"]))
    totals = [cut[name] for name in ("attempts", "learners", "passed", "average")]
    rows = db.session.execute(
        select(answer.question_key, answer.key_hash, answer.chosen, answer.correct,
               func.count(), func.count(case((in_lower, 1))),
               func.count(case((in_upper, 1))), *totals)
        .where(answer.quiz_id == quiz_id, answer.first.is_(True))
        .group_by(answer.question_key, answer.key_hash, answer.chosen, answer.correct)).all()
    summary = rows[0][7:] if rows else db.session.execute(select(*totals)).one()
    average = float(summary[3]) if summary[3] is not None else None
    return (QuizSummary(*summary[:3], average), [AnswerCount(*row[:7]) for row in rows])


def open_attempt_request(learner_id: int, quiz_id: int) -> AttemptRequest | None:
    """The learner's request for more attempts at the quiz, while no grant answered it."""
    return db.session.scalar(select(AttemptRequest).where(
        AttemptRequest.user_id == learner_id, AttemptRequest.quiz_id == quiz_id,
        AttemptRequest.granted_at.is_(None)))
