"""What makes writing a course quicker: duplicating a course, a lesson or a question; a new
order of lessons or questions in one request (dragged, or moved with the keyboard); the
lesson editor's autosave and its live preview, rendered by the learners' own Markdown
pipeline. The pages work without JavaScript; these routes are what static/js/site.js calls
when it runs."""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_wtf.csrf import CSRFError

from ..content.markdown import render_document
from ..extensions import limiter
from ..web import ActionForm, learner, per_person, runtime
from . import draft_operations, operations, queries
from .forms import DuplicateCourseForm, LessonForm, PreviewForm
from .lookups import author_gate, current_draft, editable_course_or_404, keep_unsaved_edits
from .workspace import workspace

bp = Blueprint("writing", __name__, url_prefix="/author/courses/<slug>")
bp.before_request(author_gate)
bp.register_error_handler(CSRFError, keep_unsaved_edits)

MAX_ORDER = 500  # lessons or questions a new order may name


def _action(slug: str):
    course = editable_course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    return course


@bp.post("/duplicate")
def duplicate_course(slug: str):
    """A new course of the author's own, starting as a copy of this one's draft."""
    course = editable_course_or_404(slug)
    form = DuplicateCourseForm(prefix="copy")  # its ids differ from the settings form's
    if form.validate_on_submit():
        try:
            copy = operations.duplicate_course(runtime(), learner(), course,
                                               slug=form.slug.data or "", title=form.title.data)
        except operations.AuthoringError as error:
            form.slug.errors.append(str(error))
        else:
            flash(f"“{copy.title}” is a copy of “{course.title}”, as a draft of your own. "
                  "Learners' records and the approval number stay with the original.",
                  "success")
            return redirect(url_for("authoring.course", slug=copy.slug))
    return workspace(course, duplicate_form=form, status=422)


@bp.post("/lessons/<lesson>/duplicate")
def duplicate_lesson(slug: str, lesson: str):
    """A copy of the lesson and its quiz, just after it."""
    course = _action(slug)
    try:
        copy = draft_operations.duplicate_lesson(runtime(), learner(), course, lesson)
    except draft_operations.AuthoringError:
        abort(404)
    flash("The lesson is copied: change what differs and save.", "success")
    return redirect(url_for("lesson_editor.edit", slug=slug, lesson=copy))


@bp.post("/lessons/<lesson>/quiz/questions/<key>/duplicate")
def duplicate_question(slug: str, lesson: str, key: str):
    """A copy of the question, just after it."""
    course = _action(slug)
    try:
        copy = draft_operations.duplicate_question(runtime(), learner(), course, lesson, key)
    except draft_operations.AuthoringError:
        abort(404)
    flash(f"The question is copied as {copy}: change what differs and save.", "success")
    return redirect(url_for("lesson_editor.question", slug=slug, lesson=lesson, key=copy))


def _order() -> list[str]:
    order = request.form.getlist("order")
    if not order or len(order) > MAX_ORDER or any(len(key) > 100 for key in order):
        abort(400)
    return order


@bp.post("/lessons/order")
def order_lessons(slug: str):
    """The lessons in the order the author dragged them to."""
    course = _action(slug)
    try:
        draft_operations.reorder_lessons(runtime(), learner(), course, _order())
    except draft_operations.AuthoringError as error:
        flash(str(error), "warning")
    return redirect(url_for("authoring.course", slug=slug) + "#lessons-heading")


@bp.post("/lessons/<lesson>/quiz/order")
def order_questions(slug: str, lesson: str):
    """The quiz's questions in the order the author dragged them to."""
    course = _action(slug)
    try:
        draft_operations.reorder_questions(runtime(), learner(), course, lesson, _order())
    except draft_operations.AuthoringError as error:
        flash(str(error), "warning")
    return redirect(url_for("lesson_editor.quiz", slug=slug, lesson=lesson)
                    + "#questions-heading")


@bp.post("/lessons/<lesson>/autosave")
def autosave(slug: str, lesson: str):
    """The lesson editor's text, saved as a revision every 30 seconds while it changes.
    Never over a newer save of the lesson by someone else: that is answered 409, and the
    editor asks its author to save by hand, which shows both versions. The address is not
    changed by an autosave (the editor's own address would change under it)."""
    course = editable_course_or_404(slug)
    if draft_operations.lesson_text(current_draft(course), lesson) is None:
        abort(404)
    form = LessonForm()
    if not form.validate_on_submit():
        problems = [f"{form[name].label.text}: {' '.join(map(str, errors))}"
                    for name, errors in form.errors.items() if name != "csrf_token"]
        return jsonify(saved=False, message="Not saved automatically: "
                       + "; ".join(problems or ["the form has expired, reload the page"])), 422
    try:
        draft_operations.save_lesson(
            runtime(), learner(), course, lesson, slug=lesson, title=form.title.data,
            objectives=form.objectives.data, body=form.body.data,
            min_minutes=form.min_minutes.data, loaded=form.revision.data or 0, autosaved=True)
    except draft_operations.EditConflict as clash:
        return jsonify(saved=False, conflict=True, message=(
            f"{', '.join(clash.saved_by) or 'Someone'} saved this lesson after you opened "
            "it, so your edits were not saved automatically. Press “Save the lesson” to see "
            "both versions and merge them.")), 409
    except draft_operations.AuthoringError as error:
        return jsonify(saved=False, message=f"Not saved automatically: {error}"), 422
    now = runtime().clock()
    return jsonify(saved=True, revision=queries.latest_revision(course.id),
                   message=f"Saved automatically at {now:%H:%M} UTC.")


@bp.post("/lessons/preview")
@limiter.limit("60 per minute", key_func=per_person)
def preview(slug: str):
    """A lesson's text as learners will see it: the server's own sanitising Markdown
    pipeline, never a script's guess at it. Size-capped by the form, rate-limited."""
    editable_course_or_404(slug)
    form = PreviewForm()
    if not form.validate_on_submit():
        abort(400)
    html, *_ = render_document(form.body.data or "")
    return html, 200, {"Content-Type": "text/html; charset=utf-8"}
