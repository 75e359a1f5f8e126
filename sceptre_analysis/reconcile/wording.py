"""Check 8: the words of a quote against the definition of the measure it is recorded as."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .base import Analysis, join_words, values
from .model import Context, Finding
from .textscan import phrase_matches

__all__ = ["MOSTLY", "RULE", "wording"]

#: A route is "mostly" another when the named route is less than this share of the total.
MOSTLY = 0.5
RULE = (
    'The words of a quote should fit the measure it is counted as: a route word ("seized", '
    '"handed in") for a total that other routes make up mostly, or for a count of another '
    'route, and an object word ("knives") for a count that includes more (other weapons), '
    "are cautions, not contradictions (the wording list is data/wording.csv)."
)


def _named(quotes: list[str], rows: list, known: set[str]) -> list[frozenset[str]]:
    """For each (lower-case) quote, the set of measures its words name (phrases of one kind)."""
    by_phrase = {w.phrase: w.measure for w in rows if w.measure in known}
    named: list[set[str]] = [set() for _ in quotes]
    for row, phrase in phrase_matches(quotes, list(by_phrase)):
        named[row].add(by_phrase[phrase])
    empty: frozenset[str] = frozenset()
    return [frozenset(n) if n else empty for n in named]


def _phrases(rows: list, quote: str, measures: set[str]) -> list[str]:
    return [
        w.phrase
        for w in rows
        if w.measure in measures
        and re.search(rf"(?<![0-9a-z]){re.escape(w.phrase)}(?![0-9a-z])", quote)
    ]


def wording(a: Analysis) -> list[Finding]:
    ctx = a.ctx
    known = ctx.measure_names
    routes = [w for w in ctx.wording if w.kind == "route"]
    objects = [w for w in ctx.wording if w.kind == "object"]
    claims = a.claims
    route_measures = {w.measure for w in routes if w.measure in known}
    object_measures = {w.measure for w in objects if w.measure in known}
    # words can be at odds only with a route's count or a count with routes or objects inside
    # it; the quotes of other measures (arrests, sweeps, ...) are not searched
    possible = [
        m
        for m in claims["measure"].unique().tolist()
        if m in route_measures or ctx.within(m) & (route_measures | object_measures)
    ]
    keep = ~claims["misscoped"].to_numpy(dtype=bool) & claims["measure"].isin(possible).to_numpy(
        dtype=bool
    )
    # each distinct quote is searched once, lower-cased
    codes, unique = pd.factorize(claims["quote"].to_numpy(dtype=object)[keep])
    lowered = [str(q).lower() for q in unique]
    route_named = _named(lowered, routes, known)
    object_named = _named(lowered, objects, known)
    # what the words can say depends only on (measure, routes named, objects named): decide
    # it once per combination, and write messages only for the claims that can have one
    measures = claims["measure"].to_numpy(dtype=object)[keep]
    named_id: dict[tuple[frozenset[str], frozenset[str]], int] = {}
    pair_of_quote = np.array(
        [
            named_id.setdefault((r, o), len(named_id))
            for r, o in zip(route_named, object_named, strict=True)
        ],
        dtype=np.int64,
    )
    pairs = list(named_id)
    measure_codes, measure_names = pd.factorize(measures)
    combos, inverse = np.unique(
        pair_of_quote[codes] * max(len(measure_names), 1) + measure_codes, return_inverse=True
    )
    todo = np.zeros(len(combos), dtype=bool)
    for i, combo in enumerate(combos.tolist()):
        pair, m = divmod(combo, max(len(measure_names), 1))
        todo[i] = _may_say(ctx, str(measure_names[m]), *pairs[pair], route_measures)
    rows = np.flatnonzero(todo[inverse])
    if not len(rows):
        return []
    fields = ["measure", "cluster_week", "agency", "area_key", "group", "publisher", "line"]
    picked = claims.iloc[np.flatnonzero(keep)[rows]]
    findings = []
    chosen: dict[tuple, float] | None = None
    columns = [values(picked, f) for f in fields]  # (dates as integers: keys of chosen)
    for position, index, *cells in zip(rows.tolist(), picked.index, *columns, strict=True):
        row = dict(zip(fields, cells, strict=True))
        measure = row["measure"]
        code = int(codes[position])
        named_routes = route_named[code]
        named_objects = object_named[code]
        quote = lowered[code]
        problems = []
        inside = ctx.within(measure)
        if named_routes and measure not in named_routes:
            words = _Words(routes, quote, set(named_routes))
            if measure in route_measures:
                problems.append(
                    f"the quote says {words}, but the figure is counted as "
                    f"{ctx.label(measure).lower()}"
                )
            elif named_routes <= inside:
                if chosen is None:
                    chosen = _chosen(a)
                place = (row["cluster_week"], row["agency"], row["area_key"])
                total = chosen.get((*place, measure))
                named_total = sum(
                    float(chosen.get((*place, m), float("nan"))) for m in named_routes
                )
                if total is not None and named_total == named_total:
                    if named_total < MOSTLY * float(total):
                        problems.append(
                            f"the quote says {words}, but only "
                            f"{ctx.figure(named_total, _first(routes, named_routes))} "
                            f"of the {ctx.figure(float(total), measure)} came that way"
                        )
                elif total is not None:
                    # the named route is not given: the other routes may show it is a minority
                    for parts in ctx.decompositions.get(measure, []):
                        others = [
                            p
                            for p in parts
                            if p not in named_routes and not (ctx.within(p) & named_routes)
                        ]
                        if len(others) == len(parts):
                            continue
                        given = {p: chosen.get((*place, p)) for p in others}
                        given = {p: v for p, v in given.items() if v is not None}
                        if given and sum(given.values()) > MOSTLY * float(total):
                            problems.append(
                                f"the quote says {words}, but "
                                + join_words([ctx.figure(float(v), p) for p, v in given.items()])
                                + f" of the {ctx.figure(float(total), measure)} came other ways"
                            )
                            break
        if _object_problem(ctx, measure, named_objects):
            words = join_words([f"“{p}”" for p in _phrases(objects, quote, set(named_objects))])
            problems.append(
                f"the quote says {words}, but {ctx.label(measure).lower()} also counts "
                + join_words(
                    sorted(ctx.label(m).lower() for m in _siblings(ctx, measure, named_objects))
                )
            )
        if not problems:
            continue
        group = int(row["group"])
        findings.append(
            Finding(
                kind="wording_vs_measure",
                check="wording",
                severity="caution",
                explanation=f"{row['publisher']} (line {row['line']}): "
                + "; ".join(problems)
                + ".",
                decision=(
                    f"The figure is used as {ctx.label(measure).lower()}; the source's wording "
                    "is not repeated in the reports."
                ),
                claims=a.cite([index]),
                **a.where(group),
            )
        )
    return findings


def _first(rows: list, measures: frozenset[str]) -> str:
    """The first of ``measures`` in the order of data/wording.csv (not the set's own order,
    which changes from one run of Python to the next)."""
    return next((w.measure for w in rows if w.measure in measures), min(measures))


def _chosen(a: Analysis) -> dict[tuple, float]:
    """Each figure's chosen value by (week, agency, area_key, measure); the first one wins."""
    f = a.figures
    if f.empty:
        return {}
    keys = zip(*(values(f, n) for n in ("week", "agency", "area_key", "measure")), strict=True)
    out: dict[tuple, float] = {}
    for key, value in zip(keys, f["chosen"].tolist(), strict=True):
        out.setdefault(key, value)
    return out


