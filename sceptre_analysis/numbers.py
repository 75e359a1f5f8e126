"""Numbers as press releases write them: ``1,002``, ``100 000``, ``Thirty four``, ``a dozen``,
``a fifth``, ``12 per cent``, ``£1,940``, ``3.2kg``, ``four times``, ``between 800 and 1,000``.

Validation uses :func:`states` to check that a quote writes the figure recorded from it, and
extraction uses :func:`numbers_in` to find where a quote writes a figure.  Number words are
read by the ``text2num`` library; the only words written here are the few it lacks
("dozen", "half", "quarter", "twice") and the small words that join a number to its unit.

Only the standard library and ``text_to_num`` are imported: this runs on every quote.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from text_to_num import find_numbers

__all__ = ["KINDS", "Mention", "numbers_in", "parse_number", "states"]

#: What a mention is written as; ``digits``/``words``/``fraction`` are bare numbers, the
#: others carry their unit in the text.
KINDS: tuple[str, ...] = ("digits", "words", "fraction", "percent", "money", "weight", "multiple")


@dataclass(frozen=True)
class Mention:
    """One number written in a text, with where it is and how it is written."""

    value: float
    start: int
    end: int
    text: str
    kind: str
    high: float | None = None


# --------------------------------------------------------------------------------------------
# Digits
# --------------------------------------------------------------------------------------------

_SPACES = " \u00a0\u202f\u2009"
_GROUPED_COMMA = r"\d{1,3}(?:,\d{3})+(?!\d)"
_GROUPED_SPACE = rf"\d{{1,3}}(?:[{_SPACES}]\d{{3}})+(?!\d)"
_PLAIN = r"\d+"
_FRACTION_PART = r"(?:\.\d+)?"


def _digits_pattern(space_groups: bool) -> re.Pattern[str]:
    whole = [_GROUPED_COMMA, *([_GROUPED_SPACE] if space_groups else []), _PLAIN]
    body = "|".join(f"(?:{w}){_FRACTION_PART}" for w in whole)
    # Not inside a word or after another number's decimal point; "c.300" is still a number.
    return re.compile(rf"(?<!\w)(?<!\d\.)(?:{body}|\.\d+)(?![\d])")


_DIGITS = {True: _digits_pattern(True), False: _digits_pattern(False)}
_ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th)\b", re.IGNORECASE)

# --------------------------------------------------------------------------------------------
# What may stand around a number: currency before it; scale and unit after it.
# --------------------------------------------------------------------------------------------

_CURRENCY_BEFORE = re.compile(r"(?:[£$€]|\bGBP\s?)\s?$")
_SCALE_AFTER = re.compile(
    r"\s?(?P<scale>million|billion|thousand|bn|m|k)\b(?!\s*(?:metres|miles))", re.IGNORECASE
)
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}
_UNIT_AFTER: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("percent", re.compile(r"\s?(?:%|per\s?cent\b|percent\b|pc\b)", re.IGNORECASE)),
    (
        "weight",
        re.compile(
            r"\s?(?:kg|kgs|kilos?|kilograms?|g|grams?|tonnes?|mg|milligrams?)\b", re.IGNORECASE
        ),
    ),
    ("multiple", re.compile(r"\s(?:times)\b", re.IGNORECASE)),
    ("money", re.compile(r"\s(?:pounds\s+sterling|GBP)\b", re.IGNORECASE)),
)

# --------------------------------------------------------------------------------------------
# Words: tokens for text2num, plus the few words it lacks
# --------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*|\d+|\S")
_ARTICLES = {"a", "an", "one"}
_NAMED_FRACTIONS = {"half": 2, "halves": 2, "quarter": 4, "quarters": 4}
_DOZEN = {"dozen": 12}
_MULTIPLES = {"twice": 2.0}
_RANGE_JOIN = re.compile(r"^\s*(?:and|to)\s*$", re.IGNORECASE)
_DASH_JOIN = re.compile(r"^\s*[-\u2013\u2014]\s*$|^\s+to\s+$", re.IGNORECASE)
_BETWEEN_BEFORE = re.compile(r"\bbetween\s+(?:[£$€]\s?)?$", re.IGNORECASE)


class _Token:
    """A word for ``text_to_num.find_numbers``, with its place in the text."""

    __slots__ = ("barrier", "end", "start", "word")

    def __init__(self, word: str, start: int, end: int, barrier: bool = False) -> None:
        self.word, self.start, self.end, self.barrier = word, start, end, barrier

    def text(self) -> str:
        return self.word.lower()

    def nt_separated(self, previous: object) -> bool:
        return False

    def not_a_number_part(self) -> bool:
        return self.barrier


@dataclass(frozen=True)
class _Bare:
    """A number before its unit is looked at: value, span, and how it is written."""

    value: float
    start: int
    end: int
    kind: str  # digits | words | fraction | multiple


def _whole_number(tokens: list[_Token]) -> bool:
    """The tokens write exactly one cardinal number and nothing else."""
    found = find_numbers(tokens, "en", 0.0)
    return (
        len(found) == 1
        and not found[0].is_ordinal
        and (found[0].start, found[0].end) == (0, len(tokens))
    )


def _occurrences(tokens: list[_Token]) -> list[tuple[int, int, float, bool]]:
    """text2num's numbers as (first token, end token, value, ordinal).

    After "between", the words up to the next non-number are one range: "between eight
    hundred and one thousand" is 800 and 1,000, not 801,000.  Each "and" in those words is
    tried as the joint, and the first that leaves a whole number on each side is taken.
    """
    raw = [
        (o.start, o.end, float(o.value), bool(o.is_ordinal))
        for o in find_numbers(tokens, "en", 0.0)
    ]
    found: list[tuple[int, int, float, bool]] = []
    index = 0
    while index < len(raw):
        start, end, value, ordinal = raw[index]
        last = index
        while last + 1 < len(raw) and raw[last + 1][0] == raw[last][1]:
            last += 1
        group_end = raw[last][1]
        before = tokens[start - 1].text() if start else ""
        after = tokens[group_end].text() if group_end < len(tokens) else ""
        split = None
        if before == "between" and after != "and" and not ordinal:
            for k in range(start + 1, group_end - 1):
                if tokens[k].text() != "and":
                    continue
                if _whole_number(tokens[start:k]) and _whole_number(tokens[k + 1 : group_end]):
                    split = k
                    break
        if split is None:
            found.append((start, end, value, ordinal))
            index += 1
            continue
        for lo, hi in ((start, split), (split + 1, group_end)):
            (part,) = find_numbers(tokens[lo:hi], "en", 0.0)
            found.append((lo, hi, float(part.value), False))
        index = last + 1
    return found


def _word_numbers(text: str) -> list[_Bare]:
    """Numbers written in words, found by text2num, plus dozens, halves and quarters."""
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        # English puts "and" inside a number only after a scale word ("three hundred and
        # two"); elsewhere it joins two numbers ("thirty and one hundred").
        barrier = word.lower() == "and" and (not tokens or tokens[-1].text() not in _SCALE_WORDS)
        tokens.append(_Token(word, match.start(), match.end(), barrier))
    if not tokens:
        return []
    found: list[_Bare] = []
    taken: set[int] = set()
    cardinals: dict[int, tuple[float, int]] = {}  # token index after a cardinal -> (value, start)
    for occ_start, occ_end, occ_value, ordinal in _occurrences(tokens):
        first, last = tokens[occ_start], tokens[occ_end - 1]
        if ordinal:
            denominator = occ_value
            before = occ_start - 1
            if before >= 0 and tokens[before].text() in _ARTICLES and before not in taken:
                found.append(_Bare(1 / denominator, tokens[before].start, last.end, "fraction"))
                taken.update(range(before, occ_end))
            elif occ_start in cardinals:
                numerator, start = cardinals.pop(occ_start)
                found = [b for b in found if b.start != start]
                found.append(_Bare(numerator / denominator, start, last.end, "fraction"))
                taken.update(range(occ_start, occ_end))
            continue
        start = first.start
        before = occ_start - 1
        # "a hundred", "a thousand": the article is part of the number as written.
        if before >= 0 and tokens[before].text() in {"a", "an"} and first.text() in _SCALE_WORDS:
            start = tokens[before].start
            taken.add(before)
        found.append(_Bare(float(occ_value), start, last.end, "words"))
        taken.update(range(occ_start, occ_end))
        cardinals[occ_end] = (float(occ_value), start)
    for index, token in enumerate(tokens):
        low = token.text()
        previous = tokens[index - 1].text() if index else ""
        if low in _DOZEN or low in _NAMED_FRACTIONS:
            if index in cardinals:
                count, start = cardinals.pop(index)
                found = [b for b in found if b.start != start]
            elif previous in _ARTICLES and index - 1 not in taken:
                count, start = 1.0, tokens[index - 1].start
            elif low in {"half", "quarter"} and previous not in {"per"}:
                count, start = 1.0, token.start  # "half of the knives"
            else:
                continue
            if low in _DOZEN:
                found.append(_Bare(count * _DOZEN[low], start, token.end, "words"))
            else:
                found.append(_Bare(count / _NAMED_FRACTIONS[low], start, token.end, "fraction"))
        elif low in _MULTIPLES:
            found.append(_Bare(_MULTIPLES[low], token.start, token.end, "multiple"))
    return found


_SCALE_WORDS = {"hundred", "thousand", "million", "billion", "dozen"}


def _digit_numbers(text: str, space_groups: bool) -> list[_Bare]:
    found: list[_Bare] = []
    for match in _DIGITS[space_groups].finditer(text):
        if _ORDINAL_SUFFIX.match(text, match.end()):
            continue  # "22nd", "1st": dates and ranks, not figures
        written = match.group()
        value = float(re.sub(rf"[,{_SPACES}]", "", written))
        found.append(_Bare(value, match.start(), match.end(), "digits"))
    return found


def _dress(text: str, bare: _Bare) -> Mention:
    """Add what stands around a bare number: currency, a scale word, a unit."""
    start, end, value, kind = bare.start, bare.end, bare.value, bare.kind
    currency = _CURRENCY_BEFORE.search(text, 0, start)
    if currency and kind in {"digits", "words"}:
        start, kind = currency.start(), "money"
    if bare.kind == "digits":
        scale = _SCALE_AFTER.match(text, end)
        if scale and (
            scale.group("scale").lower() in {"million", "billion", "thousand"} or currency
        ):
            value *= _SCALES[scale.group("scale").lower()]
            end = scale.end()
    if kind in {"digits", "words"}:
        for unit_kind, pattern in _UNIT_AFTER:
            unit = pattern.match(text, end)
            if unit:
                end, kind = unit.end(), unit_kind
                break
    return Mention(value, start, end, text[start:end], kind)


def _ranges(text: str, mentions: list[Mention]) -> list[Mention]:
    """Join "between 800 and 1,000" (and "800-1,000") into one mention with a high end."""
    joined: list[Mention] = []
    index = 0
    while index < len(mentions):
        low = mentions[index]
        if index + 1 < len(mentions):
            high = mentions[index + 1]
            gap = text[low.end : high.start]
            between = _BETWEEN_BEFORE.search(text, 0, low.start) and _RANGE_JOIN.match(gap)
            dash = (
                _DASH_JOIN.match(gap)
                and low.kind not in {"words", "fraction"}
                and high.kind not in {"words", "fraction"}
            )
            if (between or dash) and high.value >= low.value:
                kind = high.kind if low.kind in {"digits", "words"} else low.kind
                joined.append(
                    Mention(
                        low.value,
                        low.start,
                        high.end,
                        text[low.start : high.end],
                        kind,
                        high.value,
                    )
                )
                index += 2
                continue
        joined.append(low)
        index += 1
    return joined


@lru_cache(maxsize=4096)
def _mentions(text: str, space_groups: bool) -> tuple[Mention, ...]:
    bare = _digit_numbers(text, space_groups) + _word_numbers(text)
    dressed = sorted((_dress(text, b) for b in bare), key=lambda m: (m.start, m.start - m.end))
    kept: list[Mention] = []
    for mention in dressed:
        if kept and mention.start < kept[-1].end:
            continue  # overlapping readings ("1.2 million"): the earlier, longer one wins
        kept.append(mention)
    return tuple(_ranges(text, kept))


def numbers_in(text: str) -> list[Mention]:
    """Every number the text writes, in order (a range is one mention with ``high`` set)."""
    if not text:
        return []
    return list(_mentions(text, True))


def parse_number(words: str) -> float | None:
    """The number ``words`` writes when that is all they write, else None.

    ``"Thirty four"`` -> 34, ``"100 000"`` -> 100000, ``"a dozen"`` -> 12, ``"a fifth"`` -> 0.2.
    """
    text = words.strip().rstrip(".")
    found = numbers_in(text)
    if len(found) != 1 or found[0].high is not None:
        return None
    mention = found[0]
    if text[: mention.start].strip() or text[mention.end :].strip():
        return None
    return mention.value


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def states(quote: str, value: float, high: float | None = None) -> bool:
    """True when ``quote`` writes ``value`` (and, for a range, ``high``) in any way above.

    Without ``high`` either end of a written range counts; with it, the quote must write both
    ends, as one range or as two numbers in order.  "25 100" is read both as 25,100 and as
    two numbers, so a space-grouped reading never hides a figure.
    """
    if not quote or value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    if high is not None and isinstance(high, float) and math.isnan(high):
        high = None
    for space_groups in (True, False):
        found = _mentions(quote, space_groups)
        if high is None:
            if any(
                _same(m.value, value) or (m.high is not None and _same(m.high, value))
                for m in found
            ):
                return True
            continue
        if any(m.high is not None and _same(m.value, value) and _same(m.high, high) for m in found):
            return True
        seen_low = False
        for mention in found:
            if seen_low and _same(mention.value, high):
                return True
            seen_low = seen_low or _same(mention.value, value)
    return False


def with_span(mention: Mention, offset: int) -> Mention:
    """The mention moved by ``offset`` characters (for a quote found inside a document)."""
    return replace(mention, start=mention.start + offset, end=mention.end + offset)
