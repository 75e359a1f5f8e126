"""The reconciliation kept in the cache folder: the same answer as computing it, and any
change to the data is a miss (the key is the content, never a file time)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from sceptre_analysis import figures
from sceptre_analysis.load import load_dataset


def _fresh(folder: Path) -> figures.ReportData:
    """A report view built from scratch (not the in-process one kept by content)."""
    return figures._build(load_dataset(folder, documents=None))


def _cached_files(cache: Path) -> list[Path]:
    return sorted((cache / "reconcile").glob("*.bin"))


def test_a_cached_reconciliation_equals_a_computed_one(data_copy, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("SCEPTRE_CACHE_DIR", str(cache))
    folder = data_copy()
    computed = _fresh(folder).analysis()
    assert len(_cached_files(cache)) == 1
    loaded = _fresh(folder).analysis()
    assert loaded is not computed
    assert loaded.figures.equals(computed.figures)
    assert loaded.findings.equals(computed.findings)
    assert len(_cached_files(cache)) == 1  # read, not written again


def test_a_changed_figure_is_a_miss_even_with_the_same_file_times(data_copy, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("SCEPTRE_CACHE_DIR", str(cache))
    folder = data_copy()
    before = _fresh(folder).analysis()
    tallies = folder / "tallies.csv"
    stamp = tallies.stat()
    rows = list(csv.reader(io.StringIO(tallies.read_text(encoding="utf-8"))))
    value, quote = rows[0].index("value"), rows[0].index("quote")
    row = next(r for r in rows[1:] if r[value].isdigit() and r[value] in r[quote])
    changed = str(int(row[value]) + 10)  # the figure and its quote, as an edit would
    row[quote] = row[quote].replace(row[value], changed)
    row[value] = changed
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    tallies.write_text(buffer.getvalue(), encoding="utf-8")
    os.utime(tallies, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    after = _fresh(folder).analysis()
    assert len(_cached_files(cache)) == 2
    assert not after.figures.equals(before.figures)
