"""Check a draft's figures against the checked data before it goes out.

A press office or newsroom runs a draft (release, article, briefing) against ``data/`` and
gets each figure marked:

* **supported**: the data holds it (a hedge counts when it holds: "more than 240" of 245),
  with the source and the words that state it;
* **contradicted**: the data says otherwise, with the figure the reports use and why: the
  number belongs to another force in the same week (*wrong force*), a force's figure is
  presented for a wider area (*wrong scope*), a length or dates do not fit the week
  (*wrong length*, *wrong dates*, *wrong weekday*), a hedge cannot hold (*hedge cannot hold*)
  or the figure simply differs;
* **unsupported**: the data has nothing to hold it against; the verdict says what it has nearby.

The engine knows no measure, agency or hedge by name: measures, agencies, their kinds and
areas and the hedge words come from the data folder (see ``docs/data-model.md``).  Which figure
"the reports use" is the one reconciliation chooses (:func:`summary.chosen_figures`).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from . import hedges
from .errors import SceptreError
from .load import Dataset
from .narrative import format_date, format_period, format_value, hedged_figure, join_words
from .vocab import Vocabulary, fold, load_vocabulary

__all__ = [
    "SYMBOLS",
    "VERDICTS",
    "CheckResult",
    "DraftCheck",
    "DraftFigure",
    "Evidence",
    "FactCheckError",
    "Verdict",
    "check_figures",
    "marked_draft_html",
    "render",
    "report_fields",
    "run_check",
    "scope_phrases",
    "show_report_meta",
    "sources_html",
    "summary_html",
    "verdict_frame",
    "verdict_records",
    "verdict_table_html",
]

VERDICTS: tuple[str, ...] = ("supported", "contradicted", "unsupported")
#: A mark per verdict, so a printout in grey still shows which is which.
SYMBOLS: dict[str, str] = {"supported": "✓", "contradicted": "✗", "unsupported": "?"}
#: Agency kinds from widest to narrowest (see ``agencies.csv``): a figure of a narrower kind
#: presented for a wider one is a scope error.
_KIND_WIDTH = {"national": 2, "other": 1, "force": 0}
_DURATION = "duration"
_MAX_NEARBY = 4
_CUES_FILE = "extraction_cues.csv"


class FactCheckError(SceptreError, ValueError):
    """A filter names something the data lacks; the message lists what it has."""


# --------------------------------------------------------------------------------------------
# What goes in and what comes out
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftFigure:
    """A figure found in a draft, with what its context says it is about.

    ``kind`` is ``"figure"`` for a number (a count, an amount, a length in days) or
    ``"period"`` for dates the draft states; ``weekdays`` pairs each date with the weekday
    name the draft gives it ("Monday 9 November").  ``agency`` and ``measure`` may be any
    name or alias of the vocabulary; ``area`` is the scope in the draft's words.
    """

    value: float = math.nan
    text: str = ""
    start: int = -1
    end: int = -1
    value_high: float | None = None
    qualifier: str = ""
    measure: str | None = None
    agency: str | None = None
    area: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    weekdays: tuple[tuple[dt.date, str], ...] = ()
    kind: str = "figure"
    operation: str | None = None


@dataclass(frozen=True)
class Evidence:
    """A figure of the data, with where it comes from."""

    agency: str
    area: str
    measure: str
    label: str
    value: float
    qualifier: str
    unit: str
    figure: str
    source_id: str
    publisher: str
    quote: str
    lines: tuple[int, ...]
    verified: bool
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    value_high: float | None = None
    basis: str = ""
    status: str = ""
    explanation: str = ""
    primary: bool = False

    @property
    def citation(self) -> str:
        """ "Metropolitan Police Service, tallies.csv line 6" (+ "quote not verified")."""
        lines = join_words([str(n) for n in self.lines])
        where = f"tallies.csv line{'s' if len(self.lines) > 1 else ''} {lines}" if lines else ""
        parts = [self.publisher or self.source_id, where]
        if not self.verified:
            parts.append("quote not verified")
        if self.basis:
            parts.append(f"computed from {self.basis}")
        return ", ".join(p for p in parts if p)

    @property
    def who(self) -> str:
        """ "the Metropolitan Police Service (London)"."""
        shown = self.area and "(" not in self.agency
        return f"the {self.agency}" + (f" ({self.area})" if shown else "")


@dataclass(frozen=True)
class Verdict:
    """One figure's verdict, with the reason in words and the data it was checked against."""

    number: int
    figure: DraftFigure
    verdict: str
    why: str
    reason: str
    checked: str = ""
    reported: Evidence | None = None
    other: Evidence | None = None
    nearby: tuple[str, ...] = ()
    matched: Evidence | None = None
    """The source's own words for the figure, when they word it as the draft does."""

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.verdict]

    @property
    def evidence(self) -> Evidence | None:
        """What the verdict rests on: the other force's figure for a wrong force or scope,
        else the claim worded as the draft words it, else the figure the reports use."""
        return self.other or self.matched or self.reported


@dataclass
class CheckResult:
    """Every verdict for one draft, plus notes about the draft as a whole."""

    verdicts: list[Verdict]
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found = Counter(v.verdict for v in self.verdicts)
        return {name: found.get(name, 0) for name in VERDICTS}

    @property
    def contradicted(self) -> bool:
        return any(v.verdict == "contradicted" for v in self.verdicts)

    def summary(self) -> str:
        """ "12 figures: 9 supported, 2 contradicted, 1 unsupported"."""
        n = len(self.verdicts)
        if not n:
            return "no figures found"
        parts = ", ".join(f"{count} {name}" for name, count in self.counts().items())
        return f"{n} figure{'' if n == 1 else 's'}: {parts}"


