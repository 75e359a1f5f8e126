"""Rules for ``tallies.csv``: one row per figure as its source states it.

Each rule is a function named for what it checks; :func:`check_tallies` runs them in order.
Cross-file rules run only with what they need (the vocabulary, measures, sources, documents).
A row broken by one rule is left out of the rules that depend on that cell, so a single
mistake gives a single message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from ..hedges import DIRECTIONS, ParsedQualifier, UnknownQualifier, parse_qualifier
from ..vocab import Unit, Vocabulary, fold
from .cells import Cells
from .dates import date_problem
from .problems import Problem, one_of, quoted
from .quotes import Documents, closest_passage, stated_numbers, states_value
from .rules import Rules, check_header
from .values import LARGEST, normalise_text, parse_number, parse_period
from .vocabulary import measure_resolver

__all__ = ["TallyFacts", "check_tallies"]

#: How many rows of one kind of quote problem get the (costly) closest-passage hint.
PASSAGE_HINTS = 50


@dataclass
class TallyFacts:
    """What the rules learnt about each row, reused by the loader (no second parse)."""

    qualifiers: dict[str, ParsedQualifier] = field(default_factory=dict)
    bad_rows: set[int] = field(default_factory=set)


def check_tallies(
    cells: Cells,
    vocabulary: Vocabulary,
    *,
    units: Mapping[str, Unit] | None = None,
    source_ids: Sequence[str] | None = None,
    documents: Documents | None = None,
    facts: TallyFacts | None = None,
) -> list[Problem]:
    """Rules for tallies.csv.

    ``units``: measure -> its unit (from measures.csv; enables the unknown-measure, decimals
    and quote-states-value rules); ``source_ids``: from sources.csv; ``documents``: the found
    documents (enables the quote-in-document rule).
    """
    problems = list(cells.problems) + check_header(cells)
    if not cells.readable:
        return problems
    if len(cells) == 0:
        if problems:  # the rows were there but could not be read: said above
            return problems
        problems.append(
            Problem(
                cells.path,
                cells.header_line,
                None,
                "has a header but no figures (got no rows after the header, expected at least "
                "one tally)",
            )
        )
        return problems
    facts = facts if facts is not None else TallyFacts()
    r = Rules(cells)
    blank = r.required()
    _names(r, vocabulary, units)
    bad_period = _periods(r)
    bad_value, values = _values(r, units, vocabulary)
    bad_qualifier = _qualifiers(r, vocabulary, facts)
    skip = blank | bad_value | bad_qualifier
    highs = _value_high(r, values, facts, skip)
    _changes(r, facts, skip)
    if source_ids is not None:
        _sources(r, source_ids)
    if units is not None:
        _quote_states_value(r, units, vocabulary, values, highs, skip)
    if documents is not None and documents.texts:
        _quote_in_document(r, documents)
    _duplicates(r, vocabulary)
    facts.bad_rows = skip | bad_period
    return problems + r.problems()


# --------------------------------------------------------------------------------------------
# Names: operation, agency, measure
# --------------------------------------------------------------------------------------------


def _names(r: Rules, vocabulary: Vocabulary, units: Mapping[str, Unit] | None) -> None:
    """Operation and agency from their vocabulary files (or an alias); measure from
    measures.csv (or a ``name`` alias)."""
    for column, file, entries, names in (
        ("operation", "operations.csv", vocabulary.operations, vocabulary.operation_names),
        ("agency", "agencies.csv", vocabulary.agencies, vocabulary.agency_names),
    ):
        what = f"an {column}"
        expected = one_of(list(entries), f"{what} of {file} or one of its aliases")
        spellings = _spellings(entries)

        def check(v: str, column=column, file=file, what=what, names=names, expected=expected,
                  spellings=spellings) -> str | None:  # fmt: skip
            if v == "" or names.resolve(v):
                return None
            return (
                f"is not {what} of {file} (got {quoted(v)}, expected {expected})"
                f"{r.hint(column, v, spellings)}"
            )

        r.cell(column, check)
    if units is None:
        return
    known = list(units)
    resolve = measure_resolver(vocabulary, known)
    expected = one_of(known, "a measure name from measures.csv")
    r.cell(
        "measure",
        lambda v: (
            None
            if v == "" or resolve(v) is not None
            else (
                f"is not a measure listed in measures.csv (got {quoted(v)}, expected "
                f"{expected}){r.hint('measure', v, known)}"
            )
        ),
    )


def _spellings(entries) -> list[str]:
    """Every name and alias as the vocabulary writes them (for a "did you mean")."""
    found: list[str] = []
    for entry in entries.values():
        found.append(str(getattr(entry, "name", None) or getattr(entry, "phrase", "")))
        found.extend(entry.aliases)
    return found


# --------------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------------

_PERIOD_FORMAT = "a date written YYYY-MM-DD, a month written YYYY-MM, or blank"


def _period_cell(value: str) -> str | None:
    if len(value) != 7:
        return date_problem(value)
    period = parse_period(value)
    if period is None:
        return f"is not a real month (got {quoted(value)}, expected {_PERIOD_FORMAT})"
    return date_problem(period.first.isoformat()) if period.first else None


def _periods(r: Rules) -> set[int]:
    """Each end readable; together an exact period, one month, or undated; in order."""
    bad = r.cell("period_start", _period_cell) | r.cell("period_end", _period_cell)
    if not r.has("period_start", "period_end"):
        return bad
    starts, ends = r.cells.columns["period_start"], r.cells.columns["period_end"]
    verdicts = {
        pair: None if _unreadable(pair) else _period_pair(*pair)
        for pair in dict.fromkeys(zip(starts, ends, strict=True))
    }
    if not any(verdicts.values()):
        return bad
    for row, pair in enumerate(zip(starts, ends, strict=True)):
        found = verdicts[pair]
        if found is not None and row not in bad:
            r.add(r.lines[row], found[0], found[1])
            bad.add(row)
    return bad


def _unreadable(pair: tuple[str, str]) -> bool:
    return parse_period(pair[0]) is None or parse_period(pair[1]) is None


def _period_pair(start: str, end: str) -> tuple[str, str] | None:
    """(column, message) when the two ends do not make one period, else None."""
    first, last = parse_period(start), parse_period(end)
    assert first is not None and last is not None
    message = None
    column = "period_end"
    if first.kind == "undated" and last.kind != "undated":
        column = "period_start"
        message = (
            f"is blank but period_end is not (got '', expected the start of {quoted(end)}'s "
            "period, or both blank for an undated figure)"
        )
    elif first.kind == "exact" and last.kind != "exact":
        message = (
            f"must be a date like period_start (got {quoted(end)}, expected the last day "
            f"of the period that starts {start}, written YYYY-MM-DD)"
        )
    elif first.kind == "month" and last.kind == "exact":
        message = (
            f"must be the month of period_start or blank (got {quoted(end)}, expected "
            f"{quoted(start)} or blank)"
        )
    elif first.kind == "month" and last.kind == "month" and first.first != last.first:
        message = (
            f"must be the same month as period_start (got {quoted(end)}, expected "
            f"{quoted(start)} or blank: a month-only period is one month)"
        )
    elif first.kind == "exact" and first.first > last.first:  # type: ignore[operator]
        message = f"is before period_start (got {quoted(end)}, expected a date on or after {start})"
    return (column, message) if message else None


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


def _number_problem(value: str) -> str | None:
    if value == "":
        return None
    number = parse_number(value)
    if number is None:
        return (
            f"must be a number (got {quoted(value)}, expected a plain number such as 1002 or "
            "1940.50, without commas, £ signs or words)"
        )
    if number < 0:
        return f"must not be negative (got {quoted(value)}, expected a number of 0 or more)"
    if number >= LARGEST:
        return (
            f"is too large to be a figure from a release (got {quoted(value)}, expected a number "
            f"below {LARGEST:,})"
        )
    return None


def _decimals_problem(number: Decimal, value: str, unit: Unit) -> str | None:
    if unit.decimals is None or "." not in value:  # a whole number fits every unit
        return None
    if unit.decimals == 0:
        if number != number.to_integral_value():
            days = " of days" if unit.kind == "duration" else ""
            return (
                f"must be a whole number (got {quoted(value)}, expected a non-negative whole "
                f"number{days})"
            )
        return None
    if number != number.quantize(Decimal(1).scaleb(-unit.decimals)):
        example = "1940 or 1940.50" if unit.decimals == 2 else f"at most {unit.decimals} decimals"
        return (
            f"must have at most {unit.decimals} decimal places (got {quoted(value)}, expected an "
            f"amount in {unit.name} such as {example})"
        )
    return None


def _values(
    r: Rules, units: Mapping[str, Unit] | None, vocabulary: Vocabulary
) -> tuple[set[int], list[Decimal | None]]:
    bad = r.cell("value", _number_problem)
    texts = r.cells.get("value")
    parsed: dict[str, Decimal | None] = {}
    values = [parsed[v] if v in parsed else parsed.setdefault(v, parse_number(v)) for v in texts]
    if units is None or not r.has("measure", "value"):
        return bad, values
    resolve = measure_resolver(vocabulary, units)
    unit_of = {
        m: units.get(m) or units.get(resolve(m) or "")
        for m in dict.fromkeys(r.cells.columns["measure"])
    }
    verdicts: dict[tuple[str, str], str | None] = {}
    for pair in dict.fromkeys(zip(r.cells.columns["measure"], texts, strict=True)):
        measure, value = pair
        number, unit = parsed.get(value), unit_of[measure]
        verdicts[pair] = _decimals_problem(number, value, unit) if unit and number else None
    if not any(verdicts.values()):
        return bad, values
    for row, pair in enumerate(zip(r.cells.columns["measure"], texts, strict=True)):
        message = verdicts[pair]
        if message and row not in bad:
            r.add(r.lines[row], "value", message)
            bad.add(row)
    return bad, values


# --------------------------------------------------------------------------------------------
# Hedges, ranges and changes
# --------------------------------------------------------------------------------------------


def _qualifiers(r: Rules, vocabulary: Vocabulary, facts: TallyFacts) -> set[int]:
    spellings = _spellings(vocabulary.qualifiers)

    def check(value: str) -> str | None:
        try:
            facts.qualifiers[value] = parse_qualifier(value, vocabulary)
            return None
        except UnknownQualifier as err:
            if err.reason:
                return (
                    f"cannot be read (got {quoted(value)}: {err.reason}; expected one hedge, one "
                    "direction, or both)"
                )
            hint = r.hint("qualifier", value, spellings)
            if not hint and err.unknown != fold(value):
                hint = r.hint("qualifier", err.unknown, spellings)
            return (
                f"is not a known qualifier (got {quoted(value)}, expected blank for an exact "
                f"figure, or a hedge of qualifiers.csv such as 'more than', 'around' or "
                f"'between'){hint}"
            )

    return r.cell("qualifier", check)


def _value_high(
    r: Rules, values: list[Decimal | None], facts: TallyFacts, skip: set[int]
) -> list[Decimal | None]:
    """A range keeps both ends (``value`` <= ``value_high``); nothing else has an upper end."""
    texts = r.cells.get("value_high")
    bad = r.cell("value_high", _number_problem)
    parsed = {v: parse_number(v) if v else None for v in dict.fromkeys(texts)}
    highs = list(map(parsed.__getitem__, texts))
    ranges = any(q.hedge.meaning == "range" for q in facts.qualifiers.values())
    if not ranges and not any(parsed):
        return highs  # no range anywhere: nothing to check row by row
    qualifiers = r.cells.get("qualifier")
    for row, (line, high_text, qualifier) in enumerate(
        zip(r.lines, texts, qualifiers, strict=True)
    ):
        if row in skip or row in bad:
            continue
        hedge = facts.qualifiers.get(qualifier)
        is_range = hedge is not None and hedge.hedge.meaning == "range"
        low, high = values[row], highs[row]
        if is_range and high_text == "":
            r.add(
                line,
                "value_high",
                (
                    f"must be given for a range (got '' with qualifier {quoted(qualifier)}, "
                    "expected the range's upper end)"
                ),
            )
        elif is_range and low is not None and high is not None and high < low:
            r.add(
                line,
                "value_high",
                f"is below value (got {quoted(high_text)}, expected a number of at least "
                f"{low}, the range's lower end)",
            )
        elif not is_range and high_text:
            r.add(
                line,
                "value_high",
                f"must be blank unless the qualifier is a range (got {quoted(high_text)} with "
                f"qualifier {quoted(qualifier)}, expected blank, or a range qualifier such as "
                "'between')",
            )
        else:
            continue
        skip.add(row)
    return highs


_DIRECTIONS = " or ".join(repr(d) for d in DIRECTIONS)


def _changes(r: Rules, facts: TallyFacts, bad: set[int]) -> None:
    """A change keeps its sign: ``compared_with`` needs an increase or decrease qualifier."""
    if not r.has("compared_with"):
        return
    qualifiers = r.cells.get("qualifier")
    for row, (line, compared, qualifier) in enumerate(
        zip(r.lines, r.cells.columns["compared_with"], qualifiers, strict=True)
    ):
        if not compared or row in bad:
            continue
        parsed = facts.qualifiers.get(qualifier)
        if parsed is not None and parsed.direction is None:
            r.add(
                line,
                "qualifier",
                f"must say which way the figure changed (got {quoted(qualifier)} with "
                f"compared_with {quoted(compared)}, expected {_DIRECTIONS}, "
                "alone or with a hedge, e.g. 'increase of over')",
            )
            bad.add(row)


# --------------------------------------------------------------------------------------------
# Sources and quotes
# --------------------------------------------------------------------------------------------


def _sources(r: Rules, source_ids: Sequence[str]) -> None:
    ids = [s for s in source_ids if s]
    id_set = set(ids)
    r.cell(
        "source_id",
        lambda v: (
            None
            if v == "" or v in id_set
            else (
                f"is not a source_id listed in sources.csv (got {quoted(v)}, expected "
                f"{one_of(ids, 'a source_id from sources.csv', limit=8)})"
                + r.hint("source_id", v, ids)
            )
        ),
    )


def _quote_states_value(
    r: Rules,
    units: Mapping[str, Unit],
    vocabulary: Vocabulary,
    values: list[Decimal | None],
    highs: list[Decimal | None],
    skip: set[int],
) -> None:
    """The quote writes the value: "Thirty four", "a dozen", "12 per cent", "£1,940"."""
    if not r.has("quote", "measure", "value"):
        return
    resolve = measure_resolver(vocabulary, units)
    unit_of = {
        m: units.get(m) or units.get(resolve(m) or "")
        for m in dict.fromkeys(r.cells.columns["measure"])
    }
    quotes = r.cells.columns["quote"]
    keys = list(
        zip(
            r.cells.columns["measure"],
            quotes,
            r.cells.columns["value"],
            r.cells.get("value_high"),
            strict=True,
        )
    )
    numbers = dict(zip(r.cells.columns["value"], values, strict=True))
    high_numbers = dict(zip(r.cells.get("value_high"), highs, strict=True))

    def stated(key: tuple[str, str, str, str]) -> bool:
        measure, quote, value, high_text = key
        number, high = numbers[value], high_numbers[high_text]
        if number is None or quote == "":
            return True  # reported by the rules above
        unit = unit_of[measure]
        if unit is None or unit.kind == "duration":  # "week-long" states 7 days in words
            return True
        return states_value(quote, float(number), None if high is None else float(high))

    verdicts = {key: stated(key) for key in dict.fromkeys(keys)}
    if all(verdicts.values()):
        return
    for row, key in enumerate(keys):
        if verdicts[key] or row in skip:
            continue
        line, quote, high = r.lines[row], quotes[row], highs[row]
        found = stated_numbers(quote)
        got = r.cells.columns["value"][row] + (
            f" to {r.cells.get('value_high')[row]}" if high is not None else ""
        )
        r.add(
            line,
            "value",
            f"is not the figure its quote states (got {quoted(got)}, expected "
            + (f"{found}, the number in " if found else "a number that appears in ")
            + f"the quote {quoted(quote, 60)}); correct the value or the quote",
        )


def _quote_in_document(r: Rules, documents: Documents) -> None:
    """The quote occurs in its source's document, ignoring spacing and curly quotes."""
    if not r.has("source_id", "quote"):
        return
    hints = PASSAGE_HINTS
    found = {
        pair: pair[0] not in documents.texts
        or pair[1] == ""
        or _normal(pair[1]) in documents.texts[pair[0]]
        for pair in dict.fromkeys(
            zip(r.cells.columns["source_id"], r.cells.columns["quote"], strict=True)
        )
    }
    if all(found.values()):
        return
    for line, source, quote in zip(
        r.lines, r.cells.columns["source_id"], r.cells.columns["quote"], strict=True
    ):
        if found[(source, quote)]:
            continue
        text = documents.texts[source]
        where = documents.paths[source].name
        hint = closest_passage(quote, text) if hints > 0 else ""
        hints -= 1
        r.add(
            line,
            "quote",
            f"does not occur in the source document '{where}' (got {quoted(quote, 80)}, "
            "expected words copied exactly from the document; spacing and curly or straight "
            f"quotes may differ){hint}",
        )


