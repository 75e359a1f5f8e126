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
