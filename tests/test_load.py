"""Loading: the frames have the documented shape, types and figures.

Exact rows and line numbers come from the frozen seed copy in ``fixtures/base``; the shipped
``data/`` (which grows) is checked by properties only.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pandas as pd
import pytest

from sceptre_analysis import paths
from sceptre_analysis.load import (
    DataFolderError,
    Dataset,
    DataValidationError,
    Problem,
    load_dataset,
    load_measures,
    load_sources,
    load_tallies,
    validate,
)

ROOT = Path(__file__).resolve().parent.parent
BASE_DIR = Path(__file__).resolve().parent / "fixtures" / "base"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_dataset(BASE_DIR)


@pytest.fixture(scope="module")
def shipped() -> Dataset:
    return load_dataset()


def test_shipped_data_has_no_problems() -> None:
    assert validate() == []


def test_shipped_data_properties(shipped: Dataset) -> None:
    """Whatever the shipped data holds: canonical names, resolved hedges, placed weeks."""
    tallies, vocabulary = shipped.tallies, shipped.vocabulary
    assert shipped.data_dir == paths.data_dir()
    assert vocabulary is not None
    assert set(tallies["agency"].astype(str)) <= set(vocabulary.agencies)
    assert set(tallies["operation"].astype(str)) <= set(vocabulary.operations)
    assert set(tallies["measure"].astype(str)) <= set(shipped.measures["measure"])
    assert set(tallies["unit"].astype(str)) <= set(vocabulary.units)
    assert tallies["value"].notna().all()
    ranges = tallies[tallies["meaning"] == "range"]
    assert (ranges["value_high"] >= ranges["value"]).all()
    assert tallies.loc[tallies["meaning"] != "range", "value_high"].isna().all()
    dated = tallies[(tallies["period_kind"] == "exact") & (tallies["context"] == "")]
    # an exact period is its own week, or the week of a period it mostly overlaps
    assert set(dated["week"]) <= set(dated["period_start"])
    length = dated["period_end"] - dated["period_start"]
    assert (dated["week"] <= dated["period_end"]).all()
    assert (dated["week"] + length >= dated["period_start"]).all()
    assert set(shipped.unplaced()["line"]) == set(tallies.loc[tallies["week"].isna(), "line"])


def test_row_counts(dataset: Dataset) -> None:
    assert len(dataset.sources) == 2
    assert len(dataset.measures) == 11
    assert len(dataset.tallies) == 30
    assert dataset.data_dir == BASE_DIR


def test_every_frame_has_a_range_index_and_line_numbers(dataset: Dataset) -> None:
    for frame in (dataset.sources, dataset.measures, dataset.tallies):
        assert isinstance(frame.index, pd.RangeIndex)
        assert frame["line"].dtype == "int64"
        assert list(frame["line"]) == list(range(2, len(frame) + 2))  # header is line 1


def test_sources_dtypes(dataset: Dataset) -> None:
    sources = dataset.sources
    assert list(sources.columns[:9]) == [
        "source_id", "publisher", "title", "published", "url", "document", "kind",
        "verified", "document_path",
    ]  # fmt: skip
    assert pd.api.types.is_string_dtype(sources["source_id"])
    assert sources["published"].dtype == "datetime64[ns]"
    assert isinstance(sources["kind"].dtype, pd.CategoricalDtype)
    assert list(sources["kind"].cat.categories) == ["primary", "secondary"]
    met = sources.set_index("source_id").loc["met-release-2020-11-19"]
    assert met["published"] == pd.Timestamp("2020-11-19")
    assert met["kind"] == "primary"
    comet = sources.set_index("source_id").loc["surrey-comet-sceptre"]
    assert pd.isna(comet["published"])
    assert comet["title"] == ""


def test_measures_dtypes(dataset: Dataset) -> None:
    measures = dataset.measures.set_index("measure")
    assert isinstance(measures["unit"].dtype, pd.CategoricalDtype)
    assert {"count", "GBP", "days"} <= set(measures["unit"].cat.categories)
    assert isinstance(measures["category"].dtype, pd.CategoricalDtype)
    assert measures.loc["weapons_total", "total_of"] == ["knives", "other_offensive_weapons"]
    assert measures.loc["knives", "total_of"] == []
    assert measures.loc["cash_seized", "unit"] == "GBP"
    assert measures.loc["operation_days", "unit"] == "days"


def test_tallies_dtypes(dataset: Dataset) -> None:
    tallies = dataset.tallies
    expected = {
        "operation": "category",
        "period_start": "datetime64[ns]",
        "period_end": "datetime64[ns]",
        "week": "datetime64[ns]",
        "agency": "category",
        "area": "category",
        "measure": "category",
        "value": "Float64",
        "value_high": "Float64",
        "tolerance": "Float64",
        "count": "Int64",
        "qualifier": "category",
        "source_id": "category",
        "unit": "category",
        "line": "int64",
    }
    for column, dtype in expected.items():
        assert str(tallies[column].dtype) == dtype, column
    for column in ("quote", "label", "meaning", "direction", "compared_with", "context", "note"):
        assert pd.api.types.is_string_dtype(tallies[column]) or tallies[column].dtype == object
    assert tallies.columns[-1] == "line"
    assert list(tallies["measure"].cat.categories) == list(dataset.measures["measure"])
    assert list(tallies["source_id"].cat.categories) == list(dataset.sources["source_id"])


def test_met_187_knives(dataset: Dataset) -> None:
    t = dataset.tallies
    row = t[
        (t["source_id"] == "met-release-2020-11-19")
        & (t["measure"] == "knives")
        & (t["agency"] == "Metropolitan Police Service")
    ]
    assert len(row) == 1
    row = row.iloc[0]
    assert row["value"] == 187
    assert row["count"] == 187
    assert row["qualifier"] == ""
    assert row["unit"] == "count"
    assert row["label"] == "Knives recovered"
    assert row["area"] == "London"
    assert row["period_start"] == pd.Timestamp("2020-11-09")
    assert row["period_end"] == pd.Timestamp("2020-11-15")
    assert row["quote"] == "resulted in the recovery of 187 knives"
    assert row["line"] == 6


def test_qualified_and_money_rows(dataset: Dataset) -> None:
    t = dataset.tallies
    over = t[(t["measure"] == "arrests") & (t["qualifier"] == "over")].iloc[0]
    assert over["value"] == 1000
    assert (over["meaning"], over["direction"]) == ("more", "")
    cash = t[t["measure"] == "cash_seized"].iloc[0]
    assert cash["value"] == 1940
    assert pd.isna(cash["count"])
    assert cash["unit"] == "GBP"
    days = t[t["measure"] == "operation_days"]
    assert set(days["count"]) == {6, 7}


def test_weeks_and_periods(dataset: Dataset) -> None:
    t = dataset.tallies
    assert set(t["period_kind"]) == {"exact"}
    assert set(t["week"]) == {pd.Timestamp("2020-11-09")}
    assert dataset.unplaced().empty


def test_sources_are_verified_only_with_their_document(dataset: Dataset) -> None:
    sources = dataset.sources
    seeds = ROOT.parent / "shared" / "seeds"
    if not seeds.is_dir():
        assert not sources["verified"].any()
        return
    assert sources["verified"].all()
    assert all(Path(p).parent == seeds for p in sources["document_path"])
    unchecked = load_dataset(BASE_DIR, documents=None).sources
    assert not unchecked["verified"].any()
    assert set(unchecked["document_path"]) == {""}


def _normalise(text: str) -> str:
    """Written separately from the loader's, so the test checks the data, not the code."""
    for curly, straight in (("‘", "'"), ("’", "'"), ("“", '"'), ("”", '"')):
        text = text.replace(curly, straight)
    return " ".join(text.split())


