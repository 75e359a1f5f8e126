"""The claims every check reads, prepared once: one row per figure as a source states it.

:func:`prepare` adds to the loaded tallies what the checks need to compare claims quickly and
in plain words: the interval of true values each hedge allows (from :mod:`sceptre_analysis.hedges`),
the source's name, kind and date, which sources are copies of one release, whether a claim is a
headline, the whole-or-local scope of its area, and the *cluster* of each claim: the claims of
one operation whose periods overlap, compared even when their dates differ.

Everything is computed column-wise (pandas), so no check needs to look at pairs of claims.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import inflection
import numpy as np
import pandas as pd

from sceptre_analysis import hedges, paths
from sceptre_analysis.vocab import Vocabulary, fold, load_vocabulary

__all__ = [
    "SEVERITIES",
    "ClaimRef",
    "Context",
    "Finding",
    "load_wording",
    "prepare",
]

#: How serious a finding is, worst first; a figure's status is its worst finding's severity.
SEVERITIES: tuple[str, ...] = ("conflict", "scope", "caution", "note")
#: Copies of one release: sources sharing at least this many word-for-word quotes in a week...
COPY_MIN_SHARED = 2
#: ...that make at least this share of the smaller source's claims in that week.
COPY_MIN_SHARE = 0.5

_NON_WORD = re.compile(r"[^0-9a-z£%]+")
_NON_WORD_OR_NUL = re.compile(r"[^0-9a-z£%\x00]+")


@dataclass(frozen=True)
class ClaimRef:
    """One claim as a finding cites it: who said it, their words, and where it is recorded."""

    source_id: str
    source: str
    quote: str
    line: int | None
    figure: str
    computed_from: tuple[int, ...] = ()

    def cite(self) -> str:
        """ "Surrey Comet, line 11" or "computed from lines 6, 7"."""
        if self.computed_from:
            return "computed from lines " + ", ".join(str(n) for n in self.computed_from)
        return f"{self.source}, line {self.line}" if self.line is not None else self.source


@dataclass(frozen=True)
class Finding:
    """What one check found: the claims involved, why it matters, and what the reports use."""

    kind: str
    check: str
    severity: str
    explanation: str
    decision: str
    claims: tuple[ClaimRef, ...] = ()
    operation: str = ""
    week: pd.Timestamp | None = None
    agency: str = ""
    area: str = ""
    measure: str = ""
    chosen: float | None = None
    chosen_source: str = ""
    label: str = ""
    """A short title for the finding (used for a whole list's row)."""

    def as_row(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "check": self.check,
            "severity": self.severity,
            "operation": self.operation,
            "week": self.week if self.week is not None else pd.NaT,
            "agency": self.agency,
            "area": self.area,
            "measure": self.measure,
            "claims": list(self.claims),
            "explanation": self.explanation,
            "decision": self.decision,
            "chosen": self.chosen if self.chosen is not None else np.nan,
            "chosen_source": self.chosen_source,
            "label": self.label,
            "lines": sorted(
                {c.line for c in self.claims if c.line is not None}
                | {n for c in self.claims for n in c.computed_from}
            ),
        }


# --------------------------------------------------------------------------------------------
# Wording vocabulary (data/wording.csv)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    """Words of data/wording.csv: ``kind`` says what they tell a check."""

    phrase: str
    kind: str
    measure: str = ""
    note: str = ""


def load_wording(folder: Path | None = None) -> tuple[Wording, ...]:
    """The rows of ``wording.csv`` from ``folder`` if it has one, else from the project's data."""
    candidates = [folder / "wording.csv"] if folder is not None else []
    candidates.append(paths.project_root() / "data" / "wording.csv")
    for path in candidates:
        if path.is_file():
            text = path.read_bytes().decode("utf-8-sig")
            return tuple(
                Wording(
                    fold(row.get("phrase") or ""),
                    (row.get("kind") or "").strip(),
                    (row.get("measure") or "").strip(),
                    (row.get("note") or "").strip(),
                )
                for row in csv.DictReader(io.StringIO(text, newline=""))
                if (row.get("phrase") or "").strip()
            )
    return ()


# --------------------------------------------------------------------------------------------
# Measures: decompositions and units
# --------------------------------------------------------------------------------------------


def decompositions(total_of: object) -> list[tuple[str, ...]]:
    """``"a + b ; a + c"``, ``["a", "b"]`` or ``[["a", "b"], ["a", "c"]]`` -> [(a, b), (a, c)]."""
    if total_of is None or (isinstance(total_of, float) and np.isnan(total_of)):
        return []
    if isinstance(total_of, str):
        alternatives = [part.split("+") for part in total_of.split(";")]
    elif isinstance(total_of, Iterable):
        items = list(total_of)
        if items and all(isinstance(i, str) for i in items):
            joined = " + ".join(items)
            alternatives = [part.split("+") for part in joined.split(";")]
        else:
            alternatives = [list(i) for i in items]
    else:
        return []
    out = []
    for parts in alternatives:
        names = tuple(p.strip() for p in parts if str(p).strip())
        if len(names) >= 2:
            out.append(names)
    return out


# --------------------------------------------------------------------------------------------
# The prepared claims
# --------------------------------------------------------------------------------------------


@dataclass
class Context:
    """Prepared claims plus the vocabulary and measures the checks need (built by prepare)."""

    claims: pd.DataFrame
    measures: pd.DataFrame
    sources: pd.DataFrame
    vocabulary: Vocabulary
    wording: tuple[Wording, ...]
    decompositions: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    part_of: dict[str, str] = field(default_factory=dict)

    @cached_property
    def results(self) -> pd.DataFrame:
        """Claims about an operation's week (no context statistics), placed in a cluster."""
        c = self.claims
        return c[c["is_result"] & c["cluster"].ge(0)]

    @cached_property
    def related(self) -> set[frozenset[str]]:
        """Pairs of measures where one is a sum or subset of the other (directly or not)."""
        parents: dict[str, set[str]] = {}
        for total, options in self.decompositions.items():
            for parts in options:
                for part in parts:
                    parents.setdefault(part, set()).add(total)
        for part, total in self.part_of.items():
            parents.setdefault(part, set()).add(total)
        pairs: set[frozenset[str]] = set()
        for part in parents:
            seen, todo = set(), list(parents[part])
            while todo:
                total = todo.pop()
                if total in seen:
                    continue
                seen.add(total)
                pairs.add(frozenset((part, total)))
                todo.extend(parents.get(total, ()))
        return pairs

    def within(self, total: str) -> set[str]:
        """Every measure counted inside ``total`` (its parts, their parts, ...)."""
        cache = self.__dict__.setdefault("_within", {})
        if total not in cache:
            cache[total] = self._within_uncached(total)
        return cache[total]

    def _within_uncached(self, total: str) -> set[str]:
        found: set[str] = set()
        todo = [total]
        while todo:
            current = todo.pop()
            below = {p for parts in self.decompositions.get(current, []) for p in parts}
            below |= {p for p, t in self.part_of.items() if t == current}
            for measure in below - found:
                found.add(measure)
                todo.append(measure)
        return found

    @cached_property
    def measure_names(self) -> set[str]:
        return set(self.measures.index)

    def label(self, measure: str) -> str:
        return self._labels.get(measure, measure)

    @cached_property
    def _labels(self) -> dict[str, str]:
        return {
            str(m): str(label or m)
            for m, label in zip(self.measures.index, self.measures["label"].tolist(), strict=True)
        }

    @cached_property
    def _units(self) -> dict[str, str]:
        if "unit" not in self.measures.columns:
            return {}
        return {
            str(m): str(unit)
            for m, unit in zip(self.measures.index, self.measures["unit"].tolist(), strict=True)
        }

    def unit_text(self, value: float, unit: str) -> str:
        """1940 in GBP -> "£1,940"; 14 in percent -> "14%"."""
        info = self.vocabulary.units.get(unit)
        number = _number(value)
        if info is None:
            return number
        return f"{info.prefix}{number}{info.suffix}"

    def figure(self, value: float, measure: str, qualifier: str = "") -> str:
        """A figure in words: "more than 240 weapons", "£1,940 in cash"."""
        unit = self._units.get(measure, "")
        return _figure_text(qualifier, self.unit_text(value, unit), self._noun(measure, value))

    def _noun(self, measure: str, value: float) -> str:
        return _nouns(self.measures, self.vocabulary).get(measure, ("", ""))[0 if value == 1 else 1]

    def refs(self, rows: pd.DataFrame) -> tuple[ClaimRef, ...]:
        """Claim references for the given claims rows, in line order."""
        rows = rows[["source_id", "publisher", "quote", "line", "figure"]].sort_values(
            "line", kind="stable"
        )
        columns = [rows[name].tolist() for name in rows.columns]
        return tuple(
            ClaimRef(str(s), str(p), str(q), int(n), str(f))
            for s, p, q, n, f in zip(*columns, strict=True)
        )

    def source_name(self, source_id: str) -> str:
        names = self._source_names
        return names.get(source_id, source_id)

    @cached_property
    def _source_names(self) -> dict[str, str]:
        return dict(
            zip(
                self.sources["source_id"].astype(str),
                self.sources["publisher"].astype(str),
                strict=False,
            )
        )

    def date_text(self, when: object) -> str:
        if when is None or pd.isna(when):
            return "no date"
        stamp = pd.Timestamp(when)
        return f"{stamp.day} {calendar.month_name[stamp.month]} {stamp.year}"

    def period_text(self, start: object, end: object) -> str:
        if pd.isna(start) or pd.isna(end):
            return "no stated dates"
        s, e = pd.Timestamp(start), pd.Timestamp(end)
        if (s.year, s.month) == (e.year, e.month):
            return f"{s.day} to {e.day} {calendar.month_name[e.month]} {e.year}"
        return f"{self.date_text(s)} to {self.date_text(e)}"


_NOUN_CACHE: dict[int, dict[str, tuple[str, str]]] = {}


def _nouns(measures: pd.DataFrame, vocabulary: Vocabulary) -> dict[str, tuple[str, str]]:
    key = id(measures)
    if key not in _NOUN_CACHE:
        out = {}
        for name, row in measures.iterrows():
            noun = str(row.get("noun") or "") or str(row.get("label") or name).lower()
            plural = str(row.get("noun_plural") or "") or inflection.pluralize(noun)
            unit = vocabulary.units.get(str(row.get("unit") or ""))
            if unit is not None and unit.kind in ("percent", "fraction", "ratio", "rate"):
                noun = plural = ""
            out[str(name)] = (noun, plural)
        _NOUN_CACHE.clear()
        _NOUN_CACHE[key] = out
    return _NOUN_CACHE[key]


def _number(value: float) -> str:
    """1002 -> "1,002"; 1940.5 -> "1,940.50"; 0.2 -> "0.2"."""
    if value is None or pd.isna(value):
        return "?"
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:g}"


