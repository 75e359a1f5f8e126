"""Check 3: parts and totals, for every declared decomposition and for areas within a whole."""

from __future__ import annotations

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


def parts_and_totals(a: Analysis) -> list[Finding]:
    c = a.claims
    c = c[~c["is_change"] & c["unit_kind"].isin(ADDITIVE_KINDS)]
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


def _sum_words(a: Analysis, rows: pd.DataFrame) -> str:
    return " + ".join(
        f"{figure} (line {line})"
        for figure, line in zip(rows["figure"].tolist(), rows["line"].tolist(), strict=True)
    )


def _own_parts(a: Analysis, c: pd.DataFrame) -> list[Finding]:
    """Each source's totals against the parts the same source states."""
    findings = []
    body = c[c["exact"] & ~c["lead"]].drop_duplicates([*PLACE, "source_id", "measure"])
    for total, options in a.ctx.decompositions.items():
        totals = c[(c["measure"] == total) & ~c["lead"]]
        if totals.empty:
            continue
        for parts in options:
            got = body[body["measure"].isin(parts)]
            if got.empty:
                continue
            sums = got.groupby([*PLACE, "source_id"]).agg(
                s=("value", "sum"), n=("measure", "nunique")
            )
            joined = totals.join(sums, on=[*PLACE, "source_id"], how="inner")
            complete = joined["n"] == len(parts)
            # a hedged total whose parts the figure is computed from is the hedge check's
            hedged_computed = ~joined["exact"] & joined["chosen_derived"].astype(bool)
            wrong = np.where(
                complete,
                ~((joined["s"] >= joined["lo"]) & (joined["s"] <= joined["hi"]))
                | ((joined["s"] == joined["lo"]) & joined["lo_open"])
                | ((joined["s"] == joined["hi"]) & joined["hi_open"]),
                joined["s"] > joined["hi"],
            )
            bad = joined.index[wrong & ~hedged_computed]
            where = got.groupby([*PLACE, "source_id"]).indices if len(bad) else {}
            sums_of = joined.loc[bad, ["s", "n"]].to_dict("index")
            for label in bad:
                row = a.record(label) | sums_of[label]
                key = (row["cluster"], row["agency"], row["area_key"], row["source_id"])
                mine = got.iloc[where[key]][["figure", "line"]].sort_values("line")
                total_text = a.ctx.figure(row["s"], total)
                if row["n"] == len(parts):
                    why = f"its own parts, {_sum_words(a, mine)}, add up to {total_text}"
                else:
                    why = (
                        f"the parts it gives already add up to {total_text} ({_sum_words(a, mine)})"
                    )
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


def _chosen_parts(a: Analysis) -> list[Finding]:
    """A stated total against its parts as the reports use them (from any sources)."""
    f = a.figures
    if f.empty:
        return []
    c = a.claims
    bounds = c.set_index("line")[["lo", "hi", "lo_open", "hi_open"]]
    bounds = bounds[~bounds.index.duplicated()]
    f = f[~f["derived"] & f["chosen_line"].notna()]
    findings = []
    key = ["week", "agency", "area_key"]
    for total, options in a.ctx.decompositions.items():
        totals = f[f["measure"] == total]
        if totals.empty:
            continue
        for parts in options:
            got = f[f["measure"].isin(parts) & (f["meaning"] == "exact")]
            if got.empty:
                continue
            sums = got.groupby(key).agg(s=("chosen", "sum"), n=("measure", "nunique"))
            joined = totals.join(sums, on=key, how="inner")
            joined = joined.join(bounds, on="chosen_line")
            s = joined["s"]
            inside = (
                (s >= joined["lo"])
                & (s <= joined["hi"])
                & ~((s == joined["lo"]) & joined["lo_open"].astype(bool))
                & ~((s == joined["hi"]) & joined["hi_open"].astype(bool))
            )
            complete = joined["n"] == len(parts)
            wrong = (complete & ~inside) | (~complete & (s > joined["hi"]))
            bad = joined[wrong]
            where = got.groupby(key).indices if len(bad) else {}
            for _, row in bad.iterrows():
                mine = got.iloc[where[(row["week"], row["agency"], row["area_key"])]]
                words = join_words([a.chosen_words(int(g)) for g in mine["group"]])
                verb = "add up to" if row["n"] == len(parts) else "already add up to"
                findings.append(
                    Finding(
                        kind="parts_total",
                        check="parts_and_totals",
                        severity="conflict",
                        explanation=(
                            f"The total {a.chosen_words(int(row['group']))} does not fit its "
                            f"parts: {words} {verb} {a.ctx.figure(row['s'], total)}."
                        ),
                        decision=a.decision(int(row["group"]))
                        + " Check which of the total and its parts is wrong.",
                        claims=(
                            a.chosen_ref(int(row["group"])),
                            *[a.chosen_ref(int(g)) for g in mine["group"]],
                        ),
                        **a.where(int(row["group"])),
                    )
                )
    return findings


def _areas(a: Analysis) -> list[Finding]:
    """Figures for parts of an area (divisions, forces) cannot add up to more than the whole."""
    f = a.figures
    if f.empty:
        return []
    kinds = f["unit"].map({u: v.kind for u, v in a.ctx.vocabulary.units.items()}).fillna("count")
    f = f[kinds.isin(ADDITIVE_KINDS) & (f["meaning"] == "exact")]
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
