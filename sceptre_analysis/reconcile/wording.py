"""Check 8: the words of a quote against the definition of the measure it is recorded as."""

from __future__ import annotations

import re

import pandas as pd

from .base import Analysis, join_words
from .model import Finding

__all__ = ["MOSTLY", "RULE", "wording"]

#: A route is "mostly" another when the named route is less than this share of the total.
MOSTLY = 0.5
RULE = (
    'The words of a quote should fit the measure it is counted as: a route word ("seized", '
    '"handed in") for a total that other routes make up mostly, or for a count of another '
    'route, and an object word ("knives") for a count that includes more (other weapons), '
    "are cautions, not contradictions (the wording list is data/wording.csv)."
)


def _matcher(phrases: list[str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![0-9a-z])(?:{alternatives})(?![0-9a-z])")


def _named(quotes: pd.Series, rows: list, known: set[str]) -> pd.Series:
    """For each quote, the set of measures its words name (phrases of one kind)."""
    by_phrase = {w.phrase: w.measure for w in rows if w.measure in known}
    pattern = _matcher(list(by_phrase))
    if pattern is None:
        return pd.Series([frozenset()] * len(quotes), index=quotes.index)
    unique = pd.Series(quotes.unique())
    found = {q: frozenset(by_phrase[m] for m in pattern.findall(q)) for q in unique}
    return quotes.map(found)


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
    c = a.claims[~a.claims["misscoped"]]
    quotes = c["quote"].str.lower()
    route_named = _named(quotes, routes, known)
    object_named = _named(quotes, objects, known)
    route_measures = {w.measure for w in routes if w.measure in known}
    chosen = (
        a.figures.set_index(["week", "agency", "area_key", "measure"])["chosen"]
        if not a.figures.empty
        else pd.Series(dtype=float)
    )
    chosen = chosen[~chosen.index.duplicated()].to_dict()
    # only quotes whose words name a measure other than their own are looked at
    odd = [
        (bool(r) and m not in r) or (bool(o) and m not in o)
        for r, o, m in zip(route_named, object_named, c["measure"], strict=True)
    ]
    findings = []
    fields = ["measure", "cluster_week", "agency", "area_key", "group", "publisher", "line"]
    picked = c.loc[odd, fields]
    for index, *values in zip(picked.index, *(picked[f].tolist() for f in fields), strict=True):
        row = dict(zip(fields, values, strict=True))
        measure = row["measure"]
        named_routes = route_named.at[index]
        named_objects = object_named.at[index]
        if not named_routes and not named_objects:
            continue
        problems = []
        inside = ctx.within(measure)
        if named_routes and measure not in named_routes:
            words = _Words(routes, quotes.at[index], set(named_routes))
            if measure in route_measures:
                problems.append(
                    f"the quote says {words}, but the figure is counted as "
                    f"{ctx.label(measure).lower()}"
                )
            elif named_routes <= inside:
                place = (row["cluster_week"], row["agency"], row["area_key"])
                total = chosen.get((*place, measure))
                named_total = sum(
                    float(chosen.get((*place, m), float("nan"))) for m in named_routes
                )
                if total is not None and named_total == named_total:
                    if named_total < MOSTLY * float(total):
                        problems.append(
                            f"the quote says {words}, but only "
                            f"{ctx.figure(named_total, next(iter(named_routes)))} "
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
        if (
            named_objects
            and measure not in named_objects
            and not any(measure in ctx.within(o) for o in named_objects)
        ) and named_objects <= inside:
            words = join_words(
                [f"“{p}”" for p in _phrases(objects, quotes.at[index], set(named_objects))]
            )
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