def _figure_text(qualifier: str, number: str, noun: str) -> str:
    return " ".join(part for part in (qualifier, number, noun) if part)


def _per_distinct(series: pd.Series, function: Callable[[str], str]) -> pd.Series:
    """``function`` of each text, worked once per distinct text."""
    codes, unique = pd.factorize(series, use_na_sentinel=False)
    done = np.array([function(str(u)) for u in unique], dtype=object)
    return pd.Series(done[codes], index=series.index, dtype=series.dtype)


#: The dtype ``astype(str)`` gives: a column already of it only needs its gaps filled.
_TEXT_DTYPE = pd.Series([], dtype=object).astype(str).dtype


def _text(frame: pd.DataFrame, name: str, default: str = "") -> pd.Series:
    if name not in frame.columns:
        return pd.Series(default, index=frame.index, dtype=object)
    column = frame[name]
    if column.dtype == _TEXT_DTYPE:
        return column.fillna(default) if column.hasnans else column
    return column.astype(object).where(column.notna(), default).astype(str)


def _dates(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[name], errors="coerce").astype("datetime64[ns]")


def _numbers(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[name].astype(object), errors="coerce").astype(float)


def norm_text(series: pd.Series) -> pd.Series:
    """Quotes compared word for word: case, punctuation and spacing do not matter.

    Each distinct text is worked once, all of them in one string (joined by NUL, which no
    step changes or crosses), unless a text holds a NUL itself."""
    codes, unique = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=False)
    texts = [str(t) for t in unique]
    joined = "\x00".join(texts)
    if joined.count("\x00") != max(len(texts) - 1, 0) or series.isna().any():
        return series.str.lower().str.replace(_NON_WORD, " ", regex=True).str.strip()
    words = _NON_WORD_OR_NUL.sub(" ", joined.lower()).split("\x00")
    done = np.array([w.strip() for w in words], dtype=object)
    return pd.Series(done[codes], index=series.index, dtype=series.dtype)


