"""Load ``sources.csv``, ``measures.csv`` and ``tallies.csv`` as checked, tidy, typed frames.

Nothing is returned until every rule passes: a figure that cannot be traced to the words of
its source must not reach a report.  All problems are gathered in one pass and raised together
as :class:`DataValidationError`, one line each, e.g.::

    data/tallies.csv:7: column 'value': must be a whole number (got '12.5', expected a
    non-negative whole number)

The rules, and the choice to allow extra columns unless they look like a misspelling of a
documented one, are described in :mod:`sceptre_analysis.schema`.

Frames returned (default ``RangeIndex``; ``line`` is the CSV line the row starts on, header =
line 1, so messages and reports can cite it; extra columns are kept as text before ``line``):

``sources``
    source_id, publisher, title, url, document: ``str`` (blank = ``""``);
    published: ``datetime64[ns]`` (``NaT`` when blank); kind: ``category`` (primary, secondary);
    line: ``int64``.
``measures``
    measure, label, noun, noun_plural, description: ``str``; unit: ``category`` (count, GBP,
    days); category: ``category``; total_of: ``object`` holding a ``list[str]`` of component
    measures (``[]`` when blank); line: ``int64``.
``tallies``
    operation, agency, area: ``category`` (in order of first appearance);
    period_start, period_end: ``datetime64[ns]`` (``NaT`` when blank);
    measure: ``category`` (in measures.csv order); value: ``Float64`` (for arithmetic);
    count: ``Int64`` (the value for units count/days, ``<NA>`` for money);
    qualifier: ``category`` over :data:`QUALIFIERS` (``""`` = exact);
    source_id: ``category`` (in sources.csv order); quote: ``str``;
    unit: ``category`` and label: ``str``, joined from measures (missing when
    :func:`load_tallies` runs without measures); line: ``int64``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from sceptre_analysis import paths
from sceptre_analysis.errors import SceptreError
from sceptre_analysis.schema import (
    KINDS,
    MEASURES,
    QUALIFIERS,
    SOURCES,
    TALLIES,
    UNITS,
    WHOLE_UNITS,
    Cells,
    Problem,
    TableSpec,
    check_measures,
    check_sources,
    check_tallies,
    document_texts,
    parse_number,
    parse_total_of,
    read_cells,
    sort_problems,
)

__all__ = [
    "QUALIFIERS",
    "DataValidationError",
    "Dataset",
    "Problem",
    "load_dataset",
    "load_measures",
    "load_sources",
    "load_tallies",
    "validate",
]

Documents = Path | str | None | Literal["auto"]


class DataValidationError(SceptreError, ValueError):
    """The data breaks one or more rules; ``problems`` lists every one, in file/line order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def __reduce__(self):  # keep the problems when pickled (e.g. across worker processes)
        return (type(self), (self.problems,))


@dataclass(frozen=True, eq=False)  # eq=False: comparing DataFrames element-wise is meaningless
class Dataset:
    """The three checked tables, and the folder they came from."""

    sources: pd.DataFrame
    tallies: pd.DataFrame
    measures: pd.DataFrame
    data_dir: Path
    _fingerprint: str = field(default="", repr=False)
    documents_dir: Path | None = None
    """The folder the quotes were checked against; None when they were not checked."""

    def fingerprint(self) -> str:
        """sha256 of the three CSV files' bytes as loaded: ties a report to the exact data."""
        if self._fingerprint:
            return self._fingerprint
        return _fingerprint(
            {spec.filename: (self.data_dir / spec.filename).read_bytes() for spec in _SPECS}
        )


_SPECS: tuple[TableSpec, ...] = (SOURCES, TALLIES, MEASURES)


