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

from sceptre_analysis import __version__, paths
from sceptre_analysis.build import ReportRequest, ReportResult, build_report, default_requests
from sceptre_analysis.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
MET = "Metropolitan Police Service"
BTP = "British Transport Police"
BUILD_TIMEOUT = 600  # seconds for the whole set; a hung kernel fails the tests, not CI


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


def _key(request: ReportRequest) -> str:
    return {MET: "met", BTP: "btp", "All forces": "all"}.get(
        request.parameters.get("agency", ""), request.notebook
    )


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
    """An analyst's copy of data/ where a corrected Met release says 190 knives, not 187.

    The figure, its quote and the document (in the folder's own ``documents/``) change
    together, as validation requires.
    """
    shutil.copytree(DATA_DIR, folder)
    tallies = folder / "tallies.csv"
    text = tallies.read_text(encoding="utf-8")
    old = "London,knives,187,,met-release-2020-11-19,resulted in the recovery of 187 knives"
    assert text.count(old) == 1
    tallies.write_text(text.replace(old, old.replace("187", "190")), "utf-8")
    seeds = paths.documents_dir()
    if seeds is None:
        pytest.skip("the seed documents (../shared/seeds) are not available")
    shutil.copytree(seeds, folder / "documents")
    release = folder / "documents" / "000_e77ebc68579fe822.txt"
    release.write_text(
        release.read_text(encoding="utf-8").replace(
            "recovery of 187 knives", "recovery of 190 knives"
        ),
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="session")
def builds(tmp_path_factory) -> Builds:
    base = tmp_path_factory.mktemp("reports")
    out = base / "out"
    requests = [
        *default_requests(),
        ReportRequest("operation_summary", {"agency": "All forces"}),
    ]
    notebooks = _failing_notebooks(base / "notebooks")
    failing_out = base / "failing-out"
    changed = _changed_data(base / "data-190")
    changed_out = base / "data-190-out"

    cli_default_out = base / "cli-default-out"
    cli_failing_out = base / "cli-failing-out"
    changed_cli = _cli(
        "build", "operation_summary", "-p", f"agency={MET}", "--data", str(changed),
        "--out", str(changed_out), "--format", "html",
    )  # fmt: skip
    default_cli = _cli("build", "--out", str(cli_default_out), "--format", "html")
    failing_cli = _cli(
        "build", "broken", "--out", str(cli_failing_out), "--format", "html",
        env={"SCEPTRE_NOTEBOOKS_DIR": str(notebooks)},
    )  # fmt: skip

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sceptre_analysis.build"])
    with ProcessPoolExecutor(len(requests) + 1, mp_context=context) as pool:
        futures: dict[str, Future] = {
            _key(r): pool.submit(build_report, r, out_dir=out) for r in requests
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
        _collect(default_cli),
        cli_default_out,
        _collect(failing_cli),
        cli_failing_out,
    )


REPORTS = ["met", "btp", "source_check", "all"]


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
            texts[key] = "\n".join(page.extract_text() for page in reader.pages)
    return texts


