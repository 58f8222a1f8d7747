"""Friendly error pages: never a traceback."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Something in that request was not right",
          "Go back, reload the page and try again."),
    403: ("You cannot open this page", "Your account does not have access to it."),
    404: ("Page not found", "The address may be mistyped, or the page has moved."),
    405: ("That did not work", "This page cannot be used that way."),
    413: ("That was too large", "Send less at once."),
    422: ("Something in that form was not right", "Go back and check it."),
    429: ("Too many tries", "Wait a minute, then try again."),
    500: ("Something went wrong on our side",
          "It has been logged. Please try again in a moment."),
}


def _page(code: int, message: str | None = None):
    title, hint = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title,
                           hint=message or hint), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if request.endpoint == "quizzes.take" and request.method == "POST":
            from ..quizzes.routes import recover_expired_form
            return recover_expired_form()
        return _page(400, "This form had expired or was sent from another site. Reload the "
                          "page and send it again.")

    # Unhandled exceptions arrive here as InternalServerError (500), already logged by Flask.
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return _page(error.code)
