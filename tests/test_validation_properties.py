"""Whatever happens to tallies.csv, loading either works or explains itself.

Random edits of the kinds a spreadsheet or a careless copy makes must never crash the loader
with anything but :class:`DataValidationError`, and every problem must say where it is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sceptre_analysis.load import DataValidationError, load_dataset

BASE_DIR = Path(__file__).resolve().parent / "fixtures" / "base"
VALID = (BASE_DIR / "tallies.csv").read_bytes()
FILES = {p.name for p in BASE_DIR.glob("*.csv")}
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)


def _split(data: bytes) -> list[bytes]:
    return data.split(b"\n")


@st.composite
def _edit(draw: st.DrawFn, data: bytes) -> bytes:
    """One random edit: a cell replaced or deleted, a delimiter added, lines swapped, ..."""
    kind = draw(st.sampled_from(["replace", "delete", "delimiter", "swap", "truncate", "bytes"]))
    lines = _split(data)
    i = draw(st.integers(0, len(lines) - 1))
    if kind in {"replace", "delete"}:
        cells = lines[i].split(b",")
        j = draw(st.integers(0, len(cells) - 1))
        if kind == "replace":
            cells[j] = draw(TEXT).encode("utf-8")
        else:
            del cells[j]
        lines[i] = b",".join(cells)
    elif kind == "delimiter":
        k = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:k] + draw(st.sampled_from([b",", b";", b"\t", b'"'])) + lines[i][k:]
    elif kind == "swap":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        k = draw(st.integers(0, len(data)))
        if kind == "truncate":
            return data[:k]
        return data[:k] + draw(st.binary(min_size=1, max_size=6)) + data[k:]
    return b"\n".join(lines)


@st.composite
def edited_tallies(draw: st.DrawFn) -> bytes:
    data = VALID
    for _ in range(draw(st.integers(1, 3))):
        data = draw(_edit(data))
    return data


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("edited")
    for name in FILES:
        (folder / name).write_bytes((BASE_DIR / name).read_bytes())
    return folder


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=edited_tallies())
def test_edited_tallies_are_accepted_or_explained(folder: Path, data: bytes) -> None:
    (folder / "tallies.csv").write_bytes(data)
    try:
        dataset = load_dataset(folder)
    except DataValidationError as err:
        assert err.problems
        for problem in err.problems:
            assert problem.path.parent == folder and problem.path.name in FILES
            assert problem.message
            if problem.line is None:  # only for a file with nothing to parse
                assert problem.message.startswith("the file is empty"), problem
            else:
                assert problem.line >= 1
            assert problem.path.name in str(problem)
        return
    assert list(dataset.tallies.columns[:3]) == ["operation", "period_start", "period_end"]
    assert dataset.tallies["value"].notna().all()
