"""The figures a report shows: for one agency and week, one figure per area and measure.

Each figure is the claim reconciliation chose, kept as a :class:`~sceptre_analysis.hedges.Claim`
so its hedge travels with it into prose, tables and charts, plus its *status*:

* ``confirmed``: claims from two or more independent (differently published), verified
  sources agree with it;
* ``single source``: one verified source gives it;
* ``not verified``: no source that gives it has a document its quote was checked against;
* ``disputed``: reconciliation found a conflict, or the whole list's scope is doubtful; the
  report links the word to the explanation.

The period a report covers, and its wording ("week of action", "two-day operation"), come
from the selected rows themselves, never from another agency's rows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import hedges
from .hedges import Claim
from .load import Dataset
from .metrics import with_derived
from .narrative import format_date, format_number, format_period, plural, spell_small
from .reconcile import Reconciliation, analyse
from .roles import MeasureRole, Roles, measure_roles
from .vocab import Vocabulary, load_vocabulary

__all__ = [
    "MIN_FIGURES",
    "STATUSES",
    "Figure",
    "Period",
    "ReportData",
    "chosen_figures",
    "enough_figures",
    "figure_text",
    "finding_id",
    "number_text",
    "report_data",
    "reportable_agencies",
    "selected_period",
]

STATUSES = ("confirmed", "single source", "not verified", "disputed")
MIN_FIGURES = 2
"""A report on one agency's week needs at least this many result figures (not lengths of
the operation, not disputed lists): with fewer there is nothing to summarise."""

WHOLE_LIST = "(whole list)"


# --------------------------------------------------------------------------------------------
# The data a report reads, normalised once per dataset
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ReportData:
    """A dataset with what every report block needs: vocabulary, roles, claims, sources."""

    dataset: Dataset
    vocabulary: Vocabulary
    roles: Roles
    claims: pd.DataFrame
    """One row per stated figure (see :func:`_claims`)."""
    sources: pd.DataFrame
    """sources.csv with ``verified`` (has a document whose quotes were checked)."""
    _reconciled: dict = field(default_factory=dict, repr=False)

    def source(self, source_id: str) -> dict:
        """sources.csv's row for ``source_id`` as a dict (looked up once)."""
        key = ("sources",)
        if key not in self._reconciled:
            self._reconciled[key] = {
                str(row["source_id"]): row for row in self.sources.to_dict("records")
            }
        return self._reconciled[key].get(source_id, {"source_id": source_id})

    def pool(self) -> pd.DataFrame:
        """Stated claims plus totals computed from exact parts (``derived``), computed once."""
        key = ("pool",)
        if key not in self._reconciled:
            pool = with_derived(self.dataset.tallies, self.dataset.measures)
            self._reconciled[key] = pool.assign(
                agency=pool["agency"].astype(str),
                area=pool["area"].astype(str),
                measure=pool["measure"].astype(str),
                source_id=pool["source_id"].astype(str),
                operation=pool["operation"].astype(str),
                qualifier=pool["qualifier"]
                .astype(object)
                .where(pool["qualifier"].notna(), "")
                .astype(str),
            )
        return self._reconciled[key]

    def analysis(self) -> Reconciliation:
        """Reconciliation of the whole dataset (every check, every week), run once."""
        key = ("analysis",)
        if key not in self._reconciled:
            self._reconciled[key] = analyse(self.dataset, vocabulary=self.vocabulary)
        return self._reconciled[key]

    def reconciliation(self, operation: str, week: pd.Timestamp) -> pd.DataFrame:
        """Reconciliation's figures for one operation week (all agencies): the chosen value,
        its status (conflict, scope, caution, consistent) and why."""
        key = ("figures", operation, pd.Timestamp(week))
        if key not in self._reconciled:
            frame = self.analysis().figures
            frame = frame[
                (frame["operation"].astype(str) == operation)
                & (frame["week"] == pd.Timestamp(week))
            ]
            self._reconciled[key] = frame.assign(
                agency=frame["agency"].astype(str),
                area=frame["area"].astype(str),
                measure=frame["measure"].astype(str),
                status=frame["status"].astype(str),
            ).reset_index(drop=True)
        return self._reconciled[key]

    def by_agency(self, operation: str, week: pd.Timestamp) -> dict[str, _AgencyWeek]:
        """The week's result claims, reconciliation rows and pool rows of each agency, as
        records: :func:`chosen_figures` works on these (row-wise pandas selections per
        figure were most of a report's time, and of expanding a plan's grid)."""
        key = ("by_agency",)
        if key not in self._reconciled:
            self._reconciled[key] = _index(self)
        return self._reconciled[key].get((operation, pd.Timestamp(week)), {})

    def period(
        self,
        operation: str,
        week: object,
        agency: str | None = None,
        rows: pd.DataFrame | list[dict] | None = None,
    ) -> Period:
        """The dates the reports use for the week (and agency): reconciliation's decision
        (``reconcile.dates.PERIOD_RULE``), so the title, the per-day rates and the dates finding
        agree; :func:`selected_period` of ``rows`` when reconciliation decides none."""
        key = ("periods",)
        if key not in self._reconciled:
            decided = self.analysis().periods
            self._reconciled[key] = {
                (str(op), pd.Timestamp(str(week)), str(agency)): Period(
                    pd.Timestamp(str(start)), pd.Timestamp(str(end)), str(kind)
                )
                for op, week, agency, start, end, kind in (
                    decided[
                        ["operation", "week", "agency", "period_start", "period_end", "period_kind"]
                    ].itertuples(index=False)
                    if len(decided)
                    else []
                )
            }
        found = self._reconciled[key].get((operation, pd.Timestamp(str(week)), agency or ""))
        if found is not None:
            return found
        return selected_period(rows if rows is not None else self.claims.iloc[:0])

    def findings(
        self, operation: str, weeks: list[pd.Timestamp], agency: str | None = None
    ) -> pd.DataFrame:
        """Reconciliation's findings about these weeks (and agency), worst first."""
        found = self.analysis().findings
        mask = (found["operation"].astype(str) == operation) & found["week"].isin(
            [pd.Timestamp(w) for w in weeks]
        )
        if agency is not None:
            mask &= found["agency"].astype(str) == agency
        return found[mask].reset_index(drop=True)


