"""What a hedged figure claims, stated once for the whole project.

Releases rarely print a bare number: "more than 240", "almost 10,000", "between 800 and
1,000", "an increase of over 14%".  Every such claim is turned here into the set of true values
it allows (an :class:`Interval`), and every question about hedges is answered from those sets:

* :func:`holds`: is a hedged claim true of an exact figure?  ("more than 240" of 245: yes;
  "over 9,639" of parts that add up to exactly 9,639: no.)
* :func:`compatible`: can two claims both be true?  ("around 10,000" and "just under 10,000":
  yes; "nearly 200" and "more than 240": no.)
* :func:`describe`: the claim in words, keeping its hedge.

The hedge *words* are data (``data/qualifiers.csv``, read by :mod:`sceptre_analysis.vocab`);
only their meanings are fixed here:

========== ===================================== ==================================
meaning    true value                            printed as, e.g.
========== ===================================== ==================================
exact      N                                     (no qualifier)
more       above N                               more than, over, in excess of
at_least   N or above                            at least, no less than
less       below N                               almost, nearly, just under, fewer than
at_most    N or below                            up to, no more than
approximate within the tolerance of N            around, about, some, roughly
range      from N to the upper end               between ... and ...
increase   a change of +N                        increase, rise, up
decrease   a change of -N                        decrease, fall, fewer
========== ===================================== ==================================

A qualifier's ``tolerance`` (a fraction of N) says how close the true value must be: "almost
10,000" is ``less`` with tolerance 0.1, so 9,737 fits and 5,000 does not, while "fewer than
10,000" has none.  A change may carry a hedge too: the qualifier cell "increase of over" reads as
the direction ``increase`` plus the hedge ``over``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from sceptre_analysis.vocab import EXACT, Qualifier, Vocabulary, fold

__all__ = [
    "DEFAULT_TOLERANCE",
    "DIRECTIONS",
    "LEVEL_MEANINGS",
    "MEANINGS",
    "Check",
    "Claim",
    "Interval",
    "ParsedQualifier",
    "UnknownQualifier",
    "claim",
    "compatible",
    "describe",
    "holds",
    "parse_qualifier",
]

#: Meanings of hedges that bound a level (how many), as opposed to a change.
LEVEL_MEANINGS: tuple[str, ...] = (
    "exact",
    "more",
    "at_least",
    "less",
    "at_most",
    "approximate",
    "range",
)
#: Meanings that give a change its sign.
DIRECTIONS: tuple[str, ...] = ("increase", "decrease")
MEANINGS: tuple[str, ...] = (*LEVEL_MEANINGS, *DIRECTIONS)
#: Used for ``approximate`` when a qualifier states no tolerance of its own.
DEFAULT_TOLERANCE = 0.1
#: A lower bound is true of any larger figure, but one this many times larger understates it.
UNDERSTATES_RATIO = 1.5
#: Words that may stand between the phrases of a combined qualifier ("an increase of over").
_FILLERS = frozenset({"a", "an", "the", "of", "by"})


@dataclass(frozen=True)
class Interval:
    """The true values a claim allows: from ``low`` to ``high``, each end open or closed."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def __contains__(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below

    def overlaps(self, other: Interval) -> bool:
        """Whether some value lies in both (open ends touching do not count)."""
        if self.high < other.low or other.high < self.low:
            return False
        if self.high == other.low:
            return not (self.high_open or other.low_open)
        if other.high == self.low:
            return not (other.high_open or self.low_open)
        return True

    def scaled(self, factor: float) -> Interval:
        """``-1`` turns a magnitude into a decrease; ends swap so low stays below high."""
        if factor >= 0:
            return Interval(self.low * factor, self.high * factor, self.low_open, self.high_open)
        return Interval(self.high * factor, self.low * factor, self.high_open, self.low_open)


@dataclass(frozen=True)
class ParsedQualifier:
    """A qualifier cell read against the vocabulary: its hedge and its direction, if any."""

    printed: str
    hedge: Qualifier = EXACT
    direction: Qualifier | None = None


