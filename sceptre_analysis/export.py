"""Executed notebooks → reader-facing HTML and PDF.

The ``sceptre`` nbconvert template hides code and prompts, adds a title block and a
build footer, and keeps the page self-contained (no scripts, images as data URIs), so
the HTML reads offline and WeasyPrint can paginate it. The PDF is made from the same
HTML in this process; no browser is needed.

Both exporters are registered as nbconvert entry points (``--to sceptre_html`` and
``--to sceptre_pdf``) and every option is a traitlet, so they take ``--Class.option=``
flags and config files like any nbconvert exporter.
"""

from __future__ import annotations

import ast
import base64
import copy
import importlib
import json
import os
import re
import signal
import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
from bs4 import BeautifulSoup
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Int, Unicode, default
from traitlets.config import Config

from . import __version__
from .files import inside, write_atomic
from .paths import TEMPLATES_DIR
from .settings import source_date_epoch

__all__ = [
    "FORMATS",
    "DropStderrPreprocessor",
    "ExportResult",
    "ExportTimeout",
    "PangoMissingError",
    "SceptreHTMLExporter",
    "SceptrePDFExporter",
    "build_time",
    "cap_outputs",
    "export_notebook",
    "load_weasyprint",
    "time_limit",
]

#: Format name → file extension, in the order files are written.
FORMATS: dict[str, str] = {"html": ".html", "pdf": ".pdf"}

PANGO_HELP = (
    "WeasyPrint could not load the Pango text libraries, so no PDF was made "
    "(the HTML report is unaffected). Install them, then export again:\n"
    "  Debian/Ubuntu: sudo apt install libpango-1.0-0 libpangoft2-1.0-0 "
    "libharfbuzz0b libharfbuzz-subset0\n"
    "  macOS: brew install pango"
)

# Quarto / Jupyter Book tag names, plus papermill's injected cell.
REMOVE_CELL_TAGS = ("remove-cell", "injected-parameters")
REMOVE_INPUT_TAGS = ("remove-input",)
REMOVE_OUTPUT_TAGS = ("remove-output",)

#: Outputs for the build, never for readers (the report metadata: title, figures, ...).
HIDDEN_MIMETYPES = ("application/vnd.sceptre.report+json",)


# HTMLExporter's order without JavaScript and widget views, which cannot run in a report.
DISPLAY_PRIORITY = (
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/vnd.mermaid",
    "text/latex",
    "text/plain",
)


class PangoMissingError(RuntimeError):
    """WeasyPrint is installed but its system libraries (Pango, HarfBuzz) are not."""


def _import_weasyprint() -> ModuleType:
    """The bare import, kept separate so tests can simulate a system without Pango."""
    return importlib.import_module("weasyprint")


def load_weasyprint() -> ModuleType:
    """Import WeasyPrint only when a PDF is wanted: HTML export must work without Pango."""
    try:
        return _import_weasyprint()
    except OSError as exc:  # cffi's dlopen failure for libpango/libgobject/libharfbuzz
        raise PangoMissingError(f"{PANGO_HELP}\n(cause: {exc})") from exc


def build_time(epoch: int | None = None) -> datetime:
    """The time stamped on a report: ``SOURCE_DATE_EPOCH`` when set, so rebuilds are identical."""
    if epoch is None:
        epoch = source_date_epoch()
        if epoch is None:
            return datetime.now(UTC).replace(microsecond=0)
    return datetime.fromtimestamp(epoch, UTC)


