"""``extract`` output and ``add``: reviewed rows reach data/ whole and checked, or not at all."""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sceptre_analysis.cli import main
from sceptre_analysis.extract import COLUMNS
from sceptre_analysis.intake import AddError, add_candidates, extract_files, render
from sceptre_analysis.load import validate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "extract"
SEEDS = ROOT.parent / "shared" / "seeds"


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def data_folder(tmp_path: Path) -> Path:
    """A copy of the project's data folder, with the seed documents beside it."""
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder, ignore=shutil.ignore_patterns("documents"))
    return folder


def test_extract_csv_has_a_header_then_one_row_per_figure() -> None:
    run = extract_files([FIXTURES / "docs" / "release.txt"], data_dir=FIXTURES / "data")
    rows = _csv(render(run, "csv"))
    assert list(rows[0]) == [*COLUMNS, "document"]
    assert len(rows) == len(run.results[0][1].figures)
    assert {"240", "187"} <= {r["value"] for r in rows}


def test_extract_json_lists_skipped_numbers_with_reasons() -> None:
    import json

    run = extract_files([FIXTURES / "docs" / "release.txt"], data_dir=FIXTURES / "data")
    (item,) = json.loads(render(run, "json"))
    assert {"date", "phone number"} <= {s["reason"] for s in item["skipped"]}
    assert item["period"] == ["2023-11-13", "2023-11-19"]


def test_cli_extract_bad_file_is_one_line_and_exits_2() -> None:
    runner = CliRunner()
    good, bad = FIXTURES / "docs" / "release.txt", FIXTURES / "docs" / "empty.txt"
    result = runner.invoke(main, ["extract", str(good), str(bad), "--data", str(FIXTURES / "data")])
    assert result.exit_code == 2  # bad input, as `check` says of a bad draft
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "empty.txt" in errors[0] and "Traceback" not in result.output
    assert "more than 240 knives and weapons" in result.stdout  # the good file still extracts


