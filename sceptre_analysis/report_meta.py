"""The report's metadata, shown once per report notebook for the build to read.

The output has the mimetype :data:`MIMETYPE` (hidden in HTML and PDF); the build reads it from
the executed notebook to write ``NAME.figures.csv`` beside the report and to fill the landing
page. Fields: ``title``, ``period``, ``status``, ``verification`` and ``figures`` (the report's
figures table as records), plus any extra ones a report adds (``charts``).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MIMETYPE", "PRINT_CSS", "show_report_meta"]

MIMETYPE = "application/vnd.sceptre.report+json"

PRINT_CSS = """
h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
.jp-MarkdownCell:has(h2:last-child), .jp-MarkdownCell:has(h3:last-child) { break-after: avoid; }
section.finding, p.lede, figure, img, .jp-OutputArea-output img { break-inside: avoid; }
table.report tr { break-inside: avoid; }
span.part { padding-left: 1em; display: inline-block; }
a.status.disputed, span.status.disputed { color: #a33; }
"""
"""Print rules for the reports' own blocks: a heading stays with what follows it, a chart
or a finding is never split across pages (the export template holds the rest)."""


def _plain(value: Any) -> Any:
    """JSON-safe: pandas/NumPy scalars and timestamps become plain values."""
    return json.loads(json.dumps(value, default=str))


def show_report_meta(**fields: Any) -> dict[str, Any]:
    """Display the metadata bundle (call once per report notebook) and return it."""
    from IPython.display import HTML, display

    payload = _plain(fields)
    display({MIMETYPE: payload}, raw=True)
    display(HTML(f"<style>{PRINT_CSS}</style>"))
    return payload
