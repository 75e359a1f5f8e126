"""Checking whole drafts: the seed article and corpus items against data holding only the
release they report, drafts in every format, and bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sceptre_analysis.drafts import DraftError, check_draft, check_text, find_periods, read_draft
from sceptre_analysis.load import load_dataset

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "factcheck"
SHARED = ROOT.parent / "shared"
SEED_ARTICLE = SHARED / "seeds" / "001_709e008efd247ce5.txt"
CORPUS = SHARED / "corpus" / "documents"

needs_seeds = pytest.mark.skipif(not SEED_ARTICLE.is_file(), reason="seed articles not present")
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="reference corpus not present")


@pytest.fixture(scope="module")
def met_only():
    """The seed week's rows from the Met's own release, and nothing else."""
    return load_dataset(FIXTURES / "met_only", documents=None)


@pytest.fixture(scope="module")
def npcc_may_2022():
    return load_dataset(FIXTURES / "npcc_2022_05", documents=None)


def verdict_at(result, text: str, words: str, occurrence: int = 0):
    """The verdict for the figure the draft writes at the ``occurrence``-th ``words``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    found = [
        v for v in result.verdicts if v.figure.start <= start + len(words) and start <= v.figure.end
    ]
    assert found, f"no figure found at {words!r}: {[v.figure.text for v in result.verdicts]}"
    return found[0]


# ---- the Surrey Comet seed article against the Met's release ------------------------------


@pytest.fixture(scope="module")
def surrey_comet(met_only):
    draft, result = check_draft(SEED_ARTICLE, met_only)
    return draft.text, result


@needs_seeds
def test_the_44_arrests_is_flagged_against_the_mets_1002(surrey_comet):
    text, result = surrey_comet
    verdict = verdict_at(result, text, "44 people arrested")

    assert verdict.verdict == "contradicted"
    assert verdict.reported.value == 1002
    assert verdict.reported.source_id == "met-release-2020-11-19"
    assert verdict.reported.quote == "illegal items and 1,002 arrests"


@needs_seeds
def test_the_six_day_effort_is_flagged_against_a_seven_day_week(surrey_comet):
    text, result = surrey_comet
    verdict = verdict_at(result, text, "six day")

    assert verdict.verdict == "contradicted"
    assert verdict.why == "wrong length"
    assert "9 to 15 November 2020 is 7 days" in verdict.reason


@needs_seeds
@pytest.mark.parametrize(
    "words",
    ["187 knives recovered", "58 other offensive weapons recovered", "564 drugs", "1,002 arrests"],
)
def test_the_across_the_country_list_is_flagged_as_the_mets_figures(surrey_comet, words):
    text, result = surrey_comet
    after = text.index("across the country")
    occurrence = text[:after].count(words)  # the list item, after the lead-in
    verdict = verdict_at(result, text, words, occurrence)

    assert verdict.verdict == "contradicted", verdict.reason
    assert verdict.why == "wrong scope"
    assert verdict.other.agency == "Metropolitan Police Service"
    assert "across the country" in verdict.reason


@needs_seeds
def test_the_list_gets_one_note_naming_its_scope(surrey_comet):
    _, result = surrey_comet
    assert any("“across the country”" in note for note in result.notes)


@needs_seeds
@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("More than 240", 245),
        ("187 knives, 58", 187),
        ("58 other offensive weapons, the seizing", 58),
        ("564 drugs and illegal items and 1,002", 564),
    ],
)
def test_the_mets_own_figures_are_supported(surrey_comet, words, value):
    text, result = surrey_comet
    verdict = verdict_at(result, text, words)

    assert verdict.verdict == "supported", verdict.reason
    assert verdict.reported.value == value
    assert verdict.reported.agency == "Metropolitan Police Service"


@needs_seeds
def test_the_stated_dates_and_weekdays_are_supported(surrey_comet):
    text, result = surrey_comet
    for words in ("November 9 and 15", "Monday 9 November to Sunday 15 November"):
        verdict = verdict_at(result, text, words)
        assert verdict.figure.kind == "period"
        assert verdict.verdict == "supported", verdict.reason


@needs_seeds
def test_the_summary_line_counts_every_verdict(surrey_comet):
    _, result = surrey_comet
    counts = result.counts()
    assert result.summary() == (
        f"{len(result.verdicts)} figures: {counts['supported']} supported, "
        f"{counts['contradicted']} contradicted, {counts['unsupported']} unsupported"
    )
    assert sum(counts.values()) == len(result.verdicts)


# ---- corpus items that report a release, against the release alone --------------------------


@needs_corpus
def test_a_paper_that_rounds_the_mets_release_gets_its_hedge_flagged(met_only):
    text = (CORPUS / "evening-standard-met-2020-11.txt").read_text()
    result = check_text(text, met_only)

    assert verdict_at(result, text, "nearly 200 weapons").why == "hedge cannot hold"
    assert verdict_at(result, text, "more than 1,000 arrests").verdict == "supported"
    assert verdict_at(result, text, "187 knives").verdict == "supported"
    rounded = verdict_at(result, text, "arrest 1,000")
    assert (rounded.verdict, rounded.why) == ("contradicted", "rounded")


@needs_corpus
def test_a_republished_met_release_is_supported_throughout(met_only):
    text = (CORPUS / "lbc-met-2020-11-19.txt").read_text()
    result = check_text(text, met_only)

    assert result.verdicts
    assert {v.verdict for v in result.verdicts} == {"supported"}, [
        (v.figure.text, v.reason) for v in result.verdicts if v.verdict != "supported"
    ]


