"""A clinic's pages for its managers: the compliance report, staff and invitations,
assignments. Every page checks that the clinic in its address is one the user manages."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from ..csv_safe import from_lines
from ..extensions import login_manager
from ..formatting import long_date
from ..recurrence import RENEWAL_WINDOW_DAYS
from ..web import ActionForm, bulk_work, db_int, learner, runtime
from . import (assignment_operations, matrix_html, membership_operations, notice_queries,
               operations, queries, report_queries)
from .compliance import (PEOPLE, STRUGGLING_FAILS, Standing, Status, course_bars, matrix,
                         select_rows, timeliness)
from .forms import AssignForm, DueDateForm, InviteForm, RosterForm
from .lookups import clinic_or_404
from .models import Clinic, ClinicRole
from .report_csv import report_csv as csv_lines
from .roster import MAX_BYTES, read_upload

bp = Blueprint("clinics", __name__, url_prefix="/clinics")


@bp.before_request
def _logged_in():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.get("")
def index():
    """The clinics the user manages."""
    clinics = queries.clinics_managed_by(current_user)
    if len(clinics) == 1:
        return redirect(url_for("clinics.report", clinic_id=clinics[0].id))
    return render_template("clinics/index.html", clinics=clinics)


# --- the report -----------------------------------------------------------------------------

SORT_LABELS = {"status": "Status", "name": "Family name", "course": "Course",
               "progress": "Progress", "due": "Due date"}
PEOPLE_LABELS = {"current": "Staff and those invited", "former": "Former staff",
                 "all": "Everyone, former staff too"}
VIEWS = {"matrix": "Staff by course", "list": "By person, course by course"}


def _report_rows(clinic: Clinic, *, quizzes: bool = True, scores: bool = False):
    """The report's rows, with the filters and sort of the query string; a course that is
    not this clinic's answers 404, like any other clinic's record."""
    withdrawn = request.args.get("withdrawn") == "1"
    rows = report_queries.report(clinic.id, runtime().settings, runtime().clock(),
                                 quizzes=quizzes, withdrawn=withdrawn, scores=scores)
    courses = {row.course_id: row.course_title for row in rows}
    course_id = request.args.get("course", type=db_int)
    if "course" in request.args and request.args["course"] and course_id not in courses:
        abort(404)
    wanted = request.args.get("status") or None
    if wanted is not None and wanted not in {state.value for state in Status}:
        abort(400)
    sort = request.args.get("sort", "status")
    people = request.args.get("people") or "current"
    if sort not in SORT_LABELS or people not in PEOPLE:
        abort(400)
    needs_help = request.args.get("help") == "1"
    expiring = request.args.get("expiring") == "1"
    soon = runtime().settings.local_date(runtime().clock()) + dt.timedelta(
        days=RENEWAL_WINDOW_DAYS)
    chosen = select_rows(rows, course_id=course_id, wanted=Status(wanted) if wanted else None,
                         needs_help=needs_help, sort=sort, people=people,
                         expiring_by=soon if expiring else None)
    return rows, chosen, courses, {"course": course_id, "status": wanted, "sort": sort,
                                   "help": "1" if needs_help else None,
                                   "people": None if people == "current" else people,
                                   "withdrawn": "1" if withdrawn else None,
                                   "expiring": "1" if expiring else None}


@bp.get("/<int:clinic_id>")
def report(clinic_id: int):
    """Who has completed which assigned course, who is late and who is struggling: a
    matrix of staff by course when several are assigned, else a list by person."""
    clinic = clinic_or_404(clinic_id)
    with bulk_work():
        return _report_page(clinic)


def _report_page(clinic: Clinic) -> str:
    # Withdrawn assignments (history) are listed by person: a matrix has one cell per course.
    view = request.args.get("view") or (
        "matrix" if not request.args.get("course") and request.args.get("withdrawn") != "1"
        and report_queries.course_count(clinic.id) > 1 else "list")
    if view not in VIEWS:
        abort(400)
    # The matrix shows each pair's state, not its quizzes (unless asked who needs help).
    rows, chosen, courses, filters = _report_rows(
        clinic, quizzes=view == "list" or request.args.get("help") == "1")
    shown = PEOPLE[filters["people"] or "current"]
    by_course: dict[int, list] = {}
    for row in chosen:
        by_course.setdefault(row.course_id, []).append(row)
    columns = [(course_id, courses[course_id]) for course_id in sorted(
        courses, key=lambda c: courses[c]) if filters["course"] in (None, course_id)]
    return render_template(
        "clinics/report.html", clinic=clinic, rows=chosen, total=len(rows),
        bars=course_bars([row for row in rows
                          if row.standing in shown and row.withdrawn_on is None]),
        courses=courses,
        filters=filters, statuses=list(Status), sorts=SORT_LABELS, people=PEOPLE_LABELS,
        views=VIEWS, view=view, columns=columns, by_course=by_course,
        lines=matrix([row for row in chosen if row.withdrawn_on is None], filters["sort"])
        if view == "matrix" else [],
        struggling_fails=STRUGGLING_FAILS, renewal_days=RENEWAL_WINDOW_DAYS, Standing=Standing, timeliness=timeliness,
        asked=notice_queries.asked_for_attempts(clinic.id),
        matrix_rows=matrix_html.rows, who=matrix_html.who, cycles=matrix_html.cycles,
        verify=url_for("certificates.verify_form"),
        # Addresses built once: url_for per row costs more than the row.
        evidence=url_for("clinic_evidence.certificate", clinic_id=clinic.id, code="-")[:-1],
        today=runtime().settings.local_date(runtime().clock()))


@bp.get("/<int:clinic_id>/report.csv")
def report_csv(clinic_id: int):
    """The chosen rows with every quiz's best score, licence, CE hours and timeliness."""
    clinic = clinic_or_404(clinic_id)
    with bulk_work():
        document = _report_document(clinic)
    return document, 200, {
        "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{_file_stem(clinic)}-report.csv"'}


def _report_document(clinic: Clinic) -> str:
    _, chosen, _, _ = _report_rows(clinic, scores=True)
    header, lines = csv_lines(chosen, report_queries.quiz_columns(
        sorted({row.course_id for row in chosen})), runtime().settings.verification_url)
    return from_lines(header, lines)


def _file_stem(clinic: Clinic) -> str:
    """The clinic's name and today's date, as a file name (ASCII, no quotes)."""
    words = re.sub(r"[^a-z0-9]+", "-", clinic.name.lower()).strip("-") or f"clinic-{clinic.id}"
    return f"{words[:60]}-{runtime().settings.local_date(runtime().clock()).isoformat()}"


# --- staff and invitations ------------------------------------------------------------------

def _staff_page(clinic: Clinic, *, invite_form=None, roster_form=None, bulk=None,
                status: int = 200):
    return render_template(
        "clinics/staff.html", clinic=clinic, staff=queries.members(clinic.id, ClinicRole.STAFF),
        me=queries.membership(clinic.id, current_user.id),
        managers=queries.members(clinic.id, ClinicRole.MANAGER),
        invitations=queries.open_invitations(clinic.id), now=runtime().clock(),
        invite_form=invite_form or InviteForm(prefix="invite"),
        roster_form=roster_form or RosterForm(prefix="roster"), bulk=bulk,
        action=ActionForm()), status


@bp.get("/<int:clinic_id>/staff")
def staff(clinic_id: int):
    """The clinic's staff, its open invitations, and the ways to invite more."""
    return _staff_page(clinic_or_404(clinic_id))


@bp.get("/<int:clinic_id>/invitations")
@bp.get("/<int:clinic_id>/invitations/upload")
def staff_again(clinic_id: int):
    """The address a failed invitation form is shown at, reopened: the staff page."""
    return redirect(url_for("clinics.staff", clinic_id=clinic_or_404(clinic_id).id))


@bp.post("/<int:clinic_id>/invitations")
def invite(clinic_id: int):
    clinic = clinic_or_404(clinic_id)
    form = InviteForm(prefix="invite")
    if not form.validate_on_submit():
        return _staff_page(clinic, invite_form=form, status=422)
    try:
        invitation = operations.invite(runtime(), learner(), clinic, form.email.data,
                                       form.name.data or "")
    except operations.ClinicError as error:
        field = form.name if isinstance(error, operations.InviteeNameError) else form.email
        field.errors.append(str(error))
        return _staff_page(clinic, invite_form=form, status=422)
    flash(f"Invitation sent to {invitation.email}.", "success")
    return redirect(url_for("clinics.staff", clinic_id=clinic.id))


@bp.post("/<int:clinic_id>/invitations/upload")
def invite_roster(clinic_id: int):
    """Invite everyone in a CSV or .xlsx file: bad rows are listed by line, good rows
    invited; a file over the limits invites nobody."""
    clinic = clinic_or_404(clinic_id)
    form = RosterForm(prefix="roster")
    if not form.validate_on_submit():
        return _staff_page(clinic, roster_form=form, status=422)
    try:
        upload = form.roster.data
        roster = read_upload(upload.filename or "", upload.read(MAX_BYTES + 1))
    except ValueError as error:
        form.roster.errors.append(str(error))
        return _staff_page(clinic, roster_form=form, status=422)
    result = operations.invite_many(runtime(), learner(), clinic, roster.invitees)
    result.problems = roster.problems + result.problems
    return _staff_page(clinic, bulk=result, status=200 if result.invited else 422)


def _invitation_or_404(clinic: Clinic, invitation_id: int):
    invitation = queries.open_invitation(clinic.id, invitation_id)
    if invitation is None or not ActionForm().validate_on_submit():
        abort(404 if invitation is None else 400)
    return invitation


@bp.post("/<int:clinic_id>/invitations/<int:invitation_id>/resend")
def resend(clinic_id: int, invitation_id: int):
    """Send a new link; the one sent before stops working."""
    clinic = clinic_or_404(clinic_id)
    invitation = _invitation_or_404(clinic, invitation_id)
    try:
        operations.resend(runtime(), learner(), invitation)
    except operations.ClinicError as error:
        flash(str(error), "warning")
    else:
        flash(f"A new invitation is sent to {invitation.email}; the earlier link no longer "
              "works.", "success")
    return redirect(url_for("clinics.staff", clinic_id=clinic.id))


@bp.post("/<int:clinic_id>/invitations/<int:invitation_id>/revoke")
def revoke(clinic_id: int, invitation_id: int):
    clinic = clinic_or_404(clinic_id)
    invitation = _invitation_or_404(clinic, invitation_id)
    operations.revoke(runtime(), learner(), invitation)
    flash(f"The invitation to {invitation.email} is revoked; its link no longer works.", "info")
    return redirect(url_for("clinics.staff", clinic_id=clinic.id))


@bp.post("/<int:clinic_id>/staff/me")
def take_courses(clinic_id: int):
    """A manager adds themselves to the staff to take its assigned courses, or leaves it."""
    clinic = clinic_or_404(clinic_id)
    member = queries.membership(clinic.id, current_user.id)
    if member is None or not member.manages:
        abort(404)  # an admin who does not manage this clinic has no place on its staff
    if not ActionForm().validate_on_submit():
        abort(400)
    wanted = request.form.get("take") == "1"
    membership_operations.take_courses(runtime(), member, wanted)
    flash("You are on the staff too: the courses assigned to the staff are on your "
          "dashboard." if wanted else "You are no longer on the staff: the clinic's "
          "courses are no longer assigned to you.", "success")
    return redirect(url_for("clinics.staff", clinic_id=clinic.id))


@bp.post("/<int:clinic_id>/staff/<int:user_id>/remove")
def remove(clinic_id: int, user_id: int):
    """The person leaves the clinic's staff; their account and certificates stay theirs."""
    clinic = clinic_or_404(clinic_id)
    member = queries.membership(clinic.id, user_id)
    if member is None or member.role is not ClinicRole.STAFF:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    membership_operations.remove_member(runtime(), learner(), clinic, member)
    flash(f"{member.user.legal_name} is no longer on the staff of {clinic.name}. Their "
          "account, progress and certificates stay theirs; what they completed here stays in "
          "the report, under Former staff.", "info")
    return redirect(url_for("clinics.staff", clinic_id=clinic.id))


# --- assignments ----------------------------------------------------------------------------

def _assign_form(clinic: Clinic, staff, formdata=None) -> AssignForm:
    form = AssignForm(formdata=formdata, prefix="assign") if formdata is not None \
        else AssignForm(prefix="assign")
    courses = queries.assignable_courses()
    # The short title, unless two courses share it.
    shared = Counter(course.short_title for course in courses)
    form.course.choices = [SelectChoice("", "Choose a course")] + [
        SelectChoice(course.id, course.short_title if shared[course.short_title] == 1
                     else course.title) for course in courses]
    form.staff.choices = [SelectChoice(m.user_id, f"{m.user.legal_name} ({m.user.email})")
                          for m in staff]
    return form


def _assignments_page(clinic: Clinic, form=None, status: int = 200):
    staff = queries.course_takers(clinic.id)
    names = {m.user_id: m.user.legal_name for m in staff}
    assigned = queries.assignments_of(clinic.id)
    local_date = runtime().settings.local_date
    return render_template(
        "clinics/assignments.html", clinic=clinic, form=form or _assign_form(clinic, staff),
        assignments=assigned, names=names, due_form=DueDateForm,
        withdrawn=queries.assignments_of(clinic.id, withdrawn=True), local_date=local_date,
        days_allowed={a.id: (a.due_on - local_date(a.assigned_at)).days for a in assigned},
        action=ActionForm()), status


def _for_whom(assignment) -> str:
    if assignment.user_id is None:
        return "for all staff"
    member = queries.membership(assignment.clinic_id, assignment.user_id)
    return f"for {member.user.legal_name}" if member else "for a former member"


@bp.get("/<int:clinic_id>/assignments")
def assignments(clinic_id: int):
    """The courses the clinic assigned, with their due dates, and the form to assign one."""
    return _assignments_page(clinic_or_404(clinic_id))


@bp.post("/<int:clinic_id>/assignments")
def assign(clinic_id: int):
    clinic = clinic_or_404(clinic_id)
    form = _assign_form(clinic, queries.course_takers(clinic.id), request.form)
    if not form.validate_on_submit():
        return _assignments_page(clinic, form, 422)
    course = next((c for c in queries.assignable_courses() if c.id == form.course.data), None)
    if course is None:
        abort(404)
    staff_ids = form.staff.data if form.who.data == "chosen" else None
    try:
        made, changed = assignment_operations.assign(
            runtime(), learner(), clinic, course, form.due_on.data, staff_ids,
            recur_months=form.recur_months.data)
    except operations.ClinicError as error:
        field = (form.staff if "staff" in str(error) else
                 form.recur_months if "Repeat" in str(error) else form.due_on)
        field.errors.append(str(error))
        return _assignments_page(clinic, form, 422)
    due = long_date(form.due_on.data)
    flash(f"“{course.title}” is assigned, due {due}." if made else
          f"“{course.title}” was already assigned to them: it is now due {due}.", "success")
    return redirect(url_for("clinics.assignments", clinic_id=clinic.id))


@bp.post("/<int:clinic_id>/assignments/<int:assignment_id>")
def change(clinic_id: int, assignment_id: int):
    """A new due date for an assignment."""
    clinic = clinic_or_404(clinic_id)
    assignment = queries.assignment_of(clinic.id, assignment_id)
    if assignment is None:
        abort(404)
    form = DueDateForm(prefix=f"due{assignment.id}")
    which = f"“{assignment.course.title}” ({_for_whom(assignment)})"
    if form.validate_on_submit():
        try:
            assignment_operations.change_due_date(runtime(), learner(), assignment,
                                                  form.due_on.data)
        except operations.ClinicError as error:
            flash(f"{which}: {error}", "warning")
        else:
            flash(f"{which} is now due {long_date(form.due_on.data)}.", "success")
    else:
        flash(f"{which}: give the new due date as a date (YYYY-MM-DD).", "warning")
    return redirect(url_for("clinics.assignments", clinic_id=clinic.id))


@bp.post("/<int:clinic_id>/assignments/<int:assignment_id>/withdraw")
def withdraw(clinic_id: int, assignment_id: int):
    clinic = clinic_or_404(clinic_id)
    assignment = queries.assignment_of(clinic.id, assignment_id)
    if assignment is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    which = f"“{assignment.course.title}” ({_for_whom(assignment)})"
    assignment_operations.withdraw(runtime(), learner(), assignment)
    flash(f"{which} is withdrawn. What staff did in the course stays theirs.", "info")
    return redirect(url_for("clinics.assignments", clinic_id=clinic.id))
