"""Benchmark: reconciliation of many claims. Prints a table; asserts nothing.

Not a test and not timed in CI. Run from the project root::

    .venv/bin/python bench/bench_reconcile.py [CLAIMS ...]

Synthetic claims in the loaded shape: weeks of one operation, the national total and every
force of data/agencies.csv, the measures of tests/fixtures/reconcile/measures.csv, several
sources per force and week (one a primary release, one a word-for-word copy of it), most
agreeing, some off by a little, some hedged, some a day off in their dates. Target: 100,000
claims in at most 2 s; the time per claim must not grow with the claims of a week.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sceptre_analysis.reconcile import CHECKS, analyse  # noqa: E402
from sceptre_analysis.reconcile.base import Analysis  # noqa: E402
from sceptre_analysis.reconcile.figures import choose  # noqa: E402
from sceptre_analysis.reconcile.model import prepare  # noqa: E402
from sceptre_analysis.vocab import load_vocabulary  # noqa: E402

MEASURES = ROOT / "tests" / "fixtures" / "reconcile" / "measures.csv"


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


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def main(sizes: list[int]) -> None:
    print(
        f"{'claims':>8} {'weeks':>6} {'prepare':>8} {'choose':>8} {'checks':>8} "
        f"{'total':>8} {'µs/claim':>9} {'findings':>9}  slowest check"
    )
    for size in sizes:
        data = synthetic(size)
        n = len(data.tallies)
        ctx, t_prepare = timed(prepare, data, data.vocabulary)
        (claims, figures), t_choose = timed(choose, ctx)
        analysis = Analysis(ctx, claims, figures)
        per_check = {}
        found = 0
        for check in CHECKS:
            result, seconds = timed(check.run, analysis)
            per_check[check.name] = seconds
            found += len(result)
        t_checks = sum(per_check.values())
        _, t_total = timed(analyse, data)
        slowest = max(per_check, key=per_check.get)
        print(
            f"{n:>8} {ctx.claims['cluster'].nunique():>6} {t_prepare:>8.2f} {t_choose:>8.2f} "
            f"{t_checks:>8.2f} {t_total:>8.2f} {1e6 * t_total / n:>9.1f} {found:>9}  "
            f"{slowest} {per_check[slowest]:.2f} s"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000])
