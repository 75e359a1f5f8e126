"""Chosen figures: hedges kept, statuses honest, periods from the selected rows, enough rows."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from sceptre_analysis import summary
from sceptre_analysis.figures import (
    Period,
    chosen_figures,
    enough_figures,
    figure_text,
    report_data,
    reportable_agencies,
)
from sceptre_analysis.hedges import Claim
from sceptre_analysis.load import load_dataset

FIXTURE = Path(__file__).parent / "fixtures" / "reports"
OP = "Operation Sceptre"
NATIONAL = "National (all forces)"


@pytest.fixture(scope="module")
def data():
    return report_data(load_dataset(FIXTURE, documents=None))


def _verified(data, *source_ids):
    """The same data with these sources marked as checked against a saved document."""
    sources = data.sources.assign(verified=data.sources["source_id"].isin(source_ids))
    return dataclasses.replace(data, sources=sources, _reconciled={})


@pytest.mark.parametrize(
    ("start", "end", "kind", "wording", "text"),
    [
        ("2021-11-15", "2021-11-21", "exact", "week of action", "15 to 21 November 2021"),
        ("2022-11-14", "2022-11-15", "exact", "two-day operation", "14 to 15 November 2022"),
        ("2022-01-01", "2022-02-28", "exact", "59-day operation", "1 January to 28 February 2022"),
        ("2018-09-01", "2018-09-30", "month", "operation", "September 2018"),
    ],
)
def test_period_wording_follows_the_dates(start, end, kind, wording, text):
    period = Period(pd.Timestamp(start), pd.Timestamp(end), kind)
    assert period.wording == wording
    assert period.text == text


def test_hedges_are_kept_in_the_words():
    roles = None
    assert figure_text(Claim(9639, "more", phrase="over"), roles) == "over 9,639"
    assert figure_text(Claim(800, "range", high=1000), roles) == "between 800 and 1,000"
    assert (
        figure_text(Claim(14, "more", phrase="over", direction="increase"), roles)
        == "an increase of over 14"
    )


def test_hedged_figure_keeps_its_hedge_and_noun(data):
    figures = {f.measure: f for f in chosen_figures(data, OP, "2021-11-15", NATIONAL)}
    assert figures["weapon_sweeps"].text == "around 2,000 weapon sweeps"
    assert figures["weapon_sweeps"].hedged


def test_a_total_computed_from_its_parts_says_so_and_keeps_the_stated_hedge(data):
    knives = {f.measure: f for f in chosen_figures(data, OP, "2021-11-15", NATIONAL)}["knives"]
    assert knives.derived and knives.value == 936 + 8703
    assert "936" in knives.basis and "8,703" in knives.basis
    assert [words for words, *_ in knives.as_stated] == ["over 9,639 knives"]
    assert [quote for *_, quote in knives.as_stated] == ["over 9639 knives"]


def test_status_words(data):
    unchecked = {f.measure: f.status for f in chosen_figures(data, OP, "2021-11-15", NATIONAL)}
    assert set(unchecked.values()) <= {"not verified", "disputed"}
    checked = _verified(data, "npcc-2021", "paper-2021")
    status = {f.measure: f.status for f in chosen_figures(checked, OP, "2021-11-15", NATIONAL)}
    assert status["arrests"] == "confirmed"  # NPCC and the paper, two publishers
    assert status["arrests_knife_related"] == "single source"
    assert status["knives"] == "disputed"  # "over 9,639" does not hold for 936 + 8,703
    only_npcc = _verified(data, "npcc-2021")
    status = {f.measure: f.status for f in chosen_figures(only_npcc, OP, "2021-11-15", NATIONAL)}
    assert status["arrests"] == "single source"  # the paper cannot be checked
    assert status["schools_engaged"] == "not verified"  # only the paper gives it


def test_disputed_links_to_an_explanation_in_the_same_report(data):
    report = summary.operation_summary(data, operation=OP, week="2022-05-16", agency=NATIONAL)
    table = BeautifulSoup(str(report.figures_table_html()), "html.parser")
    disputes = BeautifulSoup(str(report.disputes_html()), "html.parser")
    links = table.select("a.status.disputed")
    assert links
    for link in links:
        assert disputes.find(id=link["href"][1:]) is not None


def test_sources_list_is_exactly_what_the_report_cites(data):
    report = summary.operation_summary(data, operation=OP, week="2022-05-16", agency=NATIONAL)
    html = "".join(
        str(block)
        for block in (
            report.lede_html(),
            report.figures_table_html(),
            report.other_agencies_html(),
            report.disputes_html(),
        )
    )
    cited = {a["href"][1:] for a in BeautifulSoup(html, "html.parser").select("a.cite")}
    listed = BeautifulSoup(str(report.sources_html()), "html.parser").select("li[id]")
    assert cited == {li["id"] for li in listed}
    # The paper only disputes the arrests and gives nothing for the force: still cited once.
    assert "source-paper-2021" in cited


def test_areas_are_shown_when_an_agency_has_more_than_one(data):
    report = summary.operation_summary(
        data, operation=OP, week="2022-05-16", agency="Testshire Police"
    )
    rows = report.meta()["figures"]
    assert {row["Area"] for row in rows} == {"North", "South"}
    arrests = sorted(row["Figure"] for row in rows if row["Measure"] == "Arrests")
    assert arrests == ["20", "30"]  # two areas, never added or merged
    lede = BeautifulSoup(str(report.lede_html()), "html.parser").get_text()
    assert "North" in lede and "South" in lede


def test_the_period_is_the_agencys_own(data):
    report = summary.operation_summary(
        data, operation=OP, week="2022-11-14", agency="Testshire Police"
    )
    assert report.period.heading == "Two-day operation, 14 to 15 November 2022"
    assert (
        summary.title_fields(
            data.dataset,
            "operation_summary",
            {"operation": OP, "week": "2022-11-14", "agency": "Testshire Police"},
        )["period_heading"]
        == "Two-day operation, 14 to 15 November 2022"
    )


def test_per_day_rates_only_where_measures_say_so(data):
    report = summary.operation_summary(
        data, operation=OP, week="2022-05-16", agency="Testshire Police"
    )
    rows = {(row["Area"], row["Measure"]): row for row in report.meta()["figures"]}
    assert rows[("South", "Cash seized")]["Per day"] == ""  # per_day blank for cash
    assert rows[("South", "Arrests")]["Per day"] == "about 4"  # 30 / 7


def test_enough_figures_for_a_report(data, tmp_path):
    assert enough_figures(chosen_figures(data, OP, "2021-11-15", NATIONAL))
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    with (folder / "tallies.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "Operation Sceptre,2021-11-15,2021-11-21,Testshire Police,Testshire,arrests,9,,"
            "force-2022,9 arrests\n"
        )
    grown = report_data(load_dataset(folder, documents=None))
    assert "Testshire Police" not in reportable_agencies(grown, OP, "2021-11-15")
    assert NATIONAL in reportable_agencies(grown, OP, "2021-11-15")


def test_a_total_no_source_states_is_computed_from_a_whole_breakdown(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    tallies = folder / "tallies.csv"
    lines = tallies.read_text(encoding="utf-8").splitlines(keepends=True)
    tallies.write_text("".join(x for x in lines if "over 9639 knives" not in x), "utf-8")
    data = report_data(load_dataset(folder, documents=None))
    figures = {f.measure: f for f in chosen_figures(data, OP, "2021-11-15", NATIONAL)}
    knives = figures["knives"]
    assert knives.derived and knives.value == 936 + 8703
    assert knives.basis == "936 knives seized + 8,703 knives surrendered or found in sweeps"
    # Arrests have only a subset (part_of): never a computed total from it.
    assert not figures["arrests"].derived
    report = summary.operation_summary(data, operation=OP, week="2021-11-15", agency=NATIONAL)
    lede = BeautifulSoup(str(report.lede_html()), "html.parser").get_text()
    assert "9,639 knives recovered (computed: the sum of its parts)" in lede


def test_a_length_in_a_table_cell_says_days_and_a_count_leaves_its_noun_to_the_label(data):
    roles = data.roles
    length = next(m for m in roles if roles[m].is_duration)
    count = next(m for m in roles if roles[m].kind == "count" and roles[m].noun)
    assert figure_text(Claim(7, "exact"), roles[length], noun=False) == "7 days"
    assert figure_text(Claim(1, "exact"), roles[length], noun=False) == "1 day"
    assert figure_text(Claim(7, "exact"), roles[count], noun=False) == "7"


def test_a_figure_that_joined_the_week_by_its_month_gets_no_per_day_rate(tmp_path):
    """ "3,100 drugs and illegal items in November" covers the month, not the seven days: it
    stays in the week's report, but no rate divides it by the week's days."""
    from sceptre_analysis.tables import per_day_text

    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    with (folder / "tallies.csv").open("a", encoding="utf-8") as tallies:
        tallies.write(
            "Operation Sceptre,2021-11,2021-11,National (all forces),England and Wales,"
            "drugs_illegal_items,3100,,paper-2021,3100 drugs and illegal items in November\n"
        )
    data = report_data(load_dataset(folder, documents=None))
    figures = {f.measure: f for f in chosen_figures(data, OP, "2021-11-15", NATIONAL)}
    drugs = figures["drugs_illegal_items"]
    assert drugs.period.kind == "month" and per_day_text(drugs) == ""
    assert per_day_text(figures["arrests"]) == "about 282"  # 1,977 over the week's 7 days


def test_a_fraction_reads_as_a_percentage(data):
    import dataclasses

    from sceptre_analysis.figures import number_text

    role = next(iter(data.roles.values()))
    fraction = dataclasses.replace(role, kind="fraction", unit="fraction", prefix="", suffix="")
    assert number_text(fraction)(0.2) == "20%"
    assert number_text(fraction)(0.333) == "33.3%"
