"""The learner's dashboard and the health check."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import text

from .. import queries
from ..extensions import db, limiter

bp = Blueprint("main", __name__)


@bp.get("/dashboard")
@login_required
def dashboard():
    """Every course the learner started, with progress, and their certificates."""
    courses = queries.started_courses(current_user.id)
    return render_template("main/dashboard.html", courses=courses,
                           progress=queries.progress_by_course(current_user, courses),
                           certificates=queries.certificates_for(current_user.id))


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """'ok' once the database has answered a query."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not healthy
        db.session.rollback()
        return "database unavailable\n", 503, {"Content-Type": "text/plain", "Cache-Control": "no-store"}
    return "ok\n", 200, {"Content-Type": "text/plain", "Cache-Control": "no-store"}
