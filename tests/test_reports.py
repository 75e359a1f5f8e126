"""End to end: real papermill kernels, real nbconvert, real WeasyPrint, read back as a reader would.

Every distinct report is built once per session, all at the same time (a process pool for
``build_report``, a subprocess for the command line), and the tests only read the files.
"""

from __future__ import annotations

import base64
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_notebook
from pypdf import PdfReader

from sceptre_analysis import __version__
from sceptre_analysis.build import ReportRequest, ReportResult, build_report
from sceptre_analysis.cli import main
from sceptre_analysis.load import load_dataset

# The session-scoped builds run once: every test of this module goes to one xdist worker.
pytestmark = pytest.mark.xdist_group("reports")


ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "fixtures" / "reports"
"""A small data folder of our own: exact expectations never pin the shipped data/ (it grows)."""
NATIONAL = "National (all forces)"
FORCE = "Testshire Police"
BUILD_TIMEOUT = 600  # seconds for the whole set; a hung kernel fails the tests, not CI
WEEK = "2021-11-15"
REQUESTS = {
    "national": ReportRequest("operation_summary", {"agency": NATIONAL, "week": WEEK}),
    "force": ReportRequest("operation_summary", {"agency": FORCE, "week": "2022-05-16"}),
    "source_check": ReportRequest("source_check", {"week": WEEK}),
    "trend": ReportRequest("trend", {"agency": NATIONAL}),
}


@dataclass
class Builds:
    results: dict[str, ReportResult]
    data_change: subprocess.CompletedProcess
    data_change_out: Path
    failing: ReportResult
    failing_out: Path
    cli_default: subprocess.CompletedProcess
    cli_default_out: Path
    cli_failing: subprocess.CompletedProcess
    cli_failing_out: Path


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``sceptre-report ARGS`` in a subprocess, started now, collected later."""
    return subprocess.Popen(
        [sys.executable, "-m", "sceptre_analysis.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def _collect(process: subprocess.Popen) -> subprocess.CompletedProcess:
    stdout, stderr = process.communicate(timeout=BUILD_TIMEOUT)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _failing_notebooks(folder: Path) -> Path:
    folder.mkdir()
    nb = new_notebook(
        cells=[
            new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            new_code_cell("print('before the failure')"),
            new_code_cell("raise RuntimeError('deliberate failure for the test')"),
            new_code_cell("print('never reached')"),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "broken.ipynb")
    return folder


def _changed_data(folder: Path) -> Path:
    """An analyst's copy of the data where a corrected release says 940 knives seized, not 936."""
    shutil.copytree(DATA_DIR, folder)
    tallies = folder / "tallies.csv"
    text = tallies.read_text(encoding="utf-8")
    old = "knives_seized,936,,npcc-2021,936 seized"
    assert text.count(old) == 1
    tallies.write_text(text.replace(old, old.replace("936", "940")), "utf-8")
    return folder


def _small_plan(folder: Path) -> Path:
    folder.mkdir()
    plan = folder / "reports.toml"
    plan.write_text(
        '[[reports]]\nnotebook = "operation_summary"\n'
        f'parameters = {{ agency = "{NATIONAL}", week = "{WEEK}" }}\n'
        '[[reports]]\nnotebook = "source_check"\nparameters = { week = "2022-05-16" }\n',
        encoding="utf-8",
    )
    return plan


@pytest.fixture(scope="session")
def builds(tmp_path_factory) -> Builds:
    base = tmp_path_factory.mktemp("reports")
    out = base / "out"
    notebooks = _failing_notebooks(base / "notebooks")
    failing_out = base / "failing-out"
    changed = _changed_data(base / "data-940")
    changed_out = base / "data-940-out"
    plan = _small_plan(base / "plan")

    cli_default_out = base / "cli-plan-out"
    cli_failing_out = base / "cli-failing-out"
    changed_cli = _cli(
        "build", "operation_summary", "-p", f"agency={NATIONAL}", "-p", f"week={WEEK}",
        "--data", str(changed), "--out", str(changed_out), "--format", "html",
    )  # fmt: skip
    plan_cli = _cli(
        "build", "--plan", str(plan), "--data", str(DATA_DIR), "--out", str(cli_default_out),
        "--format", "html",
    )  # fmt: skip
    failing_cli = _cli(
        "build", "broken", "--out", str(cli_failing_out), "--format", "html",
        env={"SCEPTRE_NOTEBOOKS_DIR": str(notebooks)},
    )  # fmt: skip

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sceptre_analysis.build"])
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        futures: dict[str, Future] = {
            key: pool.submit(build_report, r, out_dir=out, data_dir=DATA_DIR)
            for key, r in REQUESTS.items()
        }
        failing = pool.submit(
            build_report, ReportRequest("broken", {}), out_dir=failing_out, notebooks_dir=notebooks
        )
        results = {key: future.result(timeout=BUILD_TIMEOUT) for key, future in futures.items()}
        failing_result = failing.result(timeout=BUILD_TIMEOUT)
    return Builds(
        results,
        _collect(changed_cli),
        changed_out,
        failing_result,
        failing_out,
        _collect(plan_cli),
        cli_default_out,
        _collect(failing_cli),
        cli_failing_out,
    )


