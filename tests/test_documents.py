"""Reading saved releases: text, a web page saved from a browser, a PDF; bad files refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sceptre_analysis.documents import DocumentError, read_document
from sceptre_analysis.errors import SceptreError

DOCS = Path(__file__).parent / "fixtures" / "extract" / "docs"


def test_text_is_read_as_written() -> None:
    document = read_document(DOCS / "release.txt")
    assert document.kind == "text"
    assert "Officers seized 187 knives and £1,940 in cash." in document.text


def test_html_keeps_the_article_and_drops_menus_and_footer() -> None:
    document = read_document(DOCS / "release.html")
    assert document.kind == "html"
    assert "412 people were arrested" in document.text
    assert "Contact 101" not in document.text  # the navigation bar
    assert "0800 555 111" not in document.text  # the footer
    assert document.title.startswith("Met Police take more than 240 knives")
    assert document.published == date(2023, 11, 20)


def test_pdf_text_layer_is_read() -> None:
    document = read_document(DOCS / "release.pdf")
    assert document.kind == "pdf"
    assert "arrested 412 people" in " ".join(document.text.split())


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("empty.txt", "empty"),
        ("image.txt", "binary"),
        ("latin1.txt", "not UTF-8"),
        ("menu-only.html", "no article text"),
        ("scanned.pdf", "no text layer"),
        ("missing.txt", "no such file"),
    ],
)
def test_bad_input_is_one_located_line(name: str, expected: str) -> None:
    with pytest.raises(DocumentError) as caught:
        read_document(DOCS / name)
    message = str(caught.value)
    assert isinstance(caught.value, SceptreError)
    assert expected in message
    assert "\n" not in message
    assert name in message


def test_non_utf8_error_points_at_the_byte() -> None:
    with pytest.raises(DocumentError, match=r"latin1\.txt:1: column 34"):
        read_document(DOCS / "latin1.txt")
