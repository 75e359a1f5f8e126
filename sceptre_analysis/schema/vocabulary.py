"""Rules for the vocabulary files: ``units.csv``, ``qualifiers.csv``, ``agencies.csv``,
``operations.csv``, ``measure_aliases.csv``, ``extraction_cues.csv`` and ``wording.csv`` (see
``docs/data-model.md``).

Each name and alias must mean one thing: a spelling claimed by two entries is reported where it
is claimed the second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ..hedges import MEANINGS
from ..vocab import AGENCY_KINDS, UNIT_KINDS, Vocabulary, fold, split_aliases
from .cells import Cells
from .problems import Problem, quoted
from .rules import Rules, check_header, duplicate_key, vocabulary_rule
from .tables import CUE_KINDS, WORDING_KINDS
from .values import parse_number

__all__ = [
    "ALIAS_KINDS",
    "check_agencies",
    "check_extraction_cues",
    "check_measure_aliases",
    "check_operations",
    "check_qualifiers",
    "check_units",
    "check_wording",
    "measure_resolver",
]

ALIAS_KINDS: tuple[str, ...] = ("name", "phrase")


def _start(cells: Cells) -> tuple[list[Problem], Rules | None]:
    problems = list(cells.problems) + check_header(cells)
    if not cells.readable:
        return problems, None
    rules = Rules(cells)
    rules.required()
    return problems, rules


def _spellings_once(rules: Rules, name_column: str, what: str) -> None:
    """Every folded name and alias belongs to one entry."""
    if not rules.has(name_column):
        return
    names = rules.cells.columns[name_column]
    aliases = rules.cells.get("aliases")
    owner: dict[str, tuple[str, int]] = {}
    for line, name, cell in zip(rules.lines, names, aliases, strict=True):
        if not name:
            continue
        spellings = [(name_column, name)] + [("aliases", a) for a in split_aliases(cell)]
        for column, spelling in spellings:
            claimed = owner.setdefault(fold(spelling), (name, line))
            if fold(claimed[0]) != fold(name):
                rules.add(
                    line,
                    column,
                    f"{quoted(spelling)} already names the {what} {quoted(claimed[0])} on line "
                    f"{claimed[1]} (got it again for {quoted(name)}, expected each name and "
                    "alias to mean one thing)",
                )


def _folded_key(rules: Rules, column: str) -> None:
    """Names are matched folded (case and spacing ignored), so keys are unique folded."""
    if not rules.has(column):
        return
    values = rules.cells.columns[column]
    folded = [fold(v) for v in values]
    rules.unique(
        column,
        folded,
        lambda row, first: (
            f"duplicates line {first} (got {quoted(values[row])} again, expected each "
            f"{column} to appear once; case and spacing do not count)"
        ),
        skip=values,
    )


def check_units(cells: Cells) -> list[Problem]:
    problems, rules = _start(cells)
    if rules is None:
        return problems
    duplicate_key(rules, "unit")
    vocabulary_rule(rules, "kind", UNIT_KINDS, "kind of unit")

    def decimals(value: str) -> str | None:
        if value == "" or (value.isdigit() and int(value) <= 10):
            return None
        return (
            f"must be a whole number of decimal places (got {quoted(value)}, expected 0 to 10, or "
            "blank for any)"
        )

    rules.cell("decimals", decimals)
    _spellings_once(rules, "unit", "unit")
    return problems + rules.problems()


def check_qualifiers(cells: Cells) -> list[Problem]:
    problems, rules = _start(cells)
    if rules is None:
        return problems
    _folded_key(rules, "qualifier")
    vocabulary_rule(rules, "meaning", MEANINGS, "meaning")

    def tolerance(value: str) -> str | None:
        number = parse_number(value) if value else None
        if value == "" or (number is not None and 0 < number < 1):
            return None
        return (
            f"must be a fraction between 0 and 1 (got {quoted(value)}, expected e.g. 0.1 for "
            "within 10 %, or blank)"
        )

    rules.cell("tolerance", tolerance)
    if rules.has("meaning", "tolerance"):
        for line, meaning, value in zip(
            rules.lines,
            rules.cells.columns["meaning"],
            rules.cells.columns["tolerance"],
            strict=True,
        ):
            if meaning == "approximate" and value == "":
                rules.add(
                    line,
                    "tolerance",
                    "must be given for an approximate hedge (got '', expected how close the "
                    "true figure must be as a fraction, e.g. 0.1)",
                )
    _spellings_once(rules, "qualifier", "qualifier")
    return problems + rules.problems()


def check_agencies(cells: Cells) -> list[Problem]:
    problems, rules = _start(cells)
    if rules is None:
        return problems
    _folded_key(rules, "agency")
    vocabulary_rule(rules, "kind", AGENCY_KINDS, "kind of agency")
    _spellings_once(rules, "agency", "agency")
    return problems + rules.problems()


def check_operations(cells: Cells) -> list[Problem]:
    problems, rules = _start(cells)
    if rules is None:
        return problems
    _folded_key(rules, "operation")
    _spellings_once(rules, "operation", "operation")
    return problems + rules.problems()


def check_measure_aliases(cells: Cells, measures: Sequence[str] | None) -> list[Problem]:
    """``measures``: the measure names of measures.csv (None when that file is unreadable)."""
    problems, rules = _start(cells)
    if rules is None:
        return problems
    if measures is not None:
        vocabulary_rule(rules, "measure", list(measures), "measure")
    vocabulary_rule(rules, "kind", ALIAS_KINDS, "kind of alias", blank="blank (a name), ")
    if rules.has("alias", "measure"):
        kinds = rules.cells.get("kind")
        targets = rules.cells.columns["measure"]
        aliases = rules.cells.columns["alias"]
        owner: dict[tuple[str, str], tuple[str, int]] = {}
        for line, alias, measure, kind in zip(rules.lines, aliases, targets, kinds, strict=True):
            if not alias:
                continue
            key = (fold(alias), kind or "name")
            seen = owner.setdefault(key, (measure, line))
            if seen[0] != measure:
                rules.add(
                    line,
                    "alias",
                    f"already maps to the measure {quoted(seen[0])} on line {seen[1]} (got "
                    f"{quoted(alias)} for {quoted(measure)}, expected each alias to name one "
                    "measure)",
                )
    return problems + rules.problems()


def check_extraction_cues(cells: Cells) -> list[Problem]:
    problems, rules = _start(cells)
    if rules is None:
        return problems
    vocabulary_rule(rules, "kind", CUE_KINDS, "kind of cue")
    _folded_key(rules, "cue")
    return problems + rules.problems()


def check_wording(cells: Cells, measures: Sequence[str] | None) -> list[Problem]:
    """``measures``: the measure names of measures.csv (None when not checked against them)."""
    problems, rules = _start(cells)
    if rules is None:
        return problems
    vocabulary_rule(rules, "kind", WORDING_KINDS, "kind of wording")
    if measures is not None:
        vocabulary_rule(rules, "measure", list(measures), "measure", blank="blank or ")
    _folded_key(rules, "phrase")
    return problems + rules.problems()


def measure_resolver(
    vocabulary: Vocabulary, measures: Iterable[str]
) -> Callable[[str], str | None]:
    """``name -> measure``: the name itself when it is a measure, else the measure a ``name``
    alias maps it to, else None (as :meth:`Vocabulary.measure_for`, with one dictionary built
    once instead of a scan of every alias per name)."""
    known = set(measures)
    aliases: dict[str, str] = {}
    for alias in vocabulary.measure_aliases:
        if alias.kind == "name":
            aliases.setdefault(fold(alias.alias), alias.measure)

    def resolve(name: str) -> str | None:
        return name if name in known else aliases.get(fold(name))

    return resolve
