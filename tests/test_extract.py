"""Extraction: which numbers are figures, and what each figure's row says.

Exact expectations use the small vocabulary in ``fixtures/extract/data`` and synthetic
releases; the shipped data and the real articles are checked only for properties that hold
whatever the vocabulary grows into.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sceptre_analysis import numbers
from sceptre_analysis.documents import read_document
from sceptre_analysis.extract import COLUMNS, Extractor, extract_text
from sceptre_analysis.hedges import parse_qualifier
from sceptre_analysis.schema import normalise_text

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
DATA = FIXTURES / "data"
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "documents"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def rules() -> Extractor:
    return Extractor(DATA)


@pytest.fixture(scope="module")
def release(rules: Extractor):
    return rules.extract((FIXTURES / "docs" / "release.txt").read_text("utf-8"))


def _row(result, value: float, measure: str | None = None):
    found = [f for f in result.figures if f.value == value and measure in (None, f.measure)]
    assert found, f"no figure {value} {measure or ''}: {[f.value for f in result.figures]}"
    return found[0]


def test_each_figure_gets_its_measure_hedge_and_quote(release) -> None:
    weapons = _row(release, 240)
    assert (weapons.measure, weapons.qualifier) == ("weapons_total", "more than")
    assert weapons.quote == "more than 240 knives and weapons"
    arrests = _row(release, 300)
    assert (arrests.measure, arrests.qualifier, arrests.meaning) == ("arrests", "nearly", "less")
    assert _row(release, 187).measure == "knives_seized"  # "Officers seized 187 knives"
    assert _row(release, 54).measure == "knives_surrendered"


def test_words_money_and_percentages_are_figures_with_a_fitting_measure(release) -> None:
    assert _row(release, 12).quote == "Twelve weapon sweeps"
    assert _row(release, 1940).measure == "cash_seized"
    share = _row(release, 32)
    assert share.measure == "arrests_knife_related_pct"  # a percent takes the percent measure
    assert _row(release, 96).measure == "arrests_knife_related"


def _reasons_within(result, fragment: str) -> set[str]:
    """Reasons of the skipped numbers inside the first occurrence of ``fragment``."""
    start = result.text.index(fragment)
    end = start + len(fragment)
    return {s.reason for s in result.skipped if start <= s.start and s.end <= end}


@pytest.mark.parametrize(
    ("fragment", "reason"),
    [
        ("20 November 2023", "date"),
        ("Monday 13 November to Sunday 19 November", "date"),
        ("0800 555 111", "phone number"),
        ("or 101", "phone number"),
        ("15-year-old", "age"),
        ("section 139", "legal section number"),
        ("Act 1988", "year"),
        ("10.30pm", "time of day"),
        ("www.met.police.uk/op-sceptre-2023", "part of a web or email address"),
        ("a fine of £5,000", "legal penalty"),
        ("under-18s", "age"),
    ],
)
def test_numbers_that_are_not_figures_are_skipped_with_the_reason(
    release, fragment: str, reason: str
) -> None:
    assert _reasons_within(release, fragment) == {reason}
    start = release.text.index(fragment)
    assert not [f for f in release.figures if start <= f.start < start + len(fragment)]


def test_period_comes_from_the_stated_dates_and_weekdays(release) -> None:
    assert release.period == ("2023-11-13", "2023-11-19")
    assert release.published == date(2023, 11, 20)
    assert _row(release, 240).period_start == "2023-11-13"


def test_a_weekday_fixes_the_year_when_none_is_written(rules: Extractor) -> None:
    result = rules.extract("From Monday 13 May to Sunday 19 May, officers made 900 arrests.")
    assert result.period == ("2024-05-13", "2024-05-19")


def test_without_dates_the_publication_date_finds_the_national_week(rules: Extractor) -> None:
    result = rules.extract("Last week officers made 900 arrests.", published=date(2024, 5, 24))
    assert result.period == ("2024-05-13", "2024-05-19")


def test_agency_comes_from_the_figures_own_words(release) -> None:
    assert _row(release, 240).agency == "Metropolitan Police Service"
    assert _row(release, 54).agency == "Kent Police"
    assert _row(release, 43).agency == "National (all forces)"
    assert _row(release, 54).area == "Kent"


def test_context_statistics_and_earlier_weeks_are_marked(release) -> None:
    rise = _row(release, 7)
    assert rise.context and rise.measure == "knife_offences_change_pct"
    earlier = _row(release, 150)
    assert "earlier" in earlier.note and not earlier.context


def test_measure_is_blank_rather_than_guessed(rules: Extractor) -> None:
    result = rules.extract("Officers handed out 450 leaflets in the town centre.")
    (figure,) = result.figures
    assert figure.value == 450 and figure.measure == ""


@pytest.mark.parametrize(
    ("text", "value", "measure"),
    [
        ("Arrests - 187", 187, "arrests"),
        ("3x knives seized", 3, "knives_seized"),
        ("Knives handed in by borough:\n- Camden: 12\n- Hackney: 30", 30, "knives_surrendered"),
        ("| Force | Arrests |\n|---|---|\n| Kent Police | 45 |", 45, "arrests"),
        ("MORE THAN 1,000 ARRESTS were made.", 1000, "arrests"),
    ],
)
def test_list_and_table_layouts(rules: Extractor, text: str, value: float, measure: str) -> None:
    result = rules.extract(text)
    assert _row(result, value).measure == measure


def test_table_row_gives_the_agency_and_the_quote_is_the_row(rules: Extractor) -> None:
    text = (FIXTURES / "docs" / "layouts.txt").read_text("utf-8")
    result = rules.extract(text)
    essex = _row(result, 1002)
    assert (essex.agency, essex.measure) == ("Essex Police", "arrests")
    assert essex.quote == "| Essex Police | 98 | 1,002 |"
    assert _row(result, 12).area == "Camden"


def test_a_range_is_two_rows_with_one_range_id(rules: Extractor) -> None:
    result = rules.extract("Between 800 and 1,000 arrests were made.")
    low, high = result.figures
    assert (low.value, high.value) == (800, 1000)
    assert low.range_id == high.range_id != ""
    assert low.value_high == 1000 and low.qualifier == "between"


def test_a_repeated_statement_is_one_figure(rules: Extractor) -> None:
    text = (
        "More than 240 knives and weapons seized\n\n"
        "The Met seized more than 240 knives and weapons."
    )
    result = rules.extract(text)
    assert [f.value for f in result.figures] == [240]
    assert any(s.reason == "repeats the same figure stated elsewhere" for s in result.skipped)


def test_rows_have_the_tallies_columns(release) -> None:
    row = release.figures[0].row()
    assert list(row) == list(COLUMNS)
    assert {"operation", "measure", "value", "qualifier", "quote"} <= set(row)
    assert row["operation"] == "Operation Sceptre"


# --- properties on real articles, with the shipped vocabulary ---------------------------------


def _documents() -> list[Path]:
    found = sorted(CORPUS.glob("*.txt")) + sorted(SEEDS.glob("*.txt"))
    return found


@pytest.mark.skipif(not _documents(), reason="the shared corpus is not available")
def test_every_corpus_document_and_seed_article_extracts_cleanly() -> None:
    from sceptre_analysis.vocab import load_vocabulary

    vocabulary = load_vocabulary()
    for path in _documents():
        text = read_document(path).text
        result = extract_text(text)
        assert result.figures, f"{path.name}: no figures"
        flat = normalise_text(text)
        skipped = {(s.start, s.end) for s in result.skipped}
        for figure in result.figures:
            where = f"{path.name}: {figure.quote!r}"
            assert normalise_text(figure.quote) in flat, where
            assert numbers.states(figure.quote, figure.value), where
            assert 0 < figure.confidence < 1, where
            assert (figure.start, figure.end) not in skipped, where
            parse_qualifier(figure.qualifier, vocabulary)  # a hedge the vocabulary knows


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Teenagers aged 15 to 17 were spoken to.", "age"),
        ("Officers patrol 24/7.", "time of day"),
        ("2 min read", "length of time"),
        ("It ran for seven days.", "length of time"),
        ("12 comments", "page furniture (comments, shares)"),
        ("Quote reference 43/123456/23 when calling.", "reference number"),
        ("Police work on Operation Sceptre twice a year.", "how often (not a count)"),
        ("Hundreds of arrests were made.", "a vague amount (hundreds, thousands, scores)"),
        ("Officers met Seven Kings Youth Club.", "part of a name"),
        ("Search results on 15/11/2023 were good.", "date"),
        ("One of the officers spoke.", "the word one (not a count)"),
        ("Shops sold knives to under 18s.", "age"),
        ("In 2023/24 the force grew.", "year"),
    ],
)
def test_small_non_figures(rules: Extractor, text: str, reason: str) -> None:
    result = rules.extract(text)
    assert result.figures == []
    assert {s.reason for s in result.skipped} == {reason}


def test_under_before_a_count_is_a_hedge_not_an_age(rules: Extractor) -> None:
    (figure,) = rules.extract("Officers seized under 100 knives.").figures
    assert (figure.value, figure.qualifier) == (100, "under")


def test_words_right_after_a_figure_belong_to_it_not_to_the_next(rules: Extractor) -> None:
    result = rules.extract("Officers made 64 arrests reaching more than 3,000 people.")
    assert _row(result, 64).measure == "arrests"
    assert _row(result, 3000).measure == ""  # "arrests" names the 64, not the 3,000


LINKED = """Knife crime week of action: 187 knives recovered in London

During Operation Sceptre, from 9 to 15 November 2020, officers recovered 187 knives and made
1,002 arrests.

READ MORE: Police seize 300 knives in Essex crackdown
  > Related: 52 arrests after county lines raids in Kent

Officers also carried out 12 weapon sweeps. A year ago, 120 knives were recovered.
"""


def test_a_line_linking_to_another_story_gives_no_figure_agency_or_place(rules) -> None:
    """Cues of kind ``link`` ("READ MORE:", "Related:") start lines whose numbers and places
    belong to another story; with no agency named, the force whose area is named is taken."""
    result = rules.extract(LINKED)
    values = [f.value for f in result.figures]
    assert 300 not in values and 52 not in values
    skipped = {s.text: s.reason for s in result.skipped}
    assert skipped["300"] == skipped["52"] == "link to another story"
    assert {f.agency for f in result.figures} == {"Metropolitan Police Service"}
    earlier = _row(result, 120)
    assert earlier.period_start == "" and "earlier" in earlier.note
