"""Benchmark: batch builds against the chain of CLIs a user would script. Prints a table.

Not a test and not timed in CI. Run from the project root::

    .venv/bin/python bench/bench_build.py

The seed data has one week of action, so the benchmark copies it to a temporary folder
and adds a synthetic second week (the same statements shifted by 7 days, under new
source ids) to get 8 reports: ``operation_summary`` for every week × agency (6) and
``source_check`` for each week (2), all as HTML + PDF.

Rows:
1. naive chain, per report: ``papermill`` CLI, ``jupyter nbconvert --to html --no-input``,
   ``weasyprint`` CLI on that HTML, one after another;
2. ``sceptre-report build --all --force`` (cold: fresh processes);
3. ``sceptre-report build --all`` again, nothing changed;
4. the same after changing one parameter set in the plan (must rebuild exactly one);
5. the pre-started kernel ("start the next kernel while this report exports") on / off;
6. one report alone against the floor: a one-cell notebook executed and exported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NOTEBOOKS = ROOT / "notebooks"
OPERATION = "Operation Sceptre"
WEEKS = ["2020-11-09", "2020-11-16"]
AGENCIES = ["All forces", "British Transport Police", "Metropolitan Police Service"]

PLAN = """
[tool.sceptre-report]
formats = ["html", "pdf"]

[[tool.sceptre-report.reports]]
notebook = "operation_summary"
grid = {{ week = "*", agency = "*" }}

[[tool.sceptre-report.reports]]
notebook = "source_check"
parameters = {{ week = "2020-11-09" }}