@needs_corpus
def test_a_paper_reporting_the_npcc_release_is_checked_against_national_figures(npcc_may_2022):
    text = (CORPUS / "perspectivemedia-2022-05-almost-2000-arrests.txt").read_text()
    result = check_text(text, npcc_may_2022)

    for words in ("almost 2,000 arrests", "1,947 arrests", "831 related"):
        verdict = verdict_at(result, text, words)
        assert verdict.verdict == "supported", (words, verdict.reason)
        assert verdict.reported.agency == "National (all forces)"
    # "the police also worked with the prison service ... 131 inmates searched": the draft
    # gives the figure to a body the data has none for; the release's national figure fits
    prisons = verdict_at(result, text, "131 inmates")
    assert prisons.verdict == "unsupported"
    assert "is the figure of the National (all forces)" in prisons.reason
    assert "16 to 22 May 2022" in result.notes[0]


# ---- synthetic drafts and every format --------------------------------------------------------

SYNTHETIC = """Operation Sceptre: the Met's week of action, 9 to 15 November 2020

The Met made 1,002 arrests and recovered 187 knives during the seven day operation.
Officers took nearly 200 weapons off the streets.
"""


def test_a_synthetic_draft_in_text_html_and_docx_reads_the_same(tmp_path, met_only):
    import docx

    (tmp_path / "draft.txt").write_text(SYNTHETIC)
    paragraphs = SYNTHETIC.strip().split("\n\n")
    html = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in paragraphs)
    (tmp_path / "draft.html").write_text(html + "</article></body></html>")
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(tmp_path / "draft.docx")

    outcomes = {}
    for name in ("draft.txt", "draft.html", "draft.docx"):
        _, result = check_draft(tmp_path / name, met_only)
        outcomes[name] = [(v.figure.text, v.verdict) for v in result.verdicts]
    assert outcomes["draft.txt"] == outcomes["draft.html"] == outcomes["draft.docx"]
    verdicts = dict(outcomes["draft.txt"])
    assert verdicts["1,002 arrests"] == "supported"
    assert verdicts["nearly 200 weapons"] == "contradicted"
    assert verdicts["9 to 15 November 2020"] == "supported"


def test_a_wrong_weekday_in_a_draft_is_flagged(met_only):
    text = "The Met's operation began on Tuesday 9 November 2020 and made 1,002 arrests."
    result = check_text(text, met_only)

    verdict = verdict_at(result, text, "Tuesday 9 November")
    assert verdict.why == "wrong weekday"


def test_dates_without_a_year_take_the_year_of_the_datas_week():
    weeks = [
        (dt.date(2021, 11, 15), dt.date(2021, 11, 21)),
        (dt.date(2023, 11, 13), dt.date(2023, 11, 19)),
    ]
    found = find_periods("between 15 and 21 November", weeks)
    assert [(p.period_start, p.period_end) for p in found] == [
        (dt.date(2021, 11, 15), dt.date(2021, 11, 21))
    ]
    found = find_periods("from Monday 13 November to Sunday 19 November", weeks)
    assert found[0].period_start == dt.date(2023, 11, 13)
    assert found[0].weekdays[0][1] == "Monday"


def test_a_draft_with_no_figures_has_no_verdicts(met_only):
    result = check_text("Police held a week of action on knife crime.", met_only)
    assert result.verdicts == []
    assert result.summary() == "no figures found"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.txt", "empty"),
        (b"   \n\n", "blank.txt", "empty"),
        (b"Arrests: 44 \xff\xfe caf\xe9", "latin1.txt", "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.txt", "binary"),
        (b"not a zip file", "draft.docx", "not a Word .docx document"),
    ],
)
def test_bad_drafts_get_one_clear_line(tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DraftError) as caught:
        read_draft(path)
    text = str(caught.value)
    assert message in text and str(path) in text
    assert "\n" not in text


def test_a_missing_draft_says_so(tmp_path):
    with pytest.raises(DraftError, match="no such file"):
        read_draft(tmp_path / "nowhere.txt")


def test_a_list_takes_its_scope_from_its_lead_in_and_prose_does_not(met_only):
    text = (
        "Between 9 and 15 November 2020, across the country, the week saw:\n\n"
        "- 187 knives recovered\n"
        "- 1,002 arrests\n\n"
        "In London, the Met made 1,002 arrests, it said in a long paragraph of prose here.\n"
    )
    result = check_text(text, met_only)

    assert verdict_at(result, text, "187 knives").why == "wrong scope"
    assert verdict_at(result, text, "1,002 arrests").why == "wrong scope"
    assert verdict_at(result, text, "1,002 arrests", 1).verdict == "supported"


def test_a_draft_dated_in_a_week_the_data_lacks_is_told_which_weeks_exist(met_only):
    text = "Between 4 and 10 May 2019 the Met made 1,002 arrests and recovered 187 knives.\n"
    result = check_text(text, met_only)

    note = result.notes[0]
    assert "4 to 10 May 2019" in note and "match no week in the data" in note
    assert "9 to 15 November 2020" in note
    dates = verdict_at(result, text, "4 and 10 May 2019")
    assert dates.verdict == "unsupported"
    assert "no week on 4 to 10 May 2019" in dates.reason


def test_a_one_word_force_alias_inside_a_longer_name_is_not_that_force(met_only):
    # "Surrey" is an alias of Surrey Police; "Surrey Comet" is a newspaper
    text = (
        "Surrey Comet:\n\nThe Met's officers made 1,002 arrests in November 2020.\n\n"
        "Surrey Comet:\n\nSurrey Comet:\n\nOfficers made 1,002 arrests that week.\n"
    )
    result = check_text(text, met_only)

    second = verdict_at(result, text, "1,002 arrests", 1)
    assert second.figure.agency == "Metropolitan Police Service"
    assert second.verdict == "supported"
