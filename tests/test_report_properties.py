"""Properties every report the data can produce must have, checked on the whole default plan.

The plan (``[tool.sceptre-report]`` in pyproject.toml) is built ONCE per session with the real
command line: papermill kernels, nbconvert, WeasyPrint, two worker processes. Each report's
HTML and PDF text are read back, and its metadata output (the figures and charts it drew) is
read from the executed notebook. The checks are properties of what a reader sees, never
snapshots of wording, so they hold for any week and agency the data grows to.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from sceptre_analysis.figures import claim_of, number_text, report_data, selected_period
from sceptre_analysis.hedges import describe
from sceptre_analysis.load import load_dataset
from sceptre_analysis.report_meta import MIMETYPE

# The session-scoped builds run once: every test of this module goes to one xdist worker.
pytestmark = pytest.mark.xdist_group("grid")


ROOT = Path(__file__).resolve().parent.parent
BUILD_TIMEOUT = 900


@dataclass
class Built:
    stem: str
    notebook: str
    parameters: dict
    soup: BeautifulSoup
    pdf_text: str
    meta: dict


@pytest.fixture(scope="session")
def data():
    return report_data(load_dataset(ROOT / "data"))


@pytest.fixture(scope="session")
def grid(tmp_path_factory) -> dict[str, Built]:
    """Every report of the default plan, built once."""
    out = tmp_path_factory.mktemp("grid")
    completed = subprocess.run(
        [sys.executable, "-m", "sceptre_analysis.cli", "build", "--all", "--force",
         "--out", str(out), "--format", "html,pdf,ipynb", "-j", "2"],
        capture_output=True, text=True, cwd=ROOT, timeout=BUILD_TIMEOUT,
        env={**os.environ, "SCEPTRE_PROJECT_ROOT": str(ROOT)},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    built = {}
    for stem, entry in manifest["reports"].items():
        outputs = entry["outputs"]
        html = (out / outputs["html"]).read_text(encoding="utf-8")
        reader = PdfReader(out / outputs["pdf"])
        executed = nbformat.read(out / outputs["ipynb"], as_version=4)
        metas = [
            output["data"][MIMETYPE]
            for cell in executed.cells
            if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if MIMETYPE in output.get("data", {})
        ]
        assert len(metas) == 1, f"{stem}: the report metadata must be shown exactly once"
        built[stem] = Built(
            stem,
            entry["notebook"],
            entry["parameters"],
            BeautifulSoup(html, "html.parser"),
            " ".join(" ".join(page.extract_text() for page in reader.pages).split()),
            metas[0],
        )
    return built


def _text(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ", strip=True).split())


def _week_claims(data, report: Built) -> pd.DataFrame:
    claims = data.claims
    parameters = report.parameters
    claims = claims[(claims["operation"] == parameters["operation"]) & (claims["context"] == "")]
    if report.notebook == "trend":
        return claims[claims["agency"] == parameters["agency"]]
    week = parameters.get("week") or max(claims["week"].dropna())
    claims = claims[claims["week"] == pd.Timestamp(str(week))]
    if report.notebook == "operation_summary":
        claims = claims[claims["agency"] == parameters["agency"]]
    return claims


def test_the_plan_builds_every_kind_of_report(grid):
    kinds = {report.notebook for report in grid.values()}
    assert kinds == {"operation_summary", "source_check", "trend"}
    for report in grid.values():
        assert report.pdf_text, f"{report.stem}: empty PDF"
        assert "Traceback" not in _text(report.soup)


def test_no_total_sits_in_prose_beside_its_parts(grid, data):
    """In every paragraph, a figure whose total also appears there is inside that total's
    breakdown ("of which ...", "including ..."), never a sibling in the same list."""
    checked = 0
    for report in grid.values():
        for paragraph in report.soup.select("p"):
            spans = paragraph.select("span.figure[data-measure]")
            measures = {span["data-measure"] for span in spans}
            for span in spans:
                measure = span["data-measure"]
                containing = data.roles.ancestors(measure) & measures
                if not containing:
                    continue
                checked += 1
                holders = {b["data-of"] for b in span.find_parents("span", class_="breakdown")}
                assert holders & (containing | {""}), (
                    f"{report.stem}: {measure} is listed beside {containing} in "
                    f"“{paragraph.get_text(' ', strip=True)[:300]}”"
                )
    assert checked, "no report shows a total with its parts: the property was never exercised"


def test_every_hedged_claim_keeps_its_hedge_in_the_html(grid, data):
    for report in grid.values():
        text = _text(report.soup)
        claims = _week_claims(data, report)
        if report.notebook == "trend":
            drawn = {(row["Week"], row["Measure"]) for row in report.meta["figures"]}
            weeks = {w for w, _ in drawn}
            claims = claims[[f"{w:%B %Y}" in weeks for w in claims["week"]]]
            labels = {m for _, m in drawn}
            claims = claims[
                [
                    any(data.roles[m].label.lower() in label.lower() for label in labels)
                    for m in claims["measure"]
                ]
            ]
        for row in claims.to_dict("records"):
            claim = claim_of(row, data.vocabulary)
            if claim.is_exact:
                continue
            words = describe(claim, number_text(data.roles.get(row["measure"])))
            assert words in text, (
                f"{report.stem}: the hedge of line {row['line']} ({words!r}) is lost"
            )


def test_cited_sources_are_exactly_the_sources_list(grid):
    for report in grid.values():
        cited = {a["href"][1:] for a in report.soup.select("a.cite[href^='#source-']")}
        listed = {li["id"] for li in report.soup.select("ol.sources li[id]")}
        assert cited, f"{report.stem} cites no source"
        assert cited == listed, f"{report.stem}: cited {cited - listed}, listed {listed - cited}"


def test_long_reports_open_with_a_contents_list_that_leads_to_their_sections(grid):
    """Notebooks that ask for one (metadata.sceptre.contents) get it in the built report."""
    wanted = {
        path.stem
        for path in (ROOT / "notebooks").glob("*.ipynb")
        if (json.loads(path.read_text(encoding="utf-8"))["metadata"].get("sceptre") or {}).get(
            "contents"
        )
    }
    checked = 0
    for report in grid.values():
        if report.notebook not in wanted:
            continue
        nav = report.soup.select_one("nav.sceptre-toc")
        assert nav is not None, f"{report.stem}: no contents list"
        headings = [h.get_text(" ", strip=True) for h in report.soup.select("main h2")]
        listed = [a.get_text(" ", strip=True) for a in nav.select("nav > ol > li > a")]
        assert listed and all(item in " ".join(headings) for item in listed), report.stem
        assert "Contents" in report.pdf_text, report.stem
        checked += 1
    assert checked, "no report asks for a contents list"


def test_every_link_inside_a_report_has_its_target(grid):
    for report in grid.values():
        ids = {tag["id"] for tag in report.soup.select("[id]")}
        for link in report.soup.select("a[href^='#']"):
            assert link["href"][1:] in ids, f"{report.stem}: {link['href']} leads nowhere"


def test_disputed_figures_link_to_their_explanation(grid):
    for report in grid.values():
        for status in report.soup.select("a.status.disputed"):
            target = report.soup.find(id=status["href"][1:])
            assert target is not None and "finding" in target.get("class", []), report.stem


def test_the_title_period_is_the_selected_rows_period(grid, data):
    for report in grid.values():
        block = report.soup.select_one("header.sceptre-titleblock")
        shown = " ".join(block.get_text(" ", strip=True).split())
        claims = _week_claims(data, report)
        if report.notebook == "trend":
            months = {f"{w:%B %Y}" for w in claims["week"].dropna()}
            assert report.meta["period"] in shown, f"{report.stem}: title block lacks the period"
            for end in report.meta["period"].split(" to "):
                assert end in months, f"{report.stem}: {end} is not a week of the agency's"
            continue
        periods = set()
        for _, rows in claims.groupby(["period_start", "period_end", "period_kind"]):
            periods.add(selected_period(rows).text)
        assert report.meta["period"] in periods, (report.stem, report.meta["period"], periods)
        assert report.meta["period"] in shown, f"{report.stem}: title block lacks the period"


def test_the_title_period_is_the_one_the_dates_finding_decides(grid, data):
    """A report never puts its week on dates its own "sources disagree on the dates" finding
    decided against (the title, the per-day rates and the finding share one rule)."""
    for report in grid.values():
        if report.notebook != "operation_summary":
            continue
        claims = _week_claims(data, report)
        agency, weeks = report.parameters["agency"], list(claims["week"].dropna().unique())
        found = data.findings(report.parameters["operation"], weeks, agency)
        for decision in found.loc[found["kind"] == "dates_disagree", "decision"]:
            assert f"use {report.meta['period']} (" in decision, (report.stem, decision)


def test_no_chart_compares_a_measure_with_its_own_part(grid, data):
    roles = data.roles
    charts = 0
    for report in grid.values():
        for chart in report.meta.get("charts", []):
            charts += 1
            bars = chart["bars"]
            for i, first in enumerate(bars):
                for second in bars[i + 1 :]:
                    if first == second:
                        continue  # the same measure in two areas
                    assert not roles.nested(first, second), (report.stem, chart["title"])
                    assert roles.comparable(first, second), (report.stem, chart["title"])
            for total, parts in chart["segments"].items():
                for part in parts:
                    assert total in roles.ancestors(part), (report.stem, total, part)
            for word in (" outnumbered ", "the largest figure"):
                assert word not in f" {chart['title']} ", (report.stem, chart["title"])
    assert charts, "no report drew a chart"


def test_pdf_holds_the_figures_the_html_shows(grid):
    for report in grid.values():
        for row in report.meta["figures"][:5]:
            figure = row.get("Figure", "")
            if figure:
                assert figure in report.pdf_text, f"{report.stem}: {figure!r} missing from PDF"
