"""``sceptre-report check``: output formats and exit codes a communications team can script."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sceptre_analysis.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "factcheck"
MET_ONLY = FIXTURES / "met_only"
GOOD = "The Met made 1,002 arrests and recovered 187 knives between 9 and 15 November 2020.\n"
BAD = "The Met recovered nearly 200 weapons during the six day operation in November 2020.\n"


def run(*args: str):
    return CliRunner().invoke(main, ["check", *args, "--data", str(MET_ONLY)])


@pytest.fixture
def draft(tmp_path):
    def write(text: str | bytes, name: str = "draft.txt") -> str:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        return str(path)

    return write


def test_nothing_contradicted_exits_0_with_a_table_and_a_summary(draft):
    result = run(draft(GOOD))

    assert result.exit_code == 0, result.output
    assert "✓ supported" in result.output
    assert result.output.rstrip().endswith("3 figures: 3 supported, 0 contradicted, 0 unsupported")


def test_something_contradicted_exits_1_and_says_why(draft):
    result = run(draft(BAD))

    assert result.exit_code == 1, result.output
    assert "✗ contradicted" in result.output
    assert "hedge cannot hold" in result.output
    assert "wrong length" in result.output


def test_csv_has_one_row_per_figure(draft):
    result = run(draft(BAD), "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert result.exit_code == 1
    assert [r["verdict"] for r in rows] == ["contradicted", "contradicted"]
    assert rows[0]["reports_use"].startswith("245 weapons")
    # the Met's release is a seed document: its quotes are checked when the seeds are present
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    assert rows[0]["quote_verified"] == ("yes" if seeds.is_dir() else "no")


def test_json_carries_summary_counts_and_verdicts(draft):
    result = run(draft(GOOD), "--format", "json")

    payload = json.loads(result.output)
    assert payload["counts"] == {"supported": 3, "contradicted": 0, "unsupported": 0}
    assert payload["summary"].startswith("3 figures")
    assert {v["verdict"] for v in payload["verdicts"]} == {"supported"}


def test_no_figures_found_exits_0(draft):
    result = run(draft("Police held a week of action on knife crime.\n"))

    assert result.exit_code == 0
    assert "no figures found" in result.output


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        ("", "empty.txt", "empty"),
        (b"44 arrests \xff\xfe", "latin.txt", "not UTF-8"),
        (b"\x00\x01\x02binary", "blob.txt", "binary"),
        (b"PK not really", "draft.docx", "not a Word .docx document"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(draft, content, name, words):
    result = run(draft(content, name))

    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_missing_draft_exits_2(tmp_path):
    result = run(str(tmp_path / "nowhere.txt"))
    assert result.exit_code == 2
    assert "no such file" in result.output


@pytest.mark.parametrize(
    ("option", "value", "listed"),
    [
        ("--agency", "British Transport Police", "'Metropolitan Police Service'"),
        ("--week", "2021-11-15", "'2020-11-09'"),
        ("--operation", "Operation Nothing", "'Operation Sceptre'"),
    ],
)
def test_a_filter_the_data_lacks_exits_2_listing_what_exists(draft, option, value, listed):
    result = run(draft(GOOD), option, value)

    assert result.exit_code == 2
    assert listed in result.output


def test_filters_that_exist_are_used(draft):
    result = run(draft(GOOD), "--week", "2020-11-09", "--agency", "Met")
    assert result.exit_code == 0, result.output
