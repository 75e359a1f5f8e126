"""Check 10: a figure the reports compute is labelled as computed, from the lines it uses."""

from __future__ import annotations

from .base import Analysis
from .model import Finding

__all__ = ["RULE", "computed_figures"]

RULE = (
    "A figure that no source states exactly but the reports compute (a total from its parts) "
    "is shown as computed, with the lines of the figures it is computed from, never as if a "
    "source stated it."
)


def computed_figures(a: Analysis) -> list[Finding]:
    f = a.figures
    if f.empty:
        return []
    findings = []
    for row in f[f["derived"]].itertuples(index=False):
        parts = a.lines(row.chosen_lines)
        lines = ", ".join(str(n) for n in row.chosen_lines)
        stated = a.rows(row.group)
        hedged = "; ".join(f"“{x}”" for x in dict.fromkeys(stated["figure"]))
        findings.append(
            Finding(
                kind="computed",
                check="computed_figures",
                severity="note",
                explanation=(
                    f"No source states {row.label.lower()} exactly"
                    + (f" (the sources say {hedged})" if hedged else "")
                    + f"; the reports compute {row.chosen_figure} from {row.basis} "
                    f"(lines {lines})."
                ),
                decision=f"The reports use {row.chosen_figure}, computed from lines {lines}.",
                claims=(a.chosen_ref(row.group), *a.refs(parts)),
                **a.where(row.group),
            )
        )
    return findings
