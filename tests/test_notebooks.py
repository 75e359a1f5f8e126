"""The committed notebooks: stripped of outputs, parameterised, titled."""

from __future__ import annotations

import nbformat
import pytest

from sceptre_analysis import paths
from sceptre_analysis.build import available_notebooks

NOTEBOOKS = available_notebooks(paths.notebooks_dir())


def test_the_two_report_notebooks_exist() -> None:
    assert {nb.stem for nb in NOTEBOOKS} >= {"operation_summary", "source_check"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path) -> None:
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {index} has outputs: run nbstripout"
            assert cell.execution_count is None, f"{path.name} cell {index} has a count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_one_parameters_cell_and_a_title(path) -> None:
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert "data_dir" in tagged[0].source
    assert nb.metadata["sceptre"]["title"]
    nbformat.validate(nb)
