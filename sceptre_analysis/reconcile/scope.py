"""Check 7: scope. A list or figure credited to the wrong area, force or kind of period."""

from __future__ import annotations

import pandas as pd

from .base import Analysis, join_words
from .model import Finding, decode

__all__ = ["MIN_MATCHING_FIGURES", "RULE", "scope", "suspect_lists"]

#: A source's list is suspected of the wrong scope when at least this many of its exact
#: figures equal another scope's and none differ.
MIN_MATCHING_FIGURES = 3
#: A single figure is blamed on another scope's equal figure only from this size.
MIN_SINGLE_FIGURE = 20
RULE = (
    f"A source's list whose figures ({MIN_MATCHING_FIGURES} or more) all equal another scope's "
    "figures for the same week is one list given two scopes, and the less credible label is "
    "flagged (press coverage before a release; else the wider area); a national figure that "
    "disagrees with the national total but equals a force's figure is that force's figure; a "
    "figure for the week that equals the same force's figure for a longer period is that "
    "force-wide figure credited to the operation."
)

SCOPE = ["cluster", "agency", "area_key"]


def suspect_lists(claims: pd.DataFrame) -> pd.DataFrame:
    """Pairs (list of one source in one scope, other scope) where every shared figure is equal.

    One row per pair: cluster, agency, area_key, source_id (the list), other_agency,
    other_area_key, matched (measures), suspect (True when the list's label is the one to
    doubt). A merge on (cluster, measure, value): it grows with equal figures, not pairs.
    """
    empty = pd.DataFrame(columns=[*SCOPE, "source_id", "other_agency", "other_area_key"])
    texts = ["agency", "area_key", "source_id", "measure"]
    # worked on the texts' integer codes (same order, same groups), read back as texts at the end
    lists = claims.loc[
        claims["exact"] & ~claims["lead"],
        ["cluster", *(t + "_code" for t in texts), "value", "primary", "scope_rank"],
    ].rename(columns={t + "_code": t for t in texts})
    lists = lists.drop_duplicates([*SCOPE, "source_id", "measure"])
    if lists.empty:
        return empty
    scopes = lists.drop_duplicates([*SCOPE, "measure", "value"])
    hits = lists.merge(
        scopes[["cluster", "agency", "area_key", "measure", "value"]].rename(
            columns={"agency": "other_agency", "area_key": "other_area_key"}
        ),
        on=["cluster", "measure", "value"],
    )
    hits = hits[
        (hits["agency"] != hits["other_agency"]) | (hits["area_key"] != hits["other_area_key"])
    ]
    key = [*SCOPE, "source_id", "other_agency", "other_area_key"]
    matched = hits.groupby(key)["measure"].nunique().rename("matched")
    matched = matched[matched >= MIN_MATCHING_FIGURES].reset_index()
    if matched.empty:
        return empty
    # any shared measure with a different value rules the pair out
    other = lists.drop_duplicates([*SCOPE, "measure"])[[*SCOPE, "measure"]].rename(
        columns={"agency": "other_agency", "area_key": "other_area_key"}
    )
    mine = lists.merge(matched, on=[*SCOPE, "source_id"])
    common = mine.merge(other, on=["cluster", "other_agency", "other_area_key", "measure"])
    shared = common.groupby(key)["measure"].nunique().rename("common")
    matched = matched.join(shared, on=key)
    matched = matched[matched["matched"] == matched["common"]]
    if matched.empty:
        return empty
    info = lists.groupby([*SCOPE, "source_id"]).agg(
        primary=("primary", "any"), rank=("scope_rank", "first")
    )
    other_primary = lists.groupby(SCOPE)["primary"].any()
    other_rank = lists.groupby(SCOPE)["scope_rank"].first()
    matched = matched.join(info, on=[*SCOPE, "source_id"])
    okey = pd.MultiIndex.from_frame(matched[["cluster", "other_agency", "other_area_key"]])
    matched["other_primary"] = other_primary.reindex(okey).to_numpy()
    matched["other_rank"] = other_rank.reindex(okey).to_numpy()
    # doubt the press-only label against a release; between equals, the wider area
    matched["suspect"] = (~matched["primary"] & matched["other_primary"]) | (
        (matched["primary"] == matched["other_primary"]) & (matched["rank"] > matched["other_rank"])
    )
    matched = matched[matched["suspect"]].reset_index(drop=True)
    for column, text in (
        ("agency", "agency"),
        ("area_key", "area_key"),
        ("source_id", "source_id"),
        ("other_agency", "agency"),
        ("other_area_key", "area_key"),
    ):
        matched[column] = pd.Series(
            decode(claims, text)[matched[column].to_numpy(dtype="int64")],
            index=matched.index,
            dtype=claims[text].dtype,
        )
    return matched


def scope(a: Analysis) -> list[Finding]:
    return _lists(a) + _single(a) + _force_wide(a)


