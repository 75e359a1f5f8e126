"""Figures derived from the tallies: totals from parts, per-day rates, shares, hedge checks.

Everything here is computed from validated frames (see :mod:`sceptre_analysis.load`)
and returned as frames, so a notebook can show the working as well as the answer.  Whether a
hedged claim holds is decided by :mod:`sceptre_analysis.hedges` alone.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from . import hedges
from .narrative import format_value, hedged_figure
from .vocab import Vocabulary, load_vocabulary

SCOPE = ["operation", "period_start", "period_end", "agency", "area"]
"""Columns that say *what* a figure is about: the same scope + measure should agree."""

__all__ = [
    "SCOPE",
    "check_hedges",
    "derived_totals",
    "hedge_holds",
    "per_day_rates",
    "period_days",
    "shares",
    "with_derived",
]


def period_days(start: date | str | np.datetime64, end: date | str | np.datetime64) -> int:
    """Days in a period counting both ends: 9 to 15 November is seven days."""
    return int((pd.Timestamp(end) - pd.Timestamp(start)).days) + 1


def hedge_holds(
    qualifier: str,
    stated: float,
    actual: float,
    vocabulary: Vocabulary | None = None,
    *,
    high: float | None = None,
) -> bool:
    """Whether an exact ``actual`` figure bears out ``qualifier`` + ``stated`` ("more than 240"
    holds for 245; "almost 240" for 230 but not 200).  The qualifier is read as printed, with
    its tolerance, by :func:`sceptre_analysis.hedges.claim`; unknown words raise ValueError."""
    claim = hedges.claim(stated, qualifier, vocabulary or load_vocabulary(), high=high)
    return bool(hedges.holds(claim, actual))


def _exact_levels(tallies: pd.DataFrame) -> pd.DataFrame:
    """Exact figures of levels (not changes, not hedged)."""
    meaning = tallies["meaning"] if "meaning" in tallies.columns else None
    if meaning is None:  # a frame from before hedges had meanings
        return tallies[tallies["qualifier"].astype(str) == ""]
    mask = meaning.astype(str) == "exact"
    if "direction" in tallies.columns:
        mask &= tallies["direction"].astype(str) == ""
    return tallies[mask]


def _alternatives(measures: pd.DataFrame) -> dict[str, list[list[str]]]:
    """measure -> its decompositions into parts, most detailed first."""
    column = "total_of_alternatives" if "total_of_alternatives" in measures.columns else "total_of"
    found: dict[str, list[list[str]]] = {}
    for measure, value in zip(measures["measure"], measures[column], strict=True):
        if not isinstance(value, list) or not value:
            continue
        options = value if isinstance(value[0], list) else [value]
        found[str(measure)] = [list(option) for option in options if option]
    return found


def _noun_plural(labels: pd.DataFrame, measure: str) -> str | None:
    """The plural measures.csv gives for a noun inflection gets wrong, or None when blank."""
    return str(labels.loc[measure, "noun_plural"] or "") or None


def _group_keys(tallies: pd.DataFrame) -> list[str]:
    extra = [c for c in ("week", "context") if c in tallies.columns]
    return [*SCOPE, "source_id", *extra]


def _one_value_each(group: pd.DataFrame) -> dict[str, tuple[float, int]]:
    """measure -> (value, line) for the parts this source states once, or states twice with
    the same value (a headline and a list); a part stated with two values is left out."""
    found: dict[str, tuple[float, int]] = {}
    clashing: set[str] = set()
    for measure, value, line in zip(
        group["measure"].astype(str), group["value"], group["line"], strict=True
    ):
        value = float(value)
        if measure in found and found[measure][0] != value:
            clashing.add(measure)
        found.setdefault(measure, (value, int(line)))
    return {m: v for m, v in found.items() if m not in clashing}


def derived_totals(tallies: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Totals computed from exact component figures stated by the same source.

    The Met's 187 knives + 58 other offensive weapons give 245 weapons; the row keeps its
    ``basis`` in words, the ``parts`` and the ``lines`` it was computed from.  Of a measure's
    alternative decompositions, the first whose parts the source all states is used.
    """
    exact = _exact_levels(tallies)
    labels = measures.set_index("measure")
    keys = _group_keys(tallies)
    rows: list[dict[str, object]] = []
    for total, options in _alternatives(measures).items():
        wanted = {part for option in options for part in option}
        subset = exact[exact["measure"].astype(str).isin(wanted)]
        if subset.empty:
            continue
        for key, group in subset.groupby(keys, observed=True, sort=True, dropna=False):
            stated = _one_value_each(group)
            parts = next((o for o in options if all(p in stated for p in o)), None)
            if parts is None:
                continue
            values = [stated[part][0] for part in parts]
            basis = " + ".join(
                hedged_figure(
                    value,
                    noun=str(labels.loc[part, "noun"] or ""),
                    noun_plural=_noun_plural(labels, part),
                )
                for part, value in zip(parts, values, strict=True)
            )
            record: dict[str, object] = dict(zip(keys, key, strict=True))
            record.update(
                measure=total,
                value=sum(values),
                qualifier="",
                meaning="exact",
                direction="",
                basis=basis,
                parts=list(parts),
                lines=[stated[part][1] for part in parts],
                derived=True,
            )
            rows.append(record)
    columns = [*keys, "measure", "value", "qualifier", "meaning", "direction", "basis", "parts"]
    return pd.DataFrame(rows, columns=[*columns, "lines", "derived"])


