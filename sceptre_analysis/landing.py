"""``index.html`` in the output folder: every report there, at a glance, offline.

Written after every build from the manifest, which keeps what each report's notebook
said about itself (the report metadata: title, period, status, verification). One
static page: no script, no network, every link relative to the folder; every value
from the data or a notebook is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from . import __version__
from .files import write_atomic
from .manifest import Manifest
from .settings import INDEX_NAME, source_date_epoch

__all__ = ["render_index", "write_index"]

LINKS = (("html", "HTML"), ("pdf", "PDF"), ("figures", "Figures (CSV)"), ("ipynb", "Notebook"))

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 72rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
p.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .45rem .6rem;
         border-bottom: 1px solid #ddd; }
th { background: #f3f3f3; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; }
h2 .count { color: #666; font-weight: normal; }
td.report { width: 38%; }
.title { font-weight: 600; }
.failed { color: #a00; font-weight: bold; }
.ok { color: #075; }
.params { font-size: .85em; color: #444; }
code.stem { font-size: .75em; color: #777; overflow-wrap: anywhere; }
.links a { margin-right: .6rem; white-space: nowrap; }
.none { color: #888; }
td.when { white-space: nowrap; font-size: .9em; }
"""

COLUMNS = ("Report", "Period", "Status", "Files", "Built (UTC)", "Data verification")


def _text(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _parameters(entry: Mapping[str, Any]) -> str:
    meta = entry.get("meta") or {}
    shown = meta.get("parameters")
    if not isinstance(shown, Mapping):
        shown = {k: v for k, v in (entry.get("parameters") or {}).items() if v not in ("", None)}
    return " · ".join(f"{_text(k)}: {_text(v)}" for k, v in shown.items()) or "—"


def _links(entry: Mapping[str, Any], out_dir: Path) -> str:
    outputs = entry.get("outputs") or {}
    links = [
        f'<a href="{_text(outputs[kind])}">{label}</a>'
        for kind, label in LINKS
        if isinstance(outputs.get(kind), str) and (out_dir / outputs[kind]).is_file()
    ]
    return "".join(links) or '<span class="none">no output</span>'


def _status(entry: Mapping[str, Any]) -> str:
    meta = entry.get("meta") or {}
    if entry.get("status") != "ok":
        first = (entry.get("errors") or ["failed"])[0].splitlines()[0]
        return f'<span class="failed">build failed</span><br>{_text(first)}'
    own = meta.get("status")
    notes = "".join(f"<br>{_text(n)}" for n in entry.get("notes") or [])
    return f'<span class="ok">built</span>{"<br>" + _text(own) if own else ""}{notes}'


def _when(value: str) -> str:
    """ "2026-12-06 04:21" from an ISO time; the text as it is when it is not one."""
    try:
        return datetime.fromisoformat(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def _group_name(notebook: str) -> str:
    """ "Operation summary" for ``operation_summary``."""
    words = notebook.replace("_", " ").replace("-", " ").strip() or "Reports"
    return words[0].upper() + words[1:]


def _ordered(manifest: Manifest) -> dict[str, list[tuple[str, Mapping[str, Any]]]]:
    """Reports grouped by notebook; in each group by title, the newest week first."""
    groups: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for stem, entry in sorted(manifest.reports.items()):
        groups.setdefault(str(entry.get("notebook") or "reports"), []).append((stem, entry))
    for items in groups.values():
        items.sort(key=lambda item: str((item[1].get("parameters") or {}).get("week") or ""))
        items.reverse()
        items.sort(key=lambda item: str((item[1].get("meta") or {}).get("title") or item[0]))
    return dict(sorted(groups.items()))


def _row(stem: str, entry: Mapping[str, Any], out_dir: Path, built: str | None) -> str:
    meta = entry.get("meta") or {}
    verification = meta.get("verification") or "not stated by the report"
    return (
        f'<tr id="{_text(stem)}">'
        f'<td class="report"><span class="title">{_text(meta.get("title") or stem)}</span><br>'
        f'<span class="params">{_parameters(entry)}</span><br>'
        f'<code class="stem">{_text(stem)}</code></td>'
        f"<td>{_text(meta.get('period') or '—')}</td>"
        f"<td>{_status(entry)}</td>"
        f'<td class="links">{_links(entry, out_dir)}</td>'
        f'<td class="when">{_text(_when(built or str(entry.get("finished") or "")))}</td>'
        f"<td>{_text(verification)}</td>"
        "</tr>"
    )


def render_index(manifest: Manifest) -> str:
    """The landing page for the manifest's folder, as HTML text: one table per notebook."""
    out_dir = manifest.out_dir
    epoch = source_date_epoch()  # a reproducible build shows its fixed time, as its reports do
    fixed = datetime.fromtimestamp(epoch, tz=UTC).isoformat() if epoch is not None else None
    head = "".join(f'<th scope="col">{c}</th>' for c in COLUMNS)
    sections = []
    for notebook, items in _ordered(manifest).items():
        rows = "\n".join(_row(stem, entry, out_dir, fixed) for stem, entry in items)
        sections.append(
            f'<h2>{_text(_group_name(notebook))} <span class="count">({len(items)})</span></h2>\n'
            f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>"
        )
    count = len(manifest.reports)
    failed = [
        (stem, entry) for stem, entry in manifest.reports.items() if entry.get("status") != "ok"
    ]
    summary = f"{count} report{'' if count == 1 else 's'} in this folder"
    if failed:
        links = ", ".join(
            f'<a href="#{_text(stem)}">{_text((e.get("meta") or {}).get("title") or stem)}</a>'
            for stem, e in sorted(failed)
        )
        summary += f', <span class="failed">{len(failed)} failed</span> ({links})'
    body = "\n".join(sections) or '<p class="none">No reports yet.</p>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="sceptre-analysis {_text(__version__)}">
<title>Reports</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Reports</h1>
<p class="sub">{summary}, from its build manifest.
Checked, cited tallies from police knife-crime weeks of action.</p>
{body}
</body>
</html>
"""


def write_index(out_dir: Path, manifest: Manifest | None = None) -> Path:
    """Write ``index.html`` for the folder's reports (atomically)."""
    manifest = manifest or Manifest.load(out_dir)
    return write_atomic(Path(out_dir) / INDEX_NAME, render_index(manifest))
