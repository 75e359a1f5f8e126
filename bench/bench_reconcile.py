"""Benchmark: reconciliation of many claims. Prints a table; asserts nothing.

Not a test and not timed in CI. Run from the project root::

    .venv/bin/python bench/bench_reconcile.py [CLAIMS ...]

Synthetic claims in the loaded shape: weeks of one operation, the national total and every
force of data/agencies.csv, the measures of tests/fixtures/reconcile/measures.csv, several
sources per force and week (one a primary release, one a word-for-word copy of it), most
agreeing, some off by a little, some hedged, some a day off in their dates. Target: 100,000
claims in at most 2 s; the time per claim must not grow with the claims of a week.

Each size is run through :func:`~sceptre_analysis.reconcile.analyse` five times; the table
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
#: Sources per agency and week in the usual weeks, and in the weeks ten times larger.
SOURCES = 4
WIDE_SOURCES = 40
#: With weeks ten times larger, quadratic work costs ten times as much per claim; more
#: sources per figure also make more to say per finding, so up to this factor is allowed.
WIDE_SLACK = 3.0
#: Time per claim may vary by this factor between sizes (noise, fixed costs) and still count as
#: not growing.
LINEAR_SLACK = 1.5


def synthetic(n_claims: int, seed: int = 1, sources: int = 4) -> SimpleNamespace:
    """About ``n_claims`` claims; weeks grow with the claims (a week keeps its size).

    ``sources`` per agency and week play four roles in turn: a primary release, a word-for-word
    copy of it, a source sometimes a little off, a source sometimes hedged or a day off."""
    rng = np.random.default_rng(seed)
    vocabulary = load_vocabulary(ROOT / "data")
    agencies = list(vocabulary.agencies)
    measures = pd.read_csv(MEASURES, dtype=str, keep_default_na=False)
    counts = [m for m, u in zip(measures["measure"], measures["unit"], strict=True) if u == "count"]
    per_week = len(agencies) * len(counts) * sources
    weeks = max(1, round(n_claims / per_week))
    labels = dict(zip(measures["measure"], measures["label"].str.lower(), strict=True))
    national = [a for a in agencies if vocabulary.agencies[a].kind == "national"]
    forces = [a for a in agencies if a not in national]
    rows = []
    source_rows = []
    for w in range(weeks):
        start = pd.Timestamp("2018-01-01") + pd.Timedelta(weeks=26 * w)
        truths = {agency: _truth(rng) for agency in forces}
        for agency in national:
            truths[agency] = {
                m: sum(t[m] for t in truths.values()) + int(rng.integers(0, 50)) for m in counts
            }
        for a, agency in enumerate(agencies):
            ids = [f"s{w}-{a}-{k}" for k in range(sources)]
            for k, sid in enumerate(ids):
                source_rows.append(
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
                role = k % 4
                shift = 1 if (role == 3 and rng.random() < 0.1) else 0
                for measure in counts:
                    value = int(truth[measure])
                    qualifier = ""
                    if role == 2 and rng.random() < 0.02:
                        value += int(rng.integers(1, 50))
                    if role == 3 and rng.random() < 0.2:
                        qualifier, value = "more than", int(value * 0.9)
                    quote_source = 0 if role == 1 else k  # role 1 copies the release
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
        sources=pd.DataFrame(source_rows),
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


def measure(data: SimpleNamespace, repeat: int) -> tuple[dict[str, float], float, int, float]:
    """``repeat`` runs of analyse: each step's quickest seconds, the quickest run's CPU seconds,
    the findings, and the quickest run's seconds in all."""
    steps: dict[str, float] = {}
    cpu = total = float("inf")
    found = 0
    for _ in range(repeat):
        timings: dict[str, float] = {}
        started = time.process_time()
        result = analyse(data, timings=timings)
        used = time.process_time() - started
        for name, seconds in timings.items():
            steps[name] = min(seconds, steps.get(name, float("inf")))
        if sum(timings.values()) < total:
            total, cpu, found = sum(timings.values()), used, len(result.findings)
    return steps, cpu, found, total


Row = tuple[str, int, float, float, dict[str, float]]


