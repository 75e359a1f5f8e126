"""The rules every data file must meet, and how a breach is worded.

One module per concern, so a rule is found by its name:

* :mod:`.problems`: :class:`Problem` (``file:line: column 'name': what (got ..., expected ...)``),
  escaping of control characters, "did you mean" suggestions;
* :mod:`.tables`: the columns of every file;
* :mod:`.cells`: reading a CSV file into text cells that keep their line numbers;
* :mod:`.rules`: the small engine (cell rules, unique keys, the header check);
* :mod:`.values`, :mod:`.dates`: reading numbers, dates, months and sums of measures;
* :mod:`.vocabulary`: units, qualifiers, agencies, operations, measure aliases;
* :mod:`.sources`, :mod:`.measures`, :mod:`.tallies`: the rules of each file;
* :mod:`.quotes`: documents found in several folders, quotes in documents, values in quotes.

Every problem is found in one pass, and the rules are plain loops over lists with results
cached per distinct cell, so time grows linearly with the rows (bench/bench_validate.py).
"""

from __future__ import annotations

from .cells import Cells, read_cells
from .measures import check_measures
from .problems import Problem, display_path, escape, quoted, sort_problems, suggest
from .quotes import Documents, find_documents, safe_document_name
from .rules import check_header
from .sources import check_sources
from .tables import (
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
    Col,
    TableSpec,
)
from .tallies import TallyFacts, check_tallies
from .values import (
    Period,
    normalise_text,
    parse_date,
    parse_number,
    parse_period,
    parse_total_of,
    total_of_alternatives,
)
from .vocabulary import (
    check_agencies,
    check_measure_aliases,
    check_operations,
    check_qualifiers,
    check_units,
)

__all__ = [
    "AGENCIES",
    "MEASURES",
    "MEASURE_ALIASES",
    "OPERATIONS",
    "QUALIFIERS_FILE",
    "SOURCES",
    "SOURCE_KINDS",
    "TALLIES",
    "UNITS_FILE",
    "VOCABULARY_SPECS",
    "Cells",
    "Col",
    "Documents",
    "Period",
    "Problem",
    "TableSpec",
    "TallyFacts",
    "check_agencies",
    "check_header",
    "check_measure_aliases",
    "check_measures",
    "check_operations",
    "check_qualifiers",
    "check_sources",
    "check_tallies",
    "check_units",
    "display_path",
    "escape",
    "find_documents",
    "normalise_text",
    "parse_date",
    "parse_number",
    "parse_period",
    "parse_total_of",
    "quoted",
    "read_cells",
    "safe_document_name",
    "sort_problems",
    "suggest",
    "total_of_alternatives",
]
