"""Taking a quiz and reviewing an attempt. The rules are in policy.py, grading and storing in
operations.py; these pages parse the form and show the outcome."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict

from ..accounts.queries import admin_addresses
from ..certificates.queries import certificate_for
from ..clinics.notice_queries import clinic_contacts
from ..grading import grade, gradable
from ..extensions import limiter
from ..learning import operations as learning, queries as learning_queries
from ..mailing.messages import render_email
from ..quiz_form import build_quiz_form, presented
from ..web import (EXPIRED_FORM_MESSAGE, ActionForm, db_int, error_page, learner, open_token,
                   per_person, posted_open_time, runtime, same_origin)
from . import operations, policy, queries, regrade
from .forms import FlagForm
from .presentation import Presentation

bp = Blueprint("quizzes", __name__)
# Answers kept in the session across a lost login (log_in carries "keep:" keys over).
DRAFT_KEY = "keep:quiz_draft"


def _context_or_404(slug: str, lesson_slug: str, *,
                    with_history: bool = False) -> learning_queries.QuizContext:
    """The quiz with the learner's standing at its current version (one statement; for a
    submission, with what its answers' item-analysis flags need)."""
    context = learning_queries.quiz_context(slug, lesson_slug, current_user.id,
                                            with_history=with_history)
    if context is None:
        abort(404)
    return context


def _standing_or_404(context: learning_queries.QuizContext, *, fresh: bool = False):
    """The standing read with the context or, after a write was refused (`fresh`), as
    stored now."""
    if context.standing is not None and not fresh:
        return context.standing, context.version
    found = queries.standing(current_user.id, context.quiz.id)
    if found is None:
        abort(404)
    return found


def _show_quiz(context, *, formdata=None, form=None, notice: str | None = None,
               status: int = 200, fresh: bool = False):
    """The quiz as it stands for this learner: closed, or the form for their next attempt
    (fresh, refilled from `formdata`, or an already validated `form`)."""
    standing, version = _standing_or_404(context, fresh=fresh)
    if policy.closed(standing) is not None:
        out = policy.out_of_attempts(standing)
        return render_template(
            "quizzes/closed.html", course=context.course, lesson=context.lesson,
            passed=standing.passed, attempts=queries.attempts_for(current_user.id,
                                                                  context.quiz.id),
            contacts=clinic_contacts(current_user.id, context.course.id) if out else [],
            support_email=runtime().settings.support_email,
            asked=queries.open_attempt_request(current_user.id, context.quiz.id)
            if out else None)
    if form is None:
        questions = queries.version_questions(version)
        shown = _presentation(version, questions, standing.next_number)
        form = build_quiz_form(presented(questions, shown), formdata=formdata)
    form.version.data, form.attempt.data = str(version.id), str(standing.next_number)
    # Shown again after a refusal, the quiz keeps the time it was first opened.
    subject = f"quiz:{context.quiz.id}"
    form.opened.data = (request.form.get("opened") if posted_open_time(subject) is not None
                        else open_token(subject))
    return render_template("quizzes/take.html", course=context.course, lesson=context.lesson,
                           version=version, number=standing.next_number, form=form,
                           notice=notice, attempts_left=policy.attempts_left(standing),
                           attempt_limit=standing.max_attempts), status


