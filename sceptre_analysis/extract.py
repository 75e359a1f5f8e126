"""Propose the figures a saved release states, as rows of ``tallies.csv`` for a person to review.

The reading is rule-based and driven by the project's data, so a new wording is a data change:

* **numbers**: :func:`sceptre_analysis.numbers.numbers_in` finds every number the text writes
  (digits, words, fractions, money, percentages, weights, ranges);
* **not figures**: dates, years, times, ages, phone numbers, addresses, legal sections, URL
  digits, lengths of time and legal penalties are set aside here *with their reason*, so a
  reviewer can see what was skipped and why;
* **measure**: the ``phrase`` rows of ``data/measure_aliases.csv`` are looked for next to the
  number (after it first, then before it, within its clause), with plural and verb endings
  ignored; the phrase's measure must fit the number's kind (a percentage needs a percent
  measure).  No phrase, no measure: the cell stays blank rather than guessed;
* **hedge**: the qualifier phrases of ``data/qualifiers.csv`` printed just before the number
  (or a direction word just after it), read by :func:`sceptre_analysis.hedges.parse_qualifier`;
* **agency and area**: force names and aliases of ``data/agencies.csv`` in the sentence (else
  the document's own force), national scope words of ``data/extraction_cues.csv``;
* **period**: the dates the text states (weekday names fix a missing year), else the
  publication date, else the national week of the month named (the weeks are the national
  periods in ``data/tallies.csv``);
* **quote**: the words around the number that state it, checked with
  :func:`sceptre_analysis.numbers.states`, the rule ``validate`` applies.

Only the standard library, :mod:`vocab`, :mod:`hedges` and :mod:`numbers` are imported, so a
``sceptre-report extract`` run answers well within a second.
"""

from __future__ import annotations

import bisect
import calendar
import csv
import io
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from sceptre_analysis import numbers, paths
from sceptre_analysis.hedges import UnknownQualifier, parse_qualifier
from sceptre_analysis.vocab import Vocabulary, fold, load_vocabulary

__all__ = [
    "COLUMNS",
    "CUES_FILE",
    "Extraction",
    "Extractor",
    "Figure",
    "Skipped",
    "extract_text",
    "extractor",
]

#: Output columns: the tallies columns a reviewer fills, then what the extractor adds.
COLUMNS: tuple[str, ...] = (
    "operation",
    "period_start",
    "period_end",
    "agency",
    "area",
    "measure",
    "value",
    "value_high",
    "qualifier",
    "context",
    "quote",
    "note",
    "confidence",
    "span_start",
    "span_end",
    "range_id",
)
CUES_FILE = "extraction_cues.csv"

# --------------------------------------------------------------------------------------------
# English the rules rely on (grammar, not vocabulary: no measure, force or hedge is named here)
# --------------------------------------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_WEEKDAYS |= {name.lower(): i for i, name in enumerate(calendar.day_abbr)}
_M = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_W = r"(?:" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\.?,?"
_D = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_Y = r"(?:19|20)\d\d"
_TO = r"\s*(?:-|–|—|to|and|until|till)\s*"
_SINGLE_DM = rf"(?:{_W}\s+)?(?P<d>{_D})\s+(?P<m>{_M})(?:,?\s+(?P<y>{_Y}))?"
_SINGLE_MD = rf"(?:{_W}\s+)?(?P<m>{_M})\s+(?P<d>{_D})(?!\d|,\d)(?:,?\s+(?P<y>{_Y}))?"
#: Where a date can begin: a digit, or a month or weekday name (checked first, for speed).
_DATE_START = (
    r"(?=\b(?:\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun))"
)
_DATE_RANGE = re.compile(
    _DATE_START
    + rf"(?:(?:(?P<w1>{_W})\s+)?(?P<d1>{_D})(?:\s+(?P<m1>{_M}))?(?:,?\s+(?P<y1>{_Y}))?{_TO}"
    rf"(?:(?P<w2>{_W})\s+)?(?P<d2>{_D})\s+(?P<m2>{_M})(?:,?\s+(?P<y2>{_Y}))?\b"
    rf"|(?:(?P<w3>{_W})\s+)?(?P<m3>{_M})\s+(?P<d3>{_D})(?:,?\s+(?P<y3>{_Y}))?{_TO}"
    rf"(?:(?P<w4>{_W})\s+)?(?:(?P<m4>{_M})\s+)?(?P<d4>{_D})\b(?!,\d)(?:,?\s+(?P<y4>{_Y}))?)",
    re.I,
)
_DATE_SINGLE = re.compile(
    _DATE_START + rf"\b(?:{_SINGLE_DM}|{_SINGLE_MD.replace('?P<', '?P<x')})\b", re.I
)
#: A full date at the end of a byline, even glued to the name ("Josh Smith25 November 2021").
_BYLINE_DATE = re.compile(
    rf"(?<!\d)(?P<d>[12]\d|3[01]|0?[1-9])\s+(?P<m>{_M})\s+(?P<y>{_Y})\s*$", re.I
)
_MONTH_YEAR = re.compile(rf"\b(?P<m>{_M})\s+(?P<y>{_Y})\b", re.I)
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b")
_TIME = re.compile(
    r"\b\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b|\b\d{3,4}\s?(?:hrs|hours)\b"
    r"|\b24/7\b",
    re.I,
)
_AGE = re.compile(
    r"(?=\b(?:\d|aged?|under|over))(?:"
    r"\baged\s+(?:between\s+)?\d+(?:\s*(?:-|–|to|and)\s*\d+)?"
    r"|\b\d+\s*(?:-|–|to)\s*\d+[\s-]+years?[\s-]+olds?"
    r"|\b\d+[\s-]+years?[\s-]+old|\b\d+-year-olds?"
    r"|\bunder-\d{1,2}(?:['’]?s)?\b|\bunder\s+(?:1\d|2[0-5])(?:['’]?s\b|(?!\s+[a-z]|[\d,]))"
    r"|\bover[\s-]\d{1,2}['’]?s\b|\bage\s+of\s+\d+|\bages\s+(?:of\s+)?\d+)",
    re.I,
)
_PHONE = re.compile(
    r"(?:\+44\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b"
    r"|\b(?:call|dial|ring|phone|on|text|or|via|using)\s+(?:us\s+on\s+)?(?:101|999|111)\b"
    r"|\b(?:101|999)\b(?=[\s,]*(?:non-emergency|emergency|number|line|service))"
    r"|\b(?:call|dial|ring|phone|text|contact)\b[^.\n\d]{0,30}?\bon\s+\d{3,}",
    re.I,
)
_ADDRESS = re.compile(
    r"\b\d+[a-z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Lane|Avenue|Ave|Way|Close|"
    r"Drive|Place|Square|Court|Crescent|Terrace|Gardens|Grove|Hill|Park|Parade|Row|Walk)\b"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b",
)
_SECTION = re.compile(
    r"\b(?:section|sections|s\.|s|article|regulation|schedule|part|chapter|clause|paragraph)"
    r"\s?\d+[A-Z]?(?:\(\d+\))?(?:\s*(?:and|or|,)\s*\d+)*",
    re.I,
)
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|[#@]\w+|\b\S+\.(?:com|uk|org|net)/\S*", re.I
)
_DURATION = re.compile(
    r"^[\s-]*(?:(?:consecutive|full|more|whole)\s+)?(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|"
    r"days?|nights?|"
    r"weeks?|fortnights?|months?|years?|decades?)\b(?![\s-]+old)",
    re.I,
)
#: Numbers a web page prints around an article, not in it.
_FURNITURE = re.compile(
    r"^\s*(?:comments?|shares?|likes?|views?|followers?|retweets?|replies|reactions?)\b", re.I
)
_REFERENCE = re.compile(
    r"\b(?:reference|ref\.?|crime\s+number|log(?:\s+number)?|CAD|occurrence|incident\s+number)"
    r"\s*(?:number|no\.?)?\s*:?\s*[\d/]+",
    re.I,
)
_LENGTH_WORD = re.compile(r"^-(?:day|week|month|year|hour)s?\b|^-?long\b|^\s*times?\b", re.I)
_ORDINAL = re.compile(r"^(?:st|nd|rd|th)\b", re.I)
_YEAR_BEFORE = re.compile(
    r"(?:\b(?:in|since|of|from|to|until|till|by|during|for|before|after|ending|year|early|late|"
    r"mid|summer|winter|spring|autumn|between|and|the)\s*|[-–(]\s*)$",
    re.I,
)
_EDITORIAL = re.compile(r"\[[^\]\n]{0,120}\]")
_SENTENCE_END = re.compile(
    r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9£])|\n\s*\n|\n(?=\s*[-•*·▪–]\s)"
)
#: Words that do not change which measure a phrase names ("knives were removed" = "knives
#: removed").
_AUXILIARIES = frozenset(
    {"were", "was", "is", "are", "be", "been", "being", "have", "has", "had", "either"}
    | {"also", "then", "all", "total", "a", "an", "the", "of", "our", "which", "its", "their"}
    | {"x"}  # "3x knives"
)
#: Single words for one that are language, not counts ("one of", "in one instance").
_ONE_WORDS = frozenset({"one", "a", "an"})
#: Words that join two statements: the words before them describe another number.
_CONJUNCTIONS = frozenset(
    {"and", "while", "whilst", "but", "with", "including", "plus", "alongside", "as", "after"}
    | {"following"}
)
_COMMAS = frozenset({",", "-", "–", "—"})  # what separates clauses inside a sentence
#: Hedges that bound a figure from the same side state the same thing in a repeat.
_BOUND = {"more": "lower", "at_least": "lower", "less": "upper", "at_most": "upper"}
#: Words that join a force to a national scope ("all forces, as well as the BTP").
_JOINED = re.compile(
    r"[\s,]*(?:\w+\s+){0,3}?(?:as well as|including|alongside|plus|and|together with|with)"
    r"\s+(?:the\s+)?",
    re.I,
)
_PREPOSITIONS = frozenset(
    {"in", "at", "on", "of", "to", "for", "by", "from", "with", "during", "over", "across"}
)
_PLACE = re.compile(r"^\s*(?:[-•*·▪–]\s*)?(?P<place>[A-Z][\w .'’&-]{1,40}?)\s*[:–-]\s*[£\d]")
_CLAUSE_STOPS = frozenset(".;:!?()[]\n|•")
_WINDOW = 12  # words looked at on each side of a number


