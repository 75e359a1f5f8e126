"""Which figure the reports use for each thing the sources count, and why.

A *figure* is one measure for one agency and area in one cluster of overlapping periods. Its
claims are ranked, best first, by these rules (the RULE of check 1):

1. a primary source (a police or NPCC release) before press coverage;
2. an exact figure before a hedged one;
3. the value stated by more *independent* sources (copies of one release count once);
4. the newest publication, only as the last tie-break.

A total that no source states exactly is computed from its parts' chosen figures and labelled
as computed from their lines. All of it is column-wise: sorts and group-bys, no pairs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .model import Context, decode

__all__ = ["GROUP", "choose", "overlaps", "significant_digits"]

#: What makes claims "the same figure".
GROUP = ["cluster", "agency", "area_key", "measure", "is_change"]
#: The same, as integers numbered in the texts' order (see model.prepare): quicker to group.
GROUP_CODES = ["cluster", "agency_code", "area_key_code", "measure_code", "is_change"]
#: A rounder figure within this share of the body's figure is its headline form.
HEADLINE_CLOSENESS = 0.1


def significant_digits(values: pd.Series) -> pd.Series:
    """1002 -> 4, 1000 -> 1, 280 -> 2, 0.2 -> 1: how precise a whole figure is written."""
    unique = pd.Series(values.dropna().unique())

    def digits(v: float) -> int:
        if not float(v).is_integer():
            return len(f"{v:g}".replace(".", "").replace("-", "").lstrip("0"))
        text = str(abs(int(v))).rstrip("0")
        return max(len(text), 1)

    table = dict(zip(unique, unique.map(digits), strict=True))
    return values.map(table).fillna(0).astype(int)


def overlaps(
    lo1: pd.Series, hi1: pd.Series, lo1_open, hi1_open, lo2, hi2, lo2_open, hi2_open
) -> pd.Series:
    """Whether two intervals (column-wise) share a value; open ends touching do not count."""
    separate = (hi1 < lo2) | (hi2 < lo1)
    touch_a = (hi1 == lo2) & (np.asarray(hi1_open) | np.asarray(lo2_open))
    touch_b = (hi2 == lo1) & (np.asarray(hi2_open) | np.asarray(lo1_open))
    point = (lo1 == hi1) & (lo2 == hi2)
    return ~(separate | ((touch_a | touch_b) & ~(point & (lo1 == lo2))))


def choose(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(claims with their figure's group and verdicts, one row per figure with its choice)."""
    c = ctx.results.copy(deep=False)  # copy-on-write: new columns and writes stay here
    if c.empty:
        return c.assign(group=pd.Series(dtype=int)), pd.DataFrame()
    c["group"] = c.groupby(GROUP_CODES, sort=True, observed=True).ngroup()
    c["digits"] = significant_digits(c["value"])
    _mark_leads(c)
    from .scope import suspect_lists  # the scope check's rule, applied before choosing

    ctx.suspects = suspect_lists(c)
    c["misscoped"] = False
    if len(ctx.suspects):
        lists = pd.MultiIndex.from_frame(
            ctx.suspects[["cluster", "agency", "area_key", "source_id"]]
        )
        c["misscoped"] = pd.MultiIndex.from_frame(
            c[["cluster", "agency", "area_key", "source_id"]]
        ).isin(lists)
    exact_votes = (
        c.loc[c["exact"] & ~c["lead"] & ~c["misscoped"], ["group", "value", "release_code"]]
        .groupby(["group", "value"])["release_code"]
        .nunique()
        .rename("votes")
    )
    votes = exact_votes.reindex(pd.MultiIndex.from_arrays([c["group"], c["value"]]))
    c["votes"] = np.where(c["exact"] & ~c["lead"], votes.fillna(0).to_numpy(), 0).astype(int)
    c["derived"] = False
    order = _rank_order(c)
    group = c["group"].to_numpy()
    ranked_groups = group[order]
    first = _firsts(ranked_groups)
    chosen = c.iloc[order[first]]
    derived = _derived(ctx, c, chosen)
    if not derived.empty:
        both = pd.concat([chosen, derived], ignore_index=True)
        chosen = both.iloc[(best := _rank_order(both))[_firsts(both["group"].to_numpy()[best])]]
    chosen = chosen.set_index("group")
    # a tie: the best claim with another value ranks equal on every rule but the last
    rule = ["misscoped", "primary", "exact", "lead", "votes"]
    values = c["value"].to_numpy()[order]
    other = order[values != chosen["value"].to_numpy()[ranked_groups]]
    rival = c.iloc[other[_firsts(group[other])]]
    rival = rival.set_index("group")[rule].reindex(chosen.index)
    chosen["tie"] = (rival == chosen[rule]).all(axis=1) & ~chosen["derived"].astype(bool)
    # Each claim against its figure's choice (figures are numbered 0, 1, ... in chosen).
    for name in (
        "lo",
        "hi",
        "lo_open",
        "hi_open",
        "value",
        "release",
        "release_code",
        "source_id",
        "derived",
    ):
        c["chosen_" + name] = chosen[name].iloc[group].set_axis(c.index)
    c["fits"] = overlaps(
        c["lo"],
        c["hi"],
        c["lo_open"],
        c["hi_open"],
        c["chosen_lo"],
        c["chosen_hi"],
        c["chosen_lo_open"].astype(bool),
        c["chosen_hi_open"].astype(bool),
    )
    figures = _figures(ctx, c, chosen)
    return c, figures