def prepare(dataset: object, vocabulary: Vocabulary | None = None) -> Context:
    """Build the :class:`Context` for a loaded dataset (``tallies``, ``sources``, ``measures``)."""
    tallies: pd.DataFrame = dataset.tallies  # type: ignore[attr-defined]
    sources: pd.DataFrame = dataset.sources  # type: ignore[attr-defined]
    measures: pd.DataFrame = dataset.measures  # type: ignore[attr-defined]
    folder = getattr(dataset, "data_dir", None)
    if vocabulary is None:
        vocabulary = getattr(dataset, "vocabulary", None) or load_vocabulary(folder)
    measures = measures.assign(measure=measures["measure"].astype(str)).set_index(
        "measure", drop=False
    )
    measures = measures[~measures.index.duplicated()]
    column = "total_of_alternatives" if "total_of_alternatives" in measures else "total_of"
    totals = measures[column] if column in measures else pd.Series(None, index=measures.index)
    decomp = {
        str(m): d for m, t in zip(measures.index, totals, strict=True) if (d := decompositions(t))
    }
    part_of = {
        str(m): str(p).strip()
        for m, p in zip(measures.index, _text(measures, "part_of"), strict=False)
        if str(p).strip()
    }
    claims = _claims(tallies, sources, measures, vocabulary)
    _code(claims, "operation", "agency", "measure", "source_id", "unit")
    wording = load_wording(Path(folder) if folder is not None else None)
    claims = _scope(claims, vocabulary, wording)
    _code(claims, "area_key")
    claims = _clusters(claims)
    claims = _releases(claims)
    _code(claims, "release")
    return Context(claims, measures, sources, vocabulary, wording, decomp, part_of)


