"""What each measure *is* in a report, read from ``measures.csv`` and ``units.csv``.

A report never names a measure: it asks here whether a measure is a total (``total_of``),
a part of one (listed in a ``total_of``, or ``part_of``), a length of time, a count, an amount
of money or a share (by its unit's *kind*), whether a per-day rate means something
(``per_day``), and which measures may be set side by side (same category and unit, neither
nested in the other). A new measure is therefore a row of data, never a code change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from .vocab import Vocabulary, fold, load_vocabulary

__all__ = ["MeasureRole", "Roles", "measure_roles"]

SHARE_KINDS = frozenset({"percent", "fraction"})
"""Unit kinds whose values are shares of something, never counts to add or compare."""


@dataclass(frozen=True)
class MeasureRole:
    """One measure as the reports see it."""

    measure: str
    label: str
    noun: str
    noun_plural: str
    unit: str
    kind: str
    """The unit's kind in ``units.csv``: count, money, duration, percent, fraction, ..."""
    category: str
    decompositions: tuple[tuple[str, ...], ...] = ()
    """Each ``total_of`` alternative: the measures this one is the sum of."""
    subset_of: tuple[str, ...] = ()
    """``part_of``: measures this one is a subset of, without a full decomposition."""
    per_day: bool = False
    prefix: str = ""
    suffix: str = ""
    decimals: int | None = None

    @property
    def is_total(self) -> bool:
        return bool(self.decompositions)

    @property
    def is_duration(self) -> bool:
        return self.kind == "duration"

    @property
    def is_money(self) -> bool:
        return self.kind == "money"

    @property
    def is_share(self) -> bool:
        return self.kind in SHARE_KINDS

    @property
    def is_count(self) -> bool:
        return self.kind == "count"


