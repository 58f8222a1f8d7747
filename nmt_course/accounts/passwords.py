"""Passwords: which are good enough, and how they are hashed (argon2id by default; the tests
name a cheaper Werkzeug method). Hashes made with another method or weaker parameters are
replaced at the next login (needs_rehash)."""
from __future__ import annotations

import functools
import re
import secrets
import unicodedata
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
ARGON2ID = "argon2id"
# OWASP's Password Storage Cheat Sheet: argon2id with 19 MiB, 2 iterations, 1 lane.
_argon2 = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# zxcvbn's scale: 3 is "safely unguessable" (about 10^8 guesses or more); its lists hold the
# most common and breached passwords, names and words, and it sees through patterns
# ("password12", "1234567890", keyboard rows, dates).
MIN_STRENGTH = 3
# zxcvbn counts a name given as user input as one cheap guess, yet scores "MaryAlpha1234"
# for Mary Alpha 3: a password half made of the person's own name or address is refused.
MIN_PART = 3  # shorter pieces of a name or address (Jo, Li) are left out of the count


def _folded(text: str) -> str:
    """Without case or accents: Núñez and NUNEZ are the same guess."""
    return "".join(char for char in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(char)).casefold()


def _own_share(password: str, about_user: Iterable[str]) -> float:
    """The share of `password`'s characters that spell pieces (3 letters or more) of the
    person's name or e-mail address, ignoring case and accents."""
    folded = _folded(password)
    pieces = {piece for value in about_user if value
              for piece in re.split(r"[\W_]+", _folded(value)) if len(piece) >= MIN_PART}
    covered = set()
    for piece in pieces:
        start = folded.find(piece)
        while start != -1:
            covered.update(range(start, start + len(piece)))
            start = folded.find(piece, start + 1)
    return len(covered) / len(folded)


def password_problem(password: str, about_user: Iterable[str] = ()) -> str | None:
    """Why `password` will not do, or None. `about_user`: their e-mail and name, which a
    guesser would try first."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    about_user = list(about_user)
    if _own_share(password, about_user) >= 0.5:
        return ("Half or more of this password is your name or e-mail address, which a "
                "guesser tries first: choose one that is mostly something else.")
    hints = [word for value in about_user if value
             for word in [value, *value.replace("@", " ").replace(".", " ").split()]]
    verdict = zxcvbn(password[:100], user_inputs=hints)
    if verdict["score"] >= MIN_STRENGTH:
        return None
    warning = verdict["feedback"]["warning"] or "It is among the passwords guessed first."
    return (f"This password is too easy to guess. {warning.rstrip('.')}. Try a few unrelated "
            "words, or a longer phrase only you would think of.")


def hash_password(password: str, method: str) -> str:
    if method == ARGON2ID:
        return _argon2.hash(password)
    return generate_password_hash(password, method=method)


def check_password(stored_hash: str, password: str) -> bool:
    if stored_hash.startswith("$argon2"):
        try:
            return _argon2.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    return check_password_hash(stored_hash, password)


def needs_rehash(stored_hash: str, method: str) -> bool:
    """Whether a hash that checked out should be made again with `method`."""
    if method == ARGON2ID:
        return not stored_hash.startswith("$argon2id$") or _argon2.check_needs_rehash(
            stored_hash)
    return stored_hash.split("$", 1)[0].split(":")[0] != method.split(":")[0]


@functools.cache
def _dummy_hash(method: str) -> str:
    return hash_password(secrets.token_hex(8), method)


def spend_equal_time(password: str, method: str) -> None:
    """The work of a real check, so response time does not reveal which accounts exist."""
    check_password(_dummy_hash(method), password)
