"""The build plan: which reports ``sceptre-report build --all`` makes, declared in one file.

A plan lives in ``reports.toml`` (top-level keys) or in ``[tool.sceptre-report]`` of
``pyproject.toml``; without either, every notebook is built once with its defaults.
Each ``reports`` entry names a notebook and fixes some parameters; a ``grid`` crosses
lists of values, and ``"*"`` means every value the data allows given the values chosen
so far (so ``week = "*"`` then ``agency = "*"`` gives each week's own agencies)::

    [tool.sceptre-report]
    formats = ["html", "pdf"]
    cell-timeout = 120          # seconds one cell may run
    notebook-timeout = 600      # seconds a whole notebook may run

    [[tool.sceptre-report.reports]]
    notebook = "operation_summary"
    grid = { agency = "*" }

    [[tool.sceptre-report.reports]]
    notebook = "source_check"

A plan file is input like any other: a mistake is reported with the file, the key and
what was expected, never as a traceback (:class:`PlanError`).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, paths
from .errors import SceptreError
from .settings import DEFAULT_FORMATS, FORMATS, MANIFEST_NAME, PLAN_FILE, TABLE

if TYPE_CHECKING:  # pandas, papermill and nbconvert load only when a plan is expanded
    from .build import ReportRequest
    from .load import Dataset

__all__ = [
    "Plan",
    "PlanEntry",
    "PlanError",
    "PlannedReport",
    "expand",
    "find_plan",
    "plan_up_to_date",
    "quick_key",
    "read_plan",
    "up_to_date",
]

ANY = "*"

_SETTINGS = {"formats", "cell-timeout", "notebook-timeout", "jobs", "reports"}
_ENTRY_KEYS = {"notebook", "parameters", "grid", "formats"}
_Scalar = (str, int, float, bool)


class PlanError(SceptreError, ValueError):
    """A plan file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class PlanEntry:
    """One ``reports`` entry: a notebook, fixed parameters and a grid to cross."""

    notebook: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    grid: Mapping[str, Any] = field(default_factory=dict)  # name -> list of values or "*"
    formats: tuple[str, ...] | None = None
    origin: str = ""  # "pyproject.toml: tool.sceptre-report.reports[2]", for messages
    base_dir: Path | None = None  # where a notebook given as a relative .ipynb path is


@dataclass(frozen=True)
class Plan:
    """Entries plus batch settings (``None`` = the command-line default)."""

    entries: tuple[PlanEntry, ...]
    source: str = "(built-in default)"
    formats: tuple[str, ...] | None = None
    cell_timeout: float | None = None
    notebook_timeout: float | None = None
    jobs: int | None = None


@dataclass(frozen=True)
class PlannedReport:
    """One expanded report and the plan entry it came from."""

    request: ReportRequest
    origin: str = ""


def default_plan(notebooks_dir: Path | None = None) -> Plan:
    """For a project with no plan file: every notebook once, with its default parameters."""
    folder = Path(notebooks_dir or paths.notebooks_dir())
    notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    entries = tuple(PlanEntry(p.stem, origin=f"notebook {p.name}") for p in notebooks)
    return Plan(entries, source=f"(no plan file: every notebook in {folder})")


def _has_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return "sceptre-report" in data.get("tool", {})


def find_plan(root: Path | None = None) -> Path | None:
    """``reports.toml`` in the project, else its ``pyproject.toml`` if it has the table."""
    root = Path(root or paths.project_root())
    if (root / PLAN_FILE).is_file():
        return root / PLAN_FILE
    if (root / "pyproject.toml").is_file() and _has_table(root / "pyproject.toml"):
        return root / "pyproject.toml"
    return None