def _stem(word: str) -> str:
    """One form for "knives"/"knife", "arrested"/"arrests", "searches"/"searched"."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith("ives"):
        w = w[:-3] + "fe"
    elif w.endswith(("sses", "shes", "ches", "xes", "zes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def _words(text: str) -> list[str]:
    """Phrase words as matched: hyphens split words, auxiliaries dropped, endings stemmed."""
    out = []
    for token in re.findall(r"[A-Za-z][A-Za-z'’]*|\d+|%|£", text.replace("-", " ")):
        low = token.lower()
        if low in _AUXILIARIES:
            continue
        out.append(_stem(low))
    return out


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    """A number the text writes that is not a figure, and why ("date", "phone number")."""

    start: int
    end: int
    text: str
    reason: str


@dataclass
class Figure:
    """One proposed tallies row, with where it sits in the text and how sure the rules are."""

    value: float
    start: int  # the number's span
    end: int
    number_text: str
    kind: str
    operation: str = ""
    period_start: str = ""
    period_end: str = ""
    agency: str = ""
    area: str = ""
    measure: str = ""
    value_high: float | None = None
    qualifier: str = ""
    context: str = ""
    quote: str = ""
    note: str = ""
    confidence: float = 0.0
    span_start: int = -1  # the quote's span (-1 until a quote is found)
    span_end: int = 0
    range_id: str = ""
    meaning: str = "exact"
    noun: str = ""  # the word right after the number, for telling repeats apart
    measure_span: tuple[int, int] | None = None
    doc_headline_end: int = 0  # where the first line ends: a headline's repeats are merged

    def row(self) -> dict[str, str]:
        """The figure as a CSV row of :data:`COLUMNS`."""
        return {
            "operation": self.operation,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "agency": self.agency,
            "area": self.area,
            "measure": self.measure,
            "value": _plain(self.value),
            "value_high": "" if self.value_high is None else _plain(self.value_high),
            "qualifier": self.qualifier,
            "context": self.context,
            "quote": self.quote,
            "note": self.note,
            "confidence": f"{self.confidence:.2f}",
            "span_start": str(self.span_start),
            "span_end": str(self.span_end),
            "range_id": self.range_id,
        }


@dataclass
class Extraction:
    """What one document yielded: proposed figures and the numbers set aside."""

    text: str
    figures: list[Figure] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    source: str = ""
    published: date | None = None
    period: tuple[str, str] = ("", "")

    def rows(self) -> list[dict[str, str]]:
        return [f.row() for f in self.figures]


def _plain(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6g}"


# --------------------------------------------------------------------------------------------
# Data the rules read
# --------------------------------------------------------------------------------------------


def _csv_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    text = path.read_bytes().decode("utf-8-sig", "replace")
    return [
        {(k or "").strip(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        for row in csv.DictReader(io.StringIO(text, newline=""))
    ]


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]
    measures: tuple[str, ...]


@dataclass(frozen=True)
class _Spelling:
    """An agency alias or cue as a case-aware pattern."""

    pattern: re.Pattern[str]
    target: str
    kind: str = ""
    first: str = ""  # the spelling's first word, folded: where a match can start


_NAME_WORD = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z]*")


def _first(text: str) -> str:
    """The first word of a name, folded (how a name's possible starts are looked up)."""
    word = re.match(r"[A-Za-z][A-Za-z'’]*", text.strip())
    return word.group().lower().replace("’", "'") if word else ""


def _spelling_pattern(text: str) -> re.Pattern[str]:
    """Match ignoring case, spacing, '&'/'and' and apostrophes, but a capitalised word of the
    alias must be capitalised in the text ("Met" is a force; "met" is a verb)."""
    parts = []
    for word in text.replace("&", " and ").split():
        letters = re.escape(word).replace("'", "['’]").replace("’", "['’]")
        if word[:1].isupper() and len(word) <= 4:
            parts.append(f"(?-i:{letters[:2]}){letters[2:]}" if len(letters) > 1 else letters)
        else:
            parts.append(letters)
    body = r"\s+".join(p if p != "and" else r"(?:and|&)" for p in parts)
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", re.I)


@dataclass
class _Week:
    operation: str
    start: date
    end: date


class Extractor:
    """The rules, with one data folder's vocabulary compiled once."""

    def __init__(self, data_dir: str | Path | None = None) -> None:
        folder = Path(data_dir) if data_dir is not None else paths.data_dir()
        self.folder = folder
        self.vocabulary: Vocabulary = load_vocabulary(folder)
        self.units = self._units(folder)
        self.measure_units = {
            r["measure"]: r.get("unit", "") for r in _csv_rows(self._pick(folder, "measures.csv"))
        }
        self.context_measures = {
            r["measure"]
            for r in _csv_rows(self._pick(folder, "measures.csv"))
            if r.get("category", "").lower() == "context"
        }
        self.phrases = self._phrases()
        self.max_phrase = max((len(p.words) for p in self.phrases.values()), default=1)
        self.agency_spellings = self._agency_spellings()
        self.national = next(
            (a.name for a in self.vocabulary.agencies.values() if a.kind == "national"), ""
        )
        self.cues = self._cues(folder)
        # Lines that link to another story ("READ MORE: 300 knives seized in ..."; cues of kind
        # ``link``): their numbers, places and dates are that story's, not this release's.
        links = [c.pattern.pattern for c in self.cues if c.kind == "link"]
        self.link_lines = (
            re.compile(rf"^[^\w\n]*(?:{'|'.join(links)})[^\n]*", re.I | re.M) if links else None
        )
        self.operation_spellings = [
            _Spelling(_spelling_pattern(spelling), op.name)
            for op in self.vocabulary.operations.values()
            for spelling in sorted((op.name, *op.aliases), key=len, reverse=True)
        ]
        self.qualifier_spellings = self._qualifier_spellings()
        self.weeks = self._weeks(folder)
        self._named_cache: tuple[str, list[tuple[int, int, str]]] | None = None
        # every agency spelling and national scope phrase by its first word, longest first
        names = [(sp.first, sp.pattern, sp.target) for sp in self.agency_spellings]
        if self.national:
            names += [
                (c.first, c.pattern, self.national) for c in self.cues if c.kind == "national"
            ]
        names.sort(key=lambda item: -len(item[1].pattern))
        self._names_by_first: dict[str, list[tuple[re.Pattern[str], str]]] = {}
        for first, pattern, target in names:
            self._names_by_first.setdefault(first, []).append((pattern, target))
        self._hedge_lookup = {words: spelling for words, spelling in self.qualifier_spellings}
        self._hedge_words = {w for words in self._hedge_lookup for w in words}
        self._hedge_lengths = sorted({len(w) for w in self._hedge_lookup}, reverse=True)

    # -- loading ---------------------------------------------------------------------------

    @staticmethod
    def _pick(folder: Path, name: str) -> Path:
        if (folder / name).is_file():
            return folder / name
        return paths.project_root() / "data" / name

    def _units(self, folder: Path) -> dict[str, str]:
        return {u.name: u.kind for u in self.vocabulary.units.values()}

    def _phrases(self) -> dict[tuple[str, ...], _Phrase]:
        found: dict[tuple[str, ...], list[str]] = {}
        for alias in self.vocabulary.phrases():
            words = tuple(_words(alias.alias))
            if words and alias.measure not in found.setdefault(words, []):
                found[words].append(alias.measure)
        return {w: _Phrase(w, tuple(m)) for w, m in found.items()}

    def _agency_spellings(self) -> list[_Spelling]:
        spellings = []
        for agency in self.vocabulary.agencies.values():
            for spelling in (agency.name, *agency.aliases):
                spellings.append(
                    _Spelling(
                        _spelling_pattern(spelling), agency.name, agency.kind, _first(spelling)
                    )
                )
        spellings.sort(key=lambda s: -len(s.pattern.pattern))
        return spellings

    def _cues(self, folder: Path) -> list[_Spelling]:
        rows = _csv_rows(self._pick(folder, CUES_FILE))
        cues = [
            _Spelling(_spelling_pattern(r["cue"]), r["cue"], r["kind"], _first(r["cue"]))
            for r in rows
        ]
        return sorted(cues, key=lambda c: -len(c.target))

    def _qualifier_spellings(self) -> list[tuple[tuple[str, ...], str]]:
        out = []
        for q in self.vocabulary.qualifiers.values():
            for spelling in (q.phrase, *q.aliases):
                words = tuple(fold(spelling).replace(".", "").split())
                if words:
                    out.append((words, spelling))
        return sorted(out, key=lambda s: -len(s[0]))

    def _weeks(self, folder: Path) -> list[_Week]:
        """National weeks: exact periods of national figures in the data."""
        seen: dict[tuple[date, date], _Week] = {}
        for row in _csv_rows(self._pick(folder, "tallies.csv")):
            agency = self.vocabulary.agency_names.resolve(row.get("agency", ""))
            if agency is None or self.vocabulary.agencies[agency].kind != "national":
                continue
            operation = self.vocabulary.operation_names.resolve(row.get("operation", ""))
            try:
                start = date.fromisoformat(row.get("period_start", ""))
                end = date.fromisoformat(row.get("period_end", ""))
            except ValueError:
                continue
            if operation and row.get("context", "") == "":
                seen.setdefault((start, end), _Week(operation, start, end))
        return sorted(seen.values(), key=lambda w: w.start)

    # -- the run ---------------------------------------------------------------------------

    def extract(self, text: str, *, published: date | None = None, source: str = "") -> Extraction:
        """Propose a row per figure of ``text``; ``published`` helps place undated periods."""
        # Link lines stay in the text (their numbers are listed as skipped) but name no agency,
        # operation or period of this release.
        links = [m.span() for m in self.link_lines.finditer(text)] if self.link_lines else []
        visible = text
        for start, end in links:
            visible = visible[:start] + " " * (end - start) + visible[end:]
        doc = _Doc(visible)
        result = Extraction(text, source=source)
        mentions = numbers.numbers_in(text)
        blocked = self._blocked_spans(text) + [(a, b, "link to another story") for a, b in links]
        published = published or _publication_date(text, blocked)
        result.published = published
        period, period_month = self._period(visible, published)
        result.period = period
        operation = self._operation(visible)
        default_agency = self._default_agency(doc)
        kept = []
        for mention in mentions:
            reason = self._skip_reason(text, mention, blocked)
            if reason:
                result.skipped.append(Skipped(mention.start, mention.end, mention.text, reason))
            else:
                kept.append(mention)
        doc.mark(((m.start, m.end) for m in kept), ((s.start, s.end) for s in result.skipped))
        range_count = 0
        candidates: list[Figure] = []
        headline_end = text.find("\n") if "\n" in text else 0
        for mention in kept:
            figure = Figure(
                mention.value,
                mention.start,
                mention.end,
                mention.text,
                mention.kind,
                operation=operation,
                value_high=mention.high,
                doc_headline_end=headline_end,
            )
            figure.noun = self._noun_after(doc, mention.end)
            self._read_hedge(doc, figure)
            self._headline_hedge(doc, figure, candidates[-1] if candidates else None)
            self._read_measure(doc, figure)
            reason = self._not_a_figure(doc, figure)
            if not reason and self._a_reference(doc, figure):
                reason = "a reference (the two …), not a count"
            if reason:
                result.skipped.append(Skipped(mention.start, mention.end, mention.text, reason))
                continue
            self._read_agency(doc, figure, default_agency)
            self._read_context(doc, figure, period, period_month, published)
            self._read_quote(doc, figure)
            self._score(figure)
            if figure.value_high is not None and figure.value_high != figure.value:
                range_count += 1
                figure.range_id = f"r{range_count}"
                high = replace(figure, value=figure.value_high)
                candidates.extend([figure, high])
            else:
                candidates.append(figure)
        result.figures = self._dedupe(candidates, result.skipped)
        return result

    # -- not figures -----------------------------------------------------------------------

    def _blocked_spans(self, text: str) -> list[tuple[int, int, str]]:
        spans: list[tuple[int, int, str]] = []
        for rx, reason in (
            (_URL, "part of a web or email address"),
            (_EDITORIAL, "editorial note"),
            (_NUMERIC_DATE, "date"),
            (_DATE_RANGE, "date"),
            (_DATE_SINGLE, "date"),
            (_MONTH_YEAR, "date"),
            (_TIME, "time of day"),
            (_AGE, "age"),
            (_PHONE, "phone number"),
            (_ADDRESS, "address"),
            (_SECTION, "legal section number"),
            (_REFERENCE, "reference number"),
        ):
            spans.extend((m.start(), m.end(), reason) for m in rx.finditer(text))
        for cue in self.cues:
            if cue.kind == "penalty":
                for m in cue.pattern.finditer(text):
                    # the penalty's numbers sit just around its words ("up to six months'
                    # imprisonment, a fine of £5,000")
                    spans.append((max(0, m.start() - 15), m.end() + 12, "legal penalty"))
        return spans

    def _skip_reason(
        self, text: str, mention: numbers.Mention, blocked: Iterable[tuple[int, int, str]]
    ) -> str:
        for start, end, reason in blocked:
            if start <= mention.start and mention.end <= end:
                return reason
        after = text[mention.end : mention.end + 30]
        before = text[max(0, mention.start - 30) : mention.start]
        if mention.kind in ("digits", "words") and _ORDINAL.match(after):
            return "ordinal (a position, not a count)"
        if mention.kind == "digits" and _is_year(mention, before, after):
            return "year"
        if mention.kind == "digits" and re.search(r"(?:19|20)\d\d[/–-]\Z", before):
            return "year"  # the "24" of "2023/24"
        if mention.kind in ("digits", "words") and (
            _DURATION.match(after) or _LENGTH_WORD.match(after)
        ):
            return "length of time"
        if _FURNITURE.match(after):
            return "page furniture (comments, shares)"
        if (
            mention.kind in ("digits", "words", "multiple")
            and re.search(r"[A-Za-z]-?\Z", before)
            and not re.search(r"\b(?:a|an|of|and|to|the)-?\Z", before, re.I)
        ):
            return "part of a name or code"
        if (
            mention.kind == "words"
            and mention.text[:1].isupper()
            and re.match(r"^\s+[A-Z][a-z]", after)
            and re.search(r"[a-z,]\s+\Z", before)
        ):
            return "part of a name"
        if mention.kind == "words" and re.search(r"(?:s|\bscores?)$", mention.text.strip(), re.I):
            return "a vague amount (hundreds, thousands, scores)"
        if mention.kind == "multiple" and not re.match(r"^\s*(?:as|more|higher|the)\b", after):
            return "how often (not a count)"
        if mention.kind == "words" and mention.value == 1:
            word = mention.text.strip().lower()
            if word in _ONE_WORDS:
                return "the word one (not a count)"
        return ""

    # -- reading around a number ------------------------------------------------------------

    def _read_hedge(self, doc: _Doc, figure: Figure) -> None:
        before = doc.words_before(figure.start, 5)
        printed = ""
        phrase_start = figure.start
        folded = [fold(w.text) for w in before]
        for n in self._hedge_lengths:
            for skip in (0, 1, 2):  # "an increase of over 14%": fillers may sit between
                if n + skip > len(folded):
                    continue
                tail = tuple(folded[len(folded) - n - skip : len(folded) - skip])
                if tail in self._hedge_lookup and all(
                    f in ("of", "by", "a", "an", "the") for f in folded[len(folded) - skip :]
                ):
                    printed_start = before[len(folded) - n - skip].start
                    printed = doc.text[printed_start : before[-1].end]
                    phrase_start = printed_start
                    break
            if printed:
                break
        # a direction before a hedge: "an increase of over 14%"
        if printed:
            earlier = doc.words_before(phrase_start, 3)
            folded_e = [fold(w.text) for w in earlier]
            for words, _spelling in self.qualifier_spellings:
                n = len(words)
                for skip in (0, 1):
                    if n + skip > len(folded_e):
                        continue
                    tail_e = tuple(folded_e[len(folded_e) - n - skip : len(folded_e) - skip])
                    if tail_e == words and all(
                        f in ("of", "by", "a", "an") for f in folded_e[len(folded_e) - skip :]
                    ):
                        candidate = doc.text[
                            earlier[len(folded_e) - n - skip].start : before[-1].end
                        ]
                        try:
                            parsed = parse_qualifier(candidate, self.vocabulary)
                        except UnknownQualifier:
                            break
                        if parsed.direction is not None:
                            printed = candidate
                            phrase_start = earlier[len(folded_e) - n - skip].start
                        break
        # a direction printed after the number: "a six per cent rise", "16 per cent increase"
        after = doc.words_after(figure.end, 2)
        if after and figure.kind == "percent":
            for word in after[:2]:
                try:
                    parsed = parse_qualifier(word.text, self.vocabulary)
                except UnknownQualifier:
                    continue
                if parsed.direction is not None:
                    printed = f"{word.text} {printed}".strip() if printed else word.text
                    break
        # a bound printed after the number: "10,000-plus", "100 or more", "10,000+"
        if not printed:
            bound = re.match(r"(?:-|\s)?(\+|[A-Za-z]+(?:\s+[A-Za-z]+)?)", doc.text[figure.end :])
            if bound:
                for candidate in (bound.group(1), bound.group(1).split()[0]):
                    hedge = self.vocabulary.qualifier(candidate)
                    if hedge is not None and hedge.meaning in ("at_least", "at_most"):
                        printed = candidate
                        break
        printed = " ".join(printed.split())
        if printed:
            try:
                parsed = parse_qualifier(printed, self.vocabulary)
            except UnknownQualifier:
                return
            figure.qualifier = printed.lower()
            figure.meaning = parsed.hedge.meaning
            if parsed.direction is not None and figure.kind not in ("percent",):
                # a count "fewer"/"more" than another figure only when a direction word leads
                figure.meaning = parsed.direction.meaning
            figure.span_start = phrase_start

    def _read_measure(self, doc: _Doc, figure: Figure) -> None:
        """The best phrase of the vocabulary next to the number: one just after it ("1,002
        arrests"), one leading up to it ("Officers seized 936"), or one the number sits in
        ("leading to 136 arrests", "sweeps at 1185 locations"); longer phrases win, nearer
        ones break ties."""
        after, before, conjunction = doc.windows(figure.start, figure.end, _WINDOW)
        best: tuple[float, str, int, int] | None = None
        joined = before + after
        split = len(before)
        stems = [t.stem for t in joined]
        for i in range(len(stems)):
            for n in range(min(self.max_phrase, len(stems) - i), 0, -1):
                phrase = self.phrases.get(tuple(stems[i : i + n]))
                if phrase is None:
                    continue
                measure = self._fit_unit(phrase.measures, figure.kind)
                if not measure:
                    continue
                end = i + n
                if i >= split:  # after the number
                    distance = i - split
                    if distance > conjunction:
                        continue  # another number's words
                    score = n * 2.0 - distance * 0.7 + (2.0 if distance <= 1 else 0.0)
                elif end <= split:  # before it
                    if doc.last_before_cut and i <= 1:
                        continue  # the previous figure's noun
                    score = n * 2.0 - (split - end) * 0.7
                else:  # around it
                    score = n * 2.0 + 2.5
                score += n * 0.01
                if best is None or score > best[0]:
                    best = (score, measure, joined[i].start, joined[end - 1].end)
                break
        if best is not None:
            figure.measure = best[1]
            figure.measure_span = (best[2], best[3])
            return
        # layouts: a table column's header, or the heading of a list ("Knives by borough:")
        heading = _table_header(doc.text, figure.start) or _list_heading(doc.text, figure.start)
        if heading:
            figure.measure = self._measure_in(heading, figure.kind)

    def _measure_in(self, text: str, kind: str) -> str:
        """The longest phrase of the vocabulary in a heading."""
        stems = _words(text)
        best: tuple[int, str] | None = None
        for i in range(len(stems)):
            for n in range(min(self.max_phrase, len(stems) - i), 0, -1):
                phrase = self.phrases.get(tuple(stems[i : i + n]))
                measure = self._fit_unit(phrase.measures, kind) if phrase else ""
                if measure and (best is None or n > best[0]):
                    best = (n, measure)
        return best[1] if best else ""

    def _not_a_figure(self, doc: _Doc, figure: Figure) -> str:
        """Reasons only the words around a number reveal."""
        if figure.measure:
            return ""
        text = figure.number_text
        if figure.kind == "digits" and re.fullmatch(r"(?:19|20)\d\d", text):
            return "year"
        if figure.kind == "fraction":
            return "a share with nothing named to count"
        return ""

    def _a_reference(self, doc: _Doc, figure: Figure) -> bool:
        """ "across the two counties": a number in words after "the", whose measure was read
        from the words before it, names known things rather than counts them."""
        before = doc.text[max(0, figure.start - 12) : figure.start]
        span = figure.measure_span
        return (
            figure.kind == "words"
            and re.search(r"\bthe\s+\Z", before, re.I) is not None
            and (span is None or span[1] <= figure.start)
        )

    def _fit_unit(self, measures: Iterable[str], kind: str) -> str:
        wanted = {
            "percent": ("percent",),
            "money": ("money",),
            "weight": ("weight",),
            "fraction": ("fraction", "percent"),
            "multiple": ("count", "ratio"),
        }.get(kind, ("count", "rate"))
        for measure in measures:
            unit = self.measure_units.get(measure, "count")
            if self.units.get(unit, "count") in wanted:
                return measure
        return ""

    def _read_agency(self, doc: _Doc, figure: Figure, default: str) -> None:
        """The agency named in the figure's own clause, else the nearest one named before it
        in its sentence, else the first after it, else the release's own."""
        start, end = doc.clause_of(figure.start)
        found = self._agencies_in(doc.text, start, end)
        if not found:
            start, end = doc.sentence_of(figure.start)
            found = self._agencies_in(doc.text, start, end)
        agency = default
        if found:
            before = [f for f in found if f[0] < figure.start]
            agency = before[-1][1] if before else found[0][1]
            figure.confidence += 0.1
        figure.agency = agency
        if agency in self.vocabulary.agencies:
            figure.area = self.vocabulary.agencies[agency].area
        line_start, line_end = _line_at(doc.text, figure.start)
        place = _PLACE.match(doc.text[line_start:line_end])
        if not found and place and not self._measure_in(place.group("place"), "digits"):
            figure.area = place.group("place").strip()  # "Camden: 12" under a heading
        elif not found and doc.text[line_start:line_end].count("|") >= 2:
            cells = _cells(doc.text[line_start:line_end])
            if cells and not re.search(r"\d", cells[0]):
                figure.area = cells[0]  # a table row's label

    def _read_context(
        self,
        doc: _Doc,
        figure: Figure,
        period: tuple[str, str],
        month: tuple[int, int] | None,
        published: date | None,
    ) -> None:
        sentence = doc.sentence_of(figure.start)
        text = doc.text[sentence[0] : sentence[1]]
        figure.period_start, figure.period_end = period
        # a statistic's cue stands in its clause or leads up to it ("Figures show ... 6 per
        # cent"); one later in the sentence ("... amid concern over homicides") does not count
        clause_end = doc.clause_of(figure.start)[1]
        lead = doc.text[sentence[0] : clause_end]
        for cue in self.cues:
            if cue.kind == "context" and cue.pattern.search(lead):
                figure.context = cue.target
                break
        if figure.measure in self.context_measures and not figure.context:
            figure.context = "context statistic"
        if figure.context:
            year = _years_in(text)
            if year:
                figure.period_start, figure.period_end = f"{year}-01-01", f"{year}-12-31"
            else:
                figure.period_start = figure.period_end = ""
            figure.note = "context statistic, not a result of the week"
            return
        earlier = next(
            (c for c in self.cues if c.kind == "earlier" and c.pattern.search(text)), None
        )
        if earlier is not None:
            ref = _month_reference(text, published, month)
            if ref and ref != month:
                stamp = f"{ref[0]:04d}-{ref[1]:02d}"
                week = self._national_week(ref[1], ref[0])
                if week:
                    figure.period_start, figure.period_end = (
                        week.start.isoformat(),
                        week.end.isoformat(),
                    )
                else:
                    figure.period_start = figure.period_end = stamp
                figure.note = f"refers to an earlier week ({calendar.month_name[ref[1]]} {ref[0]})"
            else:
                figure.period_start = figure.period_end = ""
                figure.note = f"refers to an earlier period ({earlier.target!r})"

    def _read_quote(self, doc: _Doc, figure: Figure) -> None:
        start = figure.start if figure.span_start < 0 else min(figure.span_start, figure.start)
        end = figure.end
        span = figure.measure_span
        if span is not None:
            start, end = min(start, span[0]), max(end, span[1])
            if span[1] <= figure.start:  # "Officers seized 936": add what was counted
                following = doc.words_after(figure.end, 1)
                if following and following[0].text.lower() not in _PREPOSITIONS:
                    end = max(end, following[0].end)
        clause = doc.clause_of(figure.start)
        # a little context: the verb or noun that leads up to the number
        lead = [w for w in doc.words_before(start, 3) if w.start >= clause[0]]
        if lead and span is None:
            start = lead[0].start
        if span is None:
            trail = [w for w in doc.words_after(end, 3) if w.end <= clause[1]]
            if trail:
                end = trail[-1].end
        line_start, line_end = _line_at(doc.text, figure.start)
        line = doc.text[line_start:line_end]
        if line.count("|") >= 2 or (_PLACE.match(line) and len(line) < 80):
            start, end = line_start, line_end  # a table row or "Place: N": the whole line
        if doc.text.count("(", start, end) > doc.text.count(")", start, end):
            closing = doc.text.find(")", end, doc.sentence_of(figure.start)[1])
            end = closing + 1 if closing >= 0 else end
        quote = " ".join(doc.text[start:end].split())
        if not numbers.states(quote, figure.value, figure.value_high):
            start, end = clause
            quote = " ".join(doc.text[start:end].split())
        figure.quote = quote.strip(" ,;:–-(")
        figure.span_start, figure.span_end = start, end

    def _score(self, figure: Figure) -> None:
        score = 0.45 + figure.confidence
        if figure.measure:
            score += 0.3
        if figure.period_start:
            score += 0.1
        if figure.kind == "words":
            score -= 0.05
        if figure.context or figure.note:
            score -= 0.1
        figure.confidence = round(max(0.05, min(score, 0.99)), 2)

    def _dedupe(self, figures: list[Figure], skipped: list[Skipped]) -> list[Figure]:
        """The same statement made twice (a headline repeated in the body, a quote repeating
        the list) is one figure; the first wording is kept, the repeat listed as skipped."""
        kept: dict[tuple, int] = {}
        out: list[Figure | None] = []
        headline_end = figures[0].doc_headline_end if figures else 0
        for figure in figures:
            key = (
                figure.value,
                _BOUND.get(figure.meaning, figure.meaning),
                figure.noun or figure.measure,
                figure.agency,
                figure.context,
            )
            if not (figure.measure or figure.noun) or figure.range_id or key not in kept:
                kept.setdefault(key, len(out))
                out.append(figure)
                continue
            first = out[kept[key]]
            assert first is not None
            # the body's wording usually names the measure better than a headline's
            if figure.measure and (not first.measure or first.start < headline_end):
                out[kept[key]] = None
                kept[key] = len(out)
                out.append(figure)
                figure, first = first, figure
            skipped.append(
                Skipped(
                    figure.start,
                    figure.end,
                    figure.number_text,
                    "repeats the same figure stated elsewhere",
                )
            )
        return [f for f in out if f is not None]

    def _noun_after(self, doc: _Doc, offset: int) -> str:
        """The stem of the first word after a number that is not a hedge ("10,000-plus
        weapons" -> "weapon"), for telling repeats apart."""
        k = doc._index(offset)
        for token in doc.tokens[k : k + 5]:
            if token.text in (".", ",", ";", ":", "\n"):
                return ""
            if token.text[0].isalpha() and fold(token.text) not in self._hedge_words:
                return token.stem
        return ""

    def _headline_hedge(self, doc: _Doc, figure: Figure, previous: Figure | None) -> None:
        """In a headline, "More than 1,700 arrests and 9,000 knives" hedges both numbers."""
        if figure.qualifier or previous is None or not previous.qualifier:
            return
        first_line_end = doc.text.find("\n")
        if first_line_end >= 0 and figure.start > first_line_end:
            return
        between = doc.text[previous.end : figure.start]
        if re.fullmatch(r"\s+[A-Za-z]+(?:\s+[A-Za-z]+)?\s+and\s+", between):
            figure.qualifier = previous.qualifier
            figure.meaning = previous.meaning

    # -- document-level facts --------------------------------------------------------------

    def _operation(self, text: str) -> str:
        best: tuple[int, str] | None = None
        for spelling in self.operation_spellings:
            m = spelling.pattern.search(text)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), spelling.target)
        if best:
            return best[1]
        names = list(self.vocabulary.operations)
        return names[0] if len(names) == 1 else ""

    def _default_agency(self, doc: _Doc) -> str:
        """The agency the release is about: the one named most often, where a force named in
        the same sentence as all forces ("as well as the British Transport Police") does not
        count; ties go to the first named; with none, the force whose area (agencies.csv) is
        named most often ("London"); with neither, national."""
        counts: dict[str, list[int]] = {}
        for start, end in doc.sentences():
            named = self._agencies_in(doc.text, start, end)
            if len({agency for _, agency in named}) >= 3:
                continue  # a list of forces ("in Suffolk, Cambridgeshire, Hampshire…")
            national = [a for a in named if a[1] == self.national]
            for position, agency in named:
                if national and agency != self.national:
                    continue
                positions = counts.setdefault(agency, [])
                if not positions or positions[-1] < start:  # once per sentence
                    positions.append(position)
        if not counts:
            return self._agency_by_area(doc.text) or self.national
        return max(counts.items(), key=lambda kv: (len(kv[1]), -kv[1][0]))[0]

    def _agency_by_area(self, text: str) -> str | None:
        """The force whose area the text names most often (first named on a tie), if one."""
        best: tuple[int, int, str] | None = None
        for agency in self.vocabulary.agencies.values():
            if agency.kind != "force" or not agency.area:
                continue
            found = [m.start() for m in _spelling_pattern(agency.area).finditer(text)]
            if found and (best is None or (len(found), -found[0]) > best[:2]):
                best = (len(found), -found[0], agency.name)
        return best[2] if best else None

    def _agencies_in(self, text: str, start: int, end: int) -> list[tuple[int, str]]:
        """Agencies named between ``start`` and ``end`` (national scope words included)."""
        named = self._named(text)
        lo = bisect.bisect_left(named, (start,))
        hi = bisect.bisect_left(named, (end,))
        inside = [item for item in named[lo:hi] if item[1] <= end]
        out = []
        for index, (position, _stop, agency) in enumerate(inside):
            # "all 43 forces ... as well as the British Transport Police": one national scope
            absorbed = agency != self.national and any(
                other == self.national and _JOINED.fullmatch(text[other_end:position])
                for _p, other_end, other in inside[:index]
            )
            if not absorbed:
                out.append((position, agency))
        return out

    def _named(self, text: str) -> list[tuple[int, int, str]]:
        """Every agency name and national scope phrase in the text, longest first where two
        overlap; computed once per text."""
        if self._named_cache and self._named_cache[0] is text:
            return self._named_cache[1]
        found: list[tuple[int, int, str]] = []
        covered = 0
        for word in _NAME_WORD.finditer(text):
            if word.start() < covered:
                continue
            for pattern, target in self._names_by_first.get(_first(word.group()), ()):
                m = pattern.match(text, word.start())
                if m:
                    found.append((m.start(), m.end(), target))
                    covered = m.end()
                    break
        self._named_cache = (text, found)
        return found

    def _period(self, text: str, published: date | None) -> tuple[tuple[str, str], tuple | None]:
        """The week the release reports: stated dates, else publication date and weeks."""
        for m in _DATE_RANGE.finditer(text):
            g = m.groupdict()
            if g["d1"]:
                d1, d2 = int(_digits(g["d1"])), int(_digits(g["d2"]))
                m2 = _MONTHS[g["m2"].lower().rstrip(".")]
                m1 = _MONTHS[g["m1"].lower().rstrip(".")] if g["m1"] else m2
                y = g["y2"] or g["y1"]
                w1, w2 = g["w1"], g["w2"]
            else:
                d1, d2 = int(_digits(g["d3"])), int(_digits(g["d4"]))
                m1 = _MONTHS[g["m3"].lower().rstrip(".")]
                m2 = _MONTHS[g["m4"].lower().rstrip(".")] if g["m4"] else m1
                y = g["y4"] or g["y3"]
                w1, w2 = g["w3"], g["w4"]
            year = int(y) if y else self._year_for(m1, d1, w1 or w2, published, text, d2, m2)
            if year is not None and not y and m1 > m2:
                year += 1  # "28 December to 3 January": the year found is the start's
            if year is None:
                continue
            try:
                start = date(year if m1 <= m2 else year - 1, m1, d1)
                end = date(year, m2, d2)
            except ValueError:
                continue
            if timedelta(0) <= end - start <= timedelta(days=31):
                return (start.isoformat(), end.isoformat()), (start.year, start.month)
        # no stated range: a stated day that starts exactly one national week ("May 15")
        for m in _DATE_SINGLE.finditer(text):
            g = {k: v for k, v in m.groupdict().items() if v}
            if g.get("y") or g.get("xy"):
                continue
            month = _MONTHS[(g.get("m") or g.get("xm") or "").lower().rstrip(".")]
            day = int(_digits(g.get("d") or g.get("xd") or "0"))
            starts = [w for w in self.weeks if (w.start.month, w.start.day) == (month, day)]
            if published is not None:
                starts = [w for w in starts if w.start <= published]
            if len(starts) == 1:
                w = starts[0]
                return (w.start.isoformat(), w.end.isoformat()), (w.start.year, w.start.month)
        # the national week of the publication date, or of the month named
        if published is not None:
            for week in reversed(self.weeks):
                if week.start <= published and published - week.end <= timedelta(days=21):
                    return (week.start.isoformat(), week.end.isoformat()), (
                        week.start.year,
                        week.start.month,
                    )
        for m in re.finditer(rf"\b(?:in|during|this|of)\s+(?P<m>{_M})\b(?!\s+\d)", text, re.I):
            month = _MONTHS[m.group("m").lower().rstrip(".")]
            weeks = [w for w in self.weeks if w.start.month == month]
            if published:
                weeks = [w for w in weeks if w.start <= published]
                weeks = weeks[-1:]
            if len(weeks) == 1:
                w = weeks[0]
                return (w.start.isoformat(), w.end.isoformat()), (w.start.year, w.start.month)
        return ("", ""), None

    def _year_for(
        self,
        month: int,
        day: int,
        weekday: str | None,
        published: date | None,
        text: str,
        day2: int | None = None,
        month2: int | None = None,
    ) -> int | None:
        """The year of a date written without one."""
        if weekday:
            wd = _WEEKDAYS[weekday.lower().rstrip(".,")]
            years = [y for y in range(2010, 2036) if _weekday(y, month, day) == wd]
            if published:
                years = [y for y in years if y <= published.year]
            known = {w.start.year for w in self.weeks}
            inside = [y for y in years if y in known]
            if inside:
                return inside[-1]
            if years and published:
                return years[-1]
        if published is not None:
            year = published.year
            try:
                if date(year, month, day) > published + timedelta(days=7):
                    year -= 1
            except ValueError:
                return None
            return year
        # the national week that starts, or else ends, on the days stated
        for same in (
            lambda w: (w.start.month, w.start.day) == (month, day),
            lambda w: day2 is not None and (w.end.month, w.end.day) == (month2 or month, day2),
            lambda w: w.start.month == month and abs(w.start.day - day) <= 3,
        ):
            matches = {w.start.year for w in self.weeks if same(w)}
            if len(matches) == 1:
                return matches.pop()
        mentioned = _years_in(text, latest=True)
        return mentioned

    def _national_week(self, month: int, year: int) -> _Week | None:
        weeks = [w for w in self.weeks if (w.start.year, w.start.month) == (year, month)]
        return weeks[0] if len(weeks) == 1 else None


