"""The plain-text form of a report table (the figures CSV beside each report)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from markupsafe import Markup

from sceptre_analysis.tables import plain

FIXTURE = Path(__file__).parent / "fixtures" / "reports"


def test_a_linked_citation_reads_as_its_words_with_no_space_before_punctuation():
    frame = pd.DataFrame(
        {
            "Sources": [Markup('<a href="#source-1">Easton Caller [1]</a>, line 173')],
            "Figure": ["9,302"],
            "Notes": [None],
        }
    )

    assert plain(frame) == [
        {"Sources": "Easton Caller [1], line 173", "Figure": "9,302", "Notes": ""}
    ]


def test_a_figure_in_words_may_wrap_and_a_number_may_not():
    from bs4 import BeautifulSoup

    from sceptre_analysis.tables import table_html

    frame = pd.DataFrame(
        {
            "Figure": ["1,002", "an increase of 16%, compared with 10 years earlier"],
            "Quote": ["1,002 arrests", "a 16 per cent increase"],
        }
    )
    cells = BeautifulSoup(str(table_html(frame)), "html.parser").select("td.num")
    assert [c.get("class") for c in cells] == [["num"], ["num", "wrap"]]


@pytest.mark.parametrize(
    ("value", "meaning", "phrase", "high", "expected"),
    [
        (10_000, "approximate", "around", None, "around 1,400"),
        (10_000, "more", "more than", None, "more than 1,400"),
        (1_926, "at_least", "no less than", None, "no less than 275"),
        (50, "at_most", "up to", None, "up to 8"),
        (800, "range", "between", 1_000, "between 110 and 150"),
        (1_002, "exact", "", None, "about 143"),
    ],
)
def test_a_hedged_rate_is_no_more_precise_than_the_figure(value, meaning, phrase, high, expected):
    import dataclasses

    from sceptre_analysis.figures import Period, chosen_figures, report_data
    from sceptre_analysis.hedges import Claim
    from sceptre_analysis.load import load_dataset
    from sceptre_analysis.tables import per_day_text

    data = report_data(load_dataset(FIXTURE, documents=None))
    figure = next(
        f
        for f in chosen_figures(data, "Operation Sceptre", "2021-11-15", "National (all forces)")
        if f.measure == "arrests"
    )
    week = Period(pd.Timestamp("2021-11-15"), pd.Timestamp("2021-11-21"))
    claim = Claim(value, meaning, phrase=phrase, high=high)
    assert per_day_text(dataclasses.replace(figure, claim=claim, period=week)) == expected


def test_the_sources_list_shows_a_sources_note_and_says_what_a_line_is():
    import dataclasses

    from bs4 import BeautifulSoup

    from sceptre_analysis.figures import Citations, report_data
    from sceptre_analysis.load import load_dataset
    from sceptre_analysis.tables import sources_html

    data = report_data(load_dataset(FIXTURE, documents=None))
    source_id = str(data.sources["source_id"].iloc[0])
    noted = data.sources.assign(note="title taken from the web address <b>")
    data = dataclasses.replace(data, sources=noted, _reconciled={})
    citations = Citations(data)
    citations.add(source_id)
    soup = BeautifulSoup(str(sources_html(citations)), "html.parser")
    assert "title taken from the web address <b>" in soup.select_one("ol.sources li").get_text()
    assert "tallies.csv" in soup.select_one("p.sources-note").get_text()
