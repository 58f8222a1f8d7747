"""The course we ship passes `content check` and meets the course brief."""
from __future__ import annotations

import re

import pytest

from nmt_course.config import PROJECT_ROOT
from nmt_course.content import CourseStatus, estimate_ce_hours
from tests.helpers import content_of

CONTENT = content_of(PROJECT_ROOT / "lessons", PROJECT_ROOT / "quizzes")
COURSE = {course.slug: course for course in CONTENT.courses}["nmt-foundations"]


def test_every_shipped_lesson_and_quiz_passes_content_check_without_warnings():
    assert [str(p) for p in CONTENT.problems] == []


def test_course_is_published_declaring_the_hours_the_rule_gives():
    # Honest hours (docs/content.md): prose without references, code and image text, plus
    # each quiz's draw x (its bank's mean words / 200 + 0.25 minutes).
    assert COURSE.status == CourseStatus.PUBLISHED.value
    assert COURSE.ce_hours == estimate_ce_hours(COURSE.word_count, COURSE.question_count,
                                                COURSE.quiz_words)


def test_ten_to_fourteen_lessons_and_at_least_12000_words():
    assert 10 <= len(COURSE.lessons) <= 14
    assert COURSE.word_count >= 12000
    for lesson in COURSE.lessons:
        assert len(lesson.objectives) >= 3, lesson.slug


@pytest.mark.parametrize("lesson", COURSE.lessons, ids=lambda lesson: lesson.slug)
def test_each_lesson_has_a_bank_that_draws_and_tests_every_objective(lesson):
    quiz = lesson.quiz
    assert quiz is not None
    assert quiz.draw is not None and quiz.draw >= 6
    assert len(quiz.questions) >= quiz.draw + 6
    assert {q.type for q in quiz.questions} >= {"single", "multiple"}
    for question in quiz.questions:
        assert question.explanation_markdown.strip(), question.key
        assert question.objective is not None, question.key
    assert {q.objective for q in quiz.questions} == set(range(1, len(lesson.objectives) + 1))


def test_most_questions_are_client_scenarios():
    """Authors mark a scenario question with '# scenario' on its id line."""
    marked = total = 0
    for lesson in COURSE.lessons:
        text = (PROJECT_ROOT / lesson.quiz.path).read_text()
        marked += sum("# scenario" in line for line in text.splitlines()
                      if line.lstrip().startswith("- id:"))
        total += len(lesson.quiz.questions)
    assert marked / total >= 0.6, (marked, total)


def test_true_false_keys_are_balanced_across_the_course():
    keys = [q.choices[0].correct for lesson in COURSE.lessons for q in lesson.quiz.questions
            if q.type == "true_false"]
    assert len(keys) >= 8
    assert 0.3 <= sum(keys) / len(keys) <= 0.7


def test_every_objective_has_a_stable_id_and_questions_name_it():
    """Reordering or deleting an objective of the shipped course re-points no question."""
    for lesson in COURSE.lessons:
        assert all(lesson.objective_ids), lesson.slug
        text = (PROJECT_ROOT / "quizzes" / COURSE.slug / f"{lesson.slug}.yaml").read_text()
        assert "objective: o" in text and not re.search(r"objective: \d", text), lesson.slug
