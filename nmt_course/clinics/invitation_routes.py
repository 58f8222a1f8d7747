"""Accepting a clinic's invitation: with a new account, or with the invited address's own."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from ..accounts.operations import AccountError
from ..accounts.queries import token_hash, user_by_email
from ..extensions import limiter
from ..web import ActionForm, learner, log_in, runtime
from . import operations, queries
from .forms import JoinForm

bp = Blueprint("invitations", __name__, url_prefix="/invitations")


def _gone():
    """Stop here with the page that says the link no longer works."""
    abort(make_response(render_template("clinics/invitation_gone.html"), 404))


def _invitation_or_gone(token: str):
    invitation = queries.invitation_by_token(token_hash(token), runtime().clock())
    if invitation is None:
        _gone()
    return invitation


@bp.route("/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def accept(token: str):
    """The invitation: join with the account logged in, log in first, or create one."""
    invitation = _invitation_or_gone(token)
    clinic = invitation.clinic
    if current_user.is_authenticated:
        if current_user.email != invitation.email:
            return render_template("clinics/invitation_other_account.html", clinic=clinic), 403
        return render_template("clinics/invitation_join.html", clinic=clinic,
                               invitation=invitation, token=token, form=ActionForm())
    if user_by_email(invitation.email) is not None:
        return render_template("clinics/invitation_log_in.html", clinic=clinic,
                               invitation=invitation, token=token)
    form = JoinForm()
    form.about_user = (invitation.email,)
    if not form.is_submitted():
        form.legal_name.data = invitation.legal_name
    if form.validate_on_submit():
        try:
            user = operations.accept_with_new_account(
                runtime(), token, password=form.password.data, legal_name=form.legal_name.data,
                licence_number=form.licence_number.data, licence_state=form.licence_state.data)
        except operations.InvitationGone:
            _gone()
        except operations.EmailTakenMeanwhile:
            return redirect(url_for("invitations.accept", token=token))
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            log_in(user)
            flash(f"Welcome! You manage {clinic.name}: find it under Clinics you manage, "
                  "below." if invitation.to_manage else
                  f"Welcome! You are on the staff of {clinic.name}: your assigned courses are "
                  f"below. {clinic.name}'s managers see your progress, certificates, licence "
                  "and CE hours in them.", "success")
            return redirect(url_for("learning.dashboard"))
    return render_template("clinics/invitation_new_account.html", clinic=clinic,
                           invitation=invitation, form=form), 200 if not form.errors else 422


@bp.get("/<token>/join")
def join_again(token: str):
    """The address a refused join is shown at, reopened: the invitation."""
    return redirect(url_for("invitations.accept", token=token))


@bp.post("/<token>/join")
@limiter.limit("10 per minute")
def join(token: str):
    """Join the clinic with the account logged in (it must be the invited address)."""
    invitation = _invitation_or_gone(token)
    if not current_user.is_authenticated:
        return redirect(url_for("invitations.accept", token=token))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        operations.accept_as(runtime(), token, learner())
    except operations.InvitationGone:
        _gone()
    except operations.ClinicError:
        return render_template("clinics/invitation_other_account.html",
                               clinic=invitation.clinic), 403
    flash(f"You joined {invitation.clinic.name}." + ("" if invitation.to_manage else (
        " Its managers see your progress, certificates, licence and CE hours in the courses "
        "it assigns you.")), "success")
    return redirect(url_for("learning.dashboard"))