def _fingerprint(contents: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for spec in _SPECS:
        data = contents[spec.filename]
        digest.update(f"{spec.filename}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# Finding the files
# --------------------------------------------------------------------------------------------


def _folder(path: str | Path | None) -> Path:
    """The data folder: the default, the folder given, or the folder of a file given."""
    if path is None:
        return paths.data_dir()
    path = Path(path)
    return path.parent if path.is_file() else path


def _file(path: str | Path | None, spec: TableSpec) -> Path:
    """A single table's file: given directly, or by its usual name inside a folder."""
    if path is None:
        return paths.data_dir() / spec.filename
    path = Path(path)
    return path / spec.filename if path.is_dir() else path


def _documents(documents: Documents, folder: Path) -> tuple[Path | None, list[Problem]]:
    """Where the saved source documents are; None (skip the checks) when there are none.

    ``"auto"``: ``<data folder>/documents`` if present, else :func:`paths.documents_dir`;
    silently none if neither exists.  A folder named explicitly must exist.
    """
    if documents is None:
        return None, []
    if isinstance(documents, str) and documents == "auto":
        local = folder / "documents"
        found = local if local.is_dir() else paths.documents_dir()
        return (found if found is not None and found.is_dir() else None), []
    folder_given = Path(documents)
    if folder_given.is_dir():
        return folder_given, []
    problem = Problem(
        folder_given,
        None,
        None,
        "documents folder not found (got no folder at this path, expected the folder of "
        "saved source documents, or documents=None to skip the quote check)",
    )
    return None, [problem]


# --------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------


@dataclass
class _Checked:
    sources: Cells
    measures: Cells
    tallies: Cells
    problems: list[Problem]


def _measure_units(measures: pd.DataFrame | None) -> dict[str, str] | None:
    if measures is None or "measure" not in measures.columns:
        return None
    units = measures["unit"] if "unit" in measures.columns else [""] * len(measures)
    return {m: u for m, u in zip(measures["measure"], units, strict=True) if m}


def _check_folder(folder: Path, documents: Documents) -> _Checked:
    sources = read_cells(folder / SOURCES.filename, SOURCES)
    measures = read_cells(folder / MEASURES.filename, MEASURES)
    tallies = read_cells(folder / TALLIES.filename, TALLIES)
    docs, problems = _documents(documents, folder)
    problems += check_sources(sources, docs)
    problems += check_measures(measures)
    source_frame = sources.frame
    source_ids: list[str] | None = None
    names: dict[str, str] = {}
    if source_frame is not None and "source_id" in source_frame.columns:
        source_ids = list(source_frame["source_id"])
        if "document" in source_frame.columns:
            names = dict(zip(source_ids, source_frame["document"], strict=True))
    problems += check_tallies(
        tallies,
        measure_units=_measure_units(measures.frame),
        source_ids=source_ids,
        documents=document_texts(source_frame, docs),
        document_names=names,
    )
    order = [sources.path, measures.path, tallies.path]
    return _Checked(sources, measures, tallies, sort_problems(problems, order))


def validate(path: str | Path | None = None, *, documents: Documents = "auto") -> list[Problem]:
    """Every problem in the data folder (empty list = all good). Never raises for bad data."""
    return _check_folder(_folder(path), documents).problems


# --------------------------------------------------------------------------------------------
# Tidy, typed frames
# --------------------------------------------------------------------------------------------


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype(str).reset_index(drop=True)
    return pd.Series([""] * len(frame), dtype=str)


def _dates(frame: pd.DataFrame, name: str) -> pd.Series:
    text = _text(frame, name)
    return pd.to_datetime(text.where(text != ""), format="%Y-%m-%d").astype("datetime64[ns]")


def _category(values: pd.Series, categories: Sequence[str] | None = None) -> pd.Categorical:
    if categories is None:
        categories = list(dict.fromkeys(values))
    else:
        categories = list(dict.fromkeys([*categories, *values]))
    return pd.Categorical(values, categories=categories)


def _finish(frame: pd.DataFrame, columns: dict[str, object], spec: TableSpec) -> pd.DataFrame:
    """Add extra (undocumented) columns as text and the ``line`` column."""
    out = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))
    for name in frame.columns:
        if name not in spec.names and not name.startswith("_"):
            out[name] = _text(frame, name)
    out["line"] = frame.index.to_numpy(dtype="int64")
    return out


def _tidy_sources(frame: pd.DataFrame) -> pd.DataFrame:
    columns: dict[str, object] = {
        "source_id": _text(frame, "source_id"),
        "publisher": _text(frame, "publisher"),
        "title": _text(frame, "title"),
        "published": _dates(frame, "published"),
        "url": _text(frame, "url"),
        "document": _text(frame, "document"),
        "kind": pd.Categorical(_text(frame, "kind"), categories=list(KINDS)),
    }
    return _finish(frame, columns, SOURCES)


def _tidy_measures(frame: pd.DataFrame) -> pd.DataFrame:
    columns: dict[str, object] = {
        "measure": _text(frame, "measure"),
        "label": _text(frame, "label"),
        "noun": _text(frame, "noun"),
        "noun_plural": _text(frame, "noun_plural"),
        "unit": pd.Categorical(_text(frame, "unit"), categories=list(UNITS)),
        "category": _category(_text(frame, "category")),
        "total_of": pd.Series([parse_total_of(t) for t in _text(frame, "total_of")], dtype=object),
        "description": _text(frame, "description"),
    }
    return _finish(frame, columns, MEASURES)