[[tool.sceptre-report.reports]]
notebook = "source_check"
parameters = {{ week = "{last_week}" }}
"""


def make_data(folder: Path) -> Path:
    """The seed data plus a synthetic second week."""
    import pandas as pd

    data = folder / "data"
    data.mkdir()
    for csv in (ROOT / "data").glob("*.csv"):
        shutil.copy(csv, data)
    tallies = pd.read_csv(data / "tallies.csv", dtype=str, keep_default_na=False)
    sources = pd.read_csv(data / "sources.csv", dtype=str, keep_default_na=False)
    later, more = tallies.copy(), sources.copy()
    for column in ("period_start", "period_end"):
        shifted = pd.to_datetime(later[column]) + pd.Timedelta(days=7)
        later[column] = shifted.dt.strftime("%Y-%m-%d")
    later["source_id"] += "-w2"
    more["source_id"] += "-w2"
    pd.concat([tallies, later]).to_csv(data / "tallies.csv", index=False)
    pd.concat([sources, more]).to_csv(data / "sources.csv", index=False)
    return data


def run(args: list[str], **kwargs) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, cwd=ROOT, **kwargs)
    return time.perf_counter() - started


def naive_chain(data: Path, out: Path) -> float:
    """What a user scripts: three CLIs per report, one report after another."""
    out.mkdir()
    reports = [("operation_summary", w, a) for w in WEEKS for a in AGENCIES]
    reports += [("source_check", w, None) for w in WEEKS]
    started = time.perf_counter()
    for index, (notebook, week, agency) in enumerate(reports):
        executed = out / f"{index}.ipynb"
        params = ["-p", "operation", OPERATION, "-p", "week", week, "-p", "data_dir", str(data)]
        if agency:
            params += ["-p", "agency", agency]
        run([str(BIN / "papermill"), str(NOTEBOOKS / f"{notebook}.ipynb"), str(executed), *params])
        run(
            [
                str(BIN / "jupyter"),
                "nbconvert",
                "--to",
                "html",
                "--no-input",
                str(executed),
                "--output-dir",
                str(out),
            ]
        )
        run([str(BIN / "weasyprint"), str(out / f"{index}.html"), str(out / f"{index}.pdf")])
    return time.perf_counter() - started


def cli(plan: Path, data: Path, out: Path, *extra: str) -> tuple[float, int]:
    """Time one ``sceptre-report build`` and count the reports it built."""
    started = time.perf_counter()
    args = [str(BIN / "sceptre-report"), "build", "--all", "--plan", str(plan)]
    done = subprocess.run(
        [*args, "--data", str(data), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "CI": "1"},
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"build failed:\n{done.stdout}\n{done.stderr}")
    built = sum(line.startswith("built") for line in done.stderr.splitlines())
    return seconds, built


def prestart_ab(plan: Path, data: Path, folder: Path) -> dict[bool, float]:
    """The same cold batch in this process, with and without the pre-started kernel."""
    from sceptre_analysis.batch import Manifest, decide, prepare_jobs, run_batch
    from sceptre_analysis.load import load_dataset
    from sceptre_analysis.plan import expand, read_plan

    dataset = load_dataset(data)
    jobs = prepare_jobs(expand(read_plan(plan), dataset), dataset, data_dir=data)
    times: dict[bool, list[float]] = {True: [], False: []}
    for trial in range(2):
        for prestart in (False, True):
            out = folder / f"ab-{prestart}-{trial}"
            started = time.perf_counter()
            result = run_batch(
                decide(jobs, Manifest(out)),
                out_dir=out,
                dataset=dataset,
                data_dir=data,
                prestart=prestart,
            )
            assert result.ok, [o.errors for o in result.failed]
            times[prestart].append(time.perf_counter() - started)
    return {k: min(v) for k, v in times.items()}


def floor(data: Path, folder: Path) -> tuple[float, float, dict[str, float]]:
    """One report built alone vs a one-cell notebook executed and exported (warm process)."""
    import nbformat

    from sceptre_analysis.build import ReportRequest, build_report
    from sceptre_analysis.execute import execute_notebook
    from sceptre_analysis.export import export_notebook

    one = folder / "one_cell.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1 + 1")]
    nbformat.write(nb, one)
    request = ReportRequest(
        "operation_summary", {"agency": "British Transport Police"}, ("html", "pdf")
    )
    # warm up both paths once (imports, font cache), then take the best of three
    reports, floors, timings = [], [], {}
    for attempt in range(4):
        started = time.perf_counter()
        result = build_report(request, out_dir=folder / "floor", data_dir=data)
        reports.append(time.perf_counter() - started)
        if attempt and reports[-1] == min(reports[1:]):
            timings = result.timings  # the phases of the best run
        started = time.perf_counter()
        executed = execute_notebook(one, {})
        export_notebook(executed, folder / "floor", "one_cell", ("html", "pdf"))
        floors.append(time.perf_counter() - started)
    return min(reports[1:]), min(floors[1:]), timings


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="sceptre-bench-"))
    data = make_data(folder)
    plan = folder / "reports.toml"
    plan.write_text(PLAN.format(last_week=WEEKS[1]), encoding="utf-8")
    out = folder / "out"
    rows: list[tuple[str, str, str]] = []

    print(f"cores: {os.cpu_count()}; scratch: {folder}", file=sys.stderr)
    print("1/6 naive chain ...", file=sys.stderr)
    naive = naive_chain(data, folder / "naive")
    rows.append(("1. naive chain (papermill, nbconvert, weasyprint CLIs)", f"{naive:.1f}", "8"))

    print("2/6 cold build ...", file=sys.stderr)
    cold, built = cli(plan, data, out, "--force")
    rows.append(("2. sceptre-report build --all --force (cold)", f"{cold:.1f}", str(built)))

    print("3/6 no-op build ...", file=sys.stderr)
    noop, built_noop = cli(plan, data, out)
    rows.append(("3. sceptre-report build --all, nothing changed", f"{noop:.2f}", str(built_noop)))

    print("4/6 one parameter set changed ...", file=sys.stderr)
    plan.write_text(PLAN.format(last_week=""), encoding="utf-8")  # blank week = latest
    one, built_one = cli(plan, data, out)
    rows.append(("4. same, one parameter set changed", f"{one:.1f}", str(built_one)))

    print("5/6 pre-started kernel on/off ...", file=sys.stderr)
    plan.write_text(PLAN.format(last_week=WEEKS[1]), encoding="utf-8")
    ab = prestart_ab(plan, data, folder)
    rows.append(("5a. batch in-process, no pre-started kernel", f"{ab[False]:.1f}", "8"))
    rows.append(("5b. batch in-process, next kernel pre-started", f"{ab[True]:.1f}", "8"))

    print("6/6 one report vs the floor ...", file=sys.stderr)
    report, bare, timings = floor(data, folder)
    rows.append(("6a. one report alone (execute + HTML + PDF, warm)", f"{report:.2f}", "1"))
    rows.append(("6b. floor: one-cell notebook, execute + HTML + PDF", f"{bare:.2f}", "1"))

    width = max(len(r[0]) for r in rows)
    print(f"\n{'run':<{width}}  {'seconds':>8}  {'built':>5}")
    print(f"{'-' * width}  {'-' * 8}  {'-' * 5}")
    for name, seconds, built in rows:
        print(f"{name:<{width}}  {seconds:>8}  {built:>5}")
    print()
    print(f"speed-up of (2) over (1): {naive / cold:.1f}x   (target >= 3x on 2 cores)")
    print(f"(3) nothing changed: {noop:.2f} s   (target < 0.5 s)")
    print(f"(4) rebuilt {built_one} report(s)   (target: exactly 1)")
    print(f"pre-started kernel: {ab[False] / ab[True]:.2f}x")
    print(f"one report / floor: {report / bare:.2f}x   (aim <= 1.3x)")
    print("one report's phases (s): " + json.dumps({k: round(v, 2) for k, v in timings.items()}))
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
