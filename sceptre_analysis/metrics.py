"""Figures derived from the tallies: totals from parts, per-day rates, shares, hedge checks.

Everything here is computed from validated frames (see :mod:`sceptre_analysis.load`)
and returned as frames, so a notebook can show the working as well as the answer.
"""

from __future__ import annotations

import pandas as pd

from .narrative import format_value, hedged_figure

SCOPE = ["operation", "period_start", "period_end", "agency", "area"]
"""Columns that say *what* a figure is about: the same scope + measure should agree."""

# How far "about"/"almost" may stray from the stated figure and still count as true.
APPROXIMATE_TOLERANCE = 0.10

__all__ = [
    "APPROXIMATE_TOLERANCE",
    "SCOPE",
    "check_hedges",
    "derived_totals",
    "hedge_holds",
    "per_day_rates",
    "period_days",
    "shares",
    "with_derived",
]


def period_days(start: object, end: object) -> int:
    """Days in a period counting both ends: 9 to 15 November is seven days."""
    return int((pd.Timestamp(end) - pd.Timestamp(start)).days) + 1


def hedge_holds(comparison: str, stated: float, actual: float) -> bool:
    """Whether an exact ``actual`` figure is consistent with a hedged ``stated`` one.

    ``comparison`` is the meaning of the qualifier (see ``QUALIFIERS``):
    ``>`` "more than 240" holds for 245; ``~`` "about 240" within 10 %.
    """
    tolerance = APPROXIMATE_TOLERANCE * abs(stated)
    checks = {
        "=": actual == stated,
        ">": actual > stated,
        ">=": actual >= stated,
        "<": actual < stated,
        "<=": actual <= stated,
        "~": abs(actual - stated) <= tolerance,
        "<~": stated - tolerance <= actual < stated,
    }
    if comparison not in checks:
        raise ValueError(f"unknown comparison {comparison!r}; expected one of {sorted(checks)}")
    return bool(checks[comparison])


def _components(measures: pd.DataFrame) -> dict[str, list[str]]:
    return {
        row.measure: list(row.total_of)
        for row in measures.itertuples()
        if isinstance(row.total_of, list) and row.total_of
    }


