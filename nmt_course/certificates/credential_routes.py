"""The portable credential: its download, the issuer's DID document and status list, and
checking a credential file on the public verification page."""
from __future__ import annotations

import json

from flask import Blueprint, abort, render_template
from flask_login import login_required

from ..extensions import limiter
from ..web import error_page, runtime
from . import queries
from .credential import STATUS_LIST, did_document, signed_status_list
from .forms import CredentialFileForm
from .lookups import owned_certificate_or_404

bp = Blueprint("credentials", __name__)
JSON = "application/json; charset=utf-8"


@bp.get("/certificates/<code>/credential.json")
@login_required
def download(code: str):
    """The signed Open Badges credential, as stored at issue, for a wallet or a verifier."""
    certificate = owned_certificate_or_404(code)
    stored = queries.credential_of(certificate.id)
    if stored is None:
        return error_page(404, "This certificate's digital credential is not signed yet. "
                               "Try again later, or ask the provider.")
    return stored.document, 200, {
        "Content-Type": JSON,
        "Content-Disposition": f'attachment; filename="credential-{certificate.display_code}'
                               '.json"',
        "Cache-Control": "no-store",  # it names the learner (and maybe a licence)
    }


@bp.get("/credentials/status/<int:number>")
@limiter.limit("60 per minute")
def status_list(number: int):
    """The revocation list, signed now: a verifier checks a credential's bit in it."""
    if number != STATUS_LIST and number not in queries.status_lists_in_use():
        abort(404)
    document = signed_status_list(runtime(), number, queries.set_status_bits(number))
    if document is None:
        return error_page(503, "The issuer has no signing key yet.")
    return json.dumps(document, indent=2), 200, {"Content-Type": JSON,
                                                 "Cache-Control": "no-cache"}


@bp.get("/.well-known/did.json")
def did():
    """The issuer's did:web document: every public key that verifies its credentials."""
    document = did_document(runtime())
    if not document["verificationMethod"]:
        abort(404)
    return json.dumps(document, indent=2), 200, {"Content-Type": JSON,
                                                 "Cache-Control": "public, max-age=300"}


@bp.post("/verify/credential")
@limiter.limit("60 per minute")
def verify_file():
    """Check an uploaded credential file; nothing of it is stored."""
    form = CredentialFileForm()
    if not form.validate_on_submit():
        return render_template("certificates/verify_form.html", code="", error=None,
                               file_form=form), 400
    raw = form.credential.data.stream.read(queries.MAX_UPLOAD + 1)
    report = queries.check_credential_file(runtime(), raw)
    return render_template("certificates/verify_credential.html", report=report,
                           file_form=CredentialFileForm()), 200
