"""Check 3: parts and totals, for every declared decomposition and for areas within a whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .base import Analysis, join_words
from .model import Finding

__all__ = ["ADDITIVE_KINDS", "RULE", "parts_and_totals"]

RULE = (
    "A total must equal the sum of its parts when every part is given, and can never be "
    "smaller than the parts that are given, whether the parts are categories (knives seized + "
    "knives surrendered) or areas (divisions within a force, forces within the national "
    "total); a source's total is checked against its own parts first."
)
#: Units whose values add up across parts and areas.
ADDITIVE_KINDS = ("count", "money", "weight")

PLACE = ["cluster", "agency", "area_key"]


#: The claims' columns this check reads (a narrow frame is quicker to filter and group).
COLUMNS = [
    *PLACE,
    "source_id",
    "agency_code",
    "area_key_code",
    "source_id_code",
    "measure_code",
    "measure",
    "value",
    "exact",
    "lead",
    "fits",
    "misscoped",
    "chosen_derived",
    "lo",
    "hi",
    "lo_open",
    "hi_open",
    "line",
    "figure",
    "group",
]


def parts_and_totals(a: Analysis) -> list[Finding]:
    c = a.claims
    c = c.loc[~c["is_change"] & c["unit_kind"].isin(ADDITIVE_KINDS), COLUMNS]
    findings = _own_parts(a, c)
    done = {(f.operation, f.agency, f.area, f.measure, f.week) for f in findings}
    findings += [
        f
        for f in _chosen_parts(a)
        if (f.operation, f.agency, f.area, f.measure, f.week) not in done
    ]
    findings += _against_computed(a, c)
    findings += _areas(a)
    return findings


def _against_computed(a: Analysis, c: pd.DataFrame) -> list[Finding]:
    """An exact total that differs from the total the reports compute from its parts."""
    off = c[
        c["exact"] & c["chosen_derived"].astype(bool) & ~c["fits"] & ~c["lead"] & ~c["misscoped"]
    ]
    findings = []
    for group, labels in off.groupby("group").groups.items():
        f = a.figure(group)
        said = " ".join(a.said(a.record(x)) + "." for x in labels)
        findings.append(
            Finding(
                kind="parts_total",
                check="parts_and_totals",
                severity="conflict",
                explanation=(
                    f"{said} Its parts, {f['basis']}, add up to {f['chosen_figure']} "
                    f"(lines {', '.join(str(n) for n in f['chosen_lines'])})."
                ),
                decision=a.decision(int(group)),
                claims=(*a.cite(labels), a.chosen_ref(int(group))),
                **a.where(int(group)),
            )
        )
    return findings


@dataclass
class _Parts:
    """A source's part figures for one total, in line order."""

    figure: list[str]
    line: list[int]
    index: list[object]


def _sum_words(a: Analysis, rows: _Parts | pd.DataFrame) -> str:
    figures = list(rows.figure) if isinstance(rows, _Parts) else rows["figure"].tolist()
    lines = list(rows.line) if isinstance(rows, _Parts) else rows["line"].tolist()
    return " + ".join(f"{f} (line {n})" for f, n in zip(figures, lines, strict=True))


def _verdicts(joined: pd.DataFrame, size: int) -> pd.DataFrame:
    """For totals joined with a decomposition's sum ``s`` of ``n`` parts: complete? fits?"""
    s = joined["s"]
    inside = (
        (s >= joined["lo"])
        & (s <= joined["hi"])
        & ~((s == joined["lo"]) & joined["lo_open"].astype(bool))
        & ~((s == joined["hi"]) & joined["hi_open"].astype(bool))
    )
    complete = joined["n"] == size
    return pd.DataFrame(
        {
            "complete": complete,
            "fits": inside,
            "exceeds": ~complete & (s > joined["hi"]),
        },
        index=joined.index,
    )


def _failing(verdicts: list[pd.DataFrame]) -> pd.Index:
    """Totals no complete decomposition fits (or, with none complete, that parts exceed)."""
    if not verdicts:
        return pd.Index([])
    allv = pd.concat(verdicts)
    by = allv.groupby(level=0)
    complete = by["complete"].any()
    fits = (allv["complete"] & allv["fits"]).groupby(level=0).any()
    exceeds = by["exceeds"].any()
    return complete.index[(complete & ~fits) | (~complete & exceeds)]


