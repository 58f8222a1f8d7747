"""Rosters for admins: a course's completions in a period, for state reporting, as CSV,
.xlsx and CE Broker's full-credit upload; and the course's CE Broker tracking number."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..certificates import ce_roster
from ..certificates.operations import ProviderRefused, save_course_tracking_number
from ..certificates.queries import completions, course_tracking_number, provider
from ..certificates.transcript import parse_period
from ..formatting import EARLIEST_DATE as EARLIEST, LATEST_DATE as LATEST
from ..learning.queries import all_courses, course_by_slug
from ..web import admins_only, learner, runtime
from .forms import TrackingNumberForm

bp = Blueprint("admin_rosters", __name__, url_prefix="/admin")
bp.before_request(admins_only)

FORMATS = {"csv": "CSV", "xlsx": "Excel (.xlsx)", "cebroker": "CE Broker upload (.xlsx)"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _lines(course_id: int, first, last) -> list[ce_roster.RosterLine]:
    lines = []
    for certificate, family in completions(course_id, first or EARLIEST, last or LATEST):
        given, family_name = ce_roster.split_name(certificate.legal_name, family)
        lines.append(ce_roster.RosterLine(
            licence_number=certificate.licence_number,
            licence_state=certificate.licence_state, given_name=given,
            family_name=family_name, completed_on=certificate.completed_on,
            ce_hours=certificate.ce_hours, approval_number=certificate.approval_number,
            code=certificate.display_code))
    return lines


def _page(problems: list[str], status: int, course=None, form=None):
    number = course_tracking_number(course.id) if course is not None else ""
    return render_template(
        "admin/rosters.html", courses=all_courses(), course=course, problems=problems,
        formats=FORMATS, typed={key: request.args.get(key, "")[:100]
                                for key in ("course", "from", "to", "format")},
        tracking=number, provider_number=provider(
            runtime().settings, with_signature=False).cebroker_provider_number,
        form=form or TrackingNumberForm(data={"number": number})), status


@bp.get("/rosters")
def rosters():
    """Choose a course, a period and a format; with all three, the file."""
    slug, wanted = request.args.get("course", ""), request.args.get("format", "")
    if not slug:
        return _page([], 200)
    course = course_by_slug(slug[:100])
    if course is None:
        return _page([f"No course has the address “{slug[:100]}”: choose one from the "
                      "list."], 404)
    period, problems = parse_period(request.args.get("from", ""), request.args.get("to", ""))
    if wanted and wanted not in FORMATS:
        problems.append("Choose CSV, Excel or the CE Broker upload.")
    if problems or not wanted:
        return _page(problems, 400 if problems else 200, course)
    lines = _lines(course.id, period.first, period.last)
    name = (f"roster-{course.slug}-{(period.first or EARLIEST).isoformat()}-"
            f"{(period.last or LATEST).isoformat()}")
    if wanted == "csv":
        return _download(ce_roster.readable_csv(lines).encode(), f"{name}.csv",
                         "text/csv; charset=utf-8")
    if wanted == "xlsx":
        return _download(ce_roster.readable_xlsx(lines), f"{name}.xlsx", XLSX)
    provider_number = provider(runtime().settings,
                               with_signature=False).cebroker_provider_number
    course_number = course_tracking_number(course.id)
    if not provider_number or not course_number:
        return _page(["CE Broker's upload names the provider and the course by their "
                      "tracking numbers: set the provider's under Provider settings and the "
                      "course's below."], 409, course)
    return _download(ce_roster.cebroker_xlsx(lines, provider_number, course_number),
                     f"cebroker-{name}.xlsx", XLSX)


def _download(body: bytes, filename: str, mimetype: str):
    return body, 200, {"Content-Type": mimetype,
                       "Content-Disposition": f'attachment; filename="{filename}"',
                       "Cache-Control": "no-store"}  # licence numbers


@bp.post("/rosters/<slug>/tracking-number")
def tracking_number(slug: str):
    course = course_by_slug(slug)
    if course is None:
        abort(404)
    form = TrackingNumberForm()
    if not form.validate_on_submit():
        return _page([], 422, course, form)
    try:
        save_course_tracking_number(runtime(), learner(), course.id, form.number.data or "")
    except ProviderRefused as error:
        form.number.errors.append(str(error))
        return _page([], 422, course, form)
    flash("The course's CE Broker tracking number is saved.", "success")
    return redirect(url_for("admin_rosters.rosters", course=course.slug))
