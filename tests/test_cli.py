"""``sceptre-report``: validate, list, and the argument handling of build (no kernels here)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sceptre_analysis.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
BASE_DIR = Path(__file__).resolve().parent / "fixtures" / "base"
SEEDS = ROOT.parent / "shared" / "seeds"
PROBLEM_LINE = re.compile(r"^\S+\.csv:\d+: (column '\w+': )?\S")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


# ---- validate ------------------------------------------------------------------------------------


def test_validate_clean_data_exits_0_with_a_summary():
    result = run("validate", str(BASE_DIR))

    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "OK" in lines[0]
    assert "30 tallies from 2 sources, 11 measures" in lines[0]
    if SEEDS.is_dir():
        assert "quotes checked against the documents of 2 of 2 sources" in result.output
        assert str(SEEDS) in result.output
    assert "weeks: every claim is placed in a week" in result.output


def test_validate_without_a_path_checks_the_project_data():
    result = run("validate")

    assert result.exit_code == 0, result.output
    assert result.output.startswith(str(DATA_DIR))


@pytest.mark.parametrize("missing", ["no/such/folder", "no/such/folder/tallies.csv"])
def test_validate_a_folder_that_does_not_exist_is_one_line_and_exit_2(tmp_path, missing):
    """A mistake in the command, not three problems in the data."""
    result = run("validate", str(tmp_path / missing))

    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    expected = "expected a data folder of sources.csv, tallies.csv and measures.csv"
    assert line == f"error: {tmp_path / missing}: does not exist ({expected})"


def test_validate_a_folder_without_any_data_file_says_so_once(tmp_path):
    (tmp_path / "notes.txt").write_text("not data\n")
    result = run("validate", str(tmp_path))

    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert "not a data folder: none of sources.csv, tallies.csv or measures.csv" in line


def test_a_folder_missing_one_data_file_is_a_problem_in_the_data(data_copy):
    folder = data_copy()
    (folder / "measures.csv").unlink()
    result = run("validate", str(folder), "--no-documents")

    assert result.exit_code == 1, result.output
    assert "measures.csv: file not found" in result.output


def _with_rows(folder: Path, sources: str = "", tallies: str = "") -> None:
    for name, extra in (("sources.csv", sources), ("tallies.csv", tallies)):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def test_a_source_without_a_document_is_not_verified_and_never_claimed_checked(data_copy):
    folder = data_copy()
    _with_rows(
        folder,
        sources="radio-report,Local Radio,,,,,secondary\n",
        tallies="Operation Sceptre,2020-11-09,2020-11-15,Metropolitan Police Service,London,"
        'arrests,1002,,radio-report,"1,002 arrests"\n',
    )
    result = run("validate", str(folder))

    assert result.exit_code == 0, result.output
    assert "3 tallies" not in result.output
    not_verified = [line for line in result.output.splitlines() if "not verified" in line]
    if SEEDS.is_dir():  # the seed documents are found: only the source without one is named
        assert len(not_verified) == 1 and "radio-report" in not_verified[0]
        assert "the documents of 2 of 3 sources" in result.output
    else:  # no documents folder at all (a fresh clone): no source is claimed checked
        assert "quotes checked" not in result.output
        assert "every source is not verified" in result.output

    no_docs = run("validate", str(folder), "--no-documents")
    assert "quotes checked" not in no_docs.output
    assert "every source is not verified" in no_docs.output


def test_validate_lists_the_claims_it_cannot_place_in_a_week(data_copy):
    folder = data_copy()
    _with_rows(
        folder,
        tallies="Operation Sceptre,2020-11-09,2020-11-15,British Transport Police,London,"
        "arrests,12,,surrey-comet-sceptre,12 arrests\n"
        "Operation Sceptre,2021-11-15,2021-11-21,British Transport Police,London,"
        "arrests,13,,surrey-comet-sceptre,13 arrests\n"
        "Operation Sceptre,,,British Transport Police,London,"
        "searches,14,,surrey-comet-sceptre,14 searches\n",
    )
    result = run("validate", str(folder), "--no-documents")

    assert result.exit_code == 0, result.output
    assert "weeks: 1 claims cannot be placed in a week:" in result.output
    assert "tallies.csv:34: undated, and source surrey-comet-sceptre has figures for 2 weeks" in (
        result.output
    )


def test_validate_looks_in_every_documents_folder_named(data_copy, tmp_path):
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available")
    folder = data_copy()
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    result = run("validate", str(folder), "--documents", str(first), "--documents", str(second))

    assert result.exit_code == 0, result.output
    assert f"looked in {first}, {second}, {SEEDS}" in result.output
    missing = run("validate", str(folder), "--documents", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1
    assert "documents folder not found" in missing.output


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
    result = run("list", "--data", str(BASE_DIR))

    assert result.exit_code == 0, result.output
    out = result.output
    assert "operation_summary" in out and "source_check" in out
    summary = out[out.index("operation_summary") : out.index("source_check")]
    assert "agency" in summary and "'Metropolitan Police Service'" in summary
    assert "# agency to report on" in summary
    assert (
        "allowed: British Transport Police, Metropolitan Police Service, National (all forces)"
        in summary
    )
    assert "allowed: 2020-11-09" in summary
    assert "allowed: Operation Sceptre" in summary
    rest = out[out.index("source_check") :]
    others = [line for line in rest.splitlines()[1:] if line and not line.startswith(" ")]
    assert "agency" not in (rest[: rest.index(others[0])] if others else rest)
    assert "weeks (str)" in out[out.index("trend") :]
    trend = out[out.index("\ntrend") :]
    assert "allowed: all, or one or more of 2020-11-09 (separated by commas)" in trend
    group = trend[trend.index("group (str)") :].splitlines()[1]
    categories = sorted(set(pd.read_csv(BASE_DIR / "measures.csv")["category"]))
    assert group.strip() == "allowed: " + ", ".join(["all", *categories])
    review = out[out.index("extraction_review") : out.index("operation_summary")]
    assert "allowed: the path of a readable file, or blank" in review


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


def test_build_reads_parameters_from_a_yaml_file_and_p_wins(tmp_path):
    """papermill's -f: the same report as with -p; a -p value overrides the file's."""
    given = tmp_path / "week.yaml"
    given.write_text("# the seed week\nweek: 2020-11-09\nagency: Nowhere Police\n")
    out = tmp_path / "out"
    from_file = run(
        "build", "operation_summary", "-f", str(given), "-p", "agency=British Transport Police",
        "--dry-run", "--out", str(out), "--data", str(BASE_DIR),
    )  # fmt: skip
    from_flags = run(
        "build", "operation_summary", "-p", "week=2020-11-09",
        "-p", "agency=British Transport Police", "--dry-run", "--out", str(out),
        "--data", str(BASE_DIR),
    )  # fmt: skip
    assert from_file.exit_code == 0, from_file.output
    assert "british-transport-police" in from_file.output
    assert from_file.output == from_flags.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("week: [2020-11-09\nagency: x\n", "week.yaml:2:7: "),
        ("- week\n- agency\n", "week.yaml: found list; expected a mapping"),
        ("wek: 2020-11-09\n", "no parameter 'wek'"),
    ],
)
def test_a_bad_parameters_file_names_the_file_and_place_without_a_traceback(
    tmp_path, text, message
):
    given = tmp_path / "week.yaml"
    given.write_text(text)
    result = run("build", "operation_summary", "-f", str(given), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "-p", "agency=British Transport Police"], "-p and -f need a NOTEBOOK"),
        (["build", "operation_summary", "-p", "agency"], "not of the form key=value"),
        (["build", "operation_summary", "--format", "docx"], "unknown format docx"),
        (["build", "no_such_notebook"], "Unknown notebook 'no_such_notebook'"),
        (["build", "operation_summary", "-p", "colour=red"], "no parameter 'colour'"),
        (["build", "trend", "-p", "group=seizure"], "Did you mean 'seizures'?"),
        (["build", "trend", "-p", "weeks=../../x"], "Unknown value '../../x' in weeks"),
        (["build", "draft_check", "-p", "draft=/no/such/file"], "no such file '/no/such/file'"),
        (["build", "draft_check"], "Parameter 'draft' of draft_check is blank"),
        (["build", "extraction_review", "-p", "document=/no/such"], "no such file '/no/such'"),
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


# ---- faults: validate and build give the same answer (issue 13.5, 13.6) ------------------


def _header_only(folder: Path) -> None:
    tallies = folder / "tallies.csv"
    tallies.write_text(tallies.read_text(encoding="utf-8").splitlines()[0] + "\n", "utf-8")


def _symlink_loop(folder: Path) -> None:
    tallies = folder / "tallies.csv"
    tallies.unlink()
    tallies.symlink_to(folder / "loop.csv")
    (folder / "loop.csv").symlink_to(tallies)


@pytest.mark.parametrize("breakage", [_header_only, _symlink_loop], ids=["13.5", "13.6"])
def test_validate_and_build_refuse_the_same_data_with_the_same_problem(
    data_copy, tmp_path, breakage
):
    folder = data_copy()
    breakage(folder)
    checked = run("validate", str(folder), "--no-documents")
    built = run("build", "--data", str(folder), "--out", str(tmp_path / "out"))

    assert checked.exit_code == 1, checked.output
    assert built.exit_code == 2, built.output
    problem = next(line for line in checked.output.splitlines() if "tallies.csv" in line)
    assert problem in built.output
    for result in (checked, built):
        assert "Traceback" not in result.output
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        )


def test_a_build_without_any_documents_folder_says_quotes_are_not_checked(tmp_path, monkeypatch):
    from sceptre_analysis import paths

    monkeypatch.setattr(paths, "documents_dirs", lambda *a, **k: [])
    notebook = Path(__file__).parent / "fixtures" / "batch" / "ok.ipynb"
    result = run(
        "build", str(notebook), "--format", "ipynb", "--out", str(tmp_path / "out"), "-j", "1"
    )
    assert result.exit_code == 0, result.output
    assert "no documents folder found" in result.output and "not verified" in result.output


# ---- a mistake in the command exits 2 in every command -------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["extract", "missing.txt"], "missing.txt: no such file"),
        (["check", "missing.txt"], "missing.txt: no such file"),
        (["add", "missing.csv", "--source-id", "x"], "missing.csv: no such file"),
        (["extract", "README.md", "--data", "no/such"], "--data: no/such: no such folder"),
        (["add", "README.md", "--source-id", "x", "--data", "no/such"], "no/such: no such folder"),
        (["check", "README.md", "--data", "no/such"], "no/such: does not exist"),
        (["list", "--data", "no/such"], "no/such: does not exist"),
    ],
)
def test_a_file_or_folder_that_is_not_there_exits_2_in_every_command(monkeypatch, args, message):
    monkeypatch.chdir(ROOT)
    result = run(*args)

    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
