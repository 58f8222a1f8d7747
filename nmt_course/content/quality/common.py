"""What the item-writing checks share: how a problem is made and how text is compared."""
from __future__ import annotations

from collections.abc import Iterable

from ..markdown import plain_text
from ..model import Problem, QuestionSource, QuizSource, Severity

CHOICE_TYPES = ("single", "multiple")  # questions whose options are written by the author


def warn(path: str, line: int, rule: str, message: str, question: str = "") -> Problem:
    return Problem(path, line, message, Severity.WARNING, rule=rule, question=question)


def text_of(html: str) -> str:
    return " ".join(plain_text(html).split())


def more_than(part: int, whole: int, percent: int) -> bool:
    return part * 100 > whole * percent


def choice_questions(quiz: QuizSource) -> list[QuestionSource]:
    return [q for q in quiz.questions if q.type in CHOICE_TYPES]


def true_false_keys(questions: Iterable[QuestionSource]) -> list[str]:
    return [next(c.key for c in q.choices if c.correct)
            for q in questions if q.type == "true_false"]


def listed(keys: Iterable[str]) -> str:
    return ", ".join(keys)