def _own_parts(a: Analysis, c: pd.DataFrame) -> list[Finding]:
    """Each source's totals against the parts the same source states (any one of the
    declared decompositions may fit)."""
    findings: list[Finding] = []
    if c.empty or not a.ctx.decompositions:
        return findings
    # one number per (place, source): the parts a source gives are summed per owner
    owner = ["cluster", "agency_code", "area_key_code", "source_id_code"]
    c = c.assign(_owner=c.groupby(owner, sort=False).ngroup())
    # (a place with a missing key has no owner, -1: as a group-by leaves it out)
    body = c.loc[
        c["exact"] & ~c["lead"] & c["_owner"].ge(0),
        ["_owner", "measure", "measure_code", "value", "line", "figure"],
    ].drop_duplicates(["_owner", "measure_code"])
    for total, options in a.ctx.decompositions.items():
        totals = c[(c["measure"] == total) & ~c["lead"]]
        # a hedged total whose figure is computed from its parts is the hedge check's
        totals = totals[totals["exact"] | ~totals["chosen_derived"].astype(bool)]
        if totals.empty:
            continue
        verdicts, sums = [], []
        for parts in options:
            got = body[body["measure"].isin(parts)]
            if got.empty:
                continue
            summed = got.groupby("_owner").agg(s=("value", "sum"), n=("measure_code", "nunique"))
            joined = totals.join(summed, on="_owner", how="inner")
            verdicts.append(_verdicts(joined, len(parts)))
            sums.append((parts, got, joined[["s", "n", "_owner"]]))
        found = {}
        for label in _failing(verdicts):
            for parts, got, joined in sums:
                if label in joined.index:
                    found[label] = (parts, got, joined)
                    break
        indexes: dict[int, tuple] = {}
        for label, (parts, got, joined) in found.items():
            if id(joined) not in indexes:
                indexes[id(joined)] = (
                    dict(zip(joined.index, joined["s"].tolist(), strict=True)),
                    dict(zip(joined.index, joined["n"].tolist(), strict=True)),
                    dict(zip(joined.index, joined["_owner"].tolist(), strict=True)),
                    _rows_of(got["_owner"].to_numpy()),
                    got["line"].to_numpy(),
                    got["figure"].to_numpy(dtype=object),
                )
            s_of, n_of, owner_of, where, lines, figures = indexes[id(joined)]
            row = a.record(label)
            s_value, n = s_of[label], n_of[label]
            chosen_rows = sorted(where(owner_of[label]).tolist(), key=lambda i: int(lines[i]))
            mine = _Parts(
                [str(figures[i]) for i in chosen_rows],
                [int(lines[i]) for i in chosen_rows],
                [got.index[i] for i in chosen_rows],
            )
            total_text = a.ctx.figure(s_value, total)
            if n == len(parts):
                why = f"its own parts, {_sum_words(a, mine)}, add up to {total_text}"
            else:
                why = f"the parts it gives already add up to {total_text} ({_sum_words(a, mine)})"
            findings.append(
                Finding(
                    kind="own_parts",
                    check="parts_and_totals",
                    severity="conflict",
                    explanation=f"{a.said(row)}, but {why}.",
                    decision=a.decision(int(row["group"])),
                    claims=a.cite([label, *mine.index]),
                    **a.where(int(row["group"])),
                )
            )
    return findings


