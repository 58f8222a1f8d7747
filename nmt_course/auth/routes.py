"""Register, log in and out, reset a password, edit the account."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from .. import services
from ..extensions import db, limiter
from ..models import User
from ..security import safe_next
from .forms import (AccountForm, ActionForm, ChangePasswordForm, LoginForm, RegisterForm,
                    ResetPasswordForm, ResetRequestForm)

bp = Blueprint("auth", __name__)


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the cookie holds 'id:auth_version'."""
    ident, _, version = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or str(user.auth_version) != version:
        return None
    return user


def _after_login():
    return redirect(safe_next(request.args.get("next")) or url_for("main.dashboard"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per day", methods=["POST"])
def register():
    """Create an account."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data, password=form.password.data,
                legal_name=form.legal_name.data, licence_number=form.licence_number.data,
                licence_state=form.licence_state.data)
        except services.EmailTaken:
            form.email.errors.append(Markup(
                'An account with this e-mail address already exists. '
                '<a href="{login}">Log in</a> or <a href="{reset}">reset your password</a>.'
            ).format(login=url_for("auth.login"), reset=url_for("auth.reset_request")))
        else:
            login_user(user)
            flash("Welcome! Your account is ready.", "success")
            return _after_login()
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 100 per day", methods=["POST"])
def login():
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return _after_login()
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return _after_login()
        form.password.errors.append("The e-mail address or password is not correct.")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out (a POST, so no link or image can log a learner out)."""
    if ActionForm().validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("courses.catalogue"))


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit("5 per minute; 30 per day", methods=["POST"])
def reset_request():
    """Ask for a password-reset link by e-mail."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash("If an account uses that address, we have e-mailed it a link to choose a new "
              "password. The link works once, within the hour.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    """Choose a new password from an e-mailed link."""
    if services.valid_reset_token(token) is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.InvalidResetLink:
            return render_template("auth/reset_invalid.html"), 404
        logout_user()
        flash("Your password is changed. Log in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Edit the name and licence printed on future certificates."""
    form = AccountForm(obj=current_user)
    if request.method == "GET":
        form.licence_state.data = current_user.licence_state or ""
    if form.validate_on_submit():
        issued = services.update_account(
            current_user, legal_name=form.legal_name.data,
            licence_number=form.licence_number.data, licence_state=form.licence_state.data)
        flash("Your account details are saved. Certificates already issued keep the details "
              "they were issued with.", "success")
        for certificate in issued:
            flash(f"Your certificate for “{certificate.course_title}” is ready.", "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form,
                           password_form=ChangePasswordForm(prefix="pw"))


@bp.post("/account/password")
@login_required
@limiter.limit("10 per minute")
def change_password():
    """Change the password; every other session is logged out."""
    password_form = ChangePasswordForm(prefix="pw")
    if password_form.validate_on_submit():
        try:
            services.change_password(current_user, password_form.current_password.data,
                                     password_form.password.data)
        except services.ServiceError as error:
            password_form.current_password.errors.append(str(error))
        else:
            login_user(current_user)  # the cookie must carry the new auth version
            flash("Your password is changed. You were logged out everywhere else.", "success")
            return redirect(url_for("auth.account"))
    form = AccountForm(obj=current_user)
    return render_template("auth/account.html", form=form, password_form=password_form)