# --------------------------------------------------------------------------------------------
# The data, arranged for checking
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Week:
    operation: str  # as spelled in tallies.csv
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def text(self) -> str:
        return format_period(self.start, self.end)

    @property
    def key(self) -> str:
        return self.start.date().isoformat()

    @property
    def days(self) -> int:
        return int((self.end - self.start).days) + 1


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _Data:
    """The dataset with canonical names, its weeks, and the figures the reports use."""

    def __init__(self, dataset: Dataset, vocabulary: Vocabulary | None = None) -> None:
        self.dataset = dataset
        self.vocabulary = vocabulary or load_vocabulary(dataset.data_dir)
        tallies = dataset.tallies
        if "context" in tallies.columns:  # context statistics are never a week's result
            tallies = tallies[tallies["context"].astype(str) == ""]
        if "week" not in tallies.columns:  # older loader: a claim's week is its first day
            tallies = tallies.assign(week=tallies["period_start"])
        # claims that cannot be placed in a week (validate lists them) are not checked against
        tallies = tallies[tallies["week"].notna()]
        self.tallies = tallies.assign(
            canon_agency=[self.agency_name(a) or str(a) for a in tallies["agency"].astype(str)],
            canon_operation=[self.operation_name(o) for o in tallies["operation"].astype(str)],
            canon_measure=tallies["measure"].astype(str),
        )
        measures = dataset.measures.set_index(dataset.measures["measure"].astype(str))
        self.measures = measures
        self.sources = dataset.sources.set_index(dataset.sources["source_id"].astype(str))
        # reconciliation is the slow part: kept per dataset object, for every check of it
        cached = _CACHE.setdefault(dataset, ({}, {}))
        self._reported: dict[tuple[str, str, str], dict[str, Evidence]] = cached[0]
        self._recs: dict[tuple[str, str], pd.DataFrame] = cached[1]

    # ---- names ------------------------------------------------------------------------------

    def agency_name(self, name: str | None) -> str | None:
        if not name or not str(name).strip():
            return None
        return self.vocabulary.agency_names.resolve(str(name))

    def operation_name(self, name: str) -> str:
        return self.vocabulary.operation_names.resolve(name) or name

    def measure_name(self, name: str | None) -> str | None:
        if not name:
            return None
        return self.vocabulary.measure_for(name, self.measures.index)

    def agency_kind(self, agency: str | None) -> str:
        info = self.vocabulary.agencies.get(agency or "")
        return info.kind if info is not None else ""

    def agency_area(self, agency: str) -> str:
        info = self.vocabulary.agencies.get(agency)
        return info.area if info is not None else ""

    def unit_kind(self, measure: str) -> str:
        if measure not in self.measures.index:
            return ""
        unit = self.vocabulary.units.get(str(self.measures.loc[measure, "unit"]))
        return unit.kind if unit is not None else ""

    def label(self, measure: str) -> str:
        if measure in self.measures.index:
            return str(self.measures.loc[measure, "label"])
        return measure

    def words(self, measure: str | None, value: float, qualifier: str = "", high=None) -> str:
        """A figure in words: "more than 240 knives and other weapons recovered"-style."""
        if measure and measure in self.measures.index:
            info = self.measures.loc[measure]
            unit = str(info["unit"])
            kind = self.unit_kind(measure)
            if kind == _DURATION:
                text = f"{format_value(value, unit)} day{'' if value == 1 else 's'}"
                return f"{qualifier} {text}".strip()
            if high is not None and not pd.isna(high):
                number = f"{format_value(value, unit)} and {format_value(high, unit)}"
                return f"{qualifier or 'between'} {number} {self.label(measure).lower()}"
            return hedged_figure(
                value,
                qualifier=qualifier,
                unit=unit,
                noun=str(info["noun"] or ""),
                noun_plural=info["noun_plural"] or None,
            )
        return f"{qualifier} {format_value(value)}".strip()

    @cached_property
    def scope_words(self) -> dict[str, str]:
        """Folded scope words -> agency: agency names, aliases and areas, the areas tallies.csv
        gives, and the national scope cues extraction reads (``extraction_cues.csv``)."""
        found: dict[str, str] = {}
        for spelling, agency in self.vocabulary.agency_names.spellings():
            found.setdefault(spelling, agency)
        national = [a.name for a in self.vocabulary.agencies.values() if a.kind == "national"]
        if len(national) == 1:
            for cue in _national_cues(self.dataset.data_dir):
                found.setdefault(fold(cue), national[0])
        for info in self.vocabulary.agencies.values():
            if info.area:
                found.setdefault(fold(info.area), info.name)
        for area, agency in zip(
            self.tallies["area"].astype(str), self.tallies["canon_agency"], strict=True
        ):
            if area.strip():
                found.setdefault(fold(area), agency)
        return found

    def scope_agency(self, area: str) -> str | None:
        """The agency whose scope the draft's words name ("across the country" -> national)."""
        if not area.strip():
            return None
        words = fold(area)
        if words in self.scope_words:
            return self.scope_words[words]
        # the longest known scope phrase inside the words ("the streets of London")
        best = None
        for phrase, agency in self.scope_words.items():
            inside = len(phrase) > 3 and f" {phrase} " in f" {words} "
            if inside and (best is None or len(phrase) > len(best[0])):
                best = (phrase, agency)
        return best[1] if best else None

    # ---- weeks ------------------------------------------------------------------------------

    @cached_property
    def weeks(self) -> list[_Week]:
        """(operation, week) pairs; a week runs to the last day its exact periods give."""
        t = self.tallies
        exact = (
            t["period_kind"].astype(str) == "exact"
            if "period_kind" in t.columns
            else pd.Series(True, index=t.index)
        )
        weeks: dict[tuple[str, pd.Timestamp], _Week] = {}
        for operation, key, end, is_exact in zip(
            t["operation"].astype(str), t["week"], t["period_end"], exact, strict=True
        ):
            start = pd.Timestamp(key)
            stop = pd.Timestamp(end) if is_exact and pd.notna(end) else start
            known = weeks.get((operation, start))
            if known is None or stop > known.end:
                weeks[(operation, start)] = _Week(operation, start, max(stop, start))
        return sorted(weeks.values(), key=lambda w: (w.start, w.operation))

    def week_rows(self, week: _Week) -> pd.DataFrame:
        t = self.tallies
        return t[(t["operation"].astype(str) == week.operation) & (t["week"] == week.start)]

    def agencies_in(self, week: _Week) -> list[str]:
        return sorted(set(self.week_rows(week)["canon_agency"]))

    def week_for_dates(
        self, start: dt.date | None, end: dt.date | None, operation: str | None = None
    ) -> _Week | None:
        """The week whose period overlaps the dates (the one overlapping most)."""
        if start is None:
            return None
        first, last = pd.Timestamp(start), pd.Timestamp(end or start)
        best: tuple[int, _Week] | None = None
        for week in self.weeks:
            if operation and self.operation_name(week.operation) != operation:
                continue
            overlap = (min(last, week.end) - max(first, week.start)).days + 1
            if overlap > 0 and (best is None or overlap > best[0]):
                best = (overlap, week)
        return best[1] if best else None

    def period_of(self, week: _Week, agency: str | None) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The agency's stated period in the week (its rows' dates), else the week's."""
        rows = self.week_rows(week)
        if "period_kind" in rows.columns:
            rows = rows[rows["period_kind"].astype(str) == "exact"]
        if agency:
            rows = rows[rows["canon_agency"] == agency]
        if rows.empty:
            return week.start, week.end
        ends = rows["period_end"].value_counts()
        return pd.Timestamp(rows["period_start"].iloc[0]), pd.Timestamp(ends.index[0])

    # ---- the figures the reports use ----------------------------------------------------------

    def reported(self, week: _Week, agency: str) -> dict[str, Evidence]:
        """measure -> the figure the reports use for this agency and week."""
        key = (week.operation, week.key, agency)
        if key not in self._reported:
            self._reported[key] = self._chosen(week, agency)
        return self._reported[key]

    def _chosen(self, week: _Week, agency: str) -> dict[str, Evidence]:
        spellings = sorted(
            set(self.week_rows(week).query("canon_agency == @agency")["agency"].astype(str))
        )
        if not spellings:
            return {}
        found = self._from_figures(self._figures(), week, agency)
        for row in self._derived(week, agency, spellings):
            if str(row.measure) not in found:
                found[str(row.measure)] = self._evidence(row, agency, week)
        return found

    def _figures(self) -> pd.DataFrame:
        """Reconciliation's figure table: one row per figure, with the one the reports use."""
        from .reconcile import reconcile

        if ("all", "") not in self._recs:
            self._recs[("all", "")] = reconcile(self.dataset)
        return self._recs[("all", "")]

    def _from_figures(self, figures: pd.DataFrame, week: _Week, agency: str) -> dict[str, Evidence]:
        # reconciliation may key a week by another of its first days than the loader does
        # (two sources starting a day apart): a figure whose own period starts the week counts
        same_week = pd.to_datetime(figures["period_start"]) == week.start
        if "week" in figures.columns:
            same_week |= pd.to_datetime(figures["week"]) == week.start
        rows = figures[
            (figures["operation"].astype(str) == week.operation)
            & same_week
            & (figures["measure"].astype(str) != "(whole list)")
        ]
        found: dict[str, Evidence] = {}
        for row in _rows(rows):
            if self.agency_name(str(row.agency)) != agency or pd.isna(row.chosen):
                continue
            measure = str(row.measure)
            if measure in found and str(row.area) != self.agency_area(agency):
                continue
            lines = [int(n) for n in (row.chosen_lines or [])]
            doubtful = bool(getattr(row, "scope_doubtful", False)) or str(row.status) == "scope"
            found[measure] = self._evidence(
                SimpleNamespace(
                    measure=measure,
                    area=str(row.area),
                    label=str(row.label),
                    value=float(row.chosen),
                    qualifier=str(row.qualifier or ""),
                    unit=str(row.unit),
                    source_id=str(row.chosen_source),
                    lines=lines,
                    basis=str(row.basis or ""),
                    derived=bool(row.derived),
                    status="scope" if doubtful else str(row.status),
                    explanation=str(row.explanation or ""),
                ),
                agency,
                week,
            )
        return found

    def _derived(self, week: _Week, agency: str, spellings: list[str]) -> list[SimpleNamespace]:
        """Totals no source states but the data's exact parts add up to (primary first)."""
        from .metrics import derived_totals

        rows = self.week_rows(week)
        totals = derived_totals(rows[rows["canon_agency"] == agency], self.dataset.measures)
        found = []
        for row in _rows(totals):
            measure = str(row.measure)
            found.append(
                SimpleNamespace(
                    **row._asdict(),
                    label=self.label(measure),
                    unit=str(self.measures.loc[measure, "unit"]),
                    status="consistent",
                    explanation="",
                )
            )
        found.sort(key=lambda r: not self.primary(str(r.source_id)))
        return found

    def _evidence(self, row, agency: str, week: _Week) -> Evidence:
        lines = tuple(int(n) for n in row.lines)
        t = self.tallies
        stated = t[t["line"].isin(lines)]
        quote = " … ".join(str(q) for q in stated["quote"]) if not stated.empty else ""
        source_id = str(row.source_id)
        qualifier = str(row.qualifier or "")
        value_high = None
        if len(stated) == 1 and "value_high" in stated.columns:
            high = stated["value_high"].iloc[0]
            value_high = None if pd.isna(high) else float(high)
        start, end = (
            (stated["period_start"].iloc[0], stated["period_end"].iloc[0])
            if not stated.empty
            else (week.start, week.end)
        )
        return Evidence(
            agency=agency,
            area=str(row.area),
            measure=str(row.measure),
            label=str(row.label),
            value=float(row.value),
            qualifier=qualifier,
            unit=str(row.unit),
            figure=self.words(str(row.measure), float(row.value), qualifier, value_high),
            source_id=source_id,
            publisher=self.publisher(source_id),
            quote=quote,
            lines=lines,
            verified=self.verified(source_id),
            period_start=pd.Timestamp(start),
            period_end=pd.Timestamp(end),
            value_high=value_high,
            basis=str(row.basis or "") if bool(row.derived) else "",
            status=str(row.status),
            explanation=str(row.explanation or ""),
            primary=self.primary(source_id),
        )

    def stated(self, week: _Week, agency: str, measure: str) -> list[Evidence]:
        """Every claim the sources make for this agency, measure and week, as evidence."""
        rows = self.week_rows(week)
        rows = rows[(rows["canon_agency"] == agency) & (rows["canon_measure"] == measure)]
        found = []
        for row in _rows(rows):
            high = getattr(row, "value_high", None)
            high = None if high is None or pd.isna(high) else float(high)
            qualifier = str(row.qualifier or "")
            found.append(
                Evidence(
                    agency=agency,
                    area=str(row.area),
                    measure=measure,
                    label=self.label(measure),
                    value=float(row.value),
                    qualifier=qualifier,
                    unit=str(row.unit),
                    figure=self.words(measure, float(row.value), qualifier, high),
                    source_id=str(row.source_id),
                    publisher=self.publisher(str(row.source_id)),
                    quote=str(row.quote),
                    lines=(int(row.line),),
                    verified=self.verified(str(row.source_id)),
                    period_start=pd.Timestamp(row.period_start),
                    period_end=pd.Timestamp(row.period_end),
                    value_high=high,
                    primary=self.primary(str(row.source_id)),
                )
            )
        return found

    def publisher(self, source_id: str) -> str:
        if source_id in self.sources.index:
            return str(self.sources.loc[source_id, "publisher"]) or source_id
        return source_id

    def primary(self, source_id: str) -> bool:
        return (
            source_id in self.sources.index
            and str(self.sources.loc[source_id, "kind"]) == "primary"
        )

    def verified(self, source_id: str) -> bool:
        """The quote was checked against a saved copy of its source."""
        if source_id not in self.sources.index:
            return False
        row = self.sources.loc[source_id]
        if "verified" in self.sources.columns:
            return bool(row["verified"])
        return bool(str(row["document"]).strip()) and self.dataset.documents_dir is not None


