"""The report's metadata, shown once per report notebook for the build to read.

The output has the mimetype :data:`MIMETYPE` (hidden in HTML and PDF); the build reads it from
the executed notebook to write ``NAME.figures.csv`` beside the report and to fill the landing
page. Fields: ``title``, ``period``, ``status``, ``verification`` and ``figures`` (the report's
figures table as records), plus any extra ones a report adds (``charts``).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MIMETYPE", "show_report_meta"]

MIMETYPE = "application/vnd.sceptre.report+json"


def _plain(value: Any) -> Any:
    """JSON-safe: pandas/NumPy scalars and timestamps become plain values."""
    return json.loads(json.dumps(value, default=str))


def show_report_meta(**fields: Any) -> dict[str, Any]:
    """Display the metadata bundle (call once per report notebook) and return it."""
    from IPython.display import display

    payload = _plain(fields)
    display({MIMETYPE: payload}, raw=True)
    return payload
