"""What a report notebook calls: one object per report, one method per block.

A notebook makes its report object once and then lays out the blocks::

    report = summary.operation_summary(dataset, operation=..., week=..., agency=...)
    report.show_meta()                       # title, period, status, figures for the build
    display(HTML(report.lede_html()))        # one call per block ...
    report.show_charts()
    display(HTML(report.sources_html()))     # ... the Sources list last: exactly what was cited

The work is done in the modules by job: :mod:`figures` (which figures, their status and
period), :mod:`tables`, :mod:`prose`, :mod:`report_charts` and :mod:`trend`; this module
only assembles them. Every string from the data is HTML-escaped (``markupsafe``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from markupsafe import Markup

from . import charts, prose, tables
from .figures import (
    Citations,
    Figure,
    ReportData,
    _week_claims,
    chosen_figures,
    report_data,
)
from .load import Dataset
from .params import select
from .report_charts import ChartBlock, category_charts
from .report_meta import show_report_meta
from .tables import table_html

__all__ = [
    "operation_summary",
    "source_check",
    "table_html",
    "title_fields",
    "trend_report",
]


def _show_html(markup: Markup) -> None:
    from IPython.display import HTML, display

    display(HTML(str(markup)))


def _overall_status(figures: list[Figure]) -> str:
    """ "2 confirmed, 3 single source, 1 disputed": how far the report's figures can be trusted."""
    counts = {
        s: sum(1 for f in figures if f.status == s)
        for s in ("confirmed", "single source", "not verified", "disputed")
    }
    return ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no figures"


class OperationSummary:
    """One agency's figures for one week of an operation."""

    def __init__(self, dataset: Dataset | ReportData, *, operation: str, week: str, agency: str):
        self.data = report_data(dataset)
        selection = select(self.data.dataset, operation=operation, week=week, agency=agency)
        self.operation, self.agency, self.week = operation, agency, selection.week
        claims = _week_claims(self.data, operation, self.week)
        self.claims = claims[claims["agency"] == agency]
        self.period = self.data.period(operation, self.week, agency, self.claims)
        self.figures = chosen_figures(self.data, operation, self.week, agency)
        rec = self.data.reconciliation(operation, self.week)
        self.rec = rec[rec["agency"] == agency]
        self.citations = Citations(self.data)
        self.charts: list[ChartBlock] = category_charts(
            self.figures,
            self.data.roles,
            agency=agency,
            period=self.period,
            source=self.citations.label,
        )
        self._table = tables.figures_table(self.figures, self.citations, self.data.roles)

    @property
    def title(self) -> str:
        return f"{self.operation}: {self.agency}"

    def meta(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "period": self.period.text,
            "period_wording": self.period.wording,
            "period_heading": self.period.heading,
            "status": _overall_status(self.figures),
            "verification": tables.verification_text(
                self.data, list(dict.fromkeys(f.source_id for f in self.figures))
            ),
            "figures": tables.plain(self._table),
            "charts": [c.meta() for c in self.charts],
        }

    def show_meta(self) -> None:
        """Display the report metadata the build reads (figures CSV, landing page)."""
        show_report_meta(**self.meta())

    def lede_html(self) -> Markup:
        return prose.lede_html(
            self.figures,
            self.data.roles,
            operation=self.operation,
            agency=self.agency,
            period=self.period,
        )

    def figures_table_html(self) -> Markup:
        return table_html(self._table)

    def show_charts(self) -> None:
        """Each chart, or a sentence saying why there is none."""
        if not self.charts:
            _show_html(Markup("<p>The sources give too few comparable figures for a chart.</p>"))
        for block in self.charts:
            charts.show(block.figure, block.alt)

    def other_agencies_html(self) -> Markup:
        frame = tables.other_agencies_table(
            self.data, self.operation, self.week, self.agency, self.citations
        )
        return table_html(frame, empty="The sources give no figures for other agencies this week.")

    def disputes_html(self) -> Markup:
        found = self.data.findings(self.operation, [self.week], self.agency)
        return prose.findings_html(found, self.citations)

    def sources_html(self) -> Markup:
        return tables.sources_html(self.citations)