# --------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------


def scope_phrases(dataset: Dataset, vocabulary: Vocabulary | None = None) -> dict[str, str]:
    """Folded words that name a scope in a draft -> the agency whose scope it is."""
    return dict(_Data(dataset, vocabulary).scope_words)


def check_figures(
    figures: Sequence[DraftFigure],
    dataset: Dataset,
    *,
    operation: str = "",
    week: str = "",
    agency: str = "",
    vocabulary: Vocabulary | None = None,
) -> CheckResult:
    """A verdict for every figure, in draft order, checked against ``dataset``.

    ``operation``, ``week`` (first day, ``YYYY-MM-DD``) and ``agency`` narrow what the draft
    is checked against; a figure's own context (its agency, area and dates) is used where the
    filters leave it open.  Raises :class:`FactCheckError` when a filter names something the
    data lacks, listing what it has.
    """
    data = _Data(dataset, vocabulary)
    chosen_week, chosen_agency = _filters(data, operation, week, agency)
    ordered = [
        f for _, f in sorted(enumerate(figures), key=lambda p: (p[1].start < 0, p[1].start, p[0]))
    ]
    stated = _draft_week(data, figures, operation)
    default_week, how = chosen_week, ""
    if default_week is None and stated is not None:
        default_week, how = stated, "from the draft's dates"
    if default_week is None:
        default_week = _best_fit(data, ordered, operation, chosen_agency)
        dated = [f for f in ordered if f.kind == "period" and f.period_start is not None]
        if dated:
            stated_text = join_words(
                list(dict.fromkeys(_dates_text(f.period_start, f.period_end) for f in dated))
            )
            weeks = join_words([w.text for w in data.weeks])
            how = (
                f"the draft's dates ({stated_text}) match no week in the data, which has weeks "
                f"of {weeks}: checked against the week its figures fit best"
            )
        else:
            how = "the draft states no dates: the week its figures fit best"
    checker = _Checker(data, default_week, bool(chosen_week), chosen_agency, operation)
    verdicts = [checker.check(number, figure) for number, figure in enumerate(ordered, 1)]
    notes = []
    if default_week is not None and how:
        notes.append(
            f"Checked against {default_week.operation}, week of {default_week.text} ({how})"
        )
    notes += _list_notes(verdicts)
    return CheckResult(verdicts, notes)


