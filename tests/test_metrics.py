"""Derived figures on the frozen seed data (``fixtures/base``): totals from parts, per-day
rates, shares, hedge checks."""

from __future__ import annotations

import pandas as pd
import pytest

from sceptre_analysis.metrics import (
    check_hedges,
    derived_totals,
    hedge_holds,
    per_day_rates,
    period_days,
    shares,
)

MET = "Metropolitan Police Service"
MET_RELEASE = "met-release-2020-11-19"
COMET = "surrey-comet-sceptre"


def _rows(frame: pd.DataFrame, **where: object) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column].astype(str) == str(value)
    return frame[mask]


# ---- derived totals ------------------------------------------------------------------------------


def test_met_weapons_total_is_knives_plus_other_weapons_from_each_source(seed_dataset):
    totals = derived_totals(seed_dataset.tallies, seed_dataset.measures)
    met = _rows(totals, agency=MET, measure="weapons_total")

    assert sorted(met["source_id"]) == sorted([MET_RELEASE, COMET])
    assert list(met["value"]) == [245.0, 245.0]
    assert set(met["basis"]) == {"187 knives + 58 other offensive weapons"}
    lines = dict(zip(met["source_id"], met["lines"], strict=True))
    assert lines == {MET_RELEASE: [6, 7], COMET: [15, 16]}
    assert met["derived"].all()


def test_no_total_is_derived_where_a_source_states_only_the_total(seed_dataset):
    totals = derived_totals(seed_dataset.tallies, seed_dataset.measures)

    assert _rows(totals, agency="British Transport Police").empty
    assert set(totals["agency"].astype(str)) == {MET, "National (all forces)"}


def test_total_is_not_derived_from_a_hedged_part(make_dataset):
    dataset = make_dataset(
        [
            ("Test Police", "knives", "100", "more than", "release"),
            ("Test Police", "other_offensive_weapons", "20", "", "release"),
        ]
    )

    assert derived_totals(dataset.tallies, dataset.measures).empty


def test_total_is_not_derived_from_parts_stated_by_different_sources(make_dataset):
    dataset = make_dataset(
        [
            ("Test Police", "knives", "100", "", "release"),
            ("Test Police", "other_offensive_weapons", "20", "", "paper"),
        ]
    )

    assert derived_totals(dataset.tallies, dataset.measures).empty


# ---- per-day rates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        ("2020-11-09", "2020-11-15", 7),
        ("2020-11-09", "2020-11-09", 1),
        ("2020-10-28", "2020-11-03", 7),
        ("2020-12-28", "2021-01-03", 7),
        ("2020-02-28", "2020-03-01", 3),  # leap year
    ],
)
def test_period_days_counts_both_ends(start, end, days):
    assert period_days(start, end) == days


def test_met_arrests_per_day_over_nine_to_fifteen_november(seed_dataset):
    rates = per_day_rates(seed_dataset.tallies)
    arrests = _rows(rates, agency=MET, measure="arrests", source_id=MET_RELEASE, qualifier="")

    assert len(arrests) == 1
    row = arrests.iloc[0]
    assert row["value"] == 1002
    assert row["days"] == 7
    assert round(row["per_day"], 1) == 143.1


def test_per_day_rates_leave_out_lengths_of_the_operation(seed_dataset):
    rates = per_day_rates(seed_dataset.tallies)

    assert "operation_days" not in set(rates["measure"].astype(str))
    btp_searches = _rows(rates, agency="British Transport Police", measure="searches")
    assert round(float(btp_searches["per_day"].iloc[0]), 2) == round(258 / 7, 2)


def test_per_day_rates_are_computed_from_exact_figures_only(seed_dataset):
    rates = per_day_rates(seed_dataset.tallies)

    assert set(rates["qualifier"].astype(str)) == {""}


# ---- shares --------------------------------------------------------------------------------------


def test_knives_share_of_met_weapons_is_187_of_245(seed_dataset):
    table = shares(seed_dataset.tallies, seed_dataset.measures)
    met = _rows(table, agency=MET, source_id=MET_RELEASE, of="weapons_total")
    share = dict(zip(met["measure"], met["share"], strict=True))

    assert share["knives"] == pytest.approx(187 / 245)
    assert share["other_offensive_weapons"] == pytest.approx(58 / 245)
    assert sum(share.values()) == pytest.approx(1.0)
    assert set(met["total"]) == {245.0}


