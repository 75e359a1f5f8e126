"""Faults and bad inputs from issue 13: each test is named after the item it covers.

Most are caught before a kernel starts; the few that run kernels use the tiny fixture
notebooks in ``fixtures/batch``. No test races a sleep: processes are polled until a
condition holds, with a generous deadline.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Executor, Future
from pathlib import Path

import nbformat
import psutil
import pytest
from click.testing import CliRunner

from sceptre_analysis import export
from sceptre_analysis.batch import run_batch
from sceptre_analysis.build import ReportRequest, report_stem
from sceptre_analysis.cli import main
from sceptre_analysis.jobs import decide, prepare_jobs
from sceptre_analysis.kernelfiles import SCRATCH_PREFIX, runtime_dir, sweep_stale
from sceptre_analysis.load import load_dataset
from sceptre_analysis.manifest import Manifest, Record

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "batch"
CLI = [sys.executable, "-m", "sceptre_analysis.cli"]


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(ROOT / "data")


@pytest.fixture
def notebooks(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    shutil.copytree(FIXTURES, folder)
    return folder


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def until(condition, deadline: float = 60.0, every: float = 0.1):
    """Poll ``condition`` until it returns something true, or fail after ``deadline`` s."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"condition not met within {deadline} s")


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# ---- Loses data --------------------------------------------------------------------------------


def test_13_1_names_unique_per_parameters_and_data(tmp_path, notebooks):
    title = report_stem("operation_summary", {"agency": "British Transport Police"})
    upper = report_stem("operation_summary", {"agency": "BRITISH TRANSPORT POLICE"})
    dotted = report_stem("operation_summary", {"agency": "British Transport Police."})
    assert len({title, upper, dotted}) == 3
    assert title.startswith("operation_summary__british-transport-police")
    assert report_stem("source_check", {}) != report_stem("source_check", {}, tmp_path / "other")

    # `build source_check --data OTHER` no longer writes the normal build's name
    other = tmp_path / "other-data"
    shutil.copytree(ROOT / "data", other)
    out = tmp_path / "out"
    normal = run("build", "source_check", "--out", str(out), "--dry-run")
    copied = run("build", "source_check", "--data", str(other), "--out", str(out), "--dry-run")
    assert normal.exit_code == copied.exit_code == 0, normal.output + copied.output
    name = [line.split()[1] for line in normal.output.splitlines() if "build  " in line]
    name_other = [line.split()[1] for line in copied.output.splitlines() if "build  " in line]
    assert name and name_other and name != name_other

    # a one-off build never replaces a report it did not make without saying so
    stem = report_stem("ok", {"n": 1})
    out.mkdir(exist_ok=True)
    (out / f"{stem}.html").write_text("someone else's report")
    said = run("build", str(notebooks / "ok.ipynb"), "-p", "n=1", "--format", "html",
               "--out", str(out), "--dry-run")  # fmt: skip
    assert said.exit_code == 0, said.output
    assert f"replaces {stem}.html, not made by a recorded build" in said.output


def test_13_2_two_processes_never_lose_a_manifest_entry(tmp_path):
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from sceptre_analysis.manifest import Manifest, Record\n"
        "out, tag = Path(sys.argv[1]), sys.argv[2]\n"
        "manifest = Manifest.load(out)\n"
        "for i in range(25):\n"
        "    manifest.record(Record(f'{tag}-{i}', 'nb', {}, ('html',), 'k', {}, True))\n"
        "    manifest.save()\n"
    )
    writers = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), tag]) for tag in "ab"]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    entries = json.loads((tmp_path / "manifest.json").read_text())["reports"]
    assert set(entries) == {f"{tag}-{i}" for tag in "ab" for i in range(25)}


# ---- Crashes on data that passes validation ------------------------------------------------------


def test_13_4_dollar_signs_in_labels_are_text():
    from sceptre_analysis.charts import bar_chart, figure_svg

    fig = bar_chart([r"$\notacommand$", "cost in $"], [3, 4], title=r"$\bad", source="$x$")
    svg = figure_svg(fig)  # raised ValueError from the mathtext parser before
    assert r"\notacommand" in svg


# ---- Tracebacks for bad input outside the data ---------------------------------------------------


