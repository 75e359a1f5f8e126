"""Check 2: hedged claims against exact ones and against each other, through the hedge module."""

from __future__ import annotations

import math

import pandas as pd

from sceptre_analysis import hedges

from .base import Analysis
from .model import Finding

__all__ = ["RULE", "as_claim", "hedge_compatibility"]

RULE = (
    'A hedged figure ("more than 240", "almost 10,000") must be true of the figure the '
    'reports use and able to be true together with the other claims; "over N" cannot be '
    "true when the same source's own parts add up to exactly N."
)


def as_claim(row: object) -> hedges.Claim:
    """A claims row as the hedge module's :class:`~sceptre_analysis.hedges.Claim`."""
    tolerance = getattr(row, "tolerance", None)
    high = getattr(row, "value_high", None)
    return hedges.Claim(
        float(row.value),  # type: ignore[attr-defined]
        str(row.meaning),  # type: ignore[attr-defined]
        None if tolerance is None or pd.isna(tolerance) else float(tolerance),
        None if high is None or pd.isna(high) or str(row.meaning) != "range" else float(high),  # type: ignore[attr-defined]
        str(row.direction) or None,  # type: ignore[attr-defined]
        str(row.qualifier).strip(),  # type: ignore[attr-defined]
    )


def hedge_compatibility(a: Analysis) -> list[Finding]:
    c = a.claims
    # within one source a hedge against its own body figure is the headline check's
    own_body = c["body_value"].notna() & ~c["exact"]
    exact_pair = c["exact"] & c["chosen_lo"].eq(c["chosen_hi"])  # the same-figure check's
    bad = c[~c["fits"] & ~exact_pair & ~own_body & ~c["lead"] & ~c["misscoped"]]
    findings: list[Finding] = []
    for group, rows in bad.groupby("group"):
        f = a.by_group.loc[group]
        chosen_row = None
        if not bool(f["derived"]):
            chosen_row = c[(c["group"] == group) & (c["line"] == f["chosen_line"])].iloc[0]
        unit = str(f["unit"])

        def show(v: float, unit: str = unit) -> str:
            return a.ctx.unit_text(v, unit) if math.isfinite(v) else str(v)

        for _, row in rows.iterrows():
            stated = as_claim(row)
            if chosen_row is None:
                verdict = hedges.holds(stated, float(f["chosen"]), fmt=show)
                kind = "hedge_own_total"
                own = _own_parts(a, group, str(row["source_id"]))
                if own:
                    reason = (
                        f"“{row['figure']}” cannot be true: {row['publisher']}'s own parts "
                        f"({f['basis']}) add up to exactly {f['chosen_figure']}. {verdict.reason}."
                    )
                else:
                    kind = "hedge_vs_exact"
                    reason = (
                        f"“{row['figure']}” does not fit the total computed from the parts "
                        f"({f['basis']} = {f['chosen_figure']}): {verdict.reason}."
                    )
            else:
                verdict = hedges.compatible(stated, as_claim(chosen_row), fmt=show)
                kind = (
                    "hedge_vs_exact" if (row["exact"] or chosen_row["exact"]) else "hedge_vs_hedge"
                )
                reason = f"{a.said(row)}, against {a.chosen_words(group)}: {verdict.reason}."
            involved = c[
                (c["group"] == group) & (c.index.isin([row.name]) | (c["line"] == f["chosen_line"]))
            ]
            refs = a.refs(involved)
            if chosen_row is None:
                refs = (*refs, a.chosen_ref(group))
            findings.append(
                Finding(
                    kind=kind,
                    check="hedge_compatibility",
                    severity="conflict",
                    explanation=reason,
                    decision=a.decision(group),
                    claims=refs,
                    **a.where(group),
                )
            )
    return findings


def _own_parts(a: Analysis, group: int, source_id: str) -> bool:
    """Whether a computed figure's parts were all stated by ``source_id``."""
    lines = set(a.by_group.loc[group, "chosen_lines"])
    parts = a.claims[a.claims["line"].isin(lines)]
    return bool(len(parts)) and set(parts["source_id"]) == {source_id}
