"""Build many reports at once: in parallel, only what changed, and surviving a broken one.

* **Incremental.** A report's *key* hashes its notebook's bytes, its resolved parameters,
  the data it reads, the formats, the package version and the export templates. A report
  whose key matches the manifest (:mod:`manifest`) and whose outputs exist is skipped.
* **Parallel.** Reports run on any :class:`concurrent.futures.Executor`: by default a
  process pool (one worker per core, ``forkserver`` on POSIX with the heavy modules
  preloaded, so a worker starts warm), or a Dask cluster's ``Client.get_executor()``.
* **Fault isolation.** A failing report is a result, not an exception: the others go on,
  its partial notebook is kept as ``<stem>.failed.ipynb``, and a worker process that dies
  takes down only the reports it was running (they are retried once in a new pool).
* **Stopping.** Ctrl-C or SIGTERM stops every worker and kernel this build started
  (:func:`stop_children`); reports already built and the manifest are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, paths
from .errors import SceptreError
from .landing import write_index
from .manifest import Manifest, Record
from .settings import (
    DEFAULT_CELL_TIMEOUT,
    DEFAULT_FORMATS,
    DEFAULT_NOTEBOOK_TIMEOUT,
    DEFAULT_WORKER_LOSS_TIMEOUT,
    FORMATS,
)

if TYPE_CHECKING:  # imported where used: the CLI's fast paths never load pandas
    from .build import ReportRequest, ReportResult
    from .load import Dataset
    from .plan import Plan, PlannedReport

__all__ = [
    "BatchResult",
    "Decision",
    "Job",
    "Outcome",
    "Schedule",
    "check_out_dir",
    "data_hash",
    "decide",
    "default_workers",
    "input_hashes",
    "make_executor",
    "prepare_jobs",
    "run_batch",
    "run_schedule",
    "schedule",
    "stop_children",
]

log = logging.getLogger(__name__)

#: What goes into a report's key; each is compared so a rebuild can say why.
INPUTS = {
    "notebook": "notebook changed",
    "parameters": "parameters changed",
    "data": "data changed",
    "formats": "formats changed",
    "package": "package version changed",
    "templates": "export templates changed",
}

# Modules every worker needs: imported once in the forkserver, inherited by each worker.
PRELOAD = ["sceptre_analysis.build", "sceptre_analysis.export"]


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


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _templates_hash() -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in paths.TEMPLATES_DIR.rglob("*") if p.is_file()):
        digest.update(f"{file.relative_to(paths.TEMPLATES_DIR).as_posix()}\0".encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def data_hash(
    dataset: Dataset, parameters: dict[str, Any], reads: dict[str, str] | None = None
) -> str:
    """Hash of the data a report reads: all of it, or its declared slice of the tallies.

    A slice is the tally rows whose columns equal the report's parameters (``reads``), plus
    every data file other than the tallies. A blank parameter or a missing column means
    the whole data (a blank week is "the latest", which moves when weeks are added).
    """
    tallies = dataset.tallies
    wanted = {column: parameters.get(name) for name, column in (reads or {}).items()}
    if not wanted or any(v in (None, "") or c not in tallies.columns for c, v in wanted.items()):
        return dataset.fingerprint()
    mask = None
    for column, value in wanted.items():
        text = tallies[column].map(_as_text)
        mask = (text == str(value)) if mask is None else mask & (text == str(value))
    digest = hashlib.sha256(b"slice\0")
    digest.update(tallies[mask].to_csv(index=False).encode())
    folder = Path(dataset.data_dir)
    for file in sorted(p for p in folder.rglob("*.csv") if p.name != "tallies.csv"):
        digest.update(f"\0{file.relative_to(folder).as_posix()}\0".encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _as_text(value: Any) -> str:
    """A cell as a parameter would spell it: dates as 2020-11-09."""
    if isinstance(value, datetime):  # pandas Timestamp (NaT is not one of these in text)
        try:
            return value.date().isoformat()
        except ValueError:
            return ""
    return str(value)


def input_hashes(
    notebook: Path,
    parameters: dict[str, Any],
    dataset: Dataset,
    formats: Sequence[str],
    *,
    templates: str | None = None,
    reads: dict[str, str] | None = None,
) -> dict[str, str]:
    """The hash of each input that decides a report's content."""
    return {
        "notebook": _sha(Path(notebook).read_bytes()),
        "parameters": _sha(json.dumps(parameters, sort_keys=True, default=str)),
        "data": data_hash(dataset, parameters, reads),
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

    Raises :class:`build.BuildError` naming each bad report (and the plan entry it came
    from), or two reports that would write the same files.
    """
    from .build import BuildError, ReportRequest, prepare
    from .plan import PlannedReport

    jobs: list[Job] = []
    problems: list[str] = []
    templates = _templates_hash()
    by_stem: dict[str, Job] = {}
    for item in reports:
        planned = item if isinstance(item, PlannedReport) else PlannedReport(item)
        request = planned.request
        where = f"{planned.origin}: " if planned.origin else ""
        try:
            ready = prepare(
                request, data_dir=data_dir, notebooks_dir=notebooks_dir, dataset=dataset
            )
        except BuildError as error:
            problems.append(f"{where}{error}")
            continue
        job = Job(
            ReportRequest(str(ready.notebook), ready.parameters, tuple(request.formats)),
            ready.stem,
            input_hashes(
                ready.notebook,
                ready.parameters,
                dataset,
                request.formats,
                templates=templates,
                reads=ready.reads,
            ),
            planned.origin,
        )
        other = by_stem.get(job.stem)
        if other is not None:
            if other.key != job.key:
                problems.append(
                    f"{where}would write the same files ({job.stem}.*) as "
                    f"{other.origin or 'another report'} with different inputs"
                )
            continue
        by_stem[job.stem] = job
        jobs.append(job)
    if problems:
        raise BuildError("\n".join(problems))
    return jobs


# --------------------------------------------------------------------------------------------
# Skip/rebuild decisions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """Whether a job runs, and why (shown by ``--dry-run`` and the summary)."""

    job: Job
    build: bool
    reason: str


def _outputs_on_disk(job: Job, out_dir: Path) -> list[Path]:
    suffixes = {"html": ".html", "pdf": ".pdf", "ipynb": ".ipynb"}
    return [
        out_dir / f"{job.stem}{suffixes[f]}"
        for f in job.request.formats
        if (out_dir / f"{job.stem}{suffixes[f]}").exists()
    ]


def decide(jobs: Sequence[Job], manifest: Manifest, *, force: bool = False) -> list[Decision]:
    """Skip a report whose inputs are unchanged and whose outputs all exist."""
    decisions = []
    for job in jobs:
        entry = manifest.reports.get(job.stem)
        if not entry:
            found = _outputs_on_disk(job, manifest.out_dir)
            reason = (
                f"replaces {', '.join(p.name for p in found)}, not made by a recorded build"
                if found
                else "new report (not in the manifest)"
            )
            decisions.append(Decision(job, True, reason))
        elif force:
            decisions.append(Decision(job, True, "forced"))
        elif entry.get("status") != "ok":
            decisions.append(Decision(job, True, "last build failed"))
        elif entry.get("key") != job.key:
            old = entry.get("inputs") or {}
            changed = [why for name, why in INPUTS.items() if old.get(name) != job.inputs.get(name)]
            decisions.append(Decision(job, True, ", ".join(changed) or "inputs changed"))
        else:
            outputs = entry.get("outputs") or {}
            missing = [
                f
                for f in job.request.formats
                if not outputs.get(f) or not (manifest.out_dir / outputs[f]).is_file()
            ]
            reason = "output missing" if missing else "up to date"
            decisions.append(Decision(job, bool(missing), reason))
    return decisions


def check_out_dir(out_dir: Path) -> None:
    """Fail before any kernel starts if reports cannot be written into ``out_dir``."""
    from .report import BuildError

    folder = Path(out_dir)
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise BuildError(f"output folder {folder}: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        verb = "is not writable" if probe == folder else f"cannot be created ({probe} is read-only)"
        raise BuildError(f"output folder {folder} {verb}")


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
    reuse_kernel: bool = False


def run_task(task: Task) -> ReportResult:
    """Worker entry point: one report, every failure returned in the result."""
    from .build import ReportResult, build_report

    try:
        return build_report(
            task.request,
            out_dir=task.out_dir,
            data_dir=task.data_dir,
            notebooks_dir=task.notebooks_dir,
            dataset=task.dataset,
            cell_timeout=task.cell_timeout,
            notebook_timeout=task.notebook_timeout,
            reuse_kernel=task.reuse_kernel,
        )
    except Exception as error:  # a bug, not a user error: still only this report fails
        log.exception("internal error building %s", task.request.notebook)
        result = ReportResult(request=task.request, status="failed")
        result.errors.append(f"internal error: {type(error).__name__}: {error}")
        return result


class InlineExecutor(Executor):
    """Runs each task in this process when submitted: for one report, or debugging."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:
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


def _worker_init() -> None:
    """Workers leave Ctrl-C to the main process, which stops them (no traceback per worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def warm_up() -> None:
    """Start the fork server now, so its imports overlap with loading and checking the data."""
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def make_executor(workers: int) -> Executor:
    """A process pool that never forks a process with threads (papermill + zmq dislike it)."""
    if workers <= 1:
        return InlineExecutor()
    return ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_worker_init)


def stop_children(grace: float = 3.0) -> int:
    """Stop every process this one started (workers, kernels, fork server); how many.

    The whole tree is listed first, so kernels are found while their worker still lives.
    Files they leave (connection files, sockets, scratch folders) are then swept.
    """
    import psutil

    from .execute import release_kernels
    from .kernelfiles import sweep_stale

    release_kernels()
    try:
        children = psutil.Process().children(recursive=True)
    except psutil.Error:
        return 0
    # The resource tracker is left alone: it exits once this process and the workers have
    # closed its pipe, and one stopped early is relaunched and complains.
    tracker = [c for c in children if "resource_tracker" in " ".join(_cmdline(c))]
    children = [c for c in children if c not in tracker]
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=grace)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(alive, timeout=grace)
    sweep_stale()
    return len(children)


def _cmdline(process: Any) -> list[str]:
    try:
        return list(process.cmdline())
    except Exception:  # psutil.Error: gone, or not ours to read
        return []


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
    not_run: list[Job] = field(default_factory=list)  # stopped before they ran

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_run


def _failed(job: Job, message: str) -> ReportResult:
    from .build import ReportResult

    result = ReportResult(request=job.request, stem=job.stem, status="failed")
    result.errors.append(message)
    return result


def _record(job: Job, result: ReportResult) -> Record:
    return Record(
        stem=job.stem,
        notebook=Path(job.request.notebook).stem,
        parameters=dict(job.request.parameters),
        formats=tuple(job.request.formats),
        key=job.key,
        inputs=job.inputs,
        ok=result.ok,
        errors=tuple(result.errors),
        outputs=result.outputs,
        failed_notebook=result.failed_notebook,
        timings=result.timings,
        meta=result.meta,
        notes=tuple(result.notes),
    )


def run_batch(
    decisions: Sequence[Decision],
    *,
    out_dir: Path,
    dataset: Dataset | None,
    data_dir: Path | None = None,
    notebooks_dir: Path | None = None,
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
    notebook_timeout: float | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    manifest: Manifest | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    plan_key: str | None = None,
    workers_alive: Callable[[], int] | None = None,
    worker_loss_timeout: float = DEFAULT_WORKER_LOSS_TIMEOUT,
) -> BatchResult:
    """Build the jobs that need it, record every result in the manifest, never raise for one.

    ``executor``: any :class:`concurrent.futures.Executor` (e.g. a Dask client's); it is
    not shut down here. Without one, a process pool of ``workers`` (default: the cores)
    is made, and rebuilt once if a worker process dies. ``workers_alive`` counts an
    external executor's workers: with none for ``worker_loss_timeout`` seconds, the
    reports not yet run fail, named. ``plan_key`` (a :func:`plan.quick_key` taken before
    the build) is recorded when every report ends good, so the next unchanged
    ``build --all`` can stop early.
    """
    from .execute import prestarted, release_kernels

    started = time.perf_counter()
    out_dir = Path(out_dir)
    manifest = manifest or Manifest.load(out_dir)
    manifest.set_plan(None)  # until this build is known to end all good
    batch = BatchResult()
    todo = [d.job for d in decisions if d.build]
    reasons = {d.job.stem: d.reason for d in decisions}
    for decision in decisions:
        if not decision.build:
            outcome = Outcome(decision.job, "up to date", reason=decision.reason)
            batch.outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    count = max(1, min(workers or default_workers(), len(todo)))

    def finish(job: Job, result: ReportResult, seconds: float) -> None:
        result.stem = result.stem or job.stem
        manifest.record(_record(job, result))
        manifest.save()
        status = "built" if result.ok else "failed"
        outcome = Outcome(job, status, result, reasons.get(job.stem, ""), seconds)
        batch.outcomes.append(outcome)
        if on_done:
            on_done(outcome)

    task_dirs = (
        Path(data_dir).resolve() if data_dir else None,
        Path(notebooks_dir).resolve() if notebooks_dir else None,
    )
    attempts: dict[str, int] = {}
    pending = list(todo)
    try:
        while pending:
            own = executor is None
            pool = executor or make_executor(count)
            retry: list[Job] = []
            futures: dict[Future, Job] = {}
            try:
                # Only in our processes (they stop their kernels); a one-off report uses the
                # kernel pre-started while the data was checked, if there is one.
                warm = own and (len(pending) > 1 or (count == 1 and prestarted()))
                for job in pending:
                    task = Task(job.request, out_dir, *task_dirs, dataset, cell_timeout,
                                notebook_timeout, reuse_kernel=warm)  # fmt: skip
                    futures[pool.submit(run_task, task)] = job
                waiting = set(futures)
                lost_since: float | None = None
                while waiting:
                    done, waiting = wait(waiting, timeout=1.0, return_when=FIRST_COMPLETED)
                    for future in done:
                        job = futures[future]
                        try:
                            result = future.result()
                        except BrokenProcessPool:
                            attempts[job.stem] = attempts.get(job.stem, 0) + 1
                            if own and attempts[job.stem] < 2:
                                retry.append(job)
                                continue
                            result = _failed(job, "the worker process died building this report")
                        except Exception as error:  # a Dask worker lost, unpicklable result
                            result = _failed(job, f"the executor failed: {error!r}")
                        finish(job, result, sum(result.timings.values()))
                    if workers_alive is not None and waiting:
                        if workers_alive() > 0:
                            lost_since = None
                        elif lost_since is None:
                            lost_since = time.monotonic()
                        elif time.monotonic() - lost_since > worker_loss_timeout:
                            names = ", ".join(futures[f].stem for f in waiting)
                            for future in waiting:
                                future.cancel()
                                message = (
                                    f"no Dask worker for {worker_loss_timeout:g} s; "
                                    f"these reports did not run: {names}"
                                )
                                finish(futures[future], _failed(futures[future], message), 0.0)
                            waiting = set()
            except BaseException:
                batch.not_run = [j for f, j in futures.items() if not f.done()] or pending
                if own:
                    stop_children()
                raise
            else:
                if own:
                    pool.shutdown(wait=True)  # workers shut their warm kernels down
            finally:
                if own:
                    pool.shutdown(wait=False, cancel_futures=True)
                    release_kernels()  # the inline executor's, in this process
            pending = retry
        if plan_key and batch.ok:
            stems = [d.job.stem for d in decisions]
            keys = {d.job.stem: d.job.key for d in decisions}
            manifest.set_plan({"key": plan_key, "reports": stems, "keys": keys})
    finally:
        manifest.save()
        batch.manifest = manifest.path
        write_index(out_dir, manifest)
        order = {d.job.stem: i for i, d in enumerate(decisions)}
        batch.outcomes.sort(key=lambda o: order.get(o.job.stem, len(order)))
        batch.seconds = time.perf_counter() - started
    return batch


# --------------------------------------------------------------------------------------------
# The whole build, as the command line runs it
# --------------------------------------------------------------------------------------------


@dataclass
class Schedule:
    """What a build will do, decided before any kernel starts (``--dry-run`` shows it)."""

    decisions: list[Decision]
    dataset: Dataset | None  # None when the checks came from the cache (loaded to build)
    out_dir: Path
    plan: Plan | None = None  # None for a one-off report
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
    """Check the environment, the data, the plan (or one NOTEBOOK with ``parameters``) and
    every report's parameters and output folder, then decide what to rebuild.

    Raises a :class:`errors.SceptreError` for a user's mistake, before anything runs.
    """
    from .kernelfiles import sweep_stale
    from .plan import quick_key, read_plan
    from .settings import source_date_epoch

    source_date_epoch()  # a bad value would fail every kernel, one by one
    out = Path(out_dir or paths.reports_dir())
    check_out_dir(out)
    if formats is not None and (not formats or any(f not in FORMATS for f in formats)):
        raise SceptreError(f"unknown formats {formats!r}; choose from {', '.join(FORMATS)}")
    sweep_stale()
    plan = read_plan(plan_path) if notebook is None else None
    one_off = {"notebook": notebook, "parameters": parameters} if notebook else None
    key = quick_key(plan_path, data_dir=data_dir, formats=formats, extra=one_off)
    jobs = _cached_jobs(key)
    dataset = None
    if jobs is None:  # check everything: data, plan, parameters (the slow part)
        dataset, jobs = _check(notebook, parameters, plan, formats, data_dir)
        _cache_jobs(key, jobs)
    decisions = decide(jobs, Manifest.load(out), force=force)
    plan_key = key if plan is not None else None
    return Schedule(decisions, dataset, out, plan, plan_key, data_dir)


def _check(
    notebook: str | None,
    parameters: dict[str, Any] | None,
    plan: Plan | None,
    formats: tuple[str, ...] | None,
    data_dir: Path | None,
) -> tuple[Dataset, list[Job]]:
    from .build import BuildError, ReportRequest
    from .load import load_dataset
    from .params import HIDDEN_PARAMETERS
    from .plan import expand

    dataset = load_dataset(data_dir)
    if plan is None:
        assert notebook is not None
        for name in sorted(set(parameters or {}) & HIDDEN_PARAMETERS):
            raise BuildError(
                f"-p {name}: set by the build, not by hand; use --data to build from another "
                "data folder"
            )
        reports: list[Any] = [
            ReportRequest(notebook, dict(parameters or {}), formats or DEFAULT_FORMATS)
        ]
    else:
        reports = expand(plan, dataset, formats=formats)
    return dataset, prepare_jobs(reports, dataset, data_dir=data_dir)


def _code_key(key: str) -> str:
    """The cache key: the inputs' hash and this package's code (edits to checks count)."""
    stamp = [
        (p.name, p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(Path(__file__).parent.glob("*.py"))
    ]
    return _sha(json.dumps([key, stamp]))


def _cache_jobs(key: str, jobs: list[Job]) -> None:
    from . import cache

    data = [
        {
            "notebook": j.request.notebook,
            "parameters": dict(j.request.parameters),
            "formats": list(j.request.formats),
            "stem": j.stem,
            "inputs": j.inputs,
            "origin": j.origin,
        }
        for j in jobs
    ]
    text = json.dumps(data, default=str)
    if json.loads(text) == json.loads(json.dumps(data, default=repr)):  # values round-trip
        cache.put("jobs", _code_key(key), text)


def _cached_jobs(key: str) -> list[Job] | None:
    """The checked jobs of an earlier run with byte-identical inputs, if cached."""
    from . import cache
    from .report import ReportRequest

    text = cache.get("jobs", _code_key(key))
    if text is None:
        return None
    try:
        return [
            Job(
                ReportRequest(d["notebook"], d["parameters"], tuple(d["formats"])),
                d["stem"],
                d["inputs"],
                d["origin"],
            )
            for d in json.loads(text)
        ]
    except (ValueError, KeyError, TypeError):
        return None


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
    worker_loss_timeout: float = DEFAULT_WORKER_LOSS_TIMEOUT,
) -> BatchResult:
    """Run a :class:`Schedule`: locally in a process pool, or on the Dask ``scheduler``.

    Options left ``None`` come from the plan, then the defaults; 0 means no limit.
    Raises :class:`build.BuildError` when the Dask scheduler cannot be reached.
    """
    from .build import BuildError

    settings = plan.plan
    executor, client, alive = None, None, None
    plan.out_dir.mkdir(parents=True, exist_ok=True)
    if scheduler:
        try:
            from distributed import Client
        except ImportError as error:
            raise BuildError(
                "--scheduler needs Dask: pip install 'sceptre-analysis[dask]'"
            ) from error
        try:
            client = Client(scheduler, timeout="10s")
        except Exception as error:  # OSError, TimeoutError, ValueError for a bad address
            raise BuildError(
                f"cannot reach the Dask scheduler at {scheduler!r}: {error} "
                "(expected an address such as tcp://host:8786)"
            ) from error
        executor = client.get_executor(pure=False)
        dask_client = client

        def alive() -> int:
            return len(dask_client.scheduler_info().get("workers", {}))

    elif (jobs or 0) != 1 and plan.to_build > 1:
        warm_up()
    dataset = plan.dataset
    if dataset is None and plan.to_build:
        from .load import load_dataset

        dataset = load_dataset(plan.data_dir)
    try:
        return run_batch(
            plan.decisions,
            out_dir=plan.out_dir,
            dataset=dataset,
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
            workers_alive=alive,
            worker_loss_timeout=worker_loss_timeout,
        )
    finally:
        if client is not None:
            client.close()
