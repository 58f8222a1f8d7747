"""People, for admins: find an account, change its roles, deactivate or reactivate it,
correct a legal name, grant extra quiz attempts; and the audit log."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from ..accounts import operations as accounts
from ..accounts.models import User
from ..accounts.queries import SEARCH_LIMIT, search_users
from ..certificates.models import Certificate
from ..certificates.operations import (ProviderRefused, RevocationRefused, revoke_certificate,
                                       save_provider)
from ..certificates.provider import SIGNATURE_MAX_BYTES, check_signature
from ..certificates.queries import (certificates_for, provider, replaced_revision,
                                    revisions_of)
from ..certificates.reissue_operations import ReissueRefused, reissue_certificate
from ..learning.models import Course
from ..content.images import ImageRefused
from ..database import db
from ..formatting import count_of, typed_date
from ..quizzes import operations as quizzes
from ..web import ActionForm, admins_only, db_int, learner, runtime
from ..mailing.operations import MAX_FAILURES
from .forms import (GrantForm, LegalNameForm, ProviderForm, ReissueForm, RevokeForm,
                    RolesForm)
from .queries import (KINDS, PAGE, UNDELIVERED_SHOWN, attempt_requests, audit_events,
                      open_attempt_request, quizzes_to_grant, undelivered_mail)

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(admins_only)


@bp.get("/people")
def people():
    """Search accounts by name or e-mail."""
    text = request.args.get("q", "")[:200]
    return render_template("admin/people.html", q=text, people=search_users(text),
                           limit=SEARCH_LIMIT, requests=attempt_requests(),
                           action_form=ActionForm())


@bp.post("/attempt-requests/<int:request_id>/grant")
def grant_requested(request_id: int):
    """One more attempt for a learner who asked for it, in one click."""
    asked = open_attempt_request(request_id)
    if asked is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    user = _person_or_404(asked.user_id)
    quizzes.grant_attempts(runtime(), learner_id=user.id, quiz_id=asked.quiz_id, attempts=1,
                           reason=f"Asked for more attempts on "
                                  f"{asked.requested_at.date().isoformat()}",
                           granted_by_id=current_user.id)
    flash(f"{user.legal_name} may try that quiz once more.", "success")
    return redirect(url_for("admin.people"))


def _person_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _grant_form(user: User, data=None) -> GrantForm:
    form = (GrantForm(formdata=data, prefix="grant") if data is not None
            else GrantForm(prefix="grant"))
    groups: dict[str, list[SelectChoice]] = {}
    for quiz_id, course, lesson in quizzes_to_grant(user.id):
        groups.setdefault(course, []).append(SelectChoice(quiz_id, lesson))
    form.quiz.choices = groups
    return form


def _reissue_form(user: User, certificate: Certificate, data=None) -> ReissueForm:
    """Filled in with the account's details as they stand (corrected first, above); a
    deleted account's are erased, so with what the certificate prints."""
    prefix = f"reissue{certificate.id}"
    if data is not None:
        return ReissueForm(formdata=data, prefix=prefix)
    source = certificate if user.deleted_at is not None else user
    return ReissueForm(prefix=prefix, data={"legal_name": source.legal_name,
                                            "licence_number": source.licence_number or "",
                                            "licence_state": source.licence_state or ""})


def _page(user: User, *, roles=None, name=None, grant=None, reissue=None, status: int = 200):
    certificates = certificates_for(user.id)
    forms = {certificate.id: _reissue_form(user, certificate) for certificate in certificates}
    if reissue is not None:
        forms[reissue[0]] = reissue[1]
    return render_template(
        "admin/person.html", person=user, reissue_forms=forms,
        revisions=revisions_of([certificate.id for certificate in certificates]),
        roles=roles or RolesForm(data={"is_instructor": user.is_instructor,
                                       "is_admin": user.is_admin}),
        name=name or LegalNameForm(data={"legal_name": user.legal_name}, prefix="name"),
        grant=grant or _grant_form(user), certificates=certificates,
        revoke=RevokeForm, action_form=ActionForm()), status


@bp.get("/people/<int:user_id>")
def person(user_id: int):
    return _page(_person_or_404(user_id))


