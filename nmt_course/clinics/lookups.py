"""The clinic a URL names, for its pages: the record is checked, not only the role."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from .models import Clinic
from .queries import managed_clinic


def clinic_or_404(clinic_id: int) -> Clinic:
    """The clinic if the current user manages it (or is an admin); 404 otherwise, so that
    other clinics do not show they exist."""
    clinic = managed_clinic(current_user, clinic_id)
    if clinic is None:
        abort(404)
    return clinic
