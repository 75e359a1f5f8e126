"""``sceptre-report``: validate, list, and the argument handling of build (no kernels here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sceptre_analysis.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
PROBLEM_LINE = re.compile(r"^\S+\.csv:\d+: (column '\w+': )?\S")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


# ---- validate ------------------------------------------------------------------------------------


def test_validate_clean_data_exits_0_with_a_one_line_summary():
    result = run("validate", str(DATA_DIR))

    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "OK" in lines[0]
    assert "30 tallies from 2 sources, 11 measures" in lines[0]


def test_validate_without_a_path_checks_the_project_data():
    result = run("validate")

    assert result.exit_code == 0, result.output
    assert result.output.startswith(str(DATA_DIR))


def test_validate_broken_copy_lists_every_problem_without_a_traceback(data_copy):
    folder = data_copy("several_problems")
    result = run("validate", str(folder))

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    problems = [line for line in result.output.splitlines() if line.startswith(str(folder))]
    assert len(problems) == 7
    for line in problems:
        assert PROBLEM_LINE.match(line), line
    assert f"{folder / 'tallies.csv'}:2: column 'value': must be a whole number" in result.output
    assert f"{folder / 'sources.csv'}:2: column 'kind':" in result.output
    assert "7 problems in" in result.output


def test_validate_a_single_problem_is_counted_in_the_singular(data_copy):
    folder = data_copy("negative_value")
    result = run("validate", str(folder), "--no-documents")

    assert result.exit_code == 1
    assert "1 problem in" in result.output
    assert "Traceback" not in result.output


# ---- list ----------------------------------------------------------------------------------------


def test_list_shows_notebooks_parameters_and_allowed_values():
    result = run("list")

    assert result.exit_code == 0, result.output
    out = result.output
    assert "operation_summary" in out and "source_check" in out
    summary = out[out.index("operation_summary") : out.index("source_check")]
    assert "agency" in summary and "'Metropolitan Police Service'" in summary
    assert "# agency to report on" in summary
    assert "allowed: All forces, British Transport Police, Metropolitan Police Service" in summary
    assert "allowed: 2020-11-09" in summary
    assert "allowed: Operation Sceptre" in summary
    assert "agency" not in out[out.index("source_check") :]


def test_list_shows_the_parameter_types():
    result = run("list")

    assert "agency (str) = 'Metropolitan Police Service'" in result.output
    assert "(None)" not in result.output


def test_list_with_broken_data_exits_2_without_a_traceback(data_copy):
    result = run("list", "--data", str(data_copy("unknown_measure")))

    assert result.exit_code == 2
    assert "the data has problems" in result.output
    assert "Traceback" not in result.output


# ---- build: mistakes found before any kernel starts ----------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "-p", "agency=British Transport Police"], "-p needs a NOTEBOOK"),
        (["build", "operation_summary", "-p", "agency"], "not of the form key=value"),
        (["build", "operation_summary", "--format", "docx"], "unknown format docx"),
        (["build", "no_such_notebook"], "Unknown notebook 'no_such_notebook'"),
        (["build", "operation_summary", "-p", "colour=red"], "no parameter 'colour'"),
    ],
)
def test_build_usage_errors_exit_2_before_anything_runs(tmp_path, args, message):
    out = tmp_path / "out"
    result = run(*args, "--out", str(out))

    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("notebook", [[], ["operation_summary"]])
def test_build_with_broken_data_exits_2_before_anything_runs(data_copy, tmp_path, notebook):
    out = tmp_path / "out"
    result = run("build", *notebook, "--data", str(data_copy("unknown_measure")), "--out", str(out))

    assert result.exit_code == 2, result.output
    assert "the data has problems" in result.output
    assert "tallies.csv:" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or list(out.iterdir()) == []