@bp.post("/people/<int:user_id>/roles")
def roles(user_id: int):
    user = _person_or_404(user_id)
    form = RolesForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        accounts.set_roles(runtime(), learner(), user, instructor=form.is_instructor.data,
                           admin=form.is_admin.data)
    except accounts.AccountError as error:
        flash(str(error), "warning")
        return _page(user, roles=form, status=409)
    flash(f"{user.legal_name}'s roles are saved.", "success")
    return redirect(url_for("admin.person", user_id=user_id))


@bp.post("/people/<int:user_id>/active")
def active(user_id: int):
    user = _person_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    wanted = request.form.get("active") == "1"
    try:
        accounts.set_active(runtime(), learner(), user, wanted)
    except accounts.AccountError as error:
        flash(str(error), "warning")
        return _page(user, status=409)
    flash(f"{user.legal_name}'s account is {'active' if wanted else 'deactivated'}.",
          "success")
    return redirect(url_for("admin.person", user_id=user_id))


@bp.post("/people/<int:user_id>/legal-name")
def legal_name(user_id: int):
    user = _person_or_404(user_id)
    form = LegalNameForm(prefix="name")
    if not form.validate_on_submit():
        return _page(user, name=form, status=422)
    try:
        accounts.correct_legal_name(runtime(), learner(), user,
                                    legal_name=form.legal_name.data, reason=form.reason.data)
    except accounts.AccountError as error:
        form.reason.errors.append(str(error))
        return _page(user, name=form, status=422)
    flash("The legal name is corrected; the change and its reason are in the audit log.",
          "success")
    return redirect(url_for("admin.person", user_id=user_id))


@bp.post("/people/<int:user_id>/attempts")
def grant(user_id: int):
    user = _person_or_404(user_id)
    form = _grant_form(user, request.form)
    if not form.validate_on_submit():
        return _page(user, grant=form, status=422)
    try:
        quizzes.grant_attempts(runtime(), learner_id=user.id, quiz_id=form.quiz.data,
                               attempts=form.attempts.data, reason=form.reason.data,
                               granted_by_id=current_user.id)
    except ValueError as error:
        form.reason.errors.append(str(error))
        return _page(user, grant=form, status=422)
    flash(f"{user.legal_name} may try that quiz {count_of(form.attempts.data, 'more time')}.",
          "success")
    return redirect(url_for("admin.person", user_id=user_id))


@bp.post("/people/<int:user_id>/certificates/<int:certificate_id>/revoke")
def revoke(user_id: int, certificate_id: int):
    """Withdraw one of the person's certificates, with the reason."""
    user = _person_or_404(user_id)
    certificate = _persons_certificate_or_404(user, certificate_id)
    form = RevokeForm(prefix=f"revoke{certificate.id}")
    if not form.validate_on_submit():
        flash("Say why the certificate is revoked.", "warning")
        return redirect(url_for("admin.person", user_id=user.id))
    try:
        revoke_certificate(runtime(), learner(), certificate, form.reason.data)
    except RevocationRefused as error:
        flash(str(error), "warning")
    else:
        flash(f"The certificate for “{certificate.course_title}” is revoked.", "success")
    return redirect(url_for("admin.person", user_id=user.id))


