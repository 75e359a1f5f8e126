"""Reconciliation: named checks over every claim, and the figure the reports use for each thing.

:func:`reconcile` returns one row per figure (a measure for an agency and area in one week):
the chosen value, why, and the worst finding about it. :func:`findings` returns every finding
of every check (kind, claims quoted, explanation, decision); :func:`findings_html` shows them
grouped by kind for the source check. Each check is a function with its own one-sentence
``RULE``; :data:`CHECKS` lists them in the order they run.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TypeVar

import numpy as np
import pandas as pd

from sceptre_analysis.vocab import Vocabulary

from .base import Analysis, Check, values
from .computed import RULE as COMPUTED_RULE
from .computed import computed_figures
from .dates import RULE as DATES_RULE
from .dates import dates, decided_periods
from .figures import choose
from .headline import RULE as HEADLINE_RULE
from .headline import headline_body
from .hedge_check import RULE as HEDGE_RULE
from .hedge_check import hedge_compatibility
from .html import findings_html
from .meanings import RULE as MEANINGS_RULE
from .meanings import one_number_two_meanings
from .model import SEVERITIES, ClaimRef, Finding, prepare
from .names import RULE as NAMES_RULE
from .names import operation_names
from .same_figure import ECHO_RULE, same_figure
from .same_figure import RULE as SAME_RULE
from .scope import RULE as SCOPE_RULE
from .scope import scope
from .totals import RULE as TOTALS_RULE
from .totals import parts_and_totals
from .wording import RULE as WORDING_RULE
from .wording import wording

T = TypeVar("T")

__all__ = [
    "CHECKS",
    "ECHO_RULE",
    "FINDING_COLUMNS",
    "SEVERITIES",
    "STATUS_ORDER",
    "Check",
    "ClaimRef",
    "Finding",
    "Reconciliation",
    "analyse",
    "findings",
    "findings_html",
    "reconcile",
]

CHECKS: tuple[Check, ...] = (
    Check("same_figure", SAME_RULE, same_figure),
    Check("hedge_compatibility", HEDGE_RULE, hedge_compatibility),
    Check("parts_and_totals", TOTALS_RULE, parts_and_totals),
    Check("headline_body", HEADLINE_RULE, headline_body),
    Check("one_number_two_meanings", MEANINGS_RULE, one_number_two_meanings),
    Check("dates", DATES_RULE, dates),
    Check("scope", SCOPE_RULE, scope),
    Check("wording", WORDING_RULE, wording),
    Check("operation_names", NAMES_RULE, operation_names),
    Check("computed_figures", COMPUTED_RULE, computed_figures),
)
RULES = {check.name: check.rule for check in CHECKS}

#: Figures are sorted problems first; ``caution`` and ``note`` findings do not change a figure.
STATUS_ORDER = ["conflict", "scope", "caution", "consistent"]
FINDING_COLUMNS = [
    "kind",
    "check",
    "severity",
    "operation",
    "week",
    "agency",
    "area",
    "measure",
    "claims",
    "explanation",
    "decision",
    "chosen",
    "chosen_source",
    "label",
    "lines",
    "rule",
]


@dataclass
class Reconciliation:
    """Every figure with its choice (``figures``), every finding (``findings``) and the dates
    the reports use for each week (``periods``, see :func:`decided_periods`)."""

    figures: pd.DataFrame
    findings: pd.DataFrame
    periods: pd.DataFrame = field(default_factory=pd.DataFrame)


def analyse(
    dataset: object,
    *,
    vocabulary: Vocabulary | None = None,
    checks: tuple[Check, ...] = CHECKS,
    timings: dict[str, float] | None = None,
) -> Reconciliation:
    """Run the checks once over a loaded dataset.

    ``timings``, when given, receives the seconds each step took (``prepare``, ``choose``, one
    entry per check, ``frames``: the findings and figures frames built at the end), for
    bench/bench_reconcile.py.
    """
    clock = _Clock(timings)
    with _collector_paused():
        ctx = clock("prepare", prepare, dataset, vocabulary)
        claims, figures = clock("choose", choose, ctx)
        analysis = Analysis(ctx, claims, figures)
        found: list[Finding] = []
        if not claims.empty:
            for check in checks:
                found.extend(clock(check.name, check.run, analysis))
        return clock("frames", _result, claims, figures, found)


def _result(claims: pd.DataFrame, figures: pd.DataFrame, found: list[Finding]) -> Reconciliation:
    frame = pd.DataFrame([f.as_row() for f in found], columns=FINDING_COLUMNS[:-1])
    frame["rule"] = frame["check"].map(RULES).fillna("")
    if len(frame):
        order = {s: i for i, s in enumerate(SEVERITIES)}
        frame = frame.sort_values(
            ["severity", "kind", "operation", "week", "agency", "measure"],
            key=lambda s: s.map(order) if s.name == "severity" else s,
            kind="stable",
        ).reset_index(drop=True)
    periods = decided_periods(claims) if not claims.empty else pd.DataFrame()
    return Reconciliation(_with_status(figures, frame), frame, periods)


class _Clock:
    """Calls a step and, when asked to, records how long it took."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    def __call__(self, name: str, step: Callable[..., T], *args: object) -> T:
        if self.timings is None:
            return step(*args)
        started = time.perf_counter()
        result = step(*args)
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started
        return result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The steps allocate millions of short-lived objects and keep no cycles worth collecting:
    Python's cyclic garbage collector, run every few hundred allocations, would rescan them
    again and again (about a fifth of the time on 100,000 claims). It is paused, then resumed
    as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _with_status(figures: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """Each figure's status, kinds and explanation from the findings about it."""
    if figures.empty:
        return figures
    figures = figures.copy()
    key = ["operation", "week", "agency", "area", "measure"]
    about = found[found["severity"].isin(["conflict", "scope", "caution"])]
    about = about[about["measure"].isin(set(figures["measure"]))]
    if len(about):
        order = {s: i for i, s in enumerate(SEVERITIES)}
        about = about.assign(_rank=about["severity"].map(order)).sort_values("_rank")
        # per figure, worst first: its status, its kinds once each, its explanations joined
        grouped: dict[tuple, tuple[str, dict[str, None], list[str]]] = {}
        for *place, severity, kind, explanation in zip(
            *(values(about, name) for name in [*key, "severity", "kind", "explanation"]),
            strict=True,
        ):
            _, kinds, explanations = grouped.setdefault(tuple(place), (severity, {}, []))
            kinds[kind] = None
            explanations.append(explanation)
        joined = {k: (v[0], list(v[1]), " ".join(v[2])) for k, v in grouped.items()}
        hits = [
            joined.get(place)
            for place in zip(*(values(figures, name) for name in key), strict=True)
        ]
        mask = np.array([h is not None for h in hits], dtype=bool)
        found_rows = [h for h in hits if h is not None]
        figures.loc[mask, "status"] = [h[0] for h in found_rows]
        figures.loc[mask, "explanation"] = [h[2] for h in found_rows]
        figures["kinds"] = [h[1] if h is not None else [] for h in hits]
    figures["scope_doubtful"] = False
    lists = found[found["measure"] == "(whole list)"]
    for row in lists.itertuples(index=False):  # the figures of a list with the wrong scope
        doubtful = (
            figures["misscoped"]
            & (figures["operation"] == row.operation)
            & (figures["agency"] == row.agency)
            & (figures["area"] == row.area)
        )
        figures.loc[doubtful, "scope_doubtful"] = True
        figures.loc[doubtful, "kinds"] = pd.Series(
            [["whole_list"]] * int(doubtful.sum()), index=figures.index[doubtful], dtype=object
        )
    spans = [
        figures.loc[
            figures["misscoped"]
            & (figures["operation"] == row.operation)
            & (figures["agency"] == row.agency)
            & (figures["area"] == row.area),
            ["period_start", "period_end"],
        ].min()
        for row in lists.itertuples(index=False)
    ]
    extra = pd.DataFrame(
        {
            "period_start": [s["period_start"] for s in spans],
            "period_end": [s["period_end"] for s in spans],
            "operation": lists["operation"],
            "week": lists["week"],
            "agency": lists["agency"],
            "area": lists["area"],
            "area_key": lists["area"],
            "measure": "(whole list)",
            "label": lists["label"],
            "unit": "",
            "status": "scope",
            "kinds": [["whole_list"]] * len(lists),
            "claims": lists["claims"].map(lambda refs: "; ".join(r.figure for r in refs)),
            "explanation": lists["explanation"],
            "chosen": float("nan"),
            "chosen_source": lists["chosen_source"],
            "reason": lists["decision"],
            "lines": lists["lines"],
            "derived": False,
        }
    )
    if len(extra):
        figures = pd.concat([figures, extra], ignore_index=True)
    figures["status"] = pd.Categorical(figures["status"], categories=STATUS_ORDER, ordered=True)
    return figures.sort_values(
        ["status", "operation", "week", "agency", "area", "measure"], kind="stable"
    ).reset_index(drop=True)


def reconcile(
    dataset: object,
    *legacy: object,
    vocabulary: Vocabulary | None = None,
    checks: tuple[Check, ...] = CHECKS,
) -> pd.DataFrame:
    """One row per figure, problems first: the value the reports use and why.

    Columns: operation, week, period_start, period_end, agency, area, area_key, measure,
    label, unit, status (conflict/scope/caution/consistent), kinds (finding kinds about it),
    claims, explanation, chosen, chosen_figure, qualifier, meaning, chosen_source,
    chosen_line (NaN when computed), chosen_lines (the lines a computed figure comes from),
    derived, basis, reason, lines, n_sources, n_releases, verified, misscoped and
    scope_doubtful (the figure comes from a list with the wrong scope); plus one
    ``(whole list)`` row per such list. The findings are in ``.attrs["findings"]``.
    """
    if legacy:  # the former call: reconcile(tallies, sources, measures, qualifiers)
        dataset = SimpleNamespace(tallies=dataset, sources=legacy[0], measures=legacy[1])
    result = analyse(dataset, vocabulary=vocabulary, checks=checks)
    figures = result.figures
    figures.attrs["findings"] = result.findings
    return figures


def findings(dataset: object, *, vocabulary: Vocabulary | None = None) -> pd.DataFrame:
    """Every finding of every check, worst first (columns: :data:`FINDING_COLUMNS`)."""
    return analyse(dataset, vocabulary=vocabulary).findings
