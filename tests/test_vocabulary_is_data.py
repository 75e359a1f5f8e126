"""Adding a unit, a hedge word or an agency is a change to data files, never to code."""

from __future__ import annotations

from pathlib import Path

import pytest

from sceptre_analysis.load import DataValidationError, load_dataset
from sceptre_analysis.metrics import hedge_holds
from sceptre_analysis.params import allowed_values, select

NEW_ROW = (
    "Operation Sceptre,2020-11-09,2020-11-15,Fenland Constabulary,Fenland,cannabis_seized,"
    "3,well over,met-release-2020-11-19,police recovered well over 3 tonnes of cannabis\n"
)


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture
def folder(data_copy) -> Path:
    folder = data_copy()
    _append(folder / "tallies.csv", NEW_ROW)
    _append(
        folder / "measures.csv",
        "cannabis_seized,Cannabis seized,tonne of cannabis,tonnes of cannabis,tonnes,seizures,,"
        "Cannabis seized by weight.\n",
    )
    return folder


def test_unknown_words_are_refused_until_the_vocabulary_lists_them(folder):
    with pytest.raises(DataValidationError) as caught:
        load_dataset(folder, documents=None)
    found = {(p.path.name, p.column) for p in caught.value.problems}
    assert found == {
        ("measures.csv", "unit"),
        ("tallies.csv", "agency"),
        ("tallies.csv", "qualifier"),
    }


def test_a_unit_a_hedge_and_an_agency_added_as_rows_are_used_everywhere(folder):
    _append(folder / "units.csv", "tonnes,weight,,,t,tonne|t|metric tonnes,Weight in tonnes.\n")
    _append(folder / "qualifiers.csv", "well over,more,,,Far above the stated figure.\n")
    _append(folder / "agencies.csv", "Fenland Constabulary,force,Fenland,Fenland Police\n")

    dataset = load_dataset(folder, documents=None)

    row = dataset.tallies[dataset.tallies["measure"] == "cannabis_seized"].iloc[0]
    assert (row["unit"], row["qualifier"], row["meaning"]) == ("tonnes", "well over", "more")
    assert row["agency"] == "Fenland Constabulary"
    assert hedge_holds("well over", 3, 3.5, dataset.vocabulary)
    assert not hedge_holds("well over", 3, 3, dataset.vocabulary)
    chosen = {"operation": "Operation Sceptre", "week": "2020-11-09"}
    assert "Fenland Constabulary" in allowed_values("agency", dataset, chosen)
    selection = select(dataset, operation="Operation Sceptre", agency="Fenland Police")
    assert list(selection.tallies["measure"].astype(str)) == ["cannabis_seized"]
