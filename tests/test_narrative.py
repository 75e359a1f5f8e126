"""Words from numbers: what a reader sees in the prose of every report."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sceptre_analysis.narrative import (
    cite,
    format_date,
    format_period,
    format_value,
    hedged_figure,
    join_words,
    plural,
    spell_small,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1002, "1,002"),
        (1002.0, "1,002"),
        (2900, "2,900"),
        (1234567, "1,234,567"),
        (44, "44"),
        (0, "0"),
    ],
)
def test_counts_get_thousands_separators_and_no_decimals(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1940, "£1,940"),
        (1940.0, "£1,940"),
        (1940.5, "£1,940.50"),
        (1940.05, "£1,940.05"),
        (0.5, "£0.50"),
        (1250000, "£1,250,000"),
    ],
)
def test_pounds_show_pence_only_when_there_are_any(value, text):
    assert format_value(value, "GBP") == text


def test_missing_value_is_a_dash_not_nan():
    assert format_value(pd.NA) == "–"
    assert format_value(float("nan"), "GBP") == "–"


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 knives"), (1, "1 knife"), (1.0, "1 knife"), (2, "2 knives"), (187, "187 knives")],
)
def test_knife_plurals(count, text):
    assert hedged_figure(count, noun="knife") == text


def test_plural_override_for_phrases_inflect_cannot_handle():
    singular = "person referred to intervention programmes"
    plural_form = "people referred to intervention programmes"

    assert plural(singular, 1, plural_form) == singular
    assert plural(singular, 44, plural_form) == plural_form
    assert hedged_figure(
        564, noun="drug or illegal item", noun_plural="drugs and illegal items"
    ) == ("564 drugs and illegal items")


@pytest.mark.parametrize(
    ("noun", "text"),
    [("search", "258 searches"), ("weapon sweep", "258 weapon sweeps"), ("arrest", "258 arrests")],
)
def test_plurals_of_the_measures_nouns(noun, text):
    assert hedged_figure(258, noun=noun) == text


@pytest.mark.parametrize(
    ("qualifier", "value", "noun", "text"),
    [
        ("more than", 240, "weapon", "more than 240 weapons"),
        ("over", 1000, "arrest", "over 1,000 arrests"),
        ("about", 1, "knife", "about 1 knife"),
        ("almost", 2900, "weapon sweep", "almost 2,900 weapon sweeps"),
        ("", 245, "weapon", "245 weapons"),
    ],
)
def test_hedges_are_kept_word_for_word(qualifier, value, noun, text):
    assert hedged_figure(value, qualifier=qualifier, noun=noun) == text


def test_money_hedge_and_noun():
    assert hedged_figure(1940, unit="GBP", noun="cash") == "£1,940 in cash"
    assert hedged_figure(1940, unit="GBP", qualifier="about") == "about £1,940"


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        ("2020-11-09", "2020-11-15", "9 to 15 November 2020"),
        ("2020-10-28", "2020-11-03", "28 October to 3 November 2020"),
        ("2020-12-28", "2021-01-03", "28 December 2020 to 3 January 2021"),
        ("2020-11-09", "2020-11-09", "9 November 2020"),
        (dt.date(2020, 11, 1), pd.Timestamp("2020-11-07"), "1 to 7 November 2020"),
    ],
)
def test_format_period_spells_out_only_what_differs(start, end, text):
    assert format_period(start, end) == text


def test_format_date_has_no_leading_zero_and_blank_when_unknown():
    assert format_date(pd.Timestamp("2020-11-01")) == "1 November 2020"
    assert format_date(pd.NaT) == ""
    assert format_date(None) == ""


@pytest.mark.parametrize("blank", [pd.NaT, None, float("nan")])
def test_cite_an_undated_source_says_undated(blank):
    source = {
        "source_id": "surrey-comet-sceptre",
        "publisher": "Surrey Comet",
        "title": "",
        "published": blank,
    }

    assert cite(source) == "Surrey Comet, undated"


def test_cite_a_dated_source_with_title():
    source = {
        "source_id": "met-release-2020-11-19",
        "publisher": "Metropolitan Police Service",
        "title": "Met Police seize more than 240 weapons during week-long knife crime crack down",
        "published": pd.Timestamp("2020-11-19"),
    }

    assert cite(source) == (
        "Metropolitan Police Service, “Met Police seize more than 240 weapons during week-long "
        "knife crime crack down”, 19 November 2020"
    )


def test_cite_uses_the_source_id_when_the_publisher_is_blank():
    assert cite({"source_id": "x-1", "publisher": "", "published": None}) == "x-1, undated"


def test_cite_of_the_seed_sources(seed_dataset):
    rows = {row["source_id"]: row for row in seed_dataset.sources.to_dict("records")}

    assert cite(rows["surrey-comet-sceptre"]) == "Surrey Comet, undated"
    assert cite(rows["met-release-2020-11-19"]).endswith(", 19 November 2020")


def test_join_words_has_no_serial_comma():
    assert join_words(["a"]) == "a"
    assert join_words(["a", "b"]) == "a and b"
    assert join_words(["a", "b", "c"]) == "a, b and c"
    assert join_words(["a", "", "c"], "or") == "a or c"
    assert join_words([]) == ""


def test_spell_small_numbers_in_words_up_to_nine():
    assert [spell_small(n) for n in (0, 1, 6, 7, 9, 10, 1002)] == [
        "zero",
        "one",
        "six",
        "seven",
        "nine",
        "10",
        "1,002",
    ]
