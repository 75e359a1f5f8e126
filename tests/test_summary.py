"""Report building blocks: text from the data is escaped, figures come from the data."""

from __future__ import annotations

from bs4 import BeautifulSoup

from sceptre_analysis import summary
from sceptre_analysis.params import select

HOSTILE = "<script>alert(1)</script>"


def _select(dataset, agency):
    return select(dataset, operation="Operation Test", week="2021-03-01", agency=agency)


def test_text_from_data_is_escaped_in_every_html_block(make_dataset) -> None:
    dataset = make_dataset(
        [
            (HOSTILE, "knives", "10", "", "release"),
            (HOSTILE, "other_offensive_weapons", "5", "", "release"),
            (HOSTILE, "arrests", "12", "", "release"),
            (HOSTILE, "arrests", "30", "", "paper"),
        ]
    )
    selection = _select(dataset, HOSTILE)
    figures = summary.chosen_figures(dataset, selection)
    rec = summary.reconciliation(dataset, selection)
    blocks = [
        summary.lede_html(figures, selection),
        summary.conflicts_html(rec),
        summary.table_html(summary.headline_table(figures, dataset)),
        summary.table_html(summary.all_claims_table(dataset, selection)),
        summary.sources_html(dataset),
    ]
    for block in blocks:
        soup = BeautifulSoup(str(block), "html.parser")
        assert soup.find("script") is None, block
    assert HOSTILE in BeautifulSoup(str(blocks[1]), "html.parser").get_text()


def test_headline_figures_and_lede_come_from_the_data(make_dataset) -> None:
    dataset = make_dataset(
        [
            ("Testshire Police", "knives", "10", "", "release"),
            ("Testshire Police", "other_offensive_weapons", "5", "", "release"),
            ("Testshire Police", "weapons_total", "12", "more than", "release"),
            ("Testshire Police", "arrests", "14", "", "release"),
        ]
    )
    selection = _select(dataset, "Testshire Police")
    figures = summary.chosen_figures(dataset, selection)
    table = summary.headline_table(figures, dataset).set_index("Measure")
    assert table.loc["Knives and other weapons recovered", "Figure"] == "15"  # 10 + 5
    assert table.loc["Arrests", "Per day"] == "2"  # 14 over 7 days
    lede = BeautifulSoup(str(summary.lede_html(figures, selection)), "html.parser").get_text()
    assert "10 knives" in lede
    assert "“more than 12 weapons”" in lede
    assert "1 to 7 March 2021" in lede