def _best_fit(
    data: _Data, figures: Sequence[DraftFigure], operation: str, agency: str | None
) -> _Week | None:
    """For a draft with no dates: the week in which most of its figures are supported (the
    latest such week on a tie, and the latest week when none fits)."""
    wanted = data.operation_name(operation) if operation else None
    weeks = [w for w in data.weeks if not wanted or data.operation_name(w.operation) == wanted]
    numbers = [f for f in figures if f.kind == "figure"]
    best: tuple[int, int] | None = None
    chosen = weeks[-1] if weeks else None
    for index, week in enumerate(weeks):
        checker = _Checker(data, week, True, agency, operation, quick=True)
        supported = sum(checker.check(0, f).verdict == "supported" for f in numbers)
        if supported and (best is None or (supported, index) > best):
            best, chosen = (supported, index), week
    return chosen


def _filters(
    data: _Data, operation: str, week: str, agency: str
) -> tuple[_Week | None, str | None]:
    """The week and agency the filters name; every unknown value is reported at once."""
    problems = []
    weeks = data.weeks
    if operation:
        wanted = data.operation_name(operation)
        known = sorted({data.operation_name(w.operation) for w in weeks})
        if wanted not in known:
            problems.append(_unknown("operation", operation, known))
        else:
            weeks = [w for w in weeks if data.operation_name(w.operation) == wanted]
    chosen_week = None
    if week:
        matches = [w for w in weeks if w.key == week.strip()]
        if not matches:
            problems.append(_unknown("week", week, [w.key for w in weeks]))
        else:
            chosen_week = matches[-1]
    chosen_agency = None
    if agency:
        chosen_agency = data.agency_name(agency)
        pool = [chosen_week] if chosen_week else weeks
        known = sorted({a for w in pool for a in data.agencies_in(w)})
        if chosen_agency not in known:
            where = f" in the week of {chosen_week.text}" if chosen_week else ""
            problems.append(_unknown("agency", agency, known, where))
    if problems:
        raise FactCheckError("\n".join(problems))
    return chosen_week, chosen_agency


def _unknown(kind: str, value: str, known: Iterable[str], where: str = "") -> str:
    listed = join_words([repr(k) for k in known], "or") or "(none)"
    return f"the data has no {kind} {value!r}{where}; it has {listed}"


def _draft_week(data: _Data, figures: Sequence[DraftFigure], operation: str) -> _Week | None:
    """The week most of the draft's stated dates fall in (a figure's own dates, such as an
    earlier week it mentions, are checked against that week but do not set the draft's)."""
    wanted = data.operation_name(operation) if operation else None
    found = Counter(
        week
        for f in figures
        if f.kind == "period"
        if (week := data.week_for_dates(f.period_start, f.period_end, wanted)) is not None
    )
    return found.most_common(1)[0][0] if found else None


def _latest(data: _Data, operation: str) -> _Week | None:
    wanted = data.operation_name(operation) if operation else None
    weeks = [w for w in data.weeks if not wanted or data.operation_name(w.operation) == wanted]
    return weeks[-1] if weeks else None


