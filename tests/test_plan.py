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


def test_project_plan_is_what_build_makes(dataset):
    planned = expand(read_plan(ROOT / "pyproject.toml"), dataset)
    assert [p.request for p in planned] == build.default_requests(dataset)


def test_without_a_plan_file_every_notebook_is_built_once(tmp_path, dataset):
    for name in ("b_second", "a_first"):
        (tmp_path / f"{name}.ipynb").write_bytes(
            (ROOT / "tests/fixtures/batch/ok.ipynb").read_bytes()
        )
    default = plan.default_plan(tmp_path)
    assert [e.notebook for e in default.entries] == ["a_first", "b_second"]
    assert [p.request.parameters for p in expand(default, dataset, notebooks_dir=tmp_path)] == [
        {},
        {},
    ]


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


def test_star_on_a_parameter_not_in_the_data_is_located(tmp_path, dataset):
    ok = ROOT / "tests" / "fixtures" / "batch" / "ok.ipynb"
    path = write(tmp_path, f"[[reports]]\nnotebook = '{ok}'\ngrid = {{ n = '*' }}\n")
    with pytest.raises(PlanError, match=r"reports\[0\]\.grid\.n: \"\*\" only expands"):
        expand(read_plan(path), dataset)


def test_entries_differing_only_in_formats_are_merged(tmp_path, dataset):
    # fault 13.17: the second entry used to be dropped silently
    path = write(
        tmp_path,
        "[[reports]]\nnotebook = 'source_check'\nformats = ['html']\n"
        "[[reports]]\nnotebook = 'source_check'\nformats = ['pdf']\n",
    )
    (only,) = expand(read_plan(path), dataset)
    assert only.request.formats == ("html", "pdf")
    assert "reports[0]" in only.origin and "reports[1]" in only.origin
