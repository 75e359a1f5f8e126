"""Placing claims in weeks (docs/data-model.md, "Weeks"), and choosing a week for a report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sceptre_analysis.load import Dataset, load_dataset
from sceptre_analysis.params import ParameterError, allowed_values, select

HEADER = (
    "operation,period_start,period_end,agency,area,measure,value,value_high,qualifier,"
    "compared_with,context,source_id,quote,note\n"
)
MET = "Metropolitan Police Service"
ROWS = {
    # line 2: an exact week
    "exact": f"Operation Sceptre,2021-11-15,2021-11-21,{MET},London,arrests,900,,,,,"
    "met-release-2020-11-19,900 arrests,",
    # line 3: the month of that one week: joins it
    "month_with_one_week": f"Operation Sceptre,2021-11,,{MET},London,knives,300,,,,,"
    "surrey-comet-sceptre,300 knives,",
    # line 4: a month with no exact week: a week of its own, named by the month
    "month_alone": f"Operation Sceptre,2025-11,2025-11,{MET},London,knives,400,,,,,"
    "surrey-comet-sceptre,400 knives,",
    # line 5: undated, and its source has one week: joins it
    "undated_one_week": f"Operation Sceptre,,,{MET},London,searches,50,,,,,"
    "met-release-2020-11-19,50 searches,",
    # line 6: a context statistic over a year: never a week of its own; joins its source's
    "context": f"Operation Sceptre,2021-01-01,2021-12-31,{MET},London,arrests,12000,,,,"
    "arrests in 2021,met-release-2020-11-19,12000 arrests,",
    # line 7: undated, and its source has two weeks: cannot be placed
    "undated_two_weeks": f"Operation Sceptre,,,{MET},London,searches,60,,,,,"
    "surrey-comet-sceptre,60 searches,",
}


@pytest.fixture
def dataset(data_copy) -> Dataset:
    folder: Path = data_copy()
    (folder / "tallies.csv").write_text(HEADER + "\n".join(ROWS.values()) + "\n", "utf-8")
    return load_dataset(folder, documents=None)


def _week(dataset: Dataset, line: int) -> pd.Timestamp:
    tallies = dataset.tallies
    return tallies.loc[tallies["line"] == line, "week"].iloc[0]


def test_an_exact_period_is_its_own_week(dataset):
    assert _week(dataset, 2) == pd.Timestamp("2021-11-15")


def test_a_month_joins_the_one_week_in_it(dataset):
    assert _week(dataset, 3) == pd.Timestamp("2021-11-15")
    row = dataset.tallies[dataset.tallies["line"] == 3].iloc[0]
    assert (row["period_kind"], row["period_stated"]) == ("month", "2021-11")
    assert row["period_start"] == pd.Timestamp("2021-11-01")
    assert row["period_end"] == pd.Timestamp("2021-11-30")


def test_a_month_without_a_week_is_a_week_named_by_the_month(dataset):
    assert _week(dataset, 4) == pd.Timestamp("2025-11-01")
    assert "2025-11" in allowed_values("week", dataset, {"operation": "Operation Sceptre"})


def test_an_undated_claim_joins_its_sources_one_week(dataset):
    assert _week(dataset, 5) == pd.Timestamp("2021-11-15")


def test_a_context_statistic_never_makes_a_week(dataset):
    assert _week(dataset, 6) == pd.Timestamp("2021-11-15")
    weeks = allowed_values("week", dataset, {"operation": "Operation Sceptre"})
    assert weeks == ["2021-11-15", "2025-11"]


def test_an_undated_claim_of_a_source_with_two_weeks_is_listed_with_its_reason(dataset):
    assert pd.isna(_week(dataset, 7))
    unplaced = dataset.unplaced()
    assert list(unplaced["line"]) == [7]
    assert unplaced["reason"].iloc[0] == (
        "undated, and source surrey-comet-sceptre has figures for 2 weeks"
    )


def test_a_blank_week_is_the_latest_week_with_figures(dataset):
    selection = select(dataset, operation="Operation Sceptre")
    assert selection.week == pd.Timestamp("2025-11-01")
    assert list(selection.tallies["line"]) == [4]


def test_an_unknown_week_names_the_claims_that_could_not_be_placed(dataset):
    with pytest.raises(ParameterError) as caught:
        select(dataset, operation="Operation Sceptre", week="2021-11-22")
    message = str(caught.value)
    assert "Valid values: '2021-11-15' or '2025-11'" in message
    assert "1 claim of Operation Sceptre in tallies.csv could not be placed in a week" in message
    assert "line 7 (undated, and source surrey-comet-sceptre has figures for 2 weeks)" in message


def test_a_blank_week_for_an_agency_is_its_latest_week_with_figures(data_copy):
    folder = data_copy()
    extra = "Operation Sceptre,2021-11-15,2021-11-21,British Transport Police,London,arrests,7,,,,,"
    (folder / "tallies.csv").write_text(
        HEADER + ROWS["exact"] + "\n" + ROWS["month_alone"] + "\n" + extra
        + "surrey-comet-sceptre,7 arrests,\n",
        "utf-8",
    )  # fmt: skip
    dataset = load_dataset(folder, documents=None)
    assert select(dataset, operation="Operation Sceptre").week == pd.Timestamp("2025-11-01")
    btp = select(dataset, operation="Operation Sceptre", agency="BTP")
    assert btp.week == pd.Timestamp("2021-11-15")
    assert list(btp.tallies["line"]) == [4]


def _frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """(source_id, start, end, operation) rows as the loader gives them, all exact."""
    return pd.DataFrame(
        {
            "source_id": [r[0] for r in rows],
            "period_start": pd.to_datetime([r[1] for r in rows]),
            "period_end": pd.to_datetime([r[2] for r in rows]),
            "operation": [r[3] for r in rows],
            "period_kind": ["exact"] * len(rows),
        }
    )


def test_sources_that_disagree_on_a_weeks_dates_do_not_split_it():
    from sceptre_analysis.periods import place_weeks

    tallies = _frame(
        [
            ("release", "2024-11-11", "2024-11-17", "Op"),
            ("release", "2024-11-11", "2024-11-17", "Op"),
            ("paper", "2024-11-10", "2024-11-17", "Op"),  # a day early, as papers print it
            ("other-release", "2024-11-11", "2024-11-17", "Op"),
            ("force", "2024-11-13", "2024-11-14", "Op"),  # a 2-day event inside: not merged
            ("release", "2024-05-13", "2024-05-19", "Op"),  # another week: its own
            ("release", "2024-11-10", "2024-11-16", "Other op"),  # another operation
        ]
    )

    weeks = place_weeks(tallies).dt.strftime("%Y-%m-%d").tolist()

    assert weeks == [
        "2024-11-11",
        "2024-11-11",
        "2024-11-11",  # the start most sources give
        "2024-11-11",
        "2024-11-13",
        "2024-05-13",
        "2024-11-10",
    ]
