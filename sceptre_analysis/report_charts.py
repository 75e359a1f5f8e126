"""The chart blocks of the reports: which figures go in a chart, and what its title says.

A chart sets side by side only measures that can be compared: the same category and unit,
neither a part of the other (:meth:`Roles.comparable`). A total's parts are drawn *inside*
its bar, never as bars beside it. A title states a share that is true (a part of its total,
from exact figures) or plainly says what is shown; it never compares a measure with its own
part or with an unrelated one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from matplotlib.figure import Figure as MplFigure

from . import charts
from .figures import Figure, Period
from .prose import _lower
from .roles import Roles

__all__ = ["ChartBlock", "category_charts", "share_title"]


@dataclass
class ChartBlock:
    """A chart ready to show, with its alt text and what it draws (for the report metadata)."""

    figure: MplFigure
    alt: str
    title: str
    bars: list[str] = field(default_factory=list)
    segments: dict[str, list[str]] = field(default_factory=dict)

    def meta(self) -> dict:
        return {"title": self.title, "bars": self.bars, "segments": self.segments}


def share_title(total: Figure, parts: list[Figure], roles: Roles) -> str | None:
    """ "Knife-related arrests were 51% of arrests": only from exact figures, only for a
    complete breakdown (share of the parts' sum) or a subset of an exact total."""
    if not parts or any(p.hedged or p.claim.is_change for p in parts):
        return None
    measures = [p.measure for p in parts]
    if roles.complete(total.measure, measures):
        whole = sum(p.value for p in parts)
    elif total.hedged or len(parts) != 1:
        return None
    else:
        whole = total.value
    if not whole:
        return None
    largest = max(parts, key=lambda p: p.value)
    share = largest.value / whole
    return f"{largest.role.label} were {share:.0%} of {_lower(total.role.label)}"


def category_charts(
    figures: list[Figure],
    roles: Roles,
    *,
    agency: str,
    period: Period,
    source: Callable[[str], str],
) -> list[ChartBlock]:
    """One chart per category and unit with something to show: two or more comparable
    figures, or one total drawn with its parts. ``source`` names a source id for the foot."""
    results = [f for f in figures if f.is_result and f.role.is_count and not f.claim.is_change]
    areas = list(dict.fromkeys(f.area for f in results))
    blocks: list[ChartBlock] = []
    groups: dict[tuple[str, str], list[tuple[Figure, list[Figure]]]] = {}
    for area in areas:
        here = {f.measure: f for f in results if f.area == area}
        for measure, depth in roles.tree(here):
            if depth:
                continue
            figure = here[measure]
            parts = [here[m] for m in roles.order(here) if roles.nearest(m, here) == measure]
            if parts and not roles.complete(measure, [p.measure for p in parts]):
                parts = parts[:1]  # subsets may overlap each other: stack only one
            groups.setdefault((figure.role.category, figure.role.unit), []).append((figure, parts))
    for (category, _unit), members in groups.items():
        if len(members) < 2 and not members[0][1]:
            continue  # one bar alone says nothing the table does not
        bars = []
        for figure, parts in members:
            label = figure.role.label + (f" ({figure.area})" if len(areas) > 1 else "")
            bars.append(
                charts.Bar(
                    label=label,
                    value=figure.claim.high or figure.value,
                    text=figure.number,
                    hedged=figure.hedged,
                    segments=tuple(
                        (p.role.label, p.claim.high or p.value, p.hedged) for p in parts
                    ),
                    complete=roles.complete(figure.measure, [p.measure for p in parts]),
                )
            )
        title = None
        if len(members) == 1:
            title = share_title(members[0][0], members[0][1], roles)
        if title is None:
            title = f"{category[:1].upper()}{category[1:]}: {agency}, {period.text}"
        note = ""
        if any(parts for _, parts in members):
            note = "Parts are drawn inside the bar of the total they belong to."
        drawn = [f for figure, parts in members for f in (figure, *parts)]
        fig = charts.parts_chart(
            bars,
            title=title,
            source="; ".join(source(s) for s in dict.fromkeys(f.source_id for f in drawn)),
            note=note,
            total_label="the rest of the total (not broken down)",
        )
        blocks.append(
            ChartBlock(
                figure=fig,
                alt=charts.parts_chart_alt(title, bars),
                title=title,
                bars=[f.measure for f, _ in members],
                segments={f.measure: [p.measure for p in parts] for f, parts in members if parts},
            )
        )
    return blocks
