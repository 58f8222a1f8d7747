"""Checks over a whole quiz or course: true/false keys one-sided, prompts repeated,
objectives no question tests."""
from __future__ import annotations

import re
from collections import Counter

from ..model import CourseSource, LessonSource, Problem, QuestionSource, QuizSource
from .common import more_than, text_of, true_false_keys, warn

QUIZ_TRUE_FALSE_MIN, QUIZ_TRUE_FALSE_MAX_PERCENT = 4, 75
COURSE_TRUE_FALSE_MIN, COURSE_TRUE_LOW_PERCENT, COURSE_TRUE_HIGH_PERCENT = 8, 30, 70
_PUNCTUATION = re.compile(r"[^\w\s]")


def one_sided_quiz(quiz: QuizSource) -> list[Problem]:
    keys = true_false_keys(quiz.questions)
    if len(keys) < QUIZ_TRUE_FALSE_MIN:
        return []
    key, count = Counter(keys).most_common(1)[0]
    if not more_than(count, len(keys), QUIZ_TRUE_FALSE_MAX_PERCENT):
        return []
    return [warn(quiz.path, quiz.line, "one-sided-true-false",
                 f"{count} of {len(keys)} true/false questions are keyed '{key}': learners who "
                 f"always answer '{key}' score well without knowing; rewrite some statements "
                 "as their opposite so that true and false are about even")]


def one_sided_course(course: CourseSource) -> list[Problem]:
    keys = [key for lesson in course.lessons if lesson.quiz
            for key in true_false_keys(lesson.quiz.questions)]
    if len(keys) < COURSE_TRUE_FALSE_MIN:
        return []
    trues = keys.count("true")
    if not (trues * 100 < len(keys) * COURSE_TRUE_LOW_PERCENT
            or more_than(trues, len(keys), COURSE_TRUE_HIGH_PERCENT)):
        return []
    return [warn(course.path, 1, "one-sided-true-false",
                 f"{trues} of {len(keys)} true/false questions in the course are keyed 'true' "
                 f"({round(trues * 100 / len(keys))} %): learners who guess one way gain; "
                 f"rewrite some statements as their opposite so that "
                 f"{COURSE_TRUE_LOW_PERCENT}-{COURSE_TRUE_HIGH_PERCENT} % are true")]


def _normalised_prompt(question: QuestionSource) -> str:
    return " ".join(_PUNCTUATION.sub(" ", text_of(question.prompt_html).lower()).split())


def duplicate_prompts(course: CourseSource) -> list[Problem]:
    first_seen: dict[str, tuple[LessonSource, QuestionSource]] = {}
    problems = []
    for lesson in course.lessons:
        if lesson.quiz is None:
            continue
        for question in lesson.quiz.questions:
            prompt = _normalised_prompt(question)
            if not prompt:
                continue
            if prompt not in first_seen:
                first_seen[prompt] = (lesson, question)
                continue
            earlier, other = first_seen[prompt]
            where = "this quiz" if earlier is lesson else f"the quiz of “{earlier.title}”"
            problems.append(warn(
                lesson.quiz.path, question.line, "duplicate-prompt",
                f"question '{question.key}' has the same prompt as question '{other.key}' of "
                f"{where}: learners meet one item twice; reword one to test something "
                "else, or delete it", question.key))
    return problems


def untested_objectives(lesson: LessonSource, quiz: QuizSource) -> list[Problem]:
    tested = {question.objective for question in quiz.questions}
    return [warn(lesson.path, lesson.objectives_line, "untested-objective",
                 f"objective {number} \"{' '.join(objective.split())}\" is tested by no "
                 f"question of the lesson's quiz; add a question with 'objective: {number}'")
            for number, objective in enumerate(lesson.objectives, start=1)
            if number not in tested]
