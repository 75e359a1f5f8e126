"""Benchmark: reconciliation of many claims. Prints a table; asserts nothing.

Not a test and not timed in CI. Run from the project root::

    .venv/bin/python bench/bench_reconcile.py [CLAIMS ...]

Synthetic claims in the loaded shape: weeks of one operation, the national total and every
force of data/agencies.csv, the measures of tests/fixtures/reconcile/measures.csv, several
sources per force and week (one a primary release, one a word-for-word copy of it), most
agreeing, some off by a little, some hedged, some a day off in their dates. Target: 100,000
claims in at most 2 s; the time per claim must not grow with the claims of a week.

Each size is run through :func:`~sceptre_analysis.reconcile.analyse` three times; the table
gives the quickest run's seconds per step (``frames``: the findings and figures frames built at
the end), its CPU seconds, then where the time of the largest size goes, step by step, and
each target met or not, with the reason.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sceptre_analysis.reconcile import CHECKS, analyse  # noqa: E402
from sceptre_analysis.vocab import load_vocabulary  # noqa: E402

MEASURES = ROOT / "tests" / "fixtures" / "reconcile" / "measures.csv"
#: Issue 9's Speed target.
TARGET_CLAIMS = 100_000
TARGET_SECONDS = 2.0
#: Time per claim may vary by this factor between sizes (noise, fixed costs) and still count as
#: not growing.
LINEAR_SLACK = 1.5


def synthetic(n_claims: int, seed: int = 1) -> SimpleNamespace:
    """About ``n_claims`` claims; weeks grow with the claims (a week keeps its size)."""
    rng = np.random.default_rng(seed)
    vocabulary = load_vocabulary(ROOT / "data")
    agencies = list(vocabulary.agencies)
    measures = pd.read_csv(MEASURES, dtype=str, keep_default_na=False)
    counts = [m for m, u in zip(measures["measure"], measures["unit"], strict=True) if u == "count"]
    per_week = len(agencies) * len(counts) * 4
    weeks = max(1, round(n_claims / per_week))
    labels = dict(zip(measures["measure"], measures["label"].str.lower(), strict=True))
    national = [a for a in agencies if vocabulary.agencies[a].kind == "national"]
    forces = [a for a in agencies if a not in national]
    rows = []
    sources = []
    for w in range(weeks):
        start = pd.Timestamp("2018-01-01") + pd.Timedelta(weeks=26 * w)
        truths = {agency: _truth(rng) for agency in forces}
        for agency in national:
            truths[agency] = {
                m: sum(t[m] for t in truths.values()) + int(rng.integers(0, 50)) for m in counts
            }
        for a, agency in enumerate(agencies):
            ids = [f"s{w}-{a}-{k}" for k in range(4)]
            for k, sid in enumerate(ids):
                sources.append(
                    {
                        "source_id": sid,
                        "publisher": f"{agency} source {k}",
                        "kind": "primary" if k == 0 else "secondary",
                        "published": start + pd.Timedelta(days=8 + k),
                        "title": "",
                        "verified": True,
                    }
                )
            truth = truths[agency]
            for k, sid in enumerate(ids):
                shift = 1 if (k == 3 and rng.random() < 0.1) else 0
                for measure in counts:
                    value = int(truth[measure])
                    qualifier = ""
                    if k == 2 and rng.random() < 0.02:
                        value += int(rng.integers(1, 50))
                    if k == 3 and rng.random() < 0.2:
                        qualifier, value = "more than", int(value * 0.9)
                    quote_source = 0 if k == 1 else k  # source 1 copies the release
                    rows.append(
                        (
                            "Operation Sceptre",
                            agency,
                            vocabulary.agencies[agency].area,
                            measure,
                            float(value),
                            qualifier,
                            start + pd.Timedelta(days=shift),
                            start + pd.Timedelta(days=6 + shift),
                            sid,
                            f"{qualifier} {value:,} {labels[measure]} (#{quote_source})".strip(),
                        )
                    )
    tallies = pd.DataFrame(
        rows,
        columns=[
            "operation",
            "agency",
            "area",
            "measure",
            "value",
            "qualifier",
            "period_start",
            "period_end",
            "source_id",
            "quote",
        ],
    )
    tallies["line"] = np.arange(2, len(tallies) + 2)
    more = tallies["qualifier"] == "more than"
    tallies["meaning"] = np.where(more, "more", "exact")
    tallies["direction"] = ""
    tallies["tolerance"] = np.nan
    tallies["value_high"] = np.nan
    tallies["context"] = ""
    tallies["period_kind"] = "exact"
    tallies["week"] = tallies["period_start"]
    tallies["unit"] = "count"
    return SimpleNamespace(
        tallies=tallies,
        sources=pd.DataFrame(sources),
        measures=measures,
        vocabulary=vocabulary,
        data_dir=None,
        weeks=weeks,
    )


def _truth(rng: np.random.Generator) -> dict[str, int]:
    """One force's week, with totals that are the sums of their parts."""
    t = {
        m: int(rng.integers(5, 900))
        for m in (
            "knives_seized",
            "knives_surrendered",
            "knives_found_in_sweeps",
            "other_offensive_weapons",
            "arrests",
            "weapon_sweeps",
            "retailer_visits",
            "intervention_referrals",
        )
    }
    t["arrests_knife_related"] = t["arrests"] // 3
    t["knives_surrendered_or_found_in_sweeps"] = (
        t["knives_surrendered"] + t["knives_found_in_sweeps"]
    )
    t["knives"] = t["knives_seized"] + t["knives_surrendered_or_found_in_sweeps"]
    t["weapons_total"] = t["knives"] + t["other_offensive_weapons"]
    return t