def test_13_7_broken_notebooks_scheduler_and_manifest(tmp_path, notebooks, caplog):
    (notebooks / "not_json.ipynb").write_text("{ this is not json")
    empty = nbformat.v4.new_notebook()
    nbformat.write(empty, notebooks / "no_cells.ipynb")
    out = tmp_path / "out"
    for name, expected in [("not_json", "not a Jupyter notebook"), ("no_cells", "has no cells")]:
        result = run("build", str(notebooks / f"{name}.ipynb"), "--out", str(out))
        assert result.exit_code == 2, result.output
        assert expected in result.output
        no_traceback(result)

    listed = run("list", env={"SCEPTRE_NOTEBOOKS_DIR": str(notebooks)})
    assert listed.exit_code == 1
    assert "cannot read" in listed.output and "ok" in listed.output
    no_traceback(listed)

    bad = run("build", str(notebooks / "ok.ipynb"), "--format", "html", "--out", str(out),
              "--scheduler", "not-an-address")  # fmt: skip
    assert bad.exit_code == 2, bad.output
    assert "cannot reach the Dask scheduler at 'not-an-address'" in bad.output
    no_traceback(bad)

    out.mkdir(exist_ok=True)
    (out / "manifest.json").write_text(
        json.dumps({"format": 1, "plan": None, "reports": {"x": {"outputs": 5, "key": []}}})
    )
    with caplog.at_level("WARNING"):
        manifest = Manifest.load(out)
    assert manifest.reports == {}
    assert "wrong types" in caplog.text


def test_13_8_output_folder_checked_before_the_first_kernel(tmp_path, notebooks):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    started = time.monotonic()
    result = run("build", str(notebooks / "sleep.ipynb"), "--out", str(blocker / "reports"))
    assert result.exit_code == 2, result.output
    assert "is a file, not a folder" in result.output
    no_traceback(result)
    assert len(result.output.strip().splitlines()) == 1
    assert time.monotonic() - started < 60  # the sleeping notebook never ran

    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        result = run("build", str(notebooks / "ok.ipynb"), "--out", str(locked / "sub"))
        assert result.exit_code == 2 and "cannot be created" in result.output


# ---- Stopping: Ctrl-C and SIGTERM ----------------------------------------------------------------