@dataclass
class _AgencyWeek:
    """One agency's rows for one operation week, as records in frame order."""

    claims: list[dict] = field(default_factory=list)  # its result claims (no context rows)
    rec: list[dict] = field(default_factory=list)  # reconciliation's figures
    pool: list[dict] = field(default_factory=list)  # claims + derived totals, any week


def _index(data: ReportData) -> dict[tuple[str, pd.Timestamp], dict[str, _AgencyWeek]]:
    """Every (operation, week) -> agency -> its rows, in one pass over each table.

    The same selections as ``_week_claims``, ``ReportData.reconciliation`` and the pool's
    operation and agency filter, keeping each table's row order.
    """
    index: dict[tuple[str, pd.Timestamp], dict[str, _AgencyWeek]] = {}

    def slot(operation: str, week: pd.Timestamp, agency: str) -> _AgencyWeek:
        weeks = index.setdefault((operation, pd.Timestamp(week)), {})
        return weeks.setdefault(agency, _AgencyWeek())

    for row in data.claims.to_dict("records"):
        if row["context"] == "" and not pd.isna(row["week"]):
            slot(row["operation"], row["week"], row["agency"]).claims.append(row)
    figures = data.analysis().figures
    if len(figures):
        figures = figures.assign(
            operation=figures["operation"].astype(str),
            agency=figures["agency"].astype(str),
            area=figures["area"].astype(str),
            measure=figures["measure"].astype(str),
            status=figures["status"].astype(str),
        )
        for row in figures.to_dict("records"):
            if not pd.isna(row["week"]):
                slot(row["operation"], row["week"], row["agency"]).rec.append(row)
    pool: dict[tuple[str, str], list[dict]] = {}
    for row in data.pool().to_dict("records"):
        pool.setdefault((row["operation"], row["agency"]), []).append(row)
    for (operation, _), agencies in index.items():
        for agency, rows in agencies.items():
            rows.pool = pool.get((operation, agency), [])
    return index


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[name].astype(object).where(frame[name].notna(), "").astype(str)


