"""Pure quiz grading: plain data in, a Result out. Never sees the HTTP request."""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class GradableChoice:
    key: str
    correct: bool


@dataclass(frozen=True)
class GradableQuestion:
    key: str
    type: str
    choices: tuple[GradableChoice, ...]

    @property
    def correct_keys(self) -> frozenset[str]:
        return frozenset(choice.key for choice in self.choices if choice.correct)


@dataclass(frozen=True)
class GradableQuiz:
    questions: tuple[GradableQuestion, ...]
    pass_mark: int


def gradable(questions: Iterable[Any], pass_mark: int) -> GradableQuiz:
    """A quiz to grade from questions with `key`, `type` and `choices` (each with `key` and
    `correct`): stored ones, or a draft's (content.QuestionSource)."""
    return GradableQuiz(
        questions=tuple(GradableQuestion(q.key, q.type, tuple(GradableChoice(c.key, c.correct)
                                                               for c in q.choices))
                        for q in questions),
        pass_mark=pass_mark)


@dataclass(frozen=True)
class QuestionResult:
    key: str
    selected: frozenset[str]
    correct: bool


@dataclass(frozen=True)
class Result:
    questions: tuple[QuestionResult, ...]
    correct_count: int
    question_count: int
    score: int
    passed: bool


def score_single(question: GradableQuestion, selected: frozenset[str]) -> bool:
    """Right when exactly the one right choice was picked."""
    return len(selected) == 1 and selected == question.correct_keys


def score_multiple(question: GradableQuestion, selected: frozenset[str]) -> bool:
    """Right only for exactly the set of right choices: no partial credit."""
    return bool(selected) and selected == question.correct_keys


SCORERS: dict[str, Callable[[GradableQuestion, frozenset[str]], bool]] = {
    "single": score_single,
    "multiple": score_multiple,
    # Stored as two choices, 'true' and 'false', exactly one of them right.
    "true_false": score_single,
}


def grade(quiz: GradableQuiz, answers: Mapping[str, Collection[str]]) -> Result:
    """Grade answers ({question key: chosen choice keys}); unknown keys simply score wrong."""
    results = tuple(
        QuestionResult(q.key, frozenset(answers.get(q.key, ())),
                       SCORERS[q.type](q, frozenset(answers.get(q.key, ()))))
        for q in quiz.questions
    )
    total = len(results)
    right = sum(r.correct for r in results)
    # Integer arithmetic: 4 of 5 against a pass mark of 80 is a pass, never 79.99...
    return Result(questions=results, correct_count=right, question_count=total,
                  score=right * 100 // total if total else 0,
                  passed=total > 0 and right * 100 >= quiz.pass_mark * total)
