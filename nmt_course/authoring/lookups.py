"""The Author area's gate and the course a URL names, for its pages."""
from __future__ import annotations

from flask import (abort, current_app, flash, make_response, render_template,
                   request)
from flask_login import current_user

from ..extensions import login_manager
from ..learning.models import Course
from ..learning.queries import course_by_slug
from ..web import EXPIRED_FORM_MESSAGE, error_page, same_origin
from . import queries
from .drafts import Draft
from .operations import initial_files
from .permissions import may_author, may_edit


def author_gate():
    """Before every Author page: log in first; then instructors and admins only (403)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not may_author(current_user):
        abort(403)
    return None


def editable_course_or_404(slug: str) -> Course:
    """The course at `slug` if the current author may edit it; 404 otherwise, so that
    others' courses do not show they exist."""
    course = course_by_slug(slug)
    if course is None or not may_edit(current_user, course.owner_id,
                                      queries.maintainer_ids(course.id)):
        abort(404)
    return course


def current_draft(course: Course) -> Draft:
    """The draft as it stands (the published files when nobody has edited yet)."""
    row = queries.draft_of(course.id)
    return Draft(course.slug, row.files if row else initial_files(course))


LABELS = {"title": "Title", "slug": "Address", "objectives": "Objectives", "body": "Lesson",
          "summary": "Summary", "description": "Description", "key": "Question id",
          "prompt": "Question", "explanation": "Explanation", "type": "Type",
          "objective": "Objective", "answer": "The statement is", "ce_hours": "CE hours",
          "right": "The right answer"}


def _label(name: str) -> str:
    """A form field's name as its editor labels it (choices-2-text: Choice 3)."""
    parts = name.split("-")
    if len(parts) == 3 and parts[0] == "choices" and parts[1].isdigit():
        kind = {"text": "", "correct": " is right", "feedback": " feedback"}.get(parts[2], "")
        return f"Choice {int(parts[1]) + 1}{kind}"
    return LABELS.get(name, name.replace("_", " ").capitalize())


def keep_unsaved_edits(error):
    """An editor form sent with an expired token or session: its text must not be lost.
    Logged in, the page comes back filled in, with a fresh token; logged out, a page holds
    the text and a Save button to press once logged in again (in another tab). A button
    (a route without a page to show again) and anything sent from another site get the
    page that says to reload: another site must not put its text in an editor."""
    if not same_origin() or "GET" not in request.url_rule.methods:
        return error_page(400, EXPIRED_FORM_MESSAGE)
    if not current_user.is_authenticated:
        fields = [(name, _label(name), value)
                  for name, value in request.form.items(multi=True) if name != "csrf_token"]
        return render_template("authoring/unsaved.html", fields=fields[:400]), 401
    if not may_author(current_user):
        abort(403)
    flash("This form had expired, so nothing was saved. Your text is still here: check it "
          "and save again.", "warning")
    response = make_response(current_app.view_functions[request.endpoint](
        **request.view_args))
    response.status_code = 400
    return response
