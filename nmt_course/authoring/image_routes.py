"""A course's image library in the Author area: upload with its description, replace,
delete. Every refusal, a file too large to read included, is answered on the course page
with what the author typed kept."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..content.images import MAX_BYTES, MAX_UPLOAD_BYTES, ImageRefused, check_image, megabytes
from ..web import ActionForm, learner, runtime
from . import image_operations, operations
from .draft_operations import AuthoringError
from .forms import ImageForm, ReplaceImageForm
from .lookups import author_gate, editable_course_or_404, keep_unsaved_edits
from .workspace import workspace

bp = Blueprint("images", __name__, url_prefix="/author/courses/<slug>/images")
bp.register_error_handler(CSRFError, keep_unsaved_edits)


@bp.url_value_preprocessor
def _read_larger_uploads(endpoint, values) -> None:
    """An image form may carry a phone's photo: its request is read up to MAX_UPLOAD_BYTES
    (the file spooled to disk), so that a file past MAX_BYTES is answered on the form with
    the description kept. This runs before the CSRF check, which reads the form first."""
    request.max_content_length = MAX_UPLOAD_BYTES


bp.before_request(author_gate)


def replace_prefix(image_id: int) -> str:
    return f"replace-{image_id}"


def _read(form) -> bytes:
    # One byte past the limit: enough to refuse a larger file without reading it all.
    return form.image.data.read(MAX_BYTES + 1)


@bp.post("")
def upload(slug: str):
    """Keep an image for the lessons, with what it shows; its Markdown is offered to paste."""
    course = editable_course_or_404(slug)
    form = ImageForm()
    if not form.validate_on_submit():
        return workspace(course, image_form=form, status=422)
    try:
        checked = check_image(form.image.data.filename or "image", _read(form))
    except ImageRefused as error:
        form.image.errors.append(str(error))
        return workspace(course, image_form=form, status=422)
    image = image_operations.add_image(runtime(), learner(), course, checked, form.alt.data)
    flash("Image saved. Paste this into a lesson: "
          f"{operations.image_markdown(course, image.name, image.alt)}", "success")
    return redirect(url_for("authoring.course", slug=slug) + "#images-heading")


@bp.post("/<int:image_id>/replace")
def replace(slug: str, image_id: int):
    """A new picture for an image: kept under a new name, and the draft shows it instead."""
    course = editable_course_or_404(slug)
    form = ReplaceImageForm(prefix=replace_prefix(image_id))
    if not form.validate_on_submit():
        return workspace(course, replace=(image_id, form), status=422)
    old_name = form.image.data.filename or "image"
    try:
        checked = check_image(old_name, _read(form))
        image = image_operations.replace_image(runtime(), learner(), course, image_id,
                                               checked, form.alt.data or "")
    except LookupError:
        abort(404)
    except (ImageRefused, AuthoringError) as error:
        form.image.errors.append(str(error))
        return workspace(course, replace=(image_id, form), status=422)
    flash(f"The image is replaced: the draft now shows {image.name}. Publish the draft for "
          "learners to see it.", "success")
    return redirect(url_for("authoring.course", slug=slug) + "#images-heading")


@bp.post("/<int:image_id>/delete")
def delete(slug: str, image_id: int):
    """Delete an image no lesson shows."""
    course = editable_course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        what = image_operations.delete_image(runtime(), learner(), course, image_id)
    except LookupError:
        abort(404)
    except AuthoringError as error:
        flash(str(error), "warning")
        return workspace(course, status=409)
    flash(f"The image “{what}” is deleted.", "info")
    return redirect(url_for("authoring.course", slug=slug) + "#images-heading")


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A file past even MAX_UPLOAD_BYTES: the request is not read, so the form comes back
    with the limit (the page's script stops most such files before they are sent)."""
    # The body is not read: the page's forms are built empty, as for a first visit.
    request.form = request.files = ImmutableMultiDict()
    try:  # the request was refused before the page's own checks ran: run them now
        gate = author_gate()
        if gate is not None:
            return gate
        course = editable_course_or_404((request.view_args or {}).get("slug", ""))
    except HTTPException as refused:
        return current_app.handle_http_exception(refused)
    message = (f"The file is larger than {megabytes(MAX_UPLOAD_BYTES)}, so it was not read; "
               f"images may be at most {megabytes(MAX_BYTES)}. Make it smaller, then choose "
               "it again (and type its description again).")
    image_id = (request.view_args or {}).get("image_id")
    if image_id is not None:
        form = ReplaceImageForm(formdata=None, prefix=replace_prefix(image_id))
        form.image.errors = [message]
        return workspace(course, replace=(image_id, form), status=413)
    form = ImageForm(formdata=None)
    form.image.errors = [message]
    return workspace(course, image_form=form, status=413)
