"""Password hashing with the method the settings name (tests use a cheaper one)."""
from __future__ import annotations

import functools
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str, method: str) -> str:
    return generate_password_hash(password, method=method)


def check_password(stored_hash: str, password: str) -> bool:
    return check_password_hash(stored_hash, password)


@functools.cache
def _dummy_hash(method: str) -> str:
    return hash_password(secrets.token_hex(8), method)


def spend_equal_time(password: str, method: str) -> None:
    """The work of a real check, so response time does not reveal which accounts exist."""
    check_password_hash(_dummy_hash(method), password)
