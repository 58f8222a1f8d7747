"""How long records are kept: the one home of the retention period. Pure.

The national board's provider rules: records (certificates, rosters, completions,
evaluations) are kept at least 6 years, and certificates can be re-issued within that time.
A deleted account's certificates and the evidence behind them are kept until the newest of
its certificates is this old; `flask --app app records purge` then removes them."""
from __future__ import annotations

import datetime as dt

RETENTION_YEARS = 6


def years_before(moment: dt.datetime, years: int = RETENTION_YEARS) -> dt.datetime:
    """`moment` the given number of years earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def kept_until(issued_at: dt.datetime) -> dt.datetime:
    """When a record issued at `issued_at` has been kept for the whole period."""
    try:
        return issued_at.replace(year=issued_at.year + RETENTION_YEARS)
    except ValueError:
        return issued_at.replace(year=issued_at.year + RETENTION_YEARS, day=28)
