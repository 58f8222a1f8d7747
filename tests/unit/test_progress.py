"""Progress is derived from facts."""
from __future__ import annotations

from nmt_course.progress import LessonFacts, LessonState, course_progress


def facts(slug, *, quiz=True, read=False, passed=False):
    return LessonFacts(slug=slug, title=slug.title(), has_quiz=quiz, read=read,
                       quiz_passed=passed)


def test_lesson_states():
    assert facts("a").state is LessonState.NOT_STARTED
    assert facts("a", read=True).state is LessonState.READ
    assert facts("a", passed=True).state is LessonState.QUIZ_PASSED
    assert facts("a", read=True, passed=True).state is LessonState.COMPLETE
    assert facts("a", quiz=False, read=True).complete
    assert not facts("a", read=True).complete
    assert not facts("a", passed=True).complete  # reading counts: a pass alone is not enough


def test_nothing_done():
    progress = course_progress([facts("a"), facts("b", quiz=False)])
    assert progress.percent == 0
    assert not progress.started and not progress.complete
    assert [r.kind for r in progress.unmet] == ["read_lesson", "pass_quiz", "read_lesson"]
    assert progress.next_lesson.slug == "a"


def test_reading_counts_half_and_passing_completes():
    progress = course_progress([facts("a", read=True), facts("b", passed=True),
                                facts("c", quiz=False, read=True),
                                facts("d", read=True, passed=True)])
    assert progress.percent == 75  # (0.5 + 0.5 + 1 + 1) / 4
    assert [(r.kind, r.lesson_slug) for r in progress.unmet] == [("pass_quiz", "a"),
                                                                 ("read_lesson", "b")]
    assert progress.started


def test_complete_course_has_nothing_unmet():
    progress = course_progress([facts("a", read=True, passed=True),
                                facts("b", quiz=False, read=True)])
    assert (progress.percent, progress.complete, progress.next_lesson) == (100, True, None)


def test_the_evaluation_is_the_last_requirement_before_the_certificate():
    lessons = [facts("a", read=True, passed=True)]
    progress = course_progress(lessons, evaluated=False)
    assert [r.kind for r in progress.unmet] == ["evaluation"]
    assert progress.evaluation_due and not progress.complete and progress.percent == 100
    assert course_progress(lessons, evaluated=True).complete
    early = course_progress([facts("a", read=True)], evaluated=False)
    assert not early.evaluation_due and [r.kind for r in early.unmet][-1] == "evaluation"


def test_licence_requirement():
    lessons = [facts("a", read=True, passed=True)]
    unmet = course_progress(lessons, requires_licence=True, has_licence=False).unmet
    assert [r.kind for r in unmet] == ["licence_number"]
    assert course_progress(lessons, requires_licence=True, has_licence=True).complete


def test_a_course_without_lessons_is_never_complete():
    progress = course_progress([])
    assert progress.percent == 0 and not progress.complete
