"""A clinic's evidence for its managers: a staff member's certificate (page and PDF, read
only) for a course the clinic assigned, and every certificate of such a course in one zip,
for an audit. Another clinic's, a former member's, or one not yet told: 404."""
from __future__ import annotations

import io
import re
import zipfile

from flask import Blueprint, abort, render_template
from flask_login import current_user

from ..extensions import login_manager
from ..web import runtime
from . import evidence, queries
from .lookups import clinic_or_404

bp = Blueprint("clinic_evidence", __name__, url_prefix="/clinics")


@bp.before_request
def _logged_in():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _certificate_or_404(clinic_id: int, code: str):
    clinic = clinic_or_404(clinic_id)
    certificate = evidence.staff_certificate(clinic.id, code)
    if certificate is None:
        abort(404)
    return clinic, certificate


@bp.get("/<int:clinic_id>/certificates/<code>")
def certificate(clinic_id: int, code: str):
    """The certificate as its owner sees it, without the owner's ways to share it."""
    clinic, found = _certificate_or_404(clinic_id, code)
    return render_template("certificates/show.html", certificate=found, clinic=clinic,
                           verification_url=runtime().settings.verification_url(found.code))


@bp.get("/<int:clinic_id>/certificates/<code>.pdf")
def pdf(clinic_id: int, code: str):
    _, found = _certificate_or_404(clinic_id, code)
    return found.pdf, 200, {
        "Content-Type": "application/pdf", "Cache-Control": "no-store",
        "Content-Disposition": f'inline; filename="certificate-{found.display_code}.pdf"'}


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60] or "x"


@bp.get("/<int:clinic_id>/courses/<int:course_id>/certificates.zip")
def course_zip(clinic_id: int, course_id: int):
    """Every certificate of an assigned course the managers may see, one PDF each."""
    clinic = clinic_or_404(clinic_id)
    assigned = {a.course_id: a.course for a in queries.assignments_of(clinic.id)}
    if course_id not in assigned:
        abort(404)
    buffer = io.BytesIO()
    # PDFs are compressed already: stored as they are.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for found in evidence.course_certificates(clinic.id, course_id):
            archive.writestr(f"{_safe(found.legal_name)}-{found.display_code}.pdf", found.pdf)
    name = f"{_safe(clinic.name).lower()}-{assigned[course_id].slug}-certificates.zip"
    return buffer.getvalue(), 200, {
        "Content-Type": "application/zip", "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{name}"'}