def test_every_quote_occurs_in_its_seed_document() -> None:
    seeds = ROOT.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"seed documents not available at {seeds} (they live outside the repo)")
    sources = pd.read_csv(BASE_DIR / "sources.csv", dtype=str, keep_default_na=False)
    tallies = pd.read_csv(BASE_DIR / "tallies.csv", dtype=str, keep_default_na=False)
    documents = {
        row.source_id: _normalise((seeds / row.document).read_text(encoding="utf-8"))
        for row in sources.itertuples()
    }
    missing = [
        (line, row.source_id, row.quote)
        for line, row in enumerate(tallies.itertuples(), start=2)
        if _normalise(row.quote) not in documents[row.source_id]
    ]
    assert missing == []


def test_fingerprint_is_stable_and_tracks_the_bytes(dataset: Dataset, data_copy) -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", dataset.fingerprint())
    assert load_dataset(BASE_DIR).fingerprint() == dataset.fingerprint()
    folder = data_copy()
    copy = load_dataset(folder)
    assert copy.fingerprint() == dataset.fingerprint()  # same bytes, different folder
    tallies = folder / "tallies.csv"
    tallies.write_bytes(tallies.read_bytes() + b"\n")  # a trailing blank line: same data
    assert load_dataset(folder).fingerprint() != dataset.fingerprint()


