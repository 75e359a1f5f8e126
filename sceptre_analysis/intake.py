"""From saved releases to rows of ``data/``: extract candidates, then add the reviewed ones.

``extract`` writes the proposals of :mod:`sceptre_analysis.extract` as CSV (the columns of
``tallies.csv`` plus confidence, spans and range ids), a table or JSON.  A person reviews the
CSV (corrects cells, deletes wrong rows, fills blank measures) and ``add`` appends it:

* every reviewed row is checked first, and then the whole data folder *as it would be* is
  checked by the project's validator (a temporary copy with the rows and the source added),
  so a quote that is not in the document, an unknown measure or a duplicate is found before
  anything is written;
* problems are reported all at once, each located in the candidates file
  (``candidates.csv:7: column 'measure': ...``); with any problem nothing is written;
* otherwise ``tallies.csv``, ``sources.csv`` and the document's text are replaced through
  temporary files and renames, and put back if a later rename fails.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sceptre_analysis import paths
from sceptre_analysis.documents import DocumentError, read_document
from sceptre_analysis.errors import SceptreError
from sceptre_analysis.extract import COLUMNS, Extraction, extractor

__all__ = [
    "AddError",
    "AddResult",
    "ExtractFailure",
    "add_candidates",
    "extract_files",
    "render",
]

FORMATS = ("csv", "table", "json")
#: Candidate columns carried into tallies.csv besides those already in its header.
_TALLY_EXTRAS = ("value_high", "compared_with", "context", "note")
_REQUIRED = ("operation", "agency", "area", "measure", "value", "quote")
_SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class AddError(SceptreError):
    """The reviewed rows cannot be added; ``problems`` lists every reason, located."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class ExtractFailure:
    path: Path
    message: str


@dataclass
class ExtractRun:
    """Extractions of several files; failures keep their one-line message."""

    results: list[tuple[Path, Extraction]] = field(default_factory=list)
    failures: list[ExtractFailure] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# extract
# --------------------------------------------------------------------------------------------


def extract_files(
    files: Iterable[str | Path],
    *,
    data_dir: str | Path | None = None,
    published: date | None = None,
) -> ExtractRun:
    """Read and extract each file; a file that cannot be read is a failure, not a crash."""
    rules = extractor(data_dir)
    run = ExtractRun()
    for name in files:
        path = Path(name)
        try:
            document = read_document(path)
        except DocumentError as error:
            run.failures.append(ExtractFailure(path, str(error)))
            continue
        result = rules.extract(
            document.text, published=published or document.published, source=str(path)
        )
        run.results.append((path, result))
    return run