class _Checker:
    def __init__(
        self,
        data: _Data,
        week: _Week | None,
        week_fixed: bool,
        agency: str | None,
        operation: str,
        quick: bool = False,
    ) -> None:
        self.data, self.week, self.week_fixed = data, week, week_fixed
        self.agency, self.operation = agency, operation
        self.quick = quick  # verdicts only: no search of what the data has nearby

    # ---- one figure -------------------------------------------------------------------------

    def check(self, number: int, figure: DraftFigure) -> Verdict:
        if figure.kind == "period" and figure.period_end in (None, figure.period_start):
            return self._weekday(number, figure)
        week, problem = self._week(figure)
        if week is None:
            return Verdict(number, figure, "unsupported", "no such week", problem)
        if figure.kind == "period":
            return self._period(number, figure, week)
        return self._figure(number, figure, week)

    def _week(self, figure: DraftFigure) -> tuple[_Week | None, str]:
        if self.week_fixed or figure.period_start is None:
            if self.week is None:
                return None, "the data has no weeks to check against"
            return self.week, ""
        wanted = self.data.operation_name(self.operation) if self.operation else None
        found = self.data.week_for_dates(figure.period_start, figure.period_end, wanted)
        if found is None:
            stated = _dates_text(figure.period_start, figure.period_end)
            known = join_words([w.text for w in self.data.weeks])
            return None, f"the data has no week on {stated}; it has weeks of {known}"
        return found, ""

    def _figure(self, number: int, figure: DraftFigure, week: _Week) -> Verdict:
        data = self.data
        measure = data.measure_name(figure.measure)
        named = data.agency_name(figure.agency) or self.agency
        scope = data.scope_agency(figure.area)
        # the draft's scope words decide whose figure it presents ("across the country")
        target = scope if scope and scope != named else named
        checked = self._checked(target, measure, week, figure.area)
        verdict = _Partial(number, figure, checked)
        try:
            draft = hedges.claim(
                figure.value, figure.qualifier, data.vocabulary, high=figure.value_high
            )
        except (hedges.UnknownQualifier, ValueError) as error:
            return verdict.make("unsupported", "unknown hedge", f"cannot read the hedge: {error}")
        if measure is None:
            why = (
                f"the data has no measure {figure.measure!r}"
                if figure.measure
                else "the draft does not say what this number counts"
            )
            return verdict.make("unsupported", "no measure", why, self._same_value(week, figure))
        if data.unit_kind(measure) == _DURATION:
            return self._length(verdict, draft, measure, target, week)
        if target is None:
            return self._no_agency(verdict, draft, measure, week)
        reported = data.reported(week, target).get(measure)
        if reported is not None and reported.status != "scope":
            return self._against(verdict, draft, measure, target, week, reported, scope, named)
        return self._elsewhere(verdict, draft, measure, target, week, reported, named)

    def _checked(self, agency: str | None, measure: str | None, week: _Week, area: str) -> str:
        parts = [agency or "(no agency named)"]
        parts.append(self.data.label(measure) if measure else "(no measure)")
        parts.append(f"week of {week.text}")
        return ", ".join(parts)

    def _against(
        self,
        verdict: _Partial,
        draft: hedges.Claim,
        measure: str,
        target: str,
        week: _Week,
        reported: Evidence,
        scope: str | None,
        named: str | None,
    ) -> Verdict:
        """The agency has a figure the reports use: judge the draft against it."""
        judged = _judge(draft, reported, self.data.vocabulary)
        words = self._draft_words(draft, measure)
        if judged.ok:
            matched = self._best_quote(week, target, measure, draft)
            reason = f"{reported.who} gives {_with_basis(reported)}"
            if not draft.is_exact or reported.qualifier:
                reason += f"; {judged.reason}"
            if judged.caution:
                reason += f". Caution: {judged.caution}"
            return verdict.make("supported", "holds", reason, reported=reported, matched=matched)
        if judged.open:
            reason = (
                f"{reported.who} gives only {reported.figure}, which does not establish "
                f"{words} ({judged.reason})"
            )
            return verdict.make("unsupported", "not established", reason, reported=reported)
        owner = self._owner(week, measure, draft, exclude=target)
        if owner is not None:
            wider = _KIND_WIDTH.get(self.data.agency_kind(target), 0) > _KIND_WIDTH.get(
                self.data.agency_kind(owner.agency), 0
            )
            why = "wrong scope" if wider else "wrong force"
            reason = (
                f"{words} is the figure of {owner.who} in the same week; the reports use "
                f"{reported.figure} for the {target}"
            )
            return verdict.make("contradicted", why, reason, reported=reported, other=owner)
        why = "different figure" if draft.is_exact else "hedge cannot hold"
        if draft.is_exact and _rounded(draft.value, reported.value):
            why = "rounded"
            reason = (
                f"{reported.who} gives {_with_basis(reported)}; the draft's {words} reads as "
                f"an exact figure: give the figure, or hedge it (“more than”, “around”)"
            )
        elif draft.is_exact:
            reason = f"{reported.who} gives {_with_basis(reported)}, not {words}"
        else:
            reason = f"{reported.who} gives {_with_basis(reported)}; {judged.reason}"
        also = self._same_value(week, verdict.figure, agency=target, measure=measure)
        if also:
            reason += f"; {also[0]}"
        return verdict.make("contradicted", why, reason, reported=reported)

    def _elsewhere(
        self,
        verdict: _Partial,
        draft: hedges.Claim,
        measure: str,
        target: str,
        week: _Week,
        doubted: Evidence | None,
        named: str | None,
    ) -> Verdict:
        """The agency has no (trusted) figure for the measure: whose figure is it, if anyone's?"""
        data = self.data
        words = self._draft_words(draft, measure)
        owner = self._owner(week, measure, draft, exclude=target)
        target_width = _KIND_WIDTH.get(data.agency_kind(target), 0)
        area = verdict.figure.area or data.agency_area(target)
        if owner is not None and target_width > _KIND_WIDTH.get(data.agency_kind(owner.agency), 0):
            reason = (
                f"{words} is the figure of {owner.who}, presented as “{area}”; a total for "
                "a wider area that equals one force's total is not credible"
            )
            if doubted is not None and doubted.explanation:
                reason += (
                    f". The data's own “{doubted.area}” figure is doubted: {doubted.explanation}"
                )
            return verdict.make("contradicted", "wrong scope", reason, other=owner)
        if doubted is not None:
            reason = f"the data's figure for {doubted.who} is doubted: {doubted.explanation}"
            return verdict.make("unsupported", "doubtful scope", reason, reported=doubted)
        nearby = self._nearby(week, target, measure)
        if target not in data.agencies_in(week):
            reason = (
                f"the data has no figures for the {target} in the week of {week.text}; "
                f"it has figures for {join_words(data.agencies_in(week))}"
            )
        else:
            reason = (
                f"the data has no {data.label(measure).lower()} figure for the {target} "
                f"in the week of {week.text}"
            )
        if owner is not None:
            reason += f"; {words} is the figure of {owner.who}: check whose it is"
            return verdict.make("unsupported", "no figure", reason, nearby, other=owner)
        return verdict.make("unsupported", "no figure", reason, nearby)

    def _no_agency(
        self, verdict: _Partial, draft: hedges.Claim, measure: str, week: _Week
    ) -> Verdict:
        owner = self._owner(week, measure, draft)
        words = self._draft_words(draft, measure)
        if owner is not None:
            reason = f"the draft names no force; {words} holds for {owner.who}: {owner.figure}"
            return verdict.make("supported", "holds", reason, reported=owner)
        reason = (
            f"the draft names no force, and no force's {self.data.label(measure).lower()} "
            f"figure in the week of {week.text} fits {words}"
        )
        return verdict.make("unsupported", "no figure", reason, self._nearby(week, None, measure))

    def _length(
        self, verdict: _Partial, draft: hedges.Claim, measure: str, target: str | None, week: _Week
    ) -> Verdict:
        """A length ("six day", "week-long") against the days the stated period covers."""
        start, end = self.data.period_of(week, target)
        days = int((end - start).days) + 1
        period = format_period(start, end)
        owners = [target] if target else self.data.agencies_in(week)
        stated = [e for a in owners for e in self.data.stated(week, a, measure)]
        exact = sorted(
            (e for e in stated if not e.qualifier and e.value == days),
            key=lambda e: (not e.primary, e.lines),
        )
        evidence: Evidence | None = exact[0] if exact else None
        check = hedges.holds(draft, days)
        words = self._draft_words(draft, measure)
        if check.ok:
            reason = f"{words}: {period} is {days} days counting both ends"
            return verdict.make("supported", "holds", reason, reported=evidence)
        reason = f"{words}, but {period} is {days} days counting both ends"
        return verdict.make("contradicted", "wrong length", reason, reported=evidence)

    def _weekday(self, number: int, figure: DraftFigure) -> Verdict:
        """A single date with a weekday name: only the calendar can be checked."""
        verdict = _Partial(number, figure, "the calendar")
        for day, name in figure.weekdays:
            actual = calendar_day(day)
            if fold(name)[:3] != actual.lower()[:3]:
                reason = f"{format_date(day)} was a {actual}, not a {name.strip().capitalize()}"
                return verdict.make("contradicted", "wrong weekday", reason)
        if not figure.weekdays:
            return verdict.make("unsupported", "no weekday", "A single date: nothing to check")
        day = figure.weekdays[0][0]
        return verdict.make("supported", "holds", f"{format_date(day)} was a {calendar_day(day)}")

    def _period(self, number: int, figure: DraftFigure, week: _Week) -> Verdict:
        """Dates the draft states: weekday names, then the dates against the week's."""
        data = self.data
        target = data.agency_name(figure.agency) or self.agency
        start, end = data.period_of(week, target)
        checked = f"{target or 'dates'}, week of {week.text}"
        verdict = _Partial(number, figure, checked)
        for day, name in figure.weekdays:
            actual = calendar_day(day)
            if fold(name)[:3] != actual.lower()[:3]:
                reason = f"{format_date(day)} was a {actual}, not a {name.strip().capitalize()}"
                return verdict.make("contradicted", "wrong weekday", reason)
        assert figure.period_start is not None  # periods always have a first day
        first = pd.Timestamp(figure.period_start)
        last = pd.Timestamp(figure.period_end or figure.period_start)
        stated = format_period(first, last)
        evidence = self._period_evidence(week, target)
        if (first, last) == (start, end):
            reason = f"{stated} is the period of the week in the data"
            return verdict.make("supported", "holds", reason, reported=evidence)
        days = int((last - first).days) + 1
        reason = (
            f"the draft gives {stated} ({days} day{'s' if days != 1 else ''}), but the data's "
            f"week runs {format_period(start, end)} ({int((end - start).days) + 1} days)"
        )
        return verdict.make("contradicted", "wrong dates", reason, reported=evidence)

    # ---- helpers ----------------------------------------------------------------------------

    def _period_evidence(self, week: _Week, agency: str | None) -> Evidence | None:
        """A length figure of the agency in this week, whose quote states the period."""
        rows = self.data.week_rows(week)
        if agency:
            rows = rows[rows["canon_agency"] == agency]
        durations = [
            m for m in dict.fromkeys(rows["canon_measure"]) if self.data.unit_kind(m) == _DURATION
        ]
        for measure in durations:
            stated = self.data.stated(
                week, str(rows[rows["canon_measure"] == measure]["canon_agency"].iloc[0]), measure
            )
            stated.sort(key=lambda e: (not e.primary, not any(c.isdigit() for c in e.quote)))
            if stated:
                return stated[0]
        return None

    def _draft_words(self, draft: hedges.Claim, measure: str | None) -> str:
        qualifier = draft.phrase
        if draft.direction:
            qualifier = hedges.describe(replace(draft, value=0)).rsplit(" ", 1)[0]
        return self.data.words(measure, draft.value, qualifier, draft.high)

    def _owner(
        self, week: _Week, measure: str, draft: hedges.Claim, exclude: str | None = None
    ) -> Evidence | None:
        """Another agency in the week whose figure for the measure the draft's claim fits."""
        found = []
        for agency in self.data.agencies_in(week):
            if agency == exclude:
                continue
            evidence = self.data.reported(week, agency).get(measure)
            if evidence is None or evidence.status == "scope":
                continue
            if _close(draft) and _judge(draft, evidence, self.data.vocabulary).ok:
                found.append(evidence)
        found.sort(key=lambda e: (-_KIND_WIDTH.get(self.data.agency_kind(e.agency), 0), e.agency))
        return found[0] if found else None

    def _best_quote(
        self, week: _Week, agency: str, measure: str, draft: hedges.Claim
    ) -> Evidence | None:
        """The stated claim that words the figure as the draft does (same hedge and number)."""
        for evidence in sorted(
            self.data.stated(week, agency, measure), key=lambda e: (not e.primary, e.lines)
        ):
            if evidence.value == draft.value and fold(evidence.qualifier) == fold(draft.phrase):
                return evidence
        return None

    def _same_value(
        self,
        week: _Week,
        figure: DraftFigure,
        *,
        agency: str | None = None,
        measure: str | None = None,
    ) -> tuple[str, ...]:
        """Other figures in the week with the same number: likely what the draft mixed up."""
        if self.quick:
            return ()
        rows = self.data.week_rows(week)
        rows = rows[rows["value"].astype(float) == float(figure.value)]
        found = []
        for row in _rows(rows):
            if row.canon_agency == agency and row.canon_measure == measure:
                continue
            found.append(
                f"{format_value(float(row.value))} is the {row.canon_agency}'s figure for "
                f"{self.data.label(row.canon_measure).lower()}"
            )
        return tuple(dict.fromkeys(found))[:_MAX_NEARBY]

    def _nearby(self, week: _Week, agency: str | None, measure: str) -> tuple[str, ...]:
        """What the data has near the draft's figure: the measure for others, the agency's other
        figures, the agency's figure for the measure in other weeks."""
        if self.quick:
            return ()
        data = self.data
        found = []
        for other in data.agencies_in(week):
            evidence = data.reported(week, other).get(measure)
            if evidence is not None:
                found.append(f"{other}: {evidence.figure} ({evidence.citation})")
        if agency:
            for other_week in data.weeks:
                if other_week == week or agency not in data.agencies_in(other_week):
                    continue
                evidence = data.reported(other_week, agency).get(measure)
                if evidence is not None:
                    found.append(f"{agency}, week of {other_week.text}: {evidence.figure}")
            if agency in data.agencies_in(week):
                mine = data.reported(week, agency)
                same_category = [
                    e
                    for m, e in mine.items()
                    if m != measure
                    and measure in data.measures.index
                    and m in data.measures.index
                    and str(data.measures.loc[m, "category"])
                    == str(data.measures.loc[measure, "category"])
                ]
                found += [f"{agency}: {e.figure}" for e in same_category]
        return tuple(dict.fromkeys(found))[:_MAX_NEARBY]


