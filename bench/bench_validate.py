"""How long validation takes: load + validate of large tallies files, and the CLI on data/.

Run: ``.venv/bin/python bench/bench_validate.py [--rows 100000]``.  Prints a table; asserts
nothing (speed is measured here, never in tests).

Cases, each at a tenth of the rows and at the full count (so linearity shows):

* ``clean``: the frozen seed rows (tests/fixtures/base) repeated over consecutive weeks, so
  no row duplicates another; quotes checked against the seed documents when present;
* ``all duplicates``: one row, pasted over and over (issue 13.20: this was quadratic);
* ``all errors``: every row broken differently (a word for a number, an unknown measure, a
  month 13, an unknown hedge), so no cache helps and every row makes a message.

``load`` is :func:`sceptre_analysis.load.load_dataset` (typed frames, weeks placed) for the
clean case and :func:`sceptre_analysis.load.validate` for the others (they cannot load).
Times are CPU seconds of this process after imports (the machine may be shared; CPU time is
what the code costs), and wall seconds for the CLI run as a whole process.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "fixtures" / "base"


def _base_rows() -> tuple[str, list[list[str]]]:
    import csv

    with (BASE / "tallies.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return ",".join(rows[0]), rows[1:]


def _write(folder: Path, header: str, rows: list[list[str]]) -> None:
    import csv
    import io

    out = io.StringIO()
    out.write(header + "\n")
    csv.writer(out, lineterminator="\n").writerows(rows)
    (folder / "tallies.csv").write_text(out.getvalue(), encoding="utf-8")


def _clean(rows: list[list[str]], count: int) -> list[list[str]]:
    found = []
    start = date(2000, 1, 3)
    for i in range(count):
        row = list(rows[i % len(rows)])
        week = start + timedelta(days=7 * (i // len(rows)))
        row[1], row[2] = week.isoformat(), (week + timedelta(days=6)).isoformat()
        found.append(row)
    return found


def _duplicates(rows: list[list[str]], count: int) -> list[list[str]]:
    return [list(rows[0]) for _ in range(count)]


def _errors(rows: list[list[str]], count: int) -> list[list[str]]:
    found = []
    for i in range(count):
        row = list(rows[i % len(rows)])
        row[1] = f"{2000 + i % 20}-{1 + i % 12:02d}-{1 + i % 28:02d}"  # before the end
        row[4] = f"Area {i}"  # no two rows alike
        match i % 4:
            case 0:
                row[6] = f"about {i}"  # not a number
            case 1:
                row[5] = f"measure_{i}"  # unknown measure
            case 2:
                row[1] = f"2020-13-{1 + i % 28:02d}"  # month 13
            case _:
                row[7] = f"roughly-ish {i}"  # unknown hedge
        found.append(row)
    return found


CASES = {"clean": _clean, "all duplicates": _duplicates, "all errors": _errors}


def _run(folder: Path, case: str) -> tuple[float, int]:
    from sceptre_analysis.load import load_dataset, validate

    started = time.process_time()
    if case == "clean":
        dataset = load_dataset(folder)
        count = 0
        assert len(dataset.tallies) > 0
    else:
        count = len(validate(folder))
    return time.process_time() - started, count


def _cli(data: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``sceptre-report validate`` on ``data`` as a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sceptre_analysis.cli", "validate", str(data)],
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _reference() -> float:
    """CPU seconds of a fixed memory-bound job, to read the table against a busy machine."""
    words = [f"tally row {i} quoted text" for i in range(100_000)]
    started = time.process_time()
    for _ in range(5):
        dict.fromkeys(words)
    return (time.process_time() - started) / 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    import sceptre_analysis.load  # noqa: F401  (imports are not what is measured)

    header, rows = _base_rows()
    print(
        f"machine: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"reference work (dict of 100,000 strings) {_reference() * 1000:.0f} ms"
    )
    print(f"{'case':<16}{'rows':>9}{'problems':>10}{'CPU s':>8}{'µs/row':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in BASE.glob("*.csv"):
            shutil.copy(path, folder)
        _run(folder, "clean")  # warm caches of the vocabulary and documents
        for case, make in CASES.items():
            for count in (args.rows // 10, args.rows):
                _write(folder, header, make(rows, count))
                seconds, problems = _run(folder, case)
                per_row = seconds / count * 1e6
                print(f"{case:<16}{count:>9,}{problems:>10,}{seconds:>8.2f}{per_row:>8.1f}")
    data = Path(os.environ.get("SCEPTRE_DATA_DIR") or ROOT / "data")
    _cli(data)  # the first run pays for compiling bytecode
    runs = [_cli(data) for _ in range(3)]
    wall = min(r[0] for r in runs)
    cpu = min(r[1] for r in runs)
    shown = data.relative_to(ROOT) if data.is_relative_to(ROOT) else data
    print(
        f"\n`sceptre-report validate {shown}` as a whole process: {wall:.2f} s wall, "
        f"{cpu:.2f} s CPU (best of 3)"
    )


if __name__ == "__main__":
    main()
