"""One-line text: normalised, without controls or bidirectional overrides, joiners kept."""
from __future__ import annotations

import unicodedata

import pytest

from nmt_course.text import one_line


@pytest.mark.parametrize("typed, kept", [
    ("Jane\nLicence number FAKE", "Jane Licence number FAKE"),
    ("  Jane \t  Doe\r\n", "Jane Doe"),
    ("Jane\x00 Doe\x07", "Jane Doe"),
    ("Jane \u202eeoD\u202c", "Jane eoD"),  # a right-to-left override removed
    ("\u2066Jane\u2069 \u200fDoe", "Jane Doe"),  # isolates and marks
    ("A\u2028B\u2029C\x85D", "A B C D"),  # Unicode line and paragraph separators
    (None, ""),
])
def test_controls_and_line_breaks_go(typed, kept):
    assert one_line(typed) == kept


def test_accents_are_composed_one_way():
    decomposed = "Nu\u0301n\u0303ez"
    assert one_line(decomposed) == unicodedata.normalize("NFC", decomposed) == "Núñez"


@pytest.mark.parametrize("name", [
    "\u0915\u094d\u200d\u0937",  # Devanagari with a zero-width joiner (half form)
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian with a non-joiner
])
def test_joiners_that_spell_names_stay(name):
    assert one_line(name) == name