@lru_cache(maxsize=65536)
def _normal(quote: str) -> str:
    """A quote with copy-paste differences folded (cached: duplicates and the document check
    both need it)."""
    return normalise_text(quote)


# --------------------------------------------------------------------------------------------
# Duplicates
# --------------------------------------------------------------------------------------------


def _duplicates(r: Rules, vocabulary: Vocabulary) -> None:
    """The same statement twice: same source, agency, area, measure, period, figure and quote.

    Two figures in one sentence (two periods, two ends of a range) are different statements.
    """
    needed = ("source_id", "agency", "measure", "quote", "value")
    if not r.has(*needed):
        return
    c = r.cells
    resolve = vocabulary.agency_names.resolve
    agency = {a: resolve(a) or a for a in dict.fromkeys(c.columns["agency"])}
    hedge = {q: fold(q) for q in dict.fromkeys(c.get("qualifier"))}
    quotes = c.columns["quote"]
    normal = {q: _normal(q) for q in dict.fromkeys(quotes)}
    keys = zip(
        c.columns["source_id"],
        map(agency.__getitem__, c.columns["agency"]),
        c.get("area"),
        c.columns["measure"],
        c.get("period_start"),
        c.get("period_end"),
        c.columns["value"],
        c.get("value_high"),
        map(hedge.__getitem__, c.get("qualifier")),
        map(normal.__getitem__, quotes),
        strict=True,
    )
    r.unique(
        None,
        keys,
        lambda row, first: (
            f"duplicates line {first}: the same statement is recorded twice (got the same "
            "source_id, agency, area, measure, period, value and quote, expected each statement "
            "once)"
        ),
        skip=quotes,  # blank quotes are reported as blank
    )
