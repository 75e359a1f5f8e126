"""Reader-facing export: real nbconvert and real WeasyPrint on small in-memory notebooks."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert.exporters import get_exporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from sceptre_analysis import __version__, export
from sceptre_analysis.export import (
    ExportResult,
    SceptreHTMLExporter,
    SceptrePDFExporter,
    export_notebook,
)

EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC
TITLE = "Week of action <Met> & partners"
DATA_HASH = "sha256:" + "ab" * 32
SVG_ALT = 'Bar chart of "knives" <by force>'
PNG_ALT = "Tall chart of arrests"

SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">
<rect id="bg" width="400" height="200" fill="#eef"/>
<rect x="40" y="60" width="60" height="120" fill="#1f4e79"/>
<text x="20" y="30" font-size="18" font-family="DejaVu Sans">Knives surrendered</text>
</svg>"""


def _tall_png() -> str:
    """A chart-shaped PNG taller than an A4 page would allow at its natural size."""
    buffer = io.BytesIO()
    Image.new("RGB", (300, 1400), (31, 78, 121)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _wide_table() -> str:
    """What ``DataFrame.to_html()`` produces for a 15-column frame (pandas escapes cells)."""
    header = "".join(f"<th>tally_column_{i}</th>" for i in range(15))
    row = "".join(f"<td>{1000 * i + 0.5}</td>" for i in range(15))
    return (
        '<table border="1" class="dataframe">\n<thead><tr style="text-align: right;"><th></th>'
        f"{header}</tr></thead>\n<tbody><tr><th>0</th>{row}</tr>\n"
        "<tr><th>1</th>"
        + "".join("<td>&lt;script&gt;x&lt;/script&gt;</td>" for _ in range(15))
        + "</tr></tbody>\n</table>"
    )


def make_notebook(
    *, sceptre: dict | None = None, papermill: dict | None = None
) -> nbformat.NotebookNode:
    nb = new_notebook()
    if sceptre is not None:
        nb.metadata["sceptre"] = sceptre
    if papermill is not None:
        nb.metadata["papermill"] = papermill
    nb.cells = [
        new_code_cell(
            'force = "INJECTED_FORCE"',
            metadata={"tags": ["injected-parameters"]},
            execution_count=1,
            outputs=[new_output("stream", name="stdout", text="INJECTED_OUTPUT\n")],
        ),
        new_markdown_cell(
            "# Knife crime report\n\nIntro mentions `<script>alert(1)</script>` as text.\n\n"
            "## Seizures by force\n\n" + "Prose about the week of action. " * 40
        ),
        new_code_cell(
            'print("SECRET_CODE")',
            execution_count=2,
            outputs=[
                new_output("stream", name="stdout", text="visible stdout line\n"),
                new_output("stream", name="stderr", text="STDERR_NOISE\n"),
            ],
        ),
        new_code_cell(
            "df.to_html()",
            execution_count=3,
            outputs=[
                new_output(
                    "execute_result",
                    data={"text/html": _wide_table(), "text/plain": "<DataFrame>"},
                    execution_count=3,
                )
            ],
        ),
        new_code_cell(
            "hidden()",
            metadata={"tags": ["remove-cell"]},
            outputs=[new_output("stream", name="stdout", text="REMOVED_CELL_TEXT\n")],
        ),
        new_code_cell(
            "quiet()",
            metadata={"tags": ["remove-output"]},
            outputs=[new_output("stream", name="stdout", text="REMOVED_OUTPUT_TEXT\n")],
        ),
        new_code_cell(
            "plot_svg()",
            execution_count=4,
            outputs=[
                new_output(
                    "display_data",
                    data={"image/svg+xml": SVG, "text/plain": "<Figure>"},
                    metadata={"image/svg+xml": {"alt": SVG_ALT}},
                )
            ],
        ),
        new_markdown_cell("## Arrests\n\nThe tall chart follows."),
        new_code_cell(
            "plot_png()",
            execution_count=5,
            outputs=[
                new_output(
                    "display_data",
                    data={"image/png": _tall_png(), "text/plain": "<Figure>"},
                    metadata={"alt": PNG_ALT},
                )
            ],
        ),
        new_markdown_cell("## Closing remarks\n\nEND_OF_REPORT"),
    ]
    nbformat.validate(nb)
    return nb


FULL_META = {
    "title": TITLE,
    "subtitle": "November 2023",
    "parameters": {"force": "Met <script>", "year": 2023, "weeks": [1, 2]},
    "data_hash": DATA_HASH,
}


@pytest.fixture(autouse=True)
def _fixed_build_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> ExportResult:
    """One full HTML + PDF export shared by the read-only checks (WeasyPrint is the slow part)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        out = tmp_path_factory.mktemp("export")
        return export_notebook(make_notebook(sceptre=FULL_META), out, "report")


@pytest.fixture(scope="module")
def soup(exported: ExportResult) -> BeautifulSoup:
    return BeautifulSoup(exported.outputs["html"].read_text(encoding="utf-8"), "html.parser")


def _html(nb: nbformat.NotebookNode) -> BeautifulSoup:
    html, _ = SceptreHTMLExporter().from_notebook_node(nb)
    return BeautifulSoup(html, "html.parser")


# ---- HTML -----------------------------------------------------------------------------


def test_writes_both_formats(exported: ExportResult) -> None:
    assert exported.errors == {}
    assert sorted(exported.outputs) == ["html", "pdf"]
    assert exported.outputs["html"].name == "report.html"
    assert exported.outputs["pdf"].read_bytes().startswith(b"%PDF-")


def test_no_code_prompts_stderr_or_removed_cells(soup: BeautifulSoup) -> None:
    text = soup.get_text()
    for absent in (
        "SECRET_CODE",
        "In [",
        "In\xa0[",
        "Out[",
        "STDERR_NOISE",
        "REMOVED_CELL_TEXT",
        "REMOVED_OUTPUT_TEXT",
        "INJECTED_FORCE",
        "INJECTED_OUTPUT",
    ):
        assert absent not in text, absent
    assert "visible stdout line" in text
    assert not soup.select(".jp-InputArea-editor, .jp-InputPrompt, .jp-OutputPrompt")


def test_offline_no_scripts_and_text_escaped(soup: BeautifulSoup) -> None:
    assert soup.find("script") is None
    assert not soup.find_all(src=lambda s: s and not s.startswith("data:"))
    assert not soup.find_all("link", href=True)
    # Markdown inline code and DataFrame cells stay text, never markup.
    assert "<script>alert(1)</script>" in soup.find("code").get_text()
    assert "<script>x</script>" in soup.find("table", class_="dataframe").get_text()


def test_title_block_and_parameters(soup: BeautifulSoup) -> None:
    assert soup.title.get_text() == TITLE
    block = soup.find("header", class_="sceptre-titleblock")
    assert block.find("h1", class_="sceptre-title").get_text() == TITLE
    assert block.find("h1").find("met") is None  # '<Met>' was escaped, not parsed as a tag
    assert block.find(class_="sceptre-subtitle").get_text() == "November 2023"
    rows = {
        tr.th.get_text(): tr.td.get_text()
        for tr in block.find("table", class_="sceptre-parameters").find_all("tr")
    }
    assert rows == {"force": "Met <script>", "year": "2023", "weeks": "[1, 2]"}


def test_footer_version_build_time_and_hash(soup: BeautifulSoup) -> None:
    footer = soup.find("footer", class_="sceptre-footer").get_text(" ", strip=True)
    assert f"sceptre-analysis {__version__}" in footer
    assert "Built 2023-11-14 22:13 UTC" in footer
    assert DATA_HASH in footer
    assert soup.find("meta", attrs={"name": "dcterms.created"})["content"] == (
        "2023-11-14T22:13:20Z"
    )


def test_images_are_data_uris_with_escaped_alt(exported: ExportResult, soup: BeautifulSoup) -> None:
    images = soup.find_all("img")
    assert [img["alt"] for img in images] == [SVG_ALT, PNG_ALT]
    assert images[0]["src"].startswith("data:image/svg+xml;base64,")
    assert images[1]["src"].startswith("data:image/png;base64,")
    assert base64.b64decode(images[0]["src"].split(",", 1)[1]).decode() == SVG
    raw = exported.outputs["html"].read_text(encoding="utf-8")
    assert "&lt;by force&gt;" in raw and "<by force>" not in raw
    assert soup.find("svg") is None  # never inline: ids would clash between charts


def test_wide_tables_marked_for_print(soup: BeautifulSoup) -> None:
    table = soup.find("table", class_="dataframe")
    assert "sceptre-very-wide" in table["class"]
    assert table.find("wbr") is not None  # snake_case headers wrap at the underscores


def test_title_and_parameters_fallbacks(tmp_path: Path) -> None:
    nb = make_notebook(papermill={"parameters": {"force": "Kent", "weeks": 2}})
    page = _html(nb)
    assert page.find("h1", class_="sceptre-title").get_text() == "Knife crime report"
    # The notebook's own H1 became the title, so it is not repeated in the body.
    assert [h.get_text() for h in page.find("main").find_all("h1")] == []
    rows = [tr.get_text("|", strip=True) for tr in page.select("table.sceptre-parameters tr")]
    assert rows == ["force|Kent", "weeks|2"]
    assert page.find(class_="sceptre-data-hash") is None

    nb.cells = [c for c in nb.cells if c.cell_type != "markdown"]
    path = tmp_path / "sceptre-kent-2023.ipynb"
    nbformat.write(nb, path)
    result = export_notebook(path, tmp_path / "out", "kent", formats=["html"])
    page = BeautifulSoup(result.outputs["html"].read_text(encoding="utf-8"), "html.parser")
    assert page.find("h1", class_="sceptre-title").get_text() == "sceptre-kent-2023"


def test_html_is_byte_identical_across_builds(tmp_path: Path) -> None:
    source = tmp_path / "report.ipynb"
    nbformat.write(make_notebook(sceptre=FULL_META), source)
    first = export_notebook(source, tmp_path / "a", "report", ["html"]).outputs["html"]
    second = export_notebook(source, tmp_path / "b", "report", ["html"]).outputs["html"]
    assert first.read_bytes() == second.read_bytes()


def test_build_time_defaults_to_now_without_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert export.build_time().year >= 2024
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        export.build_time()


# ---- PDF ------------------------------------------------------------------------------


def test_pdf_pages_header_footer_and_content(exported: ExportResult) -> None:
    reader = PdfReader(exported.outputs["pdf"])
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    assert total >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
    assert all(TITLE in text for text in pages[1:])  # running header after the title page
    everything = "\n".join(pages)
    for expected in ("November 2023", "Knives surrendered", "visible stdout line", "END_OF_REPORT"):
        assert expected in everything
    assert "tally_column_14" in everything.replace("\n", "")
    assert "SECRET_CODE" not in everything
    # The tall PNG is drawn exactly once (shrunk to fit): never split over two pages.
    drawn = [
        operands
        for page in reader.pages
        for operands, operator in ContentStream(page.get_contents(), reader).operations
        if operator == b"Do"
    ]
    assert len(drawn) == 1
    metadata = reader.metadata
    assert metadata.title == TITLE
    assert metadata.creation_date.year == 2023


def test_pdf_is_byte_identical_across_builds(exported: ExportResult, tmp_path: Path) -> None:
    html = exported.outputs["html"].read_text(encoding="utf-8")
    assert SceptrePDFExporter().html_to_pdf(html) == exported.outputs["pdf"].read_bytes()


def test_missing_pango_still_writes_html(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def no_pango() -> None:
        raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open")

    monkeypatch.setattr(export, "_import_weasyprint", no_pango)
    result = export_notebook(make_notebook(sceptre=FULL_META), tmp_path, "report")
    assert list(result.outputs) == ["html"]
    message = result.errors["pdf"]
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "brew install pango"):
        assert package in message
    assert "Traceback" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]

    with pytest.raises(export.PangoMissingError, match="libharfbuzz-subset0"):
        SceptrePDFExporter().from_notebook_node(make_notebook())


def test_bad_formats_and_names(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="valid formats: html, pdf"):
        export_notebook(make_notebook(), tmp_path, "r", formats=["html", "docx"])
    with pytest.raises(ValueError, match="escape"):
        export_notebook(make_notebook(), tmp_path, "../r", formats=["html"])
    assert list(tmp_path.iterdir()) == []


# ---- nbconvert integration -------------------------------------------------------------


def test_entry_points_registered() -> None:
    assert get_exporter("sceptre_html") is SceptreHTMLExporter
    assert get_exporter("sceptre_pdf") is SceptrePDFExporter
    assert SceptrePDFExporter().file_extension == ".pdf"


def test_jupyter_nbconvert_cli(tmp_path: Path) -> None:
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or shutil.which(
        "jupyter"
    )
    assert jupyter, "jupyter executable not found"
    nbformat.write(make_notebook(sceptre=FULL_META), tmp_path / "cli.ipynb")
    subprocess.run(
        [jupyter, "nbconvert", "--to", "sceptre_html", "cli.ipynb"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    page = BeautifulSoup((tmp_path / "cli.html").read_text(encoding="utf-8"), "html.parser")
    assert page.find("h1", class_="sceptre-title").get_text() == TITLE
    assert "SECRET_CODE" not in page.get_text()


def _sections_notebook(sections: int, contents: bool | None = None) -> nbformat.NotebookNode:
    cells = []
    for n in range(1, sections + 1):
        cells.append(new_markdown_cell(f"## Section {n} <b>&</b>\n\nText {n}.\n\n### Part {n}.1"))
        cells.append(new_markdown_cell(f"{'Long text. ' * 400}"))
    nb = new_notebook(cells=cells)
    nb.metadata["sceptre"] = {"title": "Sections"}
    if contents is not None:
        nb.metadata["sceptre"]["contents"] = contents
    return nb


def test_a_long_report_gets_a_contents_list_with_page_numbers_in_the_pdf(tmp_path: Path) -> None:
    result = export_notebook(_sections_notebook(8), tmp_path, "long", ("html", "pdf"))
    soup = BeautifulSoup(result.outputs["html"].read_text(encoding="utf-8"), "html.parser")
    nav = soup.select_one("nav.sceptre-toc")
    assert nav is not None
    top = nav.select("nav > ol > li > a")
    assert [a.get_text() for a in top] == [f"Section {n} &" for n in range(1, 9)]
    assert [a.get_text() for a in nav.select("ol ol a")][:2] == ["Part 1.1", "Part 2.1"]
    for link in nav.select("a"):  # every entry leads to its heading
        assert soup.find(id=link["href"][1:]).name in {"h2", "h3"}
    first_page = PdfReader(result.outputs["pdf"]).pages[0].extract_text()
    assert "Contents" in first_page
    # the last section starts on a later page, and the contents say which
    last = re.search(r"Section 8 &[\s.]*(\d+)", first_page)
    assert last is not None and int(last.group(1)) > 1


@pytest.mark.parametrize(
    ("sections", "contents", "shown"), [(3, None, False), (3, True, True), (9, False, False)]
)
def test_the_notebook_decides_whether_a_contents_list_is_shown(sections, contents, shown) -> None:
    html, _ = SceptreHTMLExporter().from_notebook_node(_sections_notebook(sections, contents))
    assert (BeautifulSoup(html, "html.parser").select_one("nav.sceptre-toc") is not None) is shown
