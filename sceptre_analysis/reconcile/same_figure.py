"""Check 1: the same figure given with different exact values by different sources."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import Analysis, join_words
from .model import Finding

__all__ = ["ECHO_RULE", "RULE", "echoes", "same_figure"]

RULE = (
    "Exact figures for the same measure, agency, area and week must be equal; when they differ "
    "the reports use a primary source before press coverage, an exact figure before a hedged "
    "one, the value more independent sources state (copies of one release count once), and "
    "the newest source only as the last tie-break."
)
#: A number equal to another agency's same measure is blamed on it only from this size...
ECHO_SAME_MEASURE_MIN = 20
#: ...and on a different measure only from this size, and only when not a round number.
ECHO_OTHER_MEASURE_MIN = 100
ECHO_RULE = (
    f"A deviant figure is explained as another claim's number only when that number is at "
    f"least {ECHO_SAME_MEASURE_MIN} for the same measure of another agency in the same week, "
    f"or at least {ECHO_OTHER_MEASURE_MIN} and not a multiple of 10 for another measure; "
    "smaller or rounder numbers coincide too often to blame."
)


def specific(value: float, same_measure: bool) -> bool:
    """Whether equal numbers are too large or too specific to be a coincidence (ECHO_RULE)."""
    if same_measure:
        return value >= ECHO_SAME_MEASURE_MIN
    return value >= ECHO_OTHER_MEASURE_MIN and value % 10 != 0


def echoes(a: Analysis, claims: pd.DataFrame) -> dict[object, list[dict[str, object]]]:
    """For each deviant claim (by index), the other claims in its week with the same number
    that ECHO_RULE allows to be blamed. One merge on (cluster, value): no pairs of figures."""
    pool = a.claims.loc[
        a.claims["exact"],
        ["cluster", "value", "group", "agency", "measure", "area", "publisher", "line", "figure"],
    ]
    pool = pool.rename(columns=lambda n: n if n in ("cluster", "value") else n + "_other")
    left = claims[["cluster", "value", "group", "agency", "measure"]].reset_index()
    hits = left.merge(pool, on=["cluster", "value"])
    hits = hits[hits["group"] != hits["group_other"]]
    hits = hits[hits["agency"].ne(hits["agency_other"]) | hits["measure"].ne(hits["measure_other"])]
    same = (hits["measure"] == hits["measure_other"]).to_numpy(dtype=bool)
    value = hits["value"].to_numpy(dtype=float)
    # specific() for every hit at once
    with np.errstate(invalid="ignore"):
        keep = np.where(
            same,
            value >= ECHO_SAME_MEASURE_MIN,
            (value >= ECHO_OTHER_MEASURE_MIN) & (value % 10 != 0),
        )
    hits = hits[keep].assign(same=same[keep])
    hits = hits.sort_values(["same", "line_other"], ascending=[False, True])
    # each other claim once per deviant, in that order
    hits = hits.drop_duplicates(["index", "agency_other", "measure_other", "line_other"])
    found: dict[object, list[dict[str, object]]] = {}
    for record in hits[
        ["index", "agency_other", "measure_other", "line_other", "figure_other", "publisher_other"]
    ].to_dict("records"):
        found.setdefault(record["index"], []).append(record)
    return found


def same_figure(a: Analysis) -> list[Finding]:
    c = a.claims
    # a stated length against its dates is the dates check's
    exact = c.loc[
        c["exact"] & ~c["lead"] & ~c["misscoped"] & (c["unit_kind"] != "duration"),
        ["group", "value", "chosen_value", "line", "cluster", "agency", "measure"],
    ]
    counts = exact.groupby("group")["value"].nunique()
    groups = counts[counts > 1].index
    if len(groups) == 0:
        return []
    deviants = exact[exact["group"].isin(groups) & (exact["value"] != exact["chosen_value"])]
    echo = echoes(a, deviants)
    findings = []
    for group, labels in deviants.sort_values("line").groupby("group").groups.items():
        parts = []
        for index in labels:
            row = a.record(index)
            text = a.said(row) + "."
            if index in echo:
                others = echo[index]
                names = [
                    f"{o['figure_other']} for the {o['agency_other']} "
                    f"({o['publisher_other']}, line {o['line_other']})"
                    if o["agency_other"] != row["agency"]
                    else f"{o['figure_other']} ({o['publisher_other']}, line {o['line_other']})"
                    for o in others
                ]
                text += (
                    f" The same number is given for {join_words(names)}: most likely that "
                    "figure was attributed to the wrong force or measure."
                )
            parts.append(text)
        involved = [
            label
            for label in a.group_labels(group)
            if (r := a.record(label))["exact"] and not r["lead"]
        ]
        explanation = (
            f"Sources give different exact figures: {' '.join(parts)} "
            f"Against {a.chosen_words(group)}."
        )
        findings.append(
            Finding(
                kind="different_values",
                check="same_figure",
                severity="conflict",
                explanation=explanation,
                decision=a.decision(group),
                claims=a.cite(involved),
                **a.where(group),
            )
        )
    return findings