def _may_say(
    ctx: Context,
    measure: str,
    named_routes: frozenset[str],
    named_objects: frozenset[str],
    route_measures: set[str],
) -> bool:
    """Whether a quote naming these routes and objects can get a finding for this measure."""
    if not (named_routes and measure not in named_routes) and not (
        named_objects and measure not in named_objects
    ):
        return False
    route = bool(named_routes) and measure not in named_routes
    if route and (measure in route_measures or named_routes <= ctx.within(measure)):
        return True
    return _object_problem(ctx, measure, named_objects)


def _object_problem(ctx: Context, measure: str, named_objects: frozenset[str]) -> bool:
    """An object word for a count that includes more than the object (knives vs weapons)."""
    return (
        bool(named_objects)
        and measure not in named_objects
        and not any(measure in ctx.within(o) for o in named_objects)
        and named_objects <= ctx.within(measure)
    )


class _Words:
    """The quote's phrases, joined only when a message is written."""

    def __init__(self, rows: list, quote: str, measures: set[str]) -> None:
        self.rows, self.quote, self.measures = rows, quote, measures

    def __str__(self) -> str:
        return join_words([f"“{p}”" for p in _phrases(self.rows, self.quote, self.measures)])

    __format__ = lambda self, spec: str(self)  # noqa: E731


def _siblings(ctx, measure: str, named: frozenset[str]) -> set[str]:
    """The parts of ``measure`` that the named words leave out."""
    for parts in ctx.decompositions.get(measure, []):
        if any(n in parts or n in {m for p in parts for m in ctx.within(p)} for n in named):
            return {p for p in parts if p not in named and not (ctx.within(p) & named)}
    return {"other things"}
