"""Plain data for parsed content: what the importer loads and the checker reports."""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from ..formatting import ce_hours as hours_text, ce_label
from .images import CheckedImage
from .markdown import UNCOUNTED_SECTIONS, count_words

COURSE_TYPES = ("Home Study", "Live", "Webinar")
QUESTION_TYPES = ("single", "multiple", "true_false")


class CourseStatus(enum.Enum):
    """A course's `status:` (course.md) and the stored course's."""

    PUBLISHED = "published"
    DRAFT = "draft"  # invisible to learners


class ReviewMode(enum.Enum):
    """What a failed attempt shows (a quiz's `review_after_fail:`); all of it after a pass or
    the last attempt (quizzes/policy.py)."""

    SCORE = "score"  # the score only
    OBJECTIVES = "objectives"  # the score and the lesson objectives to review
    QUESTIONS = "questions"  # the score and which questions were right


# The words the files use, in the order the editors offer them.
COURSE_STATUSES = tuple(status.value for status in CourseStatus)
REVIEW_AFTER_FAIL = tuple(mode.value for mode in (ReviewMode.SCORE, ReviewMode.OBJECTIVES,
                                                   ReviewMode.QUESTIONS))
# The CE-hours rule (docs/content.md): its rates, and the bounds of a course's hours.
WORDS_PER_MINUTE = 200
MINUTES_PER_QUESTION = Decimal("0.25")  # to answer an item, besides reading it
MIN_CE_HOURS, MAX_CE_HOURS = Decimal("0.25"), Decimal("100")
# A lesson's `min_minutes`: the least time between opening it and marking it read.
MIN_MINUTES = (1, 240)


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    severity: Severity = Severity.ERROR
    rule: str = ""  # a short stable name for the check that found it, e.g. "longest-answer"
    question: str = ""  # the key of the question it is about, when there is one

    def __str__(self) -> str:
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"


@dataclass(frozen=True)
class ChoiceSource:
    key: str
    text_markdown: str
    text_html: str
    correct: bool
    feedback_markdown: str = ""
    feedback_html: str = ""
    line: int = field(default=0, compare=False)  # where its text is, for messages


@dataclass(frozen=True)
class QuestionSource:
    key: str
    type: str
    prompt_markdown: str
    prompt_html: str
    explanation_markdown: str
    explanation_html: str
    choices: tuple[ChoiceSource, ...]
    objective: int | None = None  # 1-based number of the lesson objective it tests (a
    # question naming the objective's id is resolved to its number when the file is read)
    line: int = field(default=0, compare=False)

    @property
    def words(self) -> int:
        """Words a learner reads in it: its stem and its choices."""
        return count_words(self.prompt_html) + sum(count_words(c.text_html)
                                                   for c in self.choices)


@dataclass(frozen=True)
class QuizSource:
    path: str
    lesson_slug: str
    pass_mark: int
    max_attempts: int
    questions: tuple[QuestionSource, ...]
    content_hash: str
    draw: int | None = None  # questions shown per attempt; None shows the whole bank
    review_after_fail: str = "objectives"
    line: int = field(default=1, compare=False)

    @property
    def shown_count(self) -> int:
        """How many questions each attempt shows."""
        return self.draw or len(self.questions)

    @property
    def words_read(self) -> Decimal:
        """Words of stems and choices an attempt shows: the draw times the bank's mean."""
        if not self.questions:
            return Decimal(0)
        return (Decimal(sum(q.words for q in self.questions)) * self.shown_count
                / len(self.questions))

    def canonical(self) -> dict:
        """The quiz as plain data, in its authored form (stored with each version)."""
        return {
            "pass_mark": self.pass_mark,
            "max_attempts": self.max_attempts,
            "draw": self.draw,
            "review_after_fail": self.review_after_fail,
            "questions": [
                {
                    "id": q.key, "type": q.type, "objective": q.objective,
                    "prompt": q.prompt_markdown, "explanation": q.explanation_markdown,
                    "choices": [
                        {"id": c.key, "text": c.text_markdown, "correct": c.correct,
                         "feedback": c.feedback_markdown}
                        for c in q.choices
                    ],
                }
                for q in self.questions
            ],
        }


