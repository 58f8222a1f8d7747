"""The health check."""
from __future__ import annotations

from flask import Blueprint, request
from sqlalchemy import text

from ..database import db
from ..extensions import limiter
from ..web import runtime

bp = Blueprint("site", __name__)

REDIS_DEGRADED = ("redis: degraded: Redis does not answer; sessions are checked in the "
                  "database, rate limits are counted by each process alone, and logging in, "
                  "registering and password or e-mail changes answer 503 until it returns\n")


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """'ok' once the database has answered a query. With REDIS_URL, Redis is asked too: when
    it does not answer the site still serves (200, saying what is degraded) and
    `?strict=1` answers 503, for a load balancer that should send people elsewhere."""
    headers = {"Content-Type": "text/plain", "Cache-Control": "no-store"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not healthy
        db.session.rollback()
        return "database unavailable\n", 503, headers
    live = runtime().live_sessions
    if not live.in_table and not live.ping():
        return "ok\n" + REDIS_DEGRADED, 503 if request.args.get("strict") else 200, headers
    return "ok\n", 200, headers
