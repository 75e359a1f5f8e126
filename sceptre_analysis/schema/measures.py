"""Rules for ``measures.csv``: names, units from ``units.csv``, and totals (``total_of``, with
alternatives separated by ``;``) and subsets (``part_of``) naming other measures."""

from __future__ import annotations

import re

from ..vocab import Vocabulary
from .cells import Cells
from .problems import Problem, quoted
from .rules import Rules, check_header, duplicate_key, vocabulary_rule
from .values import total_of_alternatives

__all__ = ["check_measures"]

_MEASURE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def check_measures(cells: Cells, vocabulary: Vocabulary) -> list[Problem]:
    """Rules for measures.csv, including ``total_of``/``part_of`` naming measures of the file."""
    problems = list(cells.problems) + check_header(cells)
    if not cells.readable:
        return problems
    r = Rules(cells)
    r.required()
    r.cell(
        "measure",
        lambda v: (
            None
            if v == "" or _MEASURE_NAME.match(v)
            else (
                f"must be a short name in lowercase letters, digits and _ (got {quoted(v)}, "
                "expected e.g. 'knives' or 'cash_seized')"
            )
        ),
    )
    duplicate_key(r, "measure")
    units = list(vocabulary.units)
    vocabulary_rule(
        r,
        "unit",
        units,
        "unit",
        aliases=lambda v: vocabulary.unit_names.resolve(v),
    )
    r.cell(
        "per_day",
        lambda v: (
            None
            if v in {"", "yes"}
            else (
                f"must be 'yes' or blank (got {quoted(v)}, expected 'yes' when a per-day rate "
                "means something)"
            )
        ),
    )
    if not r.has("measure"):
        return problems + r.problems()
    names = cells.columns["measure"]
    known = [m for m in names if m]
    known_set = set(known)
    unit_of = dict(zip(names, cells.get("unit"), strict=True))
    for line, measure, total_of in zip(r.lines, names, cells.get("total_of"), strict=True):
        message = _total_of_problem(measure, total_of, known, known_set, unit_of, r)
        if message:
            r.add(line, "total_of", message)
    for line, measure, part_of in zip(r.lines, names, cells.get("part_of"), strict=True):
        if not part_of:
            continue
        if part_of == measure:
            r.add(
                line,
                "part_of",
                f"names the measure itself (got {quoted(part_of)}, expected another measure)",
            )
        elif part_of not in known_set:
            r.add(
                line,
                "part_of",
                f"names a measure that is not in measures.csv (got {quoted(part_of)}, expected a "
                f"measure name from measures.csv){r.hint('part_of', part_of, known)}",
            )
    return problems + r.problems()


def _total_of_problem(
    measure: str,
    total_of: str,
    known: list[str],
    known_set: set[str],
    unit_of: dict[str, str],
    r: Rules,
) -> str | None:
    if not total_of:
        return None
    options = total_of_alternatives(total_of)
    parts = [p for option in options for p in option]
    if "" in parts:
        return (
            f"has an empty part (got {quoted(total_of)}, expected measure names joined by ' + ', "
            "e.g. 'knives + other_offensive_weapons', alternatives separated by ';')"
        )
    unknown = [p for p in dict.fromkeys(parts) if p not in known_set]
    if unknown:
        listed = ", ".join(f"'{b}'" for b in unknown)
        return (
            f"names a measure that is not in measures.csv: {listed} (got {quoted(total_of)}, "
            "expected measure names from measures.csv joined by ' + ')"
            + r.hint("total_of", unknown[0], known)
        )
    if measure in parts:
        return (
            f"lists the measure itself (got {quoted(total_of)}, expected only other measures, "
            "e.g. 'knives + other_offensive_weapons')"
        )
    for option in options:
        if len(set(option)) != len(option):
            return f"names a part twice (got {quoted(total_of)}, expected each part once per sum)"
    own = unit_of.get(measure, "")
    odd = [p for p in parts if unit_of.get(p, own) != own]
    if odd:
        return (
            f"adds up measures in a different unit (got {quoted(total_of)}, where '{odd[0]}' is in "
            f"'{unit_of[odd[0]]}', expected parts in '{own}' like the total)"
        )
    return None
