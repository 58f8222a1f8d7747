"""Pure progress: lesson states, course percentage and what still stands before a certificate."""
from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class LessonState(enum.Enum):
    NOT_STARTED = "not started"
    READ = "read"  # marked read; its quiz, if it has one, not passed yet
    QUIZ_PASSED = "quiz passed"  # its quiz passed, the lesson not marked read yet
    COMPLETE = "complete"


@dataclass(frozen=True)
class LessonFacts:
    slug: str
    title: str
    has_quiz: bool
    read: bool
    quiz_passed: bool
    added_after_start: bool = False  # joined the course after this learner had started it

    @property
    def state(self) -> LessonState:
        if self.complete:
            return LessonState.COMPLETE
        if self.quiz_passed:
            return LessonState.QUIZ_PASSED
        return LessonState.READ if self.read else LessonState.NOT_STARTED

    @property
    def complete(self) -> bool:
        """A lesson is complete when it is marked read and, where it has a quiz, the quiz is
        passed: passing a quiz alone does not complete a lesson nobody read."""
        return self.read and (self.quiz_passed or not self.has_quiz)


@dataclass(frozen=True)
class Requirement:
    kind: str  # read_lesson | pass_quiz | licence_number | evaluation | no_lessons
    message: str
    lesson_slug: str | None = None


@dataclass(frozen=True)
class CourseProgress:
    lessons: tuple[LessonFacts, ...]
    percent: int
    unmet: tuple[Requirement, ...]

    @property
    def complete(self) -> bool:
        return not self.unmet

    @property
    def started(self) -> bool:
        return any(lesson.read or lesson.quiz_passed for lesson in self.lessons)

    @property
    def new_lessons(self) -> tuple[LessonFacts, ...]:
        """Lessons added since the learner started that they have not completed yet."""
        return tuple(lesson for lesson in self.lessons
                     if lesson.added_after_start and not lesson.complete)

    @property
    def next_lesson(self) -> LessonFacts | None:
        return next((lesson for lesson in self.lessons if not lesson.complete), None)

    @property
    def lessons_complete(self) -> bool:
        """Every lesson is complete (what the course evaluation waits for)."""
        return bool(self.lessons) and self.next_lesson is None

    @property
    def evaluation_due(self) -> bool:
        """The course evaluation is the next step: the lessons are done, it is not sent."""
        return self.lessons_complete and any(r.kind == "evaluation" for r in self.unmet)


def course_progress(lessons: Sequence[LessonFacts], *, requires_licence: bool = False,
                    has_licence: bool = False, evaluated: bool = True) -> CourseProgress:
    """Derive progress from facts; a lesson read whose quiz is not passed, or whose quiz is
    passed but which is not marked read, counts half. `evaluated`: the learner has sent the
    course evaluation (or holds the certificate, earned before evaluations existed)."""
    unmet: list[Requirement] = []
    for lesson in lessons:
        if not lesson.read:
            unmet.append(Requirement("read_lesson", f"Read “{lesson.title}” and mark it read",
                                     lesson.slug))
        if lesson.has_quiz and not lesson.quiz_passed:
            unmet.append(Requirement("pass_quiz", f"Pass the quiz for “{lesson.title}”",
                                     lesson.slug))
    if lessons and not evaluated:
        unmet.append(Requirement("evaluation", "Answer the course evaluation"))
    if not lessons:
        unmet.append(Requirement("no_lessons", "This course has no lessons yet"))
    if requires_licence and not has_licence:
        unmet.append(Requirement("licence_number",
                                 "Add your licence number to your account; this course's "
                                 "certificate must show it"))
    complete = sum(lesson.complete for lesson in lessons)
    half = sum((lesson.read or lesson.quiz_passed) and not lesson.complete
               for lesson in lessons)
    return CourseProgress(tuple(lessons), percent(len(lessons), complete, half), tuple(unmet))


def percent(lessons: int, complete: int, read_only: int) -> int:
    """The course percentage: a complete lesson counts whole, one half done (read with its
    quiz not passed, or its quiz passed without a read mark) counts half (rounded down, so
    100 means every lesson is complete)."""
    if not lessons:
        return 0
    return (2 * complete + read_only) * 100 // (2 * lessons)
