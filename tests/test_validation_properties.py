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


# --- hedges and numbers as releases write them ----------------------------------------------

from test_numbers import WRITERS  # noqa: E402  (the same independent number writer)

from sceptre_analysis.load import validate  # noqa: E402
from sceptre_analysis.vocab import load_vocabulary  # noqa: E402

VOCABULARY = load_vocabulary(BASE_DIR)
PHRASES = sorted(
    {
        (spelling, q.meaning)
        for q in VOCABULARY.qualifiers.values()
        for spelling in (q.phrase, *q.aliases)
    }
)
HEADER = (
    "operation,period_start,period_end,agency,area,measure,value,value_high,qualifier,"
    "compared_with,context,source_id,quote,note\n"
)


def _one_row(folder: Path, value: str, high: str, qualifier: str, compared: str, quote: str):
    row = [
        "Operation Sceptre", "2020-11-09", "2020-11-15", "Metropolitan Police Service", "London",
        "arrests", value, high, qualifier, compared, "", "met-release-2020-11-19", quote, "",
    ]  # fmt: skip
    escaped = ",".join('"' + cell.replace('"', '""') + '"' for cell in row)
    (folder / "tallies.csv").write_text(HEADER + escaped + "\n", encoding="utf-8")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    phrase=st.sampled_from(PHRASES),
    shout=st.booleans(),
    spaces=st.sampled_from([" ", "  "]),
    n=st.integers(1, 99_999),
    how=st.sampled_from(sorted(WRITERS)),
)
def test_every_hedge_and_every_way_of_writing_a_number_validates(
    folder: Path, phrase: tuple[str, str], shout: bool, spaces: str, n: int, how: str
) -> None:
    spelling, meaning = phrase
    printed = spaces.join(spelling.split())
    printed = printed.upper() if shout else printed
    high = str(n + 10) if meaning == "range" else ""
    compared = "the previous week" if meaning in ("increase", "decrease") else ""
    written = WRITERS[how](n)
    quote = f"{printed} {written}" + (f" and {WRITERS[how](n + 10)}" if high else "") + " arrests"
    _one_row(folder, str(n), high, printed, compared, quote)

    assert validate(folder, documents=None) == []
    row = load_dataset(folder, documents=None).tallies.iloc[0]
    side = "direction" if meaning in ("increase", "decrease") else "meaning"
    assert row[side] == meaning


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n=st.integers(1, 99_999),
    off=st.integers(1, 1000),
    how=st.sampled_from(sorted(WRITERS)),
)
def test_a_value_the_quote_does_not_write_is_one_located_problem(
    folder: Path, n: int, off: int, how: str
) -> None:
    _one_row(folder, str(n + off), "", "", "", f"officers made {WRITERS[how](n)} arrests")
    problems = validate(folder, documents=None)
    assert [(p.line, p.column) for p in problems] == [(2, "value")]
    assert f"expected {n:,}" in problems[0].message
