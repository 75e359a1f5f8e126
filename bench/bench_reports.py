"""Time the report blocks in-process (no kernels, no export) for every report of the default
plan, and print a table: where a report's seconds go before papermill and WeasyPrint.

    python bench/bench_reports.py
"""

from __future__ import annotations

import time
from collections import defaultdict

from sceptre_analysis import summary
from sceptre_analysis.figures import report_data
from sceptre_analysis.load import load_dataset
from sceptre_analysis.plan import expand, read_plan


def main() -> None:
    started = time.perf_counter()
    dataset = load_dataset()
    data = report_data(dataset)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    data.analysis()
    analysis_seconds = time.perf_counter() - started
    timings: dict[str, list[float]] = defaultdict(list)
    for planned in expand(read_plan(), dataset):
        request = planned.request
        parameters = {"operation": "Operation Sceptre"} | {
            k: v for k, v in request.parameters.items() if k != "data_dir"
        }
        started = time.perf_counter()
        if request.notebook == "operation_summary":
            report = summary.operation_summary(data, **parameters)
            blocks = [
                report.lede_html,
                report.figures_table_html,
                report.other_agencies_html,
                report.disputes_html,
                report.sources_html,
            ]
        elif request.notebook == "source_check":
            report = summary.source_check(data, **parameters)
            blocks = [
                report.overview_html,
                report.findings_html,
                report.hedges_html,
                report.agreed_html,
                report.claims_html,
                report.sources_html,
            ]
        else:
            report = summary.trend_report(data, **parameters)
            blocks = [
                report.narrative_html,
                report.points_table_html,
                report.disputes_html,
                report.sources_html,
            ]
        for block in blocks:
            block()
        report.meta()
        timings[request.notebook].append(time.perf_counter() - started)
    print(f"{'step':<22} {'reports':>7} {'total s':>8} {'mean s':>7} {'max s':>6}")
    print(
        f"{'load data':<22} {1:>7} {load_seconds:>8.2f} {load_seconds:>7.2f} {load_seconds:>6.2f}"
    )
    print(
        f"{'reconcile (once)':<22} {1:>7} {analysis_seconds:>8.2f} {analysis_seconds:>7.2f} "
        f"{analysis_seconds:>6.2f}"
    )
    for name, values in timings.items():
        print(
            f"{name:<22} {len(values):>7} {sum(values):>8.2f} {sum(values) / len(values):>7.2f} "
            f"{max(values):>6.2f}"
        )


if __name__ == "__main__":
    main()
