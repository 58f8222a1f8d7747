"""Register, log in and out, reset a password, edit the account."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, redirect, render_template, request, session,
                   url_for)
from flask_login import current_user, login_required, logout_user
from markupsafe import Markup

from ..clinics.queries import clinics_managed_by
from ..extensions import limiter
from ..formatting import count_of
from ..learning import account_operations
from ..learning.operations import complete_waiting_courses
from ..retention import RETENTION_YEARS
from ..security import safe_next
from ..text import email_address
from ..web import (ActionForm, learner, log_in, log_out, needs_shared_sessions, per_person,
                   runtime)
from . import device_cookie, operations, queries
from .session_operations import record_failed_login
from .forms import (AccountForm, ChangeEmailForm, ChangePasswordForm, DeleteAccountForm,
                    LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm)

bp = Blueprint("accounts", __name__)


def _typed_account() -> str:
    """The account a form names, normalised as stored (or as typed, if it is no address)."""
    typed = request.form.get("email", "")
    try:
        return email_address(typed)
    except ValueError:
        return typed[:254]


def _account_key() -> str:
    """Rate-limit key of the account a form names, whatever address the guesses come from."""
    return "account:" + _typed_account()


def _trusted_device() -> bool:
    return device_cookie.trusted_for(_typed_account())


def _failed(response) -> bool:
    """Only failures count against a limit: a class logging in on one network is fine."""
    return response.status_code != 302


def _after_login():
    return redirect(safe_next(request.args.get("next")) or url_for("learning.dashboard"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per day", methods=["POST"])
@needs_shared_sessions
def register():
    """Create an account."""
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = operations.create_user(
                runtime(), email=form.email.data, password=form.password.data,
                legal_name=form.legal_name.data, licence_number=form.licence_number.data,
                licence_state=form.licence_state.data)
        except operations.EmailTaken:
            form.email.errors.append(Markup(
                'An account with this e-mail address already exists. '
                '<a href="{login}">Log in</a> or <a href="{reset}">reset your password</a>.'
            ).format(login=url_for("accounts.login"), reset=url_for("accounts.reset_request")))
        except operations.AccountError as error:
            form.password.errors.append(str(error))
        else:
            log_in(user)
            flash("Welcome! Your account is ready.", "success")
            return _after_login()
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 100 per day", methods=["POST"], deduct_when=_failed)
# Guesses at one account from anywhere: a minute's wait at most, so that strangers cannot
# keep its owner out for long; a browser that logged in to it before (device_cookie.py) is
# not held back by them, and has a limit of its own.
@limiter.limit("5 per minute", methods=["POST"], key_func=_account_key, deduct_when=_failed,
               exempt_when=_trusted_device)
@limiter.limit("5 per minute; 30 per day", methods=["POST"], key_func=device_cookie.device_key,
               deduct_when=_failed, exempt_when=lambda: not _trusted_device())
@needs_shared_sessions
def login():
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return _after_login()
    form = LoginForm()
    if form.validate_on_submit():
        user = queries.authenticate(runtime(), form.email.data, form.password.data)
        if user is not None:
            log_in(user, remember=form.remember.data, password=form.password.data)
            return device_cookie.remember(_after_login(), user.email)
        record_failed_login(runtime(), form.email.data, request.remote_addr or "")
        form.password.errors.append("The e-mail address or password is not correct.")
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out (a POST, so no link or image can log a learner out)."""
    if ActionForm().validate_on_submit():
        log_out()
        flash("You are logged out.", "info")
    return redirect(url_for("learning.catalogue"))


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit("5 per minute; 30 per day", methods=["POST"])
@limiter.limit("3 per hour; 10 per day", methods=["POST"], key_func=_account_key)
@needs_shared_sessions
def reset_request():
    """Ask for a password-reset link by e-mail."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        operations.request_password_reset(runtime(), form.email.data)
        flash("If an account uses that address, we have e-mailed it a link to choose a new "
              "password. The link works once, within "
              f"{count_of(runtime().settings.password_reset_minutes, 'minute')}.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@needs_shared_sessions
def reset_password(token: str):
    """Choose a new password from an e-mailed link."""
    reset = queries.valid_reset_token(runtime(), token)
    if reset is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetPasswordForm()
    form.about_user = (reset.user.email, reset.user.legal_name)
    if form.validate_on_submit():
        try:
            operations.reset_password(runtime(), token, form.password.data)
        except operations.InvalidResetLink:
            return render_template("accounts/reset_invalid.html"), 404
        except operations.AccountError as error:
            form.password.errors.append(str(error))
            return render_template("accounts/reset_password.html", form=form), 422
        log_out()
        flash("Your password is changed. Log in with the new one.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


def _account_page(form=None, password_form=None, email_form=None, status: int = 200):
    """The account page with its three forms, each keeping what was typed into it."""
    if form is None:
        form = AccountForm(obj=current_user)
        form.licence_state.data = current_user.licence_state or ""
    return render_template(
        "accounts/account.html", form=form,
        password_form=password_form or ChangePasswordForm(prefix="pw"),
        email_form=email_form or ChangeEmailForm(prefix="em"),
        pending=queries.pending_email_change(runtime(), current_user.id),
        manages_clinics=bool(clinics_managed_by(current_user))), status


@bp.post("/account/clinic-digest")
@login_required
def clinic_digest():
    """A clinic manager turns their weekly digest on or off."""
    if not ActionForm().validate_on_submit():
        abort(400)
    wanted = request.form.get("clinic_digest") == "1"
    operations.set_clinic_digest(runtime(), learner(), wanted)
    flash("You will receive the weekly digest on Mondays." if wanted else
          "You will no longer receive the weekly digest.", "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Edit the name and licence printed on future certificates."""
    if request.method == "GET":
        return _account_page()
    form = AccountForm()
    if form.validate_on_submit():
        user = learner()
        try:
            licence_added = operations.update_account(
                runtime(), user, legal_name=form.legal_name.data,
                licence_number=form.licence_number.data,
                licence_state=form.licence_state.data,
                licence_in_credentials=form.licence_in_credentials.data,
                family_name=form.family_name.data or "")
        except operations.AccountError as error:
            form.legal_name.errors.append(str(error))
            return _account_page(form=form, status=422)
        flash("Your account details are saved. Certificates already issued keep the details "
              "they were issued with.", "success")
        # A course that waited only for the licence number is complete now: learning's to say.
        for completed in complete_waiting_courses(runtime(), user) if licence_added else []:
            if completed.certificate is not None:
                flash(f"Your certificate for “{completed.course_title}” is ready.", "success")
        return redirect(url_for("accounts.account"))
    return _account_page(form=form, status=422)