def _alternatives(cell: object) -> tuple[tuple[str, ...], ...]:
    """``total_of`` as loaded (text, a list of names or a list of lists) -> alternatives."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return ()
    if isinstance(cell, str):
        return tuple(
            tuple(p.strip() for p in option.split("+") if p.strip())
            for option in cell.split(";")
            if option.strip()
        )
    if not isinstance(cell, Iterable):
        raise TypeError(f"total_of: expected text or a list of names, got {cell!r}")
    items = list(cell)
    if not items:
        return ()
    if all(isinstance(item, str) for item in items):
        return (tuple(str(i).strip() for i in items if str(i).strip()),)
    return tuple(tuple(str(p).strip() for p in option) for option in items if len(option))


def _names(cell: object) -> tuple[str, ...]:
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return ()
    if isinstance(cell, str):
        return tuple(p.strip() for p in cell.replace(";", "|").split("|") if p.strip())
    if not isinstance(cell, Iterable):
        raise TypeError(f"expected text or a list of names, got {cell!r}")
    return tuple(str(p).strip() for p in cell if str(p).strip())


def _yes(cell: object) -> bool:
    return (isinstance(cell, bool) and cell) or fold(str(cell or "")) in {"yes", "true", "y", "1"}


@dataclass(frozen=True)
class Roles(Mapping[str, MeasureRole]):
    """Every measure's role, and the relations between measures the reports need."""

    by_measure: Mapping[str, MeasureRole] = field(default_factory=dict)

    def __getitem__(self, measure: str) -> MeasureRole:
        return self.by_measure[measure]

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_measure)

    def __len__(self) -> int:
        return len(self.by_measure)

    @cached_property
    def _parents(self) -> dict[str, tuple[str, ...]]:
        parents: dict[str, list[str]] = {m: list(r.subset_of) for m, r in self.by_measure.items()}
        for total, role in self.by_measure.items():
            for option in role.decompositions:
                for part in option:
                    parents.setdefault(part, [])
                    if total not in parents[part]:
                        parents[part].append(total)
        return {m: tuple(p) for m, p in parents.items()}

    def parents(self, measure: str) -> tuple[str, ...]:
        """Measures that ``measure`` is directly a part or a subset of."""
        return self._parents.get(measure, ())

    def ancestors(self, measure: str) -> set[str]:
        """Every measure ``measure`` is (through any chain) a part or subset of."""
        seen: set[str] = set()
        todo = list(self.parents(measure))
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo += self.parents(current)
        return seen

    def is_part(self, measure: str) -> bool:
        return bool(self.parents(measure))

    def nested(self, first: str, second: str) -> bool:
        """One measure counts (some of) the same things as the other: never compare them."""
        if first == second:
            return True
        return first in self.ancestors(second) or second in self.ancestors(first)

    def comparable(self, first: str, second: str) -> bool:
        """Two measures a chart may set side by side: same category, same unit, not nested."""
        if first not in self.by_measure or second not in self.by_measure:
            return False
        a, b = self.by_measure[first], self.by_measure[second]
        return a.category == b.category and a.unit == b.unit and not self.nested(first, second)

    def children(self, total: str) -> list[str]:
        """Direct parts (any decomposition) and subsets of ``total``, in measures.csv order."""
        return [m for m in self.by_measure if total in self.parents(m)]

    def breakdown(self, total: str, present: Iterable[str]) -> tuple[str, ...]:
        """The parts of ``total`` to show for the measures ``present``.

        The decomposition with most of its parts present (all present wins over more parts);
        else the present subsets (``part_of``). Empty when none is present.
        """
        have = set(present)
        role = self.by_measure.get(total)
        if role is None:
            return ()
        options = sorted(
            role.decompositions,
            key=lambda option: (
                set(option) <= have,
                len(set(option) & have),
                len(option),
            ),
            reverse=True,
        )
        for option in options:
            shown = tuple(part for part in option if part in have)
            if shown:
                return shown
        return tuple(
            m for m in self.by_measure if total in self.by_measure[m].subset_of and m in have
        )

    def complete(self, total: str, parts: Iterable[str]) -> bool:
        """Whether ``parts`` is a whole decomposition of ``total`` (they add up to it)."""
        wanted = set(parts)
        role = self.by_measure.get(total)
        return role is not None and any(set(option) == wanted for option in role.decompositions)

    def roots(self, present: Iterable[str]) -> list[str]:
        """The measures of ``present`` no other present measure contains, in measures.csv order."""
        have = [m for m in self.by_measure if m in set(present)]
        return [m for m in have if not (self.ancestors(m) & set(have))]

    def nearest(self, measure: str, present: Iterable[str]) -> str | None:
        """The closest measure of ``present`` that contains ``measure`` (None: it is a root)."""
        candidates = self.ancestors(measure) & set(present)
        for candidate in candidates:
            if not any(
                other != candidate and candidate in self.ancestors(other) for other in candidates
            ):
                return candidate
        return None

    def tree(self, present: Iterable[str]) -> list[tuple[str, int]]:
        """``present`` as an outline: each measure under the closest one containing it.

        ``[("knives_recovered", 0), ("knives_seized", 1), ...]``: a total comes first and its
        parts follow it one level down, so nothing is listed beside what contains it.
        """
        have = self.order(present)
        under: dict[str | None, list[str]] = {}
        for measure in have:
            under.setdefault(self.nearest(measure, have), []).append(measure)
        outline: list[tuple[str, int]] = []

        def walk(parent: str | None, depth: int) -> None:
            for child in under.get(parent, []):
                outline.append((child, depth))
                walk(child, depth + 1)

        walk(None, 0)
        return outline

    def order(self, measures: Iterable[str]) -> list[str]:
        """``measures`` in measures.csv order (unknown names last, as given)."""
        index = {m: i for i, m in enumerate(self.by_measure)}
        return sorted(dict.fromkeys(measures), key=lambda m: index.get(m, len(index)))


def measure_roles(measures: pd.DataFrame, vocabulary: Vocabulary | None = None) -> Roles:
    """Roles of every measure in a loaded ``measures`` frame (units from the vocabulary)."""
    vocabulary = vocabulary or load_vocabulary()
    found: dict[str, MeasureRole] = {}
    for row in measures.to_dict("records"):
        unit_name = str(row.get("unit") or "")
        unit = vocabulary.units.get(unit_name)
        found[str(row["measure"])] = MeasureRole(
            measure=str(row["measure"]),
            label=str(row.get("label") or row["measure"]),
            noun=str(row.get("noun") or ""),
            noun_plural=str(row.get("noun_plural") or ""),
            unit=unit_name,
            kind=unit.kind if unit is not None else unit_name,
            category=str(row.get("category") or ""),
            decompositions=_alternatives(
                row["total_of_alternatives"]
                if isinstance(row.get("total_of_alternatives"), list)
                else row.get("total_of")
            ),
            subset_of=_names(row.get("part_of")),
            per_day=_yes(row.get("per_day")),
            prefix=unit.prefix if unit is not None else "",
            suffix=unit.suffix if unit is not None else "",
            decimals=unit.decimals if unit is not None else None,
        )
    return Roles(found)
