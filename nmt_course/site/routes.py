"""The health check."""
from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text

from ..database import db
from ..extensions import limiter

bp = Blueprint("site", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """'ok' once the database has answered a query."""
    headers = {"Content-Type": "text/plain", "Cache-Control": "no-store"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not healthy
        db.session.rollback()
        return "database unavailable\n", 503, headers
    return "ok\n", 200, headers
