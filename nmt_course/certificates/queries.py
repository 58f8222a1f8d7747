"""Reads about certificates."""
from __future__ import annotations

from sqlalchemy import select

from .. import codes
from ..database import db
from .models import Certificate


def certificates_for(learner_id: int) -> list[Certificate]:
    return list(db.session.scalars(
        select(Certificate).where(Certificate.user_id == learner_id)
        .order_by(Certificate.issued_at.desc())))


def certificate_for(learner_id: int, course_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.user_id == learner_id, Certificate.course_id == course_id))


def certificate_by_typed_code(typed: str) -> Certificate | None:
    """The certificate whose code a person typed (any case, spaces or dashes), or None."""
    canonical = codes.normalise(typed)
    if canonical is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == canonical))
