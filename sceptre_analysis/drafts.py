"""Read a draft (text, web page, PDF or Word .docx) and find the figures to check in it.

Text, HTML and PDF are read by :mod:`sceptre_analysis.documents`, figures are proposed by
:mod:`sceptre_analysis.extract`; this module adds what a fact-check needs beyond a release's
rows:

* Word ``.docx`` drafts (python-docx), paragraphs joined by blank lines;
* every occurrence of a figure, repeats included (a draft that repeats a figure can get it
  wrong the second time): extraction keeps the first and lists the rest as skipped;
* lengths ("a six day effort", "one week") that extraction sets aside as lengths of time,
  turned into figures of the data's duration measure;
* stated dates ("between Monday, November 9 and Sunday, November 15"), with their weekday
  names, as periods to check.  A date without a year takes the year its weekday names fix,
  else the year of the data's week on that day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import SceptreError
from .factcheck import DraftFigure

__all__ = [
    "Draft",
    "DraftError",
    "check_draft",
    "check_text",
    "draft_figures",
    "find_periods",
    "read_draft",
]

_WORD_MIN = 1


class DraftError(SceptreError):
    """A draft that cannot be read (missing, empty, binary, not UTF-8, not a Word file)."""


@dataclass(frozen=True)
class Draft:
    """A draft as text, with where it came from."""

    path: Path | None
    text: str
    kind: str  # "text" | "html" | "pdf" | "docx"


def read_draft(path: str | Path) -> Draft:
    """Read ``path`` as a .docx, or as text, a saved web page or a PDF (see ``documents``).

    Raises :class:`DraftError` (a :class:`SceptreError`) with one line saying what is wrong.
    """
    from .documents import DocumentError, read_document

    path = Path(path)
    if path.suffix.lower() == ".docx":
        return Draft(path, _read_docx(path), "docx")
    try:
        document = read_document(path)
    except DocumentError as error:
        raise DraftError(str(error)) from None
    if not document.text.strip():
        raise DraftError(f"{path}: the draft is empty, expected the text to check")
    return Draft(path, document.text, document.kind)


def _read_docx(path: Path) -> str:
    import zipfile

    import docx  # python-docx

    if not path.is_file():
        raise DraftError(f"{path}: no such file")
    from docx.opc.exceptions import OpcError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, OpcError, KeyError, ValueError):
        raise DraftError(
            f"{path}: not a Word .docx document; save the draft as .docx, .txt or .html"
        ) from None
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.append(" | ".join(cell.text for cell in row.cells))
    text = "\n\n".join(p for p in paragraphs if p.strip())
    if not text.strip():
        raise DraftError(f"{path}: the draft is empty, expected the text to check")
    return text


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def draft_figures(
    text: str, data_dir: str | Path | None = None, *, weeks: Sequence[tuple[dt.date, dt.date]] = ()
) -> list[DraftFigure]:
    """Every figure, length and stated period in ``text``, in the order they appear.

    ``weeks`` (first and last day of each week in the data) settle the year of dates written
    without one.
    """
    from .extract import extractor

    rules = extractor(data_dir)
    result = _extract_all(rules, text)
    figures = [_from_extraction(f, text) for f in result.figures]
    duration = _duration_measure(rules)
    for skipped in result.skipped:
        if skipped.reason == "length of time" and duration:
            length = _length(text, skipped, duration)
            if length is not None:
                figures.append(length)
    figures += find_periods(text, weeks)
    return sorted(figures, key=lambda f: (f.start, f.end))


def _extract_all(rules, text: str):
    """Extraction with every repeat kept: a draft is checked wherever it states a figure."""
    keep = rules._dedupe
    rules._dedupe = lambda figures, skipped: list(figures)
    try:
        return rules.extract(text)
    finally:
        rules._dedupe = keep


def _from_extraction(figure, text: str) -> DraftFigure:
    start, end = _span(figure, text)
    earlier = "earlier" in (figure.note or "")
    return DraftFigure(
        value=float(figure.value),
        text=" ".join(text[start:end].split()),
        start=start,
        end=end,
        value_high=figure.value_high,
        qualifier=figure.qualifier,
        measure=figure.measure or None,
        agency=figure.agency or None,
        area=figure.area if figure.area else "",
        # extraction places every figure in a week (from the publication date or a month
        # named anywhere); a draft is checked against its own stated dates instead, except
        # for a figure extraction reads as about an earlier week
        period_start=_date(figure.period_start) if earlier else None,
        period_end=_date(figure.period_end) if earlier else None,
        operation=figure.operation or None,
    )


def _span(figure, text: str) -> tuple[int, int]:
    """The draft's words for the figure: its hedge, the number and the words naming the
    measure (not the whole clause extraction quotes)."""
    start, end = figure.start, figure.end
    measure_span = getattr(figure, "measure_span", None) or getattr(figure, "_measure_span", None)
    if measure_span is not None and measure_span[0] >= end and measure_span[1] - end < 80:
        end = measure_span[1]
    if figure.qualifier:
        before = text[:start].rstrip()
        if before.lower().endswith(figure.qualifier.lower()):
            start = len(before) - len(figure.qualifier)
    return start, end


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text and len(text) == 10 else None
    except ValueError:
        return None


def _duration_measure(rules) -> str | None:
    """The data's one measure of how long an operation ran (unit of kind duration)."""
    found = [
        measure
        for measure, unit in rules.measure_units.items()
        if rules.units.get(unit) == "duration"
    ]
    return found[0] if len(found) == 1 else None


