"""Imported by the build's fork server before any worker starts (``batch.PRELOAD``).

WeasyPrint takes 0.8 s to import; loaded here once, every worker starts with it instead of
paying it in its first report's export. A failure (no Pango) is left for the export to
report: HTML is made without WeasyPrint.
"""

from __future__ import annotations

import contextlib

from .export import load_weasyprint

with contextlib.suppress(Exception):
    load_weasyprint()
