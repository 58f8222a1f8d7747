"""Half a password made of the person's own name or address is refused (issue 15, finding
10); what merely contains a piece of it, among much else, is not."""
from __future__ import annotations

import pytest

from nmt_course.accounts.passwords import password_problem

MARY = ("mary.alpha@clinic-example.com", "Mary Alpha")
OWN = "Half or more of this password is your name or e-mail address"


@pytest.mark.parametrize("password", ["MaryAlpha1234", "alphamary!!2", "MARY-ALPHA-99",
                                      "clinicexample1", "maryMARYmary12", "Alpha2024Mary!"])
def test_a_password_mostly_of_the_name_or_address_is_refused(password):
    assert OWN in password_problem(password, MARY)


@pytest.mark.parametrize("password", ["mary-stapled-orbit-lantern", "correct horse battery",
                                      "Alphabet soup at noon!"])
def test_a_piece_of_the_name_among_much_else_passes_this_rule(password):
    assert password_problem(password, MARY) is None


def test_short_pieces_of_a_name_count_for_nothing():
    """"Li" would match inside unrelated words; names of two letters are left out."""
    assert password_problem("lilies-and-lions", ("li.wu@example.com", "Li Wu")) is None
    assert OWN not in (password_problem("liwulily-lilac", ("li.wu@example.com", "Li Wu"))
                       or "")