_LENGTH_AFTER = re.compile(r"^[\s-]*(?P<unit>day|week)s?\b", re.I)
_DAYS_IN = {"day": 1, "week": 7}


def _length(text: str, skipped, measure: str) -> DraftFigure | None:
    """ "six day effort" -> 6 days; "one week" -> 7 days; other lengths are not checked."""
    from .numbers import parse_number

    match = _LENGTH_AFTER.match(text[skipped.end : skipped.end + 12])
    value = parse_number(skipped.text)
    if match is None or value is None:
        return None
    end = skipped.end + match.end()
    return DraftFigure(
        value=float(value) * _DAYS_IN[match.group("unit").lower()],
        text=text[skipped.start : end],
        start=skipped.start,
        end=end,
        measure=measure,
    )


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_WEEKDAY_NAMES = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_WEEKDAY_NAMES |= {name.lower(): i for i, name in enumerate(calendar.day_abbr)}
_M = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_W = "(?:" + "|".join(sorted(_WEEKDAY_NAMES, key=len, reverse=True)) + r")\.?"
_D = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_Y = r"(?:19|20)\d\d"
_TO = r"\s*(?:-|–|—|to|and|until|till|through)\s*"


def _one(n: int, month_first: bool, month_optional: bool = False) -> str:
    month = rf"(?P<m{n}>{_M})"
    day = rf"(?P<d{n}>{_D})"
    if month_first:
        month = f"(?:{month}\\s+)?" if month_optional else f"{month}\\s+"
        body = rf"{month}{day}(?!\d)"
    else:
        month = f"(?:\\s+{month})?" if month_optional else f"\\s+{month}"
        body = rf"{day}{month}"
    return rf"(?:(?P<w{n}>{_W}),?\s+(?:the\s+)?)?{body}(?:,?\s+(?P<y{n}>{_Y}))?"


_RANGE = re.compile(
    rf"\b(?:{_one(1, False, True)}{_TO}{_one(2, False)}"
    rf"|{_one(3, True)}{_TO}{_one(4, True, True)})\b",
    re.I,
)
_SINGLE = re.compile(rf"\b(?:{_one(5, False)}|{_one(6, True)})\b", re.I)


