"""The rules for ``sources.csv``, ``measures.csv`` and ``tallies.csv``, and how a breach is worded.

Files are read as text with Python's ``csv`` module rather than ``pandas.read_csv`` so that
every row keeps the number of the file line it starts on (a quoted value may span several
lines) and so that a malformed file is described instead of crashing the reader.  The value
rules themselves are pandera checks run with ``lazy=True`` so that *every* problem is found
in one pass; each check carries its own plain-English explanation, which turns pandera's
``failure_cases`` table into :class:`Problem` lines a spreadsheet user can act on.

Columns:

* Every documented column must be present, except a few optional ones (e.g. ``qualifier``,
  ``description``) which default to blank.
* Other columns are allowed ("more columns if you need them") and kept as text, *unless*
  the name looks like a misspelling of a documented column that is absent (``vaule``,
  ``Qualifer``): silently ignoring it would silently drop the data the user meant to give.
* Leading/trailing spaces around cells are ignored, and rows whose cells are all blank
  (spreadsheets leave them behind) are skipped; so are blank trailing cells past the header.
* ``line``, and in tallies ``count``, ``unit`` and ``label``, are reserved: the loader adds them.

Rules (each problem reads ``file:line: column 'name': what is wrong (got ..., expected ...)``):

* whole file: missing, empty, not UTF-8 (a BOM is fine), not comma-separated, a quoted
  value never closed, a row with too many/few values (one header message instead when most
  rows disagree with the header), a header that is missing, misspelt, repeated or reserved;
* every table: required cells not blank; dates ``YYYY-MM-DD`` and real; keys unique
  (``source_id``, ``measure``); ``kind``/``unit``/``qualifier`` from their vocabularies;
* sources: ``url`` is http(s); ``document`` is a bare file name that exists in the
  documents folder (when there is one);
* measures: ``measure`` is snake_case; ``total_of`` names other measures of this file, not
  itself, in the same unit;
* tallies: ``value`` a plain non-negative number, whole for count/days, at most 2 decimals
  for GBP; ``period_end`` not before ``period_start``; ``measure``/``source_id`` listed in
  measures.csv/sources.csv; no statement (source_id, agency, area, measure, quote) twice;
  the quote occurs in the source's document, ignoring spacing and curly vs straight quotes.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

#: Words that may stand before a figure in a source, and what each means for the true number
#: compared with the stated one: ``"="`` exact, ``">"`` more, ``">="`` at least, ``"~"`` roughly,
#: ``"<~"`` a little under, ``"<="`` at most, ``"<"`` less.  ``""`` (blank) is an exact figure.
QUALIFIERS: dict[str, str] = {
    "": "=",
    "more than": ">",
    "over": ">",
    "at least": ">=",
    "about": "~",
    "around": "~",
    "approximately": "~",
    "almost": "<~",
    "nearly": "<~",
    "up to": "<=",
    "fewer than": "<",
    "less than": "<",
    "under": "<",
}
UNITS: tuple[str, ...] = ("count", "GBP", "days")
WHOLE_UNITS = frozenset({"count", "days"})
KINDS: tuple[str, ...] = ("primary", "secondary")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, pointing at the file, line and column to fix."""

    path: Path
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = _display_path(self.path)
        if self.line is not None:
            where += f":{self.line}"
        column = f" column '{self.column}':" if self.column else ""
        return f"{where}:{column} {self.message}"


