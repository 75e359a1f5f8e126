"""The findings as HTML for the source check: grouped by kind, every claim quoted, escaped."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from .base import join_words

__all__ = ["KIND_TITLES", "findings_html"]

#: Headings for the kinds of finding, in the order the source check shows them.
KIND_TITLES: dict[str, str] = {
    "different_values": "Same figure, different values",
    "hedge_vs_exact": "Hedged figure does not hold",
    "hedge_vs_hedge": "Hedged figures that cannot both be true",
    "hedge_own_total": "Hedge that cannot be true of its own total",
    "own_parts": "A source's total against its own parts",
    "parts_total": "Total against its parts",
    "areas_exceed_whole": "Areas adding up to more than the whole",
    "headline_vs_body": "Headline against body",
    "whole_list": "A whole list with the wrong scope",
    "local_as_national": "Local figure presented as national",
    "force_wide_as_operation": "Force-wide figure credited to the operation",
    "same_number_two_measures": "One number, two meanings",
    "same_number_two_forces": "One number for two forces",
    "weekday_mismatch": "Weekday names against dates",
    "length_vs_dates": "Stated length against dates",
    "dates_disagree": "Sources disagree on the dates",
    "period_vs_national_week": "A force's week against the national week",
    "unusual_length": "Unusual length of the week",
    "published_before_end": "Published before the period ends",
    "wording_vs_measure": "Wording against measure (caution)",
    "operation_variant": "Operation name variant",
    "operation_other_name": "Another operation name",
    "computed": "Computed figures",
}


def _claim(ref: object) -> Markup:
    if getattr(ref, "computed_from", ()):
        return Markup("<li>{} <span class='cite'>({})</span></li>").format(
            ref.figure,
            ref.cite(),  # type: ignore[attr-defined]
        )
    return Markup("<li><q>{}</q> <span class='cite'>({}: {})</span></li>").format(
        ref.quote,
        ref.cite(),
        ref.figure,  # type: ignore[attr-defined]
    )


def findings_html(
    findings: pd.DataFrame, *, unverified: set[str] | frozenset[str] = frozenset()
) -> Markup:
    """Every finding, grouped by kind; quotes of sources in ``unverified`` say "not verified"."""
    if findings is None or findings.empty:
        return Markup("<p class='findings-none'>No findings: the sources agree.</p>")
    parts: list[Markup] = []
    order = list(KIND_TITLES)
    kinds = sorted(
        findings["kind"].unique(), key=lambda k: order.index(k) if k in order else len(order)
    )
    for kind in kinds:
        rows = findings[findings["kind"] == kind]
        rule = str(rows["rule"].iloc[0]) if "rule" in rows.columns else ""
        title = KIND_TITLES.get(kind, kind.replace("_", " ").capitalize())
        items = []
        for row in rows.itertuples(index=False):
            claims = Markup("").join(_claim(ref) for ref in row.claims)
            unchecked = list(
                dict.fromkeys(
                    ref.source
                    for ref in row.claims
                    if ref.source_id in unverified and not ref.computed_from
                )
            )
            flags = (
                [
                    Markup(
                        " <span class='unverified'>Not verified (no saved copy to check the "
                        "quote against): {}.</span>"
                    ).format(join_words(unchecked))
                ]
                if unchecked
                else []
            )
            where = " — ".join(
                str(x) for x in (row.operation, row.agency, row.area) if str(x) and str(x) != "nan"
            )
            items.append(
                Markup(
                    "<li class='finding finding-{sev}'><p class='where'>{where}</p>"
                    "<p class='explanation'>{explanation}</p><ul class='claims'>{claims}</ul>"
                    "<p class='decision'><strong>Decision:</strong> {decision}{flags}</p></li>"
                ).format(
                    sev=row.severity,
                    where=where,
                    explanation=row.explanation,
                    claims=claims,
                    decision=row.decision,
                    flags=Markup("").join(flags),
                )
            )
        parts.append(
            Markup(
                "<section class='finding-kind' data-kind='{kind}'><h4>{title} ({n})</h4>"
                "<p class='rule'>{rule}</p><ol>{items}</ol></section>"
            ).format(kind=kind, title=title, n=len(rows), rule=rule, items=Markup("").join(items))
        )
    return Markup("").join(parts)