def find_periods(text: str, weeks: Sequence[tuple[dt.date, dt.date]] = ()) -> list[DraftFigure]:
    """Date ranges the text states, and single dates it gives a weekday name, as periods."""
    found: list[DraftFigure] = []
    taken: list[tuple[int, int]] = []
    for match in _RANGE.finditer(text):
        g = match.groupdict()
        if g["d1"]:
            parts = [(g["w1"], g["d1"], g["m1"] or g["m2"], g["y1"] or g["y2"])]
            parts.append((g["w2"], g["d2"], g["m2"], g["y2"]))
        else:
            parts = [(g["w3"], g["d3"], g["m3"], g["y3"] or g["y4"])]
            parts.append((g["w4"], g["d4"], g["m4"] or g["m3"], g["y4"]))
        days = _resolve(parts, weeks)
        if days is None or not dt.timedelta(0) <= days[1][0] - days[0][0] <= dt.timedelta(31):
            continue
        found.append(_period(match, days))
        taken.append(match.span())
    for match in _SINGLE.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        g = match.groupdict()
        part = (
            (g["w5"], g["d5"], g["m5"], g["y5"])
            if g["d5"]
            else (g["w6"], g["d6"], g["m6"], g["y6"])
        )
        if not part[0]:
            continue  # only a weekday name makes a single date something to check
        days = _resolve([part], weeks)
        if days is not None:
            found.append(_period(match, [days[0], days[0]]))
    return sorted(found, key=lambda f: f.start)


def _period(match: re.Match, days) -> DraftFigure:
    (start, start_name), (end, end_name) = days
    named = tuple((day, name) for day, name in ((start, start_name), (end, end_name)) if name)
    return DraftFigure(
        kind="period",
        text=match.group(0),
        start=match.start(),
        end=match.end(),
        period_start=start,
        period_end=end,
        weekdays=tuple(dict.fromkeys(named)),
    )


def _resolve(parts, weeks) -> list[tuple[dt.date, str]] | None:
    """The dates of a range's ends, settling a missing year from weekday names or weeks."""
    stated = [int(y) for *_, y in parts if y]
    year = stated[-1] if stated else _year(parts, weeks)
    if year is None:
        return None
    out = []
    for i, (weekday, day, month, _) in enumerate(parts):
        number = int(re.sub(r"\D", "", day))
        month_number = _MONTHS[month.lower().rstrip(".")]
        # a range across the new year: the first end is in the year before
        y = year
        if i == 0 and len(parts) == 2:
            later = _MONTHS[parts[1][2].lower().rstrip(".")]
            y = year - 1 if month_number > later else year
        try:
            out.append((dt.date(y, month_number, number), (weekday or "").rstrip(".,")))
        except ValueError:
            return None
    return out


def _year(parts, weeks) -> int | None:
    """The year in which the stated dates best fit a week of the data: the same first and
    last day, else the most days in common; weekday names must fit the calendar if they can
    (a wrong weekday is then the check's to report)."""
    return _fitting_year(parts, weeks, True) or _fitting_year(parts, weeks, False)


def _fitting_year(parts, weeks, weekdays: bool) -> int | None:
    candidates = sorted({start.year for start, _ in weeks} | {end.year for _, end in weeks})
    best: tuple[tuple[int, int, int], int] | None = None
    for year in candidates:
        days = []
        for weekday, day, month, _ in parts:
            number = int(re.sub(r"\D", "", day))
            month_number = _MONTHS[month.lower().rstrip(".")]
            if not _valid(year, month_number, number):
                break
            days.append(dt.date(year, month_number, number))
            if (
                weekdays
                and weekday
                and days[-1].weekday() != _WEEKDAY_NAMES[weekday.lower().rstrip(".,")]
            ):
                break
        else:
            first, last = days[0], days[-1]
            for start, end in weeks:
                overlap = (min(last, end) - max(first, start)).days + 1
                if overlap <= 0:
                    continue
                score = (int((first, last) == (start, end)), overlap, year)
                if best is None or score > best[0]:
                    best = (score, year)
    return best[1] if best else None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# The whole check
# --------------------------------------------------------------------------------------------