# ---- hedges --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qualifier", "stated", "actual", "holds"),
    [
        ("", 240, 240, True),
        ("", 240, 245, False),
        ("more than", 240, 245, True),
        ("more than", 240, 240, False),  # "more than 240" is not 240
        ("over", 240, 239, False),
        ("at least", 240, 240, True),
        ("no less than", 240, 239, False),
        ("fewer than", 300, 245, True),
        ("less than", 245, 245, False),
        ("up to", 245, 245, True),
        ("up to", 245, 246, False),
        ("about", 240, 264, True),  # "about": within 10 % either side
        ("around", 240, 216, True),
        ("about", 240, 265, False),
        ("about", 240, 215, False),
        ("almost", 240, 230, True),  # "almost 240": a little under
        ("nearly", 240, 216, True),
        ("almost", 240, 240, False),
        ("almost", 240, 241, False),
        ("almost", 240, 215, False),
        ("More  Than", 240, 245, True),  # case and spacing do not matter
    ],
)
def test_hedge_holds(qualifier, stated, actual, holds):
    assert hedge_holds(qualifier, stated, actual) is holds


def test_hedge_holds_for_a_range():
    assert hedge_holds("between", 800, 900, high=1000) is True
    assert hedge_holds("between", 800, 1001, high=1000) is False


def test_every_qualifier_in_the_vocabulary_can_be_checked(seed_dataset):
    for qualifier in seed_dataset.vocabulary.qualifiers.values():
        high = 12 if qualifier.meaning == "range" else None
        hedge_holds(qualifier.phrase, 10, 10, seed_dataset.vocabulary, high=high)  # no raise


def test_hedge_holds_rejects_unknown_words_naming_them():
    with pytest.raises(ValueError, match="bazillion"):
        hedge_holds("bazillion", 1, 2)


def test_check_hedges_on_the_seed_data(seed_dataset):
    checks = check_hedges(seed_dataset.tallies, seed_dataset.measures)
    by_line = checks.set_index("line")

    assert sorted(by_line.index) == [2, 3, 10]
    assert by_line["holds"].tolist() == [True, True, True]
    weapons = by_line.loc[2]
    assert weapons["claim"] == "more than 240 weapons"
    assert weapons["exact"] == 245
    assert "187 knives + 58 other offensive weapons" in weapons["basis"]
    assert "holds against 245" in weapons["verdict"]
    arrests = by_line.loc[3]
    assert arrests["claim"] == "over 1,000 arrests"
    assert arrests["exact"] == 1002
    assert "holds against 1,002" in arrests["verdict"]


def test_check_hedges_prefers_the_claims_own_source_as_evidence(seed_dataset):
    checks = check_hedges(seed_dataset.tallies, seed_dataset.measures)
    comet = checks[checks["line"] == 10].iloc[0]

    assert comet["basis"].endswith(f"({COMET})")


def test_check_hedges_cites_whole_line_numbers(seed_dataset):
    checks = check_hedges(seed_dataset.tallies, seed_dataset.measures)
    arrests = checks[checks["line"] == 3].iloc[0]

    assert arrests["basis"] == f"stated on line 9 ({MET_RELEASE})"


def test_check_hedges_reports_a_hedge_that_fails(make_dataset):
    dataset = make_dataset(
        [
            ("Test Police", "weapons_total", "300", "more than", "release"),
            ("Test Police", "knives", "187", "", "release"),
            ("Test Police", "other_offensive_weapons", "58", "", "release"),
        ]
    )
    checks = check_hedges(dataset.tallies, dataset.measures)

    assert len(checks) == 1
    row = checks.iloc[0]
    assert bool(row["holds"]) is False
    assert row["exact"] == 245
    assert "does NOT hold against 245" in row["verdict"]


