"""Friendly error pages: never a traceback."""
from __future__ import annotations

import math
import time

from flask import Flask
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from ..extensions import limiter
from ..runtime import LiveSessionsDown
from ..web import EXPIRED_FORM_MESSAGE, error_page, unavailable_page


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_page(400, EXPIRED_FORM_MESSAGE)

    # A Host outside TRUSTED_HOSTS: no page can be built for it (its links would need the
    # host), so a plain answer.
    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        return "Bad request: this site does not answer for that host name.\n", 400, {
            "Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(RateLimitExceeded)
    def too_many_tries(error):
        current = limiter.current_limit  # the limit that was reached
        seconds = max(1, math.ceil(current.window[0] - time.time())) if current else 60
        page, status = error_page(429, f"Wait {_wait(seconds)}, then try again.")
        return page, status, {"Retry-After": str(seconds)}

    # Redis went away during a page that starts a session: its transaction rolled back.
    @app.errorhandler(LiveSessionsDown)
    def sessions_down(error):
        return unavailable_page()

    # Unhandled exceptions arrive here as InternalServerError (500), already logged by Flask.
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return error_page(error.code)


def _wait(seconds: float) -> str:
    """How long until the limit that was reached lets the next try through, as people say."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes == 1:
        return "a minute"
    if minutes < 90:
        return f"{minutes} minutes"
    return f"about {round(minutes / 60)} hours"
