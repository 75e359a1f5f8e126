"""Check 4: a headline or lead figure against the same source's body figure."""

from __future__ import annotations

from sceptre_analysis import hedges

from .base import Analysis
from .hedge_check import as_claim
from .model import Finding

__all__ = ["RULE", "headline_body"]

RULE = (
    "Within one source, a figure in the title or lead must agree with the same figure in the "
    "body: a hedge must hold for it and an exact figure must equal it; the reports use the "
    "body's figure."
)


def headline_body(a: Analysis) -> list[Finding]:
    c = a.claims
    has_body = c["body_value"].notna() & (c["line"] != c["body_line"])
    exact_lead = c["lead"] & c["exact"]
    hedged = has_body & ~c["exact"]
    inside = (c["body_value"] >= c["lo"]) & (c["body_value"] <= c["hi"])
    on_open_end = ((c["body_value"] == c["lo"]) & c["lo_open"]) | (
        (c["body_value"] == c["hi"]) & c["hi_open"]
    )
    failing = hedged & ~(inside & ~on_open_end)
    findings = []
    for index in c.index[exact_lead | failing]:
        row = a.record(index)
        body = a.at_line(row["body_line"])
        where = "title" if row["headline"] else "lead"
        if row["exact"]:
            why = (
                f"gives {row['figure']} in its {where} (line {row['line']}) but "
                f"{body['figure']} in the body (line {body['line']})"
            )
        else:
            verdict = hedges.holds(as_claim(row), float(body["value"]), fmt=lambda v: f"{v:,.0f}")
            why = (
                f"says “{row['figure']}” in its {where if row['headline'] else 'text'} "
                f"(line {row['line']}) but {body['figure']} in the body (line {body['line']}): "
                f"{verdict.reason}"
            )
        group = int(row["group"])
        findings.append(
            Finding(
                kind="headline_vs_body",
                check="headline_body",
                severity="conflict",
                explanation=f"{row['publisher']} {why}.",
                decision=(
                    f"The body's {body['figure']} is this source's figure; "
                    + a.decision(group)[0].lower()
                    + a.decision(group)[1:]
                ),
                claims=a.cite([index, *a.labels_at([row["body_line"]])]),
                **a.where(group),
            )
        )
    return findings
