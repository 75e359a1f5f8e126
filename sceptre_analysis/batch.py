"""Run checked reports: in parallel, surviving a broken one, stoppable at any moment.

* **Parallel.** Reports run on any :class:`concurrent.futures.Executor`: by default a
  process pool (one worker per core, ``forkserver`` on POSIX with the heavy modules
  preloaded, so a worker starts warm; each worker keeps one warm kernel), or a Dask
  cluster's ``Client.get_executor()``.
* **Fault isolation.** A failing report is a result, not an exception: the others go on,
  its partial notebook is kept as ``<stem>.failed.ipynb``, and a worker process that dies
  takes down only the reports it was running (they are retried once in a new pool).
* **Recorded.** Each finished report goes into the manifest at once (:mod:`manifest`),
  and the folder's landing page is rewritten at the end (:mod:`landing`).
* **Stopping.** Ctrl-C or SIGTERM stops every worker and kernel this build started
  (:func:`stop_children`); reports already built and the manifest are kept.

What to build is decided in :mod:`jobs`; the whole command-line build in :mod:`schedule`.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .jobs import Decision, Job
from .landing import write_index
from .manifest import Manifest, Record
from .settings import DEFAULT_CELL_TIMEOUT, DEFAULT_WORKER_LOSS_TIMEOUT

if TYPE_CHECKING:  # imported where used: the CLI's fast paths never load pandas
    from .build import ReportRequest, ReportResult
    from .load import Dataset

__all__ = [
    "BatchResult",
    "Outcome",
    "default_workers",
    "make_executor",
    "run_batch",
    "stop_children",
]

log = logging.getLogger(__name__)

# Modules every worker needs: imported once in the forkserver, inherited by each worker.
PRELOAD = [
    "sceptre_analysis.build",
    "sceptre_analysis.execute",
    "sceptre_analysis.export",
    "sceptre_analysis._preload",
]


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
    """Workers leave Ctrl-C to the main process, which stops them (no traceback per worker).

    ``gc.freeze()``: what the worker inherited (pandas, nbconvert, WeasyPrint...) is out of
    the collector's sight, so each full collection during an export scans only the report's
    own objects (an export's CPU time 15-25 % lower, measured on three report kinds).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()


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
