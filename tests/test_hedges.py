"""The one hedge module: what each hedge meaning allows, checked against exact figures and
against other hedged claims.  The vocabulary is a fixture, so the shipped data may grow."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sceptre_analysis import hedges
from sceptre_analysis.hedges import Claim, claim, compatible, describe, holds, parse_qualifier
from sceptre_analysis.vocab import load_vocabulary

VOCAB = load_vocabulary(Path(__file__).parent / "fixtures" / "vocab")


def c(value: float, qualifier: str = "", high: float | None = None) -> Claim:
    return claim(value, qualifier, VOCAB, high=high)


# (stated value, qualifier, range end, exact figure, holds?)
HOLDS = [
    (240, "more than", None, 245, True),
    (240, "more than", None, 240, False),
    (240, "more than", None, 239, False),
    (1000, "over", None, 1002, True),
    (9639, "over", None, 9639, False),  # a hedge that cannot be true of its own exact total
    (9000, "in excess of", None, 9376, True),
    (100, "just over", None, 104, True),
    (100, "just over", None, 110, False),
    (100, "at least", None, 100, True),
    (100, "no less than", None, 99, False),
    (10000, "almost", None, 9737, True),
    (10000, "almost", None, 10000, False),
    (10000, "almost", None, 5000, False),
    (300, "nearly", None, 290, True),
    (200, "nearly", None, 245, False),
    (10000, "just under", None, 9600, True),
    (10000, "just under", None, 9400, False),
    (100, "fewer than", None, 3, True),
    (100, "fewer than", None, 100, False),
    (50, "up to", None, 50, True),
    (50, "up to", None, 51, False),
    (10000, "around", None, 10723, True),  # "just under 10,000 plus 723"
    (10000, "around", None, 11500, False),
    (10000, "around", None, 9100, True),
    (10000, "about", None, 11000, True),
    (300, "some", None, 250, False),
    (300, "roughly", None, 310, True),
    (300, "approx.", None, 325, True),
    (800, "between", 1000, 800, True),
    (800, "between", 1000, 1000, True),
    (800, "between", 1000, 1001, False),
    (800, "from", 1000, 799, False),
    (14, "increase", None, 14, True),
    (14, "increase", None, -14, False),
    (14, "increase of over", None, 15, True),
    (14, "an increase of over", None, 14, False),
    (283, "decrease", None, -283, True),
    (283, "fewer", None, 283, False),
    (1002, "", None, 1002, True),
    (1002, "", None, 44, False),
    (0.2, "", None, 0.2, True),
]


@pytest.mark.parametrize(("value", "qualifier", "high", "exact", "expected"), HOLDS)
def test_holds_table(value, qualifier, high, exact, expected) -> None:
    result = holds(c(value, qualifier, high), exact)
    assert result.ok is expected, result.reason
    assert ("does not hold" in result.reason) is not expected


COMPATIBLE = [
    ((10000, "around"), (10000, "just under"), True),
    ((200, "nearly"), (240, "more than"), False),
    ((240, "more than"), (100, "more than"), True),
    ((100, "fewer than"), (100, "more than"), False),
    ((100, "at least"), (100, "up to"), True),  # exactly 100 satisfies both
    ((10000, "almost"), (9737, ""), True),
    ((10000, "almost"), (10723, ""), False),
    ((2745, ""), (2400, ""), False),
    ((14, "increase"), (14, ""), False),  # a change is never compared with a level
    ((14, "increase of over"), (15, "increase"), True),
    ((14, "increase"), (14, "decrease"), False),
]


@pytest.mark.parametrize(("first", "second", "expected"), COMPATIBLE)
def test_compatible_table(first, second, expected) -> None:
    assert compatible(c(*first), c(*second)).ok is expected
    assert compatible(c(*second), c(*first)).ok is expected  # symmetric


def test_lower_bound_far_below_is_true_but_understates() -> None:
    result = holds(c(100, "more than"), 5000)
    assert result.ok
    assert "understates" in result.caution


@pytest.mark.parametrize(
    ("value", "qualifier", "high", "words"),
    [
        (240, "more than", None, "more than 240"),
        (1002, "", None, "1,002"),
        (800, "between", 1000, "between 800 and 1,000"),
        (800, "from", 1000, "between 800 and 1,000"),  # an alias: the canonical phrase
        (14, "an increase of over", None, "an increase of over 14"),
        (283, "fewer", None, "a decrease of 283"),
        (300, "approx.", None, "approximately 300"),
    ],
)
def test_describe_keeps_the_hedge(value, qualifier, high, words) -> None:
    assert describe(c(value, qualifier, high)) == words


def test_parse_qualifier_reads_direction_and_hedge() -> None:
    parsed = parse_qualifier("an Increase  of OVER", VOCAB)
    assert parsed.hedge.phrase == "over"
    assert parsed.direction is not None and parsed.direction.meaning == "increase"


@pytest.mark.parametrize("text", ["no fewer then", "more than over", "increase decrease"])
def test_parse_qualifier_refuses_unknown_or_doubled_words(text: str) -> None:
    with pytest.raises(hedges.UnknownQualifier):
        parse_qualifier(text, VOCAB)


def test_a_new_hedge_word_is_a_data_change(tmp_path: Path) -> None:
    table = (Path(__file__).parent / "fixtures" / "vocab" / "qualifiers.csv").read_text()
    (tmp_path / "qualifiers.csv").write_text(table + "upwards of,more,,,\n")
    vocabulary = load_vocabulary(tmp_path)
    assert holds(claim(500, "upwards of", vocabulary), 501).ok
    with pytest.raises(hedges.UnknownQualifier):
        parse_qualifier("upwards of", VOCAB)


@given(
    value=st.integers(min_value=1, max_value=10**7),
    qualifier=st.sampled_from(["", "more than", "almost", "around", "up to", "at least"]),
)
def test_a_claim_holds_exactly_on_its_interval(value: int, qualifier: str) -> None:
    stated = c(value, qualifier)
    interval = stated.interval()
    for probe in (value - 1, value, value + 1, value * 0.95, value * 1.05):
        assert holds(stated, probe).ok is (probe in interval)
    # compatibility with an exact claim is the same question as holds
    assert compatible(stated, c(value)).ok is holds(stated, value).ok