def _claims(tallies: pd.DataFrame, vocabulary: Vocabulary) -> pd.DataFrame:
    """The tallies with every column the reports read, whatever version of the loader.

    Adds, when the loader does not: ``meaning``/``tolerance``/``direction`` (from the
    qualifier and the hedge vocabulary), ``value_high``, ``compared_with``, ``context``,
    ``week`` (the period's first day) and ``period_kind``.
    """
    frame = pd.DataFrame(
        {
            "operation": _text(tallies, "operation"),
            "agency": _text(tallies, "agency"),
            "area": _text(tallies, "area"),
            "measure": _text(tallies, "measure"),
            "value": tallies["value"].astype(float),
            "value_high": (
                tallies["value_high"].astype(float)
                if "value_high" in tallies.columns
                else float("nan")
            ),
            "qualifier": _text(tallies, "qualifier"),
            "compared_with": _text(tallies, "compared_with"),
            "context": _text(tallies, "context"),
            "period_start": tallies["period_start"],
            "period_end": tallies["period_end"],
            "period_kind": (
                _text(tallies, "period_kind")
                if "period_kind" in tallies.columns
                else pd.Series("exact", index=tallies.index)
            ),
            "period_stated": _text(tallies, "period_stated"),
            "week": tallies["week"] if "week" in tallies.columns else tallies["period_start"],
            "source_id": _text(tallies, "source_id"),
            "quote": _text(tallies, "quote"),
            "line": tallies["line"].astype(int),
        },
        index=tallies.index,
    ).reset_index(drop=True)
    frame["period_kind"] = frame["period_kind"].replace("", "exact")
    return frame


def _sources(dataset: Dataset) -> pd.DataFrame:
    sources = dataset.sources.copy()
    for column in ("source_id", "publisher", "title", "url", "document", "kind"):
        sources[column] = _text(sources, column)
    if "verified" not in sources.columns:
        checked = dataset.documents_dir is not None
        sources["verified"] = [checked and bool(doc) for doc in sources["document"]]
    sources["verified"] = sources["verified"].astype(bool)
    return sources.reset_index(drop=True)


_BY_CONTENT: dict[tuple, ReportData] = {}
"""Report views by the data's content: a warm kernel that builds report after report on the
same data reconciles it once, not once per report."""


def _cached(dataset: Dataset) -> ReportData:
    key = (
        dataset.fingerprint(),
        str(dataset.data_dir),
        repr(getattr(dataset, "documents_dirs", None)),
        repr(getattr(dataset, "documents_dir", None)),
    )
    if key not in _BY_CONTENT:
        if len(_BY_CONTENT) >= 4:
            _BY_CONTENT.pop(next(iter(_BY_CONTENT)))
        _BY_CONTENT[key] = _build(dataset)
    return _BY_CONTENT[key]


def _build(dataset: Dataset) -> ReportData:
    vocabulary = load_vocabulary(dataset.data_dir)
    return ReportData(
        dataset=dataset,
        vocabulary=vocabulary,
        roles=measure_roles(dataset.measures, vocabulary),
        claims=_claims(dataset.tallies, vocabulary),
        sources=_sources(dataset),
    )


def report_data(dataset: Dataset | ReportData) -> ReportData:
    """The report view of a dataset (built once per content of the data files)."""
    return dataset if isinstance(dataset, ReportData) else _cached(dataset)


