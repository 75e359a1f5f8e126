"""The landing page (``index.html``) and each report's figures CSV, checked in a real browser.

One small batch (two reports that emit the report metadata, one that fails) is built once
for the module; the browser test runs headless Chromium over the folder and skips, with
the reason, when Chromium is not installed.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest
from bs4 import BeautifulSoup

from sceptre_analysis.batch import run_batch
from sceptre_analysis.build import ReportRequest
from sceptre_analysis.jobs import decide, prepare_jobs
from sceptre_analysis.load import load_dataset
from sceptre_analysis.manifest import Manifest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "batch"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

EMIT = """\
from IPython.display import display
figures = [
    {"measure": "Knives recovered", "value": 100 + n, "source": "release <b>"},
    {"measure": "Arrests", "value": 7, "source": "paper, \\"quoted\\""},
]
display({"application/vnd.sceptre.report+json": {
    "title": f"Fixture report {n} <script>alert(1)</script>",
    "period": "9 to 15 November 2020",
    "status": "provisional",
    "verification": "quotes checked against 2 documents",
    "figures": figures,
}, "text/plain": "REPORT METADATA, NOT FOR READERS"}, raw=True)
"""


def _meta_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    parameters = nbformat.v4.new_code_cell("n = 1")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Fixture report"),
        parameters,
        nbformat.v4.new_code_cell(EMIT),
        nbformat.v4.new_code_cell("print(f'report body {n}')"),
    ]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("landing")
    notebook = _meta_notebook(base / "meta.ipynb")
    shutil.copy(FIXTURES / "fail.ipynb", base / "fail.ipynb")
    dataset = load_dataset(ROOT / "data")
    jobs = prepare_jobs(
        [
            ReportRequest(str(notebook), {"n": 1}, ("html", "pdf")),
            ReportRequest(str(notebook), {"n": 2}, ("html",)),
            ReportRequest(str(base / "fail.ipynb"), {"n": 1}, ("html",)),
        ],
        dataset,
    )
    out = base / "reports"
    run_batch(decide(jobs, Manifest(out)), out_dir=out, dataset=dataset, workers=1)
    return out, jobs


def test_index_lists_every_report_with_its_metadata(built):
    out, jobs = built
    soup = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    rows = soup.select("tbody tr")
    assert len(rows) == 3
    text = {row.select_one("code").get_text(): row.get_text(" ", strip=True) for row in rows}
    good, other, failed = (job.stem for job in jobs)
    assert "Fixture report 1 <script>alert(1)</script>" in text[good]  # shown as text
    assert soup.find("script") is None
    for stem in (good, other):
        assert "9 to 15 November 2020" in text[stem]
        assert "provisional" in text[stem]
        assert "quotes checked against 2 documents" in text[stem]
        assert "n: " in text[stem]
    assert "build failed" in text[failed] and "deliberate failure" in text[failed]
    links = {a.get_text() for a in rows[0].select("a")} | {
        a.get_text() for a in rows[1].select("a")
    }
    assert {"HTML", "PDF", "Figures (CSV)"} <= links


def test_figures_csv_beside_each_report_and_linked_from_it(built):
    out, jobs = built
    stem = jobs[0].stem
    with (out / f"{stem}.figures.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [
        {"measure": "Knives recovered", "value": "101", "source": "release <b>"},
        {"measure": "Arrests", "value": "7", "source": 'paper, "quoted"'},
    ]
    html = (out / f"{stem}.html").read_text(encoding="utf-8")
    link = BeautifulSoup(html, "html.parser").find("a", string="Figures (CSV)")
    assert link is not None and link["href"] == f"{stem}.figures.csv"
    assert "REPORT METADATA" not in html and "vnd.sceptre.report" not in html
    entry = json.loads((out / "manifest.json").read_text())["reports"][stem]
    assert entry["outputs"]["figures"] == f"{stem}.figures.csv"
    assert entry["meta"]["verification"] == "quotes checked against 2 documents"


def _page_requests(netlog: Path) -> list[str]:
    """URLs the page itself asked for (the browser's own update checks are not the page's)."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        e["params"]["url"]
        for e in log["events"]
        if e["type"] == start and "file://" in e["params"].get("network_isolation_key", "")
    ]


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium (/usr/bin/chromium) not installed")
def test_index_and_reports_in_headless_chromium_offline(built, tmp_path):
    out, _ = built
    pages = [out / "index.html"]
    index = BeautifulSoup(pages[0].read_text(encoding="utf-8"), "html.parser")
    for anchor in index.select("a[href]"):
        if anchor["href"].startswith("#"):  # a failed report, listed at the top
            assert index.find(id=anchor["href"][1:]) is not None, anchor["href"]
            continue
        target = (out / unquote(anchor["href"])).resolve()
        assert target.is_file(), anchor["href"]
        assert out.resolve() in target.parents
        if target.suffix == ".html":
            pages.append(target)
    for page in pages:
        for anchor in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select(
            "a[href]"
        ):
            href = anchor["href"]
            if href.startswith("#"):
                continue
            assert not urlparse(href).scheme, f"{page.name}: link leaves the folder: {href}"
            assert (page.parent / unquote(href)).is_file(), f"{page.name}: broken link {href}"

    for number, page in enumerate(pages):
        netlog = tmp_path / f"net-{number}.json"
        result = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={tmp_path / f'profile-{number}'}",
                "--enable-logging=stderr",
                "--v=0",
                f"--log-net-log={netlog}",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "TZ": "UTC"},
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert "</html>" in result.stdout  # the page loaded and rendered
        console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
        assert console == [], f"{page.name}: {console}"
        outside = [u for u in _page_requests(netlog) if not u.startswith(("file://", "data:"))]
        assert outside == [], f"{page.name} asked the network for {outside}"


def test_index_groups_reports_by_notebook_newest_week_first_and_names_failures(tmp_path):
    from sceptre_analysis.landing import render_index

    manifest = Manifest(tmp_path)

    def entry(notebook, week, status="ok", title="Op: Test Police"):
        return {
            "notebook": notebook,
            "parameters": {"operation": "Op", "week": week},
            "status": status,
            "errors": ["kernel died"] if status != "ok" else [],
            "outputs": {},
            "meta": {"title": title},
        }

    manifest.reports = {
        "summary-2020": entry("operation_summary", "2020-11-09"),
        "summary-2024": entry("operation_summary", "2024-11-11"),
        "summary-2022": entry("operation_summary", "2022-05-16", status="failed"),
        "check-2020": entry("source_check", "2020-11-09", title="Op: source check"),
    }
    soup = BeautifulSoup(render_index(manifest), "html.parser")
    groups = [h2.get_text(" ", strip=True) for h2 in soup.select("h2")]
    assert groups == ["Operation summary (3)", "Source check (1)"]
    first = soup.select("table")[0]
    assert [c.get_text() for c in first.select("code.stem")] == [
        "summary-2024",
        "summary-2022",
        "summary-2020",
    ]
    summary = soup.select_one("p.sub")
    assert "1 failed" in summary.get_text()
    assert summary.select_one("a")["href"] == "#summary-2022"
    assert soup.find(id="summary-2022") is not None
