"""Batch builds: skip/rebuild decisions, fault isolation, timeouts, reproducibility, Dask.

The fault tests use tiny fixture notebooks (``fixtures/batch``: one that works, one that
raises, one that sleeps, one whose kernel kills itself); only the reproducibility test
runs a real report.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from sceptre_analysis import jobs as batch
from sceptre_analysis.batch import _record, run_batch
from sceptre_analysis.build import BuildError, ReportRequest, ReportResult, report_stem
from sceptre_analysis.cli import main
from sceptre_analysis.jobs import decide, prepare_jobs
from sceptre_analysis.load import load_dataset
from sceptre_analysis.manifest import Manifest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "batch"


BASE = Path(__file__).resolve().parent / "fixtures" / "base"  # the frozen seed week


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(BASE)


@pytest.fixture
def notebooks(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    shutil.copytree(FIXTURES, folder)
    return folder


def request(notebooks: Path, name: str, n: int = 1) -> ReportRequest:
    return ReportRequest(str(notebooks / f"{name}.ipynb"), {"n": n}, ("html",))


def name(notebook: str, n: int = 1) -> str:
    """The output name of a fixture report run with ``n``."""
    return report_stem(notebook, {"n": n})


def fake_build(manifest: Manifest, jobs: list[batch.Job]) -> None:
    """Record each job as built, with its output file present."""
    for job in jobs:
        out = manifest.out_dir / f"{job.stem}.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("report")
        manifest.record(_record(job, ReportResult(job.request, job.stem, outputs={"html": out})))


def to_build(decisions: list[batch.Decision]) -> dict[str, str]:
    return {d.job.stem: d.reason for d in decisions if d.build}


# --------------------------------------------------------------------------------------------
# Skip / rebuild decisions (no kernels)
# --------------------------------------------------------------------------------------------


def test_each_input_rebuilds_exactly_the_affected_reports(
    tmp_path, notebooks, dataset, monkeypatch
):
    reports = [request(notebooks, "ok", 1), request(notebooks, "ok", 2), request(notebooks, "fail")]
    jobs = prepare_jobs(reports, dataset)
    manifest = Manifest(tmp_path / "out")
    assert set(to_build(decide(jobs, manifest))) == {j.stem for j in jobs}
    fake_build(manifest, jobs)
    manifest.save()
    manifest = Manifest.load(tmp_path / "out")
    assert to_build(decide(jobs, manifest)) == {}
    assert set(to_build(decide(jobs, manifest, force=True))) == {j.stem for j in jobs}

    # parameters: only the report whose parameter set changed
    changed = prepare_jobs([request(notebooks, "ok", 1), request(notebooks, "ok", 3)], dataset)
    assert to_build(decide(changed, manifest)) == {
        name("ok", 3): "new report (not in the manifest)"
    }

    # notebook: only the reports of that notebook
    source = notebooks / "fail.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells[-1].source = "print('edited')"
    nbformat.write(nb, source)
    assert to_build(decide(prepare_jobs(reports, dataset), manifest)) == {
        name("fail"): "notebook changed"
    }
    jobs = prepare_jobs(reports, dataset)
    fake_build(manifest, jobs)

    # data: every report reads it
    other = dataclasses.replace(dataset, _fingerprint="0" * 64)
    assert set(to_build(decide(prepare_jobs(reports, other), manifest)).values()) == {
        "data changed"
    }

    # package version: everything
    monkeypatch.setattr(batch, "__version__", "99.0")
    assert set(to_build(decide(prepare_jobs(reports, dataset), manifest)).values()) == {
        "package version changed"
    }
    monkeypatch.undo()

    # an output deleted by hand, and a report that failed last time
    (manifest.out_dir / f"{name('ok', 1)}.html").unlink()
    manifest.reports[name("ok", 2)]["status"] = "failed"
    assert to_build(decide(jobs, manifest)) == {
        name("ok", 1): "output missing",
        name("ok", 2): "last build failed",
    }


def test_editing_a_file_a_path_parameter_names_rebuilds_only_that_report(
    tmp_path, notebooks, dataset
):
    """A draft check is rebuilt when the draft is edited, though its parameters (the draft's
    path) are the same; a report reading another file stays up to date."""
    source = notebooks / "reads_file.ipynb"
    nb = nbformat.read(notebooks / "ok.ipynb", as_version=4)
    nb.cells[1].source = 'draft = ""  # a file the report reads'
    nb.metadata["sceptre"]["paths"] = ["draft"]
    nbformat.write(nb, source)
    first, second = tmp_path / "first.md", tmp_path / "second.md"
    first.write_text("Officers seized 245 knives.")
    second.write_text("Officers made 1,002 arrests.")
    reports = [
        ReportRequest(str(source), {"draft": str(first)}, ("html",)),
        ReportRequest(str(source), {"draft": str(second)}, ("html",)),
    ]
    manifest = Manifest(tmp_path / "out")
    jobs = prepare_jobs(reports, dataset)
    fake_build(manifest, jobs)
    assert to_build(decide(prepare_jobs(reports, dataset), manifest)) == {}

    first.write_text("Officers seized 246 knives.")
    assert to_build(decide(prepare_jobs(reports, dataset), manifest)) == {
        jobs[0].stem: batch.INPUTS["files"]
    }
    first.unlink()  # a file that is gone stops the build before anything runs, naming it
    with pytest.raises(BuildError, match=re.escape(f"no such file {str(first)!r}")):
        prepare_jobs(reports, dataset)


def test_bad_parameters_are_all_reported_before_anything_runs(notebooks, dataset):
    bad = [
        ReportRequest("operation_summary", {"agency": "Nowhere Police"}),
        ReportRequest(str(notebooks / "ok.ipynb"), {"m": 1}),
    ]
    with pytest.raises(BuildError) as caught:
        prepare_jobs(bad, dataset)
    message = str(caught.value)
    assert "Unknown agency 'Nowhere Police'" in message
    assert "no parameter 'm'" in message


# --------------------------------------------------------------------------------------------
# A real batch through the command line: failures isolated, summarised, exit code
# --------------------------------------------------------------------------------------------


def test_failures_do_not_stop_the_others(tmp_path, notebooks):
    plan = tmp_path / "reports.toml"
    plan.write_text(
        """
