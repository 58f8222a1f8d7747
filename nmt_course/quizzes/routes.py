"""Taking a quiz and reviewing an attempt. Grading happens in services, on the server."""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from .. import queries, services
from ..courses.routes import lesson_or_404
from ..grading import answers_revealed, attempts_left, grade
from .forms import build_quiz_form, present

bp = Blueprint("quizzes", __name__)
DRAFT_KEY = "quiz_draft"


def _quiz_or_404(slug: str, lesson_slug: str):
    place = lesson_or_404(slug, lesson_slug)
    quiz = queries.active_quiz(place.lesson.id)
    if quiz is None:
        abort(404)
    return place.course, place.lesson, place.following, quiz


def _secret() -> bytes:
    return current_app.secret_key.encode()


def _render_form(course, lesson, quiz, version, number: int, *, form=None, formdata=None,
                 notice: str | None = None, status: int = 200):
    """The quiz page: a fresh form, one refilled from `formdata`, or a validated `form`."""
    if form is None:
        presented = present(version, _secret(), current_user.id, number)
        form = (build_quiz_form(presented, formdata=formdata) if formdata is not None
                else build_quiz_form(presented))
    form.version.data, form.attempt.data = str(version.id), str(number)
    left = attempts_left(attempts_used=number - 1, max_attempts=version.max_attempts)
    return render_template("quizzes/take.html", course=course, lesson=lesson, quiz=quiz,
                           version=version, number=number, form=form, notice=notice,
                           attempts_left=left), status


@bp.route("/courses/<slug>/lessons/<lesson_slug>/quiz", methods=["GET", "POST"])
@login_required
def take(slug: str, lesson_slug: str):
    """Show the quiz (writing nothing) or grade a submission."""
    course, lesson, _, quiz = _quiz_or_404(slug, lesson_slug)
    if request.method == "POST":
        return _submit(course, lesson, quiz)

    current = queries.current_version(quiz.id)
    count, passed = queries.attempt_count(current_user.id, quiz.id)
    if passed or (current.max_attempts and count >= current.max_attempts):
        attempts = queries.attempts_for(current_user.id, quiz.id)
        return render_template("quizzes/closed.html", course=course, lesson=lesson,
                               attempts=attempts, passed=passed)
    version = queries.version_with_questions(current.id, quiz.id)
    draft = session.get(DRAFT_KEY)
    if draft and draft.get("path") == request.path:  # answers kept across a lost session
        session.pop(DRAFT_KEY)
        return _render_form(course, lesson, quiz, version, count + 1,
                            formdata=_as_formdata(draft["answers"]),
                            notice="We kept the answers you had chosen. Check them and "
                                   "submit when you are ready.")
    return _render_form(course, lesson, quiz, version, count + 1)


def _as_formdata(answers: dict[str, list[str]]) -> MultiDict:
    return MultiDict([(key, value) for key, values in answers.items() for value in values])


def _submit(course, lesson, quiz):
    version_id = request.form.get("version", type=int)
    number = request.form.get("attempt", type=int)
    version = queries.version_with_questions(version_id, quiz.id) if version_id else None
    if version is None or not number or number < 1:
        flash("That quiz form was incomplete. Here is the quiz again.", "warning")
        return redirect(url_for("quizzes.take", slug=course.slug, lesson_slug=lesson.slug))
    presented = present(version, _secret(), current_user.id, number)
    form = build_quiz_form(presented)
    if not form.validate_on_submit():
        return _render_form(course, lesson, quiz, version, number, form=form, status=422)
    try:
        outcome = services.record_attempt(current_user, quiz.id, version.id, number,
                                          form.answers())
    except services.QuizClosed as error:
        flash(str(error), "warning")
        return redirect(url_for("quizzes.take", slug=course.slug, lesson_slug=lesson.slug))
    if outcome.certificate is not None:
        flash("You passed, and the course is complete: your certificate is ready.", "success")
    return redirect(url_for("quizzes.attempt", slug=course.slug, lesson_slug=lesson.slug,
                            number=outcome.attempt.number))


def recover_expired_form():
    """A quiz posted with an expired or missing CSRF token: keep the learner's answers."""
    answers = {key: request.form.getlist(key)[:50] for key in list(request.form)[:200]
               if key.startswith("q-") and len(key) <= 120}
    slug, lesson_slug = request.view_args["slug"], request.view_args["lesson_slug"]
    if not current_user.is_authenticated:
        session[DRAFT_KEY] = {"path": request.path, "answers": answers}
        flash("Your session had expired. Log in again: your quiz answers are kept.", "warning")
        return redirect(url_for("auth.login", next=request.path))
    course, lesson, _, quiz = _quiz_or_404(slug, lesson_slug)
    version_id = request.form.get("version", type=int)
    version = queries.version_with_questions(version_id, quiz.id) if version_id else None
    number = request.form.get("attempt", type=int)
    if version is None or not number:
        session[DRAFT_KEY] = {"path": request.path, "answers": answers}
        return redirect(url_for("quizzes.take", slug=slug, lesson_slug=lesson_slug))
    flash("This form had expired, so nothing was submitted. Your answers are still here: "
          "check them and submit again.", "warning")
    return _render_form(course, lesson, quiz, version, number,
                        formdata=_as_formdata(answers), status=400)


@bp.get("/courses/<slug>/lessons/<lesson_slug>/quiz/attempts/<int:number>")
@login_required
def attempt(slug: str, lesson_slug: str, number: int):
    """One of the learner's own attempts, regraded against the version it answered."""
    course, lesson, following, quiz = _quiz_or_404(slug, lesson_slug)
    attempt = queries.attempt(current_user.id, quiz.id, number)
    if attempt is None:
        abort(404)
    version = queries.version_with_questions(attempt.quiz_version_id, quiz.id)
    count, passed = queries.attempt_count(current_user.id, quiz.id)
    limit = queries.current_version(quiz.id).max_attempts
    result = grade(queries.gradable(version), attempt.answers)
    return render_template(
        "quizzes/result.html", course=course, lesson=lesson, following=following,
        attempt=attempt, version=version, result=result,
        presented=present(version, _secret(), current_user.id, attempt.number),
        revealed=answers_revealed(quiz_passed=passed, attempts_used=count, max_attempts=limit),
        can_retry=not passed and (not limit or count < limit),
        attempts_left=attempts_left(attempts_used=count, max_attempts=limit),
        certificate=queries.certificate_for(current_user.id, course.id) if passed else None)