def test_single_file_loaders_accept_a_file_or_a_folder() -> None:
    assert len(load_sources(BASE_DIR)) == 2
    assert len(load_sources(BASE_DIR / "sources.csv")) == 2
    assert len(load_measures(BASE_DIR)) == 11
    tallies = load_tallies(BASE_DIR / "tallies.csv")
    assert len(tallies) == 30
    assert tallies.loc[0, "label"] == "Knives and other weapons recovered"
    assert str(tallies["count"].dtype) == "Int64"


def test_load_tallies_without_measures_has_no_units() -> None:
    tallies = load_tallies(BASE_DIR, measures=None)
    assert tallies["unit"].isna().all()
    assert tallies["count"].isna().all()
    assert tallies["value"].sum() > 0


def test_load_tallies_with_a_measures_frame() -> None:
    tallies = load_tallies(BASE_DIR, measures=load_measures(BASE_DIR))
    assert set(tallies["unit"].astype(str)) == {"count", "GBP", "days"}


def test_dataset_from_a_file_path_uses_its_folder() -> None:
    assert load_dataset(BASE_DIR / "tallies.csv", documents=None).data_dir == BASE_DIR


def test_missing_folder_is_reported_once_not_crashed(tmp_path: Path) -> None:
    """One problem for the folder, not a "file not found" for each data file."""
    (problem,) = validate(tmp_path / "nowhere")
    assert (problem.path, problem.line) == (tmp_path / "nowhere", None)
    assert problem.message.startswith("does not exist (expected a data folder of sources.csv")
    with pytest.raises(DataFolderError) as caught:
        load_dataset(tmp_path / "nowhere")
    assert caught.value.problems == [problem]
    assert isinstance(caught.value, DataValidationError)  # every caller of the load sees it


def test_missing_documents_folder_named_explicitly(tmp_path: Path) -> None:
    problems = validate(BASE_DIR, documents=tmp_path / "no-documents")
    assert len(problems) == 1
    assert "documents folder not found" in problems[0].message


def test_problem_and_error_formatting() -> None:
    problem = Problem(
        Path("data/tallies.csv"),
        7,
        "value",
        "must be a whole number (got '12.5', expected a non-negative whole number)",
    )
    assert str(problem) == (
        "data/tallies.csv:7: column 'value': must be a whole number "
        "(got '12.5', expected a non-negative whole number)"
    )
    whole_file = Problem(Path("data/tallies.csv"), None, None, "the file is empty")
    assert str(whole_file) == "data/tallies.csv: the file is empty"
    error = DataValidationError([problem, whole_file])
    assert isinstance(error, ValueError)
    assert str(error).splitlines() == [str(problem), str(whole_file)]
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems
    assert str(again) == str(error)


def test_documents_are_found_in_any_listed_folder(data_copy, tmp_path, monkeypatch) -> None:
    """SCEPTRE_DOCUMENTS_DIRS adds folders after the usual ones; each source's document is
    looked for in every folder, and where it was found is recorded."""
    seeds = ROOT.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("seed documents not available")
    folder = data_copy()
    extra = tmp_path / "more-documents"
    extra.mkdir()
    text = (seeds / "001_709e008efd247ce5.txt").read_text(encoding="utf-8")
    (extra / "comet-copy.txt").write_text(text, encoding="utf-8")
    sources = folder / "sources.csv"
    sources.write_text(
        sources.read_text(encoding="utf-8").replace("001_709e008efd247ce5.txt", "comet-copy.txt"),
        encoding="utf-8",
    )
    problems = validate(folder)
    assert [(p.path.name, p.line, p.column) for p in problems] == [("sources.csv", 3, "document")]

    monkeypatch.setenv("SCEPTRE_DOCUMENTS_DIRS", f"{tmp_path / 'nowhere'}:{extra}")
    dataset = load_dataset(folder)
    found = dict(zip(dataset.sources["source_id"], dataset.sources["document_path"], strict=True))
    assert found["surrey-comet-sceptre"] == str(extra / "comet-copy.txt")
    assert found["met-release-2020-11-19"] == str(seeds / "000_e77ebc68579fe822.txt")
    assert extra in dataset.documents_dirs
    assert dataset.sources["verified"].all()