def read_plan(path: Path | None = None) -> Plan:
    """Read a plan file (``path``, else :func:`find_plan`, else the default). Raises PlanError."""
    path = Path(path) if path is not None else find_plan()
    if path is None:
        return default_plan()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlanError(f"{path}: cannot read the plan file ({error})") from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PlanError(f"{path}: not valid TOML ({error})") from error
    prefix = ""
    if path.name == "pyproject.toml" or ("tool" in data and "reports" not in data):
        table = data.get("tool", {}).get("sceptre-report")
        if table is None:
            raise PlanError(f"{path}: no [{TABLE}] table (expected the build plan there)")
        data, prefix = table, f"{TABLE}."
    return _parse(data, path, prefix)


def _where(path: Path, key: str) -> str:
    return f"{path.name if path.name == 'pyproject.toml' else path}: {key}"


def _unknown_key(path: Path, key: str, name: str, valid: set[str]) -> PlanError:
    close = difflib.get_close_matches(name, sorted(valid), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return PlanError(
        f"{_where(path, key)}: unknown key {name!r} (expected one of "
        f"{', '.join(sorted(valid))}).{hint}"
    )


def _formats(value: Any, path: Path, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise PlanError(
            f'{_where(path, key)}: expected a list of formats like ["html", "pdf"], got {value!r}'
        )
    wanted = tuple(v.strip().lower() for v in value)
    bad = [v for v in wanted if v not in FORMATS]
    if bad:
        raise PlanError(
            f"{_where(path, key)}: unknown format {', '.join(map(repr, bad))} "
            f"(expected some of {', '.join(FORMATS)})"
        )
    return wanted


def _seconds(value: Any, path: Path, key: str) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise PlanError(
            f"{_where(path, key)}: expected a number of seconds (0 for none), got {value!r}"
        )
    return float(value)


def _parse(data: Mapping[str, Any], path: Path, prefix: str) -> Plan:
    for name in data:
        if name not in _SETTINGS:
            raise _unknown_key(path, (prefix or "top level").rstrip("."), name, _SETTINGS)
    formats = _formats(data["formats"], path, f"{prefix}formats") if "formats" in data else None
    cell = (
        _seconds(data["cell-timeout"], path, f"{prefix}cell-timeout")
        if "cell-timeout" in data
        else None
    )
    whole = (
        _seconds(data["notebook-timeout"], path, f"{prefix}notebook-timeout")
        if "notebook-timeout" in data
        else None
    )
    jobs = data.get("jobs")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0):
        raise PlanError(
            f"{_where(path, prefix + 'jobs')}: expected a whole number of worker processes "
            f"(0 = one per core), got {jobs!r}"
        )
    reports = data.get("reports")
    if reports is None:
        raise PlanError(
            f"{_where(path, prefix + 'reports')}: missing; expected at least one "
            f"[[{prefix}reports]] entry with a notebook"
        )
    if not isinstance(reports, list) or not reports:
        raise PlanError(
            f"{_where(path, prefix + 'reports')}: expected an array of tables "
            f"([[{prefix}reports]]), got {reports!r}"
        )
    entries = tuple(
        _entry(item, path, f"{prefix}reports[{index}]") for index, item in enumerate(reports)
    )
    return Plan(entries, str(path), formats, cell, whole, jobs or None)


def _entry(item: Any, path: Path, key: str) -> PlanEntry:
    if not isinstance(item, dict):
        raise PlanError(f"{_where(path, key)}: expected a table with a notebook, got {item!r}")
    for name in item:
        if name not in _ENTRY_KEYS:
            raise _unknown_key(path, key, name, _ENTRY_KEYS)
    notebook = item.get("notebook")
    if not isinstance(notebook, str) or not notebook.strip():
        raise PlanError(
            f"{_where(path, key + '.notebook')}: expected a notebook name such as "
            f'"operation_summary", got {notebook!r}'
        )
    parameters = item.get("parameters", {})
    if not isinstance(parameters, dict):
        raise PlanError(
            f"{_where(path, key + '.parameters')}: expected a table of name = value, "
            f"got {parameters!r}"
        )
    for name, value in parameters.items():
        if not isinstance(value, _Scalar):
            raise PlanError(
                f"{_where(path, f'{key}.parameters.{name}')}: expected a string, number or "
                f"boolean, got {value!r}"
            )
    grid = item.get("grid", {})
    if not isinstance(grid, dict):
        raise PlanError(
            f'{_where(path, key + ".grid")}: expected a table of name = [values] or "*", '
            f"got {grid!r}"
        )
    for name, values in grid.items():
        where = _where(path, f"{key}.grid.{name}")
        if name in parameters:
            raise PlanError(f"{where}: {name!r} is also fixed in {key}.parameters; keep one")
        if values == ANY:  # checked against the data-backed parameters in expand()
            continue
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, _Scalar) for v in values)
        ):
            raise PlanError(f'{where}: expected "*" or a non-empty list of values, got {values!r}')
    formats = _formats(item["formats"], path, key + ".formats") if "formats" in item else None
    return PlanEntry(
        notebook.strip(), dict(parameters), dict(grid), formats, _where(path, key), path.parent
    )