def calendar_day(day: dt.date) -> str:
    """The weekday's English name ("Monday"), as drafts write it."""
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[
        day.weekday()
    ]


def _dates_text(start: dt.date | None, end: dt.date | None) -> str:
    if start is None:
        return "(no dates)"
    return format_period(start, end or start)


@dataclass(frozen=True)
class _Judgement:
    ok: bool
    reason: str
    caution: str = ""
    open: bool = False  # both can be true, but the data does not establish the draft's claim


def _judge(draft: hedges.Claim, evidence: Evidence, vocabulary: Vocabulary) -> _Judgement:
    """Whether the data's figure establishes the draft's claim."""
    fmt = _formatter(evidence.unit)
    try:
        data_claim = hedges.claim(
            evidence.value, evidence.qualifier, vocabulary, high=evidence.value_high
        )
    except (hedges.UnknownQualifier, ValueError):
        data_claim = hedges.Claim(evidence.value)
    if data_claim.is_exact:
        check = hedges.holds(draft, data_claim.signed_value(), fmt=fmt)
        return _Judgement(check.ok, check.reason, check.caution)
    if _within(data_claim.interval(), draft.interval()):
        words = hedges.describe(data_claim, fmt)
        return _Judgement(True, f"{hedges.describe(draft, fmt)} follows from {words}")
    check = hedges.compatible(draft, data_claim, fmt=fmt)
    return _Judgement(False, check.reason, open=check.ok)


def _rows(frame: pd.DataFrame) -> Iterator[Any]:
    """A frame's rows as named tuples (typed loosely: their fields are the frame's columns)."""
    return frame.itertuples(index=False)


def _national_cues(folder: Path) -> list[str]:
    """Scope words that make a figure national, from the extraction cues file (data)."""
    from . import paths

    for candidate in (folder / _CUES_FILE, paths.project_root() / "data" / _CUES_FILE):
        if candidate.is_file():
            with candidate.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle))
            return [r["cue"] for r in rows if r.get("kind") == "national" and r.get("cue")]
    return []


def _rounded(stated: float, actual: float) -> bool:
    """1,000 for 1,002: a round number within a twentieth of the figure."""
    if stated <= 0 or stated == actual or abs(stated - actual) > 0.05 * abs(actual):
        return False
    digits = f"{stated:.0f}" if float(stated).is_integer() else ""
    return len(digits) >= 3 and digits.endswith("00")


def _close(draft: hedges.Claim) -> bool:
    """A claim narrow enough to say whose figure it is: bounded on both sides ("44",
    "nearly 200", "between 40 and 50"), not "fewer than 500", which fits almost anything."""
    interval = draft.interval()
    return math.isfinite(interval.low) and math.isfinite(interval.high)


def _with_basis(evidence: Evidence) -> str:
    """ "245 weapons (computed from 187 knives + 58 other offensive weapons)"."""
    if evidence.basis:
        return f"{evidence.figure} (computed from {evidence.basis})"
    return evidence.figure


def _within(inner: hedges.Interval, outer: hedges.Interval) -> bool:
    """Every value ``inner`` allows, ``outer`` allows too."""
    low_ok = inner.low > outer.low or (
        inner.low == outer.low and (inner.low_open or not outer.low_open)
    )
    high_ok = inner.high < outer.high or (
        inner.high == outer.high and (inner.high_open or not outer.high_open)
    )
    return low_ok and high_ok


def _formatter(unit: str):
    return lambda value: format_value(value, unit)


@dataclass(frozen=True)
class _Partial:
    """A verdict being made: what is fixed before the reason is known."""

    number: int
    figure: DraftFigure
    checked: str

    def make(
        self,
        verdict: str,
        why: str,
        reason: str,
        nearby: Iterable[str] = (),
        *,
        reported: Evidence | None = None,
        other: Evidence | None = None,
        matched: Evidence | None = None,
    ) -> Verdict:
        reason = reason[:1].upper() + reason[1:]
        return Verdict(
            self.number,
            self.figure,
            verdict,
            why,
            reason,
            self.checked,
            reported,
            other,
            tuple(nearby),
            matched,
        )