def check_text(
    text: str,
    dataset,
    *,
    operation: str = "",
    week: str = "",
    agency: str = "",
):
    """Every figure of ``text`` with its verdict against ``dataset`` (a :class:`CheckResult`)."""
    from .factcheck import check_figures

    tallies = dataset.tallies.dropna(subset=["period_start", "period_end"])
    weeks = sorted(
        {
            (start.date(), end.date())
            for start, end in zip(tallies["period_start"], tallies["period_end"], strict=True)
        }
    )
    figures = draft_figures(text, dataset.data_dir, weeks=weeks)
    figures = read_scopes(text, _name_measures(text, figures, dataset), dataset)
    return check_figures(figures, dataset, operation=operation, week=week, agency=agency)


def _name_measures(text: str, figures: Sequence[DraftFigure], dataset) -> list[DraftFigure]:
    """A number extraction left without a measure, followed by a measure's own noun from
    measures.csv ("187 knives", "12 weapons"), counts that measure."""
    from .narrative import plural

    nouns: dict[str, str] = {}
    for row in dataset.measures.itertuples(index=False):
        noun = str(row.noun or "").strip().lower()
        if not noun:
            continue
        for form in (noun, str(row.noun_plural or "").strip().lower(), plural(noun, 2).lower()):
            if form:
                nouns.setdefault(form, str(row.measure))
    out = []
    for figure in figures:
        if figure.kind == "figure" and figure.measure is None and figure.end >= 0:
            words = re.findall(r"[A-Za-z][A-Za-z'-]*", text[figure.end : figure.end + 60])[:4]
            for n in range(len(words), 0, -1):
                measure = nouns.get(" ".join(words[:n]).lower())
                if measure:
                    end = figure.end + text[figure.end :].lower().find(words[n - 1].lower())
                    end += len(words[n - 1])
                    figure = replace(
                        figure,
                        measure=measure,
                        end=end,
                        text=" ".join(text[figure.start : end].split()),
                    )
                    break
        out.append(figure)
    return out


# --------------------------------------------------------------------------------------------
# Whose figure, and for what area: read claim by claim
# --------------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?](?=[\s\"'”’)]|$)|\n")
#: Where a claim's clause ends: a scope word beyond one of these belongs to another claim
#: ("a national campaign that brings police forces together, and the results saw 187 knives").
_CLAUSE_BREAK = re.compile(r";|,\s+(?:and|but|while|whereas)\b|\s[-–—]\s|:\s")
_BULLET = re.compile(r"^\s*(?:[-•*·▪–]|\d+[.)])\s")


def read_scopes(text: str, figures: Sequence[DraftFigure], dataset) -> list[DraftFigure]:
    """Set each figure's agency and area from its own clause (or the lead-in of the list it
    is an item of): the force named nearest to it, else the force the draft names most; and
    the scope words nearest to it ("across the country", "London"), as the draft writes them.

    A scope word elsewhere in the sentence does not widen a figure: extraction reads agency
    sentence by sentence, which suits a release's rows, but a draft is checked claim by claim.
    """
    from .factcheck import scope_phrases
    from .vocab import load_vocabulary

    vocabulary = load_vocabulary(dataset.data_dir)
    names = dict(vocabulary.agency_names.spellings())
    phrases = scope_phrases(dataset, vocabulary)
    national = {a.name for a in vocabulary.agencies.values() if a.kind == "national"}
    plain = text.translate(_APOSTROPHES)  # same length: positions stay valid
    agencies = _mentions(plain, names)
    scopes = _mentions(plain, phrases)
    default = _default_agency(plain, agencies, scopes, national)
    out = []
    for figure in figures:
        if figure.kind != "figure" or figure.start < 0:
            out.append(figure)
            continue
        windows = _windows(plain, figure.start, figure.end)
        wide = [m for m in _inside(scopes, windows[:1]) if m[2] in national]
        agency = wide[0][2] if wide else _nearest(text, agencies, windows, figure) or default
        # national scope named with a force ("all forces, as well as the BTP") is national
        pool = wide or scopes
        scope = _nearest(text, pool, windows, figure, as_written=True) or ""
        out.append(replace(figure, agency=agency, area=scope))
    return out


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def _default_agency(text: str, agencies, scopes, national: set[str]) -> str | None:
    """The force the draft is about: named most often, not counting a force named in the
    same sentence as national scope ("all forces, as well as the BTP"); ties to the first."""
    counts: dict[str, list[int]] = {}
    for begin, end in _sentences(text):
        named = [m for m in agencies if begin <= m[0] < end]
        wide = any(m[2] in national for m in scopes if begin <= m[0] < end)
        for start, _, agency in named:
            if wide and agency not in national:
                continue
            counts.setdefault(agency, []).append(start)
    if not counts:
        return None
    return max(counts, key=lambda a: (len(counts[a]), -counts[a][0]))


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds, begin = [], 0
    for m in _SENTENCE_END.finditer(text):
        bounds.append((begin, m.end()))
        begin = m.end()
    return [*bounds, (begin, len(text))]