# --------------------------------------------------------------------------------------------
# Claims and their words
# --------------------------------------------------------------------------------------------


_PARSED: dict[tuple[str, int], hedges.ParsedQualifier] = {}


def _parsed(qualifier: str, vocabulary: Vocabulary) -> hedges.ParsedQualifier:
    key = (qualifier, id(vocabulary))
    if key not in _PARSED:
        _PARSED[key] = hedges.parse_qualifier(qualifier, vocabulary)
    return _PARSED[key]


def claim_of(row: object, vocabulary: Vocabulary) -> Claim:
    """The hedged claim a claims row states ("over 9,639"; "between 800 and 1,000")."""
    get = (
        row.get
        if isinstance(row, dict)
        else lambda name, default=None: getattr(  # type: ignore[union-attr]
            row, name, default
        )
    )
    high = get("value_high", None)
    return hedges.claim(
        float(get("value")),  # type: ignore[arg-type]  # a claims row always has a value
        _parsed(str(get("qualifier") or ""), vocabulary),
        high=None if high is None or pd.isna(high) else float(high),
    )


def number_text(role: MeasureRole | None) -> Callable[[float], str]:
    """How a value of this measure is written: ``£1,940``, ``14%``, ``1,002``; a fraction as
    a percentage (0.2 as ``20%``)."""

    def show(value: float) -> str:
        number = format_number(round(float(value), 2))
        if role is None:
            return number
        if role.kind == "fraction":  # "a fifth" (0.2) reads as 20%, not 0.20
            share = round(float(value) * 100, 1)
            return f"{share:,.0f}%" if share.is_integer() else f"{share:,.1f}%"
        if role.is_money and not float(value).is_integer():
            number = f"{float(value):,.2f}"
        return f"{role.prefix}{number}{role.suffix}"

    return show


def figure_text(claim: Claim, role: MeasureRole | None, *, noun: bool = True) -> str:
    """A claim in words with its hedge and, for counts, its noun: "over 9,639 knives".

    ``noun=False`` (a table whose label names the counted things) still writes a duration's
    noun: "7" under "Length of the operation" does not say days."""
    text = hedges.describe(claim, number_text(role))
    wanted = {"count", "duration"} if noun else {"duration"}
    if role is not None and role.noun and role.kind in wanted:
        count = claim.high if claim.high is not None else claim.value
        text = f"{text} {plural(role.noun, count, role.noun_plural or None)}"
    return text


def finding_id(agency: str, area: str, measure: str) -> str:
    """The anchor of a reconciliation finding, so "disputed" can link to it."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{agency} {area} {measure}".lower()).strip("-")
    return f"finding-{slug}"


# --------------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The dates a report covers, as its rows give them."""

    start: pd.Timestamp | None
    end: pd.Timestamp | None
    kind: str = "exact"

    @property
    def days(self) -> int | None:
        if self.kind != "exact" or self.start is None or self.end is None:
            return None
        return int((self.end - self.start).days) + 1

    @property
    def text(self) -> str:
        """ "9 to 15 November 2020"; "November 2021" for a month-only period."""
        if self.start is None:
            return "dates not stated"
        if self.kind == "month":
            return f"{self.start:%B %Y}"
        return format_period(self.start, self.end)

    @property
    def wording(self) -> str:
        """ "week of action" for seven days, else "two-day operation", "59-day operation"."""
        days = self.days
        if days is None:
            return "operation"
        if days == 7:
            return "week of action"
        return f"{spell_small(days)}-day operation"

    @property
    def heading(self) -> str:
        """ "Week of action, 9 to 15 November 2020", for a subtitle."""
        wording = self.wording
        return f"{wording[0].upper()}{wording[1:]}, {self.text}"


