"""Notebook parameters: coerced, then checked against the data before a kernel starts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from sceptre_analysis.params import (
    ParameterError,
    allowed_values,
    check_parameters,
    notebook_parameters,
    select,
)

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
SUMMARY = NOTEBOOKS_DIR / "operation_summary.ipynb"
SOURCE_CHECK = NOTEBOOKS_DIR / "source_check.ipynb"
AGENCIES = ["British Transport Police", "Metropolitan Police Service", "National (all forces)"]


@pytest.fixture
def typed_notebook(tmp_path: Path) -> Path:
    """A notebook whose parameters cell declares an int, a float, a bool and a str."""
    parameters = (
        "limit: int = 3  # how many rows\nratio: float = 0.5\nshow_all: bool = False\n"
        'label: str = "x"\ncount = 3\n'
    )
    nb = new_notebook(cells=[new_code_cell(parameters, metadata={"tags": ["parameters"]})])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "typed.ipynb"
    nbformat.write(nb, path)
    return path


def test_the_report_notebooks_declare_their_parameters():
    assert list(notebook_parameters(SUMMARY)) == ["operation", "week", "agency", "data_dir"]
    assert list(notebook_parameters(SOURCE_CHECK)) == ["operation", "week", "data_dir"]
    agency = notebook_parameters(SUMMARY)["agency"]
    assert agency.default == "Metropolitan Police Service"
    assert agency.help == "agency to report on"


def test_defaults_are_merged_under_the_given_values(seed_dataset):
    merged = check_parameters(SUMMARY, {"agency": "British Transport Police"}, seed_dataset)

    defaults = {name: p.default for name, p in notebook_parameters(SUMMARY).items()}
    assert merged == {**defaults, "agency": "British Transport Police"}
    assert merged["week"] in ("", "2020-11-09")  # blank: the latest week with figures


def test_command_line_strings_are_coerced_to_the_declared_type(typed_notebook):
    merged = check_parameters(
        typed_notebook, {"limit": "10", "ratio": "0.25", "show_all": "yes", "label": "12"}
    )

    assert merged["limit"] == 10
    assert merged["ratio"] == 0.25
    assert merged["show_all"] is True
    assert merged["label"] == "12"  # a str parameter stays text
    assert check_parameters(typed_notebook, {"show_all": "False"})["show_all"] is False


def test_unannotated_parameter_takes_the_type_of_its_default(typed_notebook):
    assert notebook_parameters(typed_notebook)["count"].type == "int"
    assert check_parameters(typed_notebook, {"count": "5"})["count"] == 5


def test_a_value_of_the_wrong_type_names_the_parameter(typed_notebook):
    with pytest.raises(ParameterError) as caught:
        check_parameters(typed_notebook, {"limit": "three", "show_all": "maybe"})

    problems = caught.value.problems
    assert len(problems) == 2
    assert "'limit'" in problems[0]
    assert "'show_all'" in problems[1] and "true or false" in problems[1]


def test_unknown_parameter_name_lists_the_valid_ones(seed_dataset):
    with pytest.raises(ParameterError) as caught:
        check_parameters(SUMMARY, {"agnecy": "British Transport Police"}, seed_dataset)

    message = str(caught.value)
    assert "no parameter 'agnecy'" in message
    for name in ["'operation'", "'week'", "'agency'", "'data_dir'"]:
        assert name in message


def test_unknown_agency_lists_valid_agencies_and_suggests_the_close_one(seed_dataset):
    with pytest.raises(ParameterError) as caught:
        check_parameters(SUMMARY, {"agency": "Metropolitan Polise"}, seed_dataset)

    message = str(caught.value)
    assert "Unknown agency 'Metropolitan Polise'" in message
    for agency in AGENCIES:
        assert repr(agency) in message
    assert "Did you mean 'Metropolitan Police Service'?" in message


def test_an_agency_far_from_any_valid_one_gets_no_suggestion(seed_dataset):
    with pytest.raises(ParameterError) as caught:
        check_parameters(SUMMARY, {"agency": "Nope"}, seed_dataset)

    assert "Did you mean" not in str(caught.value)
    assert "'British Transport Police'" in str(caught.value)


def test_every_problem_is_reported_at_once(seed_dataset):
    with pytest.raises(ParameterError) as caught:
        check_parameters(SUMMARY, {"agency": "Nope", "colour": "red"}, seed_dataset)

    assert len(caught.value.problems) == 2


def test_a_typo_in_the_operation_is_the_only_problem_reported(seed_dataset):
    with pytest.raises(ParameterError) as caught:
        check_parameters(SUMMARY, {"operation": "Operation Septre"}, seed_dataset)

    assert len(caught.value.problems) == 1
    assert "Did you mean 'Operation Sceptre'?" in caught.value.problems[0]


def test_allowed_values_come_from_the_data(seed_dataset):
    assert allowed_values("agency", seed_dataset) == AGENCIES
    assert allowed_values("week", seed_dataset, {"operation": "Operation Sceptre"}) == [
        "2020-11-09"
    ]
    assert allowed_values("operation", seed_dataset) == ["Operation Sceptre"]
    assert allowed_values("data_dir", seed_dataset) == []


def test_select_returns_the_agency_week(seed_dataset):
    selection = select(
        seed_dataset,
        operation="Operation Sceptre",
        week="2020-11-09",
        agency="British Transport Police",
    )

    assert selection.week == pd.Timestamp("2020-11-09")
    assert selection.period_end == pd.Timestamp("2020-11-15")
    assert selection.days == 7
    assert set(selection.tallies["agency"].astype(str)) == {"British Transport Police"}
    assert sorted(selection.tallies["line"]) == [20, 21, 22, 23, 24]


def test_select_with_blank_week_takes_the_latest_and_all_agencies(seed_dataset):
    selection = select(seed_dataset, operation="Operation Sceptre")

    assert selection.week == pd.Timestamp("2020-11-09")
    assert len(selection.tallies) == len(seed_dataset.tallies)


def test_select_unknown_week_raises_with_the_valid_weeks(seed_dataset):
    with pytest.raises(ParameterError, match=r"Unknown week '2020-11-16'.*'2020-11-09'"):
        select(seed_dataset, operation="Operation Sceptre", week="2020-11-16")


def test_select_unknown_operation_raises_with_the_valid_operations(seed_dataset):
    with pytest.raises(
        ParameterError, match=r"Unknown operation 'Operation X'.*'Operation Sceptre'"
    ):
        select(seed_dataset, operation="Operation X")


def test_select_unknown_agency_raises_with_the_valid_agencies(seed_dataset):
    with pytest.raises(ParameterError) as caught:
        select(seed_dataset, operation="Operation Sceptre", agency="Metropolitan Polise")

    assert "Did you mean 'Metropolitan Police Service'?" in str(caught.value)


def test_an_agency_alias_stands_for_its_canonical_name(seed_dataset):
    merged = check_parameters(SUMMARY, {"agency": "the Met"}, seed_dataset)
    assert merged["agency"] == "Metropolitan Police Service"
    selection = select(seed_dataset, operation="Operation Sceptre", agency="BTP")
    assert set(selection.tallies["agency"].astype(str)) == {"British Transport Police"}


# ---- the trend's group and weeks, and file paths: checked before a kernel starts -------------

TREND = NOTEBOOKS_DIR / "trend.ipynb"
DRAFT_CHECK = NOTEBOOKS_DIR / "draft_check.ipynb"
REVIEW = NOTEBOOKS_DIR / "extraction_review.ipynb"


def test_an_unknown_group_lists_the_measure_categories_and_suggests_the_close_one(seed_dataset):
    with pytest.raises(ParameterError) as caught:
        check_parameters(TREND, {"group": "seizure"}, seed_dataset)

    (message,) = caught.value.problems
    assert "Unknown group 'seizure'" in message
    for category in set(seed_dataset.measures["category"]):
        assert repr(category) in message
    assert "'all'" in message
    assert message.endswith("Did you mean 'seizures'?")


def test_the_groups_are_the_categories_of_measures_csv_not_a_list_in_code(seed_dataset):
    """A category added to measures.csv is a valid group at once."""
    measures = seed_dataset.measures.copy()
    measures["category"] = measures["category"].astype(str)
    measures.loc[measures.index[0], "category"] = "harbour patrols"
    dataset = dataclasses.replace(seed_dataset, measures=measures)

    assert "harbour patrols" in allowed_values("group", dataset)
    assert check_parameters(TREND, {"group": "harbour patrols"}, dataset)["group"] == (
        "harbour patrols"
    )


@pytest.mark.parametrize("weeks", ["all", "ALL", "2020-11-09", " 2020-11-09 , 2020-11-09 "])
def test_the_documented_forms_of_weeks_pass(seed_dataset, weeks):
    assert check_parameters(TREND, {"weeks": weeks}, seed_dataset)["weeks"] == weeks


def test_weeks_that_are_not_weeks_list_the_valid_ones_without_a_parse_error(seed_dataset):
    with pytest.raises(ParameterError) as caught:
        check_parameters(TREND, {"weeks": "../../x"}, seed_dataset)

    (message,) = caught.value.problems
    assert "Unknown value '../../x' in weeks" in message
    assert "'all', or one or more of '2020-11-09' separated by commas" in message
    assert "Did you mean" not in message


def test_each_unknown_week_of_several_is_named_with_its_close_match(seed_dataset):
    with pytest.raises(ParameterError) as caught:
        check_parameters(TREND, {"weeks": "2020-11-09,2020-11-10,2020-11-11"}, seed_dataset)

    assert [p.split(".")[0] for p in caught.value.problems] == [
        "Unknown value '2020-11-10' in weeks",
        "Unknown value '2020-11-11' in weeks",
    ]
    assert all(p.endswith("Did you mean '2020-11-09'?") for p in caught.value.problems)


def test_an_unknown_operation_hides_its_weeks_but_not_the_group(seed_dataset):
    """The weeks listed depend on the operation; the measure groups do not."""
    with pytest.raises(ParameterError) as caught:
        check_parameters(
            TREND, {"operation": "Nope", "weeks": "x", "group": "seizure"}, seed_dataset
        )

    problems = caught.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("Unknown operation 'Nope'")
    assert problems[1].startswith("Unknown group 'seizure'")


@pytest.fixture
def drafts(tmp_path: Path, monkeypatch) -> Path:
    """A working folder holding drafts/release.txt and drafts/briefing.html."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "release.txt").write_text("Officers seized 12 knives.\n")
    (tmp_path / "drafts" / "briefing.html").write_text("<p>12 knives</p>\n")
    return tmp_path / "drafts"


