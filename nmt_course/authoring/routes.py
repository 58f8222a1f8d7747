"""The Author area: the courses an author may edit, a course's draft, its settings, images,
maintainers, publication."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from ..content import Severity
from ..formatting import count_of
from ..learning import queries as learning_queries
from ..learning.export import course_files, zip_of
from ..web import ActionForm, learner, runtime
from . import draft_operations, operations, queries
from .conflicts import conflict_of, course_rows
from .revisions import changes
from .forms import CourseSettingsForm, MaintainerForm, NewCourseForm, PublishForm
from .lookups import author_gate, current_draft, editable_course_or_404, keep_unsaved_edits
from .permissions import may_manage_maintainers
from .workspace import located, workspace

bp = Blueprint("authoring", __name__, url_prefix="/author")
bp.before_request(author_gate)
bp.register_error_handler(CSRFError, keep_unsaved_edits)


@bp.get("/")
def index():
    """The courses this author may edit."""
    return render_template("authoring/index.html",
                           courses=queries.authored_courses(current_user))


@bp.route("/courses/new", methods=["GET", "POST"])
def new_course():
    """Start a course; learners see nothing of it until it is published."""
    form = NewCourseForm()
    if form.validate_on_submit():
        try:
            course = operations.create_course(
                runtime(), learner(), slug=form.slug.data, title=form.title.data,
                summary=form.summary.data or "", ce_hours=form.ce_hours.data,
                course_type=form.course_type.data)
        except operations.AuthoringError as error:
            form.slug.errors.append(str(error))
        else:
            flash("The course is created as a draft. Add its lessons, then publish it.",
                  "success")
            return redirect(url_for("authoring.course", slug=course.slug))
    return render_template("authoring/new_course.html", form=form)


@bp.get("/courses/<slug>")
def course(slug: str):
    """A course's draft: its settings, lessons, images and problems, and publication."""
    return workspace(editable_course_or_404(slug))


@bp.post("/courses/<slug>/settings")
def settings(slug: str):
    course = editable_course_or_404(slug)
    form = CourseSettingsForm()
    if not form.validate_on_submit():
        return workspace(course, settings=form, status=422)
    try:
        draft_operations.save_course_settings(
            runtime(), learner(), course, title=form.title.data,
            summary=form.summary.data or "", ce_hours=form.ce_hours.data,
            course_type=form.course_type.data, approval_number=form.approval_number.data or "",
            requires_licence=form.requires_licence.data,
            description=form.description.data or "", loaded=form.revision.data or 0)
    except draft_operations.EditConflict as clash:
        return workspace(course, settings=form, status=409,
                          conflict=conflict_of(clash, form, course_rows(clash.theirs, form)))
    flash("The course settings are saved in the draft.", "success")
    return redirect(url_for("authoring.course", slug=slug))


def _review(course, form: PublishForm, status: int = 200):
    """The changes since the last publication, the check's problems, and the button."""
    row = queries.draft_of(course.id)
    files = row.files if row is not None else current_draft(course).files
    problems, _ = operations.check_draft(course, files)
    draft = current_draft(course)
    titles = {entry.slug: draft.lesson_title(entry) for entry in draft.lessons()}
    if not form.is_submitted():
        form.revision.data = queries.latest_revision(course.id)
    return render_template(
        "authoring/publish.html", course=course, form=form, has_draft=row is not None,
        changes=changes(course.slug, course.source_files or {}, files),
        errors=located([p for p in problems if p.severity is Severity.ERROR], draft, titles),
        warnings=located([p for p in problems if p.severity is Severity.WARNING], draft,
                          titles)), status


@bp.route("/courses/<slug>/publish", methods=["GET", "POST"])
def publish(slug: str):
    """What publishing would change; publish it, once the author confirms."""
    course = editable_course_or_404(slug)
    form = PublishForm()
    if not form.validate_on_submit():
        return _review(course, form, 400 if form.is_submitted() else 200)
    try:
        report = operations.publish(runtime(), learner(), course,
                                    reviewed=form.revision.data or 0,
                                    warnings_confirmed=form.confirm_warnings.data)
    except operations.PublishRefused as refused:
        flash(str(refused), "warning")
        return _review(course, form, 409)
    except operations.AuthoringError as error:
        flash(str(error), "warning")
        form.revision.raw_data = None
        form.revision.data = queries.latest_revision(course.id)
        return _review(course, form, 409)
    flash(f"Published: {count_of(report.lessons_added, 'lesson')} added, "
          f"{report.lessons_updated} updated, {report.lessons_archived} archived; "
          f"{count_of(report.quiz_versions, 'new quiz version')}. Learners see it now.",
          "success")
    for waiting in (learning_queries.regrades_waiting(course.id) if report.quiz_versions
                    else ()):
        flash(f"{waiting}. Its quiz page links to the regrade.", "warning")
    return redirect(url_for("authoring.course", slug=slug))


@bp.get("/courses/<slug>/export.zip")
def export(slug: str):
    """The course as files (a zip for `content import`): published, or the draft."""
    course = editable_course_or_404(slug)
    row = queries.draft_of(course.id) if request.args.get("draft") else None
    files = course_files(course, row.files if row is not None else None)
    name = f"{slug}{'-draft' if row is not None else ''}.zip"
    try:
        archive = zip_of(files)
    except ValueError as error:  # a path stored by an import before paths were checked
        flash(f"The course could not be exported: {error}.", "warning")
        return redirect(url_for("authoring.course", slug=slug))
    return archive, 200, {"Content-Type": "application/zip",
                                "Content-Disposition": f'attachment; filename="{name}"',
                                "Cache-Control": "no-store"}


@bp.post("/courses/<slug>/discard")
def discard(slug: str):
    """Throw the draft away; the published course stays as it is."""
    course = editable_course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    operations.discard_draft(runtime(), learner(), course)
    flash("The draft is discarded.", "info")
    return redirect(url_for("authoring.course", slug=slug))


@bp.post("/courses/<slug>/delete")
def delete(slug: str):
    """Delete a course that was never published."""
    course = editable_course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        operations.delete_unpublished_course(runtime(), learner(), course)
    except operations.AuthoringError as error:
        flash(str(error), "warning")
        return redirect(url_for("authoring.course", slug=slug))
    flash(f"“{course.title}” is deleted.", "info")
    return redirect(url_for("authoring.index"))


@bp.post("/courses/<slug>/maintainers")
def add_maintainer(slug: str):
    course = editable_course_or_404(slug)
    if not may_manage_maintainers(current_user, course.owner_id):
        abort(403)
    form = MaintainerForm()
    if form.validate_on_submit():
        try:
            user = operations.add_maintainer(runtime(), learner(), course, form.email.data)
        except operations.AuthoringError as error:
            form.email.errors.append(str(error))
        else:
            flash(f"{user.legal_name} can now edit this course.", "success")
            return redirect(url_for("authoring.course", slug=slug) + "#maintainers-heading")
    return workspace(course, maintainer_form=form, status=422)


@bp.post("/courses/<slug>/maintainers/<int:user_id>/remove")
def remove_maintainer(slug: str, user_id: int):
    course = editable_course_or_404(slug)
    if not may_manage_maintainers(current_user, course.owner_id):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        operations.remove_maintainer(runtime(), learner(), course, user_id)
    except operations.AuthoringError:
        abort(404)
    flash("Removed from the course's maintainers.", "info")
    return redirect(url_for("authoring.course", slug=slug) + "#maintainers-heading")
