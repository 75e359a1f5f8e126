"""Roles come from measures.csv and units.csv: totals, parts, subsets, kinds, per-day."""

from __future__ import annotations

import pandas as pd
import pytest

from sceptre_analysis.roles import measure_roles

MEASURES = pd.DataFrame(
    [
        # measure, unit, category, total_of, part_of, per_day
        (
            "removed",
            "count",
            "seizures",
            "seized + handed_or_swept ; seized + handed + swept",
            "",
            "yes",
        ),
        ("seized", "count", "seizures", "", "", "yes"),
        ("handed_or_swept", "count", "seizures", "handed + swept", "", ""),
        ("handed", "count", "seizures", "", "", ""),
        ("swept", "count", "seizures", "", "", ""),
        ("drugs", "count", "seizures", "", "", "yes"),
        ("arrests", "count", "enforcement", "", "", "yes"),
        ("arrests_knife", "count", "enforcement", "", "arrests", "yes"),
        ("cash", "GBP", "seizures", "", "", ""),
        ("share_knife", "percent", "enforcement", "", "", ""),
        ("days", "days", "operation", "", "", ""),
    ],
    columns=["measure", "unit", "category", "total_of", "part_of", "per_day"],
).assign(label=lambda f: f["measure"], noun="", noun_plural="")


@pytest.fixture(scope="module")
def roles():
    return measure_roles(MEASURES)


def test_kinds_come_from_the_units_file(roles):
    assert roles["cash"].is_money and roles["cash"].prefix == "£"
    assert roles["share_knife"].is_share and roles["share_knife"].suffix == "%"
    assert roles["days"].is_duration
    assert roles["arrests"].is_count and not roles["arrests"].is_total


def test_totals_parts_and_subsets(roles):
    assert roles["removed"].is_total
    assert roles.is_part("seized") and roles.is_part("arrests_knife")
    assert roles.ancestors("handed") == {"handed_or_swept", "removed"}
    assert roles.nested("arrests", "arrests_knife") and roles.nested("removed", "swept")
    assert not roles.nested("drugs", "removed")


def test_per_day_only_where_the_data_says_yes(roles):
    assert roles["arrests"].per_day and not roles["handed"].per_day and not roles["cash"].per_day


def test_comparable_needs_same_category_and_unit_and_no_nesting(roles):
    assert roles.comparable("removed", "drugs")
    assert not roles.comparable("removed", "seized")  # a total and its part
    assert not roles.comparable("arrests", "arrests_knife")  # a subset
    assert not roles.comparable("drugs", "arrests")  # different categories
    assert not roles.comparable("drugs", "cash")  # different units


def test_outline_puts_each_part_under_the_closest_total_present(roles):
    assert roles.tree(["swept", "handed", "seized", "removed", "handed_or_swept", "drugs"]) == [
        ("removed", 0),
        ("seized", 1),
        ("handed_or_swept", 1),
        ("handed", 2),
        ("swept", 2),
        ("drugs", 0),
    ]
    # Without the combined category the finer decomposition is used directly.
    assert roles.tree(["removed", "seized", "handed", "swept"]) == [
        ("removed", 0),
        ("seized", 1),
        ("handed", 1),
        ("swept", 1),
    ]


def test_complete_decompositions_and_subsets(roles):
    assert roles.complete("removed", ["seized", "handed_or_swept"])
    assert roles.complete("removed", ["seized", "handed", "swept"])
    assert not roles.complete("removed", ["seized"])
    assert not roles.complete("arrests", ["arrests_knife"])  # part_of never adds up


def test_a_new_total_needs_no_code(roles):
    extra = pd.concat(
        [
            MEASURES,
            pd.DataFrame(
                [
                    (
                        "all_items",
                        "count",
                        "seizures",
                        "removed + drugs",
                        "",
                        "",
                        "all_items",
                        "",
                        "",
                    )
                ],
                columns=[*MEASURES.columns],
            ),
        ]
    )
    grown = measure_roles(extra)
    assert grown.roots(["all_items", "removed", "drugs", "seized"]) == ["all_items"]
    assert grown.nearest("seized", ["all_items", "removed", "seized"]) == "removed"
