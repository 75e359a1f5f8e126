"""Reading a CSV file into text cells that remember their file line.

Files are read with Python's ``csv`` module rather than ``pandas.read_csv`` so that every row
keeps the number of the line it starts on (a quoted value may span several lines) and so that
a malformed file is described instead of crashing the reader.  Cells are kept column by column
as stripped text: the rules run over plain lists, which is what makes a 100,000-row file
validate in time linear in the rows (see bench/bench_validate.py).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .problems import CONTROL, Problem, n_of, quoted
from .tables import TableSpec

__all__ = ["Cells", "read_cells"]

_MAX_ENCODING_PROBLEMS = 10
#: Control characters other than the line breaks and tabs a quoted value may hold.
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class Cells:
    """A CSV file as text cells.

    ``columns`` maps each usable header name to its cells, one per kept row, and ``lines``
    gives the file line each of those rows starts on (header = line 1).  ``lines`` is None
    when the file cannot be read as CSV at all; ``problems`` then says why.
    """

    path: Path
    spec: TableSpec
    header: list[str] = field(default_factory=list)
    header_line: int = 1
    problems: list[Problem] = field(default_factory=list)
    raw: bytes = b""
    lines: list[int] | None = None
    columns: dict[str, list[str]] = field(default_factory=dict)

    @property
    def readable(self) -> bool:
        return self.lines is not None

    def has(self, *names: str) -> bool:
        return all(name in self.columns for name in names)

    def get(self, name: str) -> list[str]:
        """The column's cells, or blanks when the (optional) column is absent."""
        found = self.columns.get(name)
        return found if found is not None else [""] * len(self.lines or ())

    def __len__(self) -> int:
        return len(self.lines or ())


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
                    f"{character} cannot be read (got {quoted(shown)}, expected UTF-8 text; "
                    "in Excel use 'Save As' > 'CSV UTF-8')",
                )
            )
            pos = pos + err.end
    return None, problems


def _records(text: str) -> list[tuple[int, list[str] | None, str | None]]:
    """``(first line, fields, error)`` for each CSV record, surviving malformed ones; the
    error is worded for the user (:func:`_csv_error_message`)."""
    try:  # the usual case, in C: no malformed record and no value spanning lines
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        rows = None
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    lone_cr = "\r" in text and "\r" in text.replace("\r\n", "")
    if rows is not None and len(rows) == lines and not lone_cr:
        return [(number, fields, None) for number, fields in enumerate(rows, start=1)]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    found: list[tuple[int, list[str] | None, str | None]] = []
    append = found.append
    previous = 0
    while True:
        try:
            for fields in reader:  # the usual case: one tight loop
                append((previous + 1, fields, None))
                previous = reader.line_num
            return found
        except csv.Error as err:
            append(
                (previous + 1, None, _csv_error_message(str(err), previous + 1, reader.line_num))
            )
            if reader.line_num == previous:  # pragma: no cover - no progress; avoid a loop
                return found
            previous = reader.line_num


def _csv_error_message(error: str, first: int, last: int) -> str:
    """What is wrong with the record read from line ``first`` to line ``last``."""
    if "unexpected end of data" in error:
        return (
            "a quoted value starting on this line is never closed (got an opening '\"' "
            "with no closing '\"', expected a matching closing double quote)"
        )
    if "expected after" in error and last > first:
        # The quote opened on this line was not closed on it: the reader took the lines
        # after it as the value, up to the next double quote (opening a later value), and
        # found that quote followed by text. A quote left open is far likelier than a value
        # meant to span lines with text after its closing quote.
        return (
            "a quoted value starting on this line is never closed (got an opening '\"' "
            f"with no closing '\"' on this line, so lines {first} to {last} were read as one "
            f"value, up to a double quote on line {last}; expected a matching closing double "
            "quote)"
        )
    if "expected after" in error:
        return (
            "there is text right after a closing double quote (got a value like "
            "'\"abc\"def', expected a comma right after the closing quote; "
            'write a double quote inside a quoted value as "")'
        )
    if "NUL" in error or "null" in error.lower():
        return "this row holds a NUL character (got '\\x00', expected plain text)"
    return (
        f"this row cannot be read as CSV (got the error {quoted(error)}, expected a valid CSV row)"
    )


