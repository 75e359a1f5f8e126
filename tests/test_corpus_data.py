"""The reference corpus (../shared/corpus) is fully in data/: every figure it records is stored
with the same source, value, hedge meaning, unit and period, and every quote in data/ is found
in its document.

These are properties of the shipped data, which keeps growing: no row counts are pinned.  Where
data/ deliberately departs from the corpus's own reading, the departure is listed in
``CORRECTIONS`` with the reason, and the test checks the corrected reading instead.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from sceptre_analysis.hedges import UnknownQualifier, parse_qualifier
from sceptre_analysis.vocab import Vocabulary, load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
SEEDS_DIR = ROOT.parent / "shared" / "seeds"
DOCUMENT_DIRS = (DATA_DIR / "documents", SEEDS_DIR, CORPUS_DIR / "documents")

pytestmark = pytest.mark.skipif(
    not (CORPUS_DIR / "tallies.csv").is_file(),
    reason=f"the reference corpus is not here ({CORPUS_DIR})",
)

CONTEXT_PREFIX = "Context statistic ("


@dataclass(frozen=True)
class Reading:
    """How data/ reads a corpus figure: hedge meaning, direction, and period."""

    meaning: str
    direction: str | None
    period: tuple[str, str]
    reason: str


#: (source_id, corpus measure, value) -> how data/ reads the figure instead, and why.
CORRECTIONS: dict[tuple[str, str, float], Reading] = {
    ("eastoncaller-national-2019-03", "arrests", 1372.0): Reading(
        "approximate",
        None,
        ("2019-03-11", "2019-03-17"),
        'the quote prints "Some 1,372": the hedge as printed is "some"',
    ),
    ("eastoncaller-national-2019-03", "test_purchase_fail_share", 0.2): Reading(
        "exact",
        None,
        ("2019-03-11", "2019-03-17"),
        '"a fifth" is the number itself (0.2, unit fraction), not a hedge',
    ),
    ("eastoncaller-national-2019-03", "knives_change_vs_previous_week", 1658.0): Reading(
        "exact",
        "decrease",
        ("2018-09", "2018-09"),
        "the source says the September 2018 week had 1,658 fewer knives than this (March 2019) "
        'week: a decrease on the September week, printed "fewer", not "more than previous week"',
    ),
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


_QUOTE_MARKS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _normal(text: str) -> str:
    """Whitespace and curly quotes do not matter when a quote is looked up in a document."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_QUOTE_MARKS).split())


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary(DATA_DIR)


@pytest.fixture(scope="module")
def measures() -> dict[str, dict[str, str]]:
    return {row["measure"]: row for row in _rows(DATA_DIR / "measures.csv")}


@pytest.fixture(scope="module")
def tallies() -> list[dict[str, str]]:
    return _rows(DATA_DIR / "tallies.csv")


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, str]]:
    return _rows(CORPUS_DIR / "tallies.csv")


def _unit_kind_by_name(measure: str) -> str:
    """The corpus's own convention: ``_pct`` measures are percentages, ``_share`` fractions."""
    if measure.endswith("_pct"):
        return "percent"
    if measure.endswith("_share"):
        return "fraction"
    return "count"


def _corpus_reading(row: dict[str, str], vocabulary: Vocabulary) -> Reading:
    key = (row["source_id"], row["measure"], float(row["value"]))
    if key in CORRECTIONS:
        return CORRECTIONS[key]
    parsed = parse_qualifier(row["qualifier"], vocabulary)
    direction = parsed.direction.meaning if parsed.direction is not None else None
    return Reading(parsed.hedge.meaning, direction, (row["period_start"], row["period_end"]), "")


def _data_reading(row: dict[str, str], vocabulary: Vocabulary) -> tuple[str, str | None]:
    parsed = parse_qualifier(row["qualifier"], vocabulary)
    return parsed.hedge.meaning, parsed.direction.meaning if parsed.direction else None


def _period_fits(expected: tuple[str, str], stored: tuple[str, str]) -> bool:
    """The same dates; where the corpus gives none, data/ may add the month the text names."""
    if expected == stored:
        return True
    month = re.compile(r"^\d{4}-\d{2}$")
    return expected == ("", "") and all(month.match(part) for part in stored)


def _stores(
    stored: dict[str, str], row: dict[str, str], expected: Reading, vocabulary: Vocabulary
) -> bool:
    """Whether a data/ row holds the corpus figure ``row`` as ``expected`` reads it."""
    meaning, direction = _data_reading(stored, vocabulary)
    agencies = vocabulary.agency_names
    return (
        meaning == expected.meaning
        and (expected.direction is None or direction == expected.direction)
        and _period_fits(expected.period, (stored["period_start"], stored["period_end"]))
        and agencies.resolve(stored["agency"]) == agencies.resolve(row["agency"])
        and bool(stored["context"]) == row["operation"].startswith(CONTEXT_PREFIX)
    )


