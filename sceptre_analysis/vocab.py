"""The project's vocabulary, read from data files: units, hedge words, agencies, operations and
other names for measures.

Nothing about the world is written in code: a new unit, hedge phrase, force or spelling of an
operation is a row in a CSV file (see ``docs/data-model.md``).  This module only reads those
files into typed lookups that resolve aliases; the rules that check them live with the other
validation rules, and run before any of this is used on user data.

Only the standard library is imported, so extraction, validation and the CLI can use it cheaply.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

__all__ = [
    "AGENCY_KINDS",
    "ALIAS_SEPARATOR",
    "UNIT_KINDS",
    "VOCABULARY_FILES",
    "Agency",
    "MeasureAlias",
    "Names",
    "Operation",
    "Qualifier",
    "Unit",
    "Vocabulary",
    "fold",
    "load_vocabulary",
    "split_aliases",
]

#: The fixed kinds of unit the code knows how to check and write; units themselves are data.
UNIT_KINDS: tuple[str, ...] = (
    "count",
    "money",
    "duration",
    "percent",
    "fraction",
    "weight",
    "ratio",
    "rate",
)
#: Kinds of agency: totals for all forces, one force, or another body.
AGENCY_KINDS: tuple[str, ...] = ("national", "force", "other")
ALIAS_SEPARATOR = "|"
VOCABULARY_FILES: tuple[str, ...] = (
    "units.csv",
    "qualifiers.csv",
    "agencies.csv",
    "operations.csv",
    "measure_aliases.csv",
)

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "&": "and"})


def fold(name: str) -> str:
    """The form names are matched in: case, accents' composition, spacing, ``&`` and curly
    apostrophes do not matter ("Devon & Cornwall Police" = "devon and cornwall police")."""
    text = unicodedata.normalize("NFC", name).translate(_APOSTROPHES).casefold()
    return " ".join(text.split())


def split_aliases(cell: str) -> tuple[str, ...]:
    """``"Met|Met Police"`` -> ``("Met", "Met Police")``; blank parts are dropped."""
    return tuple(part.strip() for part in cell.split(ALIAS_SEPARATOR) if part.strip())


@dataclass(frozen=True)
class Unit:
    """A unit of measure: how values are checked (``decimals``) and written (prefix/suffix)."""

    name: str
    kind: str
    decimals: int | None = None
    prefix: str = ""
    suffix: str = ""
    aliases: tuple[str, ...] = ()
    description: str = ""

    @property
    def whole(self) -> bool:
        """Values must be whole numbers (counts, days)."""
        return self.decimals == 0


@dataclass(frozen=True)
class Qualifier:
    """A hedge phrase and its meaning (one of :data:`sceptre_analysis.hedges.MEANINGS`)."""

    phrase: str
    meaning: str
    tolerance: float | None = None
    aliases: tuple[str, ...] = ()
    description: str = ""


EXACT = Qualifier("", "exact")


@dataclass(frozen=True)
class Agency:
    name: str
    kind: str
    area: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operation:
    name: str
    aliases: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class MeasureAlias:
    """Another name (``kind="name"``) or a wording in text (``kind="phrase"``) for a measure."""

    alias: str
    measure: str
    kind: str = "name"
    note: str = ""


@dataclass(frozen=True)
class Names:
    """Canonical names and their aliases, matched after :func:`fold`.

    The first spelling wins when two entries claim the same folded name; validation reports
    such clashes, so on checked data there are none.
    """

    canonical: tuple[str, ...]
    _lookup: Mapping[str, str] = field(repr=False)

    @classmethod
    def build(cls, entries: Iterable[tuple[str, Iterable[str]]]) -> Names:
        lookup: dict[str, str] = {}
        names: list[str] = []
        for name, aliases in entries:
            names.append(name)
            for spelling in (name, *aliases):
                lookup.setdefault(fold(spelling), name)
        return cls(tuple(names), lookup)

    def resolve(self, name: str) -> str | None:
        """The canonical name for ``name`` or one of its aliases; None when unknown."""
        return self._lookup.get(fold(name))

    def spellings(self) -> Iterator[tuple[str, str]]:
        """Every (folded spelling, canonical name) pair, for searching text or suggesting."""
        return iter(self._lookup.items())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and fold(name) in self._lookup

    def __len__(self) -> int:
        return len(self.canonical)


@dataclass(frozen=True)
class Vocabulary:
    """All vocabulary files of one data folder, as lookups."""

    units: Mapping[str, Unit]
    qualifiers: Mapping[str, Qualifier]
    agencies: Mapping[str, Agency]
    operations: Mapping[str, Operation]
    measure_aliases: tuple[MeasureAlias, ...]
    folder: Path | None = None

    @cached_property
    def unit_names(self) -> Names:
        return Names.build((u.name, u.aliases) for u in self.units.values())

    @cached_property
    def qualifier_names(self) -> Names:
        return Names.build((q.phrase, q.aliases) for q in self.qualifiers.values())

    @cached_property
    def agency_names(self) -> Names:
        return Names.build((a.name, a.aliases) for a in self.agencies.values())

    @cached_property
    def operation_names(self) -> Names:
        return Names.build((o.name, o.aliases) for o in self.operations.values())

    def qualifier(self, phrase: str) -> Qualifier | None:
        """The hedge for a phrase or alias; blank is :data:`EXACT`; None when unknown."""
        if not phrase.strip():
            return EXACT
        canonical = self.qualifier_names.resolve(phrase)
        return None if canonical is None else self.qualifiers[canonical]

    def measure_for(self, name: str, measures: Iterable[str] = ()) -> str | None:
        """A measure name of the project for ``name``: itself if in ``measures``, else the
        measure a ``name`` alias maps it to; None when neither."""
        known = set(measures)
        if name in known:
            return name
        wanted = fold(name)
        for alias in self.measure_aliases:
            if alias.kind == "name" and fold(alias.alias) == wanted:
                return alias.measure
        return None

    def phrases(self) -> list[MeasureAlias]:
        """Wordings in text that name a measure, longest first (so the most specific wins)."""
        found = [a for a in self.measure_aliases if a.kind == "phrase"]
        return sorted(found, key=lambda a: -len(a.alias))


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _rows(path: Path) -> list[dict[str, str]]:
    """The file's rows as stripped text cells; [] when the file does not exist."""
    if not path.is_file():
        return []
    text = path.read_bytes().decode("utf-8-sig", "replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return [
        {(k or "").strip(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        for row in reader
    ]


def _number(text: str) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _whole(text: str) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def _pick(folder: Path | None, name: str) -> Path:
    """The data folder's copy of a vocabulary file, else the project's default one.

    A data folder made for one report (e.g. a test fixture or an analyst's own figures)
    need not repeat the whole vocabulary.
    """
    from sceptre_analysis import paths  # local: paths reads the environment at call time

    if folder is not None and (folder / name).is_file():
        return folder / name
    return paths.project_root() / "data" / name


def load_vocabulary(folder: str | Path | None = None) -> Vocabulary:
    """Read the vocabulary files of ``folder`` (each missing one from the project's data)."""
    where = Path(folder) if folder is not None else None
    return _load(*(_pick(where, name) for name in VOCABULARY_FILES), folder=where)


@lru_cache(maxsize=16)
def _load_cached(
    paths_and_stamps: tuple[tuple[Path, float, int], ...], folder: Path | None
) -> Vocabulary:
    units_p, qualifiers_p, agencies_p, operations_p, aliases_p = (p for p, _, _ in paths_and_stamps)
    units = {
        r["unit"]: Unit(
            r["unit"],
            r.get("kind", ""),
            _whole(r.get("decimals", "")),
            r.get("prefix", ""),
            r.get("suffix", ""),
            split_aliases(r.get("aliases", "")),
            r.get("description", ""),
        )
        for r in _rows(units_p)
        if r.get("unit")
    }
    qualifiers = {
        fold(r["qualifier"]): Qualifier(
            fold(r["qualifier"]),
            r.get("meaning", ""),
            _number(r.get("tolerance", "")),
            split_aliases(r.get("aliases", "")),
            r.get("description", ""),
        )
        for r in _rows(qualifiers_p)
        if r.get("qualifier")
    }
    agencies = {
        r["agency"]: Agency(
            r["agency"], r.get("kind", ""), r.get("area", ""), split_aliases(r.get("aliases", ""))
        )
        for r in _rows(agencies_p)
        if r.get("agency")
    }
    operations = {
        r["operation"]: Operation(
            r["operation"], split_aliases(r.get("aliases", "")), r.get("description", "")
        )
        for r in _rows(operations_p)
        if r.get("operation")
    }
    aliases = tuple(
        MeasureAlias(
            r["alias"], r.get("measure", ""), r.get("kind", "") or "name", r.get("note", "")
        )
        for r in _rows(aliases_p)
        if r.get("alias")
    )
    return Vocabulary(units, qualifiers, agencies, operations, aliases, folder)


def _stamp(path: Path) -> tuple[Path, float, int]:
    try:
        status = path.stat()
    except OSError:
        return (path, 0.0, -1)
    return (path, status.st_mtime, status.st_size)


def _load(*files: Path, folder: Path | None) -> Vocabulary:
    """Read once per set of unchanged files (keyed on modification time and size)."""
    return _load_cached(tuple(_stamp(p) for p in files), folder)
