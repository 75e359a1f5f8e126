"""One agency across every week of an operation: the trend report.

Measures are grouped into *families* from ``measures.csv``: a measure no other present
measure contains, with the parts (``total_of``) and subsets (``part_of``) the releases give.
Each family with figures in two or more weeks gets a chart with one bar per week of the
operation: parts stacked inside the bar where a release gives them, hedged figures hatched,
weeks without figures left as gaps, and a mark where the sources disagree (the reconciled
figure is drawn). The narrative compares each week with the same season a year earlier,
keeping the hedges, and states each part's share in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from markupsafe import Markup

from . import charts, prose, tables
from .figures import Citations, Figure, ReportData, chosen_figures, finding_id, number_text
from .hedges import Claim
from .narrative import join_words
from .params import ParameterError
from .report_charts import ChartBlock
from .report_meta import show_report_meta

__all__ = ["SAME_SEASON_DAYS", "TrendReport", "week_label"]

SAME_SEASON_DAYS = 60
"""A week counts as "the same season a year earlier" when it started within this many days of
exactly one year before."""
DISPUTED_MARK = "†"
ALL = "all"


def week_label(week: pd.Timestamp) -> str:
    """ "November 2021": weeks of action are known by their month."""
    return f"{week:%B %Y}"


@dataclass
class Point:
    """One week of one family: the total (or the sum of the parts given) and its parts."""

    week: pd.Timestamp
    total: Figure | None
    parts: list[Figure] = field(default_factory=list)
    complete: bool = False

    @property
    def value(self) -> float:
        if self.total is not None:
            return self.total.claim.high or self.total.value
        return sum(p.value for p in self.parts)

    @property
    def text(self) -> str:
        if self.total is not None:
            return self.total.number
        show = number_text(self.parts[0].role if self.parts else None)
        return f"{show(self.value)} (sum of the parts given)"

    @property
    def disputed(self) -> bool:
        return any(f.status == "disputed" for f in self.figures)

    @property
    def figures(self) -> list[Figure]:
        return ([self.total] if self.total is not None else []) + self.parts


def _interval(claim: Claim) -> tuple[float, float]:
    interval = claim.interval()
    return interval.low, interval.high


class TrendReport:
    """The trend of one agency's figures across the weeks of an operation."""

    def __init__(
        self,
        data: ReportData,
        *,
        operation: str,
        agency: str,
        group: str = ALL,
        weeks: str = ALL,
        draw: bool = True,
    ) -> None:
        """``draw=False`` skips the charts and table (enough for the title's period)."""
        self.data, self.operation, self.agency = data, operation, agency
        self.group = (group or ALL).strip()
        claims = data.claims[
            (data.claims["operation"] == operation) & (data.claims["context"] == "")
        ]
        claims = claims[claims["week"].notna()]
        every_week = sorted(set(claims["week"]))
        if (weeks or ALL).strip().lower() != ALL:
            wanted = [pd.Timestamp(w.strip()) for w in str(weeks).split(",") if w.strip()]
            unknown = [w for w in wanted if w not in every_week]
            if unknown:
                raise ParameterError(
                    [
                        f"Unknown week {w.date().isoformat()!r} for {operation}. Valid values: "
                        + ", ".join(repr(x.date().isoformat()) for x in every_week)
                        for w in unknown
                    ]
                )
            every_week = sorted(wanted)
        categories = {r.category for r in data.roles.values()}
        if self.group.lower() != ALL and self.group not in categories:
            raise ParameterError(
                [
                    f"Unknown measure group {self.group!r}. Valid values: 'all', "
                    + ", ".join(repr(c) for c in sorted(categories))
                ]
            )
        self.weeks: list[pd.Timestamp] = every_week
        self.figures: dict[pd.Timestamp, list[Figure]] = {}
        for week in self.weeks:
            found = [
                f
                for f in chosen_figures(data, operation, week, agency)
                if f.is_result and f.role.is_count and not f.claim.is_change
            ]
            found = self._one_area(found)
            if self.group.lower() != ALL:
                found = [f for f in found if f.role.category == self.group]
            if found:
                self.figures[week] = found
        # The weeks this agency has figures for: the axis of every chart; a family without
        # figures in one of them shows a gap there.
        self.weeks = [week for week in self.weeks if week in self.figures]
        self.citations = Citations(data)
        self.families = self._families()
        self.charts = (
            [self._chart(root, points) for root, points in self.families.items()] if draw else []
        )
        self._table = self._points_table() if draw else pd.DataFrame()

    # ---- choosing what to draw -----------------------------------------------------------

    def _one_area(self, figures: list[Figure]) -> list[Figure]:
        """The agency's own area when it has figures for it, else the area with most figures:
        areas are never added together."""
        areas = [f.area for f in figures]
        if len(set(areas)) <= 1:
            return figures
        home = self.data.vocabulary.agencies.get(self.agency)
        if home is not None and home.area in areas:
            chosen = home.area
        else:
            chosen = max(set(areas), key=lambda a: (areas.count(a), a))
        return [f for f in figures if f.area == chosen]

    def _families(self) -> dict[str, list[Point | None]]:
        roles = self.data.roles
        # A family for every measure that is the top of what some week gives: knives when
        # one week gives knives alone and another gives knives inside a wider total.
        roots = roles.order(
            root
            for found in self.figures.values()
            for root in roles.roots({f.measure for f in found})
        )
        families: dict[str, list[Point | None]] = {}
        for root in roots:
            points: list[Point | None] = []
            for week in self.weeks:
                here = {f.measure: f for f in self.figures.get(week, [])}
                members = {m for m in here if m == root or root in roles.ancestors(m)}
                if not members:
                    points.append(None)
                    continue
                parts = [m for m in roles.order(members) if roles.nearest(m, members) == root]
                if root not in here and not roles.complete(root, parts):
                    # Parts without their total, and not all of them: nothing fair to draw.
                    points.append(None)
                    continue
                points.append(
                    Point(
                        week,
                        here.get(root),
                        [here[p] for p in parts],
                        roles.complete(root, parts),
                    )
                )
            if sum(p is not None for p in points) >= 2:
                families[root] = points
        # A part already drawn inside a wider family's bars gets no chart of its own.
        return {
            root: points
            for root, points in families.items()
            if not (roles.ancestors(root) & set(families))
        }

    # ---- blocks --------------------------------------------------------------------------

    @property
    def drawn_weeks(self) -> list[pd.Timestamp]:
        return [
            w
            for w in self.weeks
            if any(p and p.week == w for ps in self.families.values() for p in ps)
        ]

    @property
    def period_text(self) -> str:
        drawn = self.drawn_weeks or list(self.figures) or self.weeks
        if not drawn:
            return "no weeks"
        first, last = week_label(min(drawn)), week_label(max(drawn))
        return first if first == last else f"{first} to {last}"

    @property
    def period_heading(self) -> str:
        return f"Weeks of action, {self.period_text}"

    @property
    def title(self) -> str:
        return f"{self.operation}: {self.agency} across the weeks"

    def _chart(self, root: str, points: list[Point | None]) -> ChartBlock:
        role = self.data.roles[root]
        bars = []
        months = [f"{w:%b %Y}" for w in self.weeks]
        # Subsets (part_of) may overlap each other: each week draws one, the one most weeks
        # give among those it has, so every breakdown the prose states is drawn.
        counts: dict[str, int] = {}
        for point in points:
            if point is not None and not point.complete:
                for part in point.parts:
                    counts[part.measure] = counts.get(part.measure, 0) + 1
        rank = sorted(counts, key=lambda m: (-counts[m], len(m), m))

        def drawn(point: Point) -> list[Figure]:
            if point.complete:
                return list(point.parts)
            have = {p.measure for p in point.parts}
            kept = next((m for m in rank if m in have), "")
            return [p for p in point.parts if p.measure == kept]

        for week, point in zip(self.weeks, points, strict=True):
            same_month = months.count(f"{week:%b %Y}") > 1
            label = f"{week.day} {week:%b}\n{week:%Y}" if same_month else f"{week:%b}\n{week:%Y}"
            if point is None:
                bars.append(charts.Bar(label=label, missing=True))
                continue
            bars.append(
                charts.Bar(
                    label=label,
                    value=point.value,
                    text=point.text.replace(" (sum of the parts given)", "*"),
                    hedged=point.total is not None and point.total.hedged,
                    segments=tuple(
                        (p.role.label, p.claim.high or p.value, p.hedged) for p in drawn(point)
                    ),
                    marker=DISPUTED_MARK if point.disputed else "",
                    complete=point.complete,
                )
            )
        title = f"{role.label}, {self.agency}, week by week"
        note = "Weeks with no figures are left empty."
        if any(p is not None and p.total is None for p in points):
            note += " * Sum of the parts the release gives (no total stated)."
        source = "; ".join(
            dict.fromkeys(
                str(self.data.source(f.source_id).get("publisher") or f.source_id)
                for p in points
                if p is not None
                for f in p.figures
            )
        )
        fig = charts.parts_chart(
            bars,
            title=title,
            source=source,
            vertical=True,
            note=note,
            total_label="the rest of the total (not broken down)",
            base_label=f"{role.label}: no breakdown given",
        )
        return ChartBlock(
            figure=fig,
            alt=charts.parts_chart_alt(title, bars),
            title=title,
            bars=[root],
            segments={
                root: list(
                    dict.fromkeys(f.measure for p in points if p is not None for f in drawn(p))
                )
            },
        )

    def _share_words(self, point: Point) -> Markup:
        """ "(of which 936 knives seized by officers (10%) and ...)" from exact figures, as a
        breakdown of the total, never beside it."""
        if not point.parts:
            return Markup("")
        exact_parts = all(p.claim.is_exact for p in point.parts)
        whole = 0.0
        if point.complete and exact_parts:
            whole = sum(p.value for p in point.parts)
        elif point.total is not None and point.total.claim.is_exact and exact_parts:
            whole = point.total.value
        items = []
        for part in point.parts:
            words = prose.item_text(part, as_part=True)
            if whole:
                words += f" ({part.value / whole:.0%})"
            items.append(str(prose._span(part, words)))
        lead = "of which" if point.complete else "including"
        of = point.total.measure if point.total is not None else ""
        return Markup("<span class='breakdown' data-of='{}'>{} {}</span>").format(
            of, lead, Markup(join_words(items))
        )

    @staticmethod
    def _compare(current: Point, earlier: Point) -> str:
        """ "more than" / "fewer than" / "about the same as": only what the hedges allow."""
        if current.total is None or earlier.total is None:
            now_low = now_high = current.value
            then_low = then_high = earlier.value
        else:
            now_low, now_high = _interval(current.total.claim)
            then_low, then_high = _interval(earlier.total.claim)
        if now_low > then_high:
            return "up on"
        if now_high < then_low:
            return "down on"
        if (
            current.total is not None
            and earlier.total is not None
            and (current.total.claim.is_exact and earlier.total.claim.is_exact)
        ):
            return "the same as"
        return "not clearly different from (the hedges overlap)"

    def narrative_html(self) -> Markup:
        """One paragraph per family: each week against the same season a year earlier."""
        if not self.families:
            return Markup(
                "<p class='lede'>The sources give figures for {} in fewer than two weeks of {}: "
                "there is no trend to show.</p>"
            ).format(self.agency, self.operation)
        paragraphs = []
        for root, points in self.families.items():
            role = self.data.roles[root]
            sentences = []
            for point in points:
                if point is None:
                    continue
                if point.total is not None:
                    text = prose._span(point.total, prose.item_text(point.total))
                else:
                    text = Markup("{}").format(point.text)
                sentence = Markup("In {}: {}").format(week_label(point.week), text)
                shares = self._share_words(point)
                if shares:
                    sentence += Markup(", {}").format(shares)
                earlier = self._year_earlier(point, points)
                if earlier is not None:
                    sentence += Markup("; {} {} in {}").format(
                        self._compare(point, earlier), earlier.text, week_label(earlier.week)
                    )
                sentences.append(sentence + Markup("."))
            paragraphs.append(
                Markup("<p><strong>{}.</strong> {}</p>").format(
                    role.label, Markup(" ").join(sentences)
                )
            )
        return Markup("").join(paragraphs)

    def _year_earlier(self, point: Point, points: list[Point | None]) -> Point | None:
        target = point.week - pd.DateOffset(years=1)
        best = [
            p for p in points if p is not None and abs((p.week - target).days) <= SAME_SEASON_DAYS
        ]
        return min(best, key=lambda p: abs((p.week - target).days)) if best else None

    def show_charts(self) -> None:
        from IPython.display import HTML, display

        if not self.charts:
            display(HTML("<p>Too few weeks with figures for a chart.</p>"))
        for block in self.charts:
            charts.show(block.figure, block.alt)

    def _points_table(self) -> pd.DataFrame:
        rows = []
        for root, points in self.families.items():
            for point in points:
                if point is None:
                    continue
                for figure in point.figures:
                    rows.append(
                        {
                            "Week": week_label(point.week),
                            "Measure": figure.role.label
                            if figure.measure == root
                            else Markup("<span class='part'>{} {}</span>").format(
                                "of which" if point.complete else "including",
                                prose._lower(figure.role.label),
                            ),
                            "Figure": figure.number,
                            "As stated": Markup("; ").join(
                                tables.stated_html(self.citations, *item)
                                for item in figure.as_stated
                            ),
                            "Status": tables.status_cell(figure),
                            "Source": tables.cite_cell(
                                self.citations, figure.source_id, figure.lines
                            ),
                        }
                    )
        columns = ["Week", "Measure", "Figure", "As stated", "Status", "Source"]
        return pd.DataFrame(rows, columns=columns)

    def points_table_html(self) -> Markup:
        return tables.table_html(self._table)

    def disputes_html(self) -> Markup:
        """The findings behind every disputed point drawn."""
        drawn = {
            f.finding
            for points in self.families.values()
            for point in points
            if point is not None
            for f in point.figures
            if f.finding
        }
        found = self.data.findings(self.operation, self.drawn_weeks, self.agency)
        found = found[
            [
                finding_id(str(a), str(b), str(c)) in drawn
                for a, b, c in zip(found["agency"], found["area"], found["measure"], strict=True)
            ]
        ]
        if found.empty:
            return Markup("<p>The sources do not disagree on any figure drawn here.</p>")
        return prose.findings_html(found, self.citations)

    def sources_html(self) -> Markup:
        return tables.sources_html(self.citations)

    def meta(self) -> dict:
        figures = [f for found in self.figures.values() for f in found]
        counts = {
            s: sum(1 for f in figures if f.status == s)
            for s in ("confirmed", "single source", "not verified", "disputed")
        }
        return {
            "title": self.title,
            "period": self.period_text,
            "period_wording": "weeks of action",
            "period_heading": self.period_heading,
            "status": ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no figures",
            "verification": tables.verification_text(
                self.data, list(dict.fromkeys(f.source_id for f in figures))
            ),
            "figures": tables.plain(self._table),
            "charts": [c.meta() for c in self.charts],
        }

    def show_meta(self) -> None:
        show_report_meta(**self.meta())