def _persons_certificate_or_404(user: User, certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.user_id != user.id:
        abort(404)
    return certificate


@bp.post("/people/<int:user_id>/certificates/<int:certificate_id>/reissue")
def reissue(user_id: int, certificate_id: int):
    """Re-issue a certificate with a corrected name or licence: same code, new revision."""
    user = _person_or_404(user_id)
    certificate = _persons_certificate_or_404(user, certificate_id)
    form = _reissue_form(user, certificate, request.form)
    if not form.validate_on_submit():
        return _page(user, reissue=(certificate.id, form), status=422)
    try:
        revision = reissue_certificate(
            runtime(), learner(), certificate, legal_name=form.legal_name.data,
            licence_number=form.licence_number.data, licence_state=form.licence_state.data,
            reason=form.reason.data,
            course_slug=db.session.get(Course, certificate.course_id).slug)
    except ReissueRefused as error:
        flash(str(error), "warning")
        return _page(user, reissue=(certificate.id, form), status=409)
    flash(f"The certificate for “{certificate.course_title}” is re-issued as revision "
          f"{revision}; the learner is told by e-mail.", "success")
    return redirect(url_for("admin.person", user_id=user.id))


@bp.get("/people/<int:user_id>/certificates/<int:certificate_id>/revisions/"
        "<int:revision>.pdf")
def replaced_pdf(user_id: int, certificate_id: int, revision: int):
    """A revision a re-issue replaced, as it was printed: the provider's record of it, never
    served as the certificate."""
    certificate = _persons_certificate_or_404(_person_or_404(user_id), certificate_id)
    old = replaced_revision(certificate.id, revision)
    if old is None:
        abort(404)
    return old.pdf, 200, {
        "Content-Type": "application/pdf", "Cache-Control": "no-store",
        "Content-Disposition": f'inline; filename="certificate-{certificate.display_code}-'
                               f'revision-{revision}.pdf"'}


def _date_arg(name: str, label: str, problems: list[str]) -> dt.date | None:
    return typed_date(request.args.get(name, ""), label, problems)


@bp.get("/audit")
def audit_log():
    """Who did what, when and from where: logins, roles, certificates, publications, clinic
    membership. Newest first, a hundred at a time, narrowed by kind, person (who acted or
    whom it was about) and dates."""
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS:
        abort(400)
    before = request.args.get("before", type=db_int)
    problems: list[str] = []
    filters = {"kind": kind, "person": request.args.get("person", "")[:200],
               "since": _date_arg("since", "From", problems),
               "until": _date_arg("until", "To", problems)}
    lines = [] if problems else audit_events(**filters, before_id=before)
    return render_template("admin/audit.html", lines=lines, kinds=KINDS, filters=filters,
                           problems=problems,
                           older=lines[-1].event.id if len(lines) == PAGE else None), \
        400 if problems else 200


@bp.get("/mail")
def mail():
    """E-mail not yet delivered: waiting for its next try (the wait doubles after each
    failure) or given up after MAX_FAILURES, each with the mail server's last answer."""
    total, messages = undelivered_mail()
    return render_template("admin/mail.html", total=total, messages=messages,
                           shown=UNDELIVERED_SHOWN, max_failures=MAX_FAILURES,
                           now=runtime().clock())


def _provider_page(form: ProviderForm | None = None, status: int = 200):
    current = provider(runtime().settings)
    if form is None:
        form = ProviderForm(data={"name": current.name, "postal_address": current.postal_address,
                                  "contact_email": current.contact_email,
                                  "approval_number": current.approval_number,
                                  "cebroker_provider_number":
                                      current.cebroker_provider_number,
                                  "version": current.version})
    return render_template("admin/provider.html", form=form, saved=current.version > 0,
                           has_signature=current.signature_png is not None), status


@bp.get("/provider")
def provider_settings():
    """What certificates print about the provider."""
    return _provider_page()


@bp.post("/provider")
def save_provider_settings():
    form = ProviderForm()
    if not form.validate_on_submit():
        return _provider_page(form, 422)
    signature = None
    upload = form.signature.data
    if upload is not None and getattr(upload, "filename", ""):
        try:  # checked before the write transaction opens
            signature = check_signature(upload.read(SIGNATURE_MAX_BYTES + 1))
        except ImageRefused as error:
            form.signature.errors.append(str(error))
            return _provider_page(form, 422)
    try:
        read_version = int(form.version.data or 0)
    except ValueError:
        abort(400)
    try:
        save_provider(runtime(), learner(), name=form.name.data,
                      postal_address=form.postal_address.data or "",
                      contact_email=form.contact_email.data or "",
                      approval_number=form.approval_number.data or "",
                      signature_png=signature, remove_signature=form.remove_signature.data,
                      read_version=read_version,
                      cebroker_provider_number=form.cebroker_provider_number.data or "")
    except ProviderRefused as error:
        flash(str(error), "warning")
        return _provider_page(status=409)
    flash("The provider settings are saved: certificates issued from now on print them.",
          "success")
    return redirect(url_for("admin.provider_settings"))


@bp.get("/provider/signature.png")
def provider_signature():
    """The saved signature image, for the settings page."""
    image = provider(runtime().settings).signature_png
    if image is None:
        abort(404)
    return image, 200, {"Content-Type": "image/png", "Cache-Control": "no-store",
                        "X-Content-Type-Options": "nosniff"}
