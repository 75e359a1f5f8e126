"""Settings and defaults of the build engine, in one small module with no heavy imports.

The command line, the plan reader, the batch runner and the executor all read these, so
``sceptre-report --help`` and ``build --dry-run`` never import pandas or papermill.
"""

from __future__ import annotations

from .errors import SceptreError

__all__ = [
    "DEFAULT_CELL_TIMEOUT",
    "DEFAULT_EXPORT_TIMEOUT",
    "DEFAULT_FORMATS",
    "DEFAULT_NOTEBOOK_TIMEOUT",
    "DEFAULT_OUTPUT_LIMIT",
    "DEFAULT_WORKER_LOSS_TIMEOUT",
    "FORMATS",
    "INDEX_NAME",
    "MANIFEST_NAME",
    "PLAN_FILE",
    "TABLE",
    "SettingError",
    "source_date_epoch",
]

FORMATS = ("html", "pdf", "ipynb")
"""What a report can be written as: the exported HTML and PDF, and the executed notebook."""

DEFAULT_FORMATS = ("html", "pdf")

DEFAULT_CELL_TIMEOUT = 120.0
"""Seconds one cell may run before the report fails."""

DEFAULT_NOTEBOOK_TIMEOUT = 1800.0
"""Seconds a whole notebook may run: long enough for any report, never for ever."""

DEFAULT_EXPORT_TIMEOUT = 300.0
"""Seconds the HTML and PDF export of one report may take."""

DEFAULT_OUTPUT_LIMIT = 2_000_000
"""Characters of output one cell may keep in a report; the rest is cut with a note."""

DEFAULT_WORKER_LOSS_TIMEOUT = 120.0
"""Seconds a Dask build waits with no worker before failing the reports not yet run."""


class SettingError(SceptreError, ValueError):
    """An environment setting (such as ``SOURCE_DATE_EPOCH``) that cannot be used."""


PLAN_FILE = "reports.toml"
TABLE = "tool.sceptre-report"
MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.html"


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as whole seconds, None when unset; checked once, before a build.

    Raises :class:`SettingError` for a value that is not whole seconds.
    """
    import os

    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
        if not 0 <= value < 253402300800:  # up to the year 9999
            raise ValueError
    except ValueError:
        raise SettingError(
            f"SOURCE_DATE_EPOCH must be whole seconds since 1970 (e.g. 1700000000), got {raw!r}"
        ) from None
    return value