class UnknownQualifier(ValueError):
    """A qualifier cell holds words that are not hedge phrases of the vocabulary."""

    def __init__(self, printed: str, unknown: str, reason: str = "") -> None:
        self.printed, self.unknown, self.reason = printed, unknown, reason
        super().__init__(reason or f"unknown qualifier words {unknown!r} in {printed!r}")


def parse_qualifier(text: str, vocabulary: Vocabulary) -> ParsedQualifier:
    """Read a qualifier cell: one known phrase ("more than"), or a direction plus a hedge
    ("increase of over"), matched longest phrase first; small words such as "an" and "of"
    between them are ignored.  Raises :class:`UnknownQualifier` naming the words not known."""
    printed = text.strip()
    if not printed:
        return ParsedQualifier("")
    whole = vocabulary.qualifier(printed)
    if whole is not None:
        return _arrange(printed, [whole])
    names = vocabulary.qualifier_names
    words = fold(printed).split()
    found: list[Qualifier] = []
    start = 0
    while start < len(words):
        for end in range(len(words), start, -1):
            canonical = names.resolve(" ".join(words[start:end]))
            if canonical is not None:
                found.append(vocabulary.qualifiers[canonical])
                start = end
                break
        else:
            if words[start] not in _FILLERS:
                raise UnknownQualifier(printed, " ".join(words[start:]))
            start += 1
    return _arrange(printed, found)


def _arrange(printed: str, found: list[Qualifier]) -> ParsedQualifier:
    directions = [q for q in found if q.meaning in DIRECTIONS]
    hedges = [q for q in found if q.meaning not in DIRECTIONS]
    if len(directions) > 1 or len(hedges) > 1:
        raise UnknownQualifier(
            printed,
            printed,
            "a qualifier holds at most one hedge and one direction "
            f"(got {', '.join(repr(q.phrase) for q in found)})",
        )
    return ParsedQualifier(
        printed, hedges[0] if hedges else EXACT, directions[0] if directions else None
    )


@dataclass(frozen=True)
class Claim:
    """A figure as a source states it: a number, its hedge, and a direction if it is a change."""

    value: float
    meaning: str = "exact"
    tolerance: float | None = None
    high: float | None = None
    direction: str | None = None
    phrase: str = ""
    """The hedge phrase (without any direction words), as the vocabulary spells it."""

    def __post_init__(self) -> None:
        if self.meaning not in LEVEL_MEANINGS:
            raise ValueError(f"unknown hedge meaning {self.meaning!r}; expected {LEVEL_MEANINGS}")
        if self.direction not in (None, *DIRECTIONS):
            raise ValueError(f"unknown direction {self.direction!r}; expected {DIRECTIONS}")
        if self.meaning == "range" and (self.high is None or self.high < self.value):
            raise ValueError(f"a range needs an upper end of at least {self.value}")

    @property
    def is_change(self) -> bool:
        return self.direction is not None

    @property
    def is_exact(self) -> bool:
        return self.meaning == "exact"

    def magnitude(self) -> Interval:
        """The values the hedge allows for the stated number, before any sign."""
        v, t = self.value, self.tolerance
        infinite = math.inf
        match self.meaning:
            case "exact":
                return Interval(v, v)
            case "more":
                return Interval(v, v * (1 + t) if t else infinite, low_open=True)
            case "at_least":
                return Interval(v, v * (1 + t) if t else infinite)
            case "less":
                return Interval(v * (1 - t) if t else -infinite, v, high_open=True)
            case "at_most":
                return Interval(v * (1 - t) if t else -infinite, v)
            case "approximate":
                spread = abs(v) * (DEFAULT_TOLERANCE if t is None else t)
                return Interval(v - spread, v + spread)
            case _:  # range
                assert self.high is not None
                return Interval(v, self.high)

    def interval(self) -> Interval:
        """The true values the claim allows; a decrease is negative."""
        magnitude = self.magnitude()
        return magnitude.scaled(-1) if self.direction == "decrease" else magnitude

    def signed_value(self) -> float:
        return -self.value if self.direction == "decrease" else self.value


