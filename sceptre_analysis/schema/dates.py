"""The date rule shared by every file: ``YYYY-MM-DD``, real, and within plausible years (so no
typo such as 1020-11-09 reaches pandas, whose dates stop at 1677 and 2262)."""

from __future__ import annotations

import re

from .problems import quoted
from .rules import Rules
from .values import EARLIEST, LATEST, parse_date

__all__ = ["date_problem", "date_rule"]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date_problem(value: str) -> str | None:
    """Why ``value`` is not a usable date, or None (blank is fine)."""
    if value == "":
        return None
    if not _ISO_DATE.match(value):
        return (
            f"must be a date written YYYY-MM-DD (got {quoted(value)}, expected a date such as "
            "2020-11-09)"
        )
    day = parse_date(value)
    if day is None:
        return (
            f"is not a real calendar date (got {quoted(value)}, expected a date that exists, "
            "written YYYY-MM-DD)"
        )
    if not EARLIEST <= day <= LATEST:
        return (
            f"is outside the plausible dates (got {quoted(value)}, expected a date between "
            f"{EARLIEST.isoformat()} and {LATEST.isoformat()}; is the year mistyped?)"
        )
    return None


def date_rule(rules: Rules, column: str) -> set[int]:
    return rules.cell(column, date_problem)