def render(run: ExtractRun, fmt: str = "csv") -> str:
    """The proposals as ``csv`` (header + one row per figure), ``table`` or ``json``."""
    if fmt == "json":
        return json.dumps(
            [
                {
                    "document": str(path),
                    "period": list(result.period),
                    "published": result.published.isoformat() if result.published else None,
                    "figures": result.rows(),
                    "skipped": [
                        {"text": s.text, "start": s.start, "end": s.end, "reason": s.reason}
                        for s in result.skipped
                    ],
                }
                for path, result in run.results
            ],
            indent=2,
            ensure_ascii=False,
        )
    rows = [{**row, "document": str(path)} for path, result in run.results for row in result.rows()]
    if fmt == "table":
        return _table(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*COLUMNS, "document"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _table(rows: list[dict[str, str]]) -> str:
    shown = ("value", "qualifier", "measure", "agency", "period_start", "confidence", "quote")
    widths = {c: len(c) for c in shown}
    cells = []
    for row in rows:
        line = {c: row[c] if c != "quote" else _cut(row[c], 60) for c in shown}
        line["measure"] = line["measure"] or "(none)"
        cells.append(line)
        for c in shown:
            widths[c] = min(max(widths[c], len(line[c])), 60)
    out = ["  ".join(c.ljust(widths[c]) for c in shown).rstrip()]
    out.append("  ".join("-" * widths[c] for c in shown))
    out += ["  ".join(line[c].ljust(widths[c]) for c in shown).rstrip() for line in cells]
    out.append(f"{len(rows)} figure{'s' if len(rows) != 1 else ''} proposed")
    return "\n".join(out) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --------------------------------------------------------------------------------------------
# add
# --------------------------------------------------------------------------------------------


@dataclass
class AddResult:
    tallies_added: int
    source_added: bool
    document: str
    data_dir: Path


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (first line of each row, row) — lines counted as the file shows them."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise AddError([f"{path}: cannot be read ({error.strerror or error})"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AddError([f"{path}: not UTF-8 text; save it as UTF-8 CSV"]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise AddError([f"{path}: the file is empty, expected a header row"]) from None
    except csv.Error as error:
        raise AddError([f"{path}:1: {error}"]) from None
    rows = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                padded = [*cells, *[""] * (len(header) - len(cells))]
                rows.append((line, {h: padded[i].strip() for i, h in enumerate(header) if h}))
            line = reader.line_num + 1
    except csv.Error as error:
        raise AddError([f"{path}:{line}: {error}"]) from None
    return header, rows


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _check_candidates(
    path: Path, header: list[str], rows: list[tuple[int, dict[str, str]]]
) -> list[str]:
    problems = []
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        problems.append(
            f"{path}:1: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)} (expected the columns `sceptre-report "
            "extract` writes)"
        )
        return problems
    if not rows:
        problems.append(f"{path}: no rows to add (expected at least one reviewed figure)")
    for line, row in rows:
        for column in _REQUIRED:
            if not row.get(column, ""):
                hint = (
                    "choose a measure of measures.csv or delete the row"
                    if column == "measure"
                    else "fill it in or delete the row"
                )
                problems.append(f"{path}:{line}: column '{column}': blank ({hint})")
        for column in ("value", "value_high"):
            cell = row.get(column, "")
            if cell and _number(cell) is None:
                problems.append(
                    f"{path}:{line}: column '{column}': not a number (got {cell!r}, expected a "
                    "plain number such as 1002)"
                )
    return problems


def _merge_ranges(rows: list[tuple[int, dict[str, str]]]) -> list[tuple[int, dict[str, str]]]:
    """The two rows of a range (same ``range_id``) become one row with ``value_high``."""
    merged: list[tuple[int, dict[str, str]]] = []
    by_id: dict[str, int] = {}
    for line, row in rows:
        range_id = row.get("range_id", "")
        if not range_id:
            merged.append((line, dict(row)))
            continue
        if range_id not in by_id:
            by_id[range_id] = len(merged)
            merged.append((line, dict(row)))
            continue
        first = merged[by_id[range_id]][1]
        values = [v for v in (_number(first["value"]), _number(row["value"])) if v is not None]
        highs = [_number(first.get("value_high", "")), _number(row.get("value_high", ""))]
        values += [h for h in highs if h is not None]
        if values:
            first["value"] = _plain(min(values))
            first["value_high"] = _plain(max(values))
    return merged


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def add_candidates(
    candidates: str | Path,
    source_id: str,
    *,
    publisher: str | None = None,
    published: str | None = None,
    title: str | None = None,
    url: str | None = None,
    kind: str | None = None,
    document: str | Path | None = None,
    data_dir: str | Path | None = None,
) -> AddResult:
    """Validate the reviewed rows of ``candidates`` and append them (and the source) to the
    data folder, all or nothing.  Raises :class:`AddError` listing every problem."""
    from sceptre_analysis.load import validate  # pandas: only when adding

    candidates = Path(candidates)
    folder = Path(data_dir) if data_dir is not None else paths.data_dir()
    problems: list[str] = []
    if not _SOURCE_ID.match(source_id):
        problems.append(
            f"--source-id: {source_id!r} is not a usable id (expected letters, digits, '.', "
            "'_' and '-', e.g. 'met-release-2020-11-19')"
        )
    if published:
        try:
            date.fromisoformat(published)
        except ValueError:
            problems.append(f"--published: {published!r} is not a date written YYYY-MM-DD")
    header, rows = _read_csv(candidates)
    problems += _check_candidates(candidates, header, rows)
    tallies_path, sources_path = folder / "tallies.csv", folder / "sources.csv"
    for needed in (tallies_path, sources_path):
        if not needed.is_file():
            problems.append(f"{needed}: not found (expected the project's data folder)")
    if problems:
        raise AddError(problems)

    t_header, t_rows = _read_csv(tallies_path)
    s_header, s_rows = _read_csv(sources_path)
    existing = {row.get("source_id", ""): row for _, row in s_rows}
    source_added = source_id not in existing
    text_name = ""
    document_text = None
    if document is not None:
        try:
            document_text = read_document(document).text
        except DocumentError as error:
            raise AddError([f"--document: {error}"]) from None
        text_name = f"{source_id}.txt"
    if source_added:
        if not publisher:
            raise AddError(
                [
                    f"--source-id: {source_id!r} is not in {sources_path.name}; give "
                    "--publisher (and --published, --document) to add it"
                ]
            )
        source = {
            "source_id": source_id,
            "publisher": publisher,
            "title": title or "",
            "published": published or "",
            "url": url or "",
            "document": text_name,
            "kind": kind or "secondary",
        }
    else:
        given = [o for o, v in (("--publisher", publisher), ("--published", published)) if v]
        if given or document is not None:
            raise AddError(
                [
                    f"--source-id: {source_id!r} is already in {sources_path.name}; to add rows "
                    f"to it leave out {', '.join(given + (['--document'] if document else []))}"
                ]
            )
        source = None

    merged = _merge_ranges(rows)
    columns = list(t_header)
    for extra in _TALLY_EXTRAS:
        if extra not in columns and any(row.get(extra, "") for _, row in merged):
            columns.append(extra)
    new_rows = [
        {c: (source_id if c == "source_id" else row.get(c, "")) for c in columns}
        for _, row in merged
    ]
    old_rows = [row for _, row in t_rows]
    tallies_text = _csv_text(columns, [*old_rows, *new_rows])
    sources_text = _csv_text(
        s_header, [row for _, row in s_rows] + ([source] if source is not None else [])
    )

    # check the folder as it would be, in a temporary copy
    first_new_line = _first_new_line(tallies_text, len(old_rows))
    with tempfile.TemporaryDirectory(prefix="sceptre-add-") as scratch:
        trial = Path(scratch) / "data"
        shutil.copytree(folder, trial, ignore=shutil.ignore_patterns("documents", ".*"))
        docs = Path(scratch) / "documents"
        docs.mkdir()
        if document_text is not None:
            (docs / text_name).write_text(document_text, encoding="utf-8")
        (trial / "tallies.csv").write_text(tallies_text, encoding="utf-8")
        (trial / "sources.csv").write_text(sources_text, encoding="utf-8")
        # the new document first, then the folders validate would search for the real folder
        found = validate(trial, documents=[docs, *paths.documents_dirs(folder)])
    # A problem of the rows already there counts only if validating the folder as it is finds
    # it too: naming the new document's folder must not make the old sources' documents
    # "missing" where validate, finding no documents folder, calls them not verified.
    # The folder as it is is validated only when the trial found problems in the old rows.
    old = [p for p in found if not _is_new(p, first_new_line, len(s_rows))]
    before = {(Path(p.path).name, p.line, p.column) for p in validate(folder)} if old else set()
    found = [
        p
        for p in found
        if _is_new(p, first_new_line, len(s_rows))
        or (Path(p.path).name, p.line, p.column) in before
    ]
    located = _locate(found, trial, candidates, merged, first_new_line, len(s_rows))
    if located:
        raise AddError(located)

    writes = [(tallies_path, tallies_text), (sources_path, sources_text)]
    if document_text is not None:
        writes.append((folder / "documents" / text_name, document_text))
    _replace_all(writes)
    return AddResult(len(new_rows), source_added, text_name, folder)


def _csv_text(columns: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore", restval=""
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _first_new_line(text: str, old_count: int) -> int:
    """The file line on which the first appended row starts."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    for _ in range(old_count):
        next(reader)
    return reader.line_num + 1


def _is_new(problem, first_new_line: int, sources: int) -> bool:
    """Whether a trial-copy problem comes from the appended rows or the new source."""
    where, line = Path(problem.path).name, problem.line
    if line is None:
        return True  # a whole-file problem: the new rows may cause it
    if where == "tallies.csv":
        return line >= first_new_line
    return where == "sources.csv" and line >= sources + 2


def _locate(problems, trial: Path, candidates: Path, merged, first_new_line: int, sources: int):
    """Validator problems in the trial copy, pointed at the candidates file where they come
    from the new rows, and at the options where they come from the new source."""
    out = []
    for problem in problems:
        where = Path(problem.path).name
        column = f" column '{problem.column}':" if problem.column else ""
        line = problem.line
        if where == "tallies.csv" and line is not None and line >= first_new_line:
            index = line - first_new_line
            origin = merged[index][0] if index < len(merged) else line
            out.append(f"{candidates}:{origin}:{column} {problem.message}")
        elif where == "sources.csv" and line is not None and line >= sources + 2:
            out.append(f"(new source){column} {problem.message}")
        else:
            shown = f"{where}:{line}" if line is not None else where
            out.append(f"{shown}:{column} {problem.message} (already in the data)")
    return out


def _replace_all(writes: list[tuple[Path, str]]) -> None:
    """Write every file to a temporary neighbour, then rename them all; if a rename fails,
    the files already replaced are put back, so the folder is never half-updated."""
    staged: list[tuple[Path, Path, Path | None]] = []
    try:
        for path, text in writes:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_name, 0o644)
            backup = None
            if path.exists():
                fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".bak", dir=path.parent)
                os.close(fd)
                shutil.copy2(path, name)
                backup = Path(name)
            staged.append((path, Path(tmp_name), backup))
        done: list[tuple[Path, Path | None]] = []
        try:
            for path, staged_file, backup in staged:
                os.replace(staged_file, path)
                done.append((path, backup))
        except BaseException:
            for path, backup in reversed(done):
                if backup is not None:
                    os.replace(backup, path)
                else:
                    path.unlink(missing_ok=True)
            raise
    finally:
        for _, staged_file, backup in staged:
            staged_file.unlink(missing_ok=True)
            if backup is not None:
                backup.unlink(missing_ok=True)
