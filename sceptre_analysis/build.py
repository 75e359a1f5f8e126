"""Build one report: check inputs, execute the notebook, export HTML/PDF, keep what failed.

This is the unit the CLI and the batch runner share. It never raises for a
user's mistake: bad data, a bad parameter or a failing cell come back in
:class:`ReportResult` with a message, so one broken report never loses the others.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from . import __version__, paths
from .files import inside, write_atomic
from .load import Dataset, DataValidationError, load_dataset
from .narrative import format_period
from .params import HIDDEN_PARAMETERS, ParameterError, check_parameters
from .report import (
    BuildError,
    ReportRequest,
    ReportResult,
    available_notebooks,
    other_data_dir,
    report_stem,
    resolve_notebook,
)
from .settings import (
    DEFAULT_CELL_TIMEOUT,
    DEFAULT_EXPORT_TIMEOUT,
    DEFAULT_OUTPUT_LIMIT,
    FORMATS,
)

log = logging.getLogger(__name__)

__all__ = [
    "FORMATS",
    "BuildError",
    "ReportRequest",
    "ReportResult",
    "available_notebooks",
    "build_report",
    "default_requests",
    "figures_csv",
    "prepare",
    "read_report_meta",
    "report_stem",
    "resolve_notebook",
]

REPORT_MIME = "application/vnd.sceptre.report+json"
"""The report metadata every report notebook displays once (see docs: interfaces)."""


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """A notebook file, or a :class:`BuildError` saying why it cannot be one."""
    try:
        nb = nbformat.reads(Path(path).read_text(encoding="utf-8"), as_version=4)
    except (OSError, UnicodeDecodeError) as error:
        raise BuildError(f"{path}: cannot read the notebook ({error})") from error
    except Exception as error:  # nbformat raises several kinds for a file that is not JSON
        first = str(error).strip().splitlines()[:1]
        detail = first[0] if first else type(error).__name__
        raise BuildError(f"{path}: not a Jupyter notebook ({detail})") from error
    if not isinstance(nb.get("cells"), list) or not nb.cells:
        raise BuildError(f"{path}: the notebook has no cells")
    return nb


@functools.cache
def _installed_kernels() -> list[str]:
    """Kernel names of this environment (looked up once per process, not once per report)."""
    from jupyter_client.kernelspec import KernelSpecManager

    return sorted(KernelSpecManager().find_kernel_specs())


def kernel_of(nb: nbformat.NotebookNode, path: Path) -> str:
    """The kernel the notebook declares, if this environment has it (else a BuildError)."""
    spec = nb.metadata.get("kernelspec") or {}
    name = spec.get("name") if isinstance(spec, Mapping) else None
    if not name:
        return "python3"
    installed = _installed_kernels()
    if name not in installed:
        raise BuildError(
            f"{path}: declares kernel {name!r}, which is not installed here "
            f"(installed: {', '.join(installed) or 'none'}); set metadata.kernelspec.name "
            "to one of those"
        )
    return str(name)


_FACTS: dict[tuple[str, str], tuple[str, dict[str, str], list[str]]] = {}


def _notebook_facts(path: Path) -> tuple[str, dict[str, str], list[str]]:
    """Kernel, declared reads and path parameters of a notebook; parsed and validated once
    per content (a plan's grid asks for the same notebook again and again)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BuildError(f"{path}: cannot read the notebook ({error})") from error
    key = (str(path), text)
    if key not in _FACTS:
        nb = read_notebook(path)
        if len(_FACTS) > 64:
            _FACTS.clear()
        _FACTS[key] = (kernel_of(nb, path), reads_of(nb, path), paths_of(nb))
    kernel, reads, declared = _FACTS[key]
    return kernel, dict(reads), list(declared)


@dataclass(frozen=True)
class Prepared:
    """A checked report: its notebook, full parameters, kernel and output name."""

    notebook: Path
    parameters: dict[str, Any]
    dataset: Dataset
    kernel: str
    stem: str
    reads: dict[str, str] = field(default_factory=dict)  # parameter -> tallies column
    files: dict[str, str] = field(default_factory=dict)  # path parameter -> absolute path


def reads_of(nb: nbformat.NotebookNode, path: Path) -> dict[str, str]:
    """What slice of the data a notebook declares it reads: ``metadata.sceptre.reads``.

    ``{"week": "week"}`` says "only the tallies whose ``week`` column equals my ``week``
    parameter" (plus every other data file), so a change to another week's figures leaves
    its reports up to date. No declaration means the whole data.
    """
    reads = (nb.metadata.get("sceptre") or {}).get("reads") or {}
    if not isinstance(reads, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in reads.items()
    ):
        raise BuildError(
            f"{path}: metadata.sceptre.reads must map parameter names to tallies columns, "
            f'e.g. {{"week": "week"}}; got {reads!r}'
        )
    return dict(reads)


def paths_of(nb: nbformat.NotebookNode) -> list[str]:
    """Parameters a notebook declares as file paths (``metadata.sceptre.paths``): a relative
    value is taken from the caller's working folder, as on any command line."""
    declared = (nb.metadata.get("sceptre") or {}).get("paths") or []
    return [name for name in declared if isinstance(name, str)]


def prepare(
    request: ReportRequest,
    *,
    data_dir: Path | None = None,
    notebooks_dir: Path | None = None,
    dataset: Dataset | None = None,
) -> Prepared:
    """Everything that can be checked before a kernel starts. Raises :class:`BuildError`."""
    unknown = [f for f in request.formats if f not in FORMATS]
    if unknown or not request.formats:
        raise BuildError(
            f"Unknown format {', '.join(map(repr, unknown)) or '(none)'}. "
            f"Valid formats: {', '.join(FORMATS)}."
        )
    folder = str(Path(data_dir).resolve()) if data_dir else ""
    hidden = sorted(
        name for name in set(request.parameters) & HIDDEN_PARAMETERS
        if request.parameters[name] != folder  # a checked job carries the build's own value
    )  # fmt: skip
    if hidden:
        raise BuildError(
            f"parameter {hidden[0]!r} is set by the build, not by hand; "
            "use --data to build from another data folder"
        )
    notebook = resolve_notebook(request.notebook, notebooks_dir)
    kernel, reads, file_paths = _notebook_facts(notebook)
    try:
        dataset = dataset or load_dataset(data_dir)
    except DataValidationError as error:
        raise BuildError(f"The data has problems:\n{error}") from error
    try:
        parameters = check_parameters(notebook, request.parameters, dataset, paths=file_paths)
    except ParameterError as error:
        raise BuildError(str(error)) from error
    except Exception as error:  # papermill's inspection of a malformed parameters cell
        raise BuildError(f"{notebook}: cannot read its parameters ({error})") from error
    if "data_dir" in parameters:
        parameters["data_dir"] = folder
    files = {}
    for name in file_paths:  # the kernel runs in the notebook's folder, not the caller's
        value = parameters.get(name)
        if isinstance(value, str) and value:
            if not Path(value).is_absolute():
                parameters[name] = str(Path(value).resolve())
            files[name] = str(parameters[name])
    stem = report_stem(notebook.stem, parameters, other_data_dir(data_dir), HIDDEN_PARAMETERS)
    return Prepared(notebook, parameters, dataset, kernel, stem, reads, files)


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


#: Title-block fields a report's kernel can show itself (``show_report_meta``).
TITLE_FIELDS = ("period", "period_heading")


def report_metadata(
    notebook: Path,
    parameters: Mapping[str, Any],
    dataset: Dataset,
    shown: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What the export shows in the title block and footer. The title fields come from what
    the report itself displayed (``shown``) when it gave them all, so the title and the
    report's text cannot disagree and the parent does not redo the report's work."""
    given = {k: str(shown[k]) for k in TITLE_FIELDS if shown and shown.get(k)}
    source = nbformat.read(notebook, as_version=4).metadata.get("sceptre", {})
    visible = {k: v for k, v in parameters.items() if k not in HIDDEN_PARAMETERS}
    return {
        **source,  # the notebook's own settings for the export (``contents``) stay
        "title": source.get("title", notebook.stem),
        "subtitle": source.get("subtitle", ""),
        "fields": given
        if len(given) == len(TITLE_FIELDS)
        else _title_fields(dataset, notebook, parameters),
        "parameters": visible,
        "data_hash": dataset.fingerprint(),
        "notebook": notebook.name,
        "version": __version__,
    }


def read_report_meta(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """The report metadata the notebook displayed (``REPORT_MIME``), or {} if none."""
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = (output.get("data") or {}).get(REPORT_MIME)
            if isinstance(data, str):
                try:
                    data = json.loads(data)
                except ValueError:
                    continue
            if isinstance(data, Mapping):
                return dict(data)
    return {}


def figures_csv(records: Sequence[Mapping[str, Any]]) -> str:
    """The report's figures table as CSV: columns in first-seen order, one row per figure."""
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(str(k) for k in record))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({str(k): "" if v is None else v for k, v in record.items()})
    return buffer.getvalue()


def _load_pdf_engine_meanwhile() -> None:
    """Import WeasyPrint in a thread while the kernel runs the notebook (another process):
    a one-report build would otherwise pay its 0.8 s import after the run, in the export."""
    import sys
    import threading

    if "weasyprint" in sys.modules:
        return

    def load() -> None:
        from .export import load_weasyprint

        try:
            load_weasyprint()
        except Exception as error:  # the export reports it (HTML is made without it)
            log.debug("WeasyPrint not preloaded: %s", error)

    threading.Thread(target=load, name="sceptre-pdf-import", daemon=True).start()


def build_report(
    request: ReportRequest,
    *,
    out_dir: Path | None = None,
    data_dir: Path | None = None,
    notebooks_dir: Path | None = None,
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
    dataset: Dataset | None = None,
    notebook_timeout: float | None = None,
    export_timeout: float | None = DEFAULT_EXPORT_TIMEOUT,
    output_limit: int | None = DEFAULT_OUTPUT_LIMIT,
    reuse_kernel: bool = False,
) -> ReportResult:
    """Build one report into ``out_dir``; every failure is reported in the result.

    ``notebook_timeout`` bounds the whole execution (the kernel is killed past it),
    ``export_timeout`` the HTML and PDF export, and ``output_limit`` the characters of
    output one cell may keep (the rest is cut, with a note in the report).
    """
    # Executing and exporting load papermill, nbconvert and WeasyPrint: only when building,
    # never for the checks (``prepare``) that a dry run makes (batch workers preload them).
    from .execute import ExecutionFailed, execute_notebook
    from .export import ExportTimeout, cap_outputs, export_notebook, fill_template, time_limit

    out_dir = Path(out_dir or paths.reports_dir())
    result = ReportResult(request=request)
    started = time.perf_counter()
    try:
        ready = prepare(request, data_dir=data_dir, notebooks_dir=notebooks_dir, dataset=dataset)
    except BuildError as error:
        result.status = "failed"
        result.errors.append(str(error))
        return result
    notebook, parameters = ready.notebook, ready.parameters
    result.parameters = parameters
    result.stem = ready.stem
    failed_path = inside(out_dir, f"{result.stem}.failed.ipynb")
    result.timings["prepare"] = time.perf_counter() - started

    if "pdf" in request.formats:
        _load_pdf_engine_meanwhile()
    started = time.perf_counter()
    try:
        executed = execute_notebook(
            notebook,
            parameters,
            cell_timeout=cell_timeout,
            kernel_name=ready.kernel,
            notebook_timeout=notebook_timeout,
            reuse_kernel=reuse_kernel,
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

    started = time.perf_counter()
    result.meta = read_report_meta(executed)
    if output_limit:
        cut = cap_outputs(executed, output_limit)
        if cut:
            result.notes.append(f"output of {cut} cell(s) cut to {output_limit:,} characters")
    executed.metadata["sceptre"] = shown = report_metadata(
        notebook, parameters, ready.dataset, result.meta
    )
    figures = result.meta.pop("figures", None)
    fields = {**shown["parameters"], **shown["fields"]}
    result.meta.setdefault("title", fill_template(str(shown["title"]), fields))
    result.meta.setdefault("period", shown["fields"].get("period", ""))
    result.meta["parameters"] = shown["parameters"]
    if isinstance(figures, list) and all(isinstance(r, Mapping) for r in figures):
        csv_path = inside(out_dir, f"{result.stem}.figures.csv")
        result.outputs["figures"] = write_atomic(csv_path, figures_csv(figures))
        executed.metadata["sceptre"]["figures_csv"] = csv_path.name
    if "ipynb" in request.formats:
        result.outputs["ipynb"] = write_atomic(
            inside(out_dir, f"{result.stem}.ipynb"), nbformat.writes(executed)
        )
    formats = [f for f in request.formats if f != "ipynb"]
    if formats:
        try:
            with time_limit(export_timeout):
                exported = export_notebook(executed, out_dir, result.stem, formats)
        except ExportTimeout:
            result.status = "failed"
            result.errors.append(
                f"export ran past the export timeout ({export_timeout:g} s); "
                "the notebook's output is too large to lay out"
            )
        else:
            result.outputs.update(exported.outputs)
            result.notes += exported.notes
            if exported.errors:
                result.status = "failed"
                result.errors += [f"{fmt}: {message}" for fmt, message in exported.errors.items()]
    result.timings["export"] = time.perf_counter() - started
    if result.ok:
        failed_path.unlink(missing_ok=True)
    return result


def default_requests(dataset: Dataset | None = None) -> list[ReportRequest]:
    """The reports of the project's build plan, grids expanded (what ``build`` makes)."""
    from .plan import expand, read_plan

    return [p.request for p in expand(read_plan(), dataset or load_dataset())]
