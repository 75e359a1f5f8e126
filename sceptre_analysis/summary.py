"""The building blocks of the reports: figures chosen, tables, prose and charts.

Notebooks stay short: they pick a :class:`~sceptre_analysis.params.Selection`
and lay out what these functions return. Every string that comes from the
data is HTML-escaped here (``markupsafe``), so a quote containing ``<script>``
is shown, never run.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure

from . import charts
from .load import QUALIFIERS, Dataset
from .metrics import check_hedges, period_days, with_derived
from .narrative import (
    cite,
    format_period,
    format_value,
    hedged_figure,
    join_words,
    spell_small,
)
from .params import Selection
from .reconcile import reconcile

__all__ = [
    "all_claims_table",
    "chosen_figures",
    "conflicts_html",
    "figures_chart",
    "headline_table",
    "hedge_table",
    "lede_html",
    "other_agencies_table",
    "reconciliation",
    "sources_html",
]


def reconciliation(dataset: Dataset, selection: Selection) -> pd.DataFrame:
    """Reconciliation rows for the selected operation and week (all agencies)."""
    frame = reconcile(dataset.tallies, dataset.sources, dataset.measures, QUALIFIERS)
    mask = (frame["operation"].astype(str) == selection.operation) & (
        frame["period_start"] == selection.week
    )
    return frame[mask].reset_index(drop=True)


def chosen_figures(
    dataset: Dataset,
    selection: Selection,
    agency: str | None = None,
    rec: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One figure per measure for an agency: the one reconciliation prefers, with its claim.

    Columns: measure, label, unit, category, value, qualifier, figure (as the
    chosen source words it), per_day, source_id, line, status, explanation.
    """
    agency = agency or selection.agency
    rec = reconciliation(dataset, selection) if rec is None else rec
    doubtful = {
        str(row.area): row.explanation
        for row in rec.itertuples(index=False)
        if str(row.agency) == agency and str(row.status) == "scope"
    }
    rec = rec[(rec["agency"].astype(str) == agency) & (rec["measure"] != "(whole list)")]
    measures = dataset.measures.set_index("measure")
    pool = with_derived(dataset.tallies, dataset.measures)
    rows = []
    for item in rec.itertuples(index=False):
        candidates = pool[
            (pool["measure"].astype(str) == item.measure)
            & (pool["agency"].astype(str) == agency)
            & (pool["area"].astype(str) == str(item.area))
            & (pool["period_start"] == selection.week)
            & (pool["source_id"].astype(str) == item.chosen_source)
        ]
        exact = candidates[candidates["qualifier"].astype(str) == ""]
        best = (exact if not exact.empty else candidates).iloc[0]
        info = measures.loc[item.measure]
        stated = candidates[~candidates["derived"].astype(bool)]
        hedged_claims = stated[stated["qualifier"].astype(str) != ""]
        days = period_days(best["period_start"], best["period_end"])
        rows.append(
            {
                "measure": item.measure,
                "label": info["label"],
                "unit": info["unit"],
                "category": info["category"],
                "area": str(item.area),
                "value": float(best["value"]),
                "qualifier": str(best["qualifier"] or ""),
                "figure": hedged_figure(
                    float(best["value"]),
                    unit=str(info["unit"]),
                    noun=str(info["noun"] or ""),
                    noun_plural=info["noun_plural"] or None,
                ),
                "as_stated": "; ".join(
                    hedged_figure(
                        float(h.value),
                        qualifier=str(h.qualifier),
                        unit=str(info["unit"]),
                        noun=str(info["noun"] or ""),
                        noun_plural=info["noun_plural"] or None,
                    )
                    for h in hedged_claims.itertuples()
                ),
                "derived": bool(best["derived"]),
                "basis": str(best.get("basis") or ""),
                "per_day": float(best["value"]) / days if info["unit"] != "days" else pd.NA,
                "source_id": item.chosen_source,
                "line": None if best["derived"] else int(best["line"]),
                "lines": list(best["lines"]) if best["derived"] else [int(best["line"])],
                "status": "scope" if str(item.area) in doubtful else str(item.status),
                "explanation": doubtful.get(str(item.area), item.explanation),
            }
        )
    return pd.DataFrame(rows)