def _notebook(entry: PlanEntry, notebooks_dir: Path | None) -> Path:
    from .build import BuildError, resolve_notebook

    candidate = Path(entry.notebook)
    if candidate.suffix == ".ipynb" and not candidate.is_absolute() and entry.base_dir:
        candidate = entry.base_dir / candidate
    try:
        return resolve_notebook(str(candidate), notebooks_dir)
    except BuildError as error:
        raise PlanError(f"{entry.origin}.notebook: {error}") from error


def expand(
    plan: Plan,
    dataset: Dataset,
    *,
    notebooks_dir: Path | None = None,
    formats: Sequence[str] | None = None,
) -> list[PlannedReport]:
    """Every report the plan asks for, grids crossed, in plan order.

    ``formats`` (from the command line) wins over the plan's and the entries' own. A report
    asked for twice is built once, in every format either entry asks for.
    """
    from .build import ReportRequest
    from .params import CHOICES, notebook_parameters

    reports: list[PlannedReport] = []
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
    for entry in plan.entries:
        notebook = _notebook(entry, notebooks_dir)
        try:
            declared = notebook_parameters(notebook)
        except Exception as error:  # papermill's inspection of a malformed notebook
            raise PlanError(
                f"{entry.origin}.notebook: {notebook}: cannot read it ({error})"
            ) from error
        for name in [*entry.parameters, *entry.grid]:
            if name not in declared:
                section = "grid" if name in entry.grid else "parameters"
                raise PlanError(
                    f"{entry.origin}.{section}.{name}: {notebook.stem} has no parameter "
                    f"{name!r} (its parameters: {', '.join(declared) or 'none'})"
                )
            if entry.grid.get(name) == ANY and name not in CHOICES:
                raise PlanError(
                    f'{entry.origin}.grid.{name}: "*" only expands parameters named in the data '
                    f"({', '.join(CHOICES)}); list the values of {name!r} instead"
                )
        chosen_formats = tuple(formats or entry.formats or plan.formats or DEFAULT_FORMATS)
        defaults = {name: p.default for name, p in declared.items()}
        for combination in _cross(entry, dataset, {**defaults, **entry.parameters}):
            parameters = {**entry.parameters, **combination}
            key = (str(notebook), tuple(sorted((k, repr(v)) for k, v in parameters.items())))
            name = entry.notebook if Path(entry.notebook).suffix != ".ipynb" else str(notebook)
            if key in seen:
                earlier = reports[seen[key]]
                merged = tuple(dict.fromkeys([*earlier.request.formats, *chosen_formats]))
                request = ReportRequest(earlier.request.notebook, parameters, merged)
                reports[seen[key]] = PlannedReport(request, f"{earlier.origin} and {entry.origin}")
                continue
            seen[key] = len(reports)
            reports.append(
                PlannedReport(ReportRequest(name, parameters, chosen_formats), entry.origin)
            )
    return reports


