"""The draft as a learner would see it: the course, each lesson and each quiz, rendered from
the draft's files by the same renderer and the same page parts learners get; a preview
attempt at a quiz is graded and reviewed by the learners' code, and stored nowhere."""
from __future__ import annotations

from dataclasses import dataclass, replace

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from ..content import CourseSource, ReviewMode, Severity
from ..grading import grade, gradable
from ..quizzes import policy
from ..quizzes.presentation import BankQuestion, Presentation, present
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


@dataclass(frozen=True)
class Previewed:
    """What a preview attempt shows: one question, the whole bank, or a learner's draw."""

    shown: Presentation
    question: str | None = None  # the one question previewed
    whole_bank: bool = False
    draw: int = 1  # which of a learner's draws (its attempt number)

    @property
    def args(self) -> dict:
        """The query string that shows this same attempt again."""
        if self.question:
            return {"question": self.question}
        return {"all": 1} if self.whole_bank else {"draw": self.draw}


MAX_DRAW = 1000  # draws an author can step through


def _previewed(quiz) -> Previewed:
    bank = [BankQuestion(q.key, q.type, q.objective, tuple(c.key for c in q.choices))
            for q in quiz.questions]
    key, learner_id = runtime().settings.order_key, current_user.id
    if "question" in request.args:
        one = [q for q in bank if q.key == request.args["question"]]
        if not one:
            abort(404)
        return Previewed(present(key, learner=learner_id, version=0, attempt=1, bank=one,
                                 draw=None), question=one[0].key)
    if request.args.get("all"):
        return Previewed(present(key, learner=learner_id, version=0, attempt=1, bank=bank,
                                 draw=None), whole_bank=True)
    draw = request.args.get("draw", 1, type=int)
    if not 1 <= draw <= MAX_DRAW:
        abort(404)
    return Previewed(present(key, learner=learner_id, version=0, attempt=draw, bank=bank,
                             draw=quiz.draw), draw=draw)


@bp.route("/lessons/<lesson>/quiz", methods=["GET", "POST"])
def quiz(slug: str, lesson: str):
    """A lesson's quiz as a learner meets it: one question, the whole bank, or a learner's
    draw. Submitted, it is graded and reviewed as a learner's attempt would be, by the same
    code; nothing is stored, so nothing counts in item analysis or attempt limits."""
    course, source, errors = _parsed(slug)
    found, *_ = _lesson_or_404(source, lesson)
    if found.quiz is None:
        abort(404)
    previewed = _previewed(found.quiz)
    questions = list(found.quiz.questions)
    form = build_quiz_form(presented(questions, previewed.shown))
    if request.method == "POST" and form.validate_on_submit():
        return _result(course, found, questions, previewed, form.answers(), errors)
    return render_template("authoring/preview_quiz.html", course=course, lesson=found,
                           quiz=found.quiz, form=form, previewed=previewed,
                           max_draw=MAX_DRAW, errors=errors), 422 if form.errors else 200


def _result(course, lesson, questions, previewed: Previewed, answers, errors):
    """The graded preview attempt, with the review a learner would get after it as their
    first attempt and, if that hides the answers, after a pass or their last attempt."""
    quiz = lesson.quiz
    shown = presented(questions, previewed.shown)
    asked = [item.question for item in shown]
    result = grade(gradable(asked, quiz.pass_mark), answers)
    missed = {q.key: q.objective for q, mark in zip(asked, result.questions) if not mark.correct}
    first = policy.Standing(attempts_used=1, passed=result.passed, current_version_id=None,
                            max_attempts=quiz.max_attempts)
    mode = ReviewMode(quiz.review_after_fail)
    review = policy.review(first, mode=mode, missed=missed)
    revealed = (None if review.answers else
                policy.review(replace(first, passed=True), mode=mode, missed=missed))
    return render_template(
        "authoring/preview_result.html", course=course, lesson=lesson, quiz=quiz,
        result=result, presented=shown, review=review, revealed=revealed,
        previewed=previewed, attempts_left=policy.attempts_left(first), errors=errors,
        lesson_url=url_for("preview.lesson", slug=course.slug, lesson=lesson.slug))
