"""The course we ship passes `content check` and meets the course brief."""
from __future__ import annotations

import pytest

from nmt_course.config import PROJECT_ROOT
from nmt_course.content import estimate_ce_hours, load_content

CONTENT = load_content(PROJECT_ROOT / "lessons", PROJECT_ROOT / "quizzes")
COURSE = {course.slug: course for course in CONTENT.courses}["nmt-foundations"]


def test_every_shipped_lesson_and_quiz_passes_content_check_without_warnings():
    assert [str(p) for p in CONTENT.problems] == []


def test_course_is_published_with_honest_ce_hours():
    assert COURSE.status == "published"
    assert COURSE.ce_hours <= estimate_ce_hours(COURSE.word_count, COURSE.question_count)
    assert COURSE.ce_hours >= 1


def test_seven_to_nine_lessons_of_900_to_1600_words_each():
    assert 7 <= len(COURSE.lessons) <= 9
    for lesson in COURSE.lessons:
        assert 900 <= lesson.word_count <= 1600, (lesson.slug, lesson.word_count)
        assert len(lesson.objectives) >= 3, lesson.slug


@pytest.mark.parametrize("lesson", COURSE.lessons, ids=lambda lesson: lesson.slug)
def test_each_lesson_has_a_quiz_of_6_to_10_mixed_explained_questions(lesson):
    quiz = lesson.quiz
    assert quiz is not None
    assert 6 <= len(quiz.questions) <= 10
    assert {q.type for q in quiz.questions} == {"single", "multiple", "true_false"}
    for question in quiz.questions:
        assert question.explanation_markdown.strip(), question.key