@bp.post("/account/password")
@login_required
@limiter.limit("10 per minute")
@needs_shared_sessions
def change_password():
    """Change the password; every other session is logged out."""
    password_form = ChangePasswordForm(prefix="pw")
    password_form.about_user = (current_user.email, current_user.legal_name)
    if password_form.validate_on_submit():
        user = learner()
        try:
            operations.change_password(runtime(), user, password_form.current_password.data,
                                       password_form.password.data)
        except operations.AccountError as error:
            password_form.current_password.errors.append(str(error))
        else:
            log_in(user)  # every session ended with the change: this one starts anew
            flash("Your password is changed. You were logged out everywhere else.", "success")
            return redirect(url_for("accounts.account"))
    return _account_page(password_form=password_form, status=422)


@bp.post("/account/email")
@login_required
@limiter.limit("5 per hour; 20 per day", key_func=per_person)
@needs_shared_sessions
def change_email():
    """Ask to move the account to a new address: a link goes to that mailbox."""
    email_form = ChangeEmailForm(prefix="em")
    if email_form.validate_on_submit():
        try:
            new_email = operations.request_email_change(
                runtime(), learner(), email_form.new_email.data,
                email_form.current_password.data)
        except operations.WrongPassword as error:
            email_form.current_password.errors.append(str(error))
        except operations.AccountError as error:
            email_form.new_email.errors.append(str(error))
        else:
            flash(f"We have e-mailed a link to {new_email}. "
                  f"Open it within {operations.EMAIL_CHANGE_HOURS} hours to confirm the change; "
                  f"until then you keep using {current_user.email}.", "info")
            return redirect(url_for("accounts.account"))
    return _account_page(email_form=email_form, status=422)


@bp.route("/account/email/<token>", methods=["GET", "POST"])
@login_required
@needs_shared_sessions
def confirm_email(token: str):
    """The link from the new mailbox: a button confirms (a mail scanner's GET changes
    nothing). Only the account that asked can use it."""
    change = queries.valid_email_change(runtime(), current_user.id, token)
    if change is None:
        return render_template("accounts/email_invalid.html",
                               hours=operations.EMAIL_CHANGE_HOURS), 404
    form = ActionForm()
    if form.validate_on_submit():
        try:
            new_email = operations.confirm_email_change(runtime(), learner(), token)
        except operations.AccountError as error:
            flash(str(error), "error")
            return redirect(url_for("accounts.account"))
        flash(f"Your e-mail address is now {new_email}. We told your old address too.",
              "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/confirm_email.html", change=change, form=form)


def _delete_page(form: DeleteAccountForm, status: int = 200):
    return render_template("accounts/delete.html", form=form,
                           years=RETENTION_YEARS), status


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def delete_account():
    """What deleting the account erases and keeps, then the password to confirm it."""
    form = DeleteAccountForm()
    if request.method == "GET":
        return _delete_page(form)
    if not form.validate_on_submit():
        return _delete_page(form, 422)
    try:
        account_operations.delete_account(runtime(), learner(), form.password.data)
    except operations.AccountError as error:
        form.password.errors.append(str(error))
        return _delete_page(form, 422)
    # Its sessions ended with it (and their rows are gone): forget the cookie here.
    logout_user()
    session.clear()
    session["_remember"] = "clear"
    flash("Your account is deleted. We e-mailed you what is kept, and for how long.", "info")
    return redirect(url_for("learning.catalogue"))
