"""Build many reports at once: in parallel, only what changed, and surviving a broken one.

* **Incremental.** A report's *key* hashes its notebook's bytes, its resolved parameters,
  the data (:meth:`Dataset.fingerprint`), the formats, the package version and the export
  template files. A report whose key matches the manifest and whose outputs exist is
  skipped; the manifest (``manifest.json`` in the output folder, written atomically after
  every report) records each report's input hashes, status, timings and outputs.
* **Parallel.** Reports run on any :class:`concurrent.futures.Executor`: by default a
  process pool (one worker per core, ``forkserver`` on POSIX with the heavy modules
  preloaded, so a worker starts warm), or a Dask cluster's ``Client.get_executor()``.
  Each worker calls :func:`build.build_report` with a fresh kernel per report (starting
  the next kernel during the export is available, ``prestart``, but measured no faster).
* **Fault isolation.** A failing report is a result, not an exception: the others go
  on, its partial notebook is kept as ``<stem>.failed.ipynb``, and a worker process that
  dies takes down only the reports it was running (they are retried once in a new pool).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, paths
from .files import write_atomic
from .plan import MANIFEST_NAME, PlannedReport

if TYPE_CHECKING:  # imported where used, so warm_up() can run before pandas loads
    from .build import ReportRequest, ReportResult
    from .load import Dataset

__all__ = [
    "MANIFEST_NAME",
    "BatchResult",
    "Decision",
    "Job",
    "Manifest",
    "decide",
    "default_workers",
    "make_executor",
    "prepare_jobs",
    "run_batch",
]

MANIFEST_FORMAT = 1
DEFAULT_CELL_TIMEOUT = 120.0  # = execute.DEFAULT_CELL_TIMEOUT (a test checks)

#: What goes into a report's key; each is compared so a rebuild can say why.
INPUTS = ("notebook", "parameters", "data", "formats", "package", "templates")
_INPUT_NAMES = {
    "notebook": "notebook changed",
    "parameters": "parameters changed",
    "data": "data changed",
    "formats": "formats changed",
    "package": "package version changed",
    "templates": "export templates changed",
}

# Modules every worker needs: imported once in the forkserver, inherited by each worker.
PRELOAD = ["sceptre_analysis.build", "sceptre_analysis.export", "sceptre_analysis.summary"]


# --------------------------------------------------------------------------------------------
# Jobs and their keys
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """A checked report: what to run, where it writes, and the hashes of its inputs."""

    request: ReportRequest  # notebook as a resolved path, parameters resolved
    stem: str
    inputs: dict[str, str]
    origin: str = ""

    @property
    def key(self) -> str:
        return _sha(json.dumps(self.inputs, sort_keys=True))

    @property
    def label(self) -> str:
        return self.stem


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _templates_hash() -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in paths.TEMPLATES_DIR.rglob("*") if p.is_file()):
        digest.update(f"{file.relative_to(paths.TEMPLATES_DIR).as_posix()}\0".encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def input_hashes(
    notebook: Path,
    parameters: dict[str, Any],
    dataset: Dataset,
    formats: Sequence[str],
    *,
    templates: str | None = None,
) -> dict[str, str]:
    """The hash of each input that decides a report's content."""
    return {
        "notebook": _sha(Path(notebook).read_bytes()),
        "parameters": _sha(json.dumps(parameters, sort_keys=True, default=str)),
        "data": dataset.fingerprint(),
        "formats": ",".join(sorted(formats)),
        "package": __version__,
        "templates": templates if templates is not None else _templates_hash(),
    }


