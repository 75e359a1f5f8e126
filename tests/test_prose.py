"""Prose blocks: totals with their parts as a breakdown, hedges kept, honest comparisons."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from sceptre_analysis import summary
from sceptre_analysis.figures import chosen_figures, report_data
from sceptre_analysis.load import load_dataset

FIXTURE = Path(__file__).parent / "fixtures" / "reports"
OP = "Operation Sceptre"
NATIONAL = "National (all forces)"


@pytest.fixture(scope="module")
def data():
    return report_data(load_dataset(FIXTURE, documents=None))


def _soup(markup) -> BeautifulSoup:
    return BeautifulSoup(str(markup), "html.parser")


def test_lede_gives_parts_as_the_breakdown_of_their_total(data):
    report = summary.operation_summary(data, operation=OP, week="2021-11-15", agency=NATIONAL)
    lede = _soup(report.lede_html())
    for measure, total in [
        ("knives_seized", "knives"),
        ("knives_surrendered_or_found_in_sweeps", "knives"),
        ("arrests_knife_related", "arrests"),
    ]:
        span = lede.select_one(f"span.figure[data-measure='{measure}']")
        assert span.find_parent("span", class_="breakdown")["data-of"] == total
    text = " ".join(lede.get_text(" ").split())
    assert "of which 936 knives seized by officers and 8,703" in text  # a whole decomposition
    assert "including 773 knife-related arrests" in text  # a subset: never "of which"
    assert "around 2,000 weapon sweeps" in text


def test_lede_states_per_day_rates_for_totals_only(data):
    report = summary.operation_summary(data, operation=OP, week="2021-11-15", agency=NATIONAL)
    text = " ".join(_soup(report.lede_html()).get_text(" ").split())
    assert "Over the seven days that is 1,377 knives recovered, about 282 arrests" in text
    assert "a day" in text and "knife-related arrests a day" not in text
    # hedged: "around 2,000" / 7 keeps its hedge, and no more precision than the source gave
    assert "about 286 weapon sweeps" not in text and "around 286" not in text
    assert "around 290 weapon sweeps" in text


def test_source_check_groups_findings_by_kind_and_lists_only_the_weeks_sources(data):
    check = summary.source_check(data, operation=OP, week="2022-05-16")
    findings = _soup(check.findings_html())
    kinds = [h.get_text() for h in findings.select("h3")]
    assert len(kinds) == len(set(kinds))  # one heading per kind
    assert "Same figure, different values (1)" in kinds  # 1,900 against 1,950 arrests
    disputed = findings.find(id="finding-national-all-forces-england-and-wales-arrests")
    assert disputed is not None and "1,950" in disputed.get_text()
    check.claims_html()
    listed = {li["id"] for li in _soup(check.sources_html()).select("li[id]")}
    assert listed == {"source-npcc-2022", "source-force-2022", "source-paper-2021"}


def test_trend_compares_with_the_same_season_a_year_earlier_keeping_hedges(data):
    trend = summary.trend_report(data, operation=OP, agency=NATIONAL)
    text = " ".join(_soup(trend.narrative_html()).get_text(" ").split())
    assert "In November 2021: 1,977 arrests" in text
    assert "up on 1,500 in November 2020" in text
    # "around 2,000" cannot be told apart from 1,900: the hedges overlap.
    assert "around 2,000 weapon sweeps" in text
    assert "not clearly different from (the hedges overlap) 1,900 in November 2020" in text
    # May 2022 has no May a year earlier: no comparison is invented.
    may = text.split("In May 2022:")[1].split(".")[0]
    assert "in November" not in may


def test_trend_states_shares_in_words_and_cites_every_point(data):
    trend = summary.trend_report(data, operation=OP, agency=NATIONAL)
    text = " ".join(_soup(trend.narrative_html()).get_text(" ").split())
    assert "8,703 knives surrendered or found in sweeps (90%)" in text
    assert "773 knife-related arrests (39%)" in text
    table = _soup(trend.points_table_html())
    rows = table.select("tbody tr")
    assert rows and all(row.select_one("a.cite") for row in rows)
    assert "the sources give about 10,000 knives" in text


def test_trend_leaves_missing_weeks_as_gaps(data):
    trend = summary.trend_report(data, operation=OP, agency=NATIONAL)
    # The axis is the agency's own weeks: Testshire's November 2022 is not one of them.
    assert [f"{w:%b %Y}" for w in trend.weeks] == ["Nov 2020", "Nov 2021", "May 2022"]
    assert [point is None for point in trend.families["knives"]] == [False, False, False]
    sweeps = trend.families["weapon_sweeps"]
    assert [point is None for point in sweeps] == [False, False, True]
    alt = next(c.alt for c in trend.charts if c.bars == ["weapon_sweeps"])
    assert "May 2022: no figures" in alt


def test_a_share_is_named_before_its_figure_without_a_doubled_of(data):
    import dataclasses

    from sceptre_analysis.hedges import Claim
    from sceptre_analysis.prose import item_text

    figure = next(iter(chosen_figures(data, OP, "2021-11-15", NATIONAL)))
    share = dataclasses.replace(
        figure,
        role=dataclasses.replace(
            figure.role, label="Share of arrests that were knife-related", kind="percent",
            unit="percent", suffix="%", prefix="",
        ),
        claim=Claim(32),
    )  # fmt: skip
    assert item_text(share) == "share of arrests that were knife-related (32%)"
    rate = dataclasses.replace(share, role=dataclasses.replace(share.role, label="Failure rate"))
    assert item_text(rate) == "failure rate of 32%"


def test_the_ledes_trust_sentence_counts_the_same_figures_as_the_reports_status(data):
    """The headline and the landing page never disagree on how many figures are disputed."""
    from sceptre_analysis.narrative import spell_small

    report = summary.operation_summary(data, operation=OP, week="2021-11-15", agency=NATIONAL)
    text = " ".join(_soup(report.lede_html()).get_text(" ").split())
    total = len(report.figures)
    assert f"Of the report's {spell_small(total)} figures," in text
    for part in report.meta()["status"].split(", "):
        count, status = part.split(" ", 1)
        assert f"{spell_small(int(count))} " in text.split("Of the report's")[1], status


def test_a_label_is_lowercased_in_a_sentence_unless_it_is_a_name():
    from sceptre_analysis.prose import _lower

    assert _lower("Knives seized by officers") == "knives seized by officers"
    assert _lower("Border Force referrals") == "Border Force referrals"
    assert _lower("NPCC forces") == "NPCC forces"


def test_every_breakdown_the_trend_states_is_drawn_in_its_weeks_bar(tmp_path):
    """A week whose only subset is not the one most weeks give still draws it (the prose
    states it; the chart must not show that week as "no breakdown given")."""
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    with (folder / "measures.csv").open("a", encoding="utf-8") as measures:
        measures.write(
            "arrests_stop_search,Arrests from stop and search,arrest from stop and search,"
            "arrests from stop and search,count,enforcement,,arrests,yes,Arrests after a search.\n"
        )
    with (folder / "tallies.csv").open("a", encoding="utf-8") as tallies:
        tallies.write(
            "Operation Sceptre,2022-05-16,2022-05-22,National (all forces),England and Wales,"
            "arrests_stop_search,300,,npcc-2022,300 arrests from stop and search\n"
        )
    data = report_data(load_dataset(folder, documents=None))
    trend = summary.trend_report(data, operation=OP, agency=NATIONAL)
    arrests = next(c for c in trend.charts if c.bars == ["arrests"])
    may = next(piece for piece in arrests.alt.split("; ") if piece.startswith("May 2022"))
    assert "Arrests from stop and search 300" in may
    nov = next(piece for piece in arrests.alt.split("; ") if piece.startswith("Nov 2021"))
    assert "Knife-related arrests 773" in nov and "stop and search" not in nov


def test_a_trend_states_how_many_of_its_sources_were_checked(data):
    """The landing page shows the same verification words for every kind of report."""
    import dataclasses

    trend = summary.trend_report(data, operation=OP, agency=NATIONAL)
    assert trend.meta()["verification"] == "not verified"  # the fixture has no documents
    checked = data.sources.assign(verified=True)
    data = dataclasses.replace(data, sources=checked, _reconciled={})
    assert summary.trend_report(data, operation=OP, agency=NATIONAL).meta()["verification"] == (
        "verified"
    )