def test_cli_extract_table_and_out(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "candidates.csv"
    args = ["extract", str(FIXTURES / "docs" / "release.txt"), "--data", str(FIXTURES / "data")]
    assert runner.invoke(main, [*args, "--out", str(out)]).exit_code == 0
    assert _csv(out.read_text("utf-8"))
    table = runner.invoke(main, [*args, "--format", "table"])
    assert table.exit_code == 0 and "figures proposed" in table.output


def _review(text: str) -> list[dict[str, str]]:
    """What a reviewer does: delete rows without a measure, context rows and repeats."""
    kept, seen = [], set()
    for row in _csv(text):
        key = (row["agency"], row["area"], row["measure"], " ".join(row["quote"].split()))
        if row["measure"] and not row["context"] and not row["note"] and key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


@pytest.mark.skipif(not list(SEEDS.glob("*.txt")), reason="seed articles not available")
def test_add_round_trips_the_seed_articles(data_folder: Path, tmp_path: Path) -> None:
    before = len(_csv((data_folder / "tallies.csv").read_text("utf-8")))
    added = 0
    for number, seed in enumerate(sorted(SEEDS.glob("*.txt"))):
        run = extract_files([seed], data_dir=data_folder)
        rows = _review(render(run, "csv"))
        candidates = _write(tmp_path / f"candidates-{number}.csv", rows)
        result = add_candidates(
            candidates,
            f"seed-article-{number}",
            publisher="Test publisher",
            published="2020-11-19",
            document=seed,
            data_dir=data_folder,
        )
        assert result.tallies_added == len(rows) and result.source_added
        added += len(rows)
    tallies = _csv((data_folder / "tallies.csv").read_text("utf-8"))
    assert len(tallies) == before + added
    assert {"seed-article-0", "seed-article-1"} <= {t["source_id"] for t in tallies}
    # the quotes are checked against the saved texts (data/documents/ and the usual folders)
    assert (data_folder / "documents" / "seed-article-0.txt").is_file()
    assert validate(data_folder) == []


def _candidates(tmp_path: Path, **changes: str) -> Path:
    row = {
        "operation": "Operation Sceptre",
        "period_start": "2023-11-13",
        "period_end": "2023-11-19",
        "agency": "Metropolitan Police Service",
        "area": "London",
        "measure": "arrests",
        "value": "412",
        "value_high": "",
        "qualifier": "",
        "context": "",
        "quote": "412 people were arrested",
        "note": "",
        "confidence": "0.9",
        "span_start": "0",
        "span_end": "0",
        "range_id": "",
    }
    rows = [row, {**row, **changes}] if changes else [row]
    return _write(tmp_path / "candidates.csv", rows)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_add_with_a_bad_row_writes_nothing_and_names_the_line(
    data_folder: Path, tmp_path: Path
) -> None:
    before = _snapshot(data_folder)
    candidates = _candidates(tmp_path, measure="", value="lots")
    with pytest.raises(AddError) as caught:
        add_candidates(
            candidates,
            "met-2023",
            publisher="Metropolitan Police Service",
            document=FIXTURES / "docs" / "release.html",
            data_dir=data_folder,
        )
    problems = caught.value.problems
    assert any(p.startswith(f"{candidates}:3: column 'measure'") for p in problems)
    assert any(p.startswith(f"{candidates}:3: column 'value'") for p in problems)
    assert _snapshot(data_folder) == before


def test_add_reports_validator_problems_at_the_candidate_line(
    data_folder: Path, tmp_path: Path
) -> None:
    before = _snapshot(data_folder)
    candidates = _candidates(tmp_path, measure="no_such_measure", quote="words not in it 412")
    with pytest.raises(AddError) as caught:
        add_candidates(
            candidates,
            "met-2023",
            publisher="Metropolitan Police Service",
            document=FIXTURES / "docs" / "release.html",
            data_dir=data_folder,
        )
    located = [p for p in caught.value.problems if p.startswith(f"{candidates}:3:")]
    assert any("measure" in p for p in located)
    assert any("quote" in p for p in located)
    assert not any(p.startswith(f"{candidates}:2:") for p in caught.value.problems)
    assert _snapshot(data_folder) == before


def test_add_puts_everything_back_if_a_rename_fails(
    data_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _snapshot(data_folder)
    candidates = _candidates(tmp_path)  # one good row
    real_replace = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # tallies.csv is in place, sources.csv fails
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr("sceptre_analysis.intake.os.replace", flaky)
    with pytest.raises(OSError):
        add_candidates(
            candidates,
            "met-2023",
            publisher="Metropolitan Police Service",
            data_dir=data_folder,
        )
    monkeypatch.undo()
    assert _snapshot(data_folder) == before
    assert not [p for p in data_folder.iterdir() if p.name.startswith(".")]


def test_cli_add_prints_every_problem_and_exits_nonzero(data_folder: Path, tmp_path: Path) -> None:
    candidates = _candidates(tmp_path, measure="")
    result = CliRunner().invoke(
        main, ["add", str(candidates), "--source-id", "x", "--data", str(data_folder)]
    )
    assert result.exit_code == 1
    assert "nothing was added" in result.output
    assert "Traceback" not in result.output


def test_add_joins_the_two_rows_of_a_range(data_folder: Path, tmp_path: Path) -> None:
    document = tmp_path / "release.txt"
    document.write_text(
        "Officers across the Met made between 800 and 1,000 arrests during Operation Sceptre, "
        "which ran from Monday 9 November to Sunday 15 November 2020.\n",
        "utf-8",
    )
    run = extract_files([document], data_dir=data_folder)
    rows = [r for r in _csv(render(run, "csv")) if r["range_id"]]
    assert [r["value"] for r in rows] == ["800", "1000"]
    candidates = _write(tmp_path / "candidates.csv", rows)
    result = add_candidates(
        candidates, "met-range", publisher="Met", document=document, data_dir=data_folder
    )
    assert result.tallies_added == 1
    (row,) = [
        r
        for r in _csv((data_folder / "tallies.csv").read_text("utf-8"))
        if r["source_id"] == "met-range"
    ]
    assert (row["value"], row["value_high"], row["qualifier"]) == ("800", "1000", "between")