def _cross(entry: PlanEntry, dataset: Dataset, chosen: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The grid's combinations in declared order; ``"*"`` sees the values chosen before it."""
    from .params import grid_values

    combos: list[dict[str, Any]] = [{}]
    for name, values in entry.grid.items():
        grown: list[dict[str, Any]] = []
        for combo in combos:
            if values == ANY:
                options: list[Any] = grid_values(name, dataset, {**chosen, **combo})
            else:
                options = list(values)
            grown += [{**combo, name: value} for value in options]
        combos = grown
    return combos if entry.grid else [{}]


# --------------------------------------------------------------------------------------------
# "Nothing changed": a check cheap enough to run before pandas is imported
# --------------------------------------------------------------------------------------------


def _files(folder: Path | None, pattern: str) -> list[Path]:
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(pattern) if p.is_file() and not p.name.startswith("."))


def quick_key(
    plan_path: Path | None,
    *,
    data_dir: Path | None = None,
    notebooks_dir: Path | None = None,
    formats: Sequence[str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """Hash of everything a whole-plan build reads, from file bytes alone.

    ``extra`` (e.g. a one-off report's notebook and parameters) is hashed too; a path
    among its values that names a file adds that file's bytes.

    The plan file, the data folder's CSVs and source documents, every notebook, the
    export templates, the formats asked for and the package version. If it matches the
    last all-good build recorded in the manifest, every report's own key matches too, so
    ``build --all`` can stop without loading the data (the full check costs seconds).
    """
    plan_path = Path(plan_path) if plan_path else find_plan()
    data = Path(data_dir) if data_dir else paths.data_dir()
    data = data.parent if data.is_file() else data
    notebooks = Path(notebooks_dir) if notebooks_dir else paths.notebooks_dir()
    files: list[Path] = [plan_path] if plan_path else []
    if plan_path:  # notebooks the plan names by path
        for entry in read_plan(plan_path).entries:
            if entry.notebook.endswith(".ipynb"):
                path = Path(entry.notebook)
                path = path if path.is_absolute() else plan_path.parent / path
                files += [path] if path.is_file() else []
    files += _files(data, "*.csv")
    for folder in paths.documents_dirs(data):  # every folder a quote is checked against
        files += _files(folder, "*")
    files += _files(notebooks, "*.ipynb")
    files += [p for p in sorted(paths.TEMPLATES_DIR.rglob("*")) if p.is_file()]
    for value in (extra or {}).values():
        if isinstance(value, str) and value.endswith(".ipynb") and Path(value).is_file():
            files.append(Path(value))
    digest = hashlib.sha256()
    header = {
        "package": __version__,
        "plan": str(plan_path.resolve()) if plan_path else "(default)",
        "data_dir": str(data.resolve()) if data_dir else "",
        "formats": list(formats or []),
        "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith("SCEPTRE_")},
        "extra": dict(extra or {}),
    }
    digest.update(json.dumps(header, sort_keys=True, default=str).encode())
    for file in dict.fromkeys(files):
        digest.update(f"\0{file.resolve()}\0".encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def up_to_date(out_dir: Path, key: str) -> int | None:
    """How many reports the last all-good plan build made, if ``key`` matches it and all
    their outputs still exist; ``None`` means the full check must run."""
    manifest = Path(out_dir) / MANIFEST_NAME
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        last = data["plan"]
        if last["key"] != key:
            return None
        reports = data["reports"]
        for stem in last["reports"]:
            entry = reports[stem]
            if entry["status"] != "ok" or entry["key"] != last["keys"][stem]:
                return None
            if not all((Path(out_dir) / rel).is_file() for rel in entry["outputs"].values()):
                return None
        return len(last["reports"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def plan_up_to_date(
    plan_path: Path | None = None,
    *,
    out_dir: Path,
    data_dir: Path | None = None,
    formats: tuple[str, ...] | None = None,
) -> int | None:
    """The fast path of ``build --all``: how many reports are already up to date, when no
    input byte changed since the last all-good build; ``None`` when a full check is needed.

    Reads bytes only (no pandas, no kernel), so an unchanged build answers in well under a
    second. Raises :class:`PlanError` for a bad plan.
    """
    read_plan(plan_path)
    return up_to_date(out_dir, quick_key(plan_path, data_dir=data_dir, formats=formats))