def _text(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ", strip=True).split())


def _headline(soup: BeautifulSoup) -> dict[str, dict[str, str]]:
    """The first report table (the headline figures) as {measure: {column: cell}}."""
    table = soup.select_one("table.report")
    assert table is not None, "no headline table"
    header = [th.get_text(strip=True) for th in table.select("thead th")]
    rows = {}
    for tr in table.select("tbody tr"):
        cells = dict(
            zip(header, (td.get_text(" ", strip=True) for td in tr.select("td")), strict=True)
        )
        rows[cells["Measure"]] = cells
    return rows


# ---- every report --------------------------------------------------------------------------------


def test_the_default_set_and_the_all_forces_report_build(builds):
    assert {_key(r) for r in default_requests()} == {"met", "btp", "source_check"}
    for key in REPORTS:
        result = builds.results[key]
        assert result.ok, f"{key}: {result.errors}"
        assert set(result.outputs) == {"html", "pdf"}
        assert result.outputs["pdf"].read_bytes().startswith(b"%PDF")
        assert result.failed_notebook is None
    names = sorted(p.name for p in builds.results["met"].outputs["html"].parent.iterdir())
    assert names == sorted(
        f"{builds.results[k].stem}.{ext}" for k in REPORTS for ext in ("html", "pdf")
    )


@pytest.mark.parametrize("key", REPORTS)
def test_html_shows_no_code_prompts_or_raw_values(soups, key):
    soup = soups[key]
    text = _text(soup)

    assert not soup.select(".jp-InputArea .jp-CodeMirrorEditor, .highlight, .jp-InputPrompt")
    assert "In [" not in text and "Out[" not in text
    for code in ["import ", "load_dataset", "display(", "summary.", "Traceback"]:
        assert code not in text, f"{code!r} leaked into the {key} report"
    for raw in [" nan ", " NaN ", "<NA>", "None"]:
        assert raw not in f" {text} ", f"{raw!r} in the {key} report"


@pytest.mark.parametrize(
    "key",
    [
        "met",
        "btp",
        "all",
        "source_check",
    ],
)
def test_line_numbers_are_whole_numbers(soups, key):
    assert not re.search(r"line \d+\.0\b", _text(soups[key]))


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
def test_title_block_shows_the_parameters_and_footer_the_version_and_data_hash(
    builds, soups, seed_dataset, key
):
    soup = soups[key]
    result = builds.results[key]
    block = soup.select_one("header.sceptre-titleblock")
    shown = {
        tr.th.get_text(strip=True): tr.td.get_text(strip=True)
        for tr in block.select("table.sceptre-parameters tr")
    }

    expected = {k: str(v) for k, v in result.parameters.items() if k != "data_dir"}
    assert shown == expected
    assert "9 to 15 November 2020" in block.get_text(" ", strip=True)
    title = block.select_one("h1").get_text(strip=True)
    assert title.startswith("Operation Sceptre: ")
    footer = soup.select_one("footer.sceptre-footer")
    assert __version__ in footer.select_one(".sceptre-version").get_text()
    assert footer.select_one(".sceptre-data-hash code").get_text(strip=True) == (
        seed_dataset.fingerprint()
    )


@pytest.mark.parametrize("key", REPORTS)
def test_pdf_has_page_numbers_and_names_its_sources(pdf_texts, key):
    text = pdf_texts[key]

    assert "Page 1 of" in text
    assert "Surrey Comet" in text
    assert "Operation Sceptre" in text


# ---- the Met summary -----------------------------------------------------------------------------


def test_met_summary_headline_figures(soups):
    headline = _headline(soups["met"])
    figures = {measure: row["Figure"] for measure, row in headline.items()}

    assert figures["Arrests"] == "1,002"
    assert figures["Knives recovered"] == "187"
    assert figures["Other offensive weapons recovered"] == "58"
    assert figures["Drugs and illegal items seized"] == "564"
    assert figures["Knives and other weapons recovered"] == "245"
    assert headline["Arrests"]["Per day"] == "143"
    assert "disagree" in headline["Arrests"]["Check"]
    assert headline["Knives recovered"]["Check"] == "consistent"


def test_met_summary_prose_keeps_the_hedge_and_explains_the_conflict(soups):
    text = _text(soups["met"])

    assert "1,002 arrests" in text
    assert "245 weapons in all (187 knives + 58 other offensive weapons)" in text
    assert "“more than 240 weapons”" in text
    assert "Surrey Comet (line 11) gives 44 arrests" in text
    assert "British Transport Police" in text
    assert soups["met"].select_one("h1").get_text(strip=True) == f"Operation Sceptre: {MET}"


def test_met_summary_charts_carry_the_figures_in_their_alt_text(soups):
    alts = [img["alt"] for img in soups["met"].select("img")]

    assert len(alts) == 2
    assert any("Knives recovered: 187" in alt and "564" in alt for alt in alts)
    assert any("Arrests: 1,002" in alt for alt in alts)


def test_met_summary_pdf_figures(pdf_texts):
    text = " ".join(pdf_texts["met"].split())

    for figure in ["1,002", "187", "564", "245", "more than 240 weapons", MET]:
        assert figure in text


# ---- British Transport Police --------------------------------------------------------------------


def test_btp_summary_headline_figures(soups):
    figures = {measure: row["Figure"] for measure, row in _headline(soups["btp"]).items()}

    assert figures["Arrests"] == "44"
    assert figures["Searches"] == "258"
    assert figures["Knives and other weapons recovered"] == "12"
    assert figures["Cash seized"] == "£1,940"
    assert "No contradictions among these claims." in _text(soups["btp"])


def test_btp_summary_pdf_figures(pdf_texts):
    text = " ".join(pdf_texts["btp"].split())

    for figure in ["44", "258", "12", "£1,940", BTP]:
        assert figure in text


# ---- the source check ----------------------------------------------------------------------------


def test_source_check_shows_the_three_contradictions_with_explanations(soups):
    findings = soups["source_check"].select("section.finding")
    headings = [f.find(re.compile("h[1-6]")).get_text(" ", strip=True) for f in findings]

    assert len(findings) == 3
    assert headings[0].startswith("Conflict: Arrests — Metropolitan Police Service")
    assert headings[1].startswith("Conflict: Length of the operation — Metropolitan Police")
    assert headings[2].startswith("Scope:")
    assert "“across the country” list repeats the Metropolitan Police Service's" in headings[2]
    arrests, days, scope = (" ".join(f.get_text(" ", strip=True).split()) for f in findings)
    assert "44 arrests" in arrests and "1,002 arrests" in arrests
    assert "British Transport Police" in arrests
    assert "Decision: The reports use 1,002." in arrests
    assert "six-day operation" in days and "seven days" in days
    assert "identical, figure for figure" in scope and "London" in scope


def test_source_check_quotes_the_sources(soups):
    text = _text(soups["source_check"])

    for quote in [
        "“made over 1,000 arrests”",
        "“44 people arrested in a week-long Met-wide crackdown”",
        "“deployed in a six day effort”",
        "“officers at these transport hubs made 44 arrests”",
    ]:
        assert quote in text
    assert "Surrey Comet, undated" in text


def test_source_check_pdf(pdf_texts):
    text = " ".join(pdf_texts["source_check"].split())

    assert "six-day operation" in text
    assert "1,002" in text and "44 arrests" in text
    assert MET in text


# ---- a non-default parameter set -----------------------------------------------------------------


def test_all_forces_report_shows_its_figures_and_the_scope_warning(soups):
    soup = soups["all"]
    figures = {measure: row["Figure"] for measure, row in _headline(soup).items()}

    assert soup.select_one("h1").get_text(strip=True) == "Operation Sceptre: All forces"
    assert figures["Weapon sweeps"] == "2,900"
    assert figures["Warrants executed"] == "69"
    scope = [f for f in soup.select("section.finding") if "Scope" in f.get_text()]
    assert len(scope) == 1
    assert "across the country" in scope[0].get_text()


def test_all_forces_headline_does_not_call_doubtful_figures_consistent(soups):
    checks = {row["Check"] for row in _headline(soups["all"]).values()}

    assert "consistent" not in checks


# ---- the command line and failures ---------------------------------------------------------------


def test_build_with_changed_data_shows_the_changed_figure(builds, seed_dataset):
    completed = builds.data_change
    assert completed.returncode == 0, completed.stderr
    (html,) = [p for p in builds.data_change_out.glob("*.html") if p.name != "index.html"]
    assert list(builds.data_change_out.glob("*.pdf")) == []  # --format html only
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    figures = {measure: row["Figure"] for measure, row in _headline(soup).items()}

    assert figures["Knives recovered"] == "190"
    assert figures["Knives and other weapons recovered"] == "248"
    data_hash = soup.select_one(".sceptre-data-hash code").get_text(strip=True)
    assert data_hash != seed_dataset.fingerprint()


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
        main, ["build", "operation_summary", "-p", "agency=Nope", "--out", str(out)]
    )

    assert result.exit_code == 2, result.output
    for agency in ["'All forces'", "'British Transport Police'", f"'{MET}'"]:
        assert agency in result.output
    assert "Unknown agency 'Nope'" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert not out.exists() or list(out.iterdir()) == []


def test_cli_default_build_makes_the_default_reports(builds):
    completed = builds.cli_default
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr
    built = {path.stem for path in builds.cli_default_out.glob("*.html")}
    expected = {builds.results[key].stem for key in ["met", "btp", "source_check"]}

    assert expected <= built
    assert list(builds.cli_default_out.glob("*.pdf")) == []  # --format html only
    met = BeautifulSoup(
        (builds.cli_default_out / f"{builds.results['met'].stem}.html").read_text("utf-8"),
        "html.parser",
    )
    assert _headline(met)["Arrests"]["Figure"] == "1,002"


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


def test_met_summary_charts_name_their_sources_undated_included(soups):
    svgs = [
        base64.b64decode(img["src"].split(",", 1)[1]).decode("utf-8")
        for img in soups["met"].select("img")
    ]

    assert svgs and all(svg.lstrip().startswith("<?xml") for svg in svgs)
    for svg in svgs:
        text = " ".join(re.sub(r"<[^>]+>", " ", svg).split())
        assert "Metropolitan Police Service, 19 November 2020; Surrey Comet, undated" in text
