"""The device cookie (OWASP's "device cookie" against account lockout): a browser that has
logged in to an account before carries a signed cookie naming it, and is not held back by
the limit on guesses at that account from everywhere else, so strangers guessing from many
addresses cannot keep its owner out. Such a browser has a limit of its own instead."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "nmt_device"
MAX_AGE = 180 * 24 * 3600  # renewed at every login
MAX_ACCOUNTS = 5  # accounts one browser is trusted for (a shared clinic computer)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="nmt-device-cookie")


def _digest(email: str) -> str:
    """The account as the cookie names it: keyed, so the cookie does not show the address."""
    key = hashlib.sha256(f"device:{current_app.secret_key}".encode()).digest()
    return hmac.new(key, email.encode(), hashlib.sha256).hexdigest()[:32]


def _read() -> dict | None:
    value = request.cookies.get(COOKIE)
    if not value or len(value) > 1000:
        return None
    try:
        data = _serializer().loads(value, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not (isinstance(data, dict) and isinstance(data.get("n"), str)
            and isinstance(data.get("a"), list)):
        return None
    return data


def trusted_for(email: str | None) -> bool:
    """Whether this browser logged in to the account of `email` (normalised) before."""
    data = _read()
    return bool(email and data and _digest(email) in data["a"])


def device_key() -> str:
    """Rate-limit key of this browser's own tries, when it carries a device cookie."""
    data = _read()
    return f"device:{data['n']}" if data else f"device-none:{request.remote_addr or ''}"


def remember(response, email: str):
    """After a successful login: trust this browser for the account from now on."""
    data = _read() or {"n": secrets.token_urlsafe(16), "a": []}
    digest = _digest(email)
    accounts = [digest] + [a for a in data["a"] if a != digest][:MAX_ACCOUNTS - 1]
    response.set_cookie(COOKIE, _serializer().dumps({"n": data["n"], "a": accounts}),
                        max_age=MAX_AGE, path="/login", httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
