"""Build one report: check inputs, execute the notebook, export HTML/PDF, keep what failed.

This is the unit the CLI and the batch runner share. It never raises for a
user's mistake: bad data, a bad parameter or a failing cell come back in
:class:`ReportResult` with a message, so one broken report never loses the others.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from sceptre_analysis.errors import SceptreError

from . import __version__, paths
from .execute import DEFAULT_CELL_TIMEOUT, ExecutionFailed, execute_notebook, prestart_kernel
from .export import export_notebook
from .files import inside, safe_name, write_atomic
from .load import Dataset, DataValidationError, load_dataset
from .narrative import format_period
from .params import HIDDEN_PARAMETERS, ParameterError, check_parameters

__all__ = [
    "FORMATS",
    "BuildError",
    "ReportRequest",
    "ReportResult",
    "available_notebooks",
    "build_report",
    "prepare",
    "report_stem",
    "resolve_notebook",
]

FORMATS = ("html", "pdf", "ipynb")
"""What a report can be written as: the exported HTML and PDF, and the executed notebook."""


class BuildError(SceptreError, ValueError):
    """A user mistake found before anything runs (unknown notebook, bad data or parameter)."""


@dataclass(frozen=True)
class ReportRequest:
    """One report to build: a notebook name and the parameters to run it with."""

    notebook: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    formats: tuple[str, ...] = ("html", "pdf")


@dataclass
class ReportResult:
    request: ReportRequest
    stem: str = ""
    status: str = "ok"  # ok | failed
    outputs: dict[str, Path] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    failed_notebook: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def available_notebooks(notebooks_dir: Path | None = None) -> list[Path]:
    """Report notebooks: every ``*.ipynb`` in the notebooks folder, checkpoints excluded."""
    folder = Path(notebooks_dir or paths.notebooks_dir())
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))


def resolve_notebook(name: str, notebooks_dir: Path | None = None) -> Path:
    """A notebook by name (``operation_summary``), file name, or path."""
    candidate = Path(name)
    if candidate.suffix == ".ipynb" and candidate.is_file():
        return candidate.resolve()
    wanted = candidate.stem if candidate.suffix == ".ipynb" else name
    for path in available_notebooks(notebooks_dir):
        if path.stem == wanted:
            return path
    names = ", ".join(p.stem for p in available_notebooks(notebooks_dir)) or "(none)"
    raise BuildError(f"Unknown notebook {name!r}. Available notebooks: {names}.")


def report_stem(notebook: str, parameters: Mapping[str, Any]) -> str:
    """File name (without extension) for a report, built from its parameters.

    Each part is made safe for a file system, so no parameter value can add a
    separator or ``..``; long names are cut and end in a short hash to stay unique.
    """
    parts = [safe_name(Path(notebook).stem)]
    parts += [
        safe_name(str(value)).lower()
        for name, value in parameters.items()
        if name not in HIDDEN_PARAMETERS and value not in (None, "")
    ]
    stem = "__".join(parts)
    if len(stem) > 150:
        digest = hashlib.sha256(stem.encode()).hexdigest()[:10]
        stem = f"{stem[:139]}-{digest}"
    return stem


def prepare(
    request: ReportRequest,
    *,
    data_dir: Path | None = None,
    notebooks_dir: Path | None = None,
    dataset: Dataset | None = None,
) -> tuple[Path, dict[str, Any], Dataset]:
    """Everything that can be checked before a kernel starts. Raises :class:`BuildError`."""
    unknown = [f for f in request.formats if f not in FORMATS]
    if unknown:
        raise BuildError(
            f"Unknown format {', '.join(map(repr, unknown))}. Valid formats: {', '.join(FORMATS)}."
        )
    notebook = resolve_notebook(request.notebook, notebooks_dir)
    try:
        dataset = dataset or load_dataset(data_dir)
    except DataValidationError as error:
        raise BuildError(f"The data has problems:\n{error}") from error
    try:
        parameters = check_parameters(notebook, request.parameters, dataset)
    except ParameterError as error:
        raise BuildError(str(error)) from error
    if "data_dir" in parameters:
        parameters["data_dir"] = str(Path(data_dir).resolve()) if data_dir else ""
    return notebook, parameters, dataset


def _period_text(dataset: Dataset, parameters: Mapping[str, Any]) -> str:
    """ "9 to 15 November 2020" for the operation week a report covers, when it names one."""
    operation, week = parameters.get("operation"), parameters.get("week")
    if not operation or not week:
        return str(week or "")
    tallies = dataset.tallies
    rows = tallies[
        (tallies["operation"].astype(str) == str(operation))
        & (tallies["period_start"] == pd.Timestamp(str(week)))
    ]
    if rows.empty:
        return str(week)
    return format_period(rows["period_start"].min(), rows["period_end"].max())


def _title_fields(dataset: Dataset, notebook: Path, parameters: Mapping[str, Any]) -> dict:
    """Title-block fields ({period}, {period_heading}) from the rows the report selects."""
    from .summary import title_fields  # pandas-heavy report code, only when building

    try:
        return {"period": _period_text(dataset, parameters)} | title_fields(
            dataset, notebook.stem, parameters
        )
    except Exception:
        return {"period": _period_text(dataset, parameters)}


def report_metadata(
    notebook: Path, parameters: Mapping[str, Any], dataset: Dataset
) -> dict[str, Any]:
    """What the export shows in the title block and footer."""
    source = nbformat.read(notebook, as_version=4).metadata.get("sceptre", {})
    visible = {k: v for k, v in parameters.items() if k not in HIDDEN_PARAMETERS}
    return {
        "title": source.get("title", notebook.stem),
        "subtitle": source.get("subtitle", ""),
        "fields": _title_fields(dataset, notebook, parameters),
        "parameters": visible,
        "data_hash": dataset.fingerprint(),
        "notebook": notebook.name,
        "version": __version__,
    }


def build_report(
    request: ReportRequest,
    *,
    out_dir: Path | None = None,
    data_dir: Path | None = None,
    notebooks_dir: Path | None = None,
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
    kernel_name: str = "python3",
    dataset: Dataset | None = None,
    notebook_timeout: float | None = None,
    prestart_next: bool = False,
) -> ReportResult:
    """Build one report into ``out_dir``; every failure is reported in the result.

    ``notebook_timeout`` bounds the whole execution (the kernel is killed past it);
    ``prestart_next`` starts a fresh kernel for this process's next report while
    this one exports, so the next kernel's start-up overlaps with work.
    """
    out_dir = Path(out_dir or paths.reports_dir())
    result = ReportResult(request=request)
    started = time.perf_counter()
    try:
        notebook, parameters, dataset = prepare(
            request, data_dir=data_dir, notebooks_dir=notebooks_dir, dataset=dataset
        )
    except BuildError as error:
        result.status = "failed"
        result.errors.append(str(error))
        return result
    result.parameters = parameters
    result.stem = report_stem(notebook.stem, parameters)
    failed_path = inside(out_dir, f"{result.stem}.failed.ipynb")
    result.timings["prepare"] = time.perf_counter() - started

    started = time.perf_counter()
    try:
        executed = execute_notebook(
            notebook,
            parameters,
            cell_timeout=cell_timeout,
            kernel_name=kernel_name,
            notebook_timeout=notebook_timeout,
        )
    except ExecutionFailed as error:
        result.status = "failed"
        result.errors.append(f"{notebook.name}: {error}")
        if error.notebook is not None:
            write_atomic(failed_path, nbformat.writes(error.notebook))
            result.failed_notebook = failed_path
        result.timings["execute"] = time.perf_counter() - started
        return result
    result.timings["execute"] = time.perf_counter() - started
    if prestart_next:
        prestart_kernel(kernel_name, notebook.parent)
    executed.metadata["sceptre"] = report_metadata(notebook, parameters, dataset)

    started = time.perf_counter()
    formats = [f for f in request.formats if f != "ipynb"]
    if "ipynb" in request.formats:
        result.outputs["ipynb"] = write_atomic(
            inside(out_dir, f"{result.stem}.ipynb"), nbformat.writes(executed)
        )
    if formats:
        exported = export_notebook(executed, out_dir, result.stem, formats)
        result.outputs.update(exported.outputs)
        if exported.errors:
            result.status = "failed"
            result.errors += [f"{fmt}: {message}" for fmt, message in exported.errors.items()]
    result.timings["export"] = time.perf_counter() - started
    if result.ok:
        failed_path.unlink(missing_ok=True)
    return result


def default_requests() -> list[ReportRequest]:
    """The seed week: the Met's summary, British Transport Police's, and the source check."""
    return [
        ReportRequest("operation_summary", {"agency": "Metropolitan Police Service"}),
        ReportRequest("operation_summary", {"agency": "British Transport Police"}),
        ReportRequest("source_check", {}),
    ]