def _code(c: pd.DataFrame, *names: str) -> None:
    """``<name>_code``: each text as an integer, numbered in the texts' sorted order, so that
    grouping, sorting and de-duplicating by it give what the text would, without hashing
    100,000 strings each time (the checks group by these again and again)."""
    for name in names:
        c[name + "_code"] = pd.factorize(c[name], sort=True, use_na_sentinel=False)[0]


def decode(c: pd.DataFrame, name: str) -> np.ndarray:
    """The texts of ``<name>_code``: ``decode(c, name)[code]`` is the text."""
    codes, first = np.unique(c[name + "_code"].to_numpy(), return_index=True)
    texts = np.empty(int(codes.max()) + 1 if len(codes) else 0, dtype=object)
    texts[codes] = c[name].to_numpy(dtype=object)[first]
    return texts


def _claims(
    tallies: pd.DataFrame, sources: pd.DataFrame, measures: pd.DataFrame, vocabulary: Vocabulary
) -> pd.DataFrame:
    t = tallies.reset_index(drop=True)
    c = pd.DataFrame(index=t.index)
    for name in ("operation", "agency", "area", "measure", "source_id", "quote", "qualifier"):
        c[name] = _text(t, name)
    c["context"] = _per_distinct(_text(t, "context"), str.strip)
    c["value"] = _numbers(t, "value")
    c["value_high"] = _numbers(t, "value_high")
    c["line"] = _numbers(t, "line").fillna(-1).astype("int64")
    c["period_start"] = _dates(t, "period_start")
    c["period_end"] = _dates(t, "period_end")
    c["period_stated"] = _text(t, "period_stated")
    c["note"] = _text(t, "note")
    if "period_kind" in t.columns:
        c["period_kind"] = _text(t, "period_kind")
    else:
        c["period_kind"] = np.where(
            c["period_start"].notna() & c["period_end"].notna(), "exact", "undated"
        )
    c["week"] = _dates(t, "week") if "week" in t.columns else c["period_start"]
    unit_of = measures["unit"].astype(str) if "unit" in measures.columns else pd.Series()
    c["unit"] = _text(t, "unit") if "unit" in t.columns else c["measure"].map(unit_of)
    c["unit"] = c["unit"].fillna("").astype(str)
    c["unit_kind"] = (
        c["unit"].map({name: u.kind for name, u in vocabulary.units.items()}).fillna("count")
    )
    _hedge_columns(c, t, vocabulary)
    # The source's name, kind, date and whether its quotes were checked.
    s = sources.assign(source_id=sources["source_id"].astype(str)).drop_duplicates("source_id")
    s = s.set_index("source_id")
    # (each source looked up once, then spread over its claims: as .map() would, quicker)
    codes, ids = pd.factorize(c["source_id"], use_na_sentinel=False)

    def by_source(values: pd.Series) -> pd.Series:
        return pd.Series(values.reindex(ids).array.take(codes), index=c.index)

    c["publisher"] = by_source(_text(s, "publisher")).fillna(c["source_id"])
    c["primary"] = by_source(_text(s, "kind").eq("primary")).fillna(False).astype(bool)
    c["published"] = by_source(_dates(s, "published")).astype("datetime64[ns]")
    verified = s["verified"] if "verified" in s.columns else _text(s, "document").ne("")
    c["verified"] = by_source(verified.astype(bool)).fillna(False).astype(bool)
    titles = " " + norm_text(_text(s, "title")).str.split().str.join(" ") + " "
    title = dict(zip(titles.index, titles, strict=True))
    c["qnorm"] = norm_text(c["quote"])
    with_title = {sid for sid, text in title.items() if text.strip()}
    c["headline"] = (
        [
            sid in with_title and bool(q) and f" {q} " in title[sid]
            for q, sid in zip(c["qnorm"].tolist(), c["source_id"].tolist(), strict=True)
        ]
        if with_title
        else False
    )
    agencies = vocabulary.agencies
    c["akind"] = c["agency"].map({a: v.kind for a, v in agencies.items()}).fillna("force")
    c["agency_area"] = c["agency"].map({a: v.area for a, v in agencies.items()}).fillna("")
    c["is_result"] = c["context"].eq("") & c["operation"].ne("")
    # The figure as the source words it, for explanations.
    c["phrase"], c["figure"] = _figure_columns(c, measures, vocabulary)
    return c