def _reference() -> float:
    """CPU seconds of a fixed memory-bound job, to read the table against a busy machine."""
    words = [f"tally row {i} quoted text" for i in range(100_000)]
    started = time.process_time()
    for _ in range(5):
        dict.fromkeys(words)
    return (time.process_time() - started) / 5


def measure(data: SimpleNamespace, repeat: int) -> tuple[dict[str, float], float, int]:
    """The quickest of ``repeat`` runs of analyse: its seconds per step, CPU seconds, findings."""
    best: dict[str, float] | None = None
    cpu = 0.0
    found = 0
    for _ in range(repeat):
        timings: dict[str, float] = {}
        started = time.process_time()
        result = analyse(data, timings=timings)
        used = time.process_time() - started
        if best is None or sum(timings.values()) < sum(best.values()):
            best, cpu, found = timings, used, len(result.findings)
    assert best is not None
    return best, cpu, found


def main(sizes: list[int], repeat: int = 3) -> None:
    print(
        f"machine: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"reference work (dict of 100,000 strings) {_reference() * 1000:.0f} ms; "
        f"best of {repeat} runs of analyse() per size"
    )
    print(
        f"{'claims':>8} {'weeks':>6} {'prepare':>8} {'choose':>8} {'checks':>8} "
        f"{'frames':>7} {'total':>7} {'CPU':>6} {'µs/claim':>9} {'findings':>9}  slowest check"
    )
    checks = [check.name for check in CHECKS]
    rows = []
    for size in sizes:
        data = synthetic(size)
        n = len(data.tallies)
        weeks = data.weeks
        steps, cpu, found = measure(data, repeat)
        total = sum(steps.values())
        in_checks = sum(steps.get(name, 0.0) for name in checks)
        slowest = max(checks, key=lambda name: steps.get(name, 0.0))
        rows.append((n, total, cpu, steps))
        print(
            f"{n:>8} {weeks:>6} {steps['prepare']:>8.2f} {steps['choose']:>8.2f} "
            f"{in_checks:>8.2f} {steps['frames']:>7.2f} {total:>7.2f} {cpu:>6.2f} "
            f"{1e6 * total / n:>9.1f} {found:>9}  {slowest} {steps[slowest]:.2f} s"
        )
    n, total, cpu, steps = rows[-1]
    print(f"\nwhere the time goes at {n:,} claims (seconds, share of the total):")
    for name, seconds in sorted(steps.items(), key=lambda item: -item[1]):
        print(f"  {name:<26}{seconds:>6.2f} {100 * seconds / total:>5.0f} %")
    print()
    print(verdict(rows))


def verdict(rows: list[tuple[int, float, float, dict[str, float]]]) -> str:
    """Each target of issue 9's Speed section, met or not, and why."""
    lines = []
    target = [r for r in rows if r[0] >= TARGET_CLAIMS]
    if not target:
        lines.append(
            f"target ≤ {TARGET_SECONDS:.0f} s for {TARGET_CLAIMS:,} claims: not measured "
            "(no size of 100,000 claims or more was run)"
        )
    else:
        n, total, cpu, _ = target[0]
        if total <= TARGET_SECONDS:
            state = f"MET: {total:.2f} s for {n:,} claims"
        elif cpu <= TARGET_SECONDS:
            state = (
                f"NOT MET on this run: {total:.2f} s wall for {n:,} claims, but {cpu:.2f} s of "
                "CPU: the machine is busy (see its load above); run it on a quiet one"
            )
        else:
            state = f"NOT MET: {total:.2f} s wall ({cpu:.2f} s CPU) for {n:,} claims"
        lines.append(f"target ≤ {TARGET_SECONDS:.0f} s for {TARGET_CLAIMS:,} claims: {state}")
    if len(rows) >= 2:
        (n1, t1, *_), (n2, t2, *_) = rows[-2], rows[-1]
        growth = (t2 / n2) / (t1 / n1)
        state = "MET" if growth <= LINEAR_SLACK else "NOT MET"
        lines.append(
            f"time per claim must not grow with the claims of a week: {state} "
            f"(µs per claim {1e6 * t1 / n1:.1f} at {n1:,} claims, {1e6 * t2 / n2:.1f} at "
            f"{n2:,}: ×{growth:.2f}; a week keeps its size, so quadratic work would show "
            f"as growth well beyond ×{LINEAR_SLACK})"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000])
