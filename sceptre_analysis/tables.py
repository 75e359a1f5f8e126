"""The tables of the reports: figures, other agencies, hedges, claims, and the Sources list.

Each table comes back as a frame whose cells are plain text or :class:`markupsafe.Markup`
(links to sources and findings); :func:`table_html` escapes every plain cell, so text from the
data is shown, never run. :func:`plain` turns a table into text records for the figures CSV.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd
from markupsafe import Markup, escape

from .figures import (
    Citations,
    Figure,
    ReportData,
    chosen_figures,
    claim_of,
    figure_text,
    number_text,
    source_anchor,
)
from .hedges import holds
from .narrative import cite, format_number, join_words
from .roles import Roles

if TYPE_CHECKING:
    from pandas._typing import ScalarOrNA

__all__ = [
    "NUMERIC_COLUMNS",
    "cite_cell",
    "claims_table",
    "figures_table",
    "hedge_table",
    "other_agencies_table",
    "per_day_text",
    "plain",
    "sources_html",
    "stated_html",
    "stated_notes",
    "status_cell",
    "table_html",
]

NUMERIC_COLUMNS = frozenset({"Line", "Figure", "Per day", "Value"})
"""Columns shown right-aligned: figures line up by their last digit."""


def plain(frame: pd.DataFrame) -> list[dict[str, str]]:
    """A table as records of plain text (links become their words), e.g. for a CSV."""
    from bs4 import BeautifulSoup

    def text(value: object) -> str:
        if isinstance(value, Markup):
            words = " ".join(BeautifulSoup(str(value), "html.parser").get_text(" ").split())
            return re.sub(r" ([,.;:)])", r"\1", words)  # "Comet [1] , line 3": no space before ","
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)

    return [{str(k): text(v) for k, v in row.items()} for row in frame.to_dict("records")]


def cite_cell(citations: Citations, source_id: str, lines: list[int] | None = None) -> Markup:
    """ "Surrey Comet [2], line 12": the publisher and its number in the Sources list, linked."""
    anchor = citations.add(source_id)
    number = citations.cited.index(source_id) + 1
    where = ""
    if lines:
        where = f", line{'s' if len(lines) > 1 else ''} " + join_words([str(n) for n in lines])
    publisher = str(citations.data.source(source_id).get("publisher") or source_id)
    return Markup("<a class='cite' href='#{}'>{}&nbsp;[{}]</a>{}").format(
        anchor, publisher, number, where
    )


def status_cell(figure: Figure, *, link: bool = True) -> Markup:
    """The status word; "disputed" links to the explanation in the same report (``link``),
    or points to the source check when this report does not hold the explanation."""
    if figure.status == "disputed" and not link:
        return Markup("<span class='status disputed'>disputed (see the source check)</span>")
    if figure.status == "disputed" and figure.finding:
        return Markup("<a class='status disputed' href='#{}'>disputed</a>").format(figure.finding)
    css = figure.status.replace(" ", "-")
    return Markup("<span class='status {}'>{}</span>").format(css, figure.status)


def _significant(value: float) -> int:
    """Significant figures a source gave: 10,000 has one, 1,926 four, 0 none."""
    digits = str(int(abs(value))).rstrip("0") if value and float(value).is_integer() else ""
    return len(digits) if digits else len(f"{abs(value):g}".replace(".", "").lstrip("0"))


def _step(stated: float, rate: float) -> int:
    """The rounding step of a hedged rate: no more precise than the stated figure (at least two
    significant figures), so "around 10,000" over seven days is "around 1,400", not 1,429."""
    keep = max(2, _significant(stated))
    digits = len(str(int(abs(rate)))) if rate >= 1 else 1
    return max(1, 10 ** (digits - keep))


def per_day_text(figure: Figure) -> str:
    """ "143" arrests a day, or "more than 1,400" for a hedged figure (rounded no finer than the
    source's own figure); blank where a per-day rate means nothing (``per_day`` is not yes) or
    the period is not known to the day."""
    days = figure.period.days
    claim = figure.claim
    if not figure.role.per_day or not days or claim.is_change or figure.doubtful_scope:
        return ""
    import math

    rate = claim.value / days
    step = _step(claim.value, rate)
    match claim.meaning:
        case "exact":
            return format_number(round(rate)) if rate.is_integer() else f"about {round(rate):,}"
        case "more" | "at_least":
            return f"{claim.phrase} {math.floor(rate / step) * step:,}"
        case "less" | "at_most":
            return f"{claim.phrase} {math.ceil(rate / step) * step:,}"
        case "range":
            assert claim.high is not None
            high = claim.high / days
            low_step, high_step = step, _step(claim.high, high)
            return (
                f"between {math.floor(rate / low_step) * low_step:,} and "
                f"{math.ceil(high / high_step) * high_step:,}"
            )
        case _:
            return f"{claim.phrase or 'about'} {round(rate / step) * step:,}"


def _measure_cell(label: str, depth: int, parent_complete: bool) -> Markup | str:
    if depth == 0:
        return label
    lead = "of which" if parent_complete else "including"
    label = label[:1].lower() + label[1:] if not label[:2].isupper() else label
    return Markup("<span class='part depth-{}'>{} {}</span>").format(depth, lead, label)


def stated_html(citations: Citations, words: str, source_id: str, line: int, quote: str) -> Markup:
    """A hedged claim in our words, then the source's own words in quotation marks:
    over 9,639 knives (“Over 9,639 knives removed”, NPCC [1])."""
    return Markup("{} (“{}”, {})").format(words, quote, cite_cell(citations, source_id, [line]))


def stated_notes(citations: Citations, as_stated: list[tuple[str, str, int, str]]) -> list[Markup]:
    """The hedged claims of a figure, one note per wording with every source that used it:
    more than 240 weapons (“seized more than 240 …”, Met [1], line 2; “More than …”, …)."""
    by_words: dict[str, list[Markup]] = {}
    for words, source_id, line, quote in as_stated:
        by_words.setdefault(words, []).append(
            Markup("“{}”, {}").format(quote, cite_cell(citations, source_id, [line]))
        )
    return [
        Markup("{} ({})").format(words, Markup("; ").join(quotes))
        for words, quotes in by_words.items()
    ]


def figures_table(figures: list[Figure], citations: Citations, roles: Roles) -> pd.DataFrame:
    """The figures readers see first: each total followed by its parts ("of which ..."),
    each figure with its hedge, the hedged wordings the sources used, its source and status."""
    areas = list(dict.fromkeys(f.area for f in figures))
    show_area = len(areas) > 1
    show_per_day = any(per_day_text(f) for f in figures)
    rows = []
    for area in areas:
        here = {f.measure: f for f in figures if f.area == area}
        for measure, depth in roles.tree(here):
            figure = here[measure]
            parent = roles.nearest(measure, here)
            siblings = [m for m in here if roles.nearest(m, here) == parent] if parent else []
            complete = parent is not None and roles.complete(parent, siblings)
            notes = stated_notes(citations, figure.as_stated)
            if figure.derived and figure.basis:
                notes.insert(0, Markup("computed: {}").format(figure.basis))
            supporters = [s for s in figure.supporters if s != figure.source_id]
            source = Markup("; ").join(
                [
                    cite_cell(citations, figure.source_id, figure.lines),
                    *(cite_cell(citations, s) for s in supporters),
                ]
            )
            row: dict[str, object] = {}
            if show_area:
                row["Area"] = area
            row["Measure"] = _measure_cell(figure.role.label, depth, complete)
            row["Figure"] = figure.number
            if show_per_day:
                row["Per day"] = per_day_text(figure)
            row["Notes"] = Markup("; ").join(notes)
            row["Sources"] = source
            row["Status"] = status_cell(figure)
            rows.append(row)
    return pd.DataFrame(rows)


def other_agencies_table(
    data: ReportData, operation: str, week: object, agency: str, citations: Citations
) -> pd.DataFrame:
    """What other agencies reported for the same week: agency, area, measure, figure, source."""
    from .figures import _week_claims  # the same week selection as the figures

    claims = _week_claims(data, operation, pd.Timestamp(str(week)))
    rows = []
    for other in sorted(set(claims["agency"]) - {agency}):
        for figure in chosen_figures(data, operation, week, other):
            if figure.role.is_duration:
                continue
            rows.append(
                {
                    "Agency": other,
                    "Area": figure.area,
                    "Measure": figure.role.label,
                    "Figure": figure.number,
                    "Source": cite_cell(citations, figure.source_id, figure.lines),
                    "Status": status_cell(figure, link=False),
                }
            )
    return pd.DataFrame(rows, columns=["Agency", "Area", "Measure", "Figure", "Source", "Status"])


def hedge_table(
    data: ReportData, claims: pd.DataFrame, citations: Citations, figures: list[Figure]
) -> pd.DataFrame:
    """Each hedged claim and whether the exact figure chosen for it bears it out."""
    chosen = {(f.agency, f.area, f.measure): f for f in figures}
    rows = []
    for row in claims.to_dict("records"):
        claim = claim_of(row, data.vocabulary)
        if claim.is_exact:
            continue
        role = data.roles.get(row["measure"])
        figure = chosen.get((row["agency"], row["area"], row["measure"]))
        verdict, against = "–", "no exact figure to check against"
        if figure is not None and figure.claim.is_exact and not claim.is_change:
            check = holds(claim, figure.claim.value, fmt=number_text(role))
            verdict = "yes" if check.ok else "no"
            against = figure.number + (f" (computed: {figure.basis})" if figure.derived else "")
        rows.append(
            {
                "Line": int(row["line"]),
                "Agency": row["agency"],
                "Claim": figure_text(claim, role),
                "Checked against": against,
                "Holds": verdict,
                "Source": cite_cell(citations, row["source_id"]),
            }
        )
    columns = ["Line", "Agency", "Claim", "Checked against", "Holds", "Source"]
    return pd.DataFrame(rows, columns=columns)


def claims_table(data: ReportData, claims: pd.DataFrame, citations: Citations) -> pd.DataFrame:
    """Every claim with its source and the words that state it."""
    rows = []
    for row in claims.sort_values(["agency", "area", "line"]).to_dict("records"):
        role = data.roles.get(row["measure"])
        claim = claim_of(row, data.vocabulary)
        words = figure_text(claim, role, noun=False)
        if row.get("compared_with"):
            words += f", compared with {row['compared_with']}"
        rows.append(
            {
                "Line": int(row["line"]),
                "Agency": row["agency"],
                "Area": row["area"],
                "Measure": role.label if role else row["measure"],
                "Figure": words,
                "Source": cite_cell(citations, row["source_id"]),
                "Quote": row["quote"],
            }
        )
    columns = ["Line", "Agency", "Area", "Measure", "Figure", "Source", "Quote"]
    return pd.DataFrame(rows, columns=columns)


def verification_text(data: ReportData, source_ids: list[str]) -> str:
    """ "verified", "partly verified (2 of 5 sources)" or "not verified": how many of a
    report's sources had their quotes checked against a saved document."""
    sources = data.sources.set_index("source_id")
    flags = [bool(sources.loc[s, "verified"]) for s in source_ids if s in sources.index]
    if flags and all(flags):
        return "verified"
    if any(flags):
        return f"partly verified ({sum(flags)} of {len(flags)} sources)"
    return "not verified"


def sources_html(citations: Citations) -> Markup:
    """The Sources list: exactly the sources the report cited, each with its checking state."""
    if not citations.cited:
        return Markup("<p class='empty'>No sources cited.</p>")
    items = []
    for source_id in citations.cited:
        record = citations.data.source(source_id)
        kind = "primary source" if record.get("kind") == "primary" else "secondary source"
        checked = (
            "quotes checked against the saved document"
            if record.get("verified")
            else "not verified: no saved document to check the quotes against"
        )
        url = str(record.get("url") or "")
        link = Markup(" <a href='{0}'>{0}</a>").format(url) if url else ""
        note = record.get("note")
        noted = f"; {note.strip()}" if isinstance(note, str) and note.strip() else ""
        items.append(
            Markup(
                "<li id='{anchor}'><strong>{cite}</strong> ({kind}{noted}; {checked}; id "
                "<code>{sid}</code>){link}</li>"
            ).format(
                anchor=source_anchor(source_id),
                cite=cite(record),
                kind=kind,
                noted=noted,
                checked=checked,
                sid=source_id,
                link=link,
            )
        )
    return Markup(
        "<ol class='sources'>{}</ol><p class='sources-note'>A “line” after a source is the row "
        "of the data file <code>tallies.csv</code> that records the figure with the source's "
        "words.</p>"
    ).format(Markup("").join(items))


#: Characters above which a figure cell may wrap ("between 800 and 1,000" does not).
WRAP_FIGURES_LONGER_THAN = 24


def table_html(
    frame: pd.DataFrame,
    *,
    caption: str = "",
    quote_columns: tuple[str, ...] = ("Quote",),
    empty: str = "Nothing to show.",
) -> Markup:
    """An HTML table: text left, figures right, quotes marked; every plain cell escaped.

    Built with markupsafe rather than ``DataFrame.to_html`` so each column gets its
    alignment class, and cells that are already Markup (links) are kept as they are.
    """
    if frame.empty:
        return Markup("<p class='empty'>{}</p>").format(empty)

    def css(column: str) -> str:
        if column in NUMERIC_COLUMNS:
            return "num"
        return "quote" if column in quote_columns else ""

    def cell(kind: str, value: ScalarOrNA) -> object:
        if value is None or (not isinstance(value, Markup) and pd.isna(value)):
            return ""
        if kind == "quote" and value:
            return f"“{value!s}”"
        return value if isinstance(value, Markup) else escape(str(value))

    def cell_css(kind: str, value: object) -> str:
        """A figure in words ("an increase of 16%, compared with ...") may wrap; a number not."""
        if kind == "num" and len(str(value)) > WRAP_FIGURES_LONGER_THAN:
            return "num wrap"
        return kind

    classes = [css(str(column)) for column in frame.columns]
    head = Markup("").join(
        Markup("<th class='{}'>{}</th>").format(c, column)
        for c, column in zip(classes, frame.columns, strict=True)
    )
    body = Markup("").join(
        Markup("<tr>{}</tr>").format(
            Markup("").join(
                Markup("<td class='{}'>{}</td>").format(cell_css(c, value), cell(c, value))
                for c, value in zip(classes, row, strict=True)
            )
        )
        for row in frame.itertuples(index=False)
    )
    caption_html = Markup("<caption>{}</caption>").format(caption) if caption else ""
    return Markup(
        "<table class='dataframe report'>{}<thead><tr>{}</tr></thead><tbody>{}</tbody></table>"
    ).format(caption_html, head, body)
