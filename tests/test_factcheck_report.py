"""The draft_check report: marks, notes, table and summary as a reader sees them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sceptre_analysis import factcheck
from sceptre_analysis.cli import main
from sceptre_analysis.drafts import check_text
from sceptre_analysis.load import load_dataset

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "factcheck"
DRAFT = (
    "Met week of action, 9 to 15 November 2020\n\n"
    "The Met made 1,002 arrests <script>alert('x')</script> and took nearly 200 weapons "
    "off the streets.\n\n"
    "Officers also carried out 2,900 weapon sweeps.\n"
)


@pytest.fixture(scope="module")
def check():
    dataset = load_dataset(FIXTURES / "met_only", documents=None)
    return factcheck.DraftCheck("draft.txt", DRAFT, check_text(DRAFT, dataset))


def test_the_summary_line_counts_the_verdicts(check):
    html = factcheck.summary_html(check)
    text = re.sub(r"<[^>]+>", "", str(html))

    assert "4 figures: ✓ 2 supported, ✗ 1 contradicted, ? 1 unsupported" in text


def test_each_figure_is_marked_with_its_verdict_symbol_and_number(check):
    html = str(factcheck.marked_draft_html(check))

    marks = re.findall(
        r"<mark class='fc fc-(\w+)'[^>]*><span class='fc-sym'>(.)</span><sup>(\d+)", html
    )
    assert marks == [
        ("supported", "✓", "1"),
        ("supported", "✓", "2"),
        ("contradicted", "✗", "3"),
        ("unsupported", "?", "4"),
    ]
    # one margin note per mark, numbered the same, beside its own paragraph
    notes = re.findall(r"<span class='fc-n'>(\d+)</span>", html)
    assert notes == ["1", "2", "3", "4"]
    assert html.count("<div class='fc-row'>") == 3


def test_draft_text_is_escaped(check):
    html = str(factcheck.marked_draft_html(check))

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


def test_the_verdict_table_has_a_row_per_figure_with_its_source(check):
    html = str(factcheck.verdict_table_html(check))

    assert html.count("<tr>") == 1 + 4
    assert "“illegal items and 1,002 arrests”" in html
    assert "hedge cannot hold" in html


def test_verdict_colours_are_the_colour_blind_safe_set_and_differ_in_grey():
    style = factcheck._STYLE
    for colour in ("#0072b2", "#d55e00", "#cc79a7"):  # Okabe–Ito blue, vermillion, purple
        assert colour in style
    # each verdict also has its own border style, so a grey printout tells them apart
    assert "border: 2px solid #d55e00" in style
    assert "2px solid #0072b2" in style and "2px dotted #cc79a7" in style


def test_the_report_builds_to_html_with_the_marked_draft(tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT)
    result = CliRunner().invoke(
        main,
        [
            "build",
            "draft_check",
            "-p",
            f"draft={draft}",
            "--data",
            str(FIXTURES / "met_only"),
            "--out",
            str(tmp_path / "out"),
            "--format",
            "html",
            "-j",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    html = next((tmp_path / "out").glob("draft_check*.html")).read_text()
    assert "4 figures" in html
    assert "<mark class='fc fc-contradicted'" in html or '<mark class="fc fc-contradicted"' in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
