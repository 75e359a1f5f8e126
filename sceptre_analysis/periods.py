"""Placing claims in weeks (see "Weeks" in ``docs/data-model.md``).

A report selects a week: an operation's period.  A claim is placed in a week as follows:

1. an exact period is its own week (its ``period_start``), except that exact periods of the
   same operation that mostly overlap (by at least half of the longer one: "10 to 17
   November" and "11 to 17 November") are one week, keyed by the start most sources give
   (then most claims, then the earliest): sources that disagree on a week's dates must not
   split it in two (reconciliation reports the disagreement);
2. a month-only period joins the one week of the same operation whose period starts in that
   month, if there is exactly one; otherwise it is a week of its own, keyed by the month's
   first day;
3. an undated claim joins the week of the other claims of the same source, if they have
   exactly one; otherwise it cannot be placed (``week`` is ``NaT``) and :func:`unplaced`
   says why;
4. a context statistic (``context`` not blank: "recorded knife offences, 2018") never makes
   a week of its own, whatever its period: it joins its source's one week like an undated
   claim, so a report can show it beside (never among) the week's results.

Only pandas is needed; the frame is the loader's tallies frame.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["PERIOD_KINDS", "place_weeks", "unplaced", "week_labels"]

PERIOD_KINDS: tuple[str, ...] = ("exact", "month", "undated")


def _month(stamp: pd.Timestamp) -> tuple[int, int]:
    return (stamp.year, stamp.month)


def _overlap_keys(periods: pd.DataFrame) -> dict[tuple[str, pd.Timestamp], pd.Timestamp]:
    """``(operation, start) -> week key`` for exact periods merged with an overlapping one.

    One sweep per operation over its distinct periods sorted by start: linear in the number
    of distinct periods, not in the number of claims.
    """
    periods = periods.dropna(subset=["start", "end"])
    if periods.empty:
        return {}
    counted = (
        periods.groupby(["operation", "start", "end"])
        .agg(sources=("source", "nunique"), claims=("source", "size"))
        .reset_index()
        .sort_values(["operation", "start", "end"])
    )
    keys: dict[tuple[str, pd.Timestamp], pd.Timestamp] = {}

    def close(cluster: list[tuple[pd.Timestamp, pd.Timestamp, int, int]], operation: str) -> None:
        if len({start for start, *_ in cluster}) < 2:
            return
        best = max(cluster, key=lambda p: (p[2], p[3], -p[0].value))[0]
        for start, *_ in cluster:
            keys[(operation, start)] = best

    for operation, group in counted.groupby("operation", sort=False):
        cluster: list[tuple[pd.Timestamp, pd.Timestamp, int, int]] = []
        for start, end, sources, claims in group[["start", "end", "sources", "claims"]].itertuples(
            index=False
        ):
            if cluster:
                first_start, first_end = cluster[0][0], cluster[0][1]
                overlap = (min(end, first_end) - max(start, first_start)).days + 1
                longer = max((end - start).days, (first_end - first_start).days) + 1
                if overlap * 2 < longer:
                    close(cluster, str(operation))
                    cluster = []
            cluster.append((start, end, int(sources), int(claims)))
        close(cluster, str(operation))
    return keys


def place_weeks(tallies: pd.DataFrame) -> pd.Series:
    """The week (a Timestamp key, or NaT) each claim belongs to, aligned with ``tallies``.

    Needs the columns ``operation``, ``source_id``, ``period_start`` and ``period_kind``.
    """
    weeks = pd.Series(pd.NaT, index=tallies.index, dtype="datetime64[ns]")
    if tallies.empty:
        return weeks
    kinds = tallies["period_kind"].astype(str)
    operations = tallies["operation"].astype(str)
    starts = tallies["period_start"]
    if "context" in tallies.columns:
        context = tallies["context"].fillna("").astype(str) != ""
        kinds = kinds.where(~context, "context")

    exact = kinds == "exact"
    weeks[exact] = starts[exact]
    if "period_end" in tallies.columns and exact.any():
        keys = _overlap_keys(
            pd.DataFrame(
                {
                    "operation": operations[exact],
                    "start": starts[exact],
                    "end": tallies.loc[exact, "period_end"],
                    "source": tallies.loc[exact, "source_id"].astype(str),
                }
            )
        )
        if keys:
            pairs = zip(operations[exact], starts[exact], strict=True)
            weeks[exact] = [
                keys.get(pair, start) for pair, start in zip(pairs, starts[exact], strict=True)
            ]

    # Weeks of each operation by month, from the exact periods (one entry per week).
    by_month: dict[tuple[str, tuple[int, int]], set[pd.Timestamp]] = {}
    distinct = pd.DataFrame({"operation": operations[exact], "start": starts[exact]})
    for operation, start in distinct.drop_duplicates().itertuples(index=False):
        by_month.setdefault((operation, _month(start)), set()).add(start)
    for index in tallies.index[kinds == "month"]:
        start = starts[index]
        candidates = by_month.get((operations[index], _month(start)), set())
        weeks[index] = next(iter(candidates)) if len(candidates) == 1 else start

    # Undated claims and context statistics: the one week of their source's other claims.
    sources = tallies["source_id"].astype(str)
    loose = tallies.index[kinds.isin(["undated", "context"])]
    if len(loose):
        placed = weeks.notna()
        source_weeks: dict[tuple[str, str], set[pd.Timestamp]] = {}
        distinct = pd.DataFrame(
            {"source": sources[placed], "operation": operations[placed], "week": weeks[placed]}
        ).drop_duplicates()
        for source, operation, week in distinct.itertuples(index=False):
            source_weeks.setdefault((source, operation), set()).add(week)
        for index in loose:
            found = source_weeks.get((sources[index], operations[index]), set())
            if len(found) == 1:
                weeks[index] = next(iter(found))
    return weeks


def unplaced(tallies: pd.DataFrame) -> pd.DataFrame:
    """The claims no week takes, each with the reason in words (``line``, ``reason``)."""
    placed = tallies[tallies["week"].notna()]
    counts = (
        placed.groupby([placed["source_id"].astype(str), placed["operation"].astype(str)])["week"]
        .nunique()
        .to_dict()
    )
    missing = tallies[tallies["week"].isna()]
    rows = []
    contexts = missing["context"] if "context" in missing.columns else [""] * len(missing)
    for line, source, operation, context in zip(
        missing["line"],
        missing["source_id"].astype(str),
        missing["operation"].astype(str),
        contexts,
        strict=True,
    ):
        count = counts.get((source, operation), 0)
        what = "a context statistic" if isinstance(context, str) and context else "undated"
        reason = (
            f"{what}, and source {source} has no dated figures for {operation}"
            if count == 0
            else f"{what}, and source {source} has figures for {count} weeks"
        )
        rows.append({"line": int(line), "source_id": source, "reason": reason})
    return pd.DataFrame(rows, columns=["line", "source_id", "reason"])


def week_labels(tallies: pd.DataFrame) -> dict[pd.Timestamp, str]:
    """How each week is named: ``2020-11-09`` when some claim has that exact period, else the
    month ``2025-11`` (a week known only by its month)."""
    labels: dict[pd.Timestamp, str] = {}
    placed = tallies[tallies["week"].notna()]
    exact_weeks = set(placed.loc[placed["period_kind"].astype(str) == "exact", "week"])
    for week in sorted(set(placed["week"])):
        stamp = pd.Timestamp(week)
        labels[stamp] = (
            stamp.date().isoformat() if stamp in exact_weeks else stamp.strftime("%Y-%m")
        )
    return labels
