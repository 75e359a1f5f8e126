"""Load the data folder as checked, tidy, typed frames.

Nothing is returned until every rule passes: a figure that cannot be traced to the words of
its source must not reach a report.  All problems are gathered in one pass and raised together
as :class:`DataValidationError`, one line each, e.g.::

    data/tallies.csv:7: column 'value': must be a whole number (got '12.5', expected a
    non-negative whole number)

The rules live in :mod:`sceptre_analysis.schema`, one module per concern.

Frames returned (default ``RangeIndex``; ``line`` is the CSV line the row starts on, header =
line 1; extra columns are kept as text before ``line``):

``sources``
    source_id, publisher, title, url, document: ``str``; published: ``datetime64[ns]``;
    kind: ``category``; verified: ``bool`` (its document was found and its quotes checked);
    document_path: ``str`` (where the document was found, ``""`` if not); line.
``measures``
    measure, label, noun, noun_plural, description, part_of, per_day: ``str``; unit, category:
    ``category``; total_of: ``list[str]`` (every part once); total_of_alternatives:
    ``list[list[str]]`` (each decomposition); line.
``tallies``
    operation, agency, measure (canonical names: aliases resolved), area (the agency's area
    when blank), source_id, unit: ``category``; value, value_high, tolerance: ``Float64``;
    count: ``Int64`` (whole-number units); qualifier (as printed): ``category``; meaning
    (exact, more, at_least, less, at_most, approximate, range), direction ("", increase,
    decrease), compared_with, context, quote, note, label, period_stated: ``str``;
    period_start, period_end: ``datetime64[ns]`` (the month's first and last day for a month,
    ``NaT`` when undated); period_kind: exact | month | undated; week: the Timestamp key of
    the week the claim is placed in (:mod:`sceptre_analysis.periods`), ``NaT`` if none; line.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sceptre_analysis import paths
from sceptre_analysis.errors import SceptreError
from sceptre_analysis.hedges import parse_qualifier
from sceptre_analysis.periods import place_weeks, unplaced
from sceptre_analysis.schema import (
    AGENCIES,
    MEASURE_ALIASES,
    MEASURES,
    OPERATIONS,
    QUALIFIERS_FILE,
    SOURCE_KINDS,
    SOURCES,
    TALLIES,
    UNITS_FILE,
    VOCABULARY_SPECS,
    Cells,
    Documents,
    Problem,
    TableSpec,
    TallyFacts,
    check_agencies,
    check_measure_aliases,
    check_measures,
    check_operations,
    check_qualifiers,
    check_sources,
    check_tallies,
    check_units,
    find_documents,
    parse_number,
    parse_period,
    parse_total_of,
    read_cells,
    sort_problems,
    total_of_alternatives,
)
from sceptre_analysis.schema.tables import EXTRACTION_CUES, WORDING
from sceptre_analysis.schema.vocabulary import (
    check_extraction_cues,
    check_wording,
    measure_resolver,
)
from sceptre_analysis.vocab import Unit, Vocabulary, load_vocabulary

__all__ = [
    "QUALIFIERS",
    "DataFolderError",
    "DataValidationError",
    "Dataset",
    "Problem",
    "load_dataset",
    "load_measures",
    "load_sources",
    "load_tallies",
    "validate",
]

#: ``"auto"``: the usual folders (:func:`paths.documents_dirs`); None: do not check quotes;
#: a folder or folders: look there first, then in the usual folders.
Documents_ = Path | str | Sequence[Path | str] | None | Literal["auto"]


class DataValidationError(SceptreError, ValueError):
    """The data breaks one or more rules; ``problems`` lists every one, in file/line order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def __reduce__(
        self,
    ) -> tuple[
        type[DataValidationError], tuple[list[Problem]]
    ]:  # keep the problems when pickled (e.g. across worker processes)
        return (type(self), (self.problems,))


class DataFolderError(DataValidationError):
    """The data folder named does not exist, or holds none of the data files: one problem,
    a mistake in the command rather than in the data (``validate`` exits 2 for it, not 1)."""


