"""Small synthetic datasets for the reconciliation tests, in the loaded shape of
docs/data-model.md (canonical names, hedge meaning, periods, week), without reading data/.

    data = build([claim("arrests", 1002), claim("arrests", 44, source="paper")])
    result = analyse(data)

Vocabulary: tests/fixtures/reconcile (agencies, operations, measures) over the project's units
and qualifiers; sources: a primary ``release`` and three secondary ones unless given.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from sceptre_analysis import hedges
from sceptre_analysis.vocab import load_vocabulary

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reconcile"
VOCABULARY = load_vocabulary(FIXTURES)

#: source_id -> (publisher, kind, published, title)
SOURCES: dict[str, tuple[str, str, str, str]] = {
    "release": ("Test Police", "primary", "2021-03-08", "Test Police week of action"),
    "paper": ("Local Paper", "secondary", "2021-03-10", ""),
    "gazette": ("Gazette", "secondary", "2021-03-11", ""),
    "blog": ("Blog", "secondary", "2021-03-12", ""),
    "npcc": ("NPCC", "primary", "2021-03-09", ""),
}


def claim(
    measure: str,
    value: float,
    qualifier: str = "",
    *,
    source: str = "release",
    agency: str = "Test Police",
    area: str = "Testshire",
    start: str = "2021-03-01",
    end: str = "2021-03-07",
    operation: str = "Operation Test",
    quote: str | None = None,
    high: float | None = None,
    context: str = "",
    period_kind: str | None = None,
    period_stated: str = "",
    note: str = "",
) -> dict[str, object]:
    """One tallies row as the loader gives it."""
    return {
        "operation": operation,
        "agency": agency,
        "area": area,
        "measure": measure,
        "value": float(value),
        "value_high": high,
        "qualifier": qualifier,
        "context": context,
        "period_start": start,
        "period_end": end,
        "period_kind": period_kind or ("exact" if start and end else "undated"),
        "period_stated": period_stated,
        "source_id": source,
        "quote": quote if quote is not None else f"{qualifier} {value:g} {measure}".strip(),
        "note": note,
    }


def build(
    rows: list[dict[str, object]],
    sources: dict[str, tuple[str, str, str, str]] | None = None,
) -> SimpleNamespace:
    """A dataset-like object (tallies, sources, measures, vocabulary) for :func:`analyse`."""
    tallies = pd.DataFrame(rows)
    tallies["line"] = range(2, len(tallies) + 2)
    parsed = [hedges.parse_qualifier(str(q), VOCABULARY) for q in tallies["qualifier"]]
    tallies["meaning"] = [p.hedge.meaning for p in parsed]
    tallies["direction"] = [p.direction.meaning if p.direction else "" for p in parsed]
    tallies["tolerance"] = [p.hedge.tolerance for p in parsed]
    tallies["period_start"] = pd.to_datetime(tallies["period_start"].replace("", None))
    tallies["period_end"] = pd.to_datetime(tallies["period_end"].replace("", None))
    tallies["week"] = tallies["period_start"].where(tallies["period_kind"] == "exact")
    measures = pd.read_csv(FIXTURES / "measures.csv", dtype=str, keep_default_na=False)
    tallies["unit"] = tallies["measure"].map(
        dict(zip(measures["measure"], measures["unit"], strict=True))
    )
    table = sources or SOURCES
    frame = pd.DataFrame(
        [
            {
                "source_id": sid,
                "publisher": publisher,
                "kind": kind,
                "published": pd.Timestamp(published) if published else pd.NaT,
                "title": title,
                "verified": True,
            }
            for sid, (publisher, kind, published, title) in table.items()
        ]
    )
    return SimpleNamespace(
        tallies=tallies, sources=frame, measures=measures, vocabulary=VOCABULARY, data_dir=None
    )
