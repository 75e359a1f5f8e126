"""Benchmark: fact-check every corpus document and seed article against the project data.

Not a test and not run in CI. From the project root::

    .venv/bin/python bench/factcheck_bench.py [--corpus ../shared/corpus] [--data data]

Per document: the figures found and their verdicts, and the milliseconds one check takes
(reading, extraction, verdicts; the data loaded and reconciled once beforehand; best of three).
The corpus's figures are in data/, so most should be supported: a contradiction here is either
a real disagreement between sources (the data keeps both) or a misreading worth a look.
Last, the wall time of ``sceptre-report check`` on the secondary seed article as a process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sceptre_analysis.drafts import check_draft  # noqa: E402
from sceptre_analysis.load import load_dataset  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    args = parser.parse_args()

    dataset = load_dataset(args.data)
    documents = sorted((args.corpus / "documents").glob("*.txt")) + sorted(args.seeds.glob("*.txt"))
    check_draft(documents[0], dataset)  # warm: imports, vocabulary, reconciliation
    rows = []
    for path in documents:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            _, result = check_draft(path, dataset)
            times.append(time.perf_counter() - started)
        counts = result.counts()
        rows.append((path.stem[:44], len(result.verdicts), *counts.values(), min(times) * 1000))

    head = ("document", "figures", "supported", "contradicted", "unsupported", "ms")
    print(f"{head[0]:<44} {head[1]:>7} {head[2]:>9} {head[3]:>12} {head[4]:>11} {head[5]:>7}")
    for name, n, s, c, u, ms in rows:
        print(f"{name:<44} {n:>7} {s:>9} {c:>12} {u:>11} {ms:>7.0f}")
    total = [sum(r[i] for r in rows) for i in range(1, 5)]
    mean_ms = sum(r[5] for r in rows) / len(rows)
    print(
        f"{'all ' + str(len(rows)) + ' documents':<44} {total[0]:>7} {total[1]:>9} "
        f"{total[2]:>12} {total[3]:>11} {mean_ms:>7.0f}"
    )

    seed = args.seeds / "001_709e008efd247ce5.txt"
    if seed.is_file():
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "sceptre_analysis.cli", "check", str(seed), "--format", "json"],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        print(
            f"\nsceptre-report check (secondary seed, whole process): "
            f"{time.perf_counter() - started:.2f} s"
        )


if __name__ == "__main__":
    main()
