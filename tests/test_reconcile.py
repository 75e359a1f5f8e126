"""Reconciliation: the seed data's known contradictions are caught and explained, nothing else."""

from __future__ import annotations

import pandas as pd
import pytest

from sceptre_analysis.load import QUALIFIERS
from sceptre_analysis.reconcile import STATUS_ORDER, reconcile

MET = "Metropolitan Police Service"
MET_RELEASE = "met-release-2020-11-19"


def _reconcile(dataset) -> pd.DataFrame:
    return reconcile(dataset.tallies, dataset.sources, dataset.measures, QUALIFIERS)


@pytest.fixture(scope="module")
def seed_rec(seed_dataset) -> pd.DataFrame:
    return _reconcile(seed_dataset)


def _row(rec: pd.DataFrame, agency: str, measure: str) -> pd.Series:
    found = rec[(rec["agency"].astype(str) == agency) & (rec["measure"] == measure)]
    assert len(found) == 1, f"expected one row for {agency} / {measure}, got {len(found)}"
    return found.iloc[0]


# ---- the seed data -------------------------------------------------------------------------------


def test_seed_data_has_exactly_two_conflicts_and_one_scope_problem(seed_rec):
    problems = seed_rec[seed_rec["status"].astype(str).isin(["conflict", "scope"])]

    assert sorted(zip(problems["status"].astype(str), problems["measure"], strict=True)) == [
        ("conflict", "arrests"),
        ("conflict", "operation_days"),
        ("scope", "(whole list)"),
    ]


def test_problems_are_listed_first(seed_rec):
    order = [STATUS_ORDER.index(str(s)) for s in seed_rec["status"]]

    assert order == sorted(order)
    assert str(seed_rec["status"].iloc[0]) == "conflict"


def test_met_arrests_44_against_1002_is_a_conflict_blamed_on_btp_figure(seed_rec):
    row = _row(seed_rec, MET, "arrests")

    assert row["status"] == "conflict"
    assert row["lines"] == [3, 9, 11, 18]
    explanation = row["explanation"]
    assert "44 arrests" in explanation
    assert "1,002 arrests" in explanation
    assert "Surrey Comet (line 11)" in explanation
    # the 44 is the British Transport Police's arrests figure, and the reader is told so
    assert "British Transport Police" in explanation
    assert "line 21" in explanation


def test_met_arrests_chosen_figure_is_1002_from_the_met_release(seed_rec):
    row = _row(seed_rec, MET, "arrests")

    assert row["chosen"] == 1002
    assert row["chosen_source"] == MET_RELEASE
    assert "A primary source (Metropolitan Police Service)" in row["reason"]
    assert "exact figure" in row["reason"]
    assert "preferred over 1 disagreeing source" in row["reason"]


def test_six_day_effort_against_nine_to_fifteen_november_is_a_conflict(seed_rec):
    row = _row(seed_rec, MET, "operation_days")

    assert row["status"] == "conflict"
    explanation = row["explanation"]
    assert "Surrey Comet (line 13)" in explanation
    assert "six-day" in explanation
    assert "9 to 15 November 2020" in explanation
    assert "seven days" in explanation
    assert row["chosen"] == 7


def test_across_the_country_list_equal_to_met_london_figures_is_a_scope_problem(seed_rec):
    row = _row(seed_rec, "National (all forces)", "(whole list)")

    assert row["status"] == "scope"
    assert row["area"] == "across the country"
    assert row["lines"] == [25, 26, 27, 28, 29, 30, 31]
    explanation = row["explanation"]
    assert "Metropolitan Police Service" in explanation
    assert "London" in explanation
    for figure in ["1,002 arrests", "564 drugs and illegal items", "187 knives"]:
        assert figure in explanation
    assert "58 other offensive weapons" in explanation
    assert pd.isna(row["chosen"])


def test_187_knives_agreed_by_both_sources_is_consistent(seed_rec):
    row = _row(seed_rec, MET, "knives")

    assert row["status"] == "consistent"
    assert row["chosen"] == 187
    assert row["chosen_source"] == MET_RELEASE
    assert row["lines"] == [6, 15]
    assert "2 independent sources agree on 187 knives" in row["explanation"]


def test_more_than_240_weapons_is_consistent_with_the_derived_245(seed_rec):
    row = _row(seed_rec, MET, "weapons_total")

    assert row["status"] == "consistent"
    assert row["chosen"] == 245
    assert "more than 240 weapons" in row["explanation"]
    assert "187 knives + 58 other offensive weapons" in row["explanation"]


def test_btp_figures_are_not_flagged(seed_rec):
    btp = seed_rec[seed_rec["agency"].astype(str) == "British Transport Police"]

    assert set(btp["status"].astype(str)) == {"consistent"}
    assert _row(seed_rec, "British Transport Police", "arrests")["chosen"] == 44


# ---- small synthetic frames ----------------------------------------------------------------------


def test_two_sources_agreeing_exactly_is_no_conflict(make_dataset):
    dataset = make_dataset(
        [
            ("Test Police", "arrests", "120", "", "release"),
            ("Test Police", "arrests", "120", "", "paper"),
        ]
    )
    rec = _reconcile(dataset)

    assert len(rec) == 1
    row = rec.iloc[0]
    assert row["status"] == "consistent"
    assert row["chosen"] == 120
    assert row["chosen_source"] == "release"
    assert "agree on 120 arrests" in row["explanation"]


def test_a_hedge_that_does_not_hold_is_a_conflict(make_dataset):
    dataset = make_dataset(
        [
            ("Test Police", "weapons_total", "300", "more than", "paper"),
            ("Test Police", "knives", "187", "", "release"),
            ("Test Police", "other_offensive_weapons", "58", "", "release"),
        ]
    )
    row = _row(_reconcile(dataset), "Test Police", "weapons_total")

    assert row["status"] == "conflict"
    assert "more than 300 weapons" in row["explanation"]
    assert "does not fit the total computed from the parts" in row["explanation"]
    assert "more than 300 does not hold for 245" in row["explanation"]
    assert row["chosen"] == 245


def test_a_hedge_that_holds_is_consistent(make_dataset):
    dataset = make_dataset(
        [
            ("Test Police", "arrests", "1000", "over", "paper"),
            ("Test Police", "arrests", "1002", "", "release"),
        ]
    )
    row = _row(_reconcile(dataset), "Test Police", "arrests")

    assert row["status"] == "consistent"
    assert row["chosen"] == 1002


def test_differing_exact_figures_prefer_the_agencys_own_release(make_dataset):
    dataset = make_dataset(
        [
            ("Test Police", "searches", "90", "", "paper"),
            ("Test Police", "searches", "80", "", "release"),
        ]
    )
    row = _row(_reconcile(dataset), "Test Police", "searches")

    assert row["status"] == "conflict"
    assert row["chosen"] == 80
    assert row["chosen_source"] == "release"
    assert "Local Paper (line 2) gives 90 searches" in row["explanation"]


def test_a_stated_length_that_matches_the_dates_is_consistent(make_dataset):
    dataset = make_dataset(
        [
            ("Test Police", "operation_days", "7", "", "release"),
            ("Test Police", "operation_days", "7", "", "paper"),
        ]
    )

    assert str(_reconcile(dataset)["status"].iloc[0]) == "consistent"
