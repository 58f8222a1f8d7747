"""Clinics, for admins: create one with its manager, add or remove managers, rename."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..web import ActionForm, admins_only, learner, runtime
from . import membership_operations, operations, queries
from .forms import ClinicForm, ManagerForm, RenameForm
from .models import ClinicRole

bp = Blueprint("clinic_admin", __name__, url_prefix="/admin/clinics")
bp.before_request(admins_only)


def _manager_message(result: operations.ManagerResult, clinic_name: str) -> str:
    if result.user is not None:
        return f"{result.user.legal_name} now manages {clinic_name}."
    return (f"No account uses {result.invited}: an invitation to manage {clinic_name} is "
            "sent there.")


@bp.route("", methods=["GET", "POST"])
def index():
    """Every clinic, and the form to create one."""
    form = ClinicForm()
    if form.validate_on_submit():
        try:
            clinic, result = operations.create_clinic(runtime(), learner(), form.name.data,
                                                      form.manager_email.data)
        except operations.ClinicNameError as error:
            form.name.errors.append(str(error))
        except operations.ClinicError as error:
            form.manager_email.errors.append(str(error))
        else:
            flash(f"{clinic.name} is created. {_manager_message(result, clinic.name)}",
                  "success")
            return redirect(url_for("clinic_admin.clinic", clinic_id=clinic.id))
    return render_template("clinics/admin_index.html", clinics=queries.all_clinics(),
                           form=form), 422 if form.errors else 200


def _clinic_or_404(clinic_id: int):
    clinic = queries.managed_clinic(current_user, clinic_id)  # an admin's: any clinic
    if clinic is None:
        abort(404)
    return clinic


def _page(clinic, manager_form=None, rename_form=None, status=200):
    return render_template(
        "clinics/admin_clinic.html", clinic=clinic,
        managers=queries.members(clinic.id, ClinicRole.MANAGER),
        invitations=[i for i in queries.open_invitations(clinic.id) if i.to_manage],
        manager_form=manager_form or ManagerForm(prefix="manager"),
        rename_form=rename_form or RenameForm(prefix="rename", name=clinic.name),
        action=ActionForm()), status


@bp.get("/<int:clinic_id>")
def clinic(clinic_id: int):
    """A clinic's managers and name."""
    return _page(_clinic_or_404(clinic_id))


@bp.get("/<int:clinic_id>/managers")
@bp.get("/<int:clinic_id>/name")
def clinic_again(clinic_id: int):
    """The address a failed form is shown at, reopened: the clinic's page."""
    return redirect(url_for("clinic_admin.clinic", clinic_id=_clinic_or_404(clinic_id).id))


@bp.post("/<int:clinic_id>/managers")
def add_manager(clinic_id: int):
    clinic = _clinic_or_404(clinic_id)
    form = ManagerForm(prefix="manager")
    if not form.validate_on_submit():
        return _page(clinic, manager_form=form, status=422)
    try:
        result = operations.add_manager(runtime(), learner(), clinic, form.email.data)
    except operations.ClinicError as error:
        form.email.errors.append(str(error))
        return _page(clinic, manager_form=form, status=422)
    else:
        flash(_manager_message(result, clinic.name), "success")
    return redirect(url_for("clinic_admin.clinic", clinic_id=clinic.id))


@bp.post("/<int:clinic_id>/managers/<int:user_id>/remove")
def remove_manager(clinic_id: int, user_id: int):
    clinic = _clinic_or_404(clinic_id)
    member = queries.membership(clinic.id, user_id)
    if member is None or not member.manages:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        membership_operations.remove_member(runtime(), learner(), clinic, member)
    except operations.ClinicError as error:
        flash(str(error), "warning")
    else:
        flash(f"{member.user.legal_name} no longer manages {clinic.name}.", "info")
    return redirect(url_for("clinic_admin.clinic", clinic_id=clinic.id))


@bp.post("/<int:clinic_id>/name")
def rename(clinic_id: int):
    clinic = _clinic_or_404(clinic_id)
    form = RenameForm(prefix="rename")
    if not form.validate_on_submit():
        return _page(clinic, rename_form=form, status=422)
    try:
        operations.rename_clinic(runtime(), learner(), clinic, form.name.data)
    except operations.ClinicNameError as error:
        form.name.errors.append(str(error))
        return _page(clinic, rename_form=form, status=422)
    flash("The clinic's name is changed.", "success")
    return redirect(url_for("clinic_admin.clinic", clinic_id=clinic.id))