class _Qualifiers(Mapping[str, str]):
    """Transitional, for callers written before hedges were data: maps a qualifier as printed
    to itself once :func:`sceptre_analysis.hedges.parse_qualifier` can read it (KeyError
    otherwise), so ``hedge_holds(QUALIFIERS[q], ...)`` reads the hedge the one way.  New code
    reads the tallies' ``meaning``/``direction`` columns or calls :mod:`sceptre_analysis.hedges`."""

    def __getitem__(self, printed: str) -> str:
        from sceptre_analysis.hedges import UnknownQualifier

        try:
            parse_qualifier(str(printed), load_vocabulary())
        except UnknownQualifier as error:
            raise KeyError(printed) from error
        return str(printed)

    def __iter__(self) -> Iterator[str]:
        vocabulary = load_vocabulary()
        return iter(["", *vocabulary.qualifiers])

    def __len__(self) -> int:
        return 1 + len(load_vocabulary().qualifiers)


QUALIFIERS: Mapping[str, str] = _Qualifiers()


_DATA_SPECS: tuple[TableSpec, ...] = (SOURCES, TALLIES, MEASURES)
_ALL_SPECS: tuple[TableSpec, ...] = (*_DATA_SPECS, *VOCABULARY_SPECS)


@dataclass(frozen=True, eq=False)  # eq=False: comparing DataFrames element-wise is meaningless
class Dataset:
    """The checked tables, the vocabulary, and where they came from."""

    sources: pd.DataFrame
    tallies: pd.DataFrame
    measures: pd.DataFrame
    data_dir: Path
    _fingerprint: str = field(default="", repr=False)
    documents_dir: Path | None = None
    """The first folder documents were found in; None when quotes were not checked."""
    vocabulary: Vocabulary | None = None
    documents_dirs: tuple[Path, ...] = ()
    """Every folder searched for documents, in order (empty when quotes were not checked)."""

    def fingerprint(self) -> str:
        """sha256 of the data files' bytes as loaded: ties a report to the exact data."""
        if self._fingerprint:
            return self._fingerprint
        contents = {}
        for spec in _ALL_SPECS:
            path = _vocabulary_file(self.data_dir, spec.filename)
            contents[spec.filename] = path.read_bytes() if path.is_file() else b""
        return _fingerprint(contents)

    def unplaced(self) -> pd.DataFrame:
        """Claims that no week takes (``line``, ``source_id``, ``reason``)."""
        return unplaced(self.tallies)