def _figure_columns(
    c: pd.DataFrame, measures: pd.DataFrame, vocabulary: Vocabulary
) -> tuple[pd.Series, pd.Series]:
    """The hedge phrase and the figure in words ("more than 240 weapons") of every claim,
    written once per distinct (qualifier, unit, measure, value, high value)."""
    names = ["qualifier", "unit", "measure", "value", "value_high"]
    key = c[names]
    codes = key.groupby(names, sort=False, dropna=False).ngroup().to_numpy()
    # numbered by first appearance: the first row of each is where its number first occurs
    distinct = key.iloc[np.unique(codes, return_index=True)[1]]
    nouns = _nouns(measures, vocabulary)
    units = vocabulary.units
    templates = {q: _template(q, vocabulary) for q in distinct["qualifier"].unique()}
    numbers = {v: _number(v) for v in distinct["value"].unique()}
    phrases, figures = [], []
    for qualifier, unit, measure, value, high in zip(
        *(distinct[n].tolist() for n in names), strict=True
    ):
        info = units.get(unit)
        prefix, suffix = (info.prefix, info.suffix) if info is not None else ("", "")
        singular, plural = nouns.get(measure, ("", ""))
        template, phrase = templates[qualifier]
        number = numbers[value] if value == value else "?"
        text = template.replace("\x00", prefix + number + suffix)
        if "\x01" in text:
            text = text.replace("\x01", prefix + _number(high) + suffix)
        phrases.append(phrase)
        figures.append(f"{text} {singular if value == 1 else plural}".strip())
    dtype = c["measure"].dtype
    return (
        pd.Series(np.array(phrases, dtype=object)[codes], index=c.index, dtype=dtype),
        pd.Series(np.array(figures, dtype=object)[codes], index=c.index, dtype=dtype),
    )