def selected_period(rows: pd.DataFrame | Iterable[dict]) -> Period:
    """The period the rows give: the one most of their dated claims state.

    Exact periods win over month-only ones; undated rows give none.
    """
    triples: Iterable[tuple[Any, Any, Any]]
    if isinstance(rows, pd.DataFrame):
        triples = zip(rows["period_kind"], rows["period_start"], rows["period_end"], strict=True)
    else:
        triples = ((r["period_kind"], r["period_start"], r["period_end"]) for r in rows)
    stated = [(kind, start, end) for kind, start, end in triples if not pd.isna(start)]
    for kind in ("exact", "month"):
        counts = Counter((start, end) for k, start, end in stated if k == kind)
        if not counts:
            continue
        (start, end), _ = max(counts.items(), key=lambda item: (item[1], item[0][0]))
        return Period(pd.Timestamp(start), pd.Timestamp(end), kind)
    return Period(None, None, "undated")


# --------------------------------------------------------------------------------------------
# The chosen figures
# --------------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One measure for one area of the agency: the chosen claim and how far to trust it."""

    agency: str
    area: str
    measure: str
    role: MeasureRole
    claim: Claim
    source_id: str
    lines: list[int]
    status: str
    finding: str = ""
    """The anchor of the explanation when disputed."""
    derived: bool = False
    basis: str = ""
    """For a computed figure, what it was computed from ("187 knives + 58 ...")."""
    as_stated: list[tuple[str, str, int, str]] = field(default_factory=list)
    """Every hedged claim of this figure: (its words with the hedge, source_id, line, quote)."""
    supporters: list[str] = field(default_factory=list)
    """Sources whose claims agree with the chosen one."""
    compared_with: str = ""
    period: Period = field(default_factory=lambda: Period(None, None))
    doubtful_scope: bool = False
    """The whole list this figure belongs to looks mislabelled: reports must not use it."""

    @property
    def text(self) -> str:
        return figure_text(self.claim, self.role)

    @property
    def number(self) -> str:
        return figure_text(self.claim, self.role, noun=False)

    @property
    def value(self) -> float:
        return self.claim.value

    @property
    def hedged(self) -> bool:
        return not self.claim.is_exact

    @property
    def is_result(self) -> bool:
        """A figure a report's lede and charts may use: not a length of the operation, not
        from a list whose scope is doubtful (a disputed figure is used, marked, as chosen)."""
        return not self.role.is_duration and not self.doubtful_scope


def _week_claims(data: ReportData, operation: str, week: pd.Timestamp) -> pd.DataFrame:
    claims = data.claims
    return claims[
        (claims["operation"] == operation)
        & (claims["week"] == pd.Timestamp(week))
        & (claims["context"] == "")
    ]


def _status(
    data: ReportData, chosen: Claim, candidates: list[dict], disputed: bool
) -> tuple[str, list[str]]:
    """The status word for a chosen claim, and the sources that agree with it."""
    agreeing: list[str] = []
    for row in candidates:
        other = claim_of(row, data.vocabulary)
        if other.is_change != chosen.is_change:
            continue
        if chosen.is_exact and other.is_exact:
            ok = other.value == chosen.value
        else:
            ok = bool(hedges.compatible(chosen, other))
        if ok:
            agreeing.append(str(row["source_id"]))
    agreeing = list(dict.fromkeys(agreeing))
    if disputed:
        return "disputed", agreeing
    verified = [s for s in agreeing if bool(data.source(s).get("verified"))]
    publishers = {str(data.source(s).get("publisher") or s) for s in verified}
    if len(publishers) >= 2:
        return "confirmed", agreeing
    if publishers:
        return "single source", agreeing
    return "not verified", agreeing