def _mark_leads(c: pd.DataFrame) -> None:
    """``lead``: a headline or lead form of a figure the same source gives in its body.

    The body figure of a source is its most precisely written exact claim; another claim of
    the same source and figure is its lead when it is in the title, or written rounder and
    within :data:`HEADLINE_CLOSENESS` of it.
    """
    group = c["group"].to_numpy(dtype="int64")
    source = c["source_id_code"].to_numpy(dtype="int64")
    sources = int(source.max()) + 1 if len(source) else 1
    digits = c["digits"].to_numpy(dtype="int64")
    lines = c["line"].to_numpy(dtype="int64")
    key = group * sources + source
    exact = np.flatnonzero(c["exact"].to_numpy(dtype=bool))
    # the body of each (figure, source): most significant digits, then the last line
    ranked = exact[np.lexsort((-lines[exact], -digits[exact], key[exact]))]
    bodies = ranked[_firsts(key[ranked])]
    where = np.searchsorted(key[bodies], key)
    where = np.minimum(where, max(len(bodies) - 1, 0))
    found = (key[bodies][where] == key) if len(bodies) else np.zeros(len(c), dtype=bool)
    body = bodies[where] if len(bodies) else np.zeros(len(c), dtype="int64")
    c["body_value"] = np.where(found, c["value"].to_numpy(dtype=float)[body], np.nan)
    for name, values in (("body_line", lines), ("body_digits", digits)):
        # as a reindex would give them: whole numbers unless some claim has no body
        c[name] = values[body] if found.all() else np.where(found, values[body], np.nan)
    has_body = c["body_value"].notna() & (c["line"] != c["body_line"])
    rounder = (c["digits"] < c["body_digits"]) & (
        (c["value"] - c["body_value"]).abs() <= HEADLINE_CLOSENESS * c["body_value"].abs()
    )
    c["lead"] = has_body & (c["value"] != c["body_value"]) & (c["headline"] | rounder)


