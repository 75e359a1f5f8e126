"""Report building blocks: text from the data is escaped, figures come from the data."""

from __future__ import annotations

from bs4 import BeautifulSoup

from sceptre_analysis import summary

HOSTILE = "<script>alert(1)</script>"


def _report(dataset, agency):
    return summary.operation_summary(
        dataset, operation="Operation Test", week="2021-03-01", agency=agency
    )


def test_text_from_data_is_escaped_in_every_html_block(make_dataset) -> None:
    dataset = make_dataset(
        [
            (HOSTILE, "knives", "10", "", "release"),
            (HOSTILE, "other_offensive_weapons", "5", "", "release"),
            (HOSTILE, "arrests", "12", "", "release"),
            (HOSTILE, "arrests", "30", "", "paper"),
        ]
    )
    report = _report(dataset, HOSTILE)
    check = summary.source_check(dataset, operation="Operation Test", week="2021-03-01")
    blocks = [
        report.lede_html(),
        report.figures_table_html(),
        report.disputes_html(),
        report.other_agencies_html(),
        report.sources_html(),
        check.overview_html(),
        check.findings_html(),
        check.claims_html(),
        check.agreed_html(),
        check.sources_html(),
    ]
    for block in blocks:
        soup = BeautifulSoup(str(block), "html.parser")
        assert soup.find("script") is None, block
    assert HOSTILE in BeautifulSoup(str(blocks[2]), "html.parser").get_text()


def test_headline_figures_and_lede_come_from_the_data(make_dataset) -> None:
    dataset = make_dataset(
        [
            ("Testshire Police", "knives", "10", "", "release"),
            ("Testshire Police", "other_offensive_weapons", "5", "", "release"),
            ("Testshire Police", "weapons_total", "12", "more than", "release"),
            ("Testshire Police", "arrests", "14", "", "release"),
        ]
    )
    report = _report(dataset, "Testshire Police")
    rows = {row["Measure"]: row for row in report.meta()["figures"]}
    assert rows["Knives and other weapons recovered"]["Figure"] == "15"  # 10 + 5
    assert "more than 12 weapons" in rows["Knives and other weapons recovered"]["Notes"]
    lede = BeautifulSoup(str(report.lede_html()), "html.parser").get_text()
    assert "10 knives recovered" in lede
    assert "1 to 7 March 2021" in lede
