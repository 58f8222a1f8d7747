"""A course's history: every revision of its files with its author and time, what each
changed (lesson text by line, questions by field), and bringing a part back: as a revision
had it (restore), or as it is published (discard)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from ..web import ActionForm, learner, runtime
from . import history_operations, queries
from .draft_operations import AuthoringError, files_at
from .lookups import author_gate, editable_course_or_404, keep_unsaved_edits
from .revisions import changes, parts

bp = Blueprint("history", __name__, url_prefix="/author/courses/<slug>/history")
bp.before_request(author_gate)
bp.register_error_handler(CSRFError, keep_unsaved_edits)


@bp.get("/")
def index(slug: str):
    """Every revision, newest first."""
    course = editable_course_or_404(slug)
    return render_template("authoring/history.html", course=course,
                           revisions=queries.revisions(course.id))


@bp.get("/<int:number>")
def revision(slug: str, number: int):
    """What revision `number` changed, against the one before it."""
    course = editable_course_or_404(slug)
    found = queries.revision(course.id, number)
    if found is None:
        abort(404)
    after = queries.revision_files(found)
    before = files_at(course, number - 1) if number > 1 else {}
    return render_template(
        "authoring/revision.html", course=course, revision=found,
        changes=changes(course.slug, before, after), after_parts=parts(course.slug, after),
        before_parts=parts(course.slug, before) if number > 1 else {},
        action_form=ActionForm())


@bp.post("/<int:number>/restore")
def restore(slug: str, number: int):
    """Bring one part back into the draft as revision `number` had it (a new revision)."""
    course = editable_course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        history_operations.restore(runtime(), learner(), course, number,
                                   request.form.get("part", ""))
    except AuthoringError as error:
        flash(f"Nothing was restored: {error}", "warning")
        return redirect(url_for("history.revision", slug=slug, number=number))
    flash(f"Restored into the draft as revision {number} had it. The change is the newest "
          "revision below.", "success")
    return redirect(url_for("history.revision", slug=slug,
                            number=queries.latest_revision(course.id)))


@bp.post("/discard")
def discard(slug: str):
    """Set one lesson, quiz or the settings back to the published course."""
    course = editable_course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        history_operations.discard_part(runtime(), learner(), course,
                                        request.form.get("part", ""))
    except AuthoringError as error:
        flash(f"Nothing was discarded: {error}", "warning")
    else:
        flash("Those edits are discarded: the part is as published. The history keeps them.",
              "info")
    return redirect(url_for("authoring.course", slug=slug))