def _rank_order(c: pd.DataFrame) -> np.ndarray:
    """Positions of the claims sorted best first within each figure (see the module's rules):
    by figure, not misscoped, primary, exact, not a lead, votes, newest, then line; stable."""
    newest = c["published"].fillna(pd.Timestamp.min).to_numpy(dtype="datetime64[ns]")
    keys = [
        c["line"].to_numpy(),
        -newest.view("int64"),
        -c["votes"].to_numpy(dtype="int64"),
        c["lead"].to_numpy(dtype=bool),
        ~c["exact"].to_numpy(dtype=bool),
        ~c["primary"].to_numpy(dtype=bool),
        c["misscoped"].to_numpy(dtype=bool),
        c["group"].to_numpy(),
    ]
    return np.lexsort(keys)


def _firsts(sorted_groups: np.ndarray) -> np.ndarray:
    """Where each run of equal groups starts, in a sorted array of groups."""
    first = np.ones(len(sorted_groups), dtype=bool)
    first[1:] = sorted_groups[1:] != sorted_groups[:-1]
    return first


def _derived(ctx: Context, c: pd.DataFrame, chosen: pd.DataFrame) -> pd.DataFrame:
    """Totals computed from their parts' chosen exact figures (the first complete
    decomposition of each total), one candidate per figure, built column-wise."""
    if not ctx.decompositions:
        return pd.DataFrame()
    place = ["cluster", "agency", "area_key"]
    exact = chosen.loc[
        chosen["exact"] & ~chosen["is_change"] & ~chosen["misscoped"],
        [
            *place,
            "measure",
            "value",
            "primary",
            "published",
            "group",
            "source_id",
            "figure",
            "line",
        ],
    ]
    # a total stated exactly needs no computing: only places without one are worked out
    stated = exact[exact["measure"].isin(list(ctx.decompositions))]
    stated_keys = set(
        zip(
            *(stated[n].tolist() for n in ("cluster", "agency", "area_key", "measure")), strict=True
        )
    )
    frames = []
    for total, options in ctx.decompositions.items():
        for parts in options:
            got = exact[exact["measure"].isin(parts)]
            if stated_keys:
                needed = [
                    (k, a, r, total) not in stated_keys
                    for k, a, r in zip(*(got[n].tolist() for n in place), strict=True)
                ]
                got = got[needed]
            if got.empty:
                continue
            order = {m: i for i, m in enumerate(parts)}
            got = got.assign(_order=got["measure"].map(order)).sort_values([*place, "_order"])
            grouped = got.groupby(place, sort=False)
            counted = grouped.agg(
                n=("measure", "nunique"),
                value=("value", "sum"),
                primary=("primary", "all"),
                published=("published", "max"),
                first=("group", "first"),
                sources=("source_id", "nunique"),
                source=("source_id", "first"),
                basis=("figure", " + ".join),
            )
            counted["from_lines"] = grouped["line"].agg(lambda s: tuple(sorted(s.tolist())))
            complete = counted[counted["n"] == len(parts)]
            if len(complete):
                frames.append(complete.assign(measure=total).reset_index())
    if not frames:
        return pd.DataFrame()
    found = pd.concat(frames, ignore_index=True).drop_duplicates([*place, "measure"])
    template = chosen.drop_duplicates("group").set_index("group").loc[found["first"].to_numpy()]
    derived = template.reset_index(drop=True)
    values = found["value"].to_numpy(dtype=float)
    derived["measure"] = found["measure"].to_numpy()
    derived["value"] = values
    derived["value_high"] = np.nan
    derived["lo"] = derived["hi"] = values
    derived["lo_open"] = derived["hi_open"] = False
    derived["meaning"] = "exact"
    derived["exact"] = True
    derived["qualifier"] = ""
    derived["primary"] = found["primary"].to_numpy(dtype=bool)
    derived["published"] = found["published"].to_numpy()
    derived["lead"] = derived["headline"] = derived["misscoped"] = False
    derived["votes"] = 0
    derived["derived"] = True
    single = found["sources"].to_numpy() == 1
    derived["source_id"] = np.where(single, found["source"].to_numpy(), "computed")
    derived["release"] = derived["publisher"] = "computed"
    # the code "computed" would have among the releases (-1 when no source is called that)
    releases = decode(c, "release")
    at = int(np.searchsorted(releases, "computed")) if len(releases) else 0
    computed = at < len(releases) and releases[at] == "computed"
    derived["release_code"] = at if computed else -1
    derived["quote"] = ""
    derived["line"] = -1
    derived["from_lines"] = found["from_lines"].to_numpy()
    derived["basis"] = found["basis"].to_numpy()
    derived["figure"] = [ctx.figure(v, m) for v, m in zip(values, derived["measure"], strict=True)]
    groups = c.drop_duplicates("group").set_index(GROUP)["group"]
    key = pd.MultiIndex.from_frame(derived[GROUP])
    derived["group"] = groups.reindex(key).to_numpy()
    # a total nobody states is not made up: only figures some source gives are computed
    derived = derived[derived["group"].notna()].copy()
    derived["group"] = derived["group"].astype(int)
    return derived


