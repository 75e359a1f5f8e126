"""Shared test fixtures: the real data folder, and throw-away copies of it to break."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def data_copy(tmp_path: Path) -> Callable[[str | None], Path]:
    """Copy the real CSVs to a temporary folder, then lay ``fixtures/bad/<name>`` over them."""

    def make(overlay: str | None = None) -> Path:
        folder = tmp_path / (overlay or "data")
        folder.mkdir()
        for csv_file in DATA_DIR.glob("*.csv"):
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
TALLIES_HEADER = (
    "operation,period_start,period_end,agency,area,measure,value,qualifier,source_id,quote\n"
)


@pytest.fixture(scope="session")
def seed_dataset():
    """The project's own data/, checked against the seed documents, loaded once."""
    from sceptre_analysis.load import load_dataset

    return load_dataset(DATA_DIR)


@pytest.fixture
def make_dataset(tmp_path: Path):
    """A small dataset: the real measures.csv, two test sources, and the tally rows given.

    Each row is ``(agency, measure, value, qualifier, source_id)`` for "Operation Test",
    1 to 7 March 2021, area "Testshire"; quotes are not checked against documents.
    """
    from sceptre_analysis.load import load_dataset

    def make(rows: list[tuple[str, str, str, str, str]]):
        folder = tmp_path / "synthetic"
        folder.mkdir(exist_ok=True)
        shutil.copy(DATA_DIR / "measures.csv", folder)
        (folder / "sources.csv").write_text(SYNTHETIC_SOURCES, encoding="utf-8")
        lines = [
            f"Operation Test,2021-03-01,2021-03-07,{agency},Testshire,{measure},{value},"
            f"{qualifier},{source},quote {number} states {value}\n"
            for number, (agency, measure, value, qualifier, source) in enumerate(rows)
        ]
        (folder / "tallies.csv").write_text(TALLIES_HEADER + "".join(lines), encoding="utf-8")
        return load_dataset(folder, documents=None)

    return make
