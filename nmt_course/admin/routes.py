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
from ..certificates.operations import RevocationRefused, revoke_certificate
from ..certificates.queries import certificates_for
from ..database import db
from ..formatting import count_of
from ..quizzes import operations as quizzes
from ..web import ActionForm, admins_only, db_int, learner, runtime
from .forms import GrantForm, LegalNameForm, RevokeForm, RolesForm
from .queries import KINDS, PAGE, audit_events, quizzes_to_grant

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(admins_only)


@bp.get("/people")
def people():
    """Search accounts by name or e-mail."""
    text = request.args.get("q", "")[:200]
    return render_template("admin/people.html", q=text, people=search_users(text),
                           limit=SEARCH_LIMIT)


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


def _page(user: User, *, roles=None, name=None, grant=None, status: int = 200):
    return render_template(
        "admin/person.html", person=user,
        roles=roles or RolesForm(data={"is_instructor": user.is_instructor,
                                       "is_admin": user.is_admin}),
        name=name or LegalNameForm(data={"legal_name": user.legal_name}, prefix="name"),
        grant=grant or _grant_form(user), certificates=certificates_for(user.id),
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
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.user_id != user.id:
        abort(404)
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


# The dates the log can be read between (a date beyond them once overflowed into a 500).
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


def _date_arg(name: str, label: str, problems: list[str]) -> dt.date | None:
    text = request.args.get(name, "")[:40]
    if not text:
        return None
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        problems.append(f"{label}: “{text}” is not a date; use the form 2026-03-31.")
        return None
    if not EARLIEST <= date <= LATEST:
        problems.append(f"{label}: give a date from {EARLIEST.isoformat()} to "
                        f"{LATEST.isoformat()}.")
        return None
    return date


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