def _fingerprint(contents: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for spec in _ALL_SPECS:
        data = contents.get(spec.filename, b"")
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


def _vocabulary_file(folder: Path, name: str) -> Path:
    """The data folder's copy of a vocabulary file, else the project's (as vocab reads it)."""
    own = folder / name
    return own if own.is_file() else paths.project_root() / "data" / name


def _documents_folders(
    documents: Documents_, folder: Path
) -> tuple[list[Path] | None, list[Problem]]:
    """The folders to look for documents in (None: do not check quotes), and a problem for
    each folder named explicitly that does not exist."""
    if documents is None:
        return None, []
    extra: list[Path] = []
    if not (isinstance(documents, str) and documents == "auto"):
        given = [documents] if isinstance(documents, str | Path) else list(documents)
        extra = [Path(p) for p in given]
    problems = [
        Problem(
            p,
            None,
            None,
            "documents folder not found (got no folder at this path, expected a folder of "
            "saved source documents, or --no-documents to skip the quote check)",
        )
        for p in extra
        if not p.is_dir()
    ]
    return paths.documents_dirs(folder, extra), problems


# --------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------


@dataclass
class _Checked:
    cells: dict[str, Cells]
    vocabulary: Vocabulary
    documents: Documents | None
    facts: TallyFacts
    problems: list[Problem]


def _units_of(measures: Cells, vocabulary: Vocabulary) -> dict[str, Unit] | None:
    if not measures.readable or not measures.has("measure"):
        return None
    return {
        m: vocabulary.units.get(u) or Unit(u, "")
        for m, u in zip(measures.columns["measure"], measures.get("unit"), strict=True)
        if m
    }


def _check_vocabulary(folder: Path, measures: Cells) -> tuple[dict[str, Cells], list[Problem]]:
    cells = {
        spec.filename: read_cells(_vocabulary_file(folder, spec.filename), spec)
        for spec in VOCABULARY_SPECS
    }
    # The project's default aliases name the project's measures: a data folder without its own
    # measure_aliases.csv is not held to them.
    own = (folder / MEASURE_ALIASES.filename).is_file()
    names = measures.columns.get("measure") if measures.readable and own else None
    problems = (
        check_units(cells[UNITS_FILE.filename])
        + check_qualifiers(cells[QUALIFIERS_FILE.filename])
        + check_agencies(cells[AGENCIES.filename])
        + check_operations(cells[OPERATIONS.filename])
        + check_measure_aliases(cells[MEASURE_ALIASES.filename], names)
        + check_extraction_cues(cells[EXTRACTION_CUES.filename])
        + check_wording(
            cells[WORDING.filename],
            measures.columns.get("measure")
            if measures.readable and (folder / WORDING.filename).is_file()
            else None,
        )
    )
    return cells, problems


def _check_folder(folder: Path, documents: Documents_) -> _Checked:
    cells = {spec.filename: read_cells(folder / spec.filename, spec) for spec in _DATA_SPECS}
    sources, measures, tallies = (cells[s.filename] for s in (SOURCES, MEASURES, TALLIES))
    vocabulary_cells, problems = _check_vocabulary(folder, measures)
    cells.update(vocabulary_cells)
    vocabulary = load_vocabulary(folder)
    folders, folder_problems = _documents_folders(documents, folder)
    problems += folder_problems
    found: Documents | None = None
    if folders is not None and sources.readable and sources.has("source_id", "document"):
        pairs = zip(sources.columns["source_id"], sources.columns["document"], strict=True)
        found = find_documents([(s, d) for s, d in pairs if d], folders)
    problems += check_sources(sources, found)
    problems += check_measures(measures, vocabulary)
    source_ids = sources.columns.get("source_id") if sources.readable else None
    facts = TallyFacts()
    problems += check_tallies(
        tallies,
        vocabulary,
        units=_units_of(measures, vocabulary),
        source_ids=source_ids,
        documents=found,
        facts=facts,
    )
    return _Checked(cells, vocabulary, found, facts, _in_file_order(problems, cells))


def _in_file_order(problems: list[Problem], cells: Mapping[str, Cells]) -> list[Problem]:
    """Vocabulary files, then sources, measures, tallies; each file's problems keep their
    order (by line already), so this is a stable grouping, not a sort of every problem."""
    order = [c.path for c in cells.values()]
    order = [*order[len(_DATA_SPECS) :], *order[: len(_DATA_SPECS)]]
    swap = {SOURCES.filename: 0, MEASURES.filename: 1, TALLIES.filename: 2}
    data = sorted(order[-len(_DATA_SPECS) :], key=lambda p: swap.get(p.name, 3))
    rank = {path: i for i, path in enumerate([*order[: -len(_DATA_SPECS)], *data])}
    groups: dict[int, list[Problem]] = {}
    for problem in problems:
        groups.setdefault(rank.get(problem.path, -1), []).append(problem)
    return [problem for key in sorted(groups) for problem in groups[key]]


@contextmanager
def _bulk() -> Iterator[None]:
    """Reading 100,000 rows makes millions of small objects and none of them cycles: the
    cyclic garbage collector only slows that down (by a third), so it waits until the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _folder_problem(folder: Path) -> Problem | None:
    """One problem for a folder that is not there or holds none of the data files, instead
    of one "file not found" per data file."""
    files = [spec.filename for spec in _DATA_SPECS]
    names = ", ".join(files[:-1])
    if not folder.exists():
        expected = f"expected a data folder of {names} and {files[-1]}"
        return Problem(folder, None, None, f"does not exist ({expected})")
    if folder.is_dir() and not any((folder / spec.filename).exists() for spec in _DATA_SPECS):
        return Problem(folder, None, None, f"not a data folder: none of {names} or {files[-1]}")
    return None


def validate(path: str | Path | None = None, *, documents: Documents_ = "auto") -> list[Problem]:
    """Every problem in the data folder (empty list = all good). Never raises for bad data."""
    folder = _folder(path)
    missing = _folder_problem(folder)
    if missing is not None:
        return [missing]
    with _bulk():
        return _check_folder(folder, documents).problems


# --------------------------------------------------------------------------------------------
# Tidy, typed frames
# --------------------------------------------------------------------------------------------


def _text(cells: Cells, name: str) -> pd.Series:
    return pd.Series(cells.get(name), dtype=object)


def _dates(values: Iterable[str]) -> pd.Series:
    """``YYYY-MM-DD`` text (blank = NaT) as datetimes, each distinct date parsed once."""
    codes, uniques = pd.factorize(np.asarray(list(values), dtype=object))
    text = pd.Series(uniques, dtype=object)
    parsed = pd.to_datetime(text.where(text != ""), format="%Y-%m-%d").astype("datetime64[ns]")
    return pd.Series(parsed.to_numpy()[codes] if len(codes) else parsed.to_numpy()[:0])


def _category(
    values: Sequence[str], categories: Sequence[str] | None = None
) -> pd.Categorical[str]:
    """A categorical whose categories are ``categories`` then the other values in order of
    first appearance."""
    order = list(dict.fromkeys([*(categories or []), *dict.fromkeys(values)]))
    position = {name: i for i, name in enumerate(order)}
    codes = np.fromiter(map(position.__getitem__, values), dtype=np.int64, count=len(values))
    return pd.Categorical.from_codes(codes, categories=pd.Index(order))


def _finish(cells: Cells, columns: dict[str, object]) -> pd.DataFrame:
    """Add extra (undocumented) columns as text and the ``line`` column."""
    out = pd.DataFrame(columns, index=pd.RangeIndex(len(cells)))
    for name in cells.columns:
        if name not in cells.spec.names and not name.startswith("_"):
            out[name] = _text(cells, name)
    out["line"] = pd.array(cells.lines or [], dtype="int64")
    return out


def _tidy_sources(cells: Cells, documents: Documents | None = None) -> pd.DataFrame:
    ids = cells.get("source_id")
    found = documents.paths if documents is not None else {}
    columns: dict[str, object] = {
        "source_id": _text(cells, "source_id"),
        "publisher": _text(cells, "publisher"),
        "title": _text(cells, "title"),
        "published": _dates(cells.get("published")),
        "url": _text(cells, "url"),
        "document": _text(cells, "document"),
        "kind": pd.Categorical(cells.get("kind"), categories=list(SOURCE_KINDS)),
        "verified": pd.Series([s in found for s in ids], dtype=bool),
        "document_path": pd.Series([str(found.get(s, "")) for s in ids], dtype=object),
    }
    return _finish(cells, columns)


def _tidy_measures(cells: Cells, vocabulary: Vocabulary) -> pd.DataFrame:
    totals = cells.get("total_of")
    columns: dict[str, object] = {
        "measure": _text(cells, "measure"),
        "label": _text(cells, "label"),
        "noun": _text(cells, "noun"),
        "noun_plural": _text(cells, "noun_plural"),
        "unit": _category(cells.get("unit"), list(vocabulary.units)),
        "category": _category(cells.get("category")),
        "total_of": pd.Series([parse_total_of(t) for t in totals], dtype=object),
        "total_of_alternatives": pd.Series(
            [total_of_alternatives(t) for t in totals], dtype=object
        ),
        "part_of": _text(cells, "part_of"),
        "per_day": _text(cells, "per_day"),
        "description": _text(cells, "description"),
    }
    return _finish(cells, columns)


def _per_distinct(
    columns: Sequence[Sequence], convert: Callable[..., Any], width: int = 0
) -> list[list]:
    """``convert(*cells)`` applied once per distinct combination of the columns' cells.

    Returns one list aligned with the rows, or ``width`` lists when ``convert`` returns a tuple
    of that many values: a data file has few distinct names, so this keeps the work per row to
    one dictionary lookup."""
    keys: Sequence = columns[0] if len(columns) == 1 else list(zip(*columns, strict=True))
    if len(columns) == 1:
        results = {key: convert(key) for key in set(keys)}
    else:
        results = {key: convert(*key) for key in set(keys)}
    if not width:
        return [list(map(results.__getitem__, keys))]
    found = []
    for k in range(width):
        part = {key: value[k] for key, value in results.items()}
        found.append(list(map(part.__getitem__, keys)))
    return found


def _cached(values: Sequence, convert: Callable[[Any], Any]) -> list:
    """``convert`` applied once per distinct value (an object array, aligned with values)."""
    return _per_distinct([values], convert)[0]


def _cached_pairs(first: Sequence, second: Sequence, convert: Callable[[Any, Any], Any]) -> list:
    """``convert(a, b)`` applied once per distinct pair."""
    return _per_distinct([first, second], convert)[0]


def _periods(starts: Sequence[str], ends: Sequence[str]) -> dict[str, object]:
    """period_start/end as the first and last day, the kind, and the period as written."""

    def read(start: str, end: str) -> tuple[str, str, str, str]:
        first, last = parse_period(start), parse_period(end or start)
        kind = first.kind if first is not None else "undated"
        return (
            first.first.isoformat() if first and first.first else "",
            last.last.isoformat() if last and last.last else "",
            kind,
            start if kind == "month" or start == end or not end else f"{start} to {end}",
        )

    first_days, last_days, kinds, stated = _per_distinct([starts, ends], read, width=4)
    return {
        "period_start": _dates(first_days),
        "period_end": _dates(last_days),
        "period_kind": pd.Series(kinds, dtype=object),
        "period_stated": pd.Series(stated, dtype=object),
    }


def _tidy_tallies(
    cells: Cells,
    vocabulary: Vocabulary,
    measures: pd.DataFrame | None,
    sources: pd.DataFrame | None,
    facts: TallyFacts | None = None,
) -> pd.DataFrame:
    known = list(measures["measure"]) if measures is not None else []
    resolve = measure_resolver(vocabulary, known)
    if measures is not None:
        unit_of = dict(zip(measures["measure"], measures["unit"].astype(str), strict=True))
        label_of = dict(zip(measures["measure"], measures["label"], strict=True))
    else:
        unit_of, label_of = {}, {}

    def about_measure(name: str) -> tuple[str, str | None, object]:
        canonical = resolve(name) or name
        return canonical, unit_of.get(canonical), label_of.get(canonical, pd.NA)

    measure, units, labels = _per_distinct([cells.get("measure")], about_measure, width=3)
    agency = _cached(cells.get("agency"), lambda a: vocabulary.agency_names.resolve(a) or a)
    operation = _cached(
        cells.get("operation"), lambda o: vocabulary.operation_names.resolve(o) or o
    )
    agency_area = {a.name: a.area for a in vocabulary.agencies.values()}
    given_area = cells.get("area")
    area = (
        _cached_pairs(given_area, agency, lambda given, name: given or agency_area.get(name, ""))
        if "" in given_area
        else given_area
    )
    parsed = dict(facts.qualifiers) if facts is not None else {}
    qualifiers = cells.get("qualifier")
    for q in dict.fromkeys(qualifiers):
        if q not in parsed:
            parsed[q] = parse_qualifier(q, vocabulary)
    meaning, direction, tolerance = _per_distinct(
        [qualifiers],
        lambda q: (
            parsed[q].hedge.meaning,
            getattr(parsed[q].direction, "meaning", ""),
            parsed[q].hedge.tolerance,
        ),
        width=3,
    )
    values = pd.array(
        _cached(cells.get("value"), lambda v: None if (n := parse_number(v)) is None else float(n)),
        dtype="Float64",
    )
    high_text = cells.get("value_high")
    highs = pd.array(
        _cached(high_text, lambda v: None if (n := parse_number(v)) is None else float(n))
        if any(high_text)
        else [None] * len(high_text),
        dtype="Float64",
    )
    whole_units = [name for name, unit in vocabulary.units.items() if unit.decimals == 0]
    whole = pd.Series(units, dtype=object).isin(whole_units).to_numpy()
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    integral = whole & np.isfinite(numbers) & (np.floor(numbers) == numbers)
    counts = pd.array(np.where(integral, numbers, 0).astype("int64"), dtype="Int64")
    counts[~integral] = pd.NA
    source_order = list(sources["source_id"]) if sources is not None else None
    columns: dict[str, object] = {
        "operation": _category(operation),
        **_periods(cells.get("period_start"), cells.get("period_end")),
        "agency": _category(agency),
        "area": _category(area),
        "measure": _category(measure, known or None),
        "value": values,
        "value_high": highs,
        "count": counts,
        "qualifier": _category(qualifiers, [""]),
        "meaning": pd.Series(meaning, dtype=object),
        "direction": pd.Series(direction, dtype=object),
        "tolerance": pd.array(tolerance, dtype="Float64"),
        "compared_with": _text(cells, "compared_with"),
        "context": _text(cells, "context"),
        "source_id": _category(cells.get("source_id"), source_order),
        "quote": _text(cells, "quote"),
        "note": _text(cells, "note"),
        "unit": _category([u or "" for u in units], list(vocabulary.units))
        if measures is not None
        else pd.Categorical([None] * len(cells), categories=list(vocabulary.units)),
        "label": pd.Series(labels, dtype=object)
        if measures is not None
        else pd.Series([pd.NA] * len(cells), dtype=object),
    }
    frame = _finish(cells, columns)
    frame["week"] = place_weeks(frame)
    # keep ``line`` last, as documented
    return frame[[c for c in frame.columns if c != "line"] + ["line"]]


def _raise_if(problems: list[Problem], order: Sequence[Path] | None = None) -> None:
    """Raise all ``problems`` at once (sorted by file in ``order``, then line), if any."""
    if problems:
        raise DataValidationError(problems if order is None else sort_problems(problems, order))


# --------------------------------------------------------------------------------------------
# Public loaders
# --------------------------------------------------------------------------------------------


def load_dataset(path: str | Path | None = None, *, documents: Documents_ = "auto") -> Dataset:
    """Check every data file together (including cross-file rules) and return them typed.

    ``path``: the data folder (default :func:`paths.data_dir`), or any file inside it.
    ``documents``: ``"auto"`` looks in the usual folders (:func:`paths.documents_dirs`); a
    folder (or list of folders) is searched first; ``None`` skips the quote checks.
    Raises :class:`DataValidationError` listing every problem.
    """
    folder = _folder(path)
    missing = _folder_problem(folder)
    if missing is not None:
        raise DataFolderError([missing])
    with _bulk():
        return _load_dataset(folder, documents)


def _load_dataset(folder: Path, documents: Documents_) -> Dataset:
    checked = _check_folder(folder, documents)
    _raise_if(checked.problems)
    cells = checked.cells
    sources = _tidy_sources(cells[SOURCES.filename], checked.documents)
    measures = _tidy_measures(cells[MEASURES.filename], checked.vocabulary)
    tallies = _tidy_tallies(
        cells[TALLIES.filename], checked.vocabulary, measures, sources, checked.facts
    )
    fingerprint = _fingerprint({name: c.raw for name, c in cells.items()})
    found = checked.documents
    folders = found.folders if found is not None else ()
    first = (
        next(iter(dict.fromkeys(p.parent for p in found.paths.values())), None) if found else None
    )
    return Dataset(
        sources, tallies, measures, folder, fingerprint, first, checked.vocabulary, folders
    )


def load_sources(path: str | Path | None = None, *, documents: Documents_ = "auto") -> pd.DataFrame:
    """sources.csv alone (a file, or a folder holding it); checks its documents exist."""
    file = _file(path, SOURCES)
    cells = read_cells(file, SOURCES)
    folders, problems = _documents_folders(documents, file.parent)
    found = None
    if folders is not None and cells.readable and cells.has("source_id", "document"):
        pairs = zip(cells.columns["source_id"], cells.columns["document"], strict=True)
        found = find_documents([(s, d) for s, d in pairs if d], folders)
    _raise_if(problems + check_sources(cells, found), [file])
    return _tidy_sources(cells, found)


def load_measures(path: str | Path | None = None) -> pd.DataFrame:
    """measures.csv alone (a file, or a folder holding it)."""
    file = _file(path, MEASURES)
    vocabulary = load_vocabulary(file.parent)
    cells = read_cells(file, MEASURES)
    _raise_if(check_measures(cells, vocabulary), [cells.path])
    return _tidy_measures(cells, vocabulary)


def load_tallies(
    path: str | Path | None = None,
    *,
    measures: pd.DataFrame | Literal["auto"] | None = "auto",
) -> pd.DataFrame:
    """tallies.csv alone (a file, or a folder holding it).

    ``measures`` supplies units and labels and enables the unknown-measure, decimals and
    quote-states-value rules: ``"auto"`` reads the measures.csv next to the tallies if there
    is one (its problems are reported too), a frame from :func:`load_measures` is used as
    is, ``None`` skips them (unit, label and count are then missing).  Source ids and quotes
    in documents need the sources, so only :func:`load_dataset` checks those.
    """
    file = _file(path, TALLIES)
    vocabulary = load_vocabulary(file.parent)
    problems: list[Problem] = []
    if isinstance(measures, str) and measures == "auto":
        sibling = file.parent / MEASURES.filename
        measures = None
        if sibling.is_file():
            measure_cells = read_cells(sibling, MEASURES)
            problems += check_measures(measure_cells, vocabulary)
            if not problems:
                measures = _tidy_measures(measure_cells, vocabulary)
    units = (
        {
            m: vocabulary.units.get(u) or Unit(u, "")
            for m, u in zip(measures["measure"], measures["unit"].astype(str), strict=True)
        }
        if measures is not None
        else None
    )
    cells = read_cells(file, TALLIES)
    facts = TallyFacts()
    problems += check_tallies(cells, vocabulary, units=units, facts=facts)
    _raise_if(problems, [file.parent / MEASURES.filename, file])
    return _tidy_tallies(cells, vocabulary, measures, None, facts)