def derived_totals(tallies: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Totals computed from exact component figures stated by the same source.

    The Met's 187 knives + 58 other offensive weapons give 245 weapons; the row
    keeps its ``basis`` in words and the ``lines`` it was computed from.
    """
    exact = tallies[tallies["qualifier"].astype(str) == ""]
    labels = measures.set_index("measure")
    rows: list[dict[str, object]] = []
    for total, parts in _components(measures).items():
        subset = exact[exact["measure"].astype(str).isin(parts)]
        for key, group in subset.groupby([*SCOPE, "source_id"], observed=True, sort=True):
            by_measure = group.drop_duplicates("measure").set_index(group["measure"].astype(str))
            if not set(parts) <= set(by_measure.index):
                continue
            values = [float(by_measure.loc[part, "value"]) for part in parts]
            basis = " + ".join(
                hedged_figure(
                    value,
                    noun=str(labels.loc[part, "noun"] or ""),
                    noun_plural=labels.loc[part, "noun_plural"] or None,
                )
                for part, value in zip(parts, values, strict=True)
            )
            record = dict(zip([*SCOPE, "source_id"], key, strict=True))
            record.update(
                measure=total,
                value=sum(values),
                qualifier="",
                basis=basis,
                lines=[int(by_measure.loc[part, "line"]) for part in parts],
                derived=True,
            )
            rows.append(record)
    columns = [*SCOPE, "source_id", "measure", "value", "qualifier", "basis", "lines", "derived"]
    return pd.DataFrame(rows, columns=columns)


def with_derived(tallies: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Stated tallies plus derived totals, with ``derived`` marking which is which."""
    stated = tallies.assign(derived=False, basis="")
    derived = derived_totals(tallies, measures)
    if derived.empty:
        return stated
    info = measures.set_index("measure")[["label", "unit", "noun", "noun_plural"]]
    derived = derived.join(info, on="measure")
    combined = pd.concat([stated.astype({"measure": str}), derived], ignore_index=True)
    return combined


def per_day_rates(tallies: pd.DataFrame) -> pd.DataFrame:
    """Each exact count over the days of its stated period (1,002 arrests / 7 ≈ 143 a day)."""
    counts = tallies[
        (tallies["unit"].astype(str) != "days") & (tallies["qualifier"].astype(str) == "")
    ].copy()
    counts["days"] = [
        period_days(start, end)
        for start, end in zip(counts["period_start"], counts["period_end"], strict=True)
    ]
    counts["per_day"] = counts["value"].astype(float) / counts["days"]
    return counts


def shares(tallies: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Each component's share of its derived total: knives are 187 / 245 ≈ 76 % of weapons."""
    totals = derived_totals(tallies, measures)
    parts = _components(measures)
    rows: list[dict[str, object]] = []
    exact = tallies[tallies["qualifier"].astype(str) == ""]
    for total in totals.itertuples(index=False):
        scope = {column: getattr(total, column) for column in [*SCOPE, "source_id"]}
        mask = pd.Series(True, index=exact.index)
        for column, value in scope.items():
            mask &= exact[column].astype(object) == value
        for part in parts[total.measure]:
            match = exact[mask & (exact["measure"].astype(str) == part)]
            if match.empty:
                continue
            value = float(match["value"].iloc[0])
            rows.append(
                {
                    **scope,
                    "measure": part,
                    "of": total.measure,
                    "value": value,
                    "total": total.value,
                    "share": value / total.value if total.value else float("nan"),
                }
            )
    columns = [*SCOPE, "source_id", "measure", "of", "value", "total", "share"]
    return pd.DataFrame(rows, columns=columns)


def check_hedges(
    tallies: pd.DataFrame, measures: pd.DataFrame, qualifiers: dict[str, str]
) -> pd.DataFrame:
    """Test every hedged claim against the exact figures for the same scope.

    "More than 240 weapons" holds against the 245 derived from 187 knives and
    58 other weapons; "over 1,000 arrests" against 1,002. Exact figures from
    the claim's own source are preferred as evidence; ``holds`` is missing when
    no exact figure exists to test against.
    """
    pool = with_derived(tallies, measures)
    pool = pool[pool["qualifier"].astype(str) == ""]
    labels = measures.set_index("measure")
    hedged = tallies[tallies["qualifier"].astype(str) != ""]
    rows: list[dict[str, object]] = []
    for claim in hedged.itertuples(index=False):
        mask = pool["measure"].astype(str) == str(claim.measure)
        for column in SCOPE:
            mask &= pool[column].astype(object) == getattr(claim, column)
        evidence = pool[mask].copy()
        evidence["own_source"] = evidence["source_id"].astype(str) == str(claim.source_id)
        evidence = evidence.sort_values(["own_source", "derived"], ascending=[False, True])
        unit = str(claim.unit)
        stated_text = hedged_figure(
            claim.value,
            qualifier=str(claim.qualifier),
            unit=unit,
            noun=str(labels.loc[str(claim.measure), "noun"] or ""),
            noun_plural=labels.loc[str(claim.measure), "noun_plural"] or None,
        )
        record: dict[str, object] = {
            "line": claim.line,
            "source_id": claim.source_id,
            **{column: getattr(claim, column) for column in SCOPE},
            "measure": claim.measure,
            "claim": stated_text,
            "exact": pd.NA,
            "basis": "",
            "holds": pd.NA,
            "verdict": "no exact figure to check against",
        }
        if not evidence.empty:
            best = evidence.iloc[0]
            holds = hedge_holds(qualifiers[str(claim.qualifier)], float(claim.value), best.value)
            basis = best["basis"] or f"stated on line {int(best['line'])}"
            record.update(
                exact=best.value,
                basis=f"{basis} ({best['source_id']})",
                holds=holds,
                verdict=(
                    f"“{stated_text}” {'holds' if holds else 'does NOT hold'} against "
                    f"{format_value(best.value, unit)}"
                    + (f" = {best['basis']}" if best["basis"] else "")
                ),
            )
        rows.append(record)
    return pd.DataFrame(rows)