@bp.post("/courses/<slug>/lessons/<lesson_slug>/quiz/more-attempts")
@login_required
@limiter.limit("10 per minute", key_func=per_person)
def more_attempts(slug: str, lesson_slug: str):
    """The learner out of attempts asks for more, in one click; the admins are told."""
    context = _context_or_404(slug, lesson_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    settings, me = runtime().settings, learner()
    mails = [render_email("attempts_requested", to=email, settings=settings, name=name,
                          learner_name=me.legal_name, learner_email=me.email,
                          lesson_title=context.lesson.title, course_title=context.course.title,
                          link=settings.url(url_for("admin.people")))
             for email, name in admin_addresses()]
    try:
        operations.request_attempts(runtime(), me, context.quiz.id, mails)
    except operations.NotOutOfAttempts as error:
        flash(str(error), "warning")
    else:
        flash("Your request for more attempts is sent. You will be able to take the quiz again "
              "as soon as they are granted.", "success")
    return redirect(url_for("quizzes.take", slug=slug, lesson_slug=lesson_slug))


def _presentation(version, questions, number: int) -> Presentation:
    """What attempt `number` shows this learner: the same on every request, stored nowhere
    until the attempt is submitted."""
    return queries.presentation_for(runtime().settings.order_key, current_user.id, version,
                                    questions, number)


@bp.route("/courses/<slug>/lessons/<lesson_slug>/quiz", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute; 300 per day", methods=["POST"], key_func=per_person)
def take(slug: str, lesson_slug: str):
    """Show the quiz (writing nothing) or grade a submission."""
    context = _context_or_404(slug, lesson_slug, with_history=request.method == "POST")
    if request.method == "POST":
        return _submit(context)
    draft = session.get(DRAFT_KEY)
    if draft and draft.get("path") == request.path:  # answers kept across a lost session
        session.pop(DRAFT_KEY)
        return _show_quiz(context, formdata=_as_formdata(draft["answers"]),
                          notice="We kept the answers you had chosen. Check them and submit "
                                 "when you are ready.")
    return _show_quiz(context)


def _as_formdata(answers: dict[str, list[str]]) -> MultiDict:
    return MultiDict([(key, value) for key, values in answers.items() for value in values])


def _back_to_quiz(context, message: str):
    flash(message, "warning")
    return redirect(url_for("quizzes.take", slug=context.course.slug,
                            lesson_slug=context.lesson.slug))


def _submit(context):
    version_id = request.form.get("version", type=db_int)
    number = request.form.get("attempt", type=db_int)
    if not version_id or not number or number < 1:
        return _back_to_quiz(context, "That quiz form was incomplete. Here is the quiz again.")
    standing, version = _standing_or_404(context)
    verdict = policy.judge_submission(standing, number=number, version_id=version_id)
    if verdict is policy.Verdict.REPLAY:
        return _to_attempt(context, number)
    if verdict is policy.Refusal.STALE_VERSION:
        return _show_quiz(context, formdata=request.form, notice=verdict.value, status=409)
    if isinstance(verdict, policy.Refusal):
        return _back_to_quiz(context, verdict.value)

    questions = queries.version_questions(version)
    shown = _presentation(version, questions, number)
    form = build_quiz_form(presented(questions, shown))
    if not form.validate_on_submit():
        return _show_quiz(context, form=form, status=422)
    try:
        submitted = learning.submit_quiz(
            runtime(), learner(), course=context.course, version=version, questions=questions,
            shown=shown, number=number, answers=form.answers(),
            opened_at=posted_open_time(f"quiz:{context.quiz.id}"),
            seen=operations.Seen(standing, *context.history))
    except learning.CourseNotPublished:  # unpublished since the page was read
        abort(404)
    except operations.QuizRefused as refused:  # the record changed since the page looked
        if refused.refusal is policy.Refusal.STALE_VERSION:
            return _show_quiz(context, formdata=request.form, notice=str(refused), status=409,
                              fresh=True)
        return _back_to_quiz(context, str(refused))
    if submitted.completed is not None:
        flash("You passed, and the course is complete.", "success")
    return _to_attempt(context, submitted.attempt.number)


def _to_attempt(context, number: int):
    return redirect(url_for("quizzes.attempt", slug=context.course.slug,
                            lesson_slug=context.lesson.slug, number=number))


@bp.errorhandler(CSRFError)
def expired_form(error):
    """A quiz posted with an expired or missing CSRF token keeps the learner's answers."""
    # Another site must not plant answers in a visitor's new session, nor in the form a
    # logged-in learner sees.
    if request.endpoint != "quizzes.take" or request.method != "POST" or not same_origin():
        return error_page(400, EXPIRED_FORM_MESSAGE)
    answers = {key: request.form.getlist(key)[:50] for key in list(request.form)[:200]
               if key.startswith("q-") and len(key) <= 120}
    if not current_user.is_authenticated:
        session[DRAFT_KEY] = {"path": request.path, "answers": answers}
        flash("Your session had expired. Log in again: your quiz answers are kept.", "warning")
        return redirect(url_for("accounts.login", next=request.path))
    context = _context_or_404(**request.view_args)
    return _show_quiz(context, formdata=_as_formdata(answers), status=400,
                      notice="This form had expired, so nothing was submitted. Your answers "
                             "are still here: check them and submit again.")


@bp.get("/courses/<slug>/lessons/<lesson_slug>/quiz/attempts/<int:number>")
@login_required
def attempt(slug: str, lesson_slug: str, number: int):
    """One of the learner's own attempts, marked against the key that graded it (its own
    version's, or the one a regrade used), saying when the key has changed since."""
    context = _context_or_404(slug, lesson_slug)
    attempt = queries.attempt(current_user.id, context.quiz.id, number)
    if attempt is None:
        abort(404)
    standing, current = _standing_or_404(context)
    version = attempt.version
    keys = queries.questions_by_version({version.id, attempt.key_version_id, current.id})
    own = keys[version.id]
    shown = (Presentation.from_json(attempt.shown) if attempt.shown
             else _presentation(version, list(own.values()), attempt.number))
    graded = regrade.keyed(shown.questions, own, keys[attempt.key_version_id])
    result = grade(gradable(graded, version.pass_mark), attempt.answers)
    changed = set(regrade.changed(graded, regrade.keyed(shown.questions, own,
                                                        keys[current.id])))
    missed = {q.key: q.objective for q, mark in zip(graded, result.questions)
              if not mark.correct}
    certificate = (certificate_for(current_user.id, context.course.id) if standing.passed
                   else None)
    following = (learning_queries.following_lesson(context.lesson)
                 if result.passed and certificate is None else None)
    shown_questions = presented(graded, shown)
    return render_template(
        "quizzes/result.html", course=context.course, lesson=context.lesson,
        following=following, attempt=attempt, version=version, result=result,
        presented=shown_questions,
        review=policy.review(standing, mode=version.review_after_fail, missed=missed),
        can_retry=policy.closed(standing) is None,
        key_changed=[item.number for item in shown_questions if item.question.key in changed],
        attempts_left=policy.attempts_left(standing), certificate=certificate)


@bp.route("/courses/<slug>/lessons/<lesson_slug>/quiz/questions/<key>/flag",
          methods=["GET", "POST"])
@login_required
def flag(slug: str, lesson_slug: str, key: str):
    """Tell the course's authors that a question seems wrong or unclear."""
    context = _context_or_404(slug, lesson_slug)
    _, version = _standing_or_404(context)
    question = next((q for q in queries.questions_of(version.id) if q.key == key), None)
    if question is None:
        abort(404)
    form = FlagForm()
    if form.validate_on_submit():
        try:
            operations.flag_question(runtime(), learner(), quiz_id=context.quiz.id,
                                     question_key=key, comment=form.comment.data)
        except operations.FlagRefused as refused:
            form.comment.errors.append(str(refused))
        else:
            return render_template("quizzes/flag.html", course=context.course,
                                   lesson=context.lesson, question=question, form=None)
    return render_template("quizzes/flag.html", course=context.course, lesson=context.lesson,
                           question=question, form=form), 422 if form.errors else 200