REPORTS = list(REQUESTS)


@pytest.fixture(scope="session")
def soups(builds) -> dict[str, BeautifulSoup]:
    return {
        key: BeautifulSoup(result.outputs["html"].read_text(encoding="utf-8"), "html.parser")
        for key, result in builds.results.items()
        if "html" in result.outputs
    }


@pytest.fixture(scope="session")
def pdf_texts(builds) -> dict[str, str]:
    texts = {}
    for key, result in builds.results.items():
        if "pdf" in result.outputs:
            reader = PdfReader(result.outputs["pdf"])
            texts[key] = " ".join("\n".join(page.extract_text() for page in reader.pages).split())
    return texts


def _text(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ", strip=True).split())


def _table(soup: BeautifulSoup, index: int = 0) -> list[dict[str, str]]:
    """A report table as rows of {column: cell text}."""
    table = soup.select("table.report")[index]
    header = [th.get_text(strip=True) for th in table.select("thead th")]
    return [
        dict(zip(header, (td.get_text(" ", strip=True) for td in tr.select("td")), strict=True))
        for tr in table.select("tbody tr")
    ]


# ---- every report --------------------------------------------------------------------------------


def test_every_report_builds_to_html_and_pdf(builds):
    for key in REPORTS:
        result = builds.results[key]
        assert result.ok, f"{key}: {result.errors}"
        assert {"html", "pdf"} <= set(result.outputs)
        assert result.outputs["pdf"].read_bytes().startswith(b"%PDF")
        assert result.failed_notebook is None


@pytest.mark.parametrize("key", REPORTS)
def test_html_shows_no_code_prompts_or_raw_values(soups, key):
    soup = soups[key]
    text = _text(soup)

    assert not soup.select(".jp-InputArea .jp-CodeMirrorEditor, .highlight, .jp-InputPrompt")
    assert "In [" not in text and "Out[" not in text
    for code in ["import ", "load_dataset", "display(", "summary.", "Traceback", "report."]:
        assert code not in text, f"{code!r} leaked into the {key} report"
    for raw in [" nan ", " NaN ", "<NA>", "None", "{'title'"]:
        assert raw not in f" {text} ", f"{raw!r} in the {key} report"
    assert not re.search(r"line \d+\.0\b", text)


@pytest.mark.parametrize("key", REPORTS)
def test_html_is_self_contained_and_images_have_alt_text(soups, key):
    soup = soups[key]

    assert soup.select("script[src]") == []
    for link in soup.select("link[href]"):
        assert not re.match(r"(https?:)?//", link["href"]), link
    for img in soup.select("img"):
        assert img.get("alt", "").strip(), f"image without alt text in {key}"
        assert img["src"].startswith("data:image/")


@pytest.mark.parametrize("key", REPORTS)
def test_title_block_shows_the_parameters_and_footer_the_version_and_data_hash(builds, soups, key):
    soup = soups[key]
    result = builds.results[key]
    block = soup.select_one("header.sceptre-titleblock")
    shown = {
        tr.th.get_text(strip=True): tr.td.get_text(strip=True)
        for tr in block.select("table.sceptre-parameters tr")
    }

    expected = {k: str(v) for k, v in result.parameters.items() if k != "data_dir"}
    assert shown == expected
    assert block.select_one("h1").get_text(strip=True).startswith("Operation Sceptre: ")
    footer = soup.select_one("footer.sceptre-footer")
    assert __version__ in footer.select_one(".sceptre-version").get_text()
    assert footer.select_one(".sceptre-data-hash code").get_text(strip=True) == (
        load_dataset(DATA_DIR).fingerprint()
    )


@pytest.mark.parametrize("key", REPORTS)
def test_pdf_has_page_numbers_and_names_its_sources(pdf_texts, key):
    text = pdf_texts[key]

    assert "Page 1 of" in text
    assert "National Police Chiefs' Council" in text or "Testshire Police" in text
    assert "Operation Sceptre" in text


# ---- what each report says -----------------------------------------------------------------------


def test_national_week_title_period_and_wording_come_from_its_rows(soups):
    block = " ".join(
        soups["national"].select_one("header.sceptre-titleblock").get_text(" ").split()
    )
    assert "Week of action, 15 to 21 November 2021" in block
    force = " ".join(soups["force"].select_one("header.sceptre-titleblock").get_text(" ").split())
    assert "Week of action, 16 to 22 May 2022" in force


def test_national_week_keeps_hedges_and_gives_parts_as_a_breakdown(soups, pdf_texts):
    rows = {row["Measure"]: row for row in _table(soups["national"])}
    assert rows["Knives recovered"]["Figure"] == "9,639"
    assert "over 9,639 knives (“over 9639 knives”" in rows["Knives recovered"]["Notes"]
    assert rows["Knives recovered"]["Status"] == "disputed"
    assert rows["of which knives seized by officers"]["Figure"] == "936"
    assert rows["Weapon sweeps"]["Figure"] == "around 2,000"
    assert rows["Weapon sweeps"]["Per day"] == "around 290"
    assert rows["Schools engaged"]["Per day"] == ""  # per_day blank in measures.csv
    lede = _text(soups["national"].select_one("p.lede"))
    assert "9,639 knives recovered" in lede
    assert "of which 936 knives seized by officers and 8,703 knives surrendered" in lede
    for words in ["over 9,639 knives", "around 2,000", "Week of action"]:
        assert words in pdf_texts["national"]


def test_force_with_two_areas_shows_both_and_never_merges_them(soups):
    rows = _table(soups["force"])
    arrests = {row["Area"]: row["Figure"] for row in rows if row["Measure"] == "Arrests"}
    assert arrests == {"North": "20", "South": "30"}


def test_source_check_shows_only_the_weeks_sources_and_claims(soups):
    soup = soups["source_check"]
    listed = {li["id"] for li in soup.select("ol.sources li[id]")}
    assert listed == {"source-npcc-2021", "source-paper-2021"}
    text = _text(soup)
    assert "“over 9639 knives”" in text
    assert "1,900" not in text  # a May 2022 figure
    headings = [h.get_text(strip=True) for h in soup.select("h3")]
    assert "Hedge that cannot be true of its own total (1)" in headings  # over 9,639 = 936 + 8,703
    assert len(headings) == len(set(headings))  # grouped: one heading per kind


def test_trend_draws_every_week_and_cites_every_point(soups):
    soup = soups["trend"]
    alts = [img["alt"] for img in soup.select("img")]
    assert any("Weapon sweeps" in alt and "May 2022: no figures" in alt for alt in alts)
    assert any("Knives recovered" in alt and "9,639" in alt for alt in alts)
    points = _table(soup)
    assert points and all(row["Source"] for row in points)
    assert "Weeks of action, November 2020 to May 2022" in _text(
        soup.select_one("header.sceptre-titleblock")
    )


def test_charts_name_their_sources(soups):
    svgs = [
        base64.b64decode(img["src"].split(",", 1)[1]).decode("utf-8")
        for img in soups["national"].select("img")
    ]
    assert svgs and all(svg.lstrip().startswith("<?xml") for svg in svgs)
    for svg in svgs:
        text = " ".join(re.sub(r"<[^>]+>", " ", svg).split())
        assert "Source: National Police Chiefs' Council" in text.replace("&#39;", "'")


# ---- the command line and failures ---------------------------------------------------------------


def test_build_with_changed_data_shows_the_changed_figure(builds):
    completed = builds.data_change
    assert completed.returncode == 0, completed.stderr
    (html,) = [p for p in builds.data_change_out.glob("*.html") if p.name != "index.html"]
    assert list(builds.data_change_out.glob("*.pdf")) == []  # --format html only
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    rows = {row["Measure"]: row for row in _table(soup)}

    assert rows["of which knives seized by officers"]["Figure"] == "940"
    assert rows["Knives recovered"]["Figure"] == "9,643"  # 940 + 8,703, computed
    data_hash = soup.select_one(".sceptre-data-hash code").get_text(strip=True)
    assert data_hash != load_dataset(DATA_DIR).fingerprint()


def test_a_failing_cell_keeps_the_failed_notebook(builds):
    result = builds.failing

    assert not result.ok
    assert "deliberate failure for the test" in " ".join(result.errors)
    assert result.stem.startswith("broken")
    assert result.failed_notebook == builds.failing_out / f"{result.stem}.failed.ipynb"
    assert result.outputs == {}
    assert [p.name for p in builds.failing_out.iterdir()] == [result.failed_notebook.name]
    nb = nbformat.read(result.failed_notebook, as_version=4)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert any(o.get("ename") == "RuntimeError" for o in outputs)
    assert any("before the failure" in o.get("text", "") for o in outputs)
    assert not any("never reached" in o.get("text", "") for o in outputs)


def test_a_bad_agency_on_the_command_line_exits_2_listing_valid_agencies(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["build", "operation_summary", "-p", "agency=Nope", "--data", str(DATA_DIR),
         "--out", str(out)],
    )  # fmt: skip

    assert result.exit_code == 2, result.output
    assert f"'{NATIONAL}'" in result.output
    assert "Unknown agency 'Nope'" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert not out.exists() or list(out.iterdir()) == []


def test_cli_plan_build_makes_the_planned_reports(builds):
    completed = builds.cli_default
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr
    built = sorted(p.stem for p in builds.cli_default_out.glob("*.html") if p.name != "index.html")
    assert len(built) == 2
    assert list(builds.cli_default_out.glob("*.pdf")) == []  # --format html only


def test_cli_build_of_a_failing_notebook_exits_1_and_keeps_the_failed_notebook(builds):
    completed = builds.cli_failing
    output = completed.stdout + completed.stderr

    assert completed.returncode == 1, output
    assert "deliberate failure for the test" in output
    assert "Traceback" not in output
    kept = list(builds.cli_failing_out.glob("*.failed.ipynb"))
    assert len(kept) == 1
    assert kept[0].name in output
    assert [p.name for p in builds.cli_failing_out.glob("*.html")] == ["index.html"]
