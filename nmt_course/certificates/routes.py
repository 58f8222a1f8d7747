"""Certificates: the owner's printable page and PDF, and public verification."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import codes
from ..formatting import ce_hours
from ..recurrence import COUNTED_ONCE
from ..retention import RETENTION_YEARS
from ..extensions import limiter
from ..web import runtime
from .credential import linkedin_add_url
from .forms import CredentialFileForm
from .lookups import owned_certificate_or_404
from .pdf import stamp_revoked
from .models import CertificateStatus
from .queries import certificate_by_typed_code, certificates_for, provider
from .transcript import (Entry, TranscriptData, parse_period, period_total,
                         render_transcript_pdf, year_totals)

bp = Blueprint("certificates", __name__)


@bp.get("/certificates/<code>")
@login_required
def show(code: str):
    """The certificate, printable, with the ways to take it elsewhere."""
    certificate = owned_certificate_or_404(code)
    if code != certificate.display_code:
        return redirect(url_for("certificates.show", code=certificate.display_code), 301)
    verification_url = runtime().settings.verification_url(certificate.code)
    return render_template(
        "certificates/show.html", certificate=certificate, verification_url=verification_url,
        linkedin_url=linkedin_add_url(
            certification=certificate.course_title, organisation=certificate.provider_name,
            issued_on=certificate.completed_on, code=certificate.display_code,
            verification_url=verification_url))


@bp.get("/certificates/<code>.pdf")
@login_required
def pdf(code: str):
    """The PDF stored when the certificate was issued; a revoked one stamped REVOKED with
    the date, never as if valid."""
    certificate = owned_certificate_or_404(code)
    if certificate.status is CertificateStatus.PURGED:
        abort(404)  # its PDF was removed with the record
    filename = f"certificate-{certificate.display_code}.pdf"
    document = certificate.pdf
    if not certificate.is_valid:
        revoked_on = runtime().settings.local_date(certificate.revoked_at or
                                                   certificate.issued_at)
        document = stamp_revoked(document, revoked_on)
        filename = f"certificate-{certificate.display_code}-revoked.pdf"
    return document, 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "no-store",  # a licence number on a shared computer's disk
    }


@bp.get("/verify")
@limiter.limit("60 per minute")
def verify_form():
    """Type a certificate code to check it."""
    typed = request.args.get("code", "")
    error = None
    if typed:
        canonical = codes.normalise(typed)
        if canonical:
            return redirect(url_for("certificates.verify", code=codes.display(canonical)))
        error = (f"A certificate code has {codes.LENGTH} letters and digits, for example "
                 "7K3M-Q9TD-… . Check what you typed.")
    return render_template("certificates/verify_form.html", code=typed, error=error,
                           file_form=CredentialFileForm()), 400 if error else 200


@bp.get("/verify/<code>")
@limiter.limit("60 per minute")
def verify(code: str):
    """Public: who completed what, how many CEs, when, and whether it still stands."""
    certificate = certificate_by_typed_code(code)
    if certificate is None:
        return render_template("certificates/verify_unknown.html", code=code,
                               length=codes.LENGTH, group=codes.GROUP), 404
    if code != certificate.display_code:
        return redirect(url_for("certificates.verify", code=certificate.display_code), 301)
    owner = current_user.is_authenticated and current_user.id == certificate.user_id
    return render_template("certificates/verify.html", certificate=certificate, owner=owner,
                           purged=CertificateStatus.PURGED,
                           retention_years=RETENTION_YEARS), 200, {"Cache-Control": "no-cache"}


def _transcript_entries(learner_id: int) -> list[Entry]:
    return [Entry(course_id=certificate.course_id, code=certificate.display_code,
                  course_title=certificate.course_title,
                  completed_on=certificate.completed_on,
                  approval_number=certificate.approval_number,
                  ce_hours=certificate.ce_hours, counted=certificate.is_valid,
                  status="valid" if certificate.is_valid else "revoked")
            for certificate in sorted(certificates_for(learner_id),
                                      key=lambda c: (c.completed_on, c.id))
            if certificate.status is not CertificateStatus.PURGED]


@bp.get("/transcript")
@login_required
def transcript():
    """The learner's certificates with CEs per year and for a period they choose."""
    period, problems = parse_period(request.args.get("from", ""), request.args.get("to", ""))
    entries = _transcript_entries(current_user.id)
    return render_template(
        "certificates/transcript.html", entries=entries, years=year_totals(entries),
        period=period, problems=problems, ce_hours=ce_hours, counted_once=COUNTED_ONCE,
        total=None if problems or not period.chosen else period_total(entries, period),
        typed={"from": request.args.get("from", "")[:40],
               "to": request.args.get("to", "")[:40]}), 400 if problems else 200


@bp.get("/transcript.pdf")
@login_required
def transcript_pdf():
    period, problems = parse_period(request.args.get("from", ""), request.args.get("to", ""))
    if problems:
        return transcript()
    settings = runtime().settings
    licence = ""
    if current_user.has_licence:
        state = f" ({current_user.licence_state})" if current_user.licence_state else ""
        licence = f"Licence number {current_user.licence_number}{state}"
    document = render_transcript_pdf(TranscriptData(
        learner_name=current_user.legal_name, licence_line=licence,
        provider_name=provider(settings, with_signature=False).name,
        entries=_transcript_entries(current_user.id), period=period,
        made_on=settings.local_date(runtime().clock())))
    return document, 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": 'attachment; filename="ce-transcript.pdf"',
        "Cache-Control": "no-store",
    }
