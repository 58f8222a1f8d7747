"""Certificate codes: 140 random bits in Crockford base32, grouped so a person can type them."""
from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O or U: nothing to misread
LENGTH = 28  # 28 characters x 5 bits = 140 bits
GROUP = 4
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    value = secrets.randbits(LENGTH * 5)
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(LENGTH))


def normalise(text: str) -> str | None:
    """The canonical code for what a person typed (any case, spaces, dashes), or None."""
    compact = "".join(text.split()).replace("-", "").upper().translate(_READ_AS)
    if len(compact) != LENGTH or any(char not in ALPHABET for char in compact):
        return None
    return compact


def display(code: str) -> str:
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))
