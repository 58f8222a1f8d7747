"""The draft as a learner would see it: the course, each lesson and each quiz, rendered from
the draft's files by the same renderer and the same page parts learners get."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from ..content import CourseSource, Severity
from ..quizzes.presentation import BankQuestion, present
from ..quiz_form import build_quiz_form, presented
from ..web import runtime
from . import operations
from .lookups import author_gate, current_draft, editable_course_or_404

bp = Blueprint("preview", __name__, url_prefix="/author/courses/<slug>/preview")
bp.before_request(author_gate)


def _parsed(slug: str):
    course = editable_course_or_404(slug)
    problems, source = operations.check_draft(course, current_draft(course).files)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    return course, source, errors


def _lesson_or_404(source: CourseSource | None, lesson_slug: str):
    lessons = list(source.lessons) if source else []
    for index, lesson in enumerate(lessons):
        if lesson.slug == lesson_slug:
            return lesson, index + 1, len(lessons), (
                lessons[index + 1] if index + 1 < len(lessons) else None)
    abort(404)


@bp.get("/")
def course(slug: str):
    """The course page of the draft."""
    course, source, errors = _parsed(slug)
    return render_template("authoring/preview_course.html", course=course, source=source,
                           errors=errors)


@bp.get("/lessons/<lesson>")
def lesson(slug: str, lesson: str):
    """A lesson of the draft, exactly as learners will read it."""
    course, source, errors = _parsed(slug)
    found, number, total, following = _lesson_or_404(source, lesson)
    return render_template("authoring/preview_lesson.html", course=course, lesson=found,
                           number=number, total=total, following=following, row=None,
                           errors=errors)


@bp.get("/lessons/<lesson>/quiz")
def quiz(slug: str, lesson: str):
    """A lesson's quiz as a learner's first attempt shows it (nothing can be submitted)."""
    course, source, errors = _parsed(slug)
    found, *_ = _lesson_or_404(source, lesson)
    if found.quiz is None:
        abort(404)
    questions = list(found.quiz.questions)
    bank = [BankQuestion(q.key, q.type, q.objective, tuple(c.key for c in q.choices))
            for q in questions]
    shown = present(runtime().settings.order_key, learner=current_user.id, version=0,
                    attempt=1, bank=bank, draw=found.quiz.draw)
    form = build_quiz_form(presented(questions, shown))
    return render_template("authoring/preview_quiz.html", course=course, lesson=found,
                           quiz=found.quiz, form=form, errors=errors)
