"""Reading single cells: plain numbers, dates and months, sums of measures.

Each function returns None (or raises nothing) for text it cannot read, so a rule can say what
is wrong in words.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

__all__ = [
    "EARLIEST",
    "LARGEST",
    "LATEST",
    "Period",
    "normalise_text",
    "parse_date",
    "parse_number",
    "parse_period",
    "parse_total_of",
    "total_of_alternatives",
]

#: The dates a figure may plausibly have (a typo such as 1020-11-09 is outside, and so is
#: anything pandas cannot hold).
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
#: The largest number stored: far above any real count, and safely below 2**63.
LARGEST = Decimal(10) ** 15

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_QUOTE_MARKS = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    }
)  # fmt: skip


def parse_number(text: str) -> Decimal | None:
    """A plain decimal number, or None: no thousands separators, currency signs or exponents."""
    if not _NUMBER.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex already rules this out
        return None


def parse_date(text: str) -> date | None:
    """An ISO ``YYYY-MM-DD`` calendar date, or None."""
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Period:
    """A period cell read: ``kind`` is ``exact`` (a day), ``month`` or ``undated`` (blank)."""

    kind: str
    first: date | None = None
    last: date | None = None  # the month's last day for a month


UNDATED = Period("undated")


def parse_period(text: str) -> Period | None:
    """``2020-11-09`` (a day), ``2020-11`` (a month) or blank; None when unreadable."""
    if not text:
        return UNDATED
    if _ISO_MONTH.match(text):
        year, month = int(text[:4]), int(text[5:])
        if not 1 <= month <= 12 or year < 1:
            return None
        last = calendar.monthrange(year, month)[1]
        return Period("month", date(year, month, 1), date(year, month, last))
    day = parse_date(text)
    return None if day is None else Period("exact", day, day)


def total_of_alternatives(text: str) -> list[list[str]]:
    """``"a + b ; a + c"`` -> ``[["a", "b"], ["a", "c"]]``; blank -> ``[]`` (empty parts are
    kept, to be reported)."""
    if not text.strip():
        return []
    return [[part.strip() for part in option.split("+")] for option in text.split(";")]


def parse_total_of(text: str) -> list[str]:
    """Every measure named in ``total_of`` once, in order (all alternatives together)."""
    return list(dict.fromkeys(p for option in total_of_alternatives(text) for p in option))


def normalise_text(text: str) -> str:
    """Fold the differences a copy-paste introduces: spacing, line breaks, curly quotes."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTE_MARKS)
    return " ".join(text.split())