def _sniff_delimiter(header_text: str) -> str | None:
    counts = {d: header_text.count(d) for d in (";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None


def _read_text(path: Path, spec: TableSpec) -> tuple[bytes, str | None, list[Problem]]:
    """The file's bytes and UTF-8 text, or the problems that stop it being read at all."""
    expected = f"a header row: {','.join(spec.names)}"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        message = (
            f"file not found (got no file at this path, expected {spec.filename} with {expected})"
        )
        return b"", None, [Problem(path, None, None, message)]
    except IsADirectoryError:
        message = (
            f"file not found (got a folder at this path, expected {spec.filename} with {expected})"
        )
        return b"", None, [Problem(path, None, None, message)]
    except OSError as err:  # permissions, a symlink loop, a device ...
        reason = err.strerror or type(err).__name__
        message = f"the file cannot be opened (got {quoted(reason)}, expected a readable file)"
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
                f"{usable[name] + 1} and {position + 1} both named {quoted(name)}, "
                "expected each column once)",
            )
        elif name in cells.spec.reserved:
            report(
                name,
                f"is a name the loader adds itself (got {quoted(name)}, expected another "
                "name for this extra column)",
            )
        else:
            usable[name] = position
    return usable


def _fit_rows(cells: Cells, rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The rows with one value per header column; the others are reported and left out.

    When most rows disagree with the header in the same way, the header is what is wrong:
    one message about it replaces one per row.
    """
    width = len(cells.header)
    if all(len(fields) == width for _, fields in rows):
        return rows  # the usual case
    trimmed = []
    for line, fields in rows:
        if len(fields) > width and not any(f.strip() for f in fields[width:]):
            fields = fields[:width]  # blank trailing cells past the header are harmless
        trimmed.append((line, fields))
    usual, how_many = Counter(len(f) for _, f in trimmed).most_common(1)[0] if trimmed else (0, 0)
    header_is_off = usual != width and how_many >= 2 and how_many * 2 > len(trimmed)
    if header_is_off:
        cells.problems.append(
            Problem(
                cells.path,
                cells.header_line,
                None,
                f"the header has {n_of(width, 'column')} but most rows have "
                f"{n_of(usual, 'value')} (got {n_of(width, 'column name')}, expected {usual}; "
                "is a column name missing or extra in the header?)",
            )
        )
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
            got = n_of(len(fields), "value")
            cells.problems.append(
                Problem(
                    cells.path,
                    line,
                    None,
                    f"this row has {got} but the header has {n_of(width, 'column')} "
                    f"(got {got}, expected {width}; {hint})",
                )
            )
    return fitting


def _control_characters(cells: Cells, text: str) -> None:
    """Report every cell holding a control character (line breaks and tabs inside a quoted
    value are text; NUL, ESC and the like are not)."""
    if not _CONTROL_IN_TEXT.search(text):
        return
    assert cells.lines is not None
    for name, values in cells.columns.items():
        for line, value in zip(cells.lines, values, strict=True):
            stripped = value.replace("\n", "").replace("\r", "").replace("\t", "")
            if CONTROL.search(stripped):
                cells.problems.append(
                    Problem(
                        cells.path,
                        line,
                        name,
                        f"holds a control character (got {quoted(value)}, expected plain "
                        "text without control characters)",
                    )
                )


def read_cells(path: Path, spec: TableSpec) -> Cells:
    """Read ``path`` as comma-separated UTF-8 text cells, noting anything structurally wrong."""
    path = Path(path)
    cells = Cells(path, spec)
    cells.raw, text, cells.problems = _read_text(path, spec)
    if text is None:
        return cells

    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for line, fields, error in _records(text):
        if fields is None:
            cells.problems.append(Problem(path, line, None, error or "not a CSV row"))
        elif not (fields and fields[0].strip()) and not "".join(fields).strip():
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
            Problem(
                path,
                cells.header_line,
                None,
                f"expected comma-separated values; this looks like '{shown}'-separated (got the "
                f"header {quoted(header[0])}, expected column names separated by commas: "
                f"{','.join(spec.names)})",
            )
        )
        return cells

    usable = _usable_columns(cells, rows)
    fitting = _fit_rows(cells, rows)
    cells.lines = [line for line, _ in fitting]
    by_position = list(zip(*(fields for _, fields in fitting), strict=True)) if fitting else []
    cells.columns = {
        name: list(map(str.strip, by_position[position])) if fitting else []
        for name, position in usable.items()
    }
    _control_characters(cells, text)
    return cells