def _weekday(year: int, month: int, day: int) -> int | None:
    try:
        return date(year, month, day).weekday()
    except ValueError:
        return None


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _is_year(mention: numbers.Mention, before: str, after: str) -> bool:
    text = mention.text
    if "," in text or "." in text or not (1900 <= mention.value <= 2099) or len(text) != 4:
        return False
    if re.match(r"^\s*(?:['’]s\b|/\d|-\d|–\d)", after):
        return True
    if re.match(
        r"^\s+(?:could|would|will|was|is|has|had|saw|sees|marks?|marked|may|might)\b", after
    ):
        return True
    if _YEAR_BEFORE.search(before):
        return True
    if re.search(r"\b[A-Z][a-z]+\s+\Z", before) and not re.match(r"^\s*[a-z]+s\b", after):
        return True  # "the Criminal Justice Act 1988", "Sceptre 2023"
    if re.match(r"^\s+(?:at|in|on|for|when|after|before|and|or|to|but)\b", after):
        return True
    # a year ends its phrase; a count is followed by what it counts
    return not re.match(r"^\s*[a-z]", after)


def _years_in(text: str, latest: bool = False) -> int | None:
    years = [int(y) for y in re.findall(r"(?<![\d,£])((?:19|20)\d\d)(?![\d,])", text)]
    if not years:
        return None
    return max(years) if latest else years[0]


