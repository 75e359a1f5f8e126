"""The plain-text form of a report table (the figures CSV beside each report)."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from sceptre_analysis.tables import plain


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