class ExportTimeout(TimeoutError):
    """The export ran past its time limit."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`ExportTimeout` in this block after ``seconds`` (main thread, POSIX only).

    Elsewhere (a Dask worker's thread) the block runs unbounded; output size is still capped
    by :func:`cap_outputs`, which is what keeps the export short.
    """
    usable = (
        seconds
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise ExportTimeout(f"export took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, float(seconds or 0))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _text_size(output: Mapping[str, Any]) -> int:
    if output.get("output_type") == "stream":
        return len(output.get("text") or "")
    return sum(len(v) if isinstance(v, str) else 0 for v in (output.get("data") or {}).values())


def cap_outputs(nb: nbformat.NotebookNode, limit: int) -> int:
    """Cut each cell's output to ``limit`` characters with a visible note; cells cut.

    A notebook that prints megabytes must not stall the export (a 50 MB page takes
    WeasyPrint many minutes); the reader is told that output was cut.
    """
    cut = 0
    for cell in nb.cells:
        outputs = cell.get("outputs") if cell.get("cell_type") == "code" else None
        if not outputs or sum(_text_size(o) for o in outputs) <= limit:
            continue
        total = sum(_text_size(o) for o in outputs)
        kept, used = [], 0
        for output in outputs:
            size = _text_size(output)
            if used + size <= limit:
                kept.append(output)
                used += size
            elif output.get("output_type") == "stream" and used < limit:
                output["text"] = (output.get("text") or "")[: limit - used]
                kept.append(output)
                used = limit
        note = f"[Output cut: this cell printed {total:,} characters; the report keeps {limit:,}.]"
        kept.append(nbformat.v4.new_output("stream", name="stdout", text=f"\n{note}\n"))
        cell["outputs"] = kept
        cut += 1
    return cut


class DropStderrPreprocessor(Preprocessor):
    """Remove ``stderr`` streams and build-only outputs: neither is for readers."""

    def preprocess_cell(self, cell: Any, resources: dict, index: int) -> tuple[Any, dict]:
        if cell.get("cell_type") == "code":
            cell.outputs = [
                out
                for out in cell.get("outputs", [])
                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
                and not any(m in (out.get("data") or {}) for m in HIDDEN_MIMETYPES)
            ]
        return cell, resources


def _first_heading(nb: nbformat.NotebookNode) -> str | None:
    """Text of the first level-1 heading in the markdown cells (ATX or setext)."""
    for cell in nb.cells:
        if cell.get("cell_type") != "markdown":
            continue
        soup = BeautifulSoup(markdown2html_mistune(cell.source), "html.parser")
        heading = soup.find("h1")
        if heading is not None:
            text = " ".join(heading.get_text(" ", strip=True).rstrip("¶").split())
            if text:
                return text
    return None


def _display_value(value: Any) -> str:
    """Parameter values as a reader would write them: strings bare, the rest as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _heading_text(tag: Any) -> str:
    for anchor in tag.select("a.anchor-link"):
        anchor.decompose()
    return " ".join(tag.get_text(" ", strip=True).split())


def _run_parameters(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """Parameters of a notebook run by plain papermill: the defaults, then what was injected.

    papermill records only the injected values; the title block should show them all, in
    the order the ``parameters`` cell declares them, minus plumbing such as ``data_dir``.
    """
    from .params import HIDDEN_PARAMETERS

    values: dict[str, Any] = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                break
            for node in tree.body:
                target = (
                    getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
                )
                if isinstance(target, ast.Name) and getattr(node, "value", None) is not None:
                    try:
                        values[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        continue
            break
    injected = (nb.metadata.get("papermill", {}) or {}).get("parameters") or {}
    if isinstance(injected, Mapping):
        values.update(injected)
    return {k: v for k, v in values.items() if k not in HIDDEN_PARAMETERS}


def fill_template(template: str, values: Mapping[str, Any]) -> str:
    """``"{operation}: {agency}"`` filled from parameters; an unknown name becomes blank."""
    filled: defaultdict[str, str] = defaultdict(str, {k: str(v) for k, v in values.items()})
    try:
        return template.format_map(filled)
    except (ValueError, IndexError):  # a title with stray braces is shown as written
        return template


class SceptreHTMLExporter(HTMLExporter):
    """Self-contained, code-free HTML report from an executed notebook."""

    export_from_notebook = "Sceptre HTML"

    subtitle = Unicode(
        "Checked, cited tallies from police knife-crime weeks of action",
        help="Subtitle when the notebook's metadata.sceptre.subtitle is not set ('' for none).",
    ).tag(config=True)

    source_date_epoch = Int(
        None,
        allow_none=True,
        help="Build time in Unix seconds; default: $SOURCE_DATE_EPOCH, else now (UTC).",
    ).tag(config=True)

    strip_inline_scripts = Bool(
        True,
        help="Also remove inline <script> elements and on* handlers (external ones always go).",
    ).tag(config=True)

    drop_duplicate_title = Bool(
        True,
        help="Remove the notebook's own H1 when it repeats the title block.",
    ).tag(config=True)

    wide_table_columns = Int(
        8, help="Tables with more columns get the 'sceptre-wide' class (smaller print font)."
    ).tag(config=True)

    very_wide_table_columns = Int(
        14, help="Tables with more columns get the 'sceptre-very-wide' class."
    ).tag(config=True)

    contents_min_sections = Int(
        8,
        help="Add a contents list (with page numbers in the PDF) when the report has at least "
        "this many sections (h2 headings); 0 = never. A notebook's metadata.sceptre.contents "
        "(true or false) overrides it.",
    ).tag(config=True)

    contents_depth = Int(
        3, help="Deepest heading listed in the contents: 2 = sections only, 3 = subsections too."
    ).tag(config=True)

    @default("template_name")
    def _template_name_default(self) -> str:
        return "sceptre"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        # Only the packaged folder: a stray ./sceptre in the cwd must not win.
        return [str(TEMPLATES_DIR)]

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".html"

    @default("template_extension")
    def _template_extension_default(self) -> str:
        return ".html.j2"

    @default("exclude_input")
    def _exclude_input_default(self) -> bool:
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self) -> bool:
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self) -> bool:
        return True

    @default("exclude_output_stdin")
    def _exclude_output_stdin_default(self) -> bool:
        return True

    @default("embed_images")
    def _embed_images_default(self) -> bool:
        return True

    @default("exclude_anchor_links")
    def _exclude_anchor_links_default(self) -> bool:
        return True

    @property
    def default_config(self) -> Config:
        c = super().default_config.copy()
        c.merge(
            Config(
                {
                    "TagRemovePreprocessor": {
                        "enabled": True,
                        "remove_cell_tags": list(REMOVE_CELL_TAGS),
                        "remove_input_tags": list(REMOVE_INPUT_TAGS),
                        "remove_all_outputs_tags": list(REMOVE_OUTPUT_TAGS),
                        "remove_single_output_tags": list(REMOVE_OUTPUT_TAGS),
                    },
                    "DropStderrPreprocessor": {"enabled": True},
                    # Scripts are stripped, so pick an output's static fallback instead.
                    "NbConvertBase": {"display_data_priority": list(DISPLAY_PRIORITY)},
                    # No code is shown, so the pygments stylesheet would be dead weight.
                    "CSSHTMLHeaderPreprocessor": {"enabled": False},
                    "HighlightMagicsPreprocessor": {"enabled": False},
                }
            )
        )
        return c

    def _init_preprocessors(self) -> None:
        super()._init_preprocessors()
        self.register_preprocessor(DropStderrPreprocessor)

    def default_filters(self) -> Any:
        yield from super().default_filters()
        yield ("sceptre_base64", _image_base64)

    def _preprocess(self, nb: nbformat.NotebookNode, resources: dict) -> tuple[Any, dict]:
        """After tag removal, gather what the title block and footer show."""
        nb, resources = super()._preprocess(nb, resources)
        resources["sceptre"] = self.report_context(nb, resources)
        return nb, resources

    def report_context(self, nb: nbformat.NotebookNode, resources: dict) -> dict[str, Any]:
        """Title, subtitle, parameters and build stamp for one notebook."""
        meta = nb.metadata.get("sceptre", {}) or {}
        name = (resources.get("metadata") or {}).get("name") or "Notebook"
        title = meta.get("title") or _first_heading(nb) or name
        params = meta.get("parameters")
        if params is None:
            params = _run_parameters(nb)
        if not isinstance(params, Mapping):
            params = {}
        built = build_time(self.source_date_epoch)
        # A notebook run by plain papermill still carries templates ("{operation}: {agency}").
        fields = {"period": params.get("week", ""), **params, **(meta.get("fields") or {})}
        return {
            "title": fill_template(str(title), fields),
            "subtitle": fill_template(str(meta.get("subtitle") or self.subtitle), fields),
            "parameters": [(str(k), _display_value(v)) for k, v in params.items()],
            "version": __version__,
            "data_hash": str(meta["data_hash"]) if meta.get("data_hash") else "",
            "figures_csv": str(meta.get("figures_csv") or ""),
            "build_time_display": built.strftime("%Y-%m-%d %H:%M UTC"),
            "build_time_w3c": built.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "contents": meta.get("contents"),
        }

    def from_notebook_node(  # type: ignore[override]
        self, nb: nbformat.NotebookNode, resources: dict | None = None, **kw: Any
    ) -> tuple[str, dict]:
        html, resources = super().from_notebook_node(nb, resources, **kw)
        return self.postprocess_html(html, resources), resources

    def postprocess_html(self, html: str, resources: dict) -> str:
        """Make the page self-contained and print-ready; deterministic for the same input."""
        soup = BeautifulSoup(html, "html.parser")
        for script in soup.find_all("script"):
            if script.get("src") or self.strip_inline_scripts:
                script.decompose()
        for link in soup.find_all("link", href=True):
            if re.match(r"^(https?:)?//", str(link["href"])):
                link.decompose()
        if self.strip_inline_scripts:
            for tag in soup.find_all(True):
                for attr in [a for a in tag.attrs if a.lower().startswith("on")]:
                    del tag[attr]
        main = soup.find("main")
        if main is not None:
            # Cells whose input is hidden and that printed nothing leave empty boxes.
            for cell in main.select("div.jp-CodeCell.jp-mod-noOutputs"):
                cell.decompose()
            if self.drop_duplicate_title:
                title = resources.get("sceptre", {}).get("title", "")
                for heading in main.find_all("h1"):
                    if _heading_text(copy.copy(heading)) == " ".join(title.split()):
                        heading.decompose()
                        break
            for table in main.find_all("table"):
                columns = max(
                    (len(row.find_all(["td", "th"])) for row in table.find_all("tr")), default=0
                )
                _add_break_opportunities(soup, table)
                classes = [str(c) for c in table.get_attribute_list("class") if c]
                if columns > self.very_wide_table_columns:
                    table["class"] = " ".join([*classes, "sceptre-very-wide"])
                elif columns > self.wide_table_columns:
                    table["class"] = " ".join([*classes, "sceptre-wide"])
            wanted = resources.get("sceptre", {}).get("contents")
            minimum = self.contents_min_sections
            if isinstance(wanted, bool):  # the notebook's metadata.sceptre.contents decides
                minimum = 1 if wanted else 0
            _add_contents(soup, main, minimum, self.contents_depth)
        return str(soup)


def _add_contents(soup: BeautifulSoup, main: Any, min_sections: int, depth: int) -> None:
    """A ``nav.sceptre-toc`` at the top of ``main`` listing its h2 (and h3) headings, as Quarto's
    ``toc: true`` does; every listed heading gets a unique id to link to."""
    levels = [f"h{n}" for n in range(2, max(2, min(depth, 6)) + 1)]
    headings = main.find_all(levels)
    if min_sections <= 0 or sum(h.name == "h2" for h in headings) < min_sections:
        return
    taken = {str(tag["id"]) for tag in soup.find_all(id=True)}
    nav = soup.new_tag("nav", attrs={"class": "sceptre-toc", "aria-label": "Contents"})
    title = soup.new_tag("p", attrs={"class": "sceptre-toc-title"})
    title.string = "Contents"
    nav.append(title)
    top = soup.new_tag("ol")
    nav.append(top)
    lists = {2: top}
    for heading in headings:
        level = int(heading.name[1])
        parent = lists.get(level)
        if parent is None:  # a subsection before any section: list it at the top
            parent = top
        text = _heading_text(copy.copy(heading))
        if not text:
            continue
        if not heading.get("id"):
            base = re.sub(r"[^\w-]+", "-", text).strip("-") or "section"
            anchor, n = base, 1
            while anchor in taken:
                n += 1
                anchor = f"{base}-{n}"
            heading["id"] = anchor
        taken.add(str(heading["id"]))
        item = soup.new_tag("li")
        link = soup.new_tag("a", href=f"#{heading['id']}")
        link.string = text
        item.append(link)
        parent.append(item)
        if level < int(levels[-1][1]):
            inner = soup.new_tag("ol")
            item.append(inner)
            lists[level + 1] = inner
            for deeper in range(level + 2, 7):
                lists.pop(deeper, None)
    for empty in nav.find_all("ol"):
        if not empty.find("li"):
            empty.decompose()
    main.insert(0, nav)


_BREAK_AFTER = re.compile(r"(?<=[_/])(?=\w)")


def _add_break_opportunities(soup: BeautifulSoup, table: Any) -> None:
    """Put ``<wbr>`` after ``_`` and ``/`` in cells, so snake_case headers wrap at a seam."""
    for text in list(table.find_all(string=_BREAK_AFTER)):
        if text.parent is None or text.parent.name in {"style", "script"}:
            continue
        pieces = _BREAK_AFTER.split(str(text))
        replacement: list[Any] = []
        for index, piece in enumerate(pieces):
            if index:
                replacement.append(soup.new_tag("wbr"))
            replacement.append(soup.new_string(piece))
        text.replace_with(*replacement)


def _image_base64(output: Any, mime: str) -> str:
    """Base64 payload for a data URI: PNG/JPEG already are base64, SVG is text."""
    data = output.get("data", {}).get(mime, "")
    if isinstance(data, list):
        data = "".join(data)
    if mime == "image/svg+xml":
        return base64.b64encode(data.encode("utf-8")).decode("ascii")
    return re.sub(r"\s+", "", data)


class SceptrePDFExporter(SceptreHTMLExporter):
    """The same report as an A4 PDF, laid out by WeasyPrint in this process."""

    export_from_notebook = "Sceptre PDF"
    output_mimetype = "application/pdf"

    pdf_identifier = Bool(
        True, help="Write a content-derived PDF /ID (stable across identical builds)."
    ).tag(config=True)
    uncompressed_pdf = Bool(False, help="Leave PDF streams uncompressed (debugging).").tag(
        config=True
    )
    pdf_variant = Unicode(
        None, allow_none=True, help="WeasyPrint PDF variant, e.g. 'pdf/a-3b' or 'pdf/ua-1'."
    ).tag(config=True)
    allow_network = Bool(
        False, help="Let WeasyPrint fetch http(s) resources; off so builds are offline."
    ).tag(config=True)
    base_url = Unicode(
        None, allow_none=True, help="Base for relative links; default: the notebook's folder."
    ).tag(config=True)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    def from_notebook_node(  # type: ignore[override]
        self, nb: nbformat.NotebookNode, resources: dict | None = None, **kw: Any
    ) -> tuple[bytes, dict]:
        html, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = self.file_extension
        return self.html_to_pdf(html, resources), resources

    def html_to_pdf(self, html: str, resources: dict | None = None) -> bytes:
        """Lay out already-rendered report HTML; raises PangoMissingError without Pango."""
        weasyprint = load_weasyprint()
        base = self.base_url
        if base is None:
            path = ((resources or {}).get("metadata") or {}).get("path") or os.getcwd()
            base = Path(path).resolve().as_uri() + "/"
        protocols = None if self.allow_network else {"data", "file"}
        fetcher = weasyprint.urls.URLFetcher(allowed_protocols=protocols)
        document = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher)
        return document.write_pdf(
            pdf_identifier=self.pdf_identifier,
            uncompressed_pdf=self.uncompressed_pdf,
            pdf_variant=self.pdf_variant,
        )


@dataclass
class ExportResult:
    """What one export wrote, and which formats failed for a reason a person can fix."""

    outputs: dict[str, Path] = field(default_factory=dict)  # format -> written file
    errors: dict[str, str] = field(default_factory=dict)  # format -> human message
    notes: list[str] = field(default_factory=list)  # what else changed in the folder


_EXPORTERS = threading.local()


def _exporter(kind: type[SceptreHTMLExporter], config: Config | None) -> Any:
    """An exporter of ``kind``, kept per thread when built without a config: its Jinja
    templates compile once, not once per report (0.15 s each); the output is the same."""
    if config is not None:
        return kind(config=config)
    kept = _EXPORTERS.__dict__.setdefault("kept", {})
    if kind not in kept:
        kept[kind] = kind()
    return kept[kind]


def export_notebook(
    nb: nbformat.NotebookNode | Path,
    out_dir: Path,
    stem: str,
    formats: Sequence[str] = ("html", "pdf"),
    *,
    resources: dict | None = None,
    config: Config | None = None,
) -> ExportResult:
    """Write ``stem.html`` / ``stem.pdf`` into ``out_dir``, rendering the HTML only once.

    A missing Pango library is reported in ``errors["pdf"]`` (the HTML is still
    written); any other failure raises.
    """
    wanted = list(dict.fromkeys(str(f).lower() for f in formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        problem = f"unknown export format(s) {unknown!r}" if unknown else "no export format given"
        raise ValueError(f"{problem}; valid formats: {', '.join(FORMATS)}")
    targets = {fmt: inside(Path(out_dir), stem + FORMATS[fmt]) for fmt in wanted}

    resources = dict(resources or {})
    metadata = dict(resources.get("metadata") or {})
    if isinstance(nb, (str, Path)):
        source = Path(nb)
        notebook = nbformat.read(source, as_version=4)
        metadata.setdefault("name", source.stem)
        metadata.setdefault("path", str(source.resolve().parent))
    else:
        notebook = nb
        metadata.setdefault("name", stem)
    resources["metadata"] = metadata

    html_exporter = _exporter(SceptreHTMLExporter, config)
    html, resources = html_exporter.from_notebook_node(notebook, resources=resources)

    result = ExportResult()
    for fmt in wanted:
        if fmt == "html":
            result.outputs[fmt] = write_atomic(targets[fmt], html)
        elif fmt == "pdf":
            try:
                pdf = _exporter(SceptrePDFExporter, config).html_to_pdf(html, resources)
            except PangoMissingError as exc:
                result.errors[fmt] = str(exc)
                if targets[fmt].exists():  # never leave an older PDF beside the new HTML
                    targets[fmt].unlink()
                    result.notes.append(f"removed the out-of-date {targets[fmt].name}")
                continue
            result.outputs[fmt] = write_atomic(targets[fmt], pdf)
    return result
