"""The layout of every data file: its columns, which are required, and a good value in words.

The words in ``expected`` are what a message says a cell should hold, so they are written for
a spreadsheet user.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AGENCIES",
    "CUE_KINDS",
    "EXTRACTION_CUES",
    "MEASURES",
    "MEASURE_ALIASES",
    "OPERATIONS",
    "QUALIFIERS_FILE",
    "SOURCES",
    "SOURCE_KINDS",
    "TALLIES",
    "UNITS_FILE",
    "VOCABULARY_SPECS",
    "WORDING",
    "WORDING_KINDS",
    "Col",
    "TableSpec",
]

SOURCE_KINDS: tuple[str, ...] = ("primary", "secondary")

#: What a cue of extraction_cues.csv tells extraction (docs/data-model.md).
CUE_KINDS: tuple[str, ...] = ("context", "earlier", "national", "penalty", "link")

#: What a phrase of wording.csv tells reconciliation (docs/data-model.md).
WORDING_KINDS: tuple[str, ...] = ("route", "object", "national_scope", "area_filler")


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
        Col("document", "the file name of the saved copy in a documents folder, or blank"),
        Col("kind", "'primary' (the police's own release) or 'secondary'", nonblank=True),
        Col(
            "note",
            "a note for readers, e.g. 'title taken from the web address', or blank",
            required=False,
        ),
    ),
    reserved=("line", "verified", "document_path"),
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
        Col("unit", "a unit of units.csv, e.g. 'count'", nonblank=True),
        Col("category", "a group name such as 'seizures'", nonblank=True),
        Col(
            "total_of",
            "blank, or measures added up, e.g. 'knives + other_offensive_weapons'; "
            "alternatives separated by ';'",
            required=False,
        ),
        Col("part_of", "blank, or the measure this one is a subset of", required=False),
        Col("per_day", "'yes' when a per-day rate means something, else blank", required=False),
        Col("description", "what the measure counts, or blank", required=False),
    ),
)

TALLIES = TableSpec(
    "tallies.csv",
    (
        Col("operation", "an operation of operations.csv, e.g. 'Operation Sceptre'", nonblank=True),
        Col(
            "period_start",
            "the first day of the period written YYYY-MM-DD, the month written YYYY-MM, or blank",
        ),
        Col(
            "period_end",
            "the last day of the period written YYYY-MM-DD, the month written YYYY-MM, or blank",
        ),
        Col(
            "agency",
            "an agency of agencies.csv, e.g. 'Metropolitan Police Service'",
            nonblank=True,
        ),
        Col("area", "the area the figure covers in the source's words, or blank"),
        Col("measure", "a measure name from measures.csv, e.g. 'arrests'", nonblank=True),
        Col("value", "the figure as a plain number, e.g. 1002", nonblank=True),
        Col("value_high", "the upper end of a range, or blank", required=False),
        Col(
            "qualifier",
            "blank for an exact figure, or a hedge of qualifiers.csv such as 'more than'",
            required=False,
        ),
        Col("compared_with", "for a change, what it is relative to, or blank", required=False),
        Col("context", "blank for a result of the operation, else what it is", required=False),
        Col("source_id", "a source_id from sources.csv", nonblank=True),
        Col("quote", "the words in the source that state the figure", nonblank=True),
        Col("note", "anything a reviewer should know, or blank", required=False),
    ),
    reserved=(
        "line", "count", "unit", "label", "meaning", "direction", "tolerance", "week",
        "period_kind", "period_stated",
    ),
)  # fmt: skip

UNITS_FILE = TableSpec(
    "units.csv",
    (
        Col("unit", "a unit name such as 'count' or 'GBP'", nonblank=True),
        Col("kind", "a kind of unit such as 'count', 'money' or 'percent'", nonblank=True),
        Col("decimals", "the most decimal places a value may have, or blank", required=False),
        Col("prefix", "what is written before a value, e.g. '£', or blank", required=False),
        Col("suffix", "what is written after a value, e.g. '%', or blank", required=False),
        Col("aliases", "other ways of writing the unit separated by '|', or blank", required=False),
        Col("description", "what the unit is, or blank", required=False),
    ),
)

QUALIFIERS_FILE = TableSpec(
    "qualifiers.csv",
    (
        Col("qualifier", "the hedge as printed, e.g. 'more than'", nonblank=True),
        Col("meaning", "a meaning such as 'more', 'at_least' or 'approximate'", nonblank=True),
        Col("tolerance", "a fraction such as 0.1, or blank", required=False),
        Col("aliases", "other spellings separated by '|', or blank", required=False),
        Col("description", "a note, or blank", required=False),
    ),
)

AGENCIES = TableSpec(
    "agencies.csv",
    (
        Col("agency", "the agency's name as reports show it", nonblank=True),
        Col("kind", "'national', 'force' or 'other'", nonblank=True),
        Col("aliases", "other names separated by '|', or blank", required=False),
        Col("area", "the area the agency covers, or blank", required=False),
    ),
)

OPERATIONS = TableSpec(
    "operations.csv",
    (
        Col("operation", "the operation's name, e.g. 'Operation Sceptre'", nonblank=True),
        Col("aliases", "other names separated by '|', or blank", required=False),
        Col("description", "a note, or blank", required=False),
    ),
)

MEASURE_ALIASES = TableSpec(
    "measure_aliases.csv",
    (
        Col("alias", "another name or a wording for a measure", nonblank=True),
        Col("measure", "a measure of measures.csv", nonblank=True),
        Col("kind", "'name' or 'phrase'", required=False),
        Col("note", "where it comes from, or blank", required=False),
    ),
)

EXTRACTION_CUES = TableSpec(
    "extraction_cues.csv",
    (
        Col("cue", "words as a release prints them, e.g. 'last year'", nonblank=True),
        Col("kind", f"one of {', '.join(repr(k) for k in CUE_KINDS)}", nonblank=True),
        Col("note", "why, or blank", required=False),
    ),
)

WORDING = TableSpec(
    "wording.csv",
    (
        Col("phrase", "words as a release prints them, e.g. 'handed in'", nonblank=True),
        Col("kind", f"one of {', '.join(repr(k) for k in WORDING_KINDS)}", nonblank=True),
        Col("measure", "a measure of measures.csv, or blank", required=False),
        Col("note", "why, or blank", required=False),
    ),
)

VOCABULARY_SPECS: tuple[TableSpec, ...] = (
    UNITS_FILE,
    QUALIFIERS_FILE,
    AGENCIES,
    OPERATIONS,
    MEASURE_ALIASES,
    EXTRACTION_CUES,
    WORDING,
)
