"""Text as people type it, the way it is stored: one-line text (names, licence numbers, titles,
reasons) and e-mail addresses, each through its one normaliser, applied once, by the operation
that stores it; and the check of a name that someone else's e-mail greets. Pure.

NFC composes accents the one way; control characters (Unicode Cc) and the bidirectional
controls that reorder what follows them are removed, so a name cannot carry a line break onto
a certificate or hide text behind a right-to-left override; runs of spaces become one. The
zero-width joiner and non-joiner stay: Indic and Persian names need them to spell right.
"""
from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

# Unicode's Bidi_Control characters: ALM, LRM, RLM, embeddings, overrides, isolates, PDF/PDI.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
# Characters that break a line; they become spaces, not nothing, so words stay apart.
LINE_BREAKS = frozenset("\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def one_line(value: str | None) -> str:
    """`value` as one clean line ('' for None)."""
    if not value:
        return ""
    text = unicodedata.normalize("NFC", value)
    kept = []
    for char in text:
        if char in LINE_BREAKS:
            kept.append(" ")
        elif char in BIDI_CONTROLS or unicodedata.category(char) == "Cc":
            continue
        else:
            kept.append(char)
    return " ".join("".join(kept).split())


def address_of(value: str | None, limit: int = 100) -> str:
    """Words as a web address or an id: "Scalene Release" → "scalene-release"; accents
    dropped ("Piriformis Syndrome — Débridé" → "piriformis-syndrome-debride"), anything but
    letters and digits a hyphen, cut at a word within `limit` characters ('' if no word)."""
    ascii_text = unicodedata.normalize("NFKD", one_line(value)).encode("ascii", "ignore")
    words = re.findall(r"[a-z0-9]+", ascii_text.decode("ascii").lower())
    address = ""
    for word in words:
        longer = f"{address}-{word}" if address else word
        if len(longer) > limit:
            break
        address = longer
    return address or (words[0][:limit] if words else "")


# Words a question's id leaves out of its prompt, so "A client turns the head..." reads
# client-turns-head.
_FILLER = frozenset("a an the of to in on at is are was be by for with and or which what "
                    "who when how your you this that it its as do does".split())


def question_id_of(prompt: str | None, taken: set[str], words: int = 4) -> str:
    """A question id suggested from its prompt, one no other question of the quiz has."""
    kept = [word for word in address_of(prompt, 1000).split("-") if word not in _FILLER]
    wanted = address_of("-".join(kept[:words]), 40) or "question"
    key, number = wanted, 2
    while key in taken:
        key, number = f"{wanted}-{number}", number + 1
    return key


def email_address(value: str) -> str:
    """`value` as an account, an invitation or a lookup stores it: checked (the syntax only,
    no DNS), domain and letters in one form, lower case; the space a phone keyboard adds
    after a word is dropped. ValueError with the reason if it is not an address."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None


# What a person's name holds besides letters and their marks (any script): spaces, the
# joiners, and the punctuation of names such as O'Brien, Jean-Luc, Sr., (Maggie).
NAME_PUNCTUATION = frozenset(" .,'\u2019\u2018-\u2010\u2011()\u200c\u200d")


def name_problem(value: str) -> str | None:
    """Why `value` (one_line'd) cannot be a name an e-mail greets, or None. An invitation
    greets the name a manager typed, so it must not carry a message: no digits, web address,
    "@" or other symbols ("Hello URGENT: your licence is suspended... https://...")."""
    if all(unicodedata.category(char)[0] in "LM" or char in NAME_PUNCTUATION
           for char in value):
        return None
    return ("A name may hold only letters, spaces and the marks names use (. , ' - and "
            "brackets): no digits, web address, “@” or other symbols.")
