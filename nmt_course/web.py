"""What every page shares: the runtime operations need, the plain action form, error pages."""
from __future__ import annotations

import contextlib
import functools
import gc

from flask import abort, current_app, render_template, request, session
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter

from .accounts.queries import ended_session_hashes
from .accounts.session_operations import end_session, start_session
from .runtime import Runtime
from .time_on_task import opened_at, sign_open_time


@contextlib.contextmanager
def bulk_work():
    """For a page that builds tens of thousands of rows, tuples and strings and no reference
    cycles (a clinic's report and its CSV): the cycle collector is paused while it runs. In
    the middle of such a page it would run a full collection, which scans every object of
    the process (some 300,000: about 100 ms, longer than the page) and finds nothing to
    free. Call the page's work as a function inside the block: what it built is freed by
    reference counting when it returns, before the collector is back, so nothing is left
    for it to catch up on. A gunicorn worker serves one request at a time (sync workers)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


ERROR_MESSAGES = {
    400: ("Something in that request was not right",
          "Go back, reload the page and try again."),
    403: ("You cannot open this page", "Your account does not have access to it."),
    404: ("Page not found", "The address may be mistyped, or the page has moved."),
    405: ("That did not work", "This page cannot be used that way."),
    413: ("That was too large", "Send less at once."),
    422: ("Something in that form was not right", "Go back and check it."),
    429: ("Too many tries", "Wait a while, then try again."),
    500: ("Something went wrong on our side",
          "It has been logged. Please try again in a moment."),
    503: ("Back in a moment",
          "Logging in, registering and changing a password or e-mail address are paused "
          "for a moment. Nothing was changed. Please try again shortly."),
}
RETRY_AFTER_SECONDS = 30  # what a 503 page's Retry-After says


EXPIRED_FORM_MESSAGE = ("This form had expired or was sent from another site. Reload the page "
                        "and send it again.")


class ActionForm(FlaskForm):
    """A button that changes something: only a CSRF token travels with it."""


def same_origin() -> bool:
    """Whether this request came from a page of this site (as browsers tell it: the
    Sec-Fetch-Site header, else the Origin header). A form posted from another site must not
    be able to put its text in front of one of our users."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    return origin is not None and origin.rstrip("/") == request.host_url.rstrip("/")


def admins_only():
    """Before every admin page: log in first; then admins only (403 for others)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)
    return None


def log_in(user, *, remember: bool = False, password: str | None = None) -> None:
    """Start a session the server can end, with a fresh cookie: nothing an attacker planted
    in the session before login (its id, its CSRF token) survives it."""
    kept = {key: value for key, value in session.items() if key.startswith("keep:")}
    session.clear()
    session.update(kept)  # what a page asked to survive the login (answers being written)
    start_session(runtime(), user, remember=remember, address=request.remote_addr or "",
                  password=password)
    login_user(user, remember=remember)
    session["remember_me"] = remember
    session["seen"] = int(runtime().clock().timestamp())


def log_out() -> None:
    """End this session on the server and in the browser (the cookie and remember-me)."""
    if current_user.is_authenticated:
        end_session(runtime(), learner(), request.remote_addr or "")
    logout_user()
    session.clear()
    session["_remember"] = "clear"  # Flask-Login's order to delete the remember-me cookie


MAX_INTEGER = 2**31 - 1  # what every database's INTEGER column holds


def db_int(text: str) -> int:
    """For request.args.get(..., type=db_int): an integer a database column can hold; a
    larger one is refused like a word (the caller gets None), never a database error."""
    value = int(text)
    if not -MAX_INTEGER <= value <= MAX_INTEGER:
        raise ValueError("out of range")
    return value


class BoundedIntegerConverter(IntegerConverter):
    """<int:...> in routes: out of a database's range, the address matches nothing (404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(url_map, *args, **kwargs)


def per_person() -> str:
    """Rate-limit key of the logged-in person, wherever they come from: staff behind one
    clinic network do not use up each other's tries. The account's creation time goes with
    its id: a database made anew (ids start again at 1) does not inherit the old counts."""
    if not current_user.is_authenticated:
        return request.remote_addr or ""
    return f"user:{current_user.id}:{current_user.created_at.timestamp():.6f}"


def shared_sessions_down() -> bool:
    """Whether REDIS_URL is set and Redis does not answer now (after an outage, it answers
    once it has forgotten the sessions that ended meanwhile: accounts/live_sessions.py)."""
    live = runtime().live_sessions
    if live.in_table:
        return False
    return not (live.answering(lambda: ended_session_hashes(runtime())) and live.ping())


def needs_shared_sessions(view):
    """For pages that start sessions or count guesses at an account (login, registration,
    password reset, e-mail change): while Redis is down they answer 503, try again shortly,
    rather than start a session other processes cannot see or count guesses per process."""
    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if shared_sessions_down():
            return unavailable_page()
        return view(*args, **kwargs)
    return guarded


def unavailable_page():
    page, status = error_page(503)
    return page, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def runtime() -> Runtime:
    """The settings, clock and mailer this app's operations run with."""
    return current_app.extensions["nmt_runtime"]


def learner():
    """The logged-in user object itself (not the proxy), to hand to operations."""
    return current_user._get_current_object()


def error_page(code: int, message: str | None = None):
    title, hint = ERROR_MESSAGES.get(code, ERROR_MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title,
                           hint=message or hint), code


OPENED_FIELD = "opened"  # the signed open time in a lesson's or quiz's form


def open_token(subject: str) -> str:
    """The signed open time for the current user's form of `subject` ("lesson:3")."""
    return sign_open_time(current_app.secret_key, user_id=current_user.id, subject=subject,
                          at=runtime().clock())


def posted_open_time(subject: str):
    """When the current user opened the form of `subject` just posted, or None."""
    return opened_at(current_app.secret_key, request.form.get(OPENED_FIELD),
                     user_id=current_user.id, subject=subject)
