"""The whole build as the command line runs it: check, decide, then run.

:func:`schedule` checks the environment, the data, the plan (or one notebook) and every
report before any kernel starts, and decides what to rebuild; checks that depend only on
input bytes are cached (:mod:`cache`), so an unchanged ``--dry-run`` answers without
loading the data. :func:`run_schedule` runs it locally or on a Dask scheduler.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import paths
from .batch import BatchResult, Outcome, run_batch, warm_up
from .errors import SceptreError
from .jobs import Decision, Job, check_out_dir, decide, prepare_jobs
from .manifest import Manifest
from .settings import (
    DEFAULT_CELL_TIMEOUT,
    DEFAULT_FORMATS,
    DEFAULT_NOTEBOOK_TIMEOUT,
    DEFAULT_WORKER_LOSS_TIMEOUT,
    FORMATS,
)

if TYPE_CHECKING:
    from .load import Dataset
    from .plan import Plan

__all__ = ["Schedule", "run_schedule", "schedule"]


def _sha(data: str) -> str:
    return hashlib.sha256(data.encode()).hexdigest()


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
    from .cache import code_stamp

    return _sha(json.dumps([key, code_stamp()]))


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