def main(sizes: list[int], repeat: int = 5) -> None:
    print(
        f"machine: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"reference work (dict of 100,000 strings) {_reference() * 1000:.0f} ms; "
        f"best of {repeat} runs of analyse() per line"
    )
    print(
        f"{'claims':>8} {'weeks':>6} {'per week':>9} {'prepare':>8} {'choose':>8} {'checks':>8} "
        f"{'frames':>7} {'total':>7} {'CPU':>6} {'µs/claim':>9} {'findings':>9}  slowest check"
    )
    rows = [run(size, SOURCES, repeat) for size in sizes]
    wide = run(sizes[-1], WIDE_SOURCES, repeat)  # weeks ten times larger
    _, n, total, _, steps = rows[-1]
    print(f"\nwhere the time goes at {n:,} claims (seconds, share of the total):")
    for name, seconds in sorted(steps.items(), key=lambda item: -item[1]):
        print(f"  {name:<26}{seconds:>6.2f} {100 * seconds / total:>5.0f} %")
    print()
    print(verdict(rows, wide))


def run(size: int, sources: int, repeat: int) -> Row:
    """One line of the table: ``size`` claims, ``sources`` per agency and week."""
    checks = [check.name for check in CHECKS]
    data = synthetic(size, sources=sources)
    n = len(data.tallies)
    steps, cpu, found, total = measure(data, repeat)
    in_checks = sum(steps.get(name, 0.0) for name in checks)
    slowest = max(checks, key=lambda name: steps.get(name, 0.0))
    per_week = n // data.weeks
    print(
        f"{n:>8} {data.weeks:>6} {per_week:>9} {steps['prepare']:>8.2f} {steps['choose']:>8.2f} "
        f"{in_checks:>8.2f} {steps['frames']:>7.2f} {total:>7.2f} {cpu:>6.2f} "
        f"{1e6 * total / n:>9.1f} {found:>9}  {slowest} {steps[slowest]:.2f} s"
    )
    return f"{per_week:,} claims a week", n, total, cpu, steps


def verdict(rows: list[Row], wide: Row) -> str:
    """Each target of issue 9's Speed section, met or not, and why."""
    lines = []
    target = [r for r in rows if r[1] >= TARGET_CLAIMS]
    if not target:
        lines.append(
            f"target ≤ {TARGET_SECONDS:.0f} s for {TARGET_CLAIMS:,} claims: not measured "
            "(no size of 100,000 claims or more was run)"
        )
    else:
        _, n, total, cpu, _ = target[0]
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
        (_, n1, t1, *_), (_, n2, t2, *_) = rows[-2], rows[-1]
        growth = (t2 / n2) / (t1 / n1)
        state = "MET" if growth <= LINEAR_SLACK else "NOT MET"
        lines.append(
            f"linear in the claims (more weeks of the same size): {state} "
            f"(µs per claim {1e6 * t1 / n1:.1f} at {n1:,} claims, {1e6 * t2 / n2:.1f} at "
            f"{n2:,}: ×{growth:.2f}, at most ×{LINEAR_SLACK} allowed)"
        )
    lines.append(quadratic_verdict(rows[-1], wide))
    return "\n".join(lines)


def quadratic_verdict(usual: Row, wide: Row) -> str:
    """No check quadratic in the claims of a week: the same claims in weeks ten times larger
    must not cost more per claim, step by step (steps under 0.02 s are noise and left out)."""
    label, n, total, _, steps = usual
    wide_label, n_wide, total_wide, _, wide_steps = wide
    growth = {
        name: (wide_steps.get(name, 0.0) / n_wide) / (seconds / n)
        for name, seconds in steps.items()
        if max(seconds, wide_steps.get(name, 0.0)) >= 0.02 and seconds > 0
    }
    worst = max(growth, key=lambda name: growth[name]) if growth else "none"
    overall = (total_wide / n_wide) / (total / n)
    met = overall <= WIDE_SLACK and all(g <= WIDE_SLACK for g in growth.values())
    return (
        f"no check quadratic in the claims of a week: {'MET' if met else 'NOT MET'} "
        f"(weeks of {wide_label} against {label}: µs per claim ×{overall:.2f} in all, "
        f"×{growth.get(worst, 0.0):.2f} at most in one step ({worst}); work quadratic in a "
        f"week's claims would cost ×{WIDE_SOURCES // SOURCES} per claim, at most "
        f"×{WIDE_SLACK} is allowed: ten sources of each kind instead of one make more "
        "disagreements to write up per figure)"
    )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000])