def chosen_figures(
    dataset: Dataset | ReportData, operation: str, week: object, agency: str
) -> list[Figure]:
    """One figure per (area, measure) the agency has in the week, in measures.csv order."""
    data = report_data(dataset)
    week = pd.Timestamp(str(week))
    rows = data.by_agency(operation, week).get(agency) or _AgencyWeek()
    doubtful_areas = {
        str(row["area"]): finding_id(agency, str(row["area"]), WHOLE_LIST)
        for row in rows.rec
        if row["measure"] == WHOLE_LIST
    }
    items: dict[tuple[str, str], dict] = {}
    for row in rows.rec:
        items.setdefault((row["area"], row["measure"]), row)
    starts = {row["period_start"] for row in rows.claims}
    pool: dict[tuple[str, str], list[dict]] = {}
    for row in rows.pool:
        if row["period_start"] in starts:
            pool.setdefault((row["area"], row["measure"]), []).append(row)
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows.claims:
        groups.setdefault((row["area"], row["measure"]), []).append(row)
    period = data.period(operation, week, agency, rows.claims)
    figures: list[Figure] = []
    for (area, measure), group in groups.items():
        role = data.roles.get(measure)
        if role is None:
            continue
        item = items.get((area, measure))
        candidates = pool.get((area, measure), [])
        chosen_row, derived = _chosen_row(group, candidates, item)
        chosen = claim_of(chosen_row, data.vocabulary)
        conflict = item is not None and str(item["status"]) in ("conflict", "scope")
        status, supporters = _status(data, chosen, candidates, conflict or area in doubtful_areas)
        finding = ""
        if area in doubtful_areas:
            finding = doubtful_areas[area]
        elif conflict:
            finding = finding_id(agency, area, measure)
        hedged = [
            (
                figure_text(claim_of(r, data.vocabulary), role),
                str(r["source_id"]),
                int(r["line"]),
                str(r["quote"]),
            )
            for r in group
            if not claim_of(r, data.vocabulary).is_exact
        ]
        lines = [int(x) for x in chosen_row["lines"]] if derived else [int(chosen_row["line"])]
        figures.append(
            Figure(
                agency=agency,
                area=str(area),
                measure=str(measure),
                role=role,
                claim=chosen,
                source_id=str(chosen_row["source_id"]),
                lines=lines,
                status=status,
                finding=finding,
                derived=derived,
                basis=str(chosen_row.get("basis") or "") if derived else "",
                as_stated=hedged,
                supporters=supporters,
                compared_with=str(chosen_row.get("compared_with") or ""),
                period=_own_period(chosen_row, period),
                doubtful_scope=area in doubtful_areas,
            )
        )
    figures += _computed_totals(figures, data.roles)
    order = {m: i for i, m in enumerate(data.roles)}
    areas = list(dict.fromkeys(f.area for f in figures))
    figures.sort(
        key=lambda f: (f.doubtful_scope, areas.index(f.area), order.get(f.measure, len(order)))
    )
    return figures


_WEAKEST = ("disputed", "not verified", "single source", "confirmed")


def _computed_totals(figures: list[Figure], roles: Roles) -> list[Figure]:
    """Totals no source states but whose whole decomposition the sources give, exactly:
    1,074 knives seized + 8,401 surrendered or found = 9,475 knives, saying so."""
    added: list[Figure] = []
    for area in dict.fromkeys(f.area for f in figures):
        here = {f.measure: f for f in figures if f.area == area and not f.doubtful_scope}
        grown = True
        while grown:
            grown = False
            for total, role in roles.items():
                if total in here or not role.is_total:
                    continue
                for option in role.decompositions:
                    found = [here.get(p) for p in option]
                    parts = [p for p in found if p is not None and p.claim.is_exact]
                    if len(parts) < len(found) or any(p.claim.is_change for p in parts):
                        continue
                    value = float(sum(p.value for p in parts))
                    basis = " + ".join(p.text for p in parts)
                    status = next(s for s in _WEAKEST if any(p.status == s for p in parts))
                    figure = Figure(
                        agency=parts[0].agency,
                        area=area,
                        measure=total,
                        role=role,
                        claim=Claim(value),
                        source_id=parts[0].source_id,
                        lines=[line for p in parts for line in p.lines],
                        status=status,
                        finding=next((p.finding for p in parts if p.finding), ""),
                        derived=True,
                        basis=basis,
                        supporters=list(dict.fromkeys(s for p in parts for s in p.supporters)),
                        period=parts[0].period
                        if all(p.period == parts[0].period for p in parts)
                        else Period(None, None, "undated"),
                    )
                    here[total] = figure
                    added.append(figure)
                    grown = True
                    break
    return added