def _list_notes(verdicts: Sequence[Verdict]) -> list[str]:
    """A whole list presented for a wider area that repeats one force's figures."""
    notes = []
    groups: dict[tuple[str, str], list[Verdict]] = {}
    for v in verdicts:
        if v.why == "wrong scope" and v.other is not None and v.figure.area:
            groups.setdefault((v.figure.area, v.other.agency), []).append(v)
    for (area, agency), found in groups.items():
        if len(found) < 2:
            continue
        others = [
            v
            for v in verdicts
            if v.figure.area == area and v not in found and v.figure.kind == "figure"
        ]
        note = (
            f"The figures the draft gives for “{area}” repeat the {agency}'s own figures "
            f"({join_words([v.figure.text or format_value(v.figure.value) for v in found])})"
        )
        if others:
            note += (
                f"; its other figures ({join_words([v.figure.text for v in others])}) are "
                "probably the same force's too"
            )
        notes.append(note + ".")
    return notes


# --------------------------------------------------------------------------------------------
# Output: records, a text table, CSV and JSON
# --------------------------------------------------------------------------------------------

RECORD_COLUMNS: tuple[str, ...] = (
    "number",
    "verdict",
    "why",
    "draft",
    "start",
    "end",
    "checked",
    "reports_use",
    "source",
    "quote",
    "quote_verified",
    "reason",
    "nearby",
)


def verdict_records(result: CheckResult) -> list[dict[str, object]]:
    """One flat record per verdict, for CSV, JSON and tables."""
    records = []
    for v in result.verdicts:
        evidence = v.evidence
        records.append(
            {
                "number": v.number,
                "verdict": v.verdict,
                "why": v.why,
                "draft": " ".join(v.figure.text.split()),
                "start": v.figure.start,
                "end": v.figure.end,
                "checked": v.checked,
                "reports_use": _with_basis(v.reported)
                if v.reported
                else f"{v.other.figure} for the {v.other.agency}"
                if v.other
                else "",
                "source": evidence.citation if evidence else "",
                "quote": evidence.quote if evidence else "",
                "quote_verified": ""
                if evidence is None
                else ("yes" if evidence.verified else "no"),
                "reason": v.reason,
                "nearby": "; ".join(v.nearby),
            }
        )
    return records


def render(result: CheckResult, fmt: str = "table", *, draft: str = "") -> str:
    """The verdicts as ``table`` (for people), ``csv`` or ``json`` (for other tools)."""
    records = verdict_records(result)
    if fmt == "csv":
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=RECORD_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return buffer.getvalue()
    if fmt == "json":
        import json

        payload = {
            "draft": draft,
            "summary": result.summary(),
            "counts": result.counts(),
            "notes": result.notes,
            "verdicts": records,
        }
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    return _table(result, records, draft)


def _table(result: CheckResult, records: list[dict[str, object]], draft: str) -> str:
    import textwrap

    lines = [f"Draft: {draft}"] if draft else []
    lines += result.notes[:1]
    if records:
        heads = ("#", "Verdict", "Draft says", "Why", "The reports use")
        rows = [
            (
                str(r["number"]),
                f"{SYMBOLS[str(r['verdict'])]} {r['verdict']}",
                _cut(str(r["draft"]), 38),
                str(r["why"]),
                _cut(str(r["reports_use"]), 40),
            )
            for r in records
        ]
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(heads)]
        fmt_row = "  ".join(f"{{:{'>' if i == 0 else '<'}{w}}}" for i, w in enumerate(widths))
        lines += ["", fmt_row.format(*heads).rstrip(), "  ".join("-" * w for w in widths)]
        indent = " " * (widths[0] + 2)
        for row, record in zip(rows, records, strict=True):
            lines.append(fmt_row.format(*row).rstrip())
            detail = str(record["reason"])
            if record["source"]:
                detail += f" — {record['source']}"
                if record["quote"]:
                    detail += f": “{record['quote']}”"
            if record["nearby"]:
                detail += f". Nearby in the data: {record['nearby']}"
            lines += textwrap.wrap(detail, 100, initial_indent=indent, subsequent_indent=indent)
    for note in result.notes[1:]:
        lines += ["", *textwrap.wrap(note, 100)]
    lines += ["", result.summary()]
    return "\n".join(lines) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --------------------------------------------------------------------------------------------
# The draft_check report: escaped HTML for the notebook
# --------------------------------------------------------------------------------------------

#: Okabe–Ito colours (safe for the common colour-blindnesses), each with its own border
#: style and symbol so the verdicts still read when printed in grey.
_STYLE = """
<style>
.fc-summary { font-size: 1.15rem; font-weight: bold; margin: 0.4rem 0 0.8rem; }
.fc-legend { font-size: 0.85rem; color: #5b6470; margin: 0 0 1rem; }
.fc-legend span { margin-right: 1.2rem; white-space: nowrap; }
mark.fc { color: inherit; padding: 0 0.15em; border-radius: 2px;
  -webkit-box-decoration-break: clone;
  box-decoration-break: clone; }
mark.fc-supported { background: #d6eaf8; border-bottom: 2px solid #0072b2; }
mark.fc-contradicted { background: #fbdcc8; border: 2px solid #d55e00; font-weight: bold; }
mark.fc-unsupported { background: #f3e3ee; border-bottom: 2px dotted #cc79a7; }
mark.fc sup { font-size: 0.7em; font-weight: bold; }
.fc-sym { font-family: "DejaVu Sans", sans-serif; font-weight: bold; }
.fc-draft { display: table; width: 100%; border-collapse: collapse; margin-bottom: 1rem; }
.fc-row { display: table-row; page-break-inside: avoid; break-inside: avoid; }
.fc-text, .fc-notes { display: table-cell; vertical-align: top; padding: 0.35rem 0.6rem;
  border-top: 1px solid #e3e7eb; }
.fc-text { width: 60%; line-height: 1.7; }
.fc-notes { width: 40%; font-size: 0.78rem; color: #1d232b; border-left: 3px solid #cfd5dc; }
.fc-note { margin: 0 0 0.35rem; padding-left: 1.7rem; text-indent: -1.7rem; }
.fc-n { display: inline-block; min-width: 1.3rem; text-indent: 0; text-align: right;
  margin-right: 0.3rem; font-weight: bold; }
.fc-verdict-contradicted { color: #b34700; font-weight: bold; }
.fc-verdict-supported { color: #005a8c; }
.fc-verdict-unsupported { color: #8f4a75; }
.fc-overall { font-size: 0.9rem; }
</style>
"""

_WORDS = {
    "supported": "the data holds it",
    "contradicted": "the data says otherwise",
    "unsupported": "nothing in the data to hold it against",
}


@dataclass(frozen=True)
class DraftCheck:
    """A draft, where it was read from, and its verdicts: what the report shows."""

    path: str
    text: str
    result: CheckResult


def run_check(
    draft: str | Path,
    dataset: Dataset,
    *,
    operation: str = "",
    week: str = "",
    agency: str = "",
) -> DraftCheck:
    """Find and read the draft (an absolute path, or one relative to where the command was
    run, or to the project), then check it.  Raises a :class:`SceptreError` subclass."""
    from .drafts import DraftError, check_text, read_draft

    path = _find_draft(str(draft))
    if path is None:
        raise DraftError(
            f"{draft}: no such file (give the draft's path, e.g. -p draft=$PWD/draft.docx)"
        )
    text = read_draft(path).text
    result = check_text(text, dataset, operation=operation, week=week, agency=agency)
    return DraftCheck(str(path), text, result)


def _find_draft(name: str) -> Path | None:
    import os

    from . import paths

    if not name.strip():
        return None
    given = Path(name).expanduser()
    if given.is_absolute():
        return given if given.exists() else None
    for base in (Path.cwd(), Path(os.environ.get("PWD", ".")), paths.project_root()):
        if (base / given).exists():
            return (base / given).resolve()
    return None