def _display_path(path: Path) -> str:
    """Relative to the working directory when inside it, so messages stay short."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


# --------------------------------------------------------------------------------------------
# Table layouts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """A documented column: ``expected`` describes a good value in words for messages."""

    name: str
    expected: str
    required: bool = True  # must appear in the header
    nonblank: bool = False  # every row needs a value


@dataclass(frozen=True)
class TableSpec:
    filename: str
    columns: tuple[Col, ...]
    reserved: tuple[str, ...] = ("line",)  # names the loader adds itself

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


SOURCES = TableSpec(
    "sources.csv",
    (
        Col("source_id", "a short unique name such as 'met-release-2020-11-19'", nonblank=True),
        Col("publisher", "who published it, e.g. 'Metropolitan Police Service'", nonblank=True),
        Col("title", "the headline, or blank", required=False),
        Col("published", "the publication date written YYYY-MM-DD, or blank", required=False),
        Col("url", "a web address starting with https://, or blank", required=False),
        Col("document", "the file name of the saved copy in the documents folder, or blank"),
        Col("kind", "'primary' (the police's own release) or 'secondary'", nonblank=True),
    ),
)

MEASURES = TableSpec(
    "measures.csv",
    (
        Col(
            "measure",
            "a short name in lowercase letters, digits and _, e.g. 'knives'",
            nonblank=True,
        ),
        Col("label", "a heading for reports, e.g. 'Knives recovered'", nonblank=True),
        Col("noun", "the singular noun, e.g. 'knife', or blank", required=False),
        Col("noun_plural", "the plural noun when not regular, or blank", required=False),
        Col("unit", "one of 'count', 'GBP' or 'days'", nonblank=True),
        Col("category", "a group name such as 'seizures'", nonblank=True),
        Col(
            "total_of",
            "blank, or measures added up, e.g. 'knives + other_offensive_weapons'",
            required=False,
        ),
        Col("description", "what the measure counts, or blank", required=False),
    ),
)

TALLIES = TableSpec(
    "tallies.csv",
    (
        Col("operation", "the operation's name, e.g. 'Operation Sceptre'", nonblank=True),
        Col("period_start", "the first day of the period, written YYYY-MM-DD, or blank"),
        Col("period_end", "the last day of the period, written YYYY-MM-DD, or blank"),
        Col("agency", "the police force, e.g. 'Metropolitan Police Service'", nonblank=True),
        Col("area", "the area the figure covers, e.g. 'London'", nonblank=True),
        Col("measure", "a measure name from measures.csv, e.g. 'arrests'", nonblank=True),
        Col("value", "the figure as a plain number, e.g. 1002", nonblank=True),
        Col(
            "qualifier", "blank for an exact figure, or a word such as 'more than'", required=False
        ),
        Col("source_id", "a source_id from sources.csv", nonblank=True),
        Col("quote", "the words in the source that state the figure", nonblank=True),
    ),
    reserved=("line", "count", "unit", "label"),
)

# --------------------------------------------------------------------------------------------
# Small helpers shared by the rules
# --------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_MEASURE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_URL = re.compile(r"^https?://\S+$")
_QUOTE_MARKS = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    }
)  # fmt: skip


_NUMBER_IN_TEXT = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d.,])\d+(?:\.\d+)?")
_SMALL_NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)
_NUMBER_WORDS = {word: Decimal(index) for index, word in enumerate(_SMALL_NUMBER_WORDS)}


def numbers_in(text: str) -> set[Decimal]:
    """Every number a quote states: "1,002", "£1,940", "58", or a word up to "twenty"."""
    found = {Decimal(match.replace(",", "")) for match in _NUMBER_IN_TEXT.findall(text)}
    words = re.findall(r"[a-z]+", text.lower())
    return found | {_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS}


def parse_number(text: str) -> Decimal | None:
    """A plain decimal number, or None: no thousands separators, currency signs or exponents."""
    if not _NUMBER.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex already rules this out
        return None


def parse_date(text: str) -> date | None:
    """An ISO ``YYYY-MM-DD`` calendar date, or None."""
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_total_of(text: str) -> list[str]:
    """``"a + b"`` -> ``["a", "b"]``; blank -> ``[]`` (empty parts are kept, to be reported)."""
    if not text.strip():
        return []
    return [part.strip() for part in text.split("+")]


def normalise_text(text: str) -> str:
    """Fold the differences a copy-paste introduces: spacing, line breaks, curly quotes."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTE_MARKS)
    return " ".join(text.split())