def test_every_corpus_measure_name_maps_onto_a_measure(corpus, vocabulary, measures) -> None:
    unmapped = sorted(
        {
            row["measure"]
            for row in corpus
            if vocabulary.measure_for(row["measure"], measures) is None
        }
    )
    assert unmapped == [], "corpus measure names with no measure or name alias in data/"


def test_every_corpus_source_is_in_sources_with_its_document() -> None:
    ours = {row["source_id"]: row for row in _rows(DATA_DIR / "sources.csv")}
    for source in _rows(CORPUS_DIR / "sources.csv"):
        stored = ours.get(source["source_id"])
        assert stored is not None, f"{source['source_id']} is missing from data/sources.csv"
        assert stored["document"] == source["document"], source["source_id"]
        assert stored["kind"] == source["kind"], source["source_id"]
        assert stored["published"] == source["published"], source["source_id"]


def test_every_corpus_figure_is_stored_with_its_value_hedge_unit_and_period(
    corpus, tallies, vocabulary, measures
) -> None:
    by_figure: dict[tuple[str, str, float], list[dict[str, str]]] = {}
    for row in tallies:
        measure = vocabulary.measure_for(row["measure"], measures) or row["measure"]
        by_figure.setdefault((row["source_id"], measure, float(row["value"])), []).append(row)
    missing = []
    for line, row in enumerate(corpus, start=2):
        measure = vocabulary.measure_for(row["measure"], measures)
        expected = _corpus_reading(row, vocabulary)
        candidates = by_figure.get((row["source_id"], measure, float(row["value"])), [])
        fits = [stored for stored in candidates if _stores(stored, row, expected, vocabulary)]
        unit = vocabulary.units[measures[measure]["unit"]] if measure in measures else None
        if not fits or unit is None or unit.kind != _unit_kind_by_name(row["measure"]):
            missing.append(
                f"corpus tallies.csv:{line}: {row['source_id']} {row['measure']} "
                f"{row['qualifier']} {row['value']} ({len(candidates)} rows with that value)"
            )
    assert missing == [], "corpus figures not stored faithfully in data/tallies.csv"


def test_corrections_name_real_corpus_figures(corpus) -> None:
    keys = {(row["source_id"], row["measure"], float(row["value"])) for row in corpus}
    assert set(CORRECTIONS) <= keys, "a correction no longer matches a corpus figure"
    assert all(reading.reason for reading in CORRECTIONS.values())


def test_corpus_hedges_are_all_known_to_the_vocabulary(corpus, vocabulary) -> None:
    unknown = []
    for row in corpus:
        if (row["source_id"], row["measure"], float(row["value"])) in CORRECTIONS:
            continue
        try:
            parse_qualifier(row["qualifier"], vocabulary)
        except UnknownQualifier:
            unknown.append(row["qualifier"])
    assert unknown == []


def test_context_statistics_are_marked_and_results_are_not(tallies, measures, vocabulary) -> None:
    for row in tallies:
        measure = vocabulary.measure_for(row["measure"], measures)
        if measure is not None and measures[measure]["category"] == "context":
            assert row["context"], f"{row['measure']} from {row['source_id']} lacks a context"


def test_changes_say_what_they_are_compared_with(tallies, vocabulary) -> None:
    for row in tallies:
        _, direction = _data_reading(row, vocabulary)
        assert bool(direction) == bool(row["compared_with"]), (row["source_id"], row["quote"])


def _document_texts() -> dict[str, str]:
    texts = {}
    for source in _rows(DATA_DIR / "sources.csv"):
        for folder in DOCUMENT_DIRS:
            path = folder / source["document"]
            if source["document"] and path.is_file():
                texts[source["source_id"]] = _normal(path.read_text(encoding="utf-8"))
                break
    return texts


def test_every_quote_is_found_in_its_document(tallies) -> None:
    texts = _document_texts()
    not_found = [
        f"{row['source_id']}: {row['quote']!r}"
        for row in tallies
        if row["source_id"] in texts and _normal(row["quote"]) not in texts[row["source_id"]]
    ]
    assert not_found == []


def test_every_corpus_source_has_its_document_here(tallies) -> None:
    texts = _document_texts()
    corpus_ids = {source["source_id"] for source in _rows(CORPUS_DIR / "sources.csv")}
    assert corpus_ids <= set(texts), "corpus sources whose document cannot be found"


def test_every_quote_states_its_value(tallies, measures, vocabulary) -> None:
    numbers = pytest.importorskip("sceptre_analysis.numbers")
    wrong = []
    for row in tallies:
        measure = vocabulary.measure_for(row["measure"], measures)
        unit = vocabulary.units[measures[measure]["unit"]]
        if unit.kind == "duration":  # "week-long" states 7 days without a number
            continue
        high = float(row["value_high"]) if row["value_high"] else None
        if not numbers.states(row["quote"], float(row["value"]), high):
            wrong.append(f"{row['source_id']}: {row['value']} in {row['quote']!r}")
    assert wrong == []