@dataclass(frozen=True)
class LessonSource:
    path: str
    slug: str
    position: int
    title: str
    minutes: int
    objectives: tuple[str, ...]
    body_markdown: str
    body_html: str
    word_count: int  # prose words, as the CE-hours rule counts them
    quiz: QuizSource | None = None
    min_minutes: int | None = None
    objectives_line: int = field(default=1, compare=False)
    objective_ids: tuple[str | None, ...] = ()  # each objective's id, None where it has none


@dataclass(frozen=True)
class CourseSource:
    path: str
    slug: str
    title: str
    summary: str
    ce_hours: Decimal
    course_type: str
    status: str
    approval_number: str
    requires_licence: bool
    description_markdown: str
    description_html: str
    lessons: tuple[LessonSource, ...]
    content_hash: str = ""
    # The course's files as read ("lessons/<course>/course.md": text, ...), for export.
    files: Mapping[str, str] = field(default_factory=dict, compare=False)
    images: tuple[CheckedImage, ...] = field(default=(), compare=False)  # from images/

    @property
    def question_count(self) -> int:
        """Questions a learner answers to finish: each quiz's draw, or its whole bank."""
        return sum(lesson.quiz.shown_count for lesson in self.lessons if lesson.quiz)

    @property
    def word_count(self) -> int:
        return sum(lesson.word_count for lesson in self.lessons)

    @property
    def quiz_words(self) -> Decimal:
        """Words of stems and choices a learner reads in all the quizzes (hundredths)."""
        return quiz_words(sum((lesson.quiz.words_read for lesson in self.lessons
                               if lesson.quiz), Decimal(0)))

    @property
    def estimated_hours(self) -> Decimal:
        return estimate_ce_hours(self.word_count, self.question_count, self.quiz_words)


def quiz_words(words: Decimal) -> Decimal:
    """Kept in hundredths (so the stored course gives the estimate its files gave)."""
    return Decimal(words).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


def estimate_minutes(prose_words: int, questions: int, quiz_words: Decimal) -> Decimal:
    """The CE-hours rule (docs/content.md), in minutes: prose words / 200, plus for every
    question a learner answers its words / 200 and a quarter of a minute."""
    return ((Decimal(prose_words) + Decimal(quiz_words)) / WORDS_PER_MINUTE
            + questions * MINUTES_PER_QUESTION)


def estimate_ce_hours(prose_words: int, questions: int, quiz_words: Decimal) -> Decimal:
    """The estimated minutes in hours, rounded down to the half hour."""
    minutes = estimate_minutes(prose_words, questions, quiz_words)
    halves = (minutes / 60 * 2).to_integral_value(rounding=ROUND_FLOOR)
    return halves / 2


def ce_hours_basis(prose_words: int, questions: int, quiz_words: Decimal) -> str:
    """How a course's CE hours were estimated, in a sentence (with its numbers) for its page."""
    minutes = estimate_minutes(prose_words, questions, quiz_words)
    left_out = ", ".join(title.lower() for title in UNCOUNTED_SECTIONS)
    return (f"{prose_words:,} words of lesson prose (leaving out {left_out}, code and image "
            f"text) and {round(quiz_words):,} words of the {questions} quiz questions a learner "
            f"answers, read at {WORDS_PER_MINUTE} words a minute, plus "
            f"{hours_text(MINUTES_PER_QUESTION)} minutes to answer each question, make "
            f"{minutes.quantize(Decimal('1'), rounding=ROUND_FLOOR)} minutes, rounded down to "
            f"the half hour: {ce_label(estimate_ce_hours(prose_words, questions, quiz_words))}")


def ce_hours_problem(hours: Decimal) -> str | None:
    """Why `hours` cannot be a course's CE hours (files and the Author area alike), or None."""
    if (not hours.is_finite() or not MIN_CE_HOURS <= hours <= MAX_CE_HOURS
            or hours != hours.quantize(Decimal("0.01"))):
        return (f"CE hours run from {hours_text(MIN_CE_HOURS)} to {hours_text(MAX_CE_HOURS)}, "
                "in hundredths at most, such as 1.5")
    return None


@dataclass(frozen=True)
class ContentSet:
    courses: tuple[CourseSource, ...]
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)
