"""What the certificate pages share (not a page)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from .models import Certificate
from .queries import certificate_by_typed_code


def owned_certificate_or_404(code: str) -> Certificate:
    """The certificate if the current user owns it or is an admin; 404 for anyone else."""
    certificate = certificate_by_typed_code(code)
    if certificate is None or not (certificate.user_id == current_user.id
                                   or current_user.is_admin):
        abort(404)
    return certificate
