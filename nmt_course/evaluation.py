"""The course evaluation a learner answers before the certificate, pure: its questions, its
bounds, and the results authors see (averages and CSV, without names, and nothing until
enough learners answered that no one answer can be told apart)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RATINGS = (1, 5)  # the lowest and highest rating
MAX_COMMENT = 2000  # characters of the free comment
MIN_RESPONSES = 5  # results are shown from this many answers on
# The course-wide questions, by the column that keeps each answer.
QUESTIONS = {
    "content_quality": "The quality of the content",
    "relevance": "Its relevance to your practice",
    "hours_matched": "How well the course's hours matched the time you took",
}


@dataclass(frozen=True)
class Answer:
    objectives_met: Mapping[str, int]  # lesson id (as text) -> rating
    ratings: Mapping[str, int]  # QUESTIONS key -> rating
    comment: str


@dataclass(frozen=True)
class Average:
    label: str
    average: Decimal | None  # None: no one rated it
    answers: int


@dataclass(frozen=True)
class Results:
    responses: int
    lessons: tuple[Average, ...]  # how well each lesson's objectives were met
    course: tuple[Average, ...]  # the QUESTIONS, in order
    comments: tuple[str, ...]


def _average(label: str, values: list[int]) -> Average:
    mean = (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP) \
        if values else None
    return Average(label, mean, len(values))


def results(answers: Sequence[Answer], lessons: Sequence[tuple[int, str]]) -> Results | None:
    """Averages per lesson and per question; None until MIN_RESPONSES learners answered."""
    if len(answers) < MIN_RESPONSES:
        return None
    return Results(
        len(answers),
        tuple(_average(title, [a.objectives_met[str(lesson_id)] for a in answers
                               if str(lesson_id) in a.objectives_met])
              for lesson_id, title in lessons),
        tuple(_average(label, [a.ratings[key] for a in answers])
              for key, label in QUESTIONS.items()),
        tuple(sorted(a.comment for a in answers if a.comment)))


def csv_table(answers: Sequence[Answer], lessons: Sequence[tuple[int, str]]
              ) -> tuple[list[str], list[list[object]]] | None:
    """One row per answer, without name or date, sorted by its content so that the order
    tells nothing of who answered when; None until MIN_RESPONSES learners answered."""
    if len(answers) < MIN_RESPONSES:
        return None
    header = ([f"Objectives met: {title}" for _, title in lessons] + list(QUESTIONS.values())
              + ["Comment"])
    rows = sorted(([a.objectives_met.get(str(lesson_id), "") for lesson_id, _ in lessons]
                   + [a.ratings[key] for key in QUESTIONS] + [a.comment] for a in answers),
                  key=lambda row: [str(cell) for cell in row])
    return header, rows