def test_check_hedges_without_exact_evidence_leaves_holds_missing(make_dataset):
    dataset = make_dataset([("Test Police", "arrests", "50", "about", "paper")])
    checks = check_hedges(dataset.tallies, dataset.measures)

    assert pd.isna(checks.iloc[0]["holds"])
    assert checks.iloc[0]["verdict"] == "no exact figure to check against"


# ---- alternatives, and a part stated twice (issue 7.7) -------------------------------------

PARTS_MEASURES = """\
knives_seized,Knives seized,knife,knives,count,seizures,,knives,,Seized by officers.
knives_surrendered,Knives surrendered,knife,knives,count,seizures,,knives,,Handed in.
knives_found,Knives found in sweeps,knife,knives,count,seizures,,knives,,Found in sweeps.
"""


@pytest.fixture
def parts_dataset(tmp_path):
    """The base data with knives as seized + surrendered + found, or seized + surrendered."""
    import shutil
    from pathlib import Path

    from sceptre_analysis.load import load_dataset

    base = Path(__file__).resolve().parent / "fixtures" / "base"

    def make(rows: list[tuple[str, str, str]]):
        folder = tmp_path / "parts"
        shutil.copytree(base, folder, dirs_exist_ok=True)
        measures = (base / "measures.csv").read_text(encoding="utf-8").splitlines()
        header = "measure,label,noun,noun_plural,unit,category,total_of,part_of,per_day,description"
        lines = [header]
        for line in measures[1:]:
            cells = line.split(",", 7)
            if cells[0] == "knives":
                cells[6] = (
                    "knives_seized + knives_surrendered + knives_found ; "
                    "knives_seized + knives_surrendered"
                )
            lines.append(",".join([*cells[:7], "", "", cells[7]]))
        text = "\n".join(lines) + "\n" + PARTS_MEASURES
        (folder / "measures.csv").write_text(text, encoding="utf-8")
        tallies = [
            "operation,period_start,period_end,agency,area,measure,value,qualifier,source_id,quote"
        ] + [
            f"Operation Sceptre,2020-11-09,2020-11-15,{MET},London,{measure},{value},,"
            f"{MET_RELEASE},{quote}"
            for measure, value, quote in rows
        ]
        (folder / "tallies.csv").write_text("\n".join(tallies) + "\n", encoding="utf-8")
        return load_dataset(folder, documents=None)

    return make


def test_a_part_stated_twice_headline_and_list_gives_one_total_not_a_crash(parts_dataset):
    """Regression: a headline and a list both giving the seized knives raised
    'Length mismatch', and every report failed."""
    dataset = parts_dataset(
        [
            ("knives_seized", "100", "police seized 100 knives"),  # the headline
            ("knives_seized", "100", "knives seized: 100"),  # the list
            ("knives_surrendered", "50", "50 were surrendered"),
        ]
    )
    totals = derived_totals(dataset.tallies, dataset.measures)
    knives = _rows(totals, measure="knives")
    assert list(knives["value"]) == [150.0]
    assert knives["parts"].iloc[0] == ["knives_seized", "knives_surrendered"]
    assert knives["lines"].iloc[0] == [2, 4]
    shares_table = shares(dataset.tallies, dataset.measures)
    assert sorted(_rows(shares_table, of="knives")["value"]) == [50.0, 100.0]


def test_the_most_detailed_decomposition_the_source_states_is_used(parts_dataset):
    dataset = parts_dataset(
        [
            ("knives_seized", "100", "100 seized"),
            ("knives_surrendered", "50", "50 surrendered"),
            ("knives_found", "5", "5 found in sweeps"),
        ]
    )
    knives = _rows(derived_totals(dataset.tallies, dataset.measures), measure="knives")
    assert list(knives["value"]) == [155.0]
    assert knives["basis"].iloc[0] == "100 knives + 50 knives + 5 knives"


def test_a_part_stated_with_two_different_values_gives_no_total(parts_dataset):
    dataset = parts_dataset(
        [
            ("knives_seized", "100", "100 seized"),
            ("knives_seized", "120", "120 seized"),
            ("knives_surrendered", "50", "50 surrendered"),
        ]
    )
    assert _rows(derived_totals(dataset.tallies, dataset.measures), measure="knives").empty
