"""Read a saved release into plain text: a text file, a web page saved from a browser, or a PDF.

Extraction works on characters, so every kind of document becomes one ``str``: HTML through
trafilatura (it keeps the article and drops menus, footers and scripts), PDF through pypdf's
text layer.  Anything that yields no usable text is a :class:`DocumentError` with one line
saying what was wrong and what to do, never an empty result that would look like "no figures".

trafilatura and pypdf are imported only for the documents that need them, so reading a text
file costs nothing beyond the standard library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sceptre_analysis.errors import SceptreError

__all__ = ["Document", "DocumentError", "read_document", "read_text"]

#: Bytes that never occur in text: a file holding them is binary (an image, an archive…).
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_PDF_MAGIC = b"%PDF-"
_WORD = re.compile(r"\w+")
#: Fewer words than this is a menu or a cookie notice, not a release.
_MIN_ARTICLE_WORDS = 12


class DocumentError(SceptreError):
    """A document that cannot be read as a release (empty, binary, no article, no text)."""


@dataclass(frozen=True)
class Document:
    """A release as text, with what the file itself says about it."""

    path: Path
    text: str
    kind: str  # "text" | "html" | "pdf"
    title: str = ""
    published: date | None = None


def read_document(path: str | Path) -> Document:
    """Read ``path`` as text, HTML or PDF (decided by its content, not only its name)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DocumentError(
            f"{path}: is a folder, expected a saved release (.txt, .html, .pdf)"
        ) from None
    except OSError as error:
        raise DocumentError(f"{path}: cannot be read ({error.strerror})") from None
    if not raw.strip():
        raise DocumentError(f"{path}: the file is empty, expected the text of a release")
    if raw.startswith(_PDF_MAGIC) or path.suffix.lower() == ".pdf":
        return _read_pdf(path, raw)
    if _BINARY.search(raw[:4096]):
        raise DocumentError(
            f"{path}: looks like a binary file, expected text, a saved web page or a PDF"
        )
    text = _decode(path, raw)
    if path.suffix.lower() in (".html", ".htm", ".xhtml") or _HTML_START.match(raw[:2048]):
        return _read_html(path, text)
    return Document(path, _clean(text), "text")


def read_text(path: str | Path) -> str:
    """The document's text only."""
    return read_document(path).text


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise DocumentError(
            f"{path}:{line}: column {column}: not UTF-8 text (byte 0x{raw[error.start]:02x}); "
            "save the file as UTF-8"
        ) from None


def _clean(text: str) -> str:
    """Normalise line endings and non-breaking spaces; keep everything else as written."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")


def _read_html(path: Path, html: str) -> Document:
    import trafilatura  # heavy-ish: only for web pages

    result = trafilatura.bare_extraction(
        html,
        include_comments=False,
        include_tables=True,
        include_formatting=False,
        favor_recall=True,
        with_metadata=True,
    )
    text = ""
    title = ""
    published: date | None = None
    if result:
        meta = result if isinstance(result, dict) else result.as_dict()
        text = meta.get("text") or ""
        title = meta.get("title") or ""
        published = _iso_date(meta.get("date") or "")
    if len(_WORD.findall(text)) < _MIN_ARTICLE_WORDS:
        raise DocumentError(
            f"{path}: the web page has no article text (trafilatura found only menus or "
            "boilerplate); save the article page itself, or copy its text into a .txt file"
        )
    body = _clean(text)
    if title and not body.lstrip().startswith(title.strip()):
        body = f"{title.strip()}\n\n{body}"
    return Document(path, body, "html", title.strip(), published)


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _read_pdf(path: Path, raw: bytes) -> Document:
    from io import BytesIO

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as error:
        raise DocumentError(f"{path}: not a readable PDF ({error})") from None
    text = _clean("\n\n".join(pages))
    if len(_WORD.findall(text)) < _MIN_ARTICLE_WORDS:
        raise DocumentError(
            f"{path}: the PDF has no text layer (a scanned image?); run OCR on it or copy "
            "the text into a .txt file"
        )
    title = ""
    try:
        title = (reader.metadata.title or "") if reader.metadata else ""
    except Exception:  # metadata is optional and often malformed
        title = ""
    return Document(path, text, "pdf", str(title).strip())