def _source_names(dataset: Dataset) -> dict[str, str]:
    return {
        str(row.source_id): str(row.publisher) for row in dataset.sources.itertuples(index=False)
    }


CHECK_WORDS = {
    "conflict": "sources disagree (see source check)",
    "scope": "scope doubtful (see source check)",
    "consistent": "consistent",
}


def headline_table(figures: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """The figures table readers see first: measure, figure, per day, source, check."""
    names = _source_names(dataset)
    order = {"seizures": 0, "enforcement": 1, "prevention": 2, "duration": 3}
    shown = figures.assign(_order=figures["category"].astype(str).map(order)).sort_values(
        ["_order", "value"], ascending=[True, False]
    )
    table = pd.DataFrame(
        {
            "Measure": shown["label"],
            "Figure": [
                format_value(v, u) for v, u in zip(shown["value"], shown["unit"], strict=True)
            ],
            "Per day": [
                "" if pd.isna(p) else format_value(round(p), "GBP" if u == "GBP" else "count")
                for p, u in zip(shown["per_day"], shown["unit"], strict=True)
            ],
            "Source": [
                f"{names.get(s, s)} (tallies.csv line {lines[0]})"
                if len(lines) == 1
                else f"{names.get(s, s)} (sum of tallies.csv lines "
                f"{join_words([str(n) for n in lines])})"
                for s, lines in zip(shown["source_id"], shown["lines"], strict=True)
            ],
            "Check": [CHECK_WORDS.get(status, status) for status in shown["status"]],
        }
    )
    return table.reset_index(drop=True)


def lede_html(figures: pd.DataFrame, selection: Selection) -> Markup:
    """The opening paragraph, written from the chosen figures, hedges kept."""
    by_category: dict[str, list[str]] = {}
    for row in figures.itertuples(index=False):
        if row.measure == "weapons_total" and row.derived:
            continue  # its parts are listed; the total gets its own sentence
        by_category.setdefault(str(row.category), []).append(row.figure)
    period = format_period(selection.week, selection.period_end)
    agency = str(selection.agency)
    subject = (
        f"officers of {agency[0].lower()}{agency[1:]}"
        if agency.lower().startswith("all ")
        else f"{agency} officers"
    )
    area = join_words(sorted({str(a) for a in figures.get("area", [])}))
    sentences = []
    if "status" in figures and (figures["status"] == "scope").any():
        sentences.append(
            "Caution: the scope the source gives for these figures is doubtful "
            "(see “Where the sources disagree”)."
        )
    opening = f"During {selection.operation}, from {period}"
    if area:
        opening += f" ({area})"
    if by_category.get("seizures"):
        sentences.append(
            f"{opening}, {subject} recovered or seized {join_words(by_category['seizures'])}."
        )
        if by_category.get("enforcement"):
            sentences.append(f"The sources record {join_words(by_category['enforcement'])}.")
    elif by_category.get("enforcement"):
        sentences.append(f"{opening}, the sources record {join_words(by_category['enforcement'])}.")
    else:
        sentences.append(f"{opening}, the sources give no figures for {agency}.")
    total = figures[figures["measure"] == "weapons_total"]
    if not total.empty:
        row = total.iloc[0]
        if row["derived"] and row["as_stated"]:
            sentences.append(
                f"That is {row['figure']} in all ({row['basis']}), which the sources "
                f"reported as “{row['as_stated']}”."
            )
        elif row["derived"]:
            sentences.append(f"That is {row['figure']} in all ({row['basis']}).")
    arrests = figures[figures["measure"] == "arrests"]
    if not arrests.empty and selection.days:
        per_day = float(arrests.iloc[0]["value"]) / selection.days
        sentences.append(
            f"Over {spell_small(selection.days)} days that is about "
            f"{format_value(round(per_day))} arrests a day."
        )
    if by_category.get("prevention"):
        sentences.append(
            f"Alongside enforcement, the figures record {join_words(by_category['prevention'])}."
        )
    return Markup("<p class='lede'>{}</p>").format(" ".join(sentences))


def chart_title(figures: pd.DataFrame, shown: pd.DataFrame, measures: pd.DataFrame) -> str:
    """A title that states the finding: a component's share of its total, else the lead.

    "Knives were 76% of the 245 weapons recovered"; "Arrests outnumbered people
    referred to intervention programmes 23 to 1".
    """
    by_measure = figures.set_index("measure")
    for total in measures.itertuples(index=False):
        parts = [p for p in total.total_of if p in set(shown["measure"])]
        if not parts or total.measure not in by_measure.index:
            continue
        if not set(shown["measure"]) <= set(total.total_of):
            continue  # the chart shows more than the parts: a share would mislabel it
        total_value = float(by_measure.loc[total.measure, "value"])
        part = max(parts, key=lambda p: float(by_measure.loc[p, "value"]))
        if total_value:
            share = float(by_measure.loc[part, "value"]) / total_value
            noun_plural = by_measure.loc[part, "figure"].split(" ", 1)[-1]
            return (
                f"{noun_plural[0].upper()}{noun_plural[1:]} were {share:.0%} of the "
                f"{by_measure.loc[total.measure, 'figure']} recovered"
            )
    first, second = shown.iloc[0], shown.iloc[1]
    ratio = first["value"] / second["value"] if second["value"] else 0
    if ratio >= 2:
        return f"{first['label']} outnumbered {second['label'].lower()} {ratio:.0f} to 1"
    return f"{first['figure'][0].upper()}{first['figure'][1:]}: the largest figure"


def figures_chart(
    figures: pd.DataFrame,
    categories: list[str],
    *,
    source: str,
    colour: int = 0,
    measures: pd.DataFrame | None = None,
) -> tuple[Figure, str] | None:
    """A bar chart of the chosen count figures in ``categories``, titled with its finding.

    ``None`` when fewer than two figures qualify: a one-bar chart tells nothing.
    """
    if measures is None:
        measures = pd.DataFrame({"measure": [], "total_of": []})
    shown = figures[
        figures["category"].astype(str).isin(categories)
        & (figures["unit"].astype(str) == "count")
        & ~((figures["measure"] == "weapons_total") & figures["derived"])
    ]
    if len(shown) < 2:
        return None  # one bar says nothing the headline table does not
    shown = shown.sort_values("value", ascending=False)
    title = chart_title(figures, shown, measures)
    labels = list(shown["label"])
    values = [float(v) for v in shown["value"]]
    fig = charts.bar_chart(labels, values, title=title, source=source, colour=colour)
    return fig, charts.bar_chart_alt(title, labels, values, "count")


def other_agencies_table(
    dataset: Dataset, selection: Selection, rec: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Figures other agencies (or wider scopes) reported for the same operation week."""
    rec = reconciliation(dataset, selection) if rec is None else rec
    doubtful = {
        (str(row.agency), str(row.area)): row.label
        for row in rec.itertuples(index=False)
        if str(row.status) == "scope"
    }
    rec = rec[(rec["agency"].astype(str) != selection.agency) & (rec["measure"] != "(whole list)")]
    rec = rec[~rec["measure"].isin(["operation_days"])]
    measures = dataset.measures.set_index("measure")
    names = _source_names(dataset)
    rows = []
    for item in rec.itertuples(index=False):
        info = measures.loc[item.measure]
        note = doubtful.get((str(item.agency), str(item.area)), "")
        rows.append(
            {
                "Agency": str(item.agency),
                "Area (as stated)": str(item.area),
                "Measure": info["label"],
                "Figure": format_value(item.chosen, str(info["unit"])),
                "Source": names.get(str(item.chosen_source), str(item.chosen_source)),
                "Note": f"scope doubtful: {note}" if note else "",
            }
        )
    columns = ["Agency", "Area (as stated)", "Measure", "Figure", "Source", "Note"]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["Agency", "Area (as stated)", "Measure"]).reset_index(drop=True)


def conflicts_html(rec: pd.DataFrame, *, heading_level: int = 3) -> Markup:
    """Each conflict or scope problem as a short titled paragraph a reader understands."""
    problems = rec[rec["status"].astype(str) != "consistent"]
    if problems.empty:
        return Markup("<p>No contradictions among these claims.</p>")
    parts = []
    for row in problems.itertuples(index=False):
        if str(row.status) == "scope":
            heading = Markup("Scope: {}").format(row.label[0].upper() + row.label[1:])
            used = ""
        else:
            heading = Markup("Conflict: {} — {} ({})").format(row.label, row.agency, row.area)
            used = Markup("The reports use {}. ").format(format_value(row.chosen, str(row.unit)))
        parts.append(
            Markup(
                "<section class='finding'><h{lvl}>{heading}</h{lvl}><p>{explanation}</p>"
                "<p class='decision'><strong>Decision:</strong> {used}{reason}</p></section>"
            ).format(
                lvl=heading_level,
                heading=heading,
                explanation=row.explanation,
                used=used,
                reason=row.reason,
            )
        )
    return Markup("").join(parts)


def hedge_table(dataset: Dataset, selection: Selection) -> pd.DataFrame:
    """Hedged claims ("more than 240") and whether the exact figures bear them out."""
    checks = check_hedges(dataset.tallies, dataset.measures, QUALIFIERS)
    if checks.empty:
        return pd.DataFrame(columns=["Line", "Source", "Claim", "Checked against", "Holds"])
    checks = checks[
        (checks["operation"].astype(str) == selection.operation)
        & (checks["period_start"] == selection.week)
    ]
    names = _source_names(dataset)
    return pd.DataFrame(
        {
            "Line": checks["line"].astype(int),
            "Source": [names.get(str(s), str(s)) for s in checks["source_id"]],
            "Claim": checks["claim"],
            "Checked against": checks["basis"],
            "Holds": ["yes" if h is True else "no" if h is False else "–" for h in checks["holds"]],
        }
    ).reset_index(drop=True)


def all_claims_table(dataset: Dataset, selection: Selection) -> pd.DataFrame:
    """Every claim for the week with its source and the words that state it."""
    tallies = dataset.tallies
    tallies = tallies[
        (tallies["operation"].astype(str) == selection.operation)
        & (tallies["period_start"] == selection.week)
    ]
    names = _source_names(dataset)
    return pd.DataFrame(
        {
            "Line": tallies["line"].astype(int),
            "Agency": tallies["agency"].astype(str),
            "Area": tallies["area"].astype(str),
            "Measure": tallies["label"].astype(str),
            "Figure": [
                hedged_figure(v, qualifier=str(q), unit=str(u))
                for v, q, u in zip(
                    tallies["value"], tallies["qualifier"], tallies["unit"], strict=True
                )
            ],
            "Source": [names.get(str(s), str(s)) for s in tallies["source_id"]],
            "Quote": tallies["quote"].astype(str),
        }
    ).reset_index(drop=True)


def sources_html(dataset: Dataset, source_ids: list[str] | None = None) -> Markup:
    """A numbered list of the sources cited, with the document each was checked against."""
    sources = dataset.sources
    if source_ids is not None:
        sources = sources[sources["source_id"].astype(str).isin(source_ids)]
    items = []
    for row in sources.itertuples(index=False):
        record = row._asdict()
        kind = "primary source" if str(record.get("kind")) == "primary" else "secondary source"
        url = record.get("url") or ""
        link = Markup(" <a href='{0}'>{0}</a>").format(url) if url else ""
        items.append(
            Markup("<li><strong>{cite}</strong> ({kind}; id <code>{sid}</code>){link}</li>").format(
                cite=cite(record), kind=kind, sid=record["source_id"], link=link
            )
        )
    return Markup("<ol class='sources'>{}</ol>").format(Markup("").join(items))


NUMERIC_COLUMNS = frozenset({"Line", "Figure", "Per day", "Value", "Holds"})
"""Columns shown right-aligned: figures line up by their last digit."""


def table_html(
    frame: pd.DataFrame, *, caption: str = "", quote_columns: tuple[str, ...] = ("Quote",)
) -> Markup:
    """An escaped HTML table: text left, figures right, quotes marked; no index column.

    Built with markupsafe rather than ``DataFrame.to_html`` so each column gets
    its alignment class, and every cell is escaped whatever the data holds.
    """
    if frame.empty:
        return Markup("<p class='empty'>None.</p>")

    def css(column: str) -> str:
        if column in NUMERIC_COLUMNS:
            return "num"
        return "quote" if column in quote_columns else ""

    classes = [css(str(column)) for column in frame.columns]
    head = Markup("").join(
        Markup("<th class='{}'>{}</th>").format(c, column)
        for c, column in zip(classes, frame.columns, strict=True)
    )
    body = Markup("").join(
        Markup("<tr>{}</tr>").format(
            Markup("").join(
                Markup("<td class='{}'>{}</td>").format(
                    c, f"“{value}”" if c == "quote" and value else ("" if pd.isna(value) else value)
                )
                for c, value in zip(classes, row, strict=True)
            )
        )
        for row in frame.itertuples(index=False)
    )
    caption_html = Markup("<caption>{}</caption>").format(caption) if caption else ""
    return Markup(
        "<table class='dataframe report'>{}<thead><tr>{}</tr></thead><tbody>{}</tbody></table>"
    ).format(caption_html, head, body)


def source_line(dataset: Dataset, figures: pd.DataFrame) -> str:
    """ "Metropolitan Police Service, 19 November 2020; Surrey Comet, undated" for chart feet."""
    ids = list(dict.fromkeys(str(s) for s in figures.get("source_id", [])))
    sources = dataset.sources.set_index(dataset.sources["source_id"].astype(str))
    parts = []
    for source_id in ids:
        if source_id in sources.index:
            row = sources.loc[source_id]
            parts.append(cite({**row.to_dict(), "title": ""}))
    return "; ".join(parts) or "sceptre-analysis data"


def consistent_table(rec: pd.DataFrame) -> pd.DataFrame:
    """Figures that more than one claim supports, with how they agree."""
    agreed = rec[(rec["status"].astype(str) == "consistent") & (rec["lines"].map(len) > 1)]
    return pd.DataFrame(
        {
            "Agency": agreed["agency"].astype(str),
            "Area": agreed["area"].astype(str),
            "Measure": agreed["label"].astype(str),
            "Agreement": agreed["explanation"].astype(str),
        }
    ).reset_index(drop=True)


def check_overview_html(dataset: Dataset, selection: Selection, rec: pd.DataFrame) -> Markup:
    """Opening paragraph of the source check: how many claims, sources and problems."""
    claims = selection.tallies
    n_sources = claims["source_id"].nunique()
    conflicts = int((rec["status"].astype(str) == "conflict").sum())
    scopes = int((rec["status"].astype(str) == "scope").sum())
    agreed = int(((rec["status"].astype(str) == "consistent") & (rec["lines"].map(len) > 1)).sum())
    period = format_period(selection.week, selection.period_end)
    problems = []
    if conflicts:
        problems.append(
            f"{spell_small(conflicts)} figure{'s' if conflicts != 1 else ''} on which "
            "they contradict each other"
        )
    if scopes:
        problems.append(
            f"{spell_small(scopes)} list{'s' if scopes != 1 else ''} whose stated "
            "scope does not fit its figures"
        )
    text = (
        f"For {selection.operation}, {period}, the data holds {format_value(len(claims))} claims "
        f"from {spell_small(n_sources)} source{'s' if n_sources != 1 else ''}. "
    )
    if problems:
        text += f"Reconciliation finds {join_words(problems)}. "
    else:
        text += "Reconciliation finds no contradictions. "
    text += (
        f"{spell_small(agreed).capitalize()} figure{'s are' if agreed != 1 else ' is'} "
        "confirmed by more than one claim. Where sources disagree, the reports use the agency's "
        "own release over a secondary article, and an exact figure over a hedged one."
    )
    return Markup("<p class='lede'>{}</p>").format(text)


def show_figures_chart(
    dataset: Dataset, figures: pd.DataFrame, categories: list[str], *, colour: int = 0
) -> None:
    """Display the chart of ``categories`` in a notebook, or say why there is none."""
    from IPython.display import HTML, display

    chart = figures_chart(
        figures,
        categories,
        source=source_line(dataset, figures),
        colour=colour,
        measures=dataset.measures,
    )
    if chart is None:
        display(HTML("<p>The sources give fewer than two figures to compare here: no chart.</p>"))
    else:
        charts.show(*chart)