def _rows_of(keys: np.ndarray) -> Callable[[int], np.ndarray]:
    """Positions of the rows with a key, in row order (a group-by's ``indices`` for one key),
    by binary search in one stable sort: only the keys of findings are looked up."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]

    def rows(key: int) -> np.ndarray:
        start = np.searchsorted(ordered, key, side="left")
        end = np.searchsorted(ordered, key, side="right")
        return order[start:end]

    return rows


def _chosen_parts(a: Analysis) -> list[Finding]:
    """A stated total against its parts as the reports use them (from any sources)."""
    f = a.figures
    if f.empty:
        return []
    bounds = a.claims.set_index("line")[["lo", "hi", "lo_open", "hi_open"]]
    bounds = bounds[~bounds.index.duplicated()]
    f = f.loc[
        ~f["derived"] & f["chosen_line"].notna(),
        ["week", "agency", "area_key", "measure", "meaning", "chosen", "chosen_line", "group"],
    ]
    # each (week, agency, area) as one integer (-1 when a part of it is missing: left out)
    f = f.assign(_place=f.groupby(["week", "agency", "area_key"], sort=False).ngroup())
    f = f[f["_place"] >= 0]
    findings = []
    key = "_place"
    for total, options in a.ctx.decompositions.items():
        totals = f[f["measure"] == total].join(bounds, on="chosen_line")
        if totals.empty:
            continue
        verdicts, sums = [], []
        for parts in options:
            got = f[f["measure"].isin(parts) & (f["meaning"] == "exact")]
            if got.empty:
                continue
            summed = got.groupby(key).agg(s=("chosen", "sum"), n=("measure", "nunique"))
            joined = totals.join(summed, on=key, how="inner")
            verdicts.append(_verdicts(joined, len(parts)))
            sums.append((parts, got, joined[["s", "n", "group", "_place"]]))
        failing = [
            (label, next((p, g, j) for p, g, j in sums if label in j.index))
            for label in _failing(verdicts)
        ]
        indexes = {}
        for label, (parts, got, joined) in failing:
            if id(joined) not in indexes:
                labels = [x for x, (_, _, j) in failing if j is joined]
                indexes[id(joined)] = (
                    dict(zip(labels, joined.loc[labels].to_dict("records"), strict=True)),
                    _rows_of(got[key].to_numpy()),
                    got["group"].to_numpy(),
                )
            records, where, groups = indexes[id(joined)]
            row = records[label]
            mine = groups[where(row["_place"])].tolist()
            group = int(row["group"])
            words = join_words([a.chosen_words(int(g)) for g in mine])
            verb = "add up to" if row["n"] == len(parts) else "already add up to"
            findings.append(
                Finding(
                    kind="parts_total",
                    check="parts_and_totals",
                    severity="conflict",
                    explanation=(
                        f"The total {a.chosen_words(group)} does not fit its parts: {words} "
                        f"{verb} {a.ctx.figure(row['s'], total)}."
                    ),
                    decision=a.decision(group)
                    + " Check which of the total and its parts is wrong.",
                    claims=(a.chosen_ref(group), *[a.chosen_ref(int(g)) for g in mine]),
                    **a.where(group),
                )
            )
    return findings


def _areas(a: Analysis) -> list[Finding]:
    """Figures for parts of an area (divisions, forces) cannot add up to more than the whole."""
    f = a.figures
    if f.empty:
        return []
    kinds = f["unit"].map({u: v.kind for u, v in a.ctx.vocabulary.units.items()}).fillna("count")
    f = f.loc[
        kinds.isin(ADDITIVE_KINDS) & (f["meaning"] == "exact"),
        ["week", "agency", "area_key", "measure", "chosen", "group"],
    ]
    akind = (
        f["agency"].map({n: v.kind for n, v in a.ctx.vocabulary.agencies.items()}).fillna("force")
    )
    whole = f[f["area_key"] == ""]
    findings = []
    # areas within a force's whole area
    local = f[f["area_key"] != ""]
    forces = whole[akind.reindex(whole.index) == "force"]
    national = whole[akind.reindex(whole.index) == "national"]
    sums = local.groupby(["week", "agency", "measure"]).agg(
        s=("chosen", "sum"), groups=("group", list)
    )
    target = whole.set_index(["week", "agency", "measure"])
    findings += _exceeding(a, sums, target, "the areas of the {agency}")
    sums = forces.groupby(["week", "measure"]).agg(s=("chosen", "sum"), groups=("group", list))
    target = national.set_index(["week", "measure"])
    findings += _exceeding(a, sums, target, "the forces")
    return findings


def _exceeding(a: Analysis, sums: pd.DataFrame, target: pd.DataFrame, who: str) -> list[Finding]:
    target = target[~target.index.duplicated()].reset_index()
    target = target.assign(owner=target["agency"]).set_index(list(sums.index.names))
    joined = sums.join(
        target[["group", "chosen", "owner"]].rename(columns={"group": "whole"}), how="inner"
    )
    findings = []
    for key, row in joined[joined["s"] > joined["chosen"]].iterrows():
        whole = int(row["whole"])
        claim = a.rows(whole)
        if not claim.empty and claim["hi"].max() >= row["s"]:
            continue
        words = join_words([a.chosen_words(int(g)) for g in row["groups"]])
        measure = key[-1]
        findings.append(
            Finding(
                kind="areas_exceed_whole",
                check="parts_and_totals",
                severity="conflict",
                explanation=(
                    f"The figures for {who.format(agency=row['owner'])}, {words}, add up to "
                    f"{a.ctx.figure(row['s'], measure)}, more than the whole: "
                    f"{a.chosen_words(whole)}."
                ),
                decision=a.decision(whole)
                + " A part cannot be larger than its whole: one of these figures has the wrong "
                "scope or period.",
                claims=(a.chosen_ref(whole), *[a.chosen_ref(int(g)) for g in row["groups"]]),
                **a.where(whole),
            )
        )
    return findings