def _figures(ctx: Context, c: pd.DataFrame, chosen: pd.DataFrame) -> pd.DataFrame:
    """One row per figure: the choice, the claims, and the reason in words."""
    by = c.groupby("group", sort=True)
    agg = by.agg(
        claims=("figure", "size"),
        n_sources=("source_id_code", "nunique"),
        n_releases=("release_code", "nunique"),
        misscoped=("misscoped", "all"),
    )
    # one list and one string per figure: the claims sorted by figure, then line (stable), and
    # cut where the figure changes (no per-group frames)
    lines = c["line"].to_numpy()
    group = c["group"].to_numpy()
    order = np.lexsort((lines, group))
    starts = np.flatnonzero(_firsts(group[order]))
    bounds = list(zip(starts.tolist(), [*starts[1:].tolist(), len(order)], strict=True))
    in_order = lines[order].tolist()
    cited = [
        f"{f} ({p}, line {n})"
        for f, p, n in zip(
            c["figure"].to_numpy(dtype=object)[order].tolist(),
            c["publisher"].to_numpy(dtype=object)[order].tolist(),
            in_order,
            strict=True,
        )
    ]
    figure_ids = group[order][starts]
    agg["lines"] = pd.Series([in_order[a:b] for a, b in bounds], index=figure_ids)
    agg["claims"] = pd.Series(["; ".join(cited[a:b]) for a, b in bounds], index=figure_ids)
    agreeing = (
        c.loc[
            c["fits"] & (c["release_code"] != c["chosen_release_code"]), ["group", "release_code"]
        ]
        .groupby("group")["release_code"]
        .nunique()
    )
    disagreeing = (
        c.loc[
            ~c["fits"] & ~c["lead"] & (c["release_code"] != c["chosen_release_code"]),
            ["group", "release_code"],
        ]
        .groupby("group")["release_code"]
        .nunique()
    )
    f = chosen.copy()
    f["group"] = f.index
    f = f.drop(columns=["misscoped"]).join(agg, how="left")
    f["misscoped"] = f["misscoped"].fillna(False).astype(bool)
    f["agreeing"] = agreeing.reindex(f.index).fillna(0).astype(int)
    f["disagreeing"] = disagreeing.reindex(f.index).fillna(0).astype(int)
    f["claims"] = f["claims"].fillna("")
    f["lines"] = [list(x) if isinstance(x, list) else [] for x in f["lines"]]
    f["derived"] = f["derived"].astype(bool)
    if "basis" not in f.columns:
        f["basis"] = ""
    f["basis"] = f["basis"].fillna("")
    if "from_lines" not in f.columns:
        f["from_lines"] = None
    f["chosen_lines"] = [
        list(src) if derived and isinstance(src, tuple) else ([int(line)] if line >= 0 else [])
        for derived, src, line in zip(f["derived"], f["from_lines"], f["line"], strict=True)
    ]
    f["chosen_line"] = f["line"].where(f["line"] >= 0)
    f["chosen"] = f["value"]
    f["chosen_figure"] = f["figure"]
    f["label"] = f["measure"].map({m: ctx.label(m) for m in f["measure"].unique()})
    f["week"] = f["cluster_week"]
    f["reason"] = _reasons(ctx, f)
    f["status"] = "consistent"
    f["explanation"] = [
        f"Single source ({'computed' if derived else publisher}); nothing to compare."
        if n <= 1
        else f"{int(n)} independent sources agree on {figure}."
        for n, derived, publisher, figure in zip(
            f["n_releases"].fillna(0).tolist(),
            f["derived"].tolist(),
            f["publisher"].tolist(),
            f["figure"].tolist(),
            strict=True,
        )
    ]
    hedged = c.loc[c["fits"] & ~c["exact"], ["group", "figure", "line"]]
    hedged = hedged.iloc[np.argsort(hedged["line"].to_numpy(), kind="stable")]
    hedged = hedged.drop_duplicates(["group", "figure"])  # in line order
    quoted: dict[int, list[str]] = {}
    for g, text in zip(hedged["group"].tolist(), hedged["figure"].tolist(), strict=True):
        quoted.setdefault(g, []).append(f"“{text}”")
    held = pd.Series(
        {g: "; ".join(texts) for g, texts in sorted(quoted.items())}, dtype=object
    ).reindex(f.index)
    computed = f["derived"] & held.notna()
    f.loc[computed, "explanation"] = (
        "No source states it exactly: computed from "
        + f.loc[computed, "basis"]
        + "; "
        + held[computed]
        + " holds for it."
    )
    f["kinds"] = [[] for _ in range(len(f))]
    columns = [
        "group",
        "operation",
        "week",
        "period_start",
        "period_end",
        "agency",
        "area",
        "area_key",
        "measure",
        "label",
        "unit",
        "status",
        "kinds",
        "claims",
        "explanation",
        "chosen",
        "chosen_figure",
        "qualifier",
        "meaning",
        "chosen_source",
        "chosen_line",
        "chosen_lines",
        "derived",
        "basis",
        "reason",
        "lines",
        "n_sources",
        "n_releases",
        "verified",
        "misscoped",
    ]
    f = f.rename(columns={"source_id": "chosen_source"})
    return f[columns].reset_index(drop=True)


