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

from ..hedges import DIRECTIONS, ParsedQualifier, UnknownQualifier, parse_qualifier
from ..vocab import Unit, Vocabulary, fold
from .cells import Cells
from .dates import date_problem
from .problems import Problem, one_of, quoted
from .quotes import Documents, closest_passage, stated_numbers, states_value
from .rules import Rules, check_header
from .values import LARGEST, normalise_text, parse_number, parse_period

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
    highs = _value_high(r, values, facts, bad_value | bad_qualifier)
    _changes(r, facts, bad_qualifier)
    if source_ids is not None:
        _sources(r, source_ids)
    skip = blank | bad_value | bad_qualifier
    if units is not None:
        _quote_states_value(r, units, vocabulary, values, highs, skip)
    if documents is not None and documents.texts:
        _quote_in_document(r, documents)
    _duplicates(r, vocabulary, bad_period)
    facts.bad_rows = blank | bad_period | bad_value | bad_qualifier
    return problems + r.problems()


# --------------------------------------------------------------------------------------------
# Names: operation, agency, measure
# --------------------------------------------------------------------------------------------


def _names(r: Rules, vocabulary: Vocabulary, units: Mapping[str, Unit] | None) -> None:
    operations = list(vocabulary.operations)
    r.cell(
        "operation",
        lambda v: (
            None
            if v == "" or vocabulary.operation_names.resolve(v)
            else (
                f"is not an operation of operations.csv (got {quoted(v)}, expected "
                f"{one_of(operations, 'an operation of operations.csv or one of its aliases')})"
                f"{r.hint('operation', v, _spellings(vocabulary.operations))}"
            )
        ),
    )
    agencies = list(vocabulary.agencies)
    r.cell(
        "agency",
        lambda v: (
            None
            if v == "" or vocabulary.agency_names.resolve(v)
            else (
                f"is not an agency of agencies.csv (got {quoted(v)}, expected "
                f"{one_of(agencies, 'an agency of agencies.csv or one of its aliases')})"
                f"{r.hint('agency', v, _spellings(vocabulary.agencies))}"
            )
        ),
    )
    if units is None:
        return
    known = list(units)
    r.cell(
        "measure",
        lambda v: (
            None
            if v == "" or vocabulary.measure_for(v, known) is not None
            else (
                f"is not a measure listed in measures.csv (got {quoted(v)}, expected "
                f"{one_of(known, 'a measure name from measures.csv')}){r.hint('measure', v, known)}"
            )
        ),
    )


def _spellings(entries) -> list[str]:
    """Every name and alias as the vocabulary writes them (for a "did you mean")."""
    found: list[str] = []
    for entry in entries.values():
        found.append(getattr(entry, "name", None) or getattr(entry, "phrase", ""))
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
    for row, (line, start, end) in enumerate(zip(r.lines, starts, ends, strict=True)):
        if row in bad:
            continue
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
            message = (
                f"is before period_start (got {quoted(end)}, expected a date on or after {start})"
            )
        if message:
            r.add(line, column, message)
            bad.add(row)
    return bad


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
    if unit.decimals is None:
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
    known = list(units)
    for row, (line, measure, value) in enumerate(
        zip(r.lines, r.cells.columns["measure"], texts, strict=True)
    ):
        number = values[row]
        if row in bad or number is None:
            continue
        unit = units.get(measure) or units.get(vocabulary.measure_for(measure, known) or "")
        message = _decimals_problem(number, value, unit) if unit else None
        if message:
            r.add(line, "value", message)
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
    highs = [parse_number(v) if v else None for v in texts]
    qualifiers = r.cells.get("qualifier")
    for row, (line, high_text, qualifier) in enumerate(
        zip(r.lines, texts, qualifiers, strict=True)
    ):
        if row in skip or row in bad:
            continue
        parsed = facts.qualifiers.get(qualifier)
        is_range = parsed is not None and parsed.hedge.meaning == "range"
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
                f"a change needs its direction (got {quoted(qualifier)} with compared_with "
                f"{quoted(compared)}, expected {' or '.join(repr(d) for d in DIRECTIONS)}, "
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
    if not r.has("quote", "measure"):
        return
    known = list(units)
    quotes = r.cells.columns["quote"]
    cache: dict[tuple[str, Decimal, Decimal | None], bool] = {}
    for row, (line, measure, quote) in enumerate(
        zip(r.lines, r.cells.columns["measure"], quotes, strict=True)
    ):
        number, high = values[row], highs[row]
        if row in skip or number is None or quote == "":
            continue
        unit = units.get(measure) or units.get(vocabulary.measure_for(measure, known) or "")
        if unit is None or unit.kind == "duration":  # "week-long" states 7 days in words
            continue
        key = (quote, number, high)
        ok = cache.get(key)
        if ok is None:
            ok = cache[key] = states_value(
                quote, float(number), None if high is None else float(high)
            )
        if ok:
            continue
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
    for line, source, quote in zip(
        r.lines, r.cells.columns["source_id"], r.cells.columns["quote"], strict=True
    ):
        text = documents.texts.get(source)
        if text is None or quote == "" or normalise_text(quote) in text:
            continue
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


# --------------------------------------------------------------------------------------------
# Duplicates
# --------------------------------------------------------------------------------------------


def _duplicates(r: Rules, vocabulary: Vocabulary, bad_period: set[int]) -> None:
    """The same statement twice: same source, agency, area, measure, period, figure and quote.

    Two figures in one sentence (two periods, two ends of a range) are different statements.
    """
    needed = ("source_id", "agency", "measure", "quote", "value")
    if not r.has(*needed):
        return
    c = r.cells
    agencies = [vocabulary.agency_names.resolve(a) or a for a in c.columns["agency"]]
    quotes = c.columns["quote"]
    keys = zip(
        c.columns["source_id"],
        agencies,
        c.get("area"),
        c.columns["measure"],
        c.get("period_start"),
        c.get("period_end"),
        c.columns["value"],
        c.get("value_high"),
        (fold(q) for q in c.get("qualifier")),
        (normalise_text(q) for q in quotes),
        strict=True,
    )
    r.unique(
        None,
        list(keys),
        lambda row, first: (
            f"duplicates line {first}: the same statement is recorded twice (got the same "
            "source_id, agency, area, measure, period, value and quote, expected each statement "
            "once)"
        ),
        skip=lambda row: quotes[row] == "",  # blank quotes are reported as blank
    )