def _file_problems(notebook: Path, value: str) -> list[str]:
    name = "draft" if notebook == DRAFT_CHECK else "document"
    try:
        check_parameters(notebook, {name: value}, paths=[name])
    except ParameterError as error:
        return error.problems
    return []


def test_a_path_parameter_naming_an_existing_file_passes(drafts):
    assert _file_problems(DRAFT_CHECK, "drafts/release.txt") == []
    assert _file_problems(DRAFT_CHECK, str(drafts / "release.txt")) == []


def test_a_missing_file_lists_the_files_of_its_folder_and_suggests_the_close_one(drafts):
    (message,) = _file_problems(DRAFT_CHECK, "drafts/relase.txt")

    assert "Parameter 'draft' of draft_check: no such file 'drafts/relase.txt'" in message
    assert "'drafts/briefing.html' or 'drafts/release.txt'" in message
    assert message.endswith("Did you mean 'drafts/release.txt'?")


def test_a_file_in_a_folder_that_does_not_exist_says_so(drafts):
    (message,) = _file_problems(DRAFT_CHECK, "/no/such/file")

    assert "no such file '/no/such/file'" in message
    assert "the folder '/no/such' does not exist" in message


def test_a_folder_is_not_a_file(drafts):
    (message,) = _file_problems(DRAFT_CHECK, "drafts")

    assert "'drafts' is a folder" in message
    assert "'drafts/release.txt'" in message


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_is_refused_unless_the_notebook_documents_what_blank_means(drafts, blank):
    """draft_check's draft has no blank meaning; extraction_review's document does ("blank:
    the first source's document"), and spaces count as blank there."""
    (message,) = _file_problems(DRAFT_CHECK, blank)
    assert "Parameter 'draft' of draft_check is blank: give the path of a file" in message
    assert _file_problems(REVIEW, blank) == []
    assert check_parameters(REVIEW, {"document": blank}, paths=["document"])["document"] == ""


def test_a_missing_document_is_refused_like_a_missing_draft(drafts):
    (message,) = _file_problems(REVIEW, "drafts/release.htm")

    assert "Parameter 'document' of extraction_review: no such file" in message
    assert "Did you mean 'drafts/release.txt'?" in message


def test_the_build_checks_the_paths_the_notebook_declares(drafts, seed_dataset):
    """build.prepare takes the path parameters from metadata.sceptre.paths."""
    from sceptre_analysis.build import BuildError, ReportRequest, prepare

    with pytest.raises(BuildError, match=r"no such file 'drafts/relase\.txt'"):
        prepare(ReportRequest("draft_check", {"draft": "drafts/relase.txt"}), dataset=seed_dataset)
    ready = prepare(
        ReportRequest("draft_check", {"draft": "drafts/release.txt"}), dataset=seed_dataset
    )
    assert ready.parameters["draft"] == str(drafts / "release.txt")
