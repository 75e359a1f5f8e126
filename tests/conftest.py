"""Shared test fixtures: a frozen copy of the seed data (``fixtures/base``), and throw-away
copies of it to break.

Tests never pin rows or line numbers of the shipped ``data/`` (it grows): exact expectations
use ``BASE_DIR``; the shipped data is checked by properties only.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
BASE_DIR = FIXTURES_DIR / "base"


@pytest.fixture
def data_copy(tmp_path: Path) -> Callable[[str | None], Path]:
    """Copy the base CSVs to a temporary folder, then lay ``fixtures/bad/<name>`` over them."""

    def make(overlay: str | None = None) -> Path:
        folder = tmp_path / (overlay or "data")
        folder.mkdir()
        for csv_file in BASE_DIR.glob("*.csv"):
            shutil.copy(csv_file, folder)
        if overlay is not None:
            shutil.copytree(FIXTURES_DIR / "bad" / overlay, folder, dirs_exist_ok=True)
        return folder

    return make


# --------------------------------------------------------------------------------------------
# Seed data and small synthetic datasets (metrics, reconcile, params, reports)
# --------------------------------------------------------------------------------------------

SEEDS_DIR = ROOT.parent / "shared" / "seeds"
NOTEBOOKS_DIR = ROOT / "notebooks"

SYNTHETIC_SOURCES = """\
source_id,publisher,title,published,url,document,kind
release,Test Police,Test Police week of action,2021-03-08,https://police.example/release,,primary
paper,Local Paper,,2021-03-10,https://paper.example/story,,secondary
"""
SYNTHETIC_AGENCIES = """\
agency,kind,aliases,area
Test Police,force,,Testshire
Testshire Police,force,,Testshire
"""
SYNTHETIC_OPERATIONS = """\
operation,aliases,description
Operation Test,,A made-up week of action for tests.
"""
TALLIES_HEADER = (
    "operation,period_start,period_end,agency,area,measure,value,qualifier,source_id,quote\n"
)


@pytest.fixture(scope="session")
def seed_dataset():
    """The frozen seed data (``fixtures/base``), checked against the seed documents, loaded
    once."""
    from sceptre_analysis.load import load_dataset

    return load_dataset(BASE_DIR)


@pytest.fixture
def make_dataset(tmp_path: Path):
    """A small dataset: the base measures.csv, two test sources, and the tally rows given.

    Each row is ``(agency, measure, value, qualifier, source_id)`` for "Operation Test",
    1 to 7 March 2021, area "Testshire"; quotes are not checked against documents.  Every
    agency named in the rows is written to the folder's agencies.csv.
    """
    from sceptre_analysis.load import load_dataset

    def make(rows: list[tuple[str, str, str, str, str]]):
        folder = tmp_path / "synthetic"
        folder.mkdir(exist_ok=True)
        for name in ("measures.csv", "measure_aliases.csv"):
            shutil.copy(BASE_DIR / name, folder)
        (folder / "sources.csv").write_text(SYNTHETIC_SOURCES, encoding="utf-8")
        agencies = SYNTHETIC_AGENCIES + "".join(
            f'"{name}",force,,Testshire\n'
            for name in dict.fromkeys(row[0] for row in rows)
            if name not in {"Test Police", "Testshire Police"}
        )
        (folder / "agencies.csv").write_text(agencies, encoding="utf-8")
        (folder / "operations.csv").write_text(SYNTHETIC_OPERATIONS, encoding="utf-8")
        lines = [
            f"Operation Test,2021-03-01,2021-03-07,{agency},Testshire,{measure},{value},"
            f"{qualifier},{source},quote {number} states {value}\n"
            for number, (agency, measure, value, qualifier, source) in enumerate(rows)
        ]
        (folder / "tallies.csv").write_text(TALLIES_HEADER + "".join(lines), encoding="utf-8")
        return load_dataset(folder, documents=None)

    return make