def _own_period(row: Mapping[str, Any] | pd.Series, week: Period) -> Period:
    """The period a chosen claim covers: the week's dates (as reconciliation decided them) for
    a claim stated with exact dates; its own month, or none, for a claim that joined the week
    by its month or undated, so no per-day rate assumes it covers exactly the week."""
    kind = row.get("period_kind")
    if not isinstance(kind, str) or kind in ("", "exact"):  # computed rows: from exact parts
        return week
    if kind == "month" and pd.notna(row.get("period_start")):
        return Period(
            pd.Timestamp(str(row.get("period_start"))),
            pd.Timestamp(str(row.get("period_end"))),
            "month",
        )
    return Period(None, None, "undated")


def _chosen_row(stated: list[dict], candidates: list[dict], item: dict | None) -> tuple[dict, bool]:
    """The claim reconciliation chose (a stated row, or a total computed from its parts)."""
    if item is not None and not pd.isna(item["chosen"]):
        value = float(item["chosen"])
        source = str(item["chosen_source"])
        matches = [r for r in stated if r["source_id"] == source and float(r["value"]) == value]
        exact = [r for r in matches if r["qualifier"] == ""]
        if exact:
            return exact[0], False
        derived = [
            r
            for r in candidates
            if bool(r["derived"]) and r["source_id"] == source and float(r["value"]) == value
        ]
        if derived:  # an exact total computed from its parts beats a hedged one
            row = dict(derived[0])
            row.setdefault("value_high", float("nan"))
            return row, True
        if matches:
            return matches[0], False
    exact = [r for r in stated if r["qualifier"] == ""]
    return (exact or stated)[0], False


def enough_figures(figures: Iterable[Figure]) -> bool:
    """Whether there is enough for a report: :data:`MIN_FIGURES` undisputed result figures."""
    return sum(1 for f in figures if f.is_result) >= MIN_FIGURES


def reportable_agencies(dataset: Dataset | ReportData, operation: str, week: object) -> list[str]:
    """Agencies with enough figures in the week for an operation summary."""
    data = report_data(dataset)
    return [
        agency
        for agency in sorted(data.by_agency(operation, pd.Timestamp(str(week))))
        if enough_figures(chosen_figures(data, operation, week, agency))
    ]


def source_label(data: ReportData, source_id: str) -> str:
    """ "Surrey Comet, undated" / "NPCC, 29 November 2021": who said it, and when."""
    row = data.source(source_id)
    publisher = str(row.get("publisher") or source_id)
    published = row.get("published")
    date = format_date(published) if published is not None and not pd.isna(published) else ""
    return f"{publisher}, {date or 'undated'}"


# --------------------------------------------------------------------------------------------
# Citations: the Sources list holds exactly what the report cites
# --------------------------------------------------------------------------------------------


def source_anchor(source_id: str) -> str:
    """The id of a source's entry in the Sources list."""
    return "source-" + re.sub(r"[^A-Za-z0-9_-]+", "-", source_id).strip("-")


class Citations:
    """The sources one report cites, in the order it first cites them.

    Every block that names a source asks :meth:`link`; the Sources section, last in the
    report, lists exactly these.
    """

    def __init__(self, data: ReportData) -> None:
        self.data = data
        self.cited: list[str] = []

    def add(self, source_id: str) -> str:
        if source_id not in self.cited:
            self.cited.append(source_id)
        return source_anchor(source_id)

    def label(self, source_id: str) -> str:
        return source_label(self.data, source_id)
