"""The extraction review page: a release's text with every proposed figure marked up.

Each proposed figure is highlighted where the text writes it and labelled with what the
extractor read (measure, hedge, confidence); each number it set aside is shown in grey with
the reason ("date", "phone number").  Everything taken from the document or the data is
HTML-escaped.  Styles are inline so the page looks the same in HTML and in the PDF.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from markupsafe import Markup, escape

from sceptre_analysis import paths
from sceptre_analysis.documents import Document, DocumentError, read_document
from sceptre_analysis.extract import Extraction, extractor

__all__ = [
    "Review",
    "figures_table_html",
    "highlighted_html",
    "load_review",
    "overview_html",
    "report_fields",
    "show_meta",
    "skipped_table_html",
]

_FIGURE_STYLE = (
    "background:{colour};border-radius:3px;padding:0 2px;font-weight:600;"
    "border-bottom:2px solid #b58900"
)
_LABEL_STYLE = (
    "font-size:0.7em;color:#5b4500;background:#fff4c2;border:1px solid #e0c36b;"
    "border-radius:3px;padding:0 3px;margin-left:2px;white-space:nowrap;vertical-align:super"
)
_SKIP_STYLE = "color:#8a8a8a;background:#f0f0f0;border-radius:3px;padding:0 2px"
_SKIP_LABEL = "font-size:0.7em;color:#8a8a8a;margin-left:2px;font-style:italic"
_TABLE = "border-collapse:collapse;font-size:0.85em;width:100%"
_CELL = "border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top"


@dataclass
class Review:
    document: Document
    extraction: Extraction


def _first_document() -> Path:
    """The first source's saved document: the page's example when no document is named."""
    folders = paths.documents_dirs()
    sources = paths.data_dir() / "sources.csv"
    if folders and sources.is_file():
        with sources.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                name = row.get("document") or ""
                for candidate in (folder / name for folder in folders if name):
                    if candidate.is_file():
                        return candidate
    raise DocumentError("no document named and no saved source document found; set `document`")


def load_review(
    document: str | Path | None = None,
    *,
    data_dir: str | Path | None = None,
    published: str | date | None = None,
) -> Review:
    """Read ``document`` (default: the first source's saved copy) and extract its figures."""
    path = Path(document) if document else _first_document()
    doc = read_document(path)
    day = date.fromisoformat(published) if isinstance(published, str) and published else None
    if isinstance(published, date):
        day = published
    result = extractor(data_dir or None).extract(
        doc.text, published=day or doc.published, source=str(path)
    )
    return Review(doc, result)


def _label(figure) -> str:
    parts = [figure.measure or "no measure"]
    if figure.qualifier:
        parts.append(figure.qualifier)
    if figure.context:
        parts.append("context")
    parts.append(f"{figure.confidence:.0%}")
    return " · ".join(parts)


def _colour(confidence: float) -> str:
    return "#ffe27a" if confidence >= 0.8 else "#fff0b3" if confidence >= 0.6 else "#fde2d8"


def highlighted_html(review: Review) -> str:
    """The text, paragraph by paragraph, with figures highlighted and skipped numbers greyed."""
    text = review.document.text
    marks: list[tuple[int, int, str, str, float]] = []  # start, end, kind, label, confidence
    seen: set[tuple[int, int]] = set()
    for figure in review.extraction.figures:
        span = (figure.start, figure.end)
        if span in seen:  # the two ends of a range share one span
            continue
        seen.add(span)
        marks.append((figure.start, figure.end, "figure", _label(figure), figure.confidence))
    for skipped in review.extraction.skipped:
        span = (skipped.start, skipped.end)
        if span not in seen:
            seen.add(span)
            marks.append((skipped.start, skipped.end, "skipped", skipped.reason, 0.0))
    marks.sort()
    out: list[str] = []
    position = 0
    for start, end, kind, label, confidence in marks:
        if start < position:
            continue  # overlapping marks: the first wins
        out.append(str(escape(text[position:start])))
        words = escape(text[start:end])
        if kind == "figure":
            style = _FIGURE_STYLE.format(colour=_colour(confidence))
            out.append(
                f'<mark style="{style}" title="{escape(label)}">{words}</mark>'
                f'<span style="{_LABEL_STYLE}">{escape(label)}</span>'
            )
        else:
            out.append(
                f'<span style="{_SKIP_STYLE}" title="{escape(label)}">{words}</span>'
                f'<span style="{_SKIP_LABEL}">({escape(label)})</span>'
            )
        position = end
    out.append(str(escape(text[position:])))
    body = "".join(out)
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    html = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return str(Markup(f'<div style="line-height:1.9;max-width:48em">{html}</div>'))


def overview_html(review: Review) -> str:
    """One paragraph: the document, its period and what was found."""
    result = review.extraction
    n = len(result.figures)
    measured = sum(bool(f.measure) for f in result.figures)
    period = " to ".join(p for p in result.period if p) or "not found"
    published = result.published.isoformat() if result.published else "not found"
    return str(
        Markup(
            "<p><strong>{doc}</strong> ({kind}): {n} figures proposed, {m} with a measure, "
            "{s} numbers skipped. Period: {period}. Published: {published}. "
            "Nothing here is checked by a person yet: every figure is a proposal.</p>"
        ).format(
            doc=review.document.path.name,
            kind=review.document.kind,
            n=n,
            m=measured,
            s=len(result.skipped),
            period=period,
            published=published,
        )
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f'<th style="{_CELL}">{escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{escape(str(c))}</td>' for c in row) + "</tr>"
        for row in rows
    )
    return f'<table style="{_TABLE}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def figures_table_html(review: Review) -> str:
    """The proposed rows as a table, in text order."""
    rows = [
        [
            f.row()["value"] + (f"–{f.row()['value_high']}" if f.range_id else ""),
            f.qualifier,
            f.measure or "(none: fill in or delete)",
            f.agency,
            " to ".join(p for p in (f.period_start, f.period_end) if p) or "(none)",
            f"{f.confidence:.0%}",
            f.quote,
            f.note or f.context,
        ]
        for f in review.extraction.figures
    ]
    header = ["value", "hedge", "measure", "agency", "period", "confidence", "quote", "note"]
    return _table(header, rows)


def skipped_table_html(review: Review) -> str:
    """The numbers not taken as figures, and why."""
    text = review.document.text
    rows = [
        [s.text, s.reason, " ".join(text[max(0, s.start - 40) : s.end + 40].split())]
        for s in sorted(review.extraction.skipped, key=lambda s: s.start)
    ]
    return _table(["number", "reason", "in the text"], rows)


def report_fields(review: Review) -> dict[str, object]:
    """The report metadata the build reads: the proposals become the page's figures CSV
    (the candidates to review), marked as unreviewed."""
    result = review.extraction
    return {
        "title": f"Extraction review: {review.document.path.name}",
        "period": " to ".join(p for p in result.period if p),
        "status": "proposals, not reviewed",
        "verification": "not verified: proposed by rules, to be checked by a person",
        "figures": result.rows(),
    }


def show_meta(review: Review) -> None:
    """Display :func:`report_fields` once (hidden in HTML and PDF)."""
    from sceptre_analysis.report_meta import show_report_meta

    show_report_meta(**report_fields(review))