def _inside(mentions, windows):
    return [m for left, right in windows for m in mentions if left <= m[0] and m[1] <= right]


def _mentions(text: str, spellings: dict[str, str]) -> list[tuple[int, int, str]]:
    """Every place the text names one of ``spellings`` (longest first, no overlaps)."""
    found: list[tuple[int, int, str]] = []
    for spelling in sorted(spellings, key=len, reverse=True):
        words = [re.escape(w) for w in spelling.replace("and", "&").split()]
        pattern = r"\b" + r"\s+".join(w.replace("\\&", "(?:and|&)") for w in words) + r"(?!\w)"
        single = len(words) == 1
        for m in re.finditer(pattern, text, re.I):
            if any(s < m.end() and m.start() < e for s, e, _ in found):
                continue
            if single and _NAME_GOES_ON.match(text, m.end()):
                continue  # "Surrey Comet", "Met Office": one word of a longer name
            found.append((m.start(), m.end(), spellings[spelling]))
    return sorted(found)


#: A capitalised word straight after a one-word name makes it part of a longer proper name.
_NAME_GOES_ON = re.compile(r"[ \t]+[A-Z][a-z]")


def _windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Where a figure's scope may be stated: its clause, then the lead-in of its list."""
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    stop = next((m.start() for m in _SENTENCE_END.finditer(text, end)), len(text))
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(text, begin, start)), default=begin)
    right = next((m.start() for m in _CLAUSE_BREAK.finditer(text, end, stop)), stop)
    windows = [(left, right)]
    lead = _lead_in(text, start)
    if lead is not None:
        windows.append(lead)
    return windows


def _lead_in(text: str, position: int) -> tuple[int, int] | None:
    """The line ending in a colon that introduces the list ``position`` is an item of."""
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    own = text[line_start : len(text) if line_end < 0 else line_end]
    if not (_BULLET.match(own) or len(own.strip()) < 80):
        return None  # a line of prose, not an item of a list
    lines = text[:line_start].split("\n")
    offset = line_start
    for count, line in enumerate(reversed(lines)):
        offset -= len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.endswith(":"):
            return offset + 1, offset + 1 + len(line)
        if count > 24 or not (_BULLET.match(line) or len(stripped) < 80):
            return None
    return None


def _nearest(text: str, mentions, windows, figure: DraftFigure, *, as_written: bool = False):
    """The mention nearest the figure in its clause (before it first), else in the lead-in."""
    for index, (left, right) in enumerate(windows):
        inside = [m for m in mentions if left <= m[0] and m[1] <= right]
        if index == 0:
            before = [m for m in inside if m[1] <= figure.start]
            after = [m for m in inside if m[0] >= figure.end]
            inside = before[-1:] or after[:1]
        else:
            inside = inside[-1:]
        if inside:
            start, end, agency = inside[0]
            return " ".join(text[start:end].split()) if as_written else agency
    return None


def check_draft(path: str | Path, dataset, **filters: str):
    """Read the draft at ``path`` and check it: ``(draft, result)``."""
    draft = read_draft(path)
    return draft, check_text(draft.text, dataset, **filters)