def prepare_jobs(
    reports: Iterable[PlannedReport | ReportRequest],
    dataset: Dataset,
    *,
    data_dir: Path | None = None,
    notebooks_dir: Path | None = None,
) -> list[Job]:
    """Check every report before any kernel starts; all problems are raised together.

    Raises :class:`BuildError` naming each bad report (and the plan entry it came from),
    or two reports that would write the same files.
    """
    from .build import BuildError, ReportRequest, prepare, report_stem

    jobs: list[Job] = []
    problems: list[str] = []
    templates = _templates_hash()
    by_stem: dict[str, Job] = {}
    for item in reports:
        planned = item if isinstance(item, PlannedReport) else PlannedReport(item)
        request = planned.request
        try:
            notebook, parameters, _ = prepare(
                request, data_dir=data_dir, notebooks_dir=notebooks_dir, dataset=dataset
            )
        except BuildError as error:
            where = f"{planned.origin}: " if planned.origin else ""
            problems.append(f"{where}{error}")
            continue
        stem = report_stem(notebook.stem, parameters)
        job = Job(
            ReportRequest(str(notebook), parameters, tuple(request.formats)),
            stem,
            input_hashes(notebook, parameters, dataset, request.formats, templates=templates),
            planned.origin,
        )
        if stem in by_stem:
            if by_stem[stem].key != job.key:
                problems.append(
                    f"{planned.origin or stem}: writes the same files ({stem}.*) as "
                    f"{by_stem[stem].origin or 'another report'} with different inputs"
                )
            continue
        by_stem[stem] = job
        jobs.append(job)
    if problems:
        raise BuildError("\n".join(problems))
    return jobs


# --------------------------------------------------------------------------------------------
# The manifest and skip/rebuild decisions
# --------------------------------------------------------------------------------------------


