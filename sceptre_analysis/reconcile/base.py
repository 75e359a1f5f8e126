"""What every check gets: the prepared claims, each figure's choice, and helpers to cite them.

Checks find problems column-wise; only the findings are then written one by one, and these
helpers make that cheap (plain dictionaries and arrays, no scan of all claims per finding).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

import numpy as np
import pandas as pd

from .model import ClaimRef, Context, Finding

__all__ = ["Analysis", "Check", "Row", "join_words", "values"]

T = TypeVar("T")


def values(frame: pd.DataFrame, name: str) -> list:
    """A column as a plain list, dates as integers (nanoseconds; NaT the smallest): a quick key
    for dictionaries, where building a Timestamp for every row would not be."""
    column = frame[name]
    if pd.api.types.is_datetime64_dtype(column.dtype):
        return column.to_numpy(dtype="datetime64[ns]").view("int64").tolist()
    return column.tolist()


def join_words(items: list[str]) -> str:
    """["a"] -> "a"; ["a", "b", "c"] -> "a, b and c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class Row(Mapping[str, object]):
    """One row of a frame held as columns: a claim or a figure with its values read on demand
    (a finding reads a few of some 70 columns; copying them all into a dictionary was most of
    the cost of writing it)."""

    __slots__ = ("_columns", "_i")

    def __init__(self, columns: Mapping[str, object], i: int) -> None:
        self._columns = columns
        self._i = i

    def __getitem__(self, name: str) -> object:
        return self._columns[name][self._i]  # type: ignore[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


@dataclass
class Analysis:
    """The claims (``claims``: one row per result claim, with its figure ``group``) and the
    figures (``figures``: one row per group, with the chosen claim)."""

    ctx: Context
    claims: pd.DataFrame
    figures: pd.DataFrame

    @cached_property
    def by_group(self) -> pd.DataFrame:
        return self.figures.set_index("group") if not self.figures.empty else self.figures

    @cached_property
    def _figure_columns(self) -> dict[str, object]:
        return {name: self.figures[name].to_numpy() for name in self.figures.columns}

    @cached_property
    def _figure_position(self) -> dict[int, int]:
        if self.figures.empty:
            return {}
        return {int(g): i for i, g in enumerate(self.figures["group"].tolist())}

    def figure(self, group: int) -> Mapping[str, object]:
        """One figure's row, read-only (its values are read when asked)."""
        return Row(self._figure_columns, self._figure_position[int(group)])

    @cached_property
    def _columns(self) -> dict[str, object]:
        return {name: self.claims[name].to_numpy() for name in self.claims.columns}

    @cached_property
    def _position(self) -> dict[object, int]:
        return {label: i for i, label in enumerate(self.claims.index.tolist())}

    @cached_property
    def _by_group(self) -> tuple[np.ndarray, np.ndarray]:
        """The claims' positions sorted by figure (stable), and their figures in that order."""
        if not len(self.claims):
            return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
        groups = self.claims["group"].to_numpy()
        order = np.argsort(groups, kind="stable")
        return order, groups[order]

    def _in_group(self, group: int) -> np.ndarray:
        """Positions of the claims of one figure, in row order (binary search, no dictionary
        of every figure)."""
        order, ordered = self._by_group
        start = np.searchsorted(ordered, group, side="left")
        end = np.searchsorted(ordered, group, side="right")
        return order[start:end]

    @cached_property
    def _line_index(self) -> dict[int, object]:
        return dict(zip(self.claims["line"].tolist(), self.claims.index.tolist(), strict=True))

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """``build()`` once per analysis (a frame several parts of a check read)."""
        cache: dict[str, T] = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = build()
        return cache[key]

    def record(self, label: object) -> Mapping[str, object]:
        """One claim (by its index label), read-only (its values are read when asked)."""
        return Row(self._columns, self._position[label])

    def group_labels(self, group: int) -> list[object]:
        """Index labels of the claims of one figure."""
        return self.claims.index[self._in_group(group)].tolist()

    def rows(self, group: int) -> pd.DataFrame:
        """The claims of one figure (a small frame)."""
        return self.claims.iloc[self._in_group(group)]

    def at_line(self, line: object) -> Mapping[str, object]:
        """The claim recorded on a line of tallies.csv."""
        return self.record(self._line_index[int(line)])

    def labels_at(self, lines: Iterable[object]) -> list[object]:
        return [self._line_index[int(n)] for n in lines if int(n) in self._line_index]

    def lines(self, lines: Iterable[object]) -> pd.DataFrame:
        """The claims recorded on these lines."""
        return self.claims.loc[self.labels_at(lines)]

    def cite(self, labels: Iterable[object]) -> tuple[ClaimRef, ...]:
        """Claim references for claims given by index label, in line order."""
        columns = self._columns
        refs = []
        for label in dict.fromkeys(labels):
            i = self._position[label]
            refs.append(
                ClaimRef(
                    str(columns["source_id"][i]),
                    str(columns["publisher"][i]),
                    str(columns["quote"][i]),
                    int(columns["line"][i]),
                    str(columns["figure"][i]),
                )
            )
        return tuple(sorted(refs, key=lambda r: r.line or 0))

    def chosen_ref(self, group: int) -> ClaimRef:
        """The chosen claim of a figure, cited; a computed one names the lines it comes from."""
        cache = self.__dict__.setdefault("_refs", {})
        if group not in cache:
            f = self.figure(group)
            if bool(f["derived"]):
                cache[group] = ClaimRef(
                    "computed",
                    "computed",
                    f"computed from {f['basis']}",
                    None,
                    str(f["chosen_figure"]),
                    tuple(int(x) for x in f["chosen_lines"]),
                )
            else:
                cache[group] = self.cite(self.labels_at([f["chosen_line"]]))[0]
        return cache[group]

    def chosen_words(self, group: int) -> str:
        """ "1,002 arrests (Metropolitan Police Service, line 9)"."""
        ref = self.chosen_ref(group)
        return f"{ref.figure} ({ref.cite()})"

    def where(self, group: int) -> dict[str, object]:
        """The fields that place a finding about one figure."""
        f = self.figure(group)
        return {
            "operation": str(f["operation"]),
            "week": f["week"],
            "agency": str(f["agency"]),
            "area": str(f["area"]),
            "measure": str(f["measure"]),
            "chosen": float(f["chosen"]),
            "chosen_source": str(f["chosen_source"]),
        }

    def decision(self, group: int) -> str:
        reason = str(self.figure(group)["reason"])
        return f"The reports use {self.chosen_words(group)}: {reason[:1].lower()}{reason[1:]}"

    def refs(self, rows: pd.DataFrame) -> tuple[ClaimRef, ...]:
        return self.cite(rows.index)

    @staticmethod
    def said(row: Mapping[str, object]) -> str:
        """ "Surrey Comet (line 11) gives 44 arrests"."""
        return f"{row['publisher']} (line {int(row['line'])}) gives {row['figure']}"  # type: ignore[call-overload]


@dataclass(frozen=True)
class Check:
    """A named check: its kind(s) of finding, the rule in one sentence, and the function."""

    name: str
    rule: str
    run: Callable[[Analysis], list[Finding]]