def _kernels(pid: int) -> list[psutil.Process]:
    try:
        tree = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [p for p in tree if "ipykernel" in " ".join(_cmdline(p))]


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["13_11", "13_9"])
def test_13_9_13_11_signal_to_the_main_pid_stops_everything(tmp_path, notebooks, signum):
    plan = tmp_path / "reports.toml"
    plan.write_text(
        f"[[reports]]\nnotebook = '{notebooks / 'sleep.ipynb'}'\ngrid = {{ n = [1, 2] }}\n"
    )
    out = tmp_path / "out"
    process = subprocess.Popen(
        [*CLI, "build", "--plan", str(plan), "--out", str(out), "--format", "html", "-j", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CI": "1"},
    )
    try:
        kernels = until(lambda: len(_kernels(process.pid)) == 2 and _kernels(process.pid), 120)
        tree = psutil.Process(process.pid).children(recursive=True)
        owners = {p.pid for p in tree}
        os.kill(process.pid, signum)  # the main pid alone, as a CI runner or a user would
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert "Traceback" not in stderr, stderr
    stopped = [line for line in stderr.splitlines() if "stopped by" in line]
    assert len(stopped) == 1, stderr
    assert signal.Signals(signum).name in stopped[0]
    until(lambda: not any(p.is_running() and p.status() != "zombie" for p in tree), 10)
    assert kernels
    leftovers = [
        p.name for p in [*runtime_dir().iterdir(), *Path(tempfile.gettempdir()).iterdir()]
        if any(p.name.startswith(f"{prefix}{pid}-") for pid in owners | {process.pid}
               for prefix in ("k-", SCRATCH_PREFIX))
    ]  # fmt: skip
    assert leftovers == []
    assert (out / "manifest.json").is_file()


# ---- Hangs and leftovers -------------------------------------------------------------------------


def test_13_10_huge_output_is_cut_and_export_is_bounded(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('x' * 100)")]
    big = nbformat.v4.new_output("stream", name="stdout", text="y" * 3_000_000)
    nb.cells[0].outputs = [big]
    assert export.cap_outputs(nb, 10_000) == 1
    html = export.export_notebook(nb, tmp_path, "big", ["html"]).outputs["html"]
    text = html.read_text()
    assert len(text) < 200_000
    assert "Output cut: this cell printed 3,000,000 characters" in text

    with pytest.raises(export.ExportTimeout), export.time_limit(0.2):
        while True:  # stands for a layout that never ends; the limit interrupts it
            pass


class _Stuck(Executor):
    """An executor whose workers are all gone: futures never finish."""

    def submit(self, fn, /, *args, **kwargs):
        return Future()


def test_13_12_losing_every_dask_worker_fails_the_reports_by_name(tmp_path, notebooks, dataset):
    jobs = prepare_jobs(
        [ReportRequest(str(notebooks / "ok.ipynb"), {"n": n}, ("html",)) for n in (1, 2)], dataset
    )
    outcome = run_batch(
        decide(jobs, Manifest(tmp_path)),
        out_dir=tmp_path,
        dataset=dataset,
        executor=_Stuck(),
        workers_alive=lambda: 0,
        worker_loss_timeout=0.5,
    )
    assert [o.status for o in outcome.outcomes] == ["failed", "failed"]
    message = outcome.outcomes[0].errors[0]
    assert "no Dask worker for 0.5 s" in message
    assert all(job.stem in message for job in jobs)


def test_13_13_bad_source_date_epoch_is_checked_once_up_front(tmp_path, notebooks):
    result = run("build", str(notebooks / "ok.ipynb"), "--out", str(tmp_path / "out"),
                 env={"SOURCE_DATE_EPOCH": "abc"})  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "SOURCE_DATE_EPOCH must be whole seconds" in result.output and "'abc'" in result.output
    no_traceback(result)
    assert not (tmp_path / "out").exists()


def test_13_14_files_of_dead_processes_are_swept(tmp_path):
    gone, alive = dead_pid(), os.getpid()
    stale = [
        runtime_dir() / f"k-{gone}-0123456789ab.json",
        runtime_dir() / f"k-{gone}-0123456789ab-ipc-1",
    ]
    scratch = Path(tempfile.gettempdir()) / f"{SCRATCH_PREFIX}{gone}-xyz"
    kept = runtime_dir() / f"k-{alive}-ba9876543210.json"
    for path in [*stale, kept]:
        path.write_text("{}")
    scratch.mkdir()
    (scratch / "out.ipynb").write_text("{}")
    try:
        assert sweep_stale() >= 3
        assert not any(p.exists() for p in [*stale, scratch])
        assert kept.exists()
    finally:
        kept.unlink(missing_ok=True)


# ---- Smaller -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", ""], "unknown format (none)"),
        (["-p", "data_dir="], "-p data_dir: set by the build"),
        (["-p", "data_dir=/elsewhere"], "-p data_dir: set by the build"),
    ],
)
def test_13_16_empty_format_and_data_dir_parameter_are_errors(tmp_path, args, message):
    result = run("build", "source_check", *args, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert message in result.output
    no_traceback(result)


def test_13_17_plan_entries_differing_only_in_formats_are_merged(tmp_path, dataset):
    from sceptre_analysis.plan import expand, read_plan

    path = tmp_path / "reports.toml"
    path.write_text(
        "[[reports]]\nnotebook = 'source_check'\nformats = ['html']\n"
        "[[reports]]\nnotebook = 'source_check'\nformats = ['pdf']\n"
    )
    (only,) = expand(read_plan(path), dataset)
    assert only.request.formats == ("html", "pdf")
    assert "reports[0]" in only.origin and "reports[1]" in only.origin


def test_13_18_declared_kernel_is_honoured_or_refused(tmp_path, notebooks):
    nb = nbformat.read(notebooks / "ok.ipynb", as_version=4)
    nb.metadata["kernelspec"] = {"name": "julia-1.9", "display_name": "Julia", "language": "julia"}
    nbformat.write(nb, notebooks / "julia.ipynb")
    result = run("build", str(notebooks / "julia.ipynb"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert "declares kernel 'julia-1.9', which is not installed here" in result.output
    assert "python3" in result.output
    no_traceback(result)


def test_13_19_stale_pdf_is_removed_and_recorded_when_pango_is_missing(
    tmp_path, notebooks, dataset, monkeypatch
):
    jobs = prepare_jobs([ReportRequest(str(notebooks / "ok.ipynb"), {"n": 1}, ("html", "pdf"))],
                        dataset)  # fmt: skip
    stale = tmp_path / f"{jobs[0].stem}.pdf"
    stale.write_bytes(b"%PDF- last week's report")

    def no_pango():
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(export, "_import_weasyprint", no_pango)
    outcome = run_batch(decide(jobs, Manifest(tmp_path)), out_dir=tmp_path, dataset=dataset,
                        workers=1)  # fmt: skip
    assert not stale.exists()
    assert (tmp_path / f"{jobs[0].stem}.html").is_file()
    entry = json.loads((tmp_path / "manifest.json").read_text())["reports"][jobs[0].stem]
    assert entry["status"] == "failed"
    assert any("Pango" in e for e in entry["errors"])
    assert f"removed the out-of-date {stale.name}" in entry["notes"]
    assert outcome.failed


def test_manifest_record_round_trip(tmp_path):
    manifest = Manifest(tmp_path)
    manifest.record(Record("r", "nb", {"a": 1}, ("html",), "k", {"data": "d"}, True))
    manifest.save()
    again = Manifest.load(tmp_path)
    assert again.reports["r"]["parameters"] == {"a": 1}
    assert again.reports["r"]["status"] == "ok"
