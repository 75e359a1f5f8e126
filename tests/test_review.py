"""The extraction review page: figures highlighted and labelled, skipped numbers greyed."""

from __future__ import annotations

from pathlib import Path

from sceptre_analysis.documents import read_document
from sceptre_analysis.extract import Extractor
from sceptre_analysis.review import (
    Review,
    figures_table_html,
    highlighted_html,
    overview_html,
    skipped_table_html,
)

FIXTURES = Path(__file__).parent / "fixtures" / "extract"


def _review(text: str) -> Review:
    path = FIXTURES / "docs" / "release.txt"
    document = read_document(path)
    document = type(document)(path, text, "text")
    return Review(document, Extractor(FIXTURES / "data").extract(text))


def test_every_figure_is_marked_and_labelled_with_measure_hedge_and_confidence() -> None:
    review = _review((FIXTURES / "docs" / "release.txt").read_text("utf-8"))
    html = highlighted_html(review)
    assert html.count("<mark") == len({(f.start, f.end) for f in review.extraction.figures})
    assert "weapons_total · more than · 95%" in html
    assert ">240</mark>" in html


def test_skipped_numbers_are_grey_with_their_reason() -> None:
    review = _review((FIXTURES / "docs" / "release.txt").read_text("utf-8"))
    html = highlighted_html(review)
    assert "(phone number)</span>" in html and "(date)</span>" in html
    assert "legal penalty" in skipped_table_html(review)


def test_text_from_the_document_is_escaped() -> None:
    review = _review('<script>alert("x")</script> Officers made 412 arrests & more.')
    for html in (highlighted_html(review), figures_table_html(review), overview_html(review)):
        assert "<script>" not in html
    assert "&lt;script&gt;" in highlighted_html(review)
    assert "arrests &amp; more." in highlighted_html(review)


def test_the_notebook_builds_to_html_with_highlights(tmp_path: Path) -> None:
    from sceptre_analysis.build import ReportRequest, build_report

    document = FIXTURES / "docs" / "release.txt"
    result = build_report(
        ReportRequest("extraction_review", {"document": str(document)}, ("html",)),
        out_dir=tmp_path,
        data_dir=FIXTURES / "data",
    )
    assert result.ok, result.errors
    html = result.outputs["html"].read_text("utf-8")
    assert "<mark" in html and "weapons_total" in html and "(phone number)" in html


def test_report_metadata_lists_the_proposals_as_unreviewed() -> None:
    from sceptre_analysis.review import report_fields

    review = _review((FIXTURES / "docs" / "release.txt").read_text("utf-8"))
    fields = report_fields(review)
    assert fields["figures"] == review.extraction.rows()
    assert "not verified" in str(fields["verification"])
    assert fields["period"] == "2023-11-13 to 2023-11-19"


def test_a_relative_document_path_is_taken_from_the_callers_folder(tmp_path, monkeypatch):
    """The kernel runs in notebooks/, so a declared path parameter is made absolute first."""
    from sceptre_analysis.build import prepare
    from sceptre_analysis.report import ReportRequest

    (tmp_path / "release.txt").write_text("Police seized 12 knives.", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    prepared = prepare(
        ReportRequest("extraction_review", {"document": "release.txt"}),
        data_dir=Path(__file__).parent / "fixtures" / "base",
    )

    assert prepared.parameters["document"] == str(tmp_path / "release.txt")
