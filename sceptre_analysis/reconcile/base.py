"""What every check gets: the prepared claims, each figure's choice, and helpers to cite them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from .model import ClaimRef, Context, Finding

__all__ = ["Analysis", "Check", "join_words"]


def join_words(items: list[str]) -> str:
    """["a"] -> "a"; ["a", "b", "c"] -> "a, b and c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


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

    def chosen_ref(self, group: int) -> ClaimRef:
        """The chosen claim of a figure, cited; a computed one names the lines it comes from."""
        f = self.by_group.loc[group]
        if bool(f["derived"]):
            return ClaimRef(
                "computed",
                "computed",
                f"computed from {f['basis']}",
                None,
                str(f["chosen_figure"]),
                tuple(int(x) for x in f["chosen_lines"]),
            )
        rows = self.claims[
            (self.claims["group"] == group) & (self.claims["line"] == f["chosen_line"])
        ]
        return self.ctx.refs(rows)[0]

    def chosen_words(self, group: int) -> str:
        """ "1,002 arrests (Metropolitan Police Service, line 9)"."""
        ref = self.chosen_ref(group)
        return f"{ref.figure} ({ref.cite()})"

    def where(self, group: int) -> dict[str, object]:
        """The fields that place a finding about one figure."""
        f = self.by_group.loc[group]
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
        f = self.by_group.loc[group]
        reason = str(f["reason"])
        return f"The reports use {self.chosen_words(group)}: {reason[:1].lower()}{reason[1:]}"

    def refs(self, rows: pd.DataFrame) -> tuple[ClaimRef, ...]:
        return self.ctx.refs(rows)

    @staticmethod
    def said(row: object) -> str:
        """ "Surrey Comet (line 11) gives 44 arrests"."""
        return f"{row.publisher} (line {int(row.line)}) gives {row.figure}"  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Check:
    """A named check: its kind(s) of finding, the rule in one sentence, and the function."""

    name: str
    rule: str
    run: Callable[[Analysis], list[Finding]]