def _month_reference(
    text: str, published: date | None, current: tuple[int, int] | None
) -> tuple[int, int] | None:
    m = re.search(rf"\b(?P<m>{_M})\s*(?P<y>{_Y})?\b", text, re.I)
    if m is None:
        return None
    month = _MONTHS[m.group("m").lower().rstrip(".")]
    if m.group("y"):
        return int(m.group("y")), month
    base = current[0] if current else (published.year if published else None)
    if base is None:
        return None
    if re.search(r"\blast year\b", text, re.I):
        return base - 1, month
    return (base, month) if not current or month < current[1] else (base - 1, month)


def _publication_date(text: str, blocked: Sequence[tuple[int, int, str]]) -> date | None:
    """A date on a line of its own near the top ("29 Nov 2021", "Josh Smith25 November 2021")."""
    for line in text.splitlines()[:12]:
        glued = _BYLINE_DATE.search(line)
        if glued and len(line.split()) <= 6:
            try:
                return date(
                    int(glued.group("y")),
                    _MONTHS[glued.group("m").lower().rstrip(".")],
                    int(glued.group("d")),
                )
            except ValueError:
                pass
        for m in _DATE_SINGLE.finditer(line):
            g = {k: v for k, v in m.groupdict().items() if v}
            y = g.get("y") or g.get("xy")
            if not y:
                continue
            month_name = g.get("m") or g.get("xm")
            day_text = g.get("d") or g.get("xd")
            if not month_name or not day_text:  # either alternative matches both
                continue
            month = _MONTHS[month_name.lower().rstrip(".")]
            day = int(_digits(day_text))
            rest = (line[: m.start()] + line[m.end() :]).split()
            if len(rest) <= 4:
                try:
                    return date(int(y), month, day)
                except ValueError:
                    continue
    return None