def _template(qualifier: str, vocabulary: Vocabulary) -> tuple[str, str]:
    """How a figure with this qualifier is written ("an increase of over \\x00"), and the
    hedge phrase alone; through the hedge module's :func:`~sceptre_analysis.hedges.describe`."""
    try:
        parsed = hedges.parse_qualifier(qualifier, vocabulary)
        stated = hedges.claim(1.0, parsed, high=2.0 if parsed.hedge.meaning == "range" else None)
    except (hedges.UnknownQualifier, ValueError):
        return (f"{qualifier} \x00".strip(), qualifier)
    marks = {1.0: "\x00", 2.0: "\x01"}
    return hedges.describe(stated, lambda v: marks.get(v, "")), parsed.hedge.phrase


def _hedge_columns(c: pd.DataFrame, t: pd.DataFrame, vocabulary: Vocabulary) -> None:
    """``meaning``, ``direction``, ``tolerance`` and the interval of true values (lo..hi).

    Every hedge but a range bounds the value in proportion to the stated number, so the
    interval of one unit is asked of :mod:`sceptre_analysis.hedges` once per kind of hedge
    and scaled; ranges are asked row by row (they are few).
    """
    if "meaning" in t.columns:
        c["meaning"] = _text(t, "meaning").replace("", "exact")
        c["direction"] = _text(t, "direction")
        c["tolerance"] = _numbers(t, "tolerance")
    else:
        parsed = {}
        for printed in c["qualifier"].unique():
            try:
                p = hedges.parse_qualifier(printed, vocabulary)
                parsed[printed] = (
                    p.hedge.meaning,
                    p.direction.meaning if p.direction else "",
                    p.hedge.tolerance,
                )
            except hedges.UnknownQualifier:
                parsed[printed] = ("exact", "", None)
        c["meaning"] = c["qualifier"].map(lambda q: parsed[q][0])
        c["direction"] = c["qualifier"].map(lambda q: parsed[q][1])
        c["tolerance"] = c["qualifier"].map(lambda q: parsed[q][2]).astype(float)
    c["meaning"] = c["meaning"].where(c["meaning"].isin(hedges.LEVEL_MEANINGS), "exact")
    c["direction"] = c["direction"].where(c["direction"].isin(hedges.DIRECTIONS), "")
    c["exact"] = c["meaning"].eq("exact")
    c["is_change"] = c["direction"].ne("")
    lo = np.full(len(c), np.nan)
    hi = np.full(len(c), np.nan)
    lo_open = np.zeros(len(c), dtype=bool)
    hi_open = np.zeros(len(c), dtype=bool)
    value = c["value"].to_numpy(dtype=float)
    kinds = c[["meaning", "direction", "tolerance"]].fillna({"tolerance": -1.0})
    for (meaning, direction, tolerance), index in kinds.groupby(
        ["meaning", "direction", "tolerance"], sort=False
    ).indices.items():
        tol = None if tolerance < 0 else float(tolerance)
        if meaning == "range":
            for i in index:
                high = c["value_high"].iat[i]
                try:
                    iv = hedges.Claim(
                        value[i], "range", tol, None if np.isnan(high) else high, direction or None
                    ).interval()
                except ValueError:
                    iv = hedges.Interval(value[i], value[i])
                lo[i], hi[i], lo_open[i], hi_open[i] = iv.low, iv.high, iv.low_open, iv.high_open
            continue
        unit = hedges.Claim(1.0, meaning, tol, None, direction or None).interval()
        v = value[index]
        sign = np.sign(v)
        with np.errstate(invalid="ignore"):  # inf * 0 is NaN here, replaced just below
            low = np.where(sign >= 0, unit.low * v, unit.high * v)
            high = np.where(sign >= 0, unit.high * v, unit.low * v)
        lo[index] = np.where(np.isnan(low), -np.inf if unit.low < 0 else 0, low)
        hi[index] = np.where(np.isnan(high), np.inf, high)
        lo_open[index] = unit.low_open
        hi_open[index] = unit.high_open
    c["lo"], c["hi"], c["lo_open"], c["hi_open"] = lo, hi, lo_open, hi_open