class Manifest:
    """``manifest.json`` in the output folder: the last build of each report, by stem."""

    def __init__(
        self,
        out_dir: Path,
        reports: dict[str, dict[str, Any]] | None = None,
        plan: dict[str, Any] | None = None,
    ):
        self.out_dir = Path(out_dir)
        self.reports: dict[str, dict[str, Any]] = reports or {}
        # The last whole-plan build that ended all good: its plan.quick_key and reports.
        self.plan = plan

    @property
    def path(self) -> Path:
        return self.out_dir / MANIFEST_NAME

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        """The manifest if there is a readable one; an unreadable one means rebuild all."""
        path = Path(out_dir) / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            current = data.get("format") == MANIFEST_FORMAT
            reports = data["reports"] if current else {}
            plan = data.get("plan") if current else None
            if not isinstance(reports, dict):
                reports, plan = {}, None
        except (OSError, ValueError, KeyError, AttributeError):
            reports, plan = {}, None
        return cls(out_dir, reports, plan if isinstance(plan, dict) else None)

    def record(self, job: Job, result: ReportResult) -> None:
        previous_outputs = (self.reports.get(job.stem) or {}).get("outputs", {})
        outputs = {fmt: self._relative(p) for fmt, p in result.outputs.items()}
        self.reports[job.stem] = {
            "notebook": Path(job.request.notebook).stem,
            "parameters": json.loads(json.dumps(dict(job.request.parameters), default=str)),
            "formats": list(job.request.formats),
            "key": job.key,
            "inputs": job.inputs,
            "status": "ok" if result.ok else "failed",
            "errors": list(result.errors),
            "outputs": outputs or ({} if result.ok else previous_outputs),
            "failed_notebook": self._relative(result.failed_notebook)
            if result.failed_notebook
            else None,
            "timings": {k: round(v, 3) for k, v in result.timings.items()},
            "finished": datetime.now(UTC).replace(microsecond=0).isoformat(),
        }

    def _relative(self, path: Path) -> str:
        path = Path(path)
        try:
            return path.resolve().relative_to(self.out_dir.resolve()).as_posix()
        except ValueError:
            return str(path)

    def save(self) -> Path:
        data = {
            "format": MANIFEST_FORMAT,
            "plan": self.plan,
            "reports": dict(sorted(self.reports.items())),
        }
        return write_atomic(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@dataclass(frozen=True)
class Decision:
    """Whether a job runs, and why (shown by ``--dry-run`` and the summary)."""

    job: Job
    build: bool
    reason: str


def decide(jobs: Sequence[Job], manifest: Manifest, *, force: bool = False) -> list[Decision]:
    """Skip a report whose inputs are unchanged and whose outputs all exist."""
    decisions = []
    for job in jobs:
        entry = manifest.reports.get(job.stem)
        if force:
            decisions.append(Decision(job, True, "forced (--force)"))
        elif not entry:
            decisions.append(Decision(job, True, "new report (not in the manifest)"))
        elif entry.get("status") != "ok":
            decisions.append(Decision(job, True, "last build failed"))
        elif entry.get("key") != job.key:
            old = entry.get("inputs") or {}
            changed = [_INPUT_NAMES[n] for n in INPUTS if old.get(n) != job.inputs.get(n)]
            decisions.append(Decision(job, True, ", ".join(changed) or "inputs changed"))
        else:
            missing = [
                rel
                for fmt in job.request.formats
                if not (rel := (entry.get("outputs") or {}).get(fmt))
                or not (manifest.out_dir / rel).is_file()
            ]
            if missing or len(entry.get("outputs") or {}) < len(job.request.formats):
                decisions.append(Decision(job, True, "output missing"))
            else:
                decisions.append(Decision(job, False, "up to date"))
    return decisions


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one report; pickled to the worker process."""

    request: ReportRequest
    out_dir: Path
    data_dir: Path | None
    notebooks_dir: Path | None
    dataset: Dataset | None
    cell_timeout: float | None
    notebook_timeout: float | None
    prestart_next: bool = False


def run_task(task: Task) -> ReportResult:
    """Worker entry point: one report, every failure returned in the result."""
    from .build import ReportResult, build_report
    from .execute import discard_spare_kernel

    try:
        return build_report(
            task.request,
            out_dir=task.out_dir,
            data_dir=task.data_dir,
            notebooks_dir=task.notebooks_dir,
            dataset=task.dataset,
            cell_timeout=task.cell_timeout,
            notebook_timeout=task.notebook_timeout,
            prestart_next=task.prestart_next,
        )
    except Exception as error:  # a bug, not a user error: still only this report fails
        result = ReportResult(request=task.request, status="failed")
        result.errors.append(f"internal error: {type(error).__name__}: {error}")
        return result
    finally:
        if not task.prestart_next:
            discard_spare_kernel()


class InlineExecutor(Executor):
    """Runs each task in this process when submitted: for one report, or debugging."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


def default_workers() -> int:
    """One worker per core this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def warm_up() -> None:
    """Start the fork server now, so its imports overlap with loading and checking the data."""
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def make_executor(workers: int) -> Executor:
    """A process pool that never forks a process with threads (papermill + zmq dislike it)."""
    if workers <= 1:
        return InlineExecutor()
    return ProcessPoolExecutor(max_workers=workers, mp_context=_context())


@dataclass
class Outcome:
    """One report's line in the summary."""

    job: Job
    status: str  # built | up to date | failed
    result: ReportResult | None = None
    reason: str = ""
    seconds: float = 0.0

    @property
    def errors(self) -> list[str]:
        return list(self.result.errors) if self.result else []


@dataclass
class BatchResult:
    outcomes: list[Outcome] = field(default_factory=list)
    manifest: Path | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed


def _failed(job: Job, message: str) -> ReportResult:
    from .build import ReportResult

    result = ReportResult(request=job.request, stem=job.stem, status="failed")
    result.errors.append(message)
    return result


def run_batch(
    decisions: Sequence[Decision],
    *,
    out_dir: Path,
    dataset: Dataset,
    data_dir: Path | None = None,
    notebooks_dir: Path | None = None,
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
    notebook_timeout: float | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    manifest: Manifest | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    plan_key: str | None = None,
    prestart: bool = False,
) -> BatchResult:
    """Build the jobs that need it, record every result in the manifest, never raise for one.

    ``executor``: any :class:`concurrent.futures.Executor` (e.g. a Dask client's); it is
    not shut down here. Without one, a process pool of ``workers`` (default: the cores)
    is made, and rebuilt once if a worker process dies. ``plan_key`` (a
    :func:`plan.quick_key` taken before the build) is recorded when every report ends
    good, so the next unchanged ``build --all`` can stop early. ``prestart``: each worker
    starts its next kernel while exporting. Off by default: with one worker per core the
    cores are already busy, and ``bench/bench_build.py`` measured it 5 % slower on 2 cores.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    manifest = manifest or Manifest.load(out_dir)
    manifest.plan = None  # until this build is known to end all good
    batch = BatchResult()
    todo = [d.job for d in decisions if d.build]
    reasons = {d.job.stem: d.reason for d in decisions}
    for decision in decisions:
        if not decision.build:
            outcome = Outcome(decision.job, "up to date", reason=decision.reason)
            batch.outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    count = workers or default_workers()
    count = max(1, min(count, len(todo)))

    def finish(job: Job, result: ReportResult, seconds: float) -> None:
        result.stem = result.stem or job.stem
        manifest.record(job, result)
        manifest.save()
        status = "built" if result.ok else "failed"
        outcome = Outcome(job, status, result, reasons.get(job.stem, ""), seconds)
        batch.outcomes.append(outcome)
        if on_done:
            on_done(outcome)

    attempts: dict[str, int] = {}
    pending = list(todo)
    while pending:
        own = executor is None
        pool = executor or make_executor(count)
        retry: list[Job] = []
        try:
            futures: dict[Future, tuple[Job, float]] = {}
            for index, job in enumerate(pending):
                task = Task(
                    job.request,
                    out_dir,
                    Path(data_dir).resolve() if data_dir else None,
                    Path(notebooks_dir).resolve() if notebooks_dir else None,
                    dataset,
                    cell_timeout,
                    notebook_timeout,
                    # Start the next kernel early only if this worker will get another job.
                    prestart_next=prestart and own and index + count < len(pending),
                )
                futures[pool.submit(run_task, task)] = (job, time.perf_counter())
            for future in as_completed(futures):
                job, submitted = futures[future]
                try:
                    result = future.result()
                except BrokenProcessPool:
                    attempts[job.stem] = attempts.get(job.stem, 0) + 1
                    if own and attempts[job.stem] < 2:
                        retry.append(job)
                        continue
                    result = _failed(job, "the worker process died while building this report")
                except Exception as error:  # e.g. a Dask worker lost, or unpicklable result
                    result = _failed(job, f"the executor failed: {type(error).__name__}: {error}")
                # The report's own time, not its wait in the queue.
                finish(job, result, sum(result.timings.values()) or time.perf_counter() - submitted)
        finally:
            if own:
                pool.shutdown(wait=True, cancel_futures=True)
        pending = retry
    if plan_key and batch.ok:
        stems = [d.job.stem for d in decisions]
        keys = {d.job.stem: d.job.key for d in decisions}
        manifest.plan = {"key": plan_key, "reports": stems, "keys": keys}
    manifest.save()
    batch.manifest = manifest.path
    order = {d.job.stem: i for i, d in enumerate(decisions)}
    batch.outcomes.sort(key=lambda o: order.get(o.job.stem, len(order)))
    batch.seconds = time.perf_counter() - started
    return batch


def describe(outcome: Outcome) -> str:
    """One line for a finished report: status, stem, time, and outputs or first error."""
    if outcome.status == "up to date":
        return f"up to date  {outcome.job.stem}"
    result = outcome.result
    if outcome.status == "built":
        return f"built       {outcome.job.stem}  ({outcome.seconds:.1f} s)"
    first = result.errors[0].splitlines()[0] if result and result.errors else "failed"
    return f"FAILED      {outcome.job.stem}  ({outcome.seconds:.1f} s): {first}"


def is_quiet() -> bool:
    """No progress bar in CI or when stderr is not a terminal."""
    return bool(os.environ.get("CI")) or not sys.stderr.isatty()


# --------------------------------------------------------------------------------------------
# The whole build, as the command line runs it
# --------------------------------------------------------------------------------------------

DEFAULT_NOTEBOOK_TIMEOUT = 1800.0
"""Seconds a whole notebook may run by default: long enough for any report, never for ever."""


@dataclass
class Schedule:
    """What a build will do, decided before any kernel starts (``--dry-run`` shows it)."""

    decisions: list[Decision]
    dataset: Dataset
    out_dir: Path
    plan: Any = None  # plan.Plan, or None for a one-off report
    plan_key: str | None = None
    data_dir: Path | None = None

    @property
    def to_build(self) -> int:
        return sum(d.build for d in self.decisions)


def schedule(
    *,
    notebook: str | None = None,
    parameters: dict[str, Any] | None = None,
    plan_path: Path | None = None,
    formats: tuple[str, ...] | None = None,
    out_dir: Path | None = None,
    data_dir: Path | None = None,
    force: bool = False,
) -> Schedule:
    """Check the data, the plan (or one NOTEBOOK with ``parameters``) and every report's
    parameters, then decide what to rebuild.

    Raises :class:`plan.PlanError`, :class:`build.BuildError` or
    :class:`load.DataValidationError` for a user's mistake, before anything runs.
    """
    from .build import ReportRequest
    from .load import load_dataset
    from .plan import expand, quick_key, read_plan

    plan = plan_key = None
    if notebook is None:
        plan = read_plan(plan_path)
        plan_key = quick_key(plan_path, data_dir=data_dir, formats=formats)
    dataset = load_dataset(data_dir)
    if plan is None:
        assert notebook is not None
        reports = [ReportRequest(notebook, dict(parameters or {}), formats or ("html", "pdf"))]
    else:
        reports = expand(plan, dataset, formats=formats)
    jobs = prepare_jobs(reports, dataset, data_dir=data_dir)
    out = Path(out_dir or paths.reports_dir())
    decisions = decide(jobs, Manifest.load(out), force=force)
    return Schedule(decisions, dataset, out, plan, plan_key, data_dir)


def _setting(given: float | None, planned: float | None, default: float) -> float | None:
    value = given if given is not None else planned
    value = value if value is not None else default
    return value or None  # 0 = no limit


def run_schedule(
    plan: Schedule,
    *,
    jobs: int | None = None,
    cell_timeout: float | None = None,
    notebook_timeout: float | None = None,
    scheduler: str | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> BatchResult:
    """Run a :class:`Schedule`: locally in a process pool, or on the Dask ``scheduler``.

    Options left ``None`` come from the plan, then the defaults; 0 means no limit.
    Raises :class:`build.BuildError` when the Dask scheduler cannot be reached.
    """
    from .build import BuildError

    settings = plan.plan
    executor, client = None, None
    if scheduler:
        try:
            from distributed import Client
        except ImportError as error:
            raise BuildError(
                "--scheduler needs Dask: pip install 'sceptre-analysis[dask]'"
            ) from error
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as error:
            raise BuildError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from error
        executor = client.get_executor(pure=False)
    elif (jobs or 0) != 1 and plan.to_build > 1:
        warm_up()
    try:
        return run_batch(
            plan.decisions,
            out_dir=plan.out_dir,
            dataset=plan.dataset,
            data_dir=plan.data_dir,
            cell_timeout=_setting(
                cell_timeout, settings.cell_timeout if settings else None, DEFAULT_CELL_TIMEOUT
            ),
            notebook_timeout=_setting(
                notebook_timeout,
                settings.notebook_timeout if settings else None,
                DEFAULT_NOTEBOOK_TIMEOUT,
            ),
            workers=jobs or (settings.jobs if settings else None),
            executor=executor,
            on_done=on_done,
            plan_key=plan.plan_key,
        )
    finally:
        if client is not None:
            client.close()