cell-timeout = 3
[[reports]]
notebook = "notebooks/ok.ipynb"
grid = { n = [1, 2] }
[[reports]]
notebook = "notebooks/fail.ipynb"
[[reports]]
notebook = "notebooks/sleep.ipynb"
[[reports]]
notebook = "notebooks/die.ipynb"
""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["build", "--plan", str(plan), "--out", str(out), "--format", "html", "-j", "2"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    ok1, ok2, fail, sleep, die = (name(n, i) for n, i in [("ok", 1), ("ok", 2), ("fail", 1),
                                                            ("sleep", 1), ("die", 1)])  # fmt: skip
    assert (out / f"{ok1}.html").is_file() and (out / f"{ok2}.html").is_file()
    assert f"3 of 5 reports failed: {fail}, {sleep}, {die}" in result.output
    assert "deliberate failure in report 1" in result.output
    assert "ran longer than the cell timeout (3 s)" in result.output
    assert "the kernel died" in result.output

    for stem, marker in [
        (fail, "deliberate failure"),
        (sleep, "cell timeout"),
        (die, "kernel died"),
    ]:
        kept = nbformat.read(out / f"{stem}.failed.ipynb", as_version=4)
        banner = "".join(c.source for c in kept.cells if c.cell_type == "markdown")
        assert "papermill-error-cell" in banner
        text = json.dumps(kept)
        assert marker in text, stem
    assert not (out / f"{fail}.html").exists()

    manifest = json.loads((out / "manifest.json").read_text())
    status = {stem: entry["status"] for stem, entry in manifest["reports"].items()}
    assert status == {ok1: "ok", ok2: "ok", fail: "failed", sleep: "failed", die: "failed"}
    assert manifest["plan"] is None  # a failed batch is never "all up to date"
    assert set(manifest["reports"][ok1]["timings"]) == {"prepare", "execute", "export"}

    # Again: the good reports are skipped, the failed ones retried.
    dry = CliRunner().invoke(main, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"skip   {ok1}" in dry.output and "up to date" in dry.output
    assert f"build  {fail}" in dry.output and "last build failed" in dry.output


def test_whole_notebook_timeout_stops_the_kernel(tmp_path, notebooks, dataset):
    jobs = prepare_jobs([request(notebooks, "sleep"), request(notebooks, "ok")], dataset)
    outcome = run_batch(
        decide(jobs, Manifest(tmp_path)),
        out_dir=tmp_path,
        dataset=dataset,
        cell_timeout=None,
        notebook_timeout=2,
        workers=1,
    )
    status = {o.job.stem: o.status for o in outcome.outcomes}
    assert status == {name("sleep"): "failed", name("ok"): "built"}
    (failed,) = outcome.failed
    assert "notebook timeout (2 s)" in failed.errors[0]
    assert "cell 4 (import time)" in failed.errors[0]  # the injected cell is cell 2
    assert failed.result.failed_notebook.is_file()


def test_bad_plan_is_a_located_message_not_a_traceback(tmp_path):
    plan = tmp_path / "reports.toml"
    plan.write_text("[[reports]]\nnotebook = 'operation_summary'\ngrid = { agnecy = '*' }\n")
    result = CliRunner().invoke(main, ["build", "--plan", str(plan), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "reports.toml: reports[0].grid.agnecy" in result.output
    assert "Traceback" not in result.output

    plan.write_text("[[reports]]\nnotebook = 'operation_summary'\nparameters = { agency = 'X' }\n")
    result = CliRunner().invoke(main, ["build", "--plan", str(plan), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "reports[0]: Unknown agency 'X'" in result.output
    assert not (tmp_path / "manifest.json").exists()  # nothing ran


# --------------------------------------------------------------------------------------------
# Reproducible output, and the incremental no-op, on a real report
# --------------------------------------------------------------------------------------------


def test_same_inputs_give_byte_identical_html(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    plan = tmp_path / "reports.toml"
    plan.write_text(
        "[[reports]]\nnotebook = 'operation_summary'\n"
        "parameters = { agency = 'British Transport Police' }\n"
    )
    runner = CliRunner()
    base = ["build", "--plan", str(plan), "--format", "html", "-j", "1", "--data", str(BASE)]
    first = runner.invoke(main, [*base, "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    again = runner.invoke(main, [*base, "--out", str(tmp_path / "a")])
    assert "1 reports up to date" in again.output
    second = runner.invoke(main, [*base, "--out", str(tmp_path / "b"), "--force"])
    assert second.exit_code == 0, second.output
    (html,) = (tmp_path / "a").glob("operation_summary*.html")
    assert html.read_bytes() == (tmp_path / "b" / html.name).read_bytes()
    assert b"2023-11-14" in html.read_bytes()


# --------------------------------------------------------------------------------------------
# Scale-out: the same batch on a real Dask scheduler and two workers
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Warm kernels: reused across reports, each report still in a clean namespace
# --------------------------------------------------------------------------------------------


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    parameters = nbformat.v4.new_code_cell("n = 1")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, *(nbformat.v4.new_code_cell(s) for s in sources)]
    nbformat.write(nb, path)
    return path


def test_warm_kernel_is_reused_with_a_clean_namespace(tmp_path, dataset):
    setter = _notebook(
        tmp_path / "a_sets.ipynb",
        "import os, matplotlib.pyplot as plt, pandas as pd\nLEAK = 'from report A'",
        "plt.rcParams['lines.linewidth'] = 9\npd.set_option('display.max_rows', 3)\n"
        "os.environ['SCEPTRE_LEAK'] = '1'\nplt.figure()",
        "print('pid', os.getpid())",
    )
    checker = _notebook(
        tmp_path / "b_checks.ipynb",
        "import os, sys, matplotlib.pyplot as plt, pandas as pd\n"
        "assert 'LEAK' not in globals(), 'global of report A leaked'\n"
        "assert plt.rcParams['lines.linewidth'] != 9 and plt.get_fignums() == []\n"
        "assert pd.get_option('display.max_rows') != 3 and 'SCEPTRE_LEAK' not in os.environ\n"
        "assert 'pandas' in sys.modules  # imports stay: that is the point",
        "print('pid', os.getpid())",
    )
    jobs = prepare_jobs(
        [ReportRequest(str(p), {"n": 1}, ("ipynb",)) for p in (setter, checker)], dataset
    )
    outcome = run_batch(
        decide(jobs, Manifest(tmp_path / "out")), out_dir=tmp_path / "out", dataset=dataset,
        workers=1,
    )  # fmt: skip
    assert [o.status for o in outcome.outcomes] == ["built", "built"], outcome.outcomes[1].errors
    pids = set()
    for job in jobs:
        nb = nbformat.read(tmp_path / "out" / f"{job.stem}.ipynb", as_version=4)
        text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        pids.add(text.split("pid", 1)[1].split()[0])
    assert len(pids) == 1  # one kernel ran both reports


def test_warm_and_fresh_kernels_give_identical_reports(tmp_path, notebooks, dataset, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    reports = [request(notebooks, "ok", 1), request(notebooks, "ok", 2)]
    jobs = prepare_jobs(reports, dataset)
    run_batch(decide(jobs, Manifest(tmp_path / "warm")), out_dir=tmp_path / "warm",
              dataset=dataset, workers=1)  # fmt: skip
    for job in jobs:  # one at a time: a fresh kernel each
        run_batch(decide([job], Manifest(tmp_path / "fresh")), out_dir=tmp_path / "fresh",
                  dataset=dataset, workers=1)  # fmt: skip
    for job in jobs:
        warm = (tmp_path / "warm" / f"{job.stem}.html").read_bytes()
        assert warm == (tmp_path / "fresh" / f"{job.stem}.html").read_bytes()


# --------------------------------------------------------------------------------------------
# Incremental by slice: a report that declares what it reads
# --------------------------------------------------------------------------------------------


def test_changing_one_weeks_figure_rebuilds_only_that_weeks_reports_and_the_trends(
    tmp_path, dataset
):
    import pandas as pd

    week = pd.Timedelta(days=7)
    dates = [c for c in ("period_start", "period_end", "week") if c in dataset.tallies]
    later = dataset.tallies.assign(**{c: dataset.tallies[c] + week for c in dates})
    column = "week" if "week" in dataset.tallies else "period_start"
    tallies = pd.concat([dataset.tallies, later], ignore_index=True)
    two_weeks = dataclasses.replace(dataset, tallies=tallies, _fingerprint="a" * 64)
    first, second = sorted({d.date().isoformat() for d in tallies[column].dropna()})

    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    weekly = nbformat.v4.new_notebook(metadata={"kernelspec": kernel})
    weekly.metadata["sceptre"] = {"reads": {"week": column}}
    cell = nbformat.v4.new_code_cell("week = ''")
    cell.metadata["tags"] = ["parameters"]
    weekly.cells = [cell, nbformat.v4.new_code_cell("print(week)")]
    nbformat.write(weekly, tmp_path / "weekly.ipynb")
    trends = nbformat.v4.new_notebook(metadata={"kernelspec": kernel})  # reads every week
    trends.cells = [nbformat.v4.new_code_cell("print('all weeks')")]
    nbformat.write(trends, tmp_path / "trends.ipynb")
    reports = [
        ReportRequest(str(tmp_path / "weekly.ipynb"), {"week": first}, ("html",)),
        ReportRequest(str(tmp_path / "weekly.ipynb"), {"week": second}, ("html",)),
        ReportRequest(str(tmp_path / "trends.ipynb"), {}, ("html",)),
    ]
    jobs = prepare_jobs(reports, two_weeks)
    manifest = Manifest(tmp_path / "out")
    fake_build(manifest, jobs)

    edited = tallies.copy()
    row = edited.index[edited[column] == pd.Timestamp(second)][0]
    edited.loc[row, "value"] = edited.loc[row, "value"] + 1
    changed = dataclasses.replace(dataset, tallies=edited, _fingerprint="b" * 64)
    rebuilt = to_build(decide(prepare_jobs(reports, changed), manifest))
    assert rebuilt == {jobs[1].stem: "data changed", jobs[2].stem: "data changed"}


def test_real_dask_scheduler_and_two_workers_give_byte_identical_reports(tmp_path, notebooks):
    """``dask scheduler`` and two ``dask worker`` processes, started as a user would."""
    import os
    import subprocess
    import sys
    import time

    pytest.importorskip("distributed")
    dask = Path(sys.executable).parent / "dask"
    if not dask.exists():
        pytest.skip("the dask command is not installed")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "CI": "1"}
    info = tmp_path / "scheduler.json"
    common = {
        "cwd": tmp_path,
        "env": env,
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
    }
    processes = [
        subprocess.Popen([str(dask), "scheduler", "--port", "0", "--dashboard-address", ":0",
                          "--scheduler-file", str(info)], **common)
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        address = None
        while address is None and time.monotonic() < deadline:
            try:  # the scheduler writes the file in more than one step
                address = json.loads(info.read_text())["address"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.2)
        assert address, "dask scheduler did not start"
        for _ in range(2):
            processes.append(
                subprocess.Popen([str(dask), "worker", "--scheduler-file", str(info),
                                  "--nthreads", "1", "--nworkers", "1", "--no-dashboard"], **common)
            )  # fmt: skip
        plan = tmp_path / "reports.toml"
        plan.write_text(
            f"[[reports]]\nnotebook = '{notebooks / 'ok.ipynb'}'\ngrid = {{ n = [1, 2] }}\n"
        )
        base = [sys.executable, "-m", "sceptre_analysis.cli", "build", "--plan", str(plan),
                "--format", "html", "--force", "--data", str(BASE)]  # fmt: skip
        remote = subprocess.run([*base, "--out", str(tmp_path / "dask"), "--scheduler", address],
                                capture_output=True, text=True, env=env, timeout=600)  # fmt: skip
        assert remote.returncode == 0, remote.stderr
        local = subprocess.run([*base, "--out", str(tmp_path / "local"), "-j", "1"],
                               capture_output=True, text=True, env=env, timeout=600)  # fmt: skip
        assert local.returncode == 0, local.stderr
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    reports = sorted(p.name for p in (tmp_path / "local").glob("ok__*.html"))
    assert len(reports) == 2
    for name in reports:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