def _scope(c: pd.DataFrame, vocabulary: Vocabulary, wording: tuple[Wording, ...]) -> pd.DataFrame:
    """``area_key``: "" when the area is the agency's whole area, else the area as written."""
    fillers = sorted((w.phrase for w in wording if w.kind == "area_filler"), key=len, reverse=True)
    national = {w.phrase for w in wording if w.kind == "national_scope"}
    # each (agency, area) once: its number, and its first claim (kind and area of the agency
    # go with the agency)
    place = c.groupby(["agency_code", "area"], sort=False).ngroup().to_numpy()
    areas = c[["agency", "area", "akind", "agency_area"]].iloc[
        np.unique(place, return_index=True)[1]
    ]
    keys = {}
    for agency, area, akind, agency_area in zip(
        *(areas[n].tolist() for n in ("agency", "area", "akind", "agency_area")), strict=True
    ):
        folded = fold(area)
        stripped = folded
        changed = True
        while changed:
            changed = False
            for filler in fillers:
                if stripped.startswith(filler + " "):
                    stripped = stripped[len(filler) + 1 :]
                    changed = True
        whole = (
            not folded
            or stripped in {fold(agency_area), fold(agency)}
            or (akind == "national" and (folded in national or stripped in national))
        )
        keys[(agency, area)] = "" if whole else area
    per_place = np.array(
        [
            keys[(a, r)]
            for a, r in zip(areas["agency"].tolist(), areas["area"].tolist(), strict=True)
        ],
        dtype=object,
    )
    c["area_key"] = pd.Series(per_place[place], index=c.index, dtype=c["area"].dtype)
    c["scope_rank"] = np.where(c["area_key"].ne(""), 0, np.where(c["akind"].eq("national"), 2, 1))
    return c


def _clusters(c: pd.DataFrame) -> pd.DataFrame:
    """Number the claims of one operation whose periods overlap: one cluster, one week.

    Each week key's span is the widest exact period placed in it (a month-only week spans its
    month); spans that overlap, sorted by start, chain into one cluster. Linear after a sort.
    """
    c["cluster"] = -1
    c["cluster_week"] = pd.NaT
    placed = c.loc[
        c["is_result"] & c["week"].notna(),
        ["operation_code", "week", "period_kind", "period_start", "period_end"],
    ]
    if placed.empty:
        return c
    exact = placed["period_kind"].eq("exact") & placed["period_start"].notna()
    start = placed["period_start"].where(exact)
    end = placed["period_end"].where(exact)
    # each week's month, worked once per distinct week
    codes, weeks_seen = pd.factorize(placed["week"])
    months = pd.Series(weeks_seen).dt.to_period("M")
    month_start = pd.Series(
        months.dt.start_time.to_numpy()[codes], index=placed.index, dtype="datetime64[ns]"
    )
    month_end = pd.Series(
        months.dt.end_time.dt.normalize().to_numpy()[codes],
        index=placed.index,
        dtype="datetime64[ns]",
    )
    spans = pd.DataFrame(
        {
            "operation": placed["operation_code"],
            "week": placed["week"],
            "start": start.fillna(month_start),
            "end": end.fillna(month_end),
            "exact": exact,
        }
    )
    # a week with exact periods spans them; else its month
    spans = spans.sort_values("exact", ascending=False)
    weeks = spans.groupby(["operation", "week"], sort=False).agg(
        start=("start", "min"), end=("end", "max"), exact=("exact", "max")
    )
    ex = (
        spans[spans["exact"]]
        .groupby(["operation", "week"])
        .agg(s=("start", "min"), e=("end", "max"))
    )
    weeks.loc[ex.index, "start"] = ex["s"]
    weeks.loc[ex.index, "end"] = ex["e"]
    weeks = weeks.reset_index().sort_values(["operation", "start", "end"])
    running = weeks.groupby("operation")["end"].cummax()
    previous = running.groupby(weeks["operation"]).shift()
    new = previous.isna() | (weeks["start"] > previous)
    weeks["cluster"] = new.cumsum() - 1
    # the cluster's week: the week key most claims are placed in (earliest on a tie)
    counts = spans.groupby(["operation", "week"]).size().rename("n").reset_index()
    weeks = weeks.merge(counts, on=["operation", "week"], how="left")
    rep = (
        weeks.sort_values(["cluster", "n", "week"], ascending=[True, False, True])
        .drop_duplicates("cluster")
        .set_index("cluster")["week"]
    )
    weeks["cluster_week"] = weeks["cluster"].map(rep)
    key = weeks.set_index(["operation", "week"])
    index = pd.MultiIndex.from_arrays([placed["operation_code"], placed["week"]])
    c.loc[placed.index, "cluster"] = key["cluster"].reindex(index).to_numpy()
    c.loc[placed.index, "cluster_week"] = key["cluster_week"].reindex(index).to_numpy()
    c["cluster"] = c["cluster"].astype("int64")
    c["cluster_week"] = pd.to_datetime(c["cluster_week"]).astype("datetime64[ns]")
    return c