def summary_html(check: DraftCheck) -> Markup:
    """The summary line, the key to the marks, and notes about the draft as a whole."""
    counts = check.result.counts()
    parts = Markup(", ").join(
        Markup(
            "<span class='fc-verdict-{0}'><span class='fc-sym'>{1}</span> {2} {0}</span>"
        ).format(name, SYMBOLS[name], counts[name])
        for name in VERDICTS
    )
    n = len(check.result.verdicts)
    line = (
        Markup("{} figure{}: ").format(n, "" if n == 1 else "s") + parts
        if n
        else Markup("no figures found")
    )
    legend = Markup("").join(
        Markup(
            "<span><mark class='fc fc-{0}'><span class='fc-sym'>{1}</span> {0}</mark> {2}</span>"
        ).format(name, SYMBOLS[name], _WORDS[name])
        for name in VERDICTS
    )
    notes = Markup("").join(Markup("<li>{}</li>").format(note) for note in check.result.notes)
    return _STYLE_MARKUP + Markup(
        "<p class='fc-summary'>{line}</p><p class='fc-legend'>{legend}</p>"
        "<p class='fc-overall'>Draft: <code>{path}</code></p><ul class='fc-overall'>{notes}</ul>"
    ).format(line=line, legend=legend, path=Path(check.path).name, notes=notes)


def marked_draft_html(check: DraftCheck) -> Markup:
    """The draft's text, each figure marked by verdict (colour, border and symbol) and
    numbered, with the paragraph's notes in the margin beside it."""
    rows = []
    placed = sorted(
        (v for v in check.result.verdicts if 0 <= v.figure.start < v.figure.end),
        key=lambda v: v.figure.start,
    )
    for start, end in _paragraphs(check.text):
        inside = [v for v in placed if start <= v.figure.start < end]
        pieces, cursor = [], start
        for v in inside:
            if v.figure.start < cursor:  # overlaps the mark before: noted, not marked twice
                continue
            stop = min(v.figure.end, end)
            pieces.append(_plain_html(check.text[cursor : v.figure.start]))
            pieces.append(
                Markup(
                    "<mark class='fc fc-{verdict}' title='{verdict}: {why}'>"
                    "<span class='fc-sym'>{symbol}</span><sup>{n}</sup> {words}</mark>"
                ).format(
                    verdict=v.verdict,
                    why=v.why,
                    symbol=v.symbol,
                    n=v.number,
                    words=_plain_html(check.text[v.figure.start : stop]),
                )
            )
            cursor = stop
        pieces.append(_plain_html(check.text[cursor:end]))
        notes = Markup("").join(
            Markup(
                "<p class='fc-note fc-{verdict}'><span class='fc-n'>{n}</span> "
                "<span class='fc-sym'>{symbol}</span> "
                "<span class='fc-verdict-{verdict}'>{verdict}</span> ({why}). {reason}</p>"
            ).format(n=v.number, verdict=v.verdict, symbol=v.symbol, why=v.why, reason=v.reason)
            for v in inside
        )
        rows.append(
            Markup(
                "<div class='fc-row'><div class='fc-text'>{}</div>"
                "<div class='fc-notes'>{}</div></div>"
            ).format(Markup("").join(pieces), notes)
        )
    return Markup("<div class='fc-draft'>{}</div>").format(Markup("").join(rows))


def verdict_frame(check: DraftCheck) -> pd.DataFrame:
    """The verdicts as a table: what the draft says, the verdict, and the data behind it."""
    records = verdict_records(check.result)
    return pd.DataFrame(
        {
            "#": [r["number"] for r in records],
            "Verdict": [f"{SYMBOLS[str(r['verdict'])]} {r['verdict']}" for r in records],
            "Draft says": [r["draft"] for r in records],
            "Why": [r["why"] for r in records],
            "The reports use": [r["reports_use"] for r in records],
            "Source": [r["source"] for r in records],
            "Quote": [r["quote"] for r in records],
        }
    )


def report_fields(check: DraftCheck) -> dict[str, object]:
    """Title, status and figures for the report's metadata (see docs: report metadata)."""
    return {
        "title": f"Draft check: {Path(check.path).name}",
        "period": check.result.notes[0] if check.result.notes else "",
        "status": check.result.summary(),
        "verification": "quotes not verified are marked in the Source column",
        "figures": verdict_records(check.result),
    }


_STYLE_MARKUP = Markup(_STYLE)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraphs as spans of the text: blank lines separate them."""
    import re

    spans, start = [], 0
    for match in re.finditer(r"\n\s*\n", text):
        if text[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _plain_html(text: str) -> Markup:
    """Escaped text; single line breaks kept."""
    return Markup("<br>").join(escape(line) for line in text.split("\n"))


def verdict_table_html(check: DraftCheck) -> Markup:
    """The verdicts as an escaped HTML table, each verdict in its colour and with its symbol."""
    frame = verdict_frame(check)
    if frame.empty:
        return Markup("<p class='empty'>No figures found in the draft.</p>")
    head = Markup("").join(Markup("<th>{}</th>").format(c) for c in frame.columns)
    rows = []
    for record, verdict in zip(frame.itertuples(index=False), check.result.verdicts, strict=True):
        cells = []
        for column, value in zip(frame.columns, record, strict=True):
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else value
            if column == "Verdict":
                cells.append(
                    Markup("<td class='fc-verdict-{}'>{}</td>").format(verdict.verdict, text)
                )
            elif column == "Quote" and text:
                cells.append(Markup("<td class='quote'>“{}”</td>").format(text))
            elif column == "#":
                cells.append(Markup("<td class='num'>{}</td>").format(text))
            else:
                cells.append(Markup("<td>{}</td>").format(text))
        rows.append(Markup("<tr>{}</tr>").format(Markup("").join(cells)))
    return Markup(
        "<table class='dataframe report fc-table'><thead><tr>{}</tr></thead>"
        "<tbody>{}</tbody></table>"
    ).format(head, Markup("").join(rows))


def sources_html(check: DraftCheck, dataset: Dataset) -> Markup:
    """The sources the verdicts cite, each with whether its quotes were checked."""
    from .narrative import cite

    data = _Data(dataset)
    cited = list(
        dict.fromkeys(v.evidence.source_id for v in check.result.verdicts if v.evidence is not None)
    )
    if not cited:
        return Markup("<p class='empty'>No source is cited: no figure matched the data.</p>")
    items = []
    for source_id in cited:
        if source_id not in data.sources.index:
            continue
        record = {str(k): v for k, v in data.sources.loc[source_id].to_dict().items()}
        kind = "primary source" if str(record.get("kind")) == "primary" else "secondary source"
        checked = "quotes checked" if data.verified(source_id) else "quotes not verified"
        items.append(
            Markup("<li><strong>{}</strong> ({}; {}; id <code>{}</code>)</li>").format(
                cite({**record, "source_id": source_id}), kind, checked, source_id
            )
        )
    return Markup("<ol class='sources'>{}</ol>").format(Markup("").join(items))


def show_report_meta(check: DraftCheck) -> None:
    """Display the report's metadata once (read by the build; hidden in HTML and PDF)."""
    fields = report_fields(check)
    try:
        from .report_meta import show_report_meta as show
    except ImportError:  # before the report metadata module exists: the same output
        import json

        from IPython.display import display

        payload = json.loads(json.dumps(fields, default=str))
        display({"application/vnd.sceptre.report+json": payload}, raw=True)
        return
    show(**fields)