def _lists(a: Analysis) -> list[Finding]:
    suspects = getattr(a.ctx, "suspects", None)
    if suspects is None or suspects.empty:
        return []
    c = a.claims
    findings = []
    for row in suspects.itertuples(index=False):
        mine = c[
            (c["cluster"] == row.cluster)
            & (c["agency"] == row.agency)
            & (c["area_key"] == row.area_key)
            & (c["source_id"] == row.source_id)
        ].sort_values("line")
        reference = c[
            (c["cluster"] == row.cluster)
            & (c["agency"] == row.other_agency)
            & (c["area_key"] == row.other_area_key)
        ]
        first = mine.iloc[0]
        other_area = reference["area"].iloc[0] if len(reference) else row.other_area_key
        equal = mine[mine["measure"].isin(set(reference["measure"]))]
        rest = mine[~mine.index.isin(equal.index)]
        explanation = (
            f"The list {first['publisher']} gives for “{first['area']}” ({row.agency}) is "
            f"identical, figure for figure, to the {row.other_agency}'s {other_area} figures: "
            f"{join_words(list(equal['figure']))}. Most likely these are the "
            f"{row.other_agency}'s {other_area} figures presented as “{first['area']}”."
        )
        if len(rest):
            explanation += (
                f" Its other figures ({join_words(list(rest['figure']))}) are probably "
                f"{other_area} figures too."
            )
        findings.append(
            Finding(
                kind="whole_list",
                check="scope",
                severity="scope",
                explanation=explanation,
                decision=(
                    f"The reports use the {row.other_agency}'s {other_area} figures and do not "
                    f"read this list as figures for “{first['area']}”."
                ),
                claims=a.refs(mine),
                operation=str(first["operation"]),
                week=first["cluster_week"],
                agency=str(row.agency),
                area=str(first["area"]),
                measure="(whole list)",
                chosen_source=",".join(sorted(set(reference["source_id"]))),
                label=(
                    f"the “{first['area']}” list repeats the {row.other_agency}'s "
                    f"{other_area} figures"
                ),
            )
        )
    return findings


def _single(a: Analysis) -> list[Finding]:
    """A national figure off the national total that equals a force's figure."""
    c = a.claims
    on = ["cluster", "measure", "value"]
    national = c.loc[
        (c["akind"] == "national")
        & c["exact"]
        & ~c["fits"]
        & ~c["misscoped"]
        & (c["value"] >= MIN_SINGLE_FIGURE),
        on,
    ]
    said = ["agency", "area", "publisher", "line", "figure"]
    forces = c.loc[(c["akind"] != "national") & c["exact"], [*on, *said]]
    hits = (
        national.rename_axis("index")
        .reset_index()
        .merge(forces.rename(columns={n: n + "_force" for n in said}), on=on)
    )
    findings = []
    for index, rows in hits.groupby("index"):
        row = a.record(index)
        forces_said = rows.drop_duplicates("agency_force")
        names = join_words(
            [
                f"the {r.agency_force}'s {r.figure_force} "
                f"({r.publisher_force}, line {r.line_force})"
                for r in forces_said.itertuples()
            ]
        )
        group = int(row["group"])
        findings.append(
            Finding(
                kind="local_as_national",
                check="scope",
                severity="scope",
                explanation=(
                    f"{a.said(row)} for {row['area']}, which is not the national figure "
                    f"{a.chosen_words(group)} but equals {names}: a local figure presented as "
                    "national."
                ),
                decision=a.decision(group),
                claims=a.cite([index]),
                **a.where(group),
            )
        )
    return findings


def _force_wide(a: Analysis) -> list[Finding]:
    """A week's figure equal to the same agency's figure for a longer period (context)."""
    on = ["agency", "measure", "value"]
    claims = a.ctx.claims
    context = claims.loc[
        ~claims["is_result"] & claims["exact"],
        [*on, "context", "publisher", "line", "figure"],
    ]
    c = a.claims.loc[a.claims["exact"] & (a.claims["value"] >= MIN_SINGLE_FIGURE), on]
    if context.empty or c.empty:
        return []
    hits = (
        c.rename_axis("index")
        .reset_index()
        .merge(
            context.rename(columns={n: n + "_context" for n in context.columns if n not in on}),
            on=on,
        )
    )
    findings = []
    for index, rows in hits.groupby("index"):
        row = a.record(index)
        other = rows.iloc[0]
        group = int(row["group"])
        findings.append(
            Finding(
                kind="force_wide_as_operation",
                check="scope",
                severity="scope",
                explanation=(
                    f"{a.said(row)} for the {row['operation']} week, the same number "
                    f"{other['publisher_context']} gives for {other['context_context']} "
                    f"(line {int(other['line_context'])}): a force-wide figure for a longer "
                    "period may have been credited to the operation."
                ),
                decision=a.decision(group) + " Check the figure's period.",
                claims=a.cite([index]),
                **a.where(group),
            )
        )
    return findings