def _releases(c: pd.DataFrame) -> pd.DataFrame:
    """``release``: sources that republish one release word for word share one release id.

    Two sources are copies when, in one cluster, at least :data:`COPY_MIN_SHARED` of their
    quotes are the same words and those make at least :data:`COPY_MIN_SHARE` of the smaller
    source's claims there. Each repeated quote links its sources to the first of them
    (primary first, then earliest published), so the work grows with the claims, not their pairs.
    """
    c["release"] = c["source_id"]
    placed = c.loc[
        (c["cluster"] >= 0) & c["qnorm"].ne(""),
        ["cluster", "qnorm", "source_id_code", "primary", "published"],
    ]
    if placed.empty:
        return c
    # quotes and sources as integers (sources numbered in the order of their ids)
    sources = decode(c, "source_id")
    placed = placed.rename(columns={"source_id_code": "source_id"}).assign(
        qnorm=pd.factorize(placed["qnorm"], use_na_sentinel=False)[0]
    )
    rows = placed.drop_duplicates(["cluster", "qnorm", "source_id"])
    shared = rows[rows.duplicated(["cluster", "qnorm"], keep=False)]
    if shared.empty:
        return c
    shared = shared.sort_values(
        ["cluster", "qnorm", "primary", "published", "source_id"],
        ascending=[True, True, False, True, True],
        na_position="last",
    )
    first = shared.groupby(["cluster", "qnorm"])["source_id"].transform("first")
    pairs = shared.assign(center=first)
    pairs = pairs[pairs["center"] != pairs["source_id"]]
    counted = (
        pairs.groupby(["cluster", "center", "source_id"]).size().rename("shared").reset_index()
    )
    sizes = placed.groupby(["cluster", "source_id"]).size()
    counted["smaller"] = np.minimum(
        sizes.reindex(pd.MultiIndex.from_frame(counted[["cluster", "center"]])).to_numpy(),
        sizes.reindex(pd.MultiIndex.from_frame(counted[["cluster", "source_id"]])).to_numpy(),
    )
    copies = counted[
        (counted["shared"] >= COPY_MIN_SHARED)
        & (counted["shared"] >= COPY_MIN_SHARE * counted["smaller"])
    ]
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    # every source once (the order below is total: which claim stands for it does not matter)
    first = np.unique(c["source_id_code"].to_numpy(), return_index=True)[1]
    rank = (
        c[["source_id", "primary", "published"]]
        .iloc[first]
        .assign(p=lambda f: ~f["primary"])
        .sort_values(["p", "published", "source_id"], na_position="last")["source_id"]
        .tolist()
    )
    order = {s: i for i, s in enumerate(rank)}
    names = sources
    for center, other in zip(
        names[copies["center"].to_numpy()].tolist(),
        names[copies["source_id"].to_numpy()].tolist(),
        strict=True,
    ):
        a, b = root(center), root(other)
        if a != b:
            keep, drop = (a, b) if order.get(a, 0) <= order.get(b, 0) else (b, a)
            parent[drop] = keep
    if parent:
        roots = np.array([root(s) for s in names], dtype=object)
        c["release"] = pd.Series(
            roots[c["source_id_code"].to_numpy()], index=c.index, dtype=c["source_id"].dtype
        )
    return c


def weekday_names() -> dict[str, int]:
    """ "monday" -> 0 ... (English day names, as printed in releases)."""
    return {name.lower(): i for i, name in enumerate(calendar.day_name)}


def month_names() -> dict[str, int]:
    names = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
    names.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
    return names