def _reasons(ctx: Context, f: pd.DataFrame) -> pd.Series:
    """Why this claim was chosen, in the order of the rules that decided it."""
    columns = zip(
        f["derived"].tolist(),
        f["basis"].tolist(),
        f["chosen_lines"].tolist(),
        f["primary"].tolist(),
        f["publisher"].tolist(),
        f["exact"].tolist(),
        f["votes"].tolist(),
        f["disagreeing"].tolist(),
        f["tie"].fillna(False).astype(bool).tolist(),
        f["published"].notna().tolist(),
        strict=True,
    )
    reasons = []
    for derived, basis, lines, primary, publisher, exact, votes, against, tie, dated in columns:
        if derived:
            who = f"Computed from {basis} (lines {', '.join(map(str, lines))})"
        elif primary:
            who = f"A primary source ({publisher})"
        else:
            who = f"Press coverage only ({publisher}, secondary)"
        what = ", an exact figure" if exact else ", a hedged figure (no exact one is stated)"
        backed = f"; stated by {votes} independent sources" if votes > 1 else ""
        sources = "source" if against == 1 else "sources"
        over = f"; preferred over {against} disagreeing {sources}" if against > 0 else ""
        settled = (
            "; a tie with a source of equal standing, settled by "
            + ("the newer publication" if dated else "the order of the data")
            if tie
            else ""
        )
        reasons.append(f"{who}{what}{backed}{over}{settled}.")
    return pd.Series(reasons, index=f.index, dtype=f["publisher"].dtype)
