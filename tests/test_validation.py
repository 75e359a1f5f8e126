"""One broken fixture per rule: the problem names the right file, line, column and fault.

Each folder under ``tests/fixtures/bad/`` holds only the file(s) it breaks; the ``data_copy``
fixture lays them over a copy of the real data.  Fixtures that bring their own
``documents/`` folder exercise the quote and document rules; the rest skip those checks.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from sceptre_analysis.load import (
    DataValidationError,
    load_dataset,
    load_measures,
    load_sources,
    load_tallies,
    validate,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bad"

# fixture folder, file, line, column, words the message must contain
CASES: list[tuple[str, str, int | None, str | None, str]] = [
    ("empty_file", "tallies.csv", None, None, "the file is empty"),
    ("not_utf8", "tallies.csv", 3, None, "not UTF-8 text: byte 0xA3 at character 143"),
    ("semicolon_separated", "tallies.csv", 1, None,
     "expected comma-separated values; this looks like ';'-separated"),
    ("tab_separated", "tallies.csv", 1, None, "this looks like 'tab'-separated"),
    ("too_many_fields", "tallies.csv", 3, None,
     "this row has 12 values but the header has 10 columns (got 12 values, expected 10;"),
    ("too_few_fields", "tallies.csv", 3, None,
     "this row has 9 values but the header has 10 columns (got 9 values, expected 10;"),
    ("unclosed_quote", "tallies.csv", 4, None,
     "a quoted value starting on this line is never closed"),
    # the next double quote opens a later value: not "text right after a closing quote"
    ("unclosed_quote_before_quoted_value", "tallies.csv", 3, None,
     "a quoted value starting on this line is never closed (got an opening '\"' with no "
     "closing '\"' on this line, so lines 3 to 5 were read as one value, up to a double "
     "quote on line 5;"),
    ("text_after_closing_quote", "tallies.csv", 3, None,
     "there is text right after a closing double quote (got a value like '\"abc\"def'"),
    ("missing_column", "tallies.csv", 1, "quote", "required column is missing"),
    ("misspelt_column", "tallies.csv", 1, "vaule",
     "looks like a misspelling of 'value' (got 'vaule', expected 'value')"),
    ("value_not_number", "tallies.csv", 3, "value", "must be a number (got 'many', expected"),
    ("value_with_thousands_separator", "tallies.csv", 3, "value", "must be a number (got '1,002'"),
    ("negative_value", "tallies.csv", 3, "value", "must not be negative (got '-58', expected"),
    ("value_not_in_quote", "tallies.csv", 2, "value",
     "is not the figure its quote states (got '190', expected 187, the number in the quote"),
    ("fractional_count", "tallies.csv", 4, "value",
     "must be a whole number (got '12.5', expected a non-negative whole number)"),
    ("money_decimals", "tallies.csv", 3, "value",
     "must have at most 2 decimal places (got '1940.555', expected"),
    ("date_not_iso", "tallies.csv", 3, "period_start",
     "must be a date written YYYY-MM-DD (got '09/11/2020', expected"),
    ("date_not_real", "tallies.csv", 3, "period_end",
     "is not a real calendar date (got '2020-11-31', expected"),
    ("period_end_before_start", "tallies.csv", 4, "period_end",
     "is before period_start (got '2020-11-01', expected a date on or after 2020-11-09)"),
    ("required_blank", "tallies.csv", 3, "agency", "must not be empty (got '', expected"),
    ("unknown_measure", "tallies.csv", 3, "measure",
     "is not a measure listed in measures.csv (got 'arrest', expected"),
    ("unknown_source_id", "tallies.csv", 3, "source_id",
     "(got 'met-release-2020-11-91', expected 'met-release-2020-11-19' or 'surrey-comet-sceptre')"
     "; did you mean 'met-release-2020-11-19'?"),
    ("unknown_qualifier", "tallies.csv", 3, "qualifier",
     "is not a known qualifier (got 'moar than', expected blank for an exact figure"),
    ("unknown_unit", "measures.csv", 6, "unit",
     "is not a known unit (got 'pounds', expected 'count', 'GBP', 'days', 'percent', 'fraction', "
     "'kg', 'times' or 'per_100k'); did you mean 'GBP'?"),
    ("unknown_kind", "sources.csv", 2, "kind",
     "is not a known kind of source (got 'primery', expected 'primary' or 'secondary'); "
     "did you mean 'primary'?"),
    ("duplicate_row", "tallies.csv", 5, None,
     "duplicates line 3: the same statement is recorded twice"),
    ("duplicate_source_id", "sources.csv", 4, "source_id",
     "duplicates line 3 (got 'surrey-comet-sceptre' again"),
    ("duplicate_measure", "measures.csv", 13, "measure", "duplicates line 7 (got 'arrests' again"),
    ("total_of_unknown", "measures.csv", 2, "total_of",
     "names a measure that is not in measures.csv: 'knifes'"),
    ("total_of_itself", "measures.csv", 2, "total_of",
     "lists the measure itself (got 'knives + weapons_total'"),
    ("quote_not_in_document", "tallies.csv", 3, "quote",
     "does not occur in the source document 'release-a.txt' "
     "(got 'seized the big haul of 3 knives', expected"),
    ("document_missing", "sources.csv", 3, "document",
     "names a file that is in none of the documents folders (got 'release-c.txt'"),
    ("multiline_quote_line_numbers", "tallies.csv", 5, "value",
     "must be a whole number (got '5.8'"),
    # ranges, changes, numbers in words, vocabulary files (issue 7)
    ("range_low_above_high", "tallies.csv", 3, "value_high",
     "is below value (got '800', expected a number of at least 1000, the range's lower end)"),
    ("range_without_high", "tallies.csv", 3, "value_high",
     "must be given for a range (got '' with qualifier 'between', expected the range's upper"),
    ("high_without_range", "tallies.csv", 3, "value_high",
     "must be blank unless the qualifier is a range (got '1000' with qualifier 'more than'"),
    ("change_without_sign", "tallies.csv", 3, "qualifier",
     "must say which way the figure changed (got '' with compared_with 'the previous week', "
     "expected 'increase' or 'decrease'"),
    ("number_word_disagrees", "tallies.csv", 3, "value",
     "is not the figure its quote states (got '43', expected 34 (written 'Thirty four'), the "
     "number in the quote"),
    ("unknown_hedge_not_its_opposite", "tallies.csv", 3, "qualifier",
     "is not a known qualifier (got 'no less than', expected blank for an exact figure"),
    ("unknown_agency", "tallies.csv", 3, "agency",
     "is not an agency of agencies.csv (got 'Metropolitan Polise', expected an agency of "
     "agencies.csv or one of its aliases); did you mean 'Metropolitan Police'?"),
    ("month_period_two_months", "tallies.csv", 3, "period_end",
     "must be the same month as period_start (got '2020-12', expected '2020-11' or blank"),
    ("unknown_unit_kind", "units.csv", 7, "kind",
     "is not a known kind of unit (got 'wieght', expected 'count', 'money', 'duration', "
     "'percent', 'fraction', 'weight', 'ratio' or 'rate'); did you mean 'weight'?"),
    ("unknown_hedge_meaning", "qualifiers.csv", 3, "meaning",
     "is not a known meaning (got 'mroe', expected 'exact', 'more', "),
    ("agency_alias_claimed_twice", "agencies.csv", 5, "aliases",
     "'Met' already names the agency 'Metropolitan Police Service' on line 4 (got it again "
     "for 'City of London Police', expected each name and alias to mean one thing)"),
    ("measure_alias_unknown_measure", "measure_aliases.csv", 20, "measure",
     "is not a known measure (got 'knifes', expected"),
    ("unknown_cue_kind", "extraction_cues.csv", 3, "kind",
     "is not a known kind of cue (got 'lnk', expected 'context', 'earlier', 'national', "
     "'penalty' or 'link'); did you mean 'link'?"),
    ("wording_unknown_measure", "wording.csv", 3, "measure",
     "is not a known measure (got 'knifes', expected blank or"),
    # faults (issue 13)
    ("date_out_of_range", "tallies.csv", 3, "period_start",
     "is outside the plausible dates (got '1020-11-09', expected a date between 1900-01-01 "
     "and 2100-12-31"),
    ("value_too_large", "tallies.csv", 3, "value",
     "is too large to be a figure from a release (got '9223372036854775808', expected a "
     "number below 1,000,000,000,000,000)"),
    ("control_character", "tallies.csv", 3, "area",
     "holds a control character (got 'Lon\\x1b[2Jdon', expected plain text"),
]  # fmt: skip


def _problems(data_copy, name: str):
    folder = data_copy(name)
    documents = "auto" if (FIXTURES / name / "documents").is_dir() else None
    return folder, validate(folder, documents=documents)


def test_every_fixture_folder_is_covered() -> None:
    covered = {case[0] for case in CASES} | {"several_problems"}
    assert covered == {p.name for p in FIXTURES.iterdir() if p.is_dir()}


@pytest.mark.parametrize(
    ("name", "filename", "line", "column", "words"), CASES, ids=[c[0] for c in CASES]
)
def test_one_rule_per_fixture(
    data_copy, name: str, filename: str, line: int | None, column: str | None, words: str
) -> None:
    folder, problems = _problems(data_copy, name)
    assert problems, "the fixture should break a rule"
    first = problems[0]
    assert first.path == folder / filename
    assert (first.line, first.column) == (line, column)
    assert words in first.message
    assert "(got " in first.message and "expected" in first.message
    text = str(first)
    where = f"{filename}:{line}:" if line is not None else f"{filename}:"
    assert where in text
    if column is not None:
        assert f" column '{column}': " in text
    # the same problems come out of load_dataset as one exception
    with pytest.raises(DataValidationError) as caught:
        load_dataset(folder, documents="auto" if (folder / "documents").is_dir() else None)
    assert caught.value.problems == problems
    assert str(caught.value).splitlines() == [str(p) for p in problems]


@pytest.mark.parametrize(
    "name",
    [c[0] for c in CASES if c[0] not in {"required_blank", "several_problems"}],
)
def test_one_rule_gives_one_problem(data_copy, name: str) -> None:
    """A single mistake must not cascade into a screenful of follow-on messages."""
    _, problems = _problems(data_copy, name)
    assert len(problems) == 1, "\n".join(map(str, problems))


def test_blank_required_fields_are_each_reported(data_copy) -> None:
    _, problems = _problems(data_copy, "required_blank")
    assert [(p.line, p.column) for p in problems] == [(3, "agency"), (4, "value"), (4, "quote")]


def test_several_problems_in_several_files_are_reported_at_once(data_copy) -> None:
    _, problems = _problems(data_copy, "several_problems")
    found = [(p.path.name, p.line, p.column) for p in problems]
    assert found == [
        ("sources.csv", 2, "kind"),
        ("measures.csv", 6, "unit"),
        ("tallies.csv", 2, "value"),  # 187.5 knives
        ("tallies.csv", 3, "measure"),  # 'arrest'
        ("tallies.csv", 4, "period_start"),  # month 13
        ("tallies.csv", 4, "value"),  # negative
        ("tallies.csv", 6, None),  # duplicates line 5 (spacing in the quote does not count)
    ]
    assert "duplicates line 5" in problems[-1].message


def test_quotes_match_despite_spacing_and_curly_quotes(data_copy) -> None:
    """Rows 2 and 4 of that fixture differ from the document only in spacing and quote marks."""
    _, problems = _problems(data_copy, "quote_not_in_document")
    assert [p.line for p in problems] == [3]
    assert "the closest passage is 'seized the \"big\" haul of 3 knives.'" in problems[0].message


def test_quote_check_skipped_without_documents(data_copy) -> None:
    folder = data_copy("quote_not_in_document")
    assert validate(folder, documents=None) == []


# --- single-file loaders check what they can alone ---------------------------------------


def test_load_tallies_reads_the_sibling_measures(data_copy) -> None:
    folder = data_copy("unknown_measure")
    with pytest.raises(DataValidationError) as caught:
        load_tallies(folder)
    assert [(p.line, p.column) for p in caught.value.problems] == [(3, "measure")]
    tallies = load_tallies(folder / "tallies.csv", measures=None)  # no measures: no such rule
    assert list(tallies["measure"]) == ["knives", "arrest"]


def test_load_tallies_reports_problems_in_the_sibling_measures(data_copy) -> None:
    folder = data_copy("unknown_unit")
    with pytest.raises(DataValidationError) as caught:
        load_tallies(folder)
    assert [p.path.name for p in caught.value.problems] == ["measures.csv"]


def test_load_tallies_alone_does_not_need_sources(data_copy) -> None:
    assert len(load_tallies(data_copy("unknown_source_id"))) == 2


def test_load_measures_and_sources_alone(data_copy) -> None:
    with pytest.raises(DataValidationError, match="lists the measure itself"):
        load_measures(data_copy("total_of_itself"))
    folder = data_copy("document_missing")
    with pytest.raises(DataValidationError, match=r"release-c\.txt"):
        load_sources(folder / "sources.csv")
    assert len(load_sources(folder, documents=None)) == 2


# --- tolerated variations --------------------------------------------------------------


def test_utf8_bom_crlf_blank_rows_and_spaces_are_fine(data_copy) -> None:
    folder = data_copy()
    tallies = folder / "tallies.csv"
    text = tallies.read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[1] = lines[1].replace(",240,", ", 240 ,")
    text = "\r\n".join(lines) + "\r\n,,,,,,,,,\r\n\r\n"
    tallies.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    dataset = load_dataset(folder)
    assert len(dataset.tallies) == 30
    assert dataset.tallies.loc[0, "value"] == 240


def test_extra_columns_are_kept_as_text(data_copy) -> None:
    folder = data_copy()
    tallies = folder / "tallies.csv"
    lines = tallies.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",checked_by"] + [line + ",checked" for line in lines[1:]]
    tallies.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = load_dataset(folder).tallies
    assert list(frame["checked_by"].unique()) == ["checked"]
    assert frame.columns[-1] == "line"


def test_optional_columns_may_be_left_out(data_copy) -> None:
    folder = data_copy()
    (folder / "sources.csv").write_text(
        "source_id,publisher,document,kind\n"
        "met-release-2020-11-19,Metropolitan Police Service,000_e77ebc68579fe822.txt,primary\n"
        "surrey-comet-sceptre,Surrey Comet,001_709e008efd247ce5.txt,secondary\n",
        encoding="utf-8",
    )
    sources = load_dataset(folder).sources
    assert list(sources["url"]) == ["", ""]
    assert sources["published"].isna().all()


def test_header_only_tallies_is_one_located_error_everywhere(data_copy) -> None:
    """Issue 13.5: validate, load_tallies and load_dataset (which build uses) agree."""
    folder = data_copy()
    tallies = folder / "tallies.csv"
    tallies.write_text(tallies.read_text(encoding="utf-8").splitlines()[0] + "\n")
    problems = validate(folder)
    assert [(p.path.name, p.line, p.column) for p in problems] == [("tallies.csv", 1, None)]
    assert "has a header but no figures" in problems[0].message
    for load in (load_dataset, load_tallies):
        with pytest.raises(DataValidationError) as caught:
            load(folder)
        assert caught.value.problems == problems


def test_names_the_loader_adds_are_reserved(data_copy) -> None:
    folder = data_copy()
    tallies = folder / "tallies.csv"
    lines = tallies.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",count"] + [line + ",1" for line in lines[1:]]
    tallies.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = validate(folder)
    assert [(p.line, p.column) for p in problems] == [(1, "count")]


def test_blank_keys_are_reported_as_blank_not_as_duplicates(data_copy) -> None:
    folder = data_copy()
    tallies = folder / "tallies.csv"
    lines = tallies.read_text(encoding="utf-8").splitlines()
    assert lines[5].endswith(",resulted in the recovery of 187 knives")
    lines[5] = lines[5].rsplit(",", 1)[0] + ","  # Met knives, no quote
    lines[6] = lines[5]
    tallies.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = validate(folder, documents=None)
    assert [(p.line, p.column) for p in problems] == [(6, "quote"), (7, "quote")]


# --- suggestions never reverse a meaning ----------------------------------------------------


def test_an_unknown_hedge_is_never_offered_its_opposite(data_copy) -> None:
    """'no less than' (missing from this qualifiers.csv) must not become 'less than' or
    'no more than': a suggestion only fixes spelling."""
    _, problems = _problems(data_copy, "unknown_hedge_not_its_opposite")
    assert "did you mean" not in problems[0].message


def test_a_misspelt_hedge_is_offered_the_right_one(data_copy) -> None:
    folder = data_copy()
    tallies = folder / "tallies.csv"
    tallies.write_text(
        tallies.read_text(encoding="utf-8").replace(",over,", ",ovver,"), encoding="utf-8"
    )
    problems = validate(folder, documents=None)
    assert [(p.line, p.column) for p in problems] == [(3, "qualifier")]
    assert problems[0].message.endswith("did you mean 'over'?")


# --- faults: nothing crashes, everything is located (issue 13) ------------------------------


def test_dates_outside_pandas_range_and_huge_counts_are_errors_not_crashes(data_copy) -> None:
    """13.3: both load as located errors; before, validate and build crashed."""
    for name in ("date_out_of_range", "value_too_large"):
        folder = data_copy(name)
        with pytest.raises(DataValidationError) as caught:
            load_dataset(folder, documents=None)
        assert [p.line for p in caught.value.problems] == [3]


def test_control_characters_are_escaped_in_every_message(data_copy) -> None:
    """13.15: a hostile cell cannot erase lines or retitle the terminal through a message."""
    folder = data_copy()
    tallies = folder / "tallies.csv"
    text = tallies.read_text(encoding="utf-8")
    text = text.replace(",knives,187,", ",kni\x1b]0;pwned\x07ves\x00,187,", 1)
    tallies.write_text(text, encoding="utf-8")
    problems = validate(folder, documents=None)
    assert {p.column for p in problems} == {"measure"}  # control characters, unknown measure
    for problem in problems:
        shown = str(problem)
        assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in shown), shown
        assert "\\x1b" in shown and "\\x07" in shown and "\\x00" in shown


def test_an_unreadable_tallies_file_is_one_clean_problem(data_copy) -> None:
    """13.6: permissions."""
    import os

    folder = data_copy()
    tallies = folder / "tallies.csv"
    tallies.chmod(0)
    try:
        if os.access(tallies, os.R_OK):
            pytest.skip("running as a user who can read any file")
        problems = validate(folder, documents=None)
    finally:
        tallies.chmod(0o644)
    assert [(p.path.name, p.line) for p in problems] == [("tallies.csv", None)]
    assert "the file cannot be opened" in problems[0].message


def test_a_symlink_loop_is_one_clean_problem(data_copy) -> None:
    """13.6: the loop is found and the message is formatted without crashing."""
    folder = data_copy()
    tallies = folder / "tallies.csv"
    tallies.unlink()
    tallies.symlink_to(folder / "loop.csv")
    (folder / "loop.csv").symlink_to(tallies)
    problems = validate(folder, documents=None)
    assert [(p.path.name, p.line) for p in problems] == [("tallies.csv", None)]
    assert "tallies.csv" in str(problems[0])
    with pytest.raises(DataValidationError):
        load_dataset(folder, documents=None)


def test_twenty_thousand_duplicate_rows_are_each_reported_once(data_copy) -> None:
    """13.20: the duplicate check is one pass over the rows (it was quadratic: 167 s for a
    sheet pasted twice).  No timing here: bench/bench_validate.py measures the speed, and a
    quadratic check would blow the suite's time budget."""
    folder = data_copy()
    tallies = folder / "tallies.csv"
    header, first = tallies.read_text(encoding="utf-8").splitlines()[:2]
    tallies.write_text(header + "\n" + (first + "\n") * 20_000, encoding="utf-8")
    problems = validate(folder, documents=None)
    assert len(problems) == 19_999
    assert {p.message.split(":")[0] for p in problems} == {"duplicates line 2"}


def test_two_figures_in_one_sentence_are_not_duplicates(data_copy) -> None:
    """Same source, measure and quote, different periods or values: two statements."""
    folder = data_copy()
    tallies = folder / "tallies.csv"
    lines = tallies.read_text(encoding="utf-8").splitlines()
    row = lines[1]  # more than 240 knives and weapons, 9-15 November 2020
    lines.append(row.replace("2020-11-09,2020-11-15", "2020-11-16,2020-11-22"))
    tallies.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert validate(folder, documents=None) == []
