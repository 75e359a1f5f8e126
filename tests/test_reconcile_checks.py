"""Each named check on small synthetic claims: what it finds, what it leaves alone, and the
figure the reports use. The cases mirror contradictions of real coverage (see the corpus)."""

from __future__ import annotations

import pandas as pd
import pytest
from reconcile_support import build, claim

from sceptre_analysis.reconcile import CHECKS, analyse, findings_html

NATIONAL = "National (all forces)"


def run(rows, **kw):
    return analyse(build(rows, **kw))


def kinds(result) -> list[str]:
    return list(result.findings["kind"])


def of_kind(result, kind: str) -> pd.DataFrame:
    return result.findings[result.findings["kind"] == kind]


def figure(result, measure: str, agency: str = "Test Police") -> pd.Series:
    f = result.figures
    rows = f[(f["measure"] == measure) & (f["agency"] == agency)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# ---- every check ------------------------------------------------------------------------------


def test_every_check_has_a_one_sentence_rule():
    assert len(CHECKS) == 10
    for check in CHECKS:
        assert check.rule.endswith("."), check.name
        assert check.rule.count(". ") == 0, check.name


# ---- 1. same figure, different values ---------------------------------------------------------


def test_a_tie_goes_to_the_majority_of_independent_sources_not_the_newest():
    # Met 2021-11: 2,745 weapon sweeps (two papers) against a lone 2,400 published later
    result = run(
        [
            claim("weapon_sweeps", 2745, source="paper", quote="2,745 weapon sweeps"),
            claim("weapon_sweeps", 2745, source="gazette", quote="carried out 2,745 sweeps"),
            claim("weapon_sweeps", 2400, source="blog", quote="after 2,400 weapon sweeps"),
        ]
    )
    row = figure(result, "weapon_sweeps")
    assert row["chosen"] == 2745
    assert "stated by 2 independent sources" in row["reason"]
    finding = of_kind(result, "different_values").iloc[0]
    assert "Blog (line 4) gives 2,400 weapon sweeps" in finding["explanation"]
    assert finding["decision"].startswith("The reports use 2,745 weapon sweeps")


def test_republished_copies_of_one_release_count_once():
    copy = [
        claim("arrests", 937, source="paper", quote="937 arrests being made"),
        claim(
            "warrants_executed" if False else "retailer_visits",
            290,
            source="paper",
            quote="290 retailer visits",
        ),
        claim("weapon_sweeps", 2400, source="paper", quote="2,400 weapon sweeps"),
    ]
    copied = [dict(r, source_id="gazette") for r in copy]
    other = claim("weapon_sweeps", 2745, source="blog", quote="2,745 weapon sweeps")
    result = run([*copy, *copied, other])
    # the gazette repeats the paper word for word: 2,400 has one release, 2,745 one; the newest
    # (the blog) breaks the tie
    assert figure(result, "weapon_sweeps")["chosen"] == 2745
    assert figure(result, "weapon_sweeps")["n_releases"] == 2


def test_without_copies_the_two_papers_outvote_the_blog():
    rows = [
        claim("weapon_sweeps", 2400, source="paper", quote="2,400 weapon sweeps"),
        claim("weapon_sweeps", 2400, source="gazette", quote="sweeps: 2,400"),
        claim("weapon_sweeps", 2745, source="blog", quote="2,745 weapon sweeps"),
    ]
    assert figure(run(rows), "weapon_sweeps")["chosen"] == 2400


def test_primary_before_secondary_and_exact_before_hedged():
    result = run(
        [
            claim("arrests", 90, source="paper"),
            claim("arrests", 90, source="gazette"),
            claim("arrests", 80, source="release"),
            claim("knives", 100, "more than", source="npcc", agency="Other Police"),
            claim("knives", 120, source="npcc", agency="Other Police"),
        ]
    )
    assert figure(result, "arrests")["chosen"] == 80
    assert figure(result, "knives", "Other Police")["chosen"] == 120


def test_a_deviant_is_blamed_on_another_forces_figure_only_when_specific():
    # seed: 44 Met arrests are BTP's 44 arrests; a count of 11 is a coincidence
    result = run(
        [
            claim("arrests", 1002),
            claim("arrests", 44, source="paper"),
            claim("arrests", 44, source="paper", agency="Other Police", area="Otherland"),
            claim("weapon_sweeps", 300),
            claim("weapon_sweeps", 11, source="paper"),
            claim(
                "knives_found_in_sweeps",
                11,
                source="paper",
                agency="Other Police",
                area="Otherland",
            ),
        ]
    )
    findings = of_kind(result, "different_values").set_index("measure")
    assert "44 arrests for the Other Police" in findings.loc["arrests", "explanation"]
    assert "same number" not in findings.loc["weapon_sweeps", "explanation"]


# ---- 2. hedges -----------------------------------------------------------------------------


def test_hedged_against_hedged_that_cannot_both_be_true():
    result = run(
        [
            claim("weapons_total", 200, "nearly", source="paper"),
            claim("weapons_total", 240, "more than", source="release"),
        ]
    )
    finding = of_kind(result, "hedge_vs_hedge").iloc[0]
    assert "nearly 200" in finding["explanation"] and "more than 240" in finding["explanation"]
    assert "cannot both be true" in finding["explanation"]


def test_over_n_when_the_sources_own_parts_make_exactly_n():
    # NPCC 2021-11: "Over 9,639 knives", 936 seized + 8,703 surrendered or found
    result = run(
        [
            claim("knives", 9639, "over", source="npcc", agency=NATIONAL, area="England and Wales"),
            claim("knives_seized", 936, source="npcc", agency=NATIONAL, area="England and Wales"),
            claim(
                "knives_surrendered_or_found_in_sweeps",
                8703,
                source="npcc",
                agency=NATIONAL,
                area="England and Wales",
            ),
        ]
    )
    finding = of_kind(result, "hedge_own_total").iloc[0]
    assert "cannot be true" in finding["explanation"]
    assert "936 knives seized + 8,703" in finding["explanation"]
    row = figure(result, "knives", NATIONAL)
    assert row["chosen"] == 9639 and bool(row["derived"])
    assert row["chosen_lines"] == [3, 4]
    assert "line None" not in finding["explanation"] + finding["decision"] + row["reason"]


def test_a_hedge_that_holds_is_no_finding():
    result = run(
        [
            claim(
                "knives", 10000, "almost", source="paper", agency=NATIONAL, area="England and Wales"
            ),
            claim("knives", 9737, source="npcc", agency=NATIONAL, area="England and Wales"),
        ]
    )
    assert kinds(result) == []
    assert str(figure(result, "knives", NATIONAL)["status"]) == "consistent"


def test_a_hedged_primary_figure_against_an_exact_secondary_one():
    # NPCC 2022-05 "an increase of over 14%" against a paper's "an increase of 14%"
    result = run(
        [
            claim(
                "knives_seized_change_pct",
                14,
                "over",
                source="npcc",
                agency=NATIONAL,
                area="England and Wales",
            ),
            claim(
                "knives_seized_change_pct",
                14,
                source="paper",
                agency=NATIONAL,
                area="England and Wales",
            ),
        ]
    )
    finding = of_kind(result, "hedge_vs_exact").iloc[0]
    assert "over 14" in finding["explanation"]
    assert figure(result, "knives_seized_change_pct", NATIONAL)["chosen_source"] == "npcc"


# ---- 3. parts and totals ------------------------------------------------------------------


def test_a_sources_total_against_its_own_parts():
    result = run(
        [
            claim("knives", 180, source="paper"),
            claim("knives_surrendered", 152, source="paper"),
            claim("knives_found_in_sweeps", 5, source="paper"),
            claim("knives_seized", 15, source="paper"),
        ]
    )
    finding = of_kind(result, "own_parts").iloc[0]
    assert "Local Paper (line 2) gives 180 knives" in finding["explanation"]
    assert "add up to 172 knives" in finding["explanation"]


def test_parts_that_add_up_to_the_total_are_no_finding():
    result = run(
        [
            claim("knives", 172, source="paper"),
            claim("knives_surrendered", 152, source="paper"),
            claim("knives_found_in_sweeps", 5, source="paper"),
            claim("knives_seized", 15, source="paper"),
        ]
    )
    assert "own_parts" not in kinds(result) and "parts_total" not in kinds(result)


def test_a_total_against_parts_from_another_source():
    result = run(
        [
            claim("weapons_total", 250, source="paper"),
            claim("knives", 187, source="release"),
            claim("other_offensive_weapons", 58, source="release"),
        ]
    )
    finding = of_kind(result, "parts_total").iloc[0]
    assert "add up to 245 weapons" in finding["explanation"]


def test_areas_adding_up_to_more_than_the_force_and_forces_more_than_national():
    result = run(
        [
            claim("arrests", 100),
            claim("arrests", 70, area="North Division"),
            claim("arrests", 50, area="South Division"),
            claim("knives", 500, source="npcc", agency=NATIONAL, area="England and Wales"),
            claim("knives", 400, source="release"),
            claim("knives", 200, source="paper", agency="Other Police", area="Otherland"),
        ]
    )
    found = of_kind(result, "areas_exceed_whole")
    assert len(found) == 2
    text = " ".join(found["explanation"])
    assert "add up to 120 arrests" in text and "add up to 600 knives" in text


# ---- 4. headline against body --------------------------------------------------------------


def test_a_headline_that_differs_from_the_body():
    sources = {
        "paper": ("Evening Paper", "secondary", "2021-03-10", "Police arrest 1,000 in crackdown"),
        "release": ("Test Police", "primary", "2021-03-08", ""),
    }
    result = run(
        [
            claim("arrests", 1000, source="paper", quote="arrest 1,000 in crackdown"),
            claim("arrests", 1002, source="paper", quote="1,002 arrests"),
            claim("knives", 280, source="release", quote="280 knives taken off the streets"),
            claim("knives", 288, source="release", quote="288 knives recovered"),
        ],
        sources=sources,
    )
    found = of_kind(result, "headline_vs_body").set_index("measure")
    assert "1,000 arrests in its title" in found.loc["arrests", "explanation"]
    assert "1,002 arrests in the body" in found.loc["arrests", "explanation"]
    assert "280 knives" in found.loc["knives", "explanation"]
    # the lead is not counted against the other sources
    assert "different_values" not in kinds(result)
    assert figure(result, "arrests")["chosen"] == 1002


def test_a_rounded_hedged_headline_that_holds_is_no_finding():
    result = run(
        [
            claim("knives", 10000, "almost", source="paper"),
            claim("knives", 9737, source="paper"),
        ]
    )
    assert "headline_vs_body" not in kinds(result)


# ---- 5. one number, two meanings ------------------------------------------------------------


def test_the_same_number_for_two_measures_in_one_source():
    result = run(
        [
            claim("knives", 290, source="paper"),
            claim("retailer_visits", 290, source="paper"),
            claim("knives", 6, source="blog"),
            claim("knives_found_in_sweeps", 6, source="blog"),
            claim("arrests", 7, source="gazette"),
            claim("operation_days", 7, source="gazette"),
        ]
    )
    found = of_kind(result, "same_number_two_measures")
    assert len(found) == 1
    assert "290 knives" in found.iloc[0]["explanation"]
    assert "290 retailer visits" in found.iloc[0]["explanation"]


def test_echoes_across_forces_only_when_specific():
    other = {"agency": "Other Police", "area": "Otherland"}
    result = run(
        [
            claim("knives", 187),
            claim("knives", 187, source="paper", **other),
            claim("arrests", 11),
            claim("arrests", 11, source="paper", **other),
            claim("retailer_visits", 120),
            claim("retailer_visits", 120, source="paper", **other),
            claim("weapon_sweeps", 50),  # the lists differ, so they are two forces' lists
            claim("weapon_sweeps", 60, source="paper", **other),
        ]
    )
    assert "whole_list" not in kinds(result)
    found = of_kind(result, "same_number_two_forces")
    assert list(found["explanation"].str.contains("187 knives")) == [True]


# ---- 6. dates --------------------------------------------------------------------------------


def test_weekday_names_that_do_not_match_the_dates():
    result = run(
        [
            claim(
                "arrests",
                5,
                start="2024-11-10",
                end="2024-11-17",
                period_stated="from Monday 10 November to Sunday 17 November",
            ),
            claim(
                "arrests",
                5,
                source="paper",
                start="2021-03-01",
                end="2021-03-07",
                period_stated="from Monday 1 March to Sunday 7 March",
            ),
        ]
    )
    found = of_kind(result, "weekday_mismatch")
    assert len(found) == 1
    assert "10 November 2024 was a Sunday, not a Monday" in found.iloc[0]["explanation"]


def test_a_stated_length_against_the_dates():
    result = run([claim("operation_days", 6, source="paper", quote="a six day effort")])
    finding = of_kind(result, "length_vs_dates").iloc[0]
    assert "six-day" in finding["explanation"] and "seven days" in finding["explanation"]


def test_sources_disagreeing_on_the_dates_of_one_week_are_compared_as_one_week():
    national = {"agency": NATIONAL, "area": "England and Wales"}
    result = run(
        [
            claim(
                "arrests", 1719, source="paper", start="2024-11-10", end="2024-11-17", **national
            ),
            claim("arrests", 1700, source="npcc", start="2024-11-11", end="2024-11-17", **national),
        ]
    )
    finding = of_kind(result, "dates_disagree").iloc[0]
    assert "10 to 17 November 2024 (8 days)" in finding["explanation"]
    assert finding["decision"].startswith("The reports use 11 to 17 November 2024")
    # and the two figures meet: primary first
    assert "different_values" in kinds(result)
    assert figure(result, "arrests", NATIONAL)["chosen"] == 1700


def test_a_forces_week_against_the_national_week_and_publication_before_the_end():
    result = run(
        [
            claim(
                "arrests",
                900,
                source="npcc",
                agency=NATIONAL,
                area="England and Wales",
                start="2021-03-01",
                end="2021-03-07",
            ),
            claim("arrests", 50, source="release", start="2021-03-03", end="2021-03-09"),
        ]
    )
    week = of_kind(result, "period_vs_national_week").iloc[0]
    assert "3 to 9 March 2021" in week["explanation"] and "1 to 7 March" in week["explanation"]
    # the claim cited is the force's, on the line the explanation names
    assert [c.source_id for c in week["claims"]] == ["release"]
    assert f"(line {week['lines'][0]})" in week["explanation"]
    early = of_kind(result, "published_before_end")
    assert list(early["explanation"].str.contains("published on 8 March 2021")) == [True]


def test_an_unusual_length_among_the_operations_weeks():
    weeks = [
        ("2021-03-01", "2021-03-07"),
        ("2021-09-06", "2021-09-12"),
        ("2022-03-07", "2022-03-13"),
        ("2022-09-04", "2022-09-12"),
    ]
    result = run([claim("arrests", 10 + i, start=s, end=e) for i, (s, e) in enumerate(weeks)])
    found = of_kind(result, "unusual_length")
    assert len(found) == 1 and "9 days" in found.iloc[0]["explanation"]


# ---- 7. scope ----------------------------------------------------------------------------------


def _lists(national_source: str, force_source: str):
    values = [
        ("arrests", 1002),
        ("knives", 187),
        ("other_offensive_weapons", 58),
        ("weapon_sweeps", 2900),
    ]
    return [
        *[claim(m, v, source=force_source) for m, v in values],
        *[
            claim(m, v, source=national_source, agency=NATIONAL, area="across the country")
            for m, v in values
        ],
    ]


def test_a_force_list_presented_as_national_is_flagged_on_the_national_label():
    result = run(_lists("paper", "release"))
    finding = of_kind(result, "whole_list").iloc[0]
    assert finding["agency"] == NATIONAL and finding["area"] == "across the country"
    assert "identical, figure for figure" in finding["explanation"]
    # the list's figures are not used as national ones elsewhere
    assert "same_number_two_forces" not in kinds(result)


def test_the_whole_list_check_is_two_sided():
    result = run(_lists("npcc", "paper"))
    finding = of_kind(result, "whole_list").iloc[0]
    assert finding["agency"] == "Test Police"


def test_a_local_figure_presented_as_national():
    national = {"agency": NATIONAL, "area": "England and Wales"}
    result = run(
        [
            claim("arrests", 2005, source="npcc", **national),
            claim("arrests", 1002, source="paper", **national),
            claim("arrests", 1002, source="release"),
        ]
    )
    finding = of_kind(result, "local_as_national").iloc[0]
    assert "Test Police's 1,002 arrests" in finding["explanation"]


def test_a_force_wide_figure_for_a_longer_period_credited_to_the_week():
    result = run(
        [
            claim("knives", 4120, source="paper"),
            claim(
                "knives",
                4120,
                source="release",
                context="Test Police, whole of 2020",
                operation="",
                start="2020-01-01",
                end="2020-12-31",
            ),
        ]
    )
    assert "force_wide_as_operation" in kinds(result)
    # the longer period is named, as the source gives it
    finding = of_kind(result, "force_wide_as_operation").iloc[0]
    assert "gives for Test Police, whole of 2020 (line" in finding["explanation"]


# ---- 8. wording ----------------------------------------------------------------------------


def test_seized_for_a_total_that_is_mostly_surrendered():
    national = {"agency": NATIONAL, "area": "England and Wales", "source": "npcc"}
    result = run(
        [
            claim("knives", 10960, quote="10,960 knives were seized", **national),
            claim("knives_surrendered", 10215, **national),
            claim("knives_found_in_sweeps", 342, **national),
            claim("knives_seized", 403, **national),
        ]
    )
    finding = of_kind(result, "wording_vs_measure").iloc[0]
    assert "“seized”" in finding["explanation"] and "403 knives seized" in finding["explanation"]
    assert finding["severity"] == "caution"


def test_seized_for_a_total_whose_other_routes_are_the_majority():
    # 2019: "almost 11,000 knives were seized"; 10,215 of 10,960 were surrendered
    national = {"agency": NATIONAL, "area": "England and Wales"}
    result = run(
        [
            claim("knives", 10960, source="paper", quote="10,960 knives were seized", **national),
            claim("knives_surrendered", 10215, source="npcc", **national),
            claim("knives_found_in_sweeps", 342, source="npcc", **national),
        ]
    )
    finding = of_kind(result, "wording_vs_measure").iloc[0]
    assert "10,215 knives surrendered" in finding["explanation"]
    assert "came other ways" in finding["explanation"]


def test_knives_for_a_count_that_includes_other_weapons():
    result = run(
        [
            claim("weapons_total", 311, quote="311 knives off the streets"),
            claim("weapons_total", 311, source="paper", quote="311 knives and weapons"),
        ]
    )
    found = of_kind(result, "wording_vs_measure")
    assert len(found) == 1
    assert "other offensive weapons" in found.iloc[0]["explanation"]


# ---- 9. operation names ------------------------------------------------------------------


def test_operation_names_variants_and_other_names():
    result = run(
        [
            claim("arrests", 10, operation="Operation Tesst"),
            claim("arrests", 12, quote="Operation Scorpion saw 12 arrests"),
            claim("arrests", 12, source="paper", quote="Op Test: 12 arrests"),
        ]
    )
    variant = of_kind(result, "operation_variant")
    assert list(variant["explanation"].str.contains("“Operation Tesst”")) == [True]
    other = of_kind(result, "operation_other_name")
    assert list(other["explanation"].str.contains("Operation Scorpion")) == [True]


# ---- 10. computed figures ------------------------------------------------------------------


def test_computed_figures_name_the_lines_they_come_from():
    result = run(
        [
            claim("weapons_total", 240, "more than"),
            claim("knives", 187),
            claim("other_offensive_weapons", 58),
        ]
    )
    row = figure(result, "weapons_total")
    assert bool(row["derived"]) and row["chosen"] == 245
    assert pd.isna(row["chosen_line"]) and row["chosen_lines"] == [3, 4]
    assert "lines 3, 4" in row["reason"]
    finding = of_kind(result, "computed").iloc[0]
    assert "computed from lines 3, 4" in finding["decision"]
    text = " ".join(result.figures["reason"]) + " ".join(result.findings["explanation"])
    assert "line None" not in text and "line -1" not in text


# ---- the source check's HTML ----------------------------------------------------------------


def test_findings_html_groups_by_kind_quotes_claims_and_escapes():
    result = run(
        [
            claim("arrests", 1002, quote="1,002 arrests"),
            claim("arrests", 44, source="paper", quote="<script>alert(44)</script> arrests"),
        ]
    )
    html = str(findings_html(result.findings, unverified={"paper", "release"}))
    assert "Same figure, different values (1)" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<q>1,002 arrests</q>" in html
    # each unchecked source named once, in one sentence
    flag = "Not verified (no saved copy to check the quote against): Test Police and Local Paper."
    assert html.count(flag) == 1 and html.count("Not verified") == 1


@pytest.mark.parametrize("column", ["kind", "explanation", "decision"])
def test_every_finding_is_complete(column):
    rows = [*_lists("paper", "release"), claim("operation_days", 6, source="paper")]
    found = run(rows).findings
    assert len(found) and found[column].str.len().gt(0).all()
    assert found["claims"].map(len).gt(0).all()


def test_a_tie_between_equal_sources_says_so():
    sources = {
        "paper": ("Local Paper", "secondary", "", ""),
        "gazette": ("Gazette", "secondary", "", ""),
    }
    result = run(
        [claim("arrests", 708, source="paper"), claim("arrests", 496, source="gazette")],
        sources=sources,
    )
    reason = figure(result, "arrests")["reason"]
    assert "a tie with a source of equal standing, settled by the order of the data" in reason
    # a clear majority is no tie
    assert (
        "tie"
        not in figure(
            run(
                [
                    claim("arrests", 5, source="paper"),
                    claim("arrests", 5, source="gazette"),
                    claim("arrests", 6, source="blog"),
                ]
            ),
            "arrests",
        )["reason"]
    )


def test_the_dates_the_reports_use_are_the_independent_majoritys_then_the_primarys():
    """Two copies of one release count once: the primary source's dates win the tie, for every
    week key the clustered claims carry, per agency and over the whole week."""
    national = {"agency": NATIONAL, "area": "England and Wales"}
    copied = "Officers made 1,719 arrests during the week of action"
    eight_days = {"start": "2024-11-10", "end": "2024-11-17", **national}
    result = run(
        [
            claim("arrests", 1719, source="paper", quote=copied, **eight_days),
            claim("stop_search", 1200, source="paper", quote="1,200 stop searches", **eight_days),
            claim("arrests", 1719, source="gazette", quote=copied, **eight_days),
            claim("stop_search", 1200, source="gazette", quote="1,200 stop searches", **eight_days),
            claim("arrests", 1700, source="npcc", start="2024-11-11", end="2024-11-17", **national),
        ]
    )
    periods = result.periods
    assert set(periods["agency"]) == {NATIONAL, ""}
    assert set(periods["week"]) == {pd.Timestamp("2024-11-10"), pd.Timestamp("2024-11-11")}
    assert (periods["period_start"] == pd.Timestamp("2024-11-11")).all()
    assert (periods["period_end"] == pd.Timestamp("2024-11-17")).all()
    # a third, independent source with the eight days makes them the majority
    result = run(
        [
            claim("arrests", 1719, source="paper", **eight_days),
            claim("arrests", 1719, source="gazette", quote="1,719 people arrested", **eight_days),
            claim("arrests", 1700, source="npcc", start="2024-11-11", end="2024-11-17", **national),
        ]
    )
    assert (result.periods["period_start"] == pd.Timestamp("2024-11-10")).all()
