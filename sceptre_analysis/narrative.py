"""Words from numbers: separators, pounds, plurals, hedges and citations.

No figure is typed into a notebook by hand; notebooks call these helpers on rows
of the data so that the prose always says exactly what the data says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import inflection
import pandas as pd

__all__ = [
    "cite",
    "format_date",
    "format_period",
    "format_value",
    "hedged_figure",
    "join_words",
    "plural",
    "spell_small",
]


def _is_missing(value: Any) -> bool:
    """None, NaN, NA and NaT alike: blank cells arrive as any of them."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other containers are values, not blanks
        return False


def format_number(value: float | int) -> str:
    """``1002`` → ``"1,002"``; keeps up to two decimals only when there are any."""
    number = float(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.2f}"


def format_value(value: float | int, unit: str = "count") -> str:
    """A value in its unit: ``1940, "GBP"`` → ``"£1,940"``; ``7, "days"`` → ``"7"``."""
    if _is_missing(value):
        return "–"
    if unit == "GBP":
        number = float(value)
        return f"£{number:,.0f}" if number.is_integer() else f"£{number:,.2f}"
    return format_number(value)


def plural(noun: str, count: float | int, plural_form: str | None = None) -> str:
    """The noun in the form that agrees with ``count`` ("1 knife", "187 knives").

    ``plural_form`` overrides inflect for phrases it cannot inflect
    ("people referred to intervention programmes").
    """
    if float(count) == 1:
        return noun
    if plural_form:
        return plural_form
    return inflection.pluralize(noun) or noun


_SMALL_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def spell_small(number: int) -> str:
    """Style-guide numbers: one to nine in words, 10 and above in figures."""
    if 0 <= number < 10 and float(number).is_integer():
        return _SMALL_NUMBERS[int(number)]
    return format_number(number)


def hedged_figure(
    value: float | int,
    *,
    qualifier: str = "",
    unit: str = "count",
    noun: str = "",
    noun_plural: str | None = None,
) -> str:
    """A figure as the source hedged it: ``"more than 240 weapons"``, ``"£1,940"``.

    The hedge is kept word for word so the report never claims more precision
    than its source.
    """
    text = format_value(value, unit)
    if noun and unit != "GBP":
        text = f"{text} {plural(noun, value, noun_plural)}"
    elif unit == "GBP" and noun:
        text = f"{text} in {noun}"
    qualifier = (qualifier or "").strip()
    return f"{qualifier} {text}" if qualifier else text


def join_words(items: list[str], conjunction: str = "and") -> str:
    """``["a", "b", "c"]`` → ``"a, b and c"`` (British style, no serial comma)."""
    items = [item for item in items if item]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def format_date(value: dt.date | pd.Timestamp | None) -> str:
    """``2020-11-19`` → ``"19 November 2020"``; blank when unknown."""
    if value is None or pd.isna(value):
        return ""
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {stamp:%B %Y}"


def format_period(start: Any, end: Any) -> str:
    """``9 to 15 November 2020``, spelling out only what differs between the ends."""
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    if first == last:
        return format_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} to {last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} to {last.day} {last:%B %Y}"
    return f"{format_date(first)} to {format_date(last)}"


def cite(source: Mapping[str, Any]) -> str:
    """A short citation for a sources row: publisher, title in quotes, date.

    Undated sources say so rather than borrowing another source's date.
    """
    parts = [str(source.get("publisher") or source.get("source_id"))]
    title = source.get("title")
    if isinstance(title, str) and title.strip():
        parts.append(f"“{title.strip()}”")
    published = source.get("published")
    parts.append(format_date(published) if not _is_missing(published) else "undated")
    return ", ".join(parts)