def claim(
    value: float,
    qualifier: str | ParsedQualifier = "",
    vocabulary: Vocabulary | None = None,
    *,
    high: float | None = None,
) -> Claim:
    """A :class:`Claim` from a tallies row's ``value``, ``qualifier`` and ``value_high``."""
    if isinstance(qualifier, str):
        if vocabulary is None:
            from sceptre_analysis.vocab import load_vocabulary

            vocabulary = load_vocabulary()
        qualifier = parse_qualifier(qualifier, vocabulary)
    hedge, direction = qualifier.hedge, qualifier.direction
    return Claim(
        float(value),
        hedge.meaning,
        hedge.tolerance,
        None if high is None or _missing(high) else float(high),
        direction.meaning if direction is not None else None,
        hedge.phrase,
    )


def _missing(value: object) -> bool:
    try:
        return bool(value != value)  # NaN and pandas' NA
    except TypeError:
        return True


@dataclass(frozen=True)
class Check:
    """The answer to a hedge question, with the reason in words a reader can follow."""

    ok: bool
    reason: str
    caution: str = ""

    def __bool__(self) -> bool:
        return self.ok


def holds(stated: Claim, exact: float, *, fmt: Callable[[float], str] | None = None) -> Check:
    """Whether ``stated`` is true of the exact figure ``exact`` (a signed change for changes).

    A lower bound far below the exact figure is true but understates it: ``caution`` says so.
    """
    show = fmt or _plain
    words = describe(stated, show)
    if stated.is_change and not math.isfinite(exact):
        return Check(False, f"{words} cannot be compared with {show(exact)}")
    if exact in stated.interval():
        caution = ""
        if (
            stated.meaning in ("more", "at_least")
            and stated.value > 0
            and abs(exact) > UNDERSTATES_RATIO * abs(stated.signed_value())
        ):
            caution = f"{words} is true of {show(exact)} but understates it"
        return Check(True, f"{words} holds for {show(exact)}", caution)
    return Check(False, f"{words} does not hold for {show(exact)}: {_why(stated, exact, show)}")


def _why(stated: Claim, exact: float, show: Callable[[float], str]) -> str:
    interval = stated.interval()
    if stated.is_exact:
        return "the figures differ"
    if exact in Interval(interval.low, interval.high):  # only an open end excludes it
        side = "above" if interval.low_open else "below"
        return f"{show(exact)} is the figure itself, not {side} it"
    if exact < interval.low:
        return f"{show(exact)} is below the {show(abs(interval.low))} the wording allows"
    return f"{show(exact)} is above the {show(abs(interval.high))} the wording allows"


def compatible(first: Claim, second: Claim, *, fmt: Callable[[float], str] | None = None) -> Check:
    """Whether two claims about the same figure can both be true.

    An exact claim against a hedged one is :func:`holds`; two exact claims must be equal; two
    hedged claims must allow a common value.  A change is never compared with a level.
    """
    show = fmt or _plain
    if first.is_change != second.is_change:
        return Check(False, "a change cannot be compared with a level")
    if first.is_exact and not second.is_exact:
        return holds(second, first.signed_value(), fmt=fmt)
    if second.is_exact and not first.is_exact:
        return holds(first, second.signed_value(), fmt=fmt)
    a, b = describe(first, show), describe(second, show)
    if first.interval().overlaps(second.interval()):
        return Check(True, f"{a} and {b} can both be true")
    return Check(False, f"{a} and {b} cannot both be true")


def describe(stated: Claim, fmt: Callable[[float], str] | None = None) -> str:
    """The claim in words, hedge kept: "more than 240", "between 800 and 1,000",
    "an increase of over 14"."""
    show = fmt or _plain
    phrase = stated.phrase
    if stated.meaning == "range":
        assert stated.high is not None
        joiner = "to" if phrase == "from" else "and"
        level = f"{phrase or 'between'} {show(stated.value)} {joiner} {show(stated.high)}"
    else:
        level = f"{phrase} {show(stated.value)}".strip()
    if stated.direction == "increase":
        return f"an increase of {level}"
    if stated.direction == "decrease":
        return f"a decrease of {level}"
    return level


def _plain(value: float) -> str:
    """1002 -> "1,002"; 1940.5 -> "1,940.50"; 0.2 -> "0.2"."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:g}"