def _q(value: object, limit: int = 60) -> str:
    """Quote a cell for a message, short and on one line."""
    text = str(value).replace("\r", "\\r").replace("\n", "\\n")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def _suggest(got: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'arrests'?"`` when something close exists, else ``""``."""
    choices = [c for c in choices if c]
    lowered = {c.lower(): c for c in choices}
    match = lowered.get(got.strip().lower())
    if match is None:
        close = difflib.get_close_matches(got, choices, n=1, cutoff=0.6)
        if not close:
            close = difflib.get_close_matches(got.lower(), list(lowered), n=1, cutoff=0.6)
            close = [lowered[c] for c in close]
        match = close[0] if close else None
    return f"; did you mean '{match}'?" if match is not None and match != got else ""


def _n(count: int, noun: str) -> str:
    """``3 values``, ``1 value``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _one_of(names: Sequence[str], what: str, limit: int = 12) -> str:
    names = [n for n in names if n]
    if not names or len(names) > limit:
        return what
    quoted = [f"'{n}'" for n in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


# --------------------------------------------------------------------------------------------
# Reading a CSV file into text cells, with line numbers
# --------------------------------------------------------------------------------------------


@dataclass
class Cells:
    """A CSV file as text cells.

    ``frame`` has one column per usable header name and is indexed by the file line each
    record starts on (header = line 1), so messages can cite real lines.  It is None when
    the file cannot be read as CSV at all; ``problems`` then says why.
    """

    path: Path
    spec: TableSpec
    frame: pd.DataFrame | None
    header: list[str]
    header_line: int
    problems: list[Problem]
    raw: bytes = b""


_MAX_ENCODING_PROBLEMS = 10


def _decode(raw: bytes, path: Path) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (a leading BOM is fine); otherwise a problem for each undecodable spot."""
    start = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[start:].decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    problems: list[Problem] = []
    pos = start
    while len(problems) < _MAX_ENCODING_PROBLEMS:
        try:
            raw[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as err:
            bad = pos + err.start
            line = raw.count(b"\n", 0, bad) + 1
            line_start = raw.rfind(b"\n", 0, bad) + 1
            character = len(raw[line_start:bad].decode("utf-8", "replace")) + 1
            context = raw[max(line_start, bad - 20) : bad + 10].split(b"\n")[0]
            shown = context.decode("utf-8", "backslashreplace")
            problems.append(
                Problem(
                    path,
                    line,
                    None,
                    f"this line is not UTF-8 text: byte 0x{raw[bad]:02X} at character "
                    f"{character} cannot be read (got {_q(shown)}, expected UTF-8 text; "
                    "in Excel use 'Save As' > 'CSV UTF-8')",
                )
            )
            pos = pos + err.end
    return None, problems


def _records(text: str) -> Iterable[tuple[int, list[str] | None, str | None]]:
    """Yield ``(first line, fields, error)`` for each CSV record, surviving malformed ones."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield previous + 1, None, str(err)
            if reader.line_num == previous:  # pragma: no cover - no progress; avoid a loop
                return
            previous = reader.line_num
            continue
        yield previous + 1, fields, None
        previous = reader.line_num


def _csv_error_message(error: str) -> str:
    if "unexpected end of data" in error:
        return (
            "a quoted value starting on this line is never closed (got an opening '\"' "
            "with no closing '\"', expected a matching closing double quote)"
        )
    if "expected after" in error:
        return (
            "there is text right after a closing double quote (got a value like "
            "'\"abc\"def', expected a comma right after the closing quote; "
            'write a double quote inside a quoted value as "")'
        )
    return f"this row cannot be read as CSV (got the error {_q(error)}, expected a valid CSV row)"


def _sniff_delimiter(header_text: str) -> str | None:
    counts = {d: header_text.count(d) for d in (";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None


def _read_text(path: Path, spec: TableSpec) -> tuple[bytes, str | None, list[Problem]]:
    """The file's bytes and UTF-8 text, or the problems that stop it being read at all."""
    expected = f"a header row: {','.join(spec.names)}"
    if not path.is_file():
        what = "a folder" if path.is_dir() else "no file"
        message = (
            f"file not found (got {what} at this path, expected {spec.filename} with {expected})"
        )
        return b"", None, [Problem(path, None, None, message)]
    try:
        raw = path.read_bytes()
    except OSError as err:
        message = f"the file cannot be opened (got {_q(err.strerror)}, expected a readable file)"
        return b"", None, [Problem(path, None, None, message)]
    text, problems = _decode(raw, path)
    if text is not None and not text.strip():
        got = "no text" if not raw else "only blank space"
        problems = [
            Problem(path, None, None, f"the file is empty (got {got}, expected {expected})")
        ]
        text = None
    return raw, text, problems


def _usable_columns(cells: Cells, rows: list[tuple[int, list[str]]]) -> dict[str, int]:
    """Header name -> position, leaving out (and reporting) blank, repeated and reserved names."""
    usable: dict[str, int] = {}

    def report(column: str | None, message: str) -> None:
        cells.problems.append(Problem(cells.path, cells.header_line, column, message))

    for position, name in enumerate(cells.header):
        if not name:
            if any(position < len(f) and f[position].strip() for _, f in rows):
                report(
                    None,
                    f"column {position + 1} has values but no name in the header "
                    "(got '', expected a column name)",
                )
        elif name in usable:
            report(
                name,
                f"appears more than once in the header (got columns "
                f"{usable[name] + 1} and {position + 1} both named {_q(name)}, "
                "expected each column once)",
            )
        elif name in cells.spec.reserved:
            report(
                name,
                f"is a name the loader adds itself (got {_q(name)}, expected another "
                "name for this extra column)",
            )
        else:
            usable[name] = position
    return usable  # fmt: skip


def _fit_rows(cells: Cells, rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The rows with one value per header column; the others are reported and left out.

    When most rows disagree with the header in the same way, the header is what is wrong:
    one message about it replaces one per row.
    """
    width = len(cells.header)
    trimmed = []
    for line, fields in rows:
        if len(fields) > width and not any(f.strip() for f in fields[width:]):
            fields = fields[:width]  # blank trailing cells past the header are harmless
        trimmed.append((line, fields))
    usual, how_many = Counter(len(f) for _, f in trimmed).most_common(1)[0] if trimmed else (0, 0)
    header_is_off = usual != width and how_many >= 2 and how_many * 2 > len(trimmed)
    if header_is_off:
        cells.problems.append(
            Problem(cells.path, cells.header_line, None, f"the header has {_n(width, 'column')} "
                    f"but most rows have {_n(usual, 'value')} (got {_n(width, 'column name')}, "
                    f"expected {usual}; is a column name missing or extra in the header?)")
        )  # fmt: skip
    fitting = []
    for line, fields in trimmed:
        if len(fields) == width:
            fitting.append((line, fields))
        elif not (header_is_off and len(fields) == usual):
            hint = (
                "wrap any value that contains a comma in double quotes"
                if len(fields) > width
                else "is a value or a comma missing?"
            )
            cells.problems.append(
                Problem(cells.path, line, None, f"this row has {_n(len(fields), 'value')} but "
                        f"the header has {_n(width, 'column')} (got {_n(len(fields), 'value')}, "
                        f"expected {width}; {hint})")
            )  # fmt: skip
    return fitting


def read_cells(path: Path, spec: TableSpec) -> Cells:
    """Read ``path`` as comma-separated UTF-8 text cells, noting anything structurally wrong."""
    path = Path(path)
    cells = Cells(path, spec, None, [], 1, [])
    cells.raw, text, cells.problems = _read_text(path, spec)
    if text is None:
        return cells

    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for line, fields, error in _records(text):
        if fields is None:
            cells.problems.append(Problem(path, line, None, _csv_error_message(error or "")))
        elif not any(f.strip() for f in fields):
            continue  # blank line, or a spreadsheet's row of empty cells
        elif header is None:
            header, cells.header_line = [f.strip() for f in fields], line
        else:
            rows.append((line, fields))
    if header is None:  # only blank cells, or only malformed records
        if not cells.problems:
            message = (
                f"the file is empty (got only blank cells, expected a header row: "
                f"{','.join(spec.names)})"
            )
            cells.problems.append(Problem(path, None, None, message))
        return cells
    cells.header = header

    delimiter = _sniff_delimiter(header[0]) if len(header) == 1 else None
    if delimiter is not None:
        shown = "tab" if delimiter == "\t" else delimiter
        cells.problems.append(
            Problem(path, cells.header_line, None, f"expected comma-separated values; this looks "
                    f"like '{shown}'-separated (got the header {_q(header[0])}, expected column "
                    f"names separated by commas: {','.join(spec.names)})")
        )  # fmt: skip
        return cells

    usable = _usable_columns(cells, rows)
    fitting = _fit_rows(cells, rows)
    data = {name: [f[position].strip() for _, f in fitting] for name, position in usable.items()}
    index = pd.Index([line for line, _ in fitting], name="line", dtype="int64")
    frame = pd.DataFrame(data, index=index, dtype=object)
    cells.frame = frame.astype(str) if len(frame.columns) else frame
    return cells


# --------------------------------------------------------------------------------------------
# Header: missing columns, misspelt extras (pandera checks the presence)
# --------------------------------------------------------------------------------------------


def check_header(cells: Cells) -> list[Problem]:
    """Missing documented columns, and extras that look like a misspelling of one."""
    if cells.frame is None:
        return []
    spec, present = cells.spec, list(cells.frame.columns)
    schema = pa.DataFrameSchema(
        {c.name: pa.Column(required=c.required) for c in spec.columns}, strict=False
    )
    missing: list[str] = []
    try:
        schema.validate(pd.DataFrame(columns=present), lazy=True)
    except SchemaErrors as err:
        cases = err.failure_cases
        missing = [
            str(c) for c in cases.loc[cases["check"] == "column_in_dataframe", "failure_case"]
        ]
    absent = [name for name in spec.names if name not in present]
    if missing and not set(present) & set(spec.names):
        shown = ",".join(present)
        return [
            Problem(
                cells.path,
                cells.header_line,
                None,
                f"the first row is not the header: none "
                f"of the column names is there (got {_q(shown)}, expected the header "
                f"{','.join(spec.names)})",
            )
        ]
    problems: list[Problem] = []
    claimed: set[str] = set()
    for name in present:
        if name in spec.names:
            continue
        lowered = {a.lower(): a for a in absent}
        close = [lowered[name.lower()]] if name.lower() in lowered else []
        close = close or difflib.get_close_matches(name, absent, n=1, cutoff=0.75)
        if close:
            claimed.add(close[0])
            problems.append(
                Problem(
                    cells.path,
                    cells.header_line,
                    name,
                    f"looks like a misspelling of "
                    f"'{close[0]}' (got {_q(name)}, expected '{close[0]}'); rename the column",
                )
            )
    for name in missing:
        if name in claimed:
            continue
        problems.append(
            Problem(
                cells.path,
                cells.header_line,
                name,
                f"required column is missing (got the "
                f"columns {', '.join(present) or 'none'}, expected a column named "
                f"'{name}': {spec.col(name).expected})",
            )
        )
    return problems


# --------------------------------------------------------------------------------------------
# Values: pandera checks that carry their explanation
# --------------------------------------------------------------------------------------------

# (the cell as written, its line) -> message, or None when another rule already covers it
Explain = Callable[[str, int], str | None]


class _Rules:
    """Collects pandera checks for one frame, each with the words to explain a failure.

    A check's ``name`` is the key back to its explanation, so pandera's ``failure_cases``
    (columns ``column``, ``check``, ``failure_case``, ``index``) become :class:`Problem` s.
    The frame's index is the file line number, so ``index`` is the line to cite.
    """

    def __init__(self, cells: Cells) -> None:
        assert cells.frame is not None
        self.cells = cells
        self.frame: pd.DataFrame = cells.frame
        self.column_checks: dict[str, list[pa.Check]] = {}
        self.unique_columns: set[str] = set()
        self.frame_checks: list[pa.Check] = []
        self.unique_rows: list[str] | None = None
        self.explain: dict[str, tuple[str | None, Explain]] = {}

    def has(self, *columns: str) -> bool:
        return all(c in self.frame.columns for c in columns)

    def cell(self, column: str, rule: str, ok: Callable[[str], bool], explain: Explain) -> None:
        """A rule on one cell at a time."""
        if not self.has(column):
            return
        name = f"{column}: {rule}"
        self.column_checks.setdefault(column, []).append(pa.Check(ok, element_wise=True, name=name))
        self.explain[name] = (column, explain)

    def rows(
        self,
        column: str | None,
        rule: str,
        ok: Callable[[pd.DataFrame], pd.Series],
        explain: Explain,
        needs: Sequence[str],
    ) -> None:
        """A rule that looks at several cells of a row (reported against ``column``)."""
        if not self.has(*needs):
            return
        name = f"{column or 'row'}: {rule}"
        self.frame_checks.append(pa.Check(ok, name=name))
        self.explain[name] = (column, explain)

    def required(self, spec: TableSpec) -> None:
        for col in spec.columns:
            if col.nonblank:
                self.cell(
                    col.name,
                    "not blank",
                    lambda v: v != "",
                    lambda got, line, col=col: (
                        f"must not be empty (got '', expected {col.expected})"
                    ),
                )

    def unique(self, column: str, explain: Explain) -> None:
        if self.has(column):
            self.unique_columns.add(column)
            self.explain[f"{column}: field_uniqueness"] = (column, explain)

    def first_line_with(self, columns: Sequence[str], line: int) -> int:
        """The earliest line whose ``columns`` equal those of ``line`` (for 'duplicates line N')."""
        frame = self.frame
        same = (frame[list(columns)] == frame.loc[line, list(columns)]).all(axis=1)
        return int(frame.index[same.to_numpy()].min())

    def run(self) -> list[Problem]:
        frame, cells = self.frame, self.cells
        schema = pa.DataFrameSchema(
            {
                name: pa.Column(
                    checks=self.column_checks.get(name, []),
                    unique=name in self.unique_columns,
                    report_duplicates="exclude_first",
                )
                for name in frame.columns
            },
            checks=self.frame_checks,
            unique=self.unique_rows,
            report_duplicates="exclude_first",
            strict=False,
        )
        try:
            schema.validate(frame, lazy=True)
            return []
        except SchemaErrors as err:
            cases = err.failure_cases
        found: list[tuple[tuple[int, int, int], Problem]] = []
        rule_order = {name: i for i, name in enumerate(self.explain)}
        column_order = {name: i for i, name in enumerate(frame.columns)}
        seen: set[tuple[str, int | None, str | None]] = set()
        for case in cases.to_dict("records"):
            check, column = str(case["check"]), case["column"]
            line = None if pd.isna(case["index"]) else int(case["index"])
            key = f"{column}: {check}" if check == "field_uniqueness" else check
            if key in self.explain:
                column, explain = self.explain[key]
            elif check == "multiple_fields_uniqueness" and "row: duplicate" in self.explain:
                column, explain = self.explain["row: duplicate"]
            else:  # a pandera check we did not word ourselves; still report it
                explain = self._unworded(check, str(case["failure_case"]))
            if (key, line, column) in seen:
                continue  # frame-wide checks report every column of a failing row
            seen.add((key, line, column))
            got = ""
            if column in frame.columns and line in frame.index:
                got = str(frame.at[line, column])
            message = explain(got, line or 0)
            if message is None:
                continue
            order = (line or 0, column_order.get(column, -1), rule_order.get(key, len(rule_order)))
            found.append((order, Problem(cells.path, line, column, message)))
        found.sort(key=lambda item: item[0])
        return [problem for _, problem in found]

    @staticmethod
    def _unworded(check: str, failure: str) -> Explain:
        return lambda got, line: (
            f"failed the check {check} (got {_q(failure)}, expected it to pass)"
        )


def _date_rule(r: _Rules, column: str) -> None:
    r.cell(
        column,
        "date format",
        lambda v: v == "" or bool(_ISO_DATE.match(v)),
        lambda got, line: (
            f"must be a date written YYYY-MM-DD (got {_q(got)}, expected a date such as 2020-11-09)"
        ),
    )
    r.cell(
        column,
        "real date",
        lambda v: not _ISO_DATE.match(v) or parse_date(v) is not None,
        lambda got, line: (
            f"is not a real calendar date (got {_q(got)}, expected a date that "
            "exists, written YYYY-MM-DD)"
        ),
    )


# Words people write for a unit, so an unknown unit can still get a "did you mean".
_UNIT_ALIASES = {
    "£": "GBP", "pounds": "GBP", "pound": "GBP", "money": "GBP", "cash": "GBP", "gbp": "GBP",
    "number": "count", "items": "count", "people": "count", "day": "days",
}  # fmt: skip


def _vocabulary_rule(
    r: _Rules,
    column: str,
    allowed: Sequence[str],
    what: str,
    blank: str = "",
    aliases: Mapping[str, str] | None = None,
) -> None:
    """Blank (checked elsewhere if required) or one word of ``allowed``; ``blank`` explains ''."""
    allowed_set = set(allowed)
    aliases = aliases or {}

    def explain(got: str, line: int) -> str:
        alias = aliases.get(got.strip().lower())
        hint = f"; did you mean '{alias}'?" if alias else _suggest(got, allowed)
        return (
            f"is not a known {what} (got {_q(got)}, expected {blank}"
            f"{_one_of(allowed, what, limit=15)}){hint}"
        )

    r.cell(column, "known", lambda v: v == "" or v in allowed_set, explain)


def _duplicate_key_rule(r: _Rules, column: str) -> None:
    r.unique(
        column,
        lambda got, line: (
            f"duplicates line {r.first_line_with([column], line)} (got "
            f"{_q(got)} again, expected each {column} to appear once)"
            if got  # a blank key is reported as blank, not also as a duplicate
            else None
        ),
    )


# --------------------------------------------------------------------------------------------
# The three tables
# --------------------------------------------------------------------------------------------


def safe_document_name(name: str) -> bool:
    """A bare file name: no folders, nothing that could reach outside the documents folder."""
    return (
        name not in {"", ".", ".."}
        and "/" not in name
        and "\\" not in name
        and os.sep not in name
        and ":" not in name
        and "\x00" not in name
    )


def check_sources(cells: Cells, documents: Path | None) -> list[Problem]:
    """Rules for sources.csv; ``documents`` (when known) is where the saved copies must be."""
    problems = list(cells.problems) + check_header(cells)
    if cells.frame is None:
        return problems
    r = _Rules(cells)
    r.required(SOURCES)
    r.cell(
        "source_id",
        "format",
        lambda v: v == "" or bool(_SOURCE_ID.match(v)),
        lambda got, line: (
            f"must be a short name without spaces (got {_q(got)}, expected "
            "letters, digits, '-', '_' or '.', e.g. 'met-release-2020-11-19')"
        ),
    )
    _duplicate_key_rule(r, "source_id")
    _date_rule(r, "published")
    r.cell(
        "url",
        "web address",
        lambda v: v == "" or bool(_URL.match(v)),
        lambda got, line: (
            f"must be a web address starting with http:// or https:// (got "
            f"{_q(got)}, expected e.g. 'https://news.met.police.uk/...')"
        ),
    )
    _vocabulary_rule(r, "kind", KINDS, "kind of source")
    r.cell(
        "document",
        "file name",
        lambda v: v == "" or safe_document_name(v),
        lambda got, line: (
            f"must be a file name, not a path (got {_q(got)}, expected the name "
            "of a file in the documents folder, e.g. '000_e77ebc68579fe822.txt')"
        ),
    )
    if documents is not None and documents.is_dir():
        available = sorted(p.name for p in documents.iterdir() if p.is_file())
        r.cell(
            "document",
            "exists",
            lambda v: v == "" or not safe_document_name(v) or (documents / v).is_file(),
            lambda got, line: (
                f"names a file that is not in the documents folder (got "
                f"{_q(got)}, expected a file in {documents}){_suggest(got, available)}"
            ),
        )
    return problems + r.run()


def check_measures(cells: Cells) -> list[Problem]:
    """Rules for measures.csv, including ``total_of`` naming measures of the same file."""
    problems = list(cells.problems) + check_header(cells)
    if cells.frame is None:
        return problems
    frame = cells.frame
    r = _Rules(cells)
    r.required(MEASURES)
    r.cell(
        "measure",
        "format",
        lambda v: v == "" or bool(_MEASURE_NAME.match(v)),
        lambda got, line: (
            f"must be a short name in lowercase letters, digits and _ (got "
            f"{_q(got)}, expected e.g. 'knives' or 'cash_seized')"
        ),
    )
    _duplicate_key_rule(r, "measure")
    _vocabulary_rule(r, "unit", UNITS, "unit", aliases=_UNIT_ALIASES)
    if r.has("measure"):
        known = [m for m in frame["measure"] if m]
        units = dict(zip(frame["measure"], frame["unit"], strict=True)) if r.has("unit") else {}

        def unknown_parts(text: str) -> list[str]:
            return [p for p in parse_total_of(text) if p not in known]

        def explain_parts(got: str, line: int) -> str:
            bad = unknown_parts(got)
            if "" in bad:
                return (
                    f"has an empty part (got {_q(got)}, expected measure names joined by ' + ', "
                    "e.g. 'knives + other_offensive_weapons')"
                )
            names = ", ".join(f"'{b}'" for b in bad)
            hint = _suggest(bad[0], known)
            return (
                f"names a measure that is not in measures.csv: {names} (got {_q(got)}, "
                f"expected measure names from measures.csv joined by ' + '){hint}"
            )

        r.cell("total_of", "known parts", lambda v: not unknown_parts(v), explain_parts)
        r.rows(
            "total_of",
            "not itself",
            lambda df: pd.Series(
                [
                    m not in parse_total_of(t)
                    for m, t in zip(df["measure"], df["total_of"], strict=True)
                ],
                index=df.index,
            ),
            lambda got, line: (
                f"lists the measure itself (got {_q(got)}, expected only other "
                f"measures, e.g. 'knives + other_offensive_weapons')"
            ),
            needs=["measure", "total_of"],
        )

        def same_unit(measure: str, total_of: str) -> bool:
            own = units.get(measure)
            return all(units.get(p, own) == own for p in parse_total_of(total_of))

        def explain_unit(got: str, line: int) -> str:
            own = frame.at[line, "unit"]
            odd = [p for p in parse_total_of(got) if units.get(p, own) != own]
            return (
                f"adds up measures in a different unit (got {_q(got)}, where '{odd[0]}' is in "
                f"'{units[odd[0]]}', expected parts in '{own}' like the total)"
            )

        r.rows(
            "total_of",
            "same unit",
            lambda df: pd.Series(
                [same_unit(m, t) for m, t in zip(df["measure"], df["total_of"], strict=True)],
                index=df.index,
            ),
            explain_unit,
            needs=["measure", "total_of", "unit"],
        )
    return problems + r.run()


def document_texts(sources: pd.DataFrame | None, documents: Path | None) -> dict[str, str]:
    """source_id -> normalised text of its saved document, for the sources whose copy exists."""
    texts: dict[str, str] = {}
    if sources is None or documents is None or not documents.is_dir():
        return texts
    if "source_id" not in sources.columns or "document" not in sources.columns:
        return texts
    for source_id, name in zip(sources["source_id"], sources["document"], strict=True):
        if not source_id or not safe_document_name(name) or source_id in texts:
            continue
        path = documents / name
        if path.is_file():
            try:
                texts[source_id] = normalise_text(path.read_bytes().decode("utf-8", "replace"))
            except OSError:
                continue
    return texts


def _closest_passage(quote: str, document: str) -> str:
    """A hint pointing at the part of the document the quote most resembles, if any."""
    quote = normalise_text(quote)
    if not quote or not document:
        return ""
    matcher = difflib.SequenceMatcher(None, document, quote, autojunk=False)
    match = matcher.find_longest_match(0, len(document), 0, len(quote))
    if match.size < max(8, len(quote) // 3):
        return ""
    start = max(0, match.a - match.b)
    end = min(len(document), start + len(quote))
    start = document.rfind(" ", 0, start + 1) + 1  # widen to whole words
    space = document.find(" ", end)
    end = len(document) if space == -1 else space
    return f"; the closest passage is {_q(document[start:end], 100)}"


def check_tallies(
    cells: Cells,
    *,
    measure_units: Mapping[str, str] | None = None,
    source_ids: Sequence[str] | None = None,
    documents: Mapping[str, str] | None = None,
    document_names: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Rules for tallies.csv.

    The cross-file rules run only with what they need: ``measure_units`` (measure -> unit,
    from measures.csv) for unknown measures and whole-number/pence rules, ``source_ids`` for
    unknown sources, ``documents`` (source_id -> normalised text) for the quote check.
    """
    problems = list(cells.problems) + check_header(cells)
    if cells.frame is None:
        return problems
    r = _Rules(cells)
    frame = r.frame
    r.required(TALLIES)
    _date_rule(r, "period_start")
    _date_rule(r, "period_end")

    def in_order(start: str, end: str) -> bool:
        first, last = parse_date(start), parse_date(end)
        return first is None or last is None or first <= last

    r.rows(
        "period_end",
        "after start",
        lambda df: pd.Series(
            [in_order(s, e) for s, e in zip(df["period_start"], df["period_end"], strict=True)],
            index=df.index,
        ),
        lambda got, line: (
            f"is before period_start (got {_q(got)}, expected a date on or after "
            f"{frame.at[line, 'period_start']})"
        ),
        needs=["period_start", "period_end"],
    )
    r.cell(
        "value",
        "number",
        lambda v: v == "" or parse_number(v) is not None,
        lambda got, line: (
            f"must be a number (got {_q(got)}, expected a plain number such as "
            "1002 or 1940.50, without commas, £ signs or words)"
        ),
    )
    r.cell(
        "value",
        "not negative",
        lambda v: (n := parse_number(v)) is None or n >= 0,
        lambda got, line: f"must not be negative (got {_q(got)}, expected a number of 0 or more)",
    )
    words = [q for q in QUALIFIERS if q]
    _vocabulary_rule(r, "qualifier", words, "qualifier", blank="blank for an exact figure, or ")
    if measure_units is not None:
        known = list(measure_units)
        r.cell(
            "measure",
            "known",
            lambda v: v == "" or v in measure_units,
            lambda got, line: (
                f"is not a measure listed in measures.csv (got {_q(got)}, "
                f"expected {_one_of(known, 'a measure name from measures.csv')})"
                f"{_suggest(got, known)}"
            ),
        )

        def unit_of(line: int) -> str:
            return measure_units.get(frame.at[line, "measure"], "")

        def value_fits(df: pd.DataFrame, units: Iterable[str], ok: Callable[[Decimal], bool]):
            wanted = set(units)
            result = []
            for measure, value in zip(df["measure"], df["value"], strict=True):
                number = parse_number(value)
                unit = measure_units.get(measure)
                result.append(number is None or unit not in wanted or ok(number))
            return pd.Series(result, index=df.index)

        r.rows(
            "value",
            "whole",
            lambda df: value_fits(df, WHOLE_UNITS, lambda n: n == n.to_integral_value()),
            lambda got, line: (
                f"must be a whole number (got {_q(got)}, expected a non-negative "
                f"whole number{' of days' if unit_of(line) == 'days' else ''})"
            ),
            needs=["measure", "value"],
        )
        r.rows(
            "value",
            "pence",
            lambda df: value_fits(df, {"GBP"}, lambda n: n == n.quantize(Decimal("0.01"))),
            lambda got, line: (
                f"must have at most 2 decimal places (got {_q(got)}, expected an "
                "amount in pounds such as 1940 or 1940.50)"
            ),
            needs=["measure", "value"],
        )
        if r.has("quote"):

            def states_value(df: pd.DataFrame) -> pd.Series:
                result = []
                for measure, value, quote in zip(
                    df["measure"], df["value"], df["quote"], strict=True
                ):
                    number = parse_number(value)
                    unit = measure_units.get(measure)
                    if (
                        number is None
                        or quote == ""
                        or unit == "days"  # "week-long" states 7 days without a digit
                        or number < 0  # reported by the rules above, once
                        or (unit in WHOLE_UNITS and number != number.to_integral_value())
                        or number != number.quantize(Decimal("0.01"))
                    ):
                        result.append(True)
                        continue
                    result.append(number in numbers_in(quote))
                return pd.Series(result, index=df.index)

            def explain_statement(got: str, line: int) -> str:
                quote = frame.at[line, "quote"]
                found = sorted(numbers_in(quote))
                stated = ", ".join(f"{n.normalize():,f}" for n in found)
                return (
                    f"is not the figure its quote states (got {_q(got)}, expected "
                    + (f"{stated}, the number in " if found else "a number that appears in ")
                    + f"the quote {_q(quote, 60)}); correct the value or the quote"
                )

            r.rows(
                "value",
                "stated in quote",
                states_value,
                explain_statement,
                needs=["measure", "value", "quote"],
            )
    if source_ids is not None:
        ids = [s for s in source_ids if s]
        id_set = set(ids)
        r.cell(
            "source_id",
            "known",
            lambda v: v == "" or v in id_set,
            lambda got, line: (
                f"is not a source_id listed in sources.csv (got {_q(got)}, "
                f"expected {_one_of(ids, 'a source_id from sources.csv', limit=8)})"
                f"{_suggest(got, ids)}"
            ),
        )
    if documents:
        names = document_names or {}

        def in_document(df: pd.DataFrame) -> pd.Series:
            return pd.Series(
                [
                    quote == "" or source not in documents
                    or normalise_text(quote) in documents[source]
                    for source, quote in zip(df["source_id"], df["quote"], strict=True)
                ],
                index=df.index,
            )  # fmt: skip

        def explain_quote(got: str, line: int) -> str:
            source = frame.at[line, "source_id"]
            where = names.get(source, source)
            return (
                f"does not occur in the source document '{where}' (got {_q(got, 80)}, expected "
                "words copied exactly from the document; spacing and curly or straight quotes "
                f"may differ){_closest_passage(got, documents[source])}"
            )

        r.rows("quote", "in document", in_document, explain_quote, needs=["source_id", "quote"])

    statement = ["source_id", "agency", "area", "measure", "quote"]
    if r.has(*statement):
        r.frame = frame = frame.assign(_statement=frame["quote"].map(normalise_text))
        key = [*statement[:-1], "_statement"]
        r.unique_rows = key
        r.explain["row: duplicate"] = (
            None,
            lambda got, line: (
                f"duplicates line {r.first_line_with(key, line)}: the same "
                "statement is recorded twice (got the same source_id, agency, area, measure and "
                "quote, expected each statement once)"
                if frame.at[line, "quote"]  # blank quotes are reported as blank
                else None
            ),
        )
    return problems + r.run()


def sort_problems(problems: Iterable[Problem], order: Sequence[Path] = ()) -> list[Problem]:
    """By file (in ``order``), then line, keeping each line's problems in rule order."""
    rank = {Path(p): i for i, p in enumerate(order)}
    indexed = list(enumerate(problems))
    indexed.sort(
        key=lambda ip: (rank.get(ip[1].path, len(rank)), str(ip[1].path),
                        ip[1].line if ip[1].line is not None else -1, ip[0])
    )  # fmt: skip
    return [p for _, p in indexed]
