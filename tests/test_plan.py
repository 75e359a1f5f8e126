"""The build plan: reading it, located errors for bad entries, and grid expansion."""

from __future__ import annotations

from pathlib import Path

import pytest

from sceptre_analysis import build, params, plan
from sceptre_analysis.load import load_dataset
from sceptre_analysis.plan import PlanError, expand, quick_key, read_plan

ROOT = Path(__file__).resolve().parent.parent
AGENCIES = ["British Transport Police", "Metropolitan Police Service", "National (all forces)"]


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(ROOT / "tests" / "fixtures" / "base")  # frozen seed data


def write(tmp_path: Path, text: str, name: str = "reports.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def requests(path: Path, dataset) -> list[tuple[str, dict]]:
    return [
        (r.request.notebook, dict(r.request.parameters)) for r in expand(read_plan(path), dataset)
    ]


def test_mirrors_agree_with_the_library():
    from sceptre_analysis import batch, cli, execute

    assert batch.DEFAULT_CELL_TIMEOUT == cli.DEFAULT_CELL_TIMEOUT == execute.DEFAULT_CELL_TIMEOUT
    assert plan.FORMATS == build.FORMATS
    assert set(plan.CHOICES) == set(params.CHOICES)


def test_project_plan_covers_every_reportable_week_agency_trends_and_checks(dataset):
    from sceptre_analysis.figures import reportable_agencies

    planned = [
        (p.request.notebook, dict(p.request.parameters))
        for p in expand(read_plan(ROOT / "pyproject.toml"), dataset)
    ]
    weeks = params.allowed_values("week", dataset, {"operation": "Operation Sceptre"})
    summaries = {(p["week"], p["agency"]) for n, p in planned if n == "operation_summary"}
    assert summaries == {
        (week, agency)
        for week in weeks
        for agency in reportable_agencies(dataset, "Operation Sceptre", week)
    }
    assert summaries  # the frozen seed week has reportable agencies
    assert {p["agency"] for n, p in planned if n == "trend"} == {
        "National (all forces)",
        "Metropolitan Police Service",
    }
    assert {p["week"] for n, p in planned if n == "source_check"} == set(weeks)


def test_star_expands_to_the_agencies_in_the_data(tmp_path, dataset):
    path = write(
        tmp_path,
        """
[[reports]]
notebook = "operation_summary"
grid = { agency = "*" }

[[reports]]
notebook = "source_check"
""",
    )
    got = requests(path, dataset)
    assert [p.get("agency") for _, p in got] == [*AGENCIES, None]
    assert [n for n, _ in got] == ["operation_summary"] * 3 + ["source_check"]


def test_star_sees_values_chosen_before_it_and_lists_cross(tmp_path, dataset):
    path = write(
        tmp_path,
        """
[tool.sceptre-report]
formats = ["html"]
[[tool.sceptre-report.reports]]
notebook = "operation_summary"
grid = { week = "*", agency = "*" }
[[tool.sceptre-report.reports]]
notebook = "operation_summary"
parameters = { week = "2020-11-09" }
grid = { agency = ["British Transport Police", "National (all forces)"] }
""",
        "pyproject.toml",
    )
    planned = expand(read_plan(path), dataset)
    # the second entry repeats two of the first's reports: they are built once
    assert [dict(p.request.parameters) for p in planned] == [
        {"week": "2020-11-09", "agency": agency} for agency in AGENCIES
    ]
    assert {p.request.formats for p in planned} == {("html",)}
    assert expand(read_plan(path), dataset, formats=["pdf"])[0].request.formats == ("pdf",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[reports]]\nnotebok = 'x'\n", "reports[0]: unknown key 'notebok'"),
        ("[[reports]]\nnotebook = 3\n", "reports[0].notebook: expected a notebook name"),
        ("[[reports]]\nnotebook = 'source_check'\ngrid = { n = 'x' }\n", "grid.n: "),
        ("[[reports]]\nnotebook = 'x'\ngrid = { colour = '*' }\n", "only expands parameters"),
        ("[[reports]]\nnotebook = 'x'\ngrid = { agency = [] }\n", "non-empty list"),
        ("[[reports]]\nnotebook = 'x'\nformats = ['html', 'docx']\n", "unknown format 'docx'"),
        ("[[reports]]\nnotebook = 'x'\nparameters = { a = [1] }\n", "parameters.a: expected"),
        ("formats = ['html']\n", "reports: missing"),
        ("jobz = 2\n[[reports]]\nnotebook = 'x'\n", "Did you mean 'jobs'?"),
        ("cell-timeout = 'long'\n[[reports]]\nnotebook = 'x'\n", "cell-timeout: expected"),
        ("[[reports]\n", "not valid TOML"),
    ],
)
def test_bad_plan_entries_are_located(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as caught:
        read_plan(path)
    assert expected in str(caught.value)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("notebook = 'nope'", "reports[0].notebook: Unknown notebook 'nope'"),
        ("notebook = 'source_check'\ngrid = { agency = '*' }", "has no parameter 'agency'"),
    ],
)
def test_entries_checked_against_the_notebooks(tmp_path, dataset, entry, expected):
    path = write(tmp_path, f"[[reports]]\n{entry}\n")
    with pytest.raises(PlanError, match="reports") as caught:
        expand(read_plan(path), dataset)
    assert expected in str(caught.value)


def test_pyproject_without_the_table(tmp_path):
    path = write(tmp_path, "[project]\nname = 'x'\n", "pyproject.toml")
    with pytest.raises(PlanError, match=r"no \[tool\.sceptre-report\] table"):
        read_plan(path)
    assert plan.find_plan(tmp_path) is None


def test_quick_key_follows_every_input(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for csv in (ROOT / "data").glob("*.csv"):
        (data / csv.name).write_bytes(csv.read_bytes())
    path = write(tmp_path, "[[reports]]\nnotebook = 'source_check'\n")
    key = quick_key(path, data_dir=data)
    assert quick_key(path, data_dir=data) == key
    assert quick_key(path, data_dir=data, formats=["html"]) != key
    (data / "tallies.csv").write_bytes((data / "tallies.csv").read_bytes() + b"\n")
    changed = quick_key(path, data_dir=data)
    assert changed != key
    path.write_text("[[reports]]\nnotebook = 'operation_summary'\n")
    assert quick_key(path, data_dir=data) != changed
