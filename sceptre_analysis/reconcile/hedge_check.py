"""Check 2: hedged claims against exact ones and against each other, through the hedge module."""

from __future__ import annotations

import math
from collections.abc import Mapping

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


def as_claim(row: Mapping[str, object]) -> hedges.Claim:
    """A claims row as the hedge module's :class:`~sceptre_analysis.hedges.Claim`."""
    tolerance = row.get("tolerance")
    high = row.get("value_high")
    meaning = str(row["meaning"])
    return hedges.Claim(
        float(row["value"]),
        meaning,
        None if tolerance is None or pd.isna(tolerance) else float(tolerance),
        None if high is None or pd.isna(high) or meaning != "range" else float(high),
        str(row["direction"]) or None,
        str(row.get("phrase", row["qualifier"])).strip(),
    )


def hedge_compatibility(a: Analysis) -> list[Finding]:
    c = a.claims
    # within one source a hedge against its own body figure is the headline check's
    own_body = c["body_value"].notna() & ~c["exact"]
    exact_pair = c["exact"] & c["chosen_lo"].eq(c["chosen_hi"])  # the same-figure check's
    bad = c[~c["fits"] & ~exact_pair & ~own_body & ~c["lead"] & ~c["misscoped"]]
    findings: list[Finding] = []
    for group, labels in bad.groupby("group").groups.items():
        f = a.figure(group)
        chosen_row = None
        if not bool(f["derived"]):
            chosen_row = a.at_line(f["chosen_line"])
        unit = str(f["unit"])

        def show(v: float, unit: str = unit) -> str:
            return a.ctx.unit_text(v, unit) if math.isfinite(v) else str(v)

        for label in labels:
            row = a.record(label)
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
            refs = a.cite([label, *a.labels_at([] if chosen_row is None else [f["chosen_line"]])])
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
    labels = a.labels_at(a.figure(group)["chosen_lines"])
    return bool(labels) and {a.record(x)["source_id"] for x in labels} == {source_id}