def _tidy_tallies(
    frame: pd.DataFrame, measures: pd.DataFrame | None, sources: pd.DataFrame | None
) -> pd.DataFrame:
    measure = _text(frame, "measure")
    numbers = [parse_number(v) for v in _text(frame, "value")]
    if measures is not None:
        unit_of = dict(zip(measures["measure"], measures["unit"].astype(str), strict=True))
        label_of = dict(zip(measures["measure"], measures["label"], strict=True))
        measure_order: list[str] | None = list(measures["measure"])
    else:
        unit_of, label_of, measure_order = {}, {}, None
    units = [unit_of.get(m) for m in measure]
    counts = [
        int(n) if n is not None and u in WHOLE_UNITS else pd.NA
        for n, u in zip(numbers, units, strict=True)
    ]
    source_order = list(sources["source_id"]) if sources is not None else None
    columns: dict[str, object] = {
        "operation": _category(_text(frame, "operation")),
        "period_start": _dates(frame, "period_start"),
        "period_end": _dates(frame, "period_end"),
        "agency": _category(_text(frame, "agency")),
        "area": _category(_text(frame, "area")),
        "measure": _category(measure, measure_order),
        "value": pd.array([None if n is None else float(n) for n in numbers], dtype="Float64"),
        "count": pd.array(counts, dtype="Int64"),
        "qualifier": _category(_text(frame, "qualifier"), list(QUALIFIERS)),
        "source_id": _category(_text(frame, "source_id"), source_order),
        "quote": _text(frame, "quote"),
        "unit": pd.Categorical(units, categories=list(UNITS)),
        "label": pd.Series([label_of.get(m, pd.NA) for m in measure], dtype=str)
        if measures is not None
        else pd.Series([pd.NA] * len(frame), dtype=object),
    }
    return _finish(frame, columns, TALLIES)


def _raise_if(problems: list[Problem], order: Sequence[Path] | None = None) -> None:
    """Raise all ``problems`` at once (sorted by file in ``order``, then line), if any."""
    if problems:
        raise DataValidationError(problems if order is None else sort_problems(problems, order))


def _frame(cells: Cells) -> pd.DataFrame:
    assert cells.frame is not None  # only called once the checks passed
    return cells.frame


# --------------------------------------------------------------------------------------------
# Public loaders
# --------------------------------------------------------------------------------------------


def load_dataset(path: str | Path | None = None, *, documents: Documents = "auto") -> Dataset:
    """Check all three files together (including cross-file rules) and return them typed.

    ``path``: the data folder (default :func:`paths.data_dir`), or any file inside it.
    ``documents``: ``"auto"`` finds the saved source documents (see ``_documents``), a path
    names the folder, ``None`` skips the quote-in-document check.
    Raises :class:`DataValidationError` listing every problem.
    """
    folder = _folder(path)
    checked = _check_folder(folder, documents)
    _raise_if(checked.problems)
    sources = _tidy_sources(_frame(checked.sources))
    measures = _tidy_measures(_frame(checked.measures))
    tallies = _tidy_tallies(_frame(checked.tallies), measures, sources)
    fingerprint = _fingerprint(
        {c.spec.filename: c.raw for c in (checked.sources, checked.measures, checked.tallies)}
    )
    documents_found, _ = _documents(documents, folder)
    return Dataset(sources, tallies, measures, folder, fingerprint, documents_found)


def load_sources(path: str | Path | None = None, *, documents: Documents = "auto") -> pd.DataFrame:
    """sources.csv alone (a file, or a folder holding it); checks its documents exist."""
    file = _file(path, SOURCES)
    cells = read_cells(file, SOURCES)
    docs, problems = _documents(documents, file.parent)
    _raise_if(problems + check_sources(cells, docs), [file])
    return _tidy_sources(_frame(cells))


def load_measures(path: str | Path | None = None) -> pd.DataFrame:
    """measures.csv alone (a file, or a folder holding it)."""
    cells = read_cells(_file(path, MEASURES), MEASURES)
    _raise_if(check_measures(cells), [cells.path])
    return _tidy_measures(_frame(cells))


def load_tallies(
    path: str | Path | None = None,
    *,
    measures: pd.DataFrame | Literal["auto"] | None = "auto",
) -> pd.DataFrame:
    """tallies.csv alone (a file, or a folder holding it).

    ``measures`` supplies units and labels and enables the unknown-measure and
    whole-number/pence rules: ``"auto"`` reads the measures.csv next to the tallies if there
    is one (its problems are reported too), a frame from :func:`load_measures` is used as
    is, ``None`` skips them (unit, label and count are then missing).  Source ids and quotes
    need the sources, so only :func:`load_dataset` checks those.
    """
    file = _file(path, TALLIES)
    problems: list[Problem] = []
    if isinstance(measures, str) and measures == "auto":
        sibling = file.parent / MEASURES.filename
        measures = None
        if sibling.is_file():
            measure_cells = read_cells(sibling, MEASURES)
            problems += check_measures(measure_cells)
            if not problems:
                measures = _tidy_measures(_frame(measure_cells))
    units = (
        dict(zip(measures["measure"], measures["unit"].astype(str), strict=True))
        if measures is not None
        else None
    )
    cells = read_cells(file, TALLIES)
    problems += check_tallies(cells, measure_units=units)
    _raise_if(problems, [file.parent / MEASURES.filename, file])
    return _tidy_tallies(_frame(cells), measures, None)
