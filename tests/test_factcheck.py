"""The verdict engine: synthetic draft figures against a small made-up dataset.

tests/fixtures/factcheck/synthetic holds one week (1 to 7 March 2021) for two forces and a
second week (6 to 12 September 2021) with a national total; its vocabulary (agencies,
operations, scope cues) is its own, so these tests do not move when data/ grows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sceptre_analysis.factcheck import (
    SYMBOLS,
    DraftFigure,
    FactCheckError,
    Verdict,
    check_figures,
)
from sceptre_analysis.load import load_dataset

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "factcheck" / "synthetic"
MARCH = (dt.date(2021, 3, 1), dt.date(2021, 3, 7))
SEPTEMBER = (dt.date(2021, 9, 6), dt.date(2021, 9, 12))


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(FIXTURE, documents=None)


def one(dataset, figure: DraftFigure, **filters: str) -> Verdict:
    if figure.period_start is None and "week" not in filters:
        figure = DraftFigure(
            **{**figure.__dict__, "period_start": MARCH[0], "period_end": MARCH[1]}
        )
    result = check_figures([figure], dataset, **filters)
    assert len(result.verdicts) == 1
    return result.verdicts[0]


def fig(value, measure, agency="North Force", qualifier="", **more) -> DraftFigure:
    more.setdefault("text", f"{qualifier} {value}".strip())
    return DraftFigure(
        value=value,
        qualifier=qualifier,
        measure=measure,
        agency=agency,
        **more,
    )


# ---- supported -------------------------------------------------------------------------------


def test_an_exact_figure_the_data_holds_is_supported_with_source_and_quote(dataset):
    verdict = one(dataset, fig(120, "blades"))

    assert verdict.verdict == "supported"
    assert verdict.reported is not None
    assert verdict.reported.figure == "120 blades"
    assert verdict.evidence.quote == "officers recovered 120 blades"
    assert verdict.evidence.publisher == "North Force"
    # the fixture's sources have no saved documents: say so rather than imply a check
    assert "quote not verified" in verdict.evidence.citation
    assert verdict.symbol == SYMBOLS["supported"]


def test_aliases_of_agency_and_measure_are_resolved(dataset):
    assert one(dataset, fig(120, "blades", agency="North Police")).verdict == "supported"


def test_the_figure_the_reports_use_is_the_forces_own_release_not_the_paper(dataset):
    # the gazette says 480, the force's release 500: the reports use 500
    verdict = one(dataset, fig(480, "detentions"))

    assert verdict.verdict == "contradicted"
    assert verdict.reported.value == 500
    assert verdict.reported.source_id == "north-release"
    assert "500 detentions" in verdict.reason


def test_a_total_computed_from_its_parts_supports_a_hedged_total(dataset):
    verdict = one(dataset, fig(140, "blades_total", qualifier="more than"))

    assert verdict.verdict == "supported"
    assert verdict.reported.value == 150
    assert "computed from 120 blades + 30 other items" in verdict.reason


# ---- hedges against an exact figure (North Force: 500 detentions) --------------------------


@pytest.mark.parametrize(
    ("qualifier", "value", "high", "expected"),
    [
        ("", 500, None, "supported"),
        ("", 499, None, "contradicted"),
        ("more than", 450, None, "supported"),
        ("more than", 500, None, "contradicted"),  # the figure itself is not above itself
        ("over", 600, None, "contradicted"),
        ("at least", 500, None, "supported"),
        ("no fewer than", 501, None, "contradicted"),
        ("nearly", 550, None, "supported"),  # below 550, within a tenth
        ("nearly", 600, None, "contradicted"),  # 500 is too far below "nearly 600"
        ("almost", 500, None, "contradicted"),
        ("just under", 510, None, "supported"),
        ("fewer than", 500, None, "contradicted"),
        ("up to", 600, None, "supported"),
        ("around", 480, None, "supported"),
        ("about", 600, None, "contradicted"),
        ("between", 450, 550, "supported"),
        ("between", 100, 200, "contradicted"),
    ],
)
def test_each_hedge_is_supported_only_when_it_holds(dataset, qualifier, value, high, expected):
    verdict = one(dataset, fig(value, "detentions", qualifier=qualifier, value_high=high))

    assert verdict.verdict == expected, verdict.reason
    if expected == "contradicted" and qualifier:
        assert verdict.why == "hedge cannot hold"
        assert "does not hold for 500" in verdict.reason


def test_a_lower_bound_far_below_the_figure_holds_with_a_caution(dataset):
    verdict = one(dataset, fig(100, "detentions", qualifier="more than"))

    assert verdict.verdict == "supported"
    assert "understates" in verdict.reason


# ---- hedges against a hedged figure (South Force: "more than 200 searches") ----------------


@pytest.mark.parametrize(
    ("qualifier", "value", "expected"),
    [
        ("more than", 200, "supported"),
        ("more than", 150, "supported"),  # follows from "more than 200"
        ("around", 250, "unsupported"),  # could be true; the data does not establish it
        ("", 240, "unsupported"),
        ("fewer than", 100, "contradicted"),
    ],
)
def test_a_hedged_figure_supports_only_what_follows_from_it(dataset, qualifier, value, expected):
    verdict = one(dataset, fig(value, "searches", agency="South Force", qualifier=qualifier))

    assert verdict.verdict == expected, verdict.reason
    if expected == "unsupported":
        assert "only more than 200 searches" in verdict.reason


# ---- wrong force, wrong scope --------------------------------------------------------------


def test_another_forces_figure_in_the_same_week_is_a_wrong_force(dataset):
    verdict = one(dataset, fig(44, "detentions"))

    assert verdict.verdict == "contradicted"
    assert verdict.why == "wrong force"
    assert verdict.other.agency == "South Force"
    assert verdict.other.quote == "44 detentions"
    assert verdict.reported.value == 500  # the figure the reports use for North Force
    assert "South Force" in verdict.reason and "500 detentions" in verdict.reason


def test_a_forces_figure_presented_for_the_whole_country_is_a_wrong_scope(dataset):
    verdict = one(dataset, fig(120, "blades", agency="All Test Forces"))

    assert verdict.verdict == "contradicted"
    assert verdict.why == "wrong scope"
    assert verdict.other.agency == "North Force"


@pytest.mark.parametrize("area", ["right across the land", "across Testland", "all test forces"])
def test_scope_words_from_the_data_widen_a_named_forces_figure(dataset, area):
    # words from extraction_cues.csv, an agency's area and an agency's alias
    verdict = one(dataset, fig(120, "blades", area=area))

    assert verdict.verdict == "contradicted", verdict.reason
    assert verdict.why == "wrong scope"
    assert area in verdict.reason


def test_scope_words_naming_the_forces_own_area_are_fine(dataset):
    assert one(dataset, fig(120, "blades", area="across Northshire")).verdict == "supported"


def test_a_list_presented_for_a_wider_area_gets_a_note(dataset):
    figures = [
        fig(120, "blades", area="right across the land", start=10, text="120 blades"),
        fig(30, "other_items", area="right across the land", start=20, text="30 other items"),
        fig(9, "searches", area="right across the land", start=30, text="9 searches"),
    ]
    figures = [DraftFigure(**{**f.__dict__, "period_start": MARCH[0]}) for f in figures]
    result = check_figures(figures, dataset)

    assert [v.why for v in result.verdicts] == ["wrong scope", "wrong scope", "no figure"]
    assert any(
        "repeat the North Force's own figures" in n and "9 searches" in n for n in result.notes
    )


# ---- lengths and dates ---------------------------------------------------------------------


def test_a_length_that_fits_the_week_is_supported(dataset):
    verdict = one(dataset, fig(7, "length"))

    assert verdict.verdict == "supported"
    assert verdict.reported.quote == "from Monday 1 March to Sunday 7 March"


def test_a_length_that_does_not_fit_the_week_is_contradicted(dataset):
    verdict = one(dataset, fig(6, "length"))

    assert verdict.verdict == "contradicted"
    assert verdict.why == "wrong length"
    assert "1 to 7 March 2021 is 7 days" in verdict.reason


def period(start, end, weekdays=(), agency="North Force") -> DraftFigure:
    return DraftFigure(
        kind="period",
        text="dates",
        period_start=start,
        period_end=end,
        weekdays=tuple(weekdays),
        agency=agency,
    )


def test_dates_of_the_week_with_the_right_weekdays_are_supported(dataset):
    verdict = one(dataset, period(*MARCH, [(MARCH[0], "Monday"), (MARCH[1], "Sunday")]))

    assert verdict.verdict == "supported", verdict.reason


def test_a_wrong_weekday_is_contradicted(dataset):
    verdict = one(dataset, period(*MARCH, [(MARCH[0], "Tuesday")]))

    assert verdict.verdict == "contradicted"
    assert verdict.why == "wrong weekday"
    assert "1 March 2021 was a Monday, not a Tuesday" in verdict.reason


def test_dates_that_cut_the_week_short_are_contradicted(dataset):
    verdict = one(dataset, period(MARCH[0], dt.date(2021, 3, 6)))

    assert verdict.verdict == "contradicted"
    assert verdict.why == "wrong dates"
    assert "6 days" in verdict.reason and "7 days" in verdict.reason


def test_dates_the_data_has_no_week_for_list_the_weeks_it_has(dataset):
    verdict = one(dataset, period(dt.date(2019, 5, 6), dt.date(2019, 5, 12)))

    assert verdict.verdict == "unsupported"
    assert "1 to 7 March 2021" in verdict.reason and "6 to 12 September 2021" in verdict.reason


def test_a_figures_own_dates_pick_its_week(dataset):
    autumn = DraftFigure(
        value=450, measure="detentions", agency="North Force", period_start=SEPTEMBER[0]
    )
    assert check_figures([autumn], dataset).verdicts[0].verdict == "supported"


# ---- unsupported ---------------------------------------------------------------------------


def test_a_force_the_week_lacks_gets_the_list_of_forces_it_has(dataset):
    verdict = one(dataset, fig(3, "blades", agency="All Test Forces"))

    assert verdict.verdict == "unsupported"
    assert "no figures for the All Test Forces" in verdict.reason
    assert "North Force and South Force" in verdict.reason


def test_a_measure_the_force_lacks_says_what_the_data_has_nearby(dataset):
    verdict = one(dataset, fig(7, "referrals"))

    assert verdict.verdict == "unsupported"
    assert "no people referred figure for the North Force" in verdict.reason


def test_nearby_lists_other_forces_and_other_weeks(dataset):
    verdict = one(dataset, fig(77, "searches", agency="North Force"))

    assert verdict.verdict == "unsupported"
    assert any("South Force: more than 200 searches" in n for n in verdict.nearby)


def test_a_number_with_no_measure_is_unsupported_and_names_same_numbers(dataset):
    verdict = one(dataset, DraftFigure(value=44, text="44"))

    assert verdict.verdict == "unsupported"
    assert verdict.why == "no measure"
    assert any("South Force's figure for detentions" in n for n in verdict.nearby)


def test_a_figure_without_a_force_is_supported_when_one_forces_figure_fits(dataset):
    verdict = one(dataset, fig(12, "blades", agency=None))

    assert verdict.verdict == "supported"
    assert "names no force" in verdict.reason
    assert verdict.reported.agency == "South Force"


# ---- filters and the whole result ----------------------------------------------------------


def test_filters_pick_the_week_and_the_force(dataset):
    draft = [DraftFigure(value=450, measure="detentions", text="450")]
    result = check_figures(draft, dataset, week="2021-09-06", agency="North")

    assert result.verdicts[0].verdict == "supported"


@pytest.mark.parametrize(
    ("filters", "listed"),
    [
        ({"agency": "East Force"}, "'All Test Forces', 'North Force' or 'South Force'"),
        ({"week": "2020-01-06"}, "'2021-03-01' or '2021-09-06'"),
        ({"operation": "Operation Nothing"}, "'Operation Trial'"),
        ({"week": "2021-03-01", "agency": "All Test Forces"}, "'North Force' or 'South Force'"),
    ],
)
def test_a_filter_the_data_lacks_lists_what_exists(dataset, filters, listed):
    with pytest.raises(FactCheckError) as caught:
        check_figures([], dataset, **filters)
    assert listed in str(caught.value)


def test_verdicts_come_in_draft_order_with_a_summary_line(dataset):
    figures = [
        DraftFigure(value=6, measure="length", agency="North Force", start=50, text="six"),
        DraftFigure(value=120, measure="blades", agency="North Force", start=5, text="120"),
        DraftFigure(value=9, measure="referrals", agency="North Force", start=30, text="9"),
    ]
    figures = [DraftFigure(**{**f.__dict__, "period_start": MARCH[0]}) for f in figures]
    result = check_figures(figures, dataset)

    assert [v.figure.text for v in result.verdicts] == ["120", "9", "six"]
    assert [v.number for v in result.verdicts] == [1, 2, 3]
    assert result.summary() == "3 figures: 1 supported, 1 contradicted, 1 unsupported"
    assert result.contradicted


def test_no_figures_says_so(dataset):
    result = check_figures([], dataset)

    assert result.summary() == "no figures found"
    assert not result.contradicted