class SourceCheck:
    """Every claim of one operation week, the contradictions, and the decisions."""

    def __init__(self, dataset: Dataset | ReportData, *, operation: str, week: str):
        self.data = report_data(dataset)
        selection = select(self.data.dataset, operation=operation, week=week)
        self.operation, self.week = operation, selection.week
        self.claims = _week_claims(self.data, operation, self.week)
        claims = self.data.claims
        self.context = claims[(claims["week"] == self.week) & (claims["context"] != "")]
        self.period = self.data.period(operation, self.week, None, self.claims)
        self.rec = self.data.reconciliation(operation, self.week)
        self.citations = Citations(self.data)
        self.figures = [
            figure
            for agency in sorted(set(self.claims["agency"]))
            for figure in chosen_figures(self.data, operation, self.week, agency)
        ]

    @property
    def title(self) -> str:
        return f"{self.operation}: source check"

    def meta(self) -> dict[str, Any]:
        table = self._agreed()
        return {
            "title": self.title,
            "period": self.period.text,
            "period_wording": self.period.wording,
            "period_heading": self.period.heading,
            "status": _overall_status(self.figures),
            "verification": tables.verification_text(
                self.data, sorted(set(self.claims["source_id"]))
            ),
            "figures": tables.plain(table),
            "charts": [],
        }

    def show_meta(self) -> None:
        """Display the report metadata the build reads (figures CSV, landing page)."""
        show_report_meta(**self.meta())

    def overview_html(self) -> Markup:
        return prose.check_overview_html(self.operation, self.period, self.claims, self.rec)

    def findings_html(self) -> Markup:
        """Every reconciliation finding of the week, grouped by kind."""
        found = self.data.findings(self.operation, [self.week])
        return prose.findings_html(found, self.citations)

    def hedges_html(self) -> Markup:
        return table_html(
            tables.hedge_table(self.data, self.claims, self.citations, self.figures),
            empty="No claim this week is hedged.",
        )

    def _agreed(self) -> pd.DataFrame:
        rows = [
            {
                "Agency": f.agency,
                "Area": f.area,
                "Measure": f.role.label,
                "Figure": f.number,
                "Status": tables.status_cell(f),
                "Sources": Markup(", ").join(
                    tables.cite_cell(self.citations, s) for s in f.supporters
                ),
            }
            for f in self.figures
        ]
        return pd.DataFrame(
            rows, columns=["Agency", "Area", "Measure", "Figure", "Status", "Sources"]
        )

    def agreed_html(self) -> Markup:
        """Every figure with its status and the sources that agree on it."""
        return table_html(self._agreed())

    def claims_html(self) -> Markup:
        return table_html(tables.claims_table(self.data, self.claims, self.citations))

    def context_html(self) -> Markup:
        """Context statistics the week's sources give (not results of the week)."""
        return table_html(
            tables.claims_table(self.data, self.context, self.citations),
            empty="The week's sources give no context statistics.",
        )

    def sources_html(self) -> Markup:
        return tables.sources_html(self.citations)


def operation_summary(
    dataset: Dataset | ReportData, *, operation: str, week: str, agency: str
) -> OperationSummary:
    """The report object of ``notebooks/operation_summary.ipynb``."""
    return OperationSummary(dataset, operation=operation, week=week, agency=agency)


def source_check(dataset: Dataset | ReportData, *, operation: str, week: str) -> SourceCheck:
    """The report object of ``notebooks/source_check.ipynb``."""
    return SourceCheck(dataset, operation=operation, week=week)


def trend_report(dataset: Dataset | ReportData, **parameters: Any):
    """The report object of ``notebooks/trend.ipynb`` (see :mod:`sceptre_analysis.trend`)."""
    from .trend import TrendReport

    return TrendReport(report_data(dataset), **parameters)


def title_fields(dataset: Dataset, notebook: str, parameters: Mapping[str, Any]) -> dict[str, str]:
    """``{period}`` and ``{period_heading}`` for a report's title block, from the rows the
    report itself selects (the agency's own rows, not the whole week's)."""
    data = report_data(dataset)
    operation = str(parameters.get("operation") or "")
    week = str(parameters.get("week") or "")
    agency = str(parameters.get("agency") or "")
    try:
        if notebook == "trend":
            given = {k: v for k, v in parameters.items() if k != "data_dir"}
            report = trend_report(data, draw=False, **given)
            return {"period": report.period_text, "period_heading": report.period_heading}
        own = agency if agency and notebook != "source_check" else None
        selection = select(data.dataset, operation=operation, week=week, agency=own)
    except Exception:  # an unknown value is reported by the parameter check, not here
        return {"period": week}
    claims = _week_claims(data, operation, selection.week)
    if own:
        claims = claims[claims["agency"] == own]
    period = data.period(operation, selection.week, own, claims)
    return {"period": period.text, "period_heading": period.heading}
