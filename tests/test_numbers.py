"""Numbers as releases write them: what a reader sees in a quote is the figure we find."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sceptre_analysis.numbers import numbers_in, parse_number, states

# (text, [(value, text as written, kind, high), ...])
CASES: list[tuple[str, list[tuple[float, str, str, float | None]]]] = [
    ("Thirty four officers", [(34, "Thirty four", "words", None)]),
    ("Fifty-six knives were seized", [(56, "Fifty-six", "words", None)]),
    ("a dozen arrests", [(12, "a dozen", "words", None)]),
    ("two dozen knives", [(24, "two dozen", "words", None)]),
    ("more than 100 000 items", [(100000, "100 000", "digits", None)]),
    ("1,002 arrests", [(1002, "1,002", "digits", None)]),
    ("£1,940 in cash", [(1940, "£1,940", "money", None)]),
    ("£2,000.50 recovered", [(2000.5, "£2,000.50", "money", None)]),
    ("£1.5m seized", [(1_500_000, "£1.5m", "money", None)]),
    ("12 per cent of searches", [(12, "12 per cent", "percent", None)]),
    ("an increase of 14%", [(14, "14%", "percent", None)]),
    ("twelve per cent", [(12, "twelve per cent", "percent", None)]),
    ("a fifth of all knives", [(0.2, "a fifth", "fraction", None)]),
    ("two thirds", [(2 / 3, "two thirds", "fraction", None)]),
    ("three quarters of them", [(0.75, "three quarters", "fraction", None)]),
    ("a quarter of weapons", [(0.25, "a quarter", "fraction", None)]),
    ("3.2kg of cannabis", [(3.2, "3.2kg", "weight", None)]),
    ("500 g of cocaine", [(500, "500 g", "weight", None)]),
    ("four times as many", [(4, "four times", "multiple", None)]),
    ("twice as many", [(2, "twice", "multiple", None)]),
    ("between 800 and 1,000 knives", [(800, "800 and 1,000", "digits", 1000)]),
    (
        "between eight hundred and one thousand",
        [(800, "eight hundred and one thousand", "words", 1000)],
    ),
    ("800-1,000 weapons", [(800, "800-1,000", "digits", 1000)]),
    ("between 12% and 15%", [(12, "12% and 15%", "percent", 15)]),
    ("NEARLY 300 weapons", [(300, "300", "digits", None)]),
    ("NEARLY THREE HUNDRED weapons", [(300, "THREE HUNDRED", "words", None)]),
    ("A hundred officers", [(100, "A hundred", "words", None)]),
    ("one thousand and two", [(1002, "one thousand and two", "words", None)]),
    ("1.2 million people", [(1_200_000, "1.2 million", "digits", None)]),
    ("in 2019, 300 officers", [(2019, "2019", "digits", None), (300, "300", "digits", None)]),
    ("circa c.300 items", [(300, "300", "digits", None)]),
    ("20 knives and 3 swords", [(20, "20", "digits", None), (3, "3", "digits", None)]),
    ("on 22nd November 2025", [(2025, "2025", "digits", None)]),
    ("the fifth week", []),
    ("per cent", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_numbers_in_reads_what_a_reader_reads(text: str, expected: list) -> None:
    found = numbers_in(text)
    got = [(m.value, m.text, m.kind, m.high) for m in found]
    assert len(got) == len(expected), got
    for (value, written, kind, high), mention in zip(expected, found, strict=True):
        assert mention.value == pytest.approx(value)
        assert (mention.text, mention.kind) == (written, kind)
        assert mention.high == (None if high is None else pytest.approx(high))
        assert text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("Thirty four", 34),
        ("Fifty-six", 56),
        ("a dozen", 12),
        ("100 000", 100000),
        ("1,002", 1002),
        ("£1,940", 1940),
        ("12 per cent", 12),
        ("14%", 14),
        ("a fifth", 0.2),
        ("3.2kg", 3.2),
        ("four times", 4),
        ("three hundred", 300),
        ("  1002. ", 1002),
    ],
)
def test_parse_number_reads_one_number(words: str, value: float) -> None:
    assert parse_number(words) == pytest.approx(value)


@pytest.mark.parametrize("words", ["about 5", "5 and 6", "between 800 and 1,000", "knives", ""])
def test_parse_number_refuses_anything_but_one_number(words: str) -> None:
    assert parse_number(words) is None


@pytest.mark.parametrize(
    ("quote", "value", "high", "expected"),
    [
        ("Thirty four people were arrested", 34, None, True),
        ("Thirty four people were arrested", 43, None, False),
        ("NEARLY 300 weapons", 300, None, True),
        ("between 800 and 1,000 knives", 800, 1000, True),
        ("between 800 and 1,000 knives", 1000, None, True),
        ("between 800 and 1,000 knives", 800, 900, False),
        ("between 800 and 1,000 knives", 801000, None, False),
        ("from 800 to 1,000 knives", 800, 1000, True),
        ("a fifth of all", 0.2, None, True),
        ("£1,940 in cash", 1940, None, True),
        ("12 per cent", 12, None, True),
        ("25 100 arrests", 25100, None, True),
        ("aged 25 100 arrests", 100, None, True),
        ("no number here", 1, None, False),
        ("", 1, None, False),
    ],
)
def test_states(quote: str, value: float, high: float | None, expected: bool) -> None:
    assert states(quote, value, high) is expected


# --- property: however a whole number is written, it is read back -------------------------

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _words_below_1000(n: int) -> str:
    parts: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        parts.append(f"{_ONES[hundreds]} hundred")
    if rest or not parts:
        if parts:
            parts.append("and")
        if rest < 20:
            parts.append(_ONES[rest])
        else:
            tens, ones = divmod(rest, 10)
            parts.append(_TENS[tens] + (f"-{_ONES[ones]}" if ones else ""))
    return " ".join(parts)


def in_words(n: int) -> str:
    """An English writer for the test (independent of the library under test)."""
    thousands, rest = divmod(n, 1000)
    if not thousands:
        return _words_below_1000(rest)
    head = f"{_words_below_1000(thousands)} thousand"
    if not rest:
        return head
    joiner = " and " if rest < 100 else " "
    return head + joiner + _words_below_1000(rest)


WRITERS = {
    "plain": str,
    "commas": lambda n: f"{n:,}",
    "spaces": lambda n: f"{n:,}".replace(",", " "),
    "words": in_words,
    "Capitalised words": lambda n: in_words(n).capitalize(),
}


@given(
    n=st.integers(min_value=1, max_value=999_999),
    how=st.sampled_from(sorted(WRITERS)),
    before=st.sampled_from(["", "Police seized ", "In total, "]),
    after=st.sampled_from(["", " knives.", " people were arrested"]),
)
def test_any_written_number_round_trips(n: int, how: str, before: str, after: str) -> None:
    written = WRITERS[how](n)
    quote = before + written + after
    assert parse_number(written) == n
    assert states(quote, n)
    found = numbers_in(quote)
    assert [m.value for m in found] == [n]
    assert found[0].text == written


@given(
    low=st.integers(min_value=1, max_value=50_000),
    extra=st.integers(min_value=1, max_value=50_000),
    how=st.sampled_from(sorted(WRITERS)),
)
def test_a_written_range_keeps_both_ends(low: int, extra: int, how: str) -> None:
    high = low + extra
    quote = f"between {WRITERS[how](low)} and {WRITERS[how](high)} knives"
    assert states(quote, low, high)
    assert not states(quote, low, high + 1)