# --------------------------------------------------------------------------------------------
# The text as words, sentences and clauses
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int
    stem: str  # "" for a stop (punctuation that ends a clause) or an auxiliary


def _line_at(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end < 0 else end


def _cells(line: str) -> list[str]:
    cells = line.strip().split("|")
    if cells and not cells[0].strip():
        cells = cells[1:]
    if cells and not cells[-1].strip():
        cells = cells[:-1]
    return [c.strip() for c in cells]


def _table_header(text: str, offset: int) -> str:
    """For a number in a pipe table ("| Met | 187 |"), its column's header cell."""
    start, end = _line_at(text, offset)
    line = text[start:end]
    if line.count("|") < 2:
        return ""
    column = len(_cells(line[: offset - start] + "|")) - 1
    header = line
    position = start
    while position > 0:
        above_start, above_end = _line_at(text, position - 1)
        above = text[above_start:above_end]
        if above.count("|") < 2:
            break
        if not re.fullmatch(r"[\s|:+-]*", above):
            header = above
        position = above_start
    cells = _cells(header)
    return cells[column] if header != line and 0 <= column < len(cells) else ""


_LIST_ITEM = re.compile(r"^\s*(?:[-•*·▪–]\s*|\d+[.)]\s+)?[^:\n]{0,60}(?::\s*£?\d[\d,.]*\s*)?$")


def _list_heading(text: str, offset: int) -> str:
    """For a number in a list under a heading that ends with a colon, the heading."""
    start, _ = _line_at(text, offset)
    position = start
    for _ in range(12):
        if position <= 0:
            return ""
        above_start, above_end = _line_at(text, position - 1)
        above = text[above_start:above_end].strip()
        if above.endswith(":"):
            return above
        if above and not _LIST_ITEM.match(above):
            return ""
        position = above_start
    return ""


def _hard_wrapped(text: str) -> bool:
    """Text broken into lines of similar length mid-sentence (a PDF, a plain-text mail): a
    single line break there is a space, not the end of a statement."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 6:
        return False
    open_ended = sum(not re.search(r"[.!?:;\"”’)\]]$", line) for line in lines)
    lengths = sorted(len(line) for line in lines)
    median = lengths[len(lengths) // 2]
    return open_ended / len(lines) > 0.5 and 40 <= median <= 100


class _Doc:
    """The text split once into word tokens, sentence and clause boundaries."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[_Token] = []
        for m in re.finditer(r"[A-Za-z][A-Za-z'’]*|\d[\d,.]*\d|\d|\S", text):
            word = m.group(0)
            low = word.lower()
            if word[0].isalpha():
                stem = "" if low in _AUXILIARIES else _stem(low)
                self.tokens.append(_Token(word, m.start(), m.end(), stem or "~"))
            elif word[0].isdigit():
                self.tokens.append(_Token(word, m.start(), m.end(), "#"))
            else:
                self.tokens.append(_Token(word, m.start(), m.end(), word))
        self.starts = [t.start for t in self.tokens]
        ends = [m.start() for m in _SENTENCE_END.finditer(text)]
        newline = r"\n(?=\s*\n|\s*[-•*·▪–|]\s|\s*\[)" if _hard_wrapped(text) else r"\n"
        ends += [m.start() for m in re.finditer(newline, text)]
        ends += [m.start() for m in _EDITORIAL.finditer(text)]
        ends += [m.end() for m in _EDITORIAL.finditer(text)]
        self.sentence_breaks = sorted(set(ends))
        self.last_before_cut = False

    def sentences(self) -> list[tuple[int, int]]:
        edges = [0, *self.sentence_breaks, len(self.text)]
        return [(a, b) for a, b in itertools.pairwise(edges) if b > a]

    def _index(self, offset: int) -> int:
        return bisect.bisect_left(self.starts, offset)

    def sentence_of(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.sentence_breaks, offset)
        start = self.sentence_breaks[i - 1] if i > 0 else 0
        end = self.sentence_breaks[i] if i < len(self.sentence_breaks) else len(self.text)
        return start, end

    def clause_of(self, offset: int) -> tuple[int, int]:
        s_start, s_end = self.sentence_of(offset)
        i = self._index(offset)
        lo = i
        while lo > 0 and self.tokens[lo - 1].start >= s_start:
            if self.tokens[lo - 1].text in _CLAUSE_STOPS or self.tokens[lo - 1].text in _COMMAS:
                break
            lo -= 1
        hi = i
        while hi < len(self.tokens) and self.tokens[hi].end <= s_end:
            if self.tokens[hi].text in _CLAUSE_STOPS or self.tokens[hi].text in _COMMAS:
                break
            hi += 1
        start = self.tokens[lo].start if lo < len(self.tokens) else offset
        end = self.tokens[hi - 1].end if hi - 1 >= 0 and hi > lo else offset
        return min(start, offset), max(end, offset)

    def words_before(self, offset: int, n: int) -> list[_Token]:
        i = self._index(offset)
        s_start, _ = self.sentence_of(offset)
        out: list[_Token] = []
        j = i - 1
        while j >= 0 and len(out) < n:
            t = self.tokens[j]
            if t.start < s_start or not t.text[0].isalpha():
                break
            out.append(t)
            j -= 1
        return out[::-1]

    def words_after(self, offset: int, n: int) -> list[_Token]:
        i = self._index(offset)
        _, s_end = self.sentence_of(max(0, offset - 1))
        out: list[_Token] = []
        j = i
        while j < len(self.tokens) and len(out) < n:
            t = self.tokens[j]
            if t.end > s_end or not t.text[0].isalpha():
                break
            out.append(t)
            j += 1
        return out

    def windows(self, start: int, end: int, n: int) -> tuple[list[_Token], list[_Token], int]:
        """Words after and before a number, within its sentence, stopping at punctuation
        that ends a clause and at the next figure; a parenthesis or a pair of dashes right
        after the number is stepped over ("29 retailers (24 per cent) failed", "Two – who
        have now failed twice – face prosecution").  Also returns how many words after the
        number come before the first conjunction: a phrase starting later names another
        number's thing ("300 knives and arrested almost 1,000").
        """
        s_start, s_end = self.sentence_of(start)
        i = self._index(start)
        while i < len(self.tokens) and self.tokens[i].start < end:
            i += 1
        inside_parens = self._in_parens(start, s_start)
        after: list[_Token] = []
        first_conjunction = n
        cut_by_number = False
        j = i
        depth = 0
        while j < len(self.tokens) and len(after) < n:
            t = self.tokens[j]
            if t.end > s_end:
                break
            if t.text == "(" and not inside_parens:
                depth += 1
            elif t.text == ")" and depth:
                depth -= 1
            elif depth:
                pass
            elif t.text == ")" and inside_parens:
                inside_parens = False
            elif t.text in ("–", "—") and not after:
                closing = self._closing_dash(j, s_end)
                if closing is None:
                    break
                j = closing
            elif t.stem == "#":
                cut_by_number = True
                break
            elif t.text in _CLAUSE_STOPS or t.text in (",", "–", "—"):
                break
            elif t.text[0].isalpha() and t.stem != "~":
                if t.text.lower() in _CONJUNCTIONS and first_conjunction == n:
                    first_conjunction = len(after)
                after.append(t)
            j += 1
        before: list[_Token] = []
        before_cut = False
        k = self._index(start) - 1
        depth = 0
        while k >= 0 and len(before) < n:
            t = self.tokens[k]
            if t.start < s_start:
                break
            if t.text == ")":
                depth += 1
            elif t.text == "(" and depth:
                depth -= 1
            elif depth:
                pass
            elif t.text == "(":
                pass  # the number is inside a parenthesis: read the words that lead to it
            elif t.stem == "#":
                before_cut = True
                break
            elif t.text.lower() in _CONJUNCTIONS:
                break
            elif t.text in _CLAUSE_STOPS - {"(", ")"} or t.text in (",",):
                if t.text in (":", "|", "-", "–") and not before:  # "Knives recovered: 187"
                    k -= 1
                    continue
                break
            elif t.text[0].isalpha() and t.stem != "~":
                before.append(t)
            k -= 1
        # words after a conjunction belong to the next number only when one follows
        # right after another figure, the first words are that figure's ("64 school inputs
        # reaching 3,000 pupils"): callers skip phrases starting there
        self.last_before_cut = before_cut and not self._in_parens(start, s_start)
        return after, before[::-1], first_conjunction if cut_by_number else n

    def _closing_dash(self, j: int, s_end: int) -> int | None:
        for k in range(j + 1, len(self.tokens)):
            t = self.tokens[k]
            if t.end > s_end or t.text in (".", ";", "\n"):
                return None
            if t.text in ("–", "—"):
                return k
        return None

    def mark(self, figures: Iterable[tuple[int, int]], skipped: Iterable[tuple[int, int]]) -> None:
        """Tokens of a figure stop a window; tokens of a skipped number (a date, an age) are
        read past, as if they were not there."""
        tokens = self.tokens
        for spans, stem in ((figures, "#"), (skipped, "~")):
            for start, end in spans:
                k = self._index(start)
                while k < len(tokens) and tokens[k].start < end:
                    tokens[k] = _Token(tokens[k].text, tokens[k].start, tokens[k].end, stem)
                    k += 1

    def _in_parens(self, start: int, s_start: int) -> bool:
        k = self._index(start) - 1
        while k >= 0 and self.tokens[k].start >= s_start:
            if self.tokens[k].text == ")":
                return False
            if self.tokens[k].text == "(":
                return True
            k -= 1
        return False


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _extractor_for(folder: str, stamp: tuple) -> Extractor:
    return Extractor(folder)


def extractor(data_dir: str | Path | None = None) -> Extractor:
    """The rules for ``data_dir`` (default: the project's data), built once per unchanged
    folder."""
    folder = Path(data_dir) if data_dir is not None else paths.data_dir()
    stamp = tuple(
        (p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.csv")) if p.is_file()
    )
    return _extractor_for(str(folder), stamp)


def extract_text(
    text: str,
    *,
    data_dir: str | Path | None = None,
    published: date | None = None,
    source: str = "",
) -> Extraction:
    """Propose the figures of ``text`` (see the module docstring for the rules)."""
    return extractor(data_dir).extract(text, published=published, source=source)