def with_derived(tallies: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Stated tallies plus derived totals, with ``derived`` marking which is which."""
    stated = tallies.assign(derived=False, basis="")
    derived = derived_totals(tallies, measures)
    if derived.empty:
        return stated
    info = measures.set_index("measure")[["label", "unit", "noun", "noun_plural"]]
    derived = derived.drop(columns=["parts"]).join(info, on="measure")
    combined = pd.concat([stated.astype({"measure": str}), derived], ignore_index=True)
    return combined


def per_day_rates(tallies: pd.DataFrame) -> pd.DataFrame:
    """Each exact count over the days of its stated period (1,002 arrests / 7 ≈ 143 a day).

    Lengths of the operation, changes, and figures without an exact period are left out.
    """
    counts = _exact_levels(tallies)
    counts = counts[(counts["unit"].astype(str) != "days")]
    if "period_kind" in counts.columns:
        counts = counts[counts["period_kind"].astype(str) == "exact"]
    counts = counts[counts["period_start"].notna() & counts["period_end"].notna()].copy()
    counts["days"] = [
        period_days(start, end)
        for start, end in zip(counts["period_start"], counts["period_end"], strict=True)
    ]
    counts["per_day"] = counts["value"].astype(float) / counts["days"]
    return counts


def shares(tallies: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Each component's share of its derived total: knives are 187 / 245 ≈ 76 % of weapons."""
    totals = derived_totals(tallies, measures)
    keys = _group_keys(tallies)
    exact = _exact_levels(tallies)
    rows: list[dict[str, object]] = []
    for total in totals.to_dict("records"):
        scope = {column: total[column] for column in keys}
        mask = pd.Series(True, index=exact.index)
        for column, value in scope.items():
            if pd.isna(value):
                mask &= exact[column].isna()
            else:
                mask &= exact[column].astype(object) == value
        for part in total["parts"]:
            match = exact[mask & (exact["measure"].astype(str) == part)]
            if match.empty:
                continue
            value = float(match["value"].iloc[0])
            rows.append(
                {
                    **scope,
                    "measure": part,
                    "of": total["measure"],
                    "value": value,
                    "total": total["value"],
                    "share": value / total["value"] if total["value"] else float("nan"),
                }
            )
    columns = [*keys, "measure", "of", "value", "total", "share"]
    return pd.DataFrame(rows, columns=columns)


def _same_scope(pool: pd.DataFrame, claim: Mapping[Hashable, Any]) -> pd.Series:
    """Rows of ``pool`` about the same measure and scope as ``claim`` (a frame's record)."""
    mask = pool["measure"].astype(str) == str(claim["measure"])
    for column in SCOPE:
        value = claim[column]
        if pd.isna(value):
            mask &= pool[column].isna()
        else:
            mask &= pool[column].astype(object) == value
    if "context" in pool.columns and "context" in claim:
        mask &= pool["context"].fillna("").astype(str) == str(claim["context"] or "")
    return mask


def check_hedges(
    tallies: pd.DataFrame,
    measures: pd.DataFrame,
    qualifiers: object = None,
    vocabulary: Vocabulary | None = None,
) -> pd.DataFrame:
    """Test every hedged claim against the exact figures for the same scope.

    "More than 240 weapons" holds against the 245 derived from 187 knives and 58 other
    weapons; "over 1,000 arrests" against 1,002.  A change ("an increase of over 14%") is
    tested against exact changes only.  Exact figures from the claim's own source are preferred
    as evidence; ``holds`` is missing when no exact figure exists to test against.
    ``qualifiers`` is accepted for old callers and ignored: :mod:`sceptre_analysis.hedges`
    decides.
    """
    vocabulary = vocabulary or load_vocabulary()
    pool = with_derived(tallies, measures)
    exact_pool = pool[pool["qualifier"].astype(str) == ""]
    labels = measures.set_index("measure")
    hedged = tallies[tallies["qualifier"].astype(str) != ""]
    rows: list[dict[str, object]] = []
    for claim_row in hedged.to_dict("records"):
        parsed = hedges.parse_qualifier(str(claim_row["qualifier"]), vocabulary)
        high = claim_row.get("value_high")
        stated = hedges.claim(
            float(claim_row["value"]),
            parsed,
            high=None if high is None or pd.isna(high) else float(high),
        )
        evidence = exact_pool[_same_scope(exact_pool, claim_row)].copy()
        if stated.is_change:  # a change is compared with stated changes of the same measure
            evidence = evidence.iloc[0:0]
        evidence["own_source"] = evidence["source_id"].astype(str) == str(claim_row["source_id"])
        evidence = evidence.sort_values(["own_source", "derived"], ascending=[False, True])
        unit = str(claim_row["unit"])
        measure = str(claim_row["measure"])
        stated_text = hedged_figure(
            claim_row["value"],
            qualifier=str(claim_row["qualifier"]),
            unit=unit,
            noun=str(labels.loc[measure, "noun"] or ""),
            noun_plural=_noun_plural(labels, measure),
        )
        record: dict[str, object] = {
            "line": claim_row["line"],
            "source_id": claim_row["source_id"],
            **{column: claim_row[column] for column in SCOPE},
            "measure": claim_row["measure"],
            "claim": stated_text,
            "exact": pd.NA,
            "basis": "",
            "holds": pd.NA,
            "verdict": "no exact figure to check against",
        }
        if not evidence.empty:
            best = evidence.iloc[0]
            check = hedges.holds(stated, float(best["value"]))
            holds = bool(check)
            basis = best["basis"] or f"stated on line {int(best['line'])}"
            record.update(
                exact=best["value"],
                basis=f"{basis} ({best['source_id']})",
                holds=holds,
                verdict=(
                    f"“{stated_text}” {'holds' if holds else 'does NOT hold'} against "
                    f"{format_value(best['value'], unit)}"
                    + (f" = {best['basis']}" if best["basis"] else "")
                ),
            )
        rows.append(record)
    return pd.DataFrame(rows)
