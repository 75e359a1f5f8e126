"""Benchmark: extraction scored against the hand-made reference corpus. Prints tables.

Not a test and not run in CI. From the project root::

    .venv/bin/python bench/extract_eval.py [--corpus ../shared/corpus] [--data data] [-v]

For every document of the corpus's ``sources.csv`` the extractor proposes figures, which are
matched to the corpus's ``tallies.csv`` rows of that document:

* a proposed figure matches when its value equals a gold value of that document; each gold
  row is matched at most once (pairs with the same measure are made first);
* recall = matched gold rows / gold rows; precision = matched proposals / proposals;
* measure accuracy is taken over the matched pairs whose gold measure maps to a measure of
  the project (``measure_for``: the same name, or a ``name`` row of measure_aliases.csv): the
  proposal must carry that measure.

Speed: milliseconds of extraction per 2,000 characters (imports and the vocabulary already
loaded; best of several rounds), and the wall time of ``sceptre-report extract FILE`` as a
whole process.  Targets: recall >= 97 %, precision >= 92 %, measure >= 85 %, <= 50 ms per
2,000 characters, <= 1 s per process.
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sceptre_analysis.extract import Extractor  # noqa: E402
from sceptre_analysis.vocab import load_vocabulary  # noqa: E402


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _match(gold: list[dict[str, str]], proposed: list, mapped) -> tuple[int, list, list, list]:
    """One-to-one pairs by value; same-measure pairs first.  Returns (matched, pairs,
    unmatched gold rows, unmatched proposals)."""
    free_gold = list(range(len(gold)))
    free_prop = list(range(len(proposed)))
    pairs: list[tuple[dict[str, str], object]] = []
    for same_measure in (True, False):
        for pi in list(free_prop):
            figure = proposed[pi]
            for gi in free_gold:
                row = gold[gi]
                if not math.isclose(float(row["value"]), figure.value, rel_tol=1e-9):
                    continue
                if same_measure and mapped(row["measure"]) != figure.measure:
                    continue
                pairs.append((row, figure))
                free_gold.remove(gi)
                free_prop.remove(pi)
                break
    return len(pairs), pairs, [gold[i] for i in free_gold], [proposed[i] for i in free_prop]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--data", type=Path, default=None, help="data folder (vocabulary)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and extras")
    parser.add_argument("--no-process", action="store_true", help="skip the process timing")
    args = parser.parse_args()

    extractor = Extractor(args.data) if args.data else Extractor()
    vocabulary = load_vocabulary(args.data)
    project_measures = set(extractor.measure_units)

    def mapped(name: str) -> str | None:
        return vocabulary.measure_for(name, project_measures)

    sources = _rows(args.corpus / "sources.csv")
    gold_rows = _rows(args.corpus / "tallies.csv")
    documents = args.corpus / "documents"
    texts = {s["source_id"]: (documents / s["document"]).read_text("utf-8") for s in sources}

    header = f"{'document':<46} {'gold':>4} {'prop':>4} {'match':>5} {'recall':>7} " + (
        f"{'precis.':>7} {'measure':>9}"
    )
    print(header)
    print("-" * len(header))
    totals = {"gold": 0, "prop": 0, "match": 0, "m_ok": 0, "m_n": 0}
    details: list[str] = []
    for source_id, text in texts.items():
        gold = [r for r in gold_rows if r["source_id"] == source_id]
        result = extractor.extract(text, source=source_id)
        matched, pairs, missed, extra = _match(gold, result.figures, mapped)
        scored = [(g, f) for g, f in pairs if mapped(g["measure"])]
        right = sum(mapped(g["measure"]) == f.measure for g, f in scored)
        totals["gold"] += len(gold)
        totals["prop"] += len(result.figures)
        totals["match"] += matched
        totals["m_ok"] += right
        totals["m_n"] += len(scored)
        recall = matched / len(gold) if gold else 1.0
        precision = matched / len(result.figures) if result.figures else 1.0
        measure = f"{right}/{len(scored)}" if scored else "-"
        print(
            f"{source_id[:46]:<46} {len(gold):>4} {len(result.figures):>4} {matched:>5} "
            f"{recall:>7.0%} {precision:>7.0%} {measure:>9}"
        )
        if args.verbose:
            for row in missed:
                details.append(
                    f"{source_id}: MISSED {row['value']} {row['measure']} «{row['quote']}»"
                )
            for figure in extra:
                details.append(
                    f"{source_id}: EXTRA {figure.value:g} {figure.measure or '-'} «{figure.quote}»"
                )
            for g, f in scored:
                if mapped(g["measure"]) != f.measure:
                    details.append(
                        f"{source_id}: MEASURE {g['value']} gold {g['measure']}"
                        f"->{mapped(g['measure'])} got {f.measure or '-'} «{f.quote}»"
                    )
    print("-" * len(header))
    recall = totals["match"] / totals["gold"]
    precision = totals["match"] / totals["prop"]
    measure = totals["m_ok"] / totals["m_n"] if totals["m_n"] else float("nan")
    print(
        f"{'TOTAL':<46} {totals['gold']:>4} {totals['prop']:>4} {totals['match']:>5} "
        f"{recall:>7.1%} {precision:>7.1%} {measure:>9.1%}"
    )
    print(f"measure accuracy over {totals['m_n']} matched figures whose gold measure maps")
    for line in details:
        print(line)

    # speed: extraction only, the vocabulary already compiled
    chars = sum(len(t) for t in texts.values())
    rounds = []
    for _ in range(5):
        began = time.perf_counter()
        for text in texts.values():
            extractor.extract(text)
        rounds.append(time.perf_counter() - began)
    per_2000 = min(rounds) / chars * 2000 * 1000
    print()
    print(f"{'speed':<46} {'value':>12} {'target':>10}")
    print(
        f"{'extraction, ms per 2,000 characters (best of 5)':<46} {per_2000:>12.1f} {'<= 50':>10}"
    )
    if not args.no_process:
        command = Path(sys.executable).parent / "sceptre-report"
        longest = max(texts, key=lambda k: len(texts[k]))
        path = documents / next(s["document"] for s in sources if s["source_id"] == longest)
        walls = []
        for _ in range(3):
            began = time.perf_counter()
            subprocess.run([str(command), "extract", str(path)], check=True, capture_output=True)
            walls.append(time.perf_counter() - began)
        print(
            f"{'sceptre-report extract FILE, s (median of 3)':<46} "
            f"{statistics.median(walls):>12.2f} {'<= 1':>10}"
        )


if __name__ == "__main__":
    main()
