"""Run a notebook with papermill on a real kernel from this environment.

A thin layer over :func:`papermill.execute_notebook`: it picks the kernel of the
running interpreter, keeps IPython history in memory (parallel kernels otherwise
fight over one SQLite file, papermill#239/#511), retries a kernel that fails to
start, and turns a failed cell into :class:`ExecutionFailed` carrying the
partially executed notebook with papermill's error banner.

Kernels are started here, not by nbclient, so parallel builds cannot race: each
kernel gets its own connection file and, on POSIX, IPC sockets instead of TCP
ports (the bind-then-release port pick is the race behind papermill#511). That
also lets a watchdog kill a kernel that overruns the whole-notebook timeout. Every
kernel runs one notebook and is shut down; its files carry the owning process id, so
files left by a process that was killed are swept by the next build (:func:`sweep_stale`).
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import uuid
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError
from papermill.utils import remove_args

from .kernelfiles import SCRATCH_PREFIX, runtime_dir, sweep_stale
from .settings import DEFAULT_CELL_TIMEOUT

__all__ = [
    "ExecutionFailed",
    "execute_notebook",
    "prestart",
    "prestarted",
    "release_kernels",
    "runtime_dir",
    "start_kernel",
    "sweep_stale",
]

KERNEL_ARGUMENTS = [
    "--HistoryManager.hist_file=:memory:",
    # Not the TCP-transport warning on every start, nor "KeyboardInterrupt caught" from the
    # SIGINT jupyter_client sends before every shutdown: cell errors come back as messages.
    "--IPKernelApp.log_level=CRITICAL",
]

log = logging.getLogger(__name__)

ENGINE = "sceptre"

ERROR_STYLE = (
    'style="color:red; font-family:Helvetica Neue, Helvetica, Arial, sans-serif; font-size:2em;"'
)
ERROR_MARKER_TAG = "papermill-error-cell-tag"  # papermill's, so its own tools strip ours too


class _KernelEngine(NBClientEngine):
    """papermill's nbclient engine, on a kernel we started (``km``); ``keep`` leaves it up."""

    @classmethod
    def execute_managed_notebook(  # type: ignore[override]
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: float = 60,
        execution_timeout: float | None = None,
        km: AsyncKernelManager | None = None,
        keep: bool = False,
        running: dict[str, Any] | None = None,
        kc: Any = None,
        **kwargs: Any,
    ) -> Any:
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        if running is not None:  # the notebook as it runs: what a timeout keeps
            running["nb_man"] = nb_man
        if kc is not None:  # a warm kernel's client, connected and ready: no 0.2 s handshake
            kc.allow_stdin = False
            if kwargs.get("on_notebook_start"):  # nbclient calls it only for its own client
                kwargs["on_notebook_start"](notebook=nb_man.nb)
        client = PapermillNotebookClient(
            nb_man,
            km=km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logging.getLogger("papermill"),
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            # Outputs are collected; a kernel not kept is never reused: no graceful wait.
            shutdown_kernel="immediate",
            **kwargs,
        )
        client.kc = kc  # after __init__, which sets it to None
        # cleanup_kc: shut the kernel down even though nbclient did not start it; a kept
        # kernel keeps its client too, for the next report.
        return client.execute(cleanup_kc=not keep)


papermill_engines.register(ENGINE, _KernelEngine)


def start_kernel(kernel_name: str = "python3", cwd: Path | None = None) -> AsyncKernelManager:
    """Launch a kernel process and return at once; nbclient waits for it to be ready.

    Its own connection file (never the shared default name) and IPC transport on
    POSIX: no two kernels can pick the same port or socket.
    """
    km = AsyncKernelManager(
        kernel_name=kernel_name,
        transport="ipc" if os.name == "posix" else "tcp",
        connection_file=str(runtime_dir() / f"k-{os.getpid()}-{uuid.uuid4().hex[:12]}.json"),
    )
    run_sync(km.start_kernel)(extra_arguments=KERNEL_ARGUMENTS, cwd=str(cwd) if cwd else None)
    return km


def _discard(km: AsyncKernelManager | None) -> None:
    """Stop a kernel and remove its files; quiet if it is already gone."""
    if km is None:
        return
    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
        run_sync(km.cleanup_resources)()
    except Exception as error:  # best effort: a dead kernel can fail in many ways
        log.debug("kernel cleanup failed: %s", error)


def _kill(km: AsyncKernelManager) -> None:
    process = getattr(km.provisioner, "process", None)
    if process is not None and process.poll() is None:
        process.kill()


def mark_failed_cell(nb: nbformat.NotebookNode, message: str) -> int | None:
    """Put papermill-style banners on a notebook stopped by a timeout or a dead kernel.

    papermill marks a cell that raised; a cell that never returned is the last one
    that started. Returns its index in the original notebook (None if none started).
    """
    started = _started_cells(nb)
    if not started:
        return None
    index = started[-1]
    cell = nb.cells[index]
    label = cell.get("execution_count") or f"#{index}"
    top = nbformat.v4.new_markdown_cell(
        f"<span {ERROR_STYLE}>Execution stopped at "
        f"'<a href=\"#papermill-error-cell\">In [{label}]</a>': {message}.</span>"
    )
    anchor = nbformat.v4.new_markdown_cell(
        f'<span id="papermill-error-cell" {ERROR_STYLE}>Execution stopped here: {message}.</span>'
    )
    for banner in (top, anchor):
        banner.metadata["tags"] = [ERROR_MARKER_TAG]
    nb.cells.insert(index, anchor)
    nb.cells.insert(0, top)
    return index


def _started_cells(nb: nbformat.NotebookNode) -> list[int]:
    return [
        i
        for i, cell in enumerate(nb.cells)
        if cell.get("cell_type") == "code"
        and (cell.get("metadata", {}).get("papermill", {}) or {}).get("start_time")
    ]


def _any_cell_started(nb: nbformat.NotebookNode | None) -> bool:
    return nb is not None and bool(_started_cells(nb))


def _cell_name(nb: nbformat.NotebookNode | None, index: int | None) -> str:
    if nb is None or index is None:
        return "a cell"
    cell = nb.cells[index + 2]  # after the two banners
    first = (cell.get("source") or "").strip().splitlines()[:1]
    count = cell.get("execution_count")
    label = f"cell {count}" if count else f"cell #{index}"
    return label + (f" ({first[0][:60]})" if first else "")


class ExecutionFailed(RuntimeError):
    """A cell raised (or timed out); ``notebook`` holds what ran, with the error marked."""

    def __init__(self, message: str, notebook: nbformat.NotebookNode | None, cell: int | None):
        super().__init__(message)
        self.notebook = notebook
        self.cell = cell


def _summary(error: PapermillExecutionError) -> str:
    first_line = (error.source or "").strip().splitlines()[:1]
    where = f"cell {error.exec_count}" if error.exec_count else f"cell #{error.cell_index}"
    code = f" ({first_line[0][:60]!s})" if first_line else ""
    return f"{where}{code} raised {error.ename}: {error.evalue}".strip()


def _read(path: Path) -> nbformat.NotebookNode | None:
    return nbformat.read(path, as_version=4) if path.exists() else None


def _partial(running: Mapping[str, Any], output: Path) -> nbformat.NotebookNode | None:
    """The notebook as far as it ran, written and read back as papermill would save it."""
    nb_man = running.get("nb_man")
    if nb_man is not None:
        nbformat.write(nb_man.nb, output)
    return _read(output)


# --------------------------------------------------------------------------------------------
# Warm kernels: one per worker process, reused for the next report with a clean namespace
# --------------------------------------------------------------------------------------------

WARM_UP = """\
import gc, importlib, os, sys, types, warnings
import matplotlib, matplotlib.pyplot, pandas
import IPython.display
try:  # what the report notebooks import (1 s); a notebook of another project still runs
    importlib.import_module("sceptre_analysis.summary")
except Exception:
    pass
_state = types.ModuleType("_sceptre_warm")
_state.cwd, _state.path = os.getcwd(), list(sys.path)
_state.environ, _state.filters = dict(os.environ), list(warnings.filters)
_state.rc = matplotlib.rcParams.copy()
sys.modules["_sceptre_warm"] = _state
del importlib, os, sys, types, warnings, matplotlib, pandas, IPython, _state
gc.collect()
gc.freeze()
del gc
"""
"""Run once in a new warm kernel: the heavy imports, then a snapshot of the state to restore.

``gc.freeze()`` moves what the imports made out of the collector's sight: the full
collection in each ``%reset`` then scans only a report's own objects (0.3 s -> 2 ms each).
"""

RESET = """\
get_ipython().run_line_magic("reset", "-f")
def _sceptre_reset(folder):
    import os, sys, warnings
    import matplotlib, matplotlib.pyplot, pandas
    state = sys.modules["_sceptre_warm"]
    matplotlib.pyplot.close("all")
    matplotlib.rcParams.update(state.rc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pandas.reset_option("all")
    warnings.filters[:] = state.filters
    os.environ.clear()
    os.environ.update(state.environ)
    sys.path[:] = state.path
    os.chdir(folder)
_sceptre_reset({folder!r})
get_ipython().run_line_magic("reset", "-f")
"""
"""Run before a kept kernel's next report: no global, figure or option of the last one left."""


@dataclass
class _Warm:
    """A kept kernel and its client: connected and ready, so a report skips the handshake
    (``wait_for_ready`` drains IOPub for 0.2 s, once per client)."""

    km: AsyncKernelManager
    kc: Any  # jupyter_client's AsyncKernelClient, channels started
    uses: int = 0


_kept: dict[str, _Warm] = {}
MAX_USES = 50  # a fresh kernel now and then bounds what module-level state can build up

_starting: dict[str, Future[_Warm]] = {}  # kernel name -> a kernel warming up
_thread: ThreadPoolExecutor | None = None


def _kernel_thread() -> ThreadPoolExecutor:
    """The one thread that talks to this process's warm kernels.

    A kernel client's sockets belong to the event loop of the thread that made them, so
    a kept client is only ever used from here; it also keeps nbclient's signal handling
    off the main thread (see :func:`_in_thread`). Made on first use, never at import: a
    fork server must not hold threads.
    """
    global _thread
    if _thread is None:
        _thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sceptre-kernel")
    return _thread


def _on_kernel_thread(fn: Any, /, **kwargs: Any) -> Any:
    if threading.current_thread().name.startswith("sceptre-kernel"):
        return fn(**kwargs)
    return _kernel_thread().submit(fn, **kwargs).result()


def _run_code(kc: Any, code: str, timeout: float = 120) -> bool:
    """Run code in the kernel outside any notebook; True if it ran without error."""
    try:
        reply = run_sync(kc.execute_interactive)(
            code, silent=True, store_history=False, timeout=timeout, output_hook=lambda _: None
        )
        return bool(reply and reply["content"].get("status") == "ok")
    except Exception as error:  # a kernel that cannot be reset is simply not reused
        log.debug("kernel code failed: %s", error)
        return False


def _new_warm_kernel(kernel_name: str, folder: Path, start_timeout: float = 60) -> _Warm:
    km = start_kernel(kernel_name, folder)
    warm = _Warm(km, km.client())
    try:
        warm.kc.start_channels()
        run_sync(warm.kc.wait_for_ready)(timeout=start_timeout)
    except BaseException:
        _discard_warm(warm)
        raise
    if not _run_code(warm.kc, WARM_UP):
        log.debug("warm-up failed; the kernel runs one report only")
        warm.uses = MAX_USES
    return warm


def _discard_warm(warm: _Warm) -> None:
    try:
        warm.kc.stop_channels()
    except Exception as error:  # best effort, like _discard
        log.debug("kernel client not stopped: %s", error)
    _discard(warm.km)


def prestart(kernel_name: str = "python3", cwd: Path | None = None) -> None:
    """Start warming a kernel now, in the kernel thread, while this process checks the data.

    For a one-off build: the kernel's start-up and imports (another process, another core)
    overlap the checks, and :func:`execute_notebook` with ``reuse_kernel`` picks it up.
    """
    if kernel_name in _kept or kernel_name in _starting:
        return
    folder = Path(cwd or os.getcwd())
    _starting[kernel_name] = _kernel_thread().submit(_new_warm_kernel, kernel_name, folder)


def prestarted() -> bool:
    return bool(_starting)


def _warm_kernel(kernel_name: str, folder: Path, start_timeout: float = 60) -> _Warm:
    """A kept kernel, reset for a new report; or a new one, warmed up and kept.

    Runs on the kernel thread (a pre-started kernel's future is done by then: one thread).
    """
    starting = _starting.pop(kernel_name, None)
    if starting is not None:
        try:
            old = _kept.pop(kernel_name, None)
            _kept[kernel_name] = starting.result()
            if old is not None:
                _discard_warm(old)
        except Exception as error:  # the report starts its own kernel instead
            log.debug("pre-started kernel failed: %s", error)
    warm = _kept.pop(kernel_name, None)
    if warm is not None:
        usable = warm.km.has_kernel and warm.uses < MAX_USES
        if usable and _run_code(warm.kc, RESET.format(folder=str(folder))):
            return warm
        _discard_warm(warm)
    return _new_warm_kernel(kernel_name, folder, start_timeout)


def release_kernels() -> None:
    """Shut down the kernels this process kept (end of a batch, process exit)."""
    while _starting:
        _, future = _starting.popitem()
        try:
            _discard_warm(future.result(timeout=120))
        except Exception as error:
            log.debug("pre-started kernel not released: %s", error)
    while _kept:
        _, warm = _kept.popitem()
        _discard_warm(warm)


def _release_at_exit() -> None:
    import atexit
    from multiprocessing import util

    atexit.register(release_kernels)
    util.Finalize(None, release_kernels, exitpriority=10)  # pool workers skip atexit


_release_at_exit()


def _in_thread(fn: Any, /, **kwargs: Any) -> Any:
    """Run ``fn`` in a helper thread, so Ctrl-C and SIGTERM reach this thread's handlers.

    nbclient takes over SIGINT/SIGTERM when run on the main thread (and resets SIGTERM to
    the default after), which would turn a stop request into one failed report.
    """
    if threading.current_thread() is not threading.main_thread():
        return fn(**kwargs)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sceptre-exec")
    try:
        return pool.submit(fn, **kwargs).result()
    finally:
        pool.shutdown(wait=False)


def execute_notebook(
    notebook: Path,
    parameters: Mapping[str, Any],
    *,
    cwd: Path | None = None,
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
    start_timeout: float = 60,
    kernel_name: str = "python3",
    start_retries: int = 1,
    notebook_timeout: float | None = None,
    reuse_kernel: bool = False,
) -> nbformat.NotebookNode:
    """Execute ``notebook`` with ``parameters`` injected; return the executed notebook.

    Nothing is written next to the source notebook: papermill's output goes to a
    private temporary file, and the caller decides what to keep. A run longer than
    ``notebook_timeout`` seconds (counted from the first cell, not the kernel start) has
    its kernel killed and fails like a dead kernel. ``reuse_kernel`` runs on this
    process's warm kernel (imports done, namespace reset) and keeps it if all went well.
    """
    notebook = Path(notebook)
    folder = Path(cwd or notebook.parent)
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-") as scratch:
        output = Path(scratch) / notebook.name
        attempt = 0
        while True:
            km: AsyncKernelManager | None = None
            warm: _Warm | None = None
            watchdog: threading.Timer | None = None
            overran = threading.Event()
            running: dict[str, Any] = {}
            keep = False
            run = _on_kernel_thread if reuse_kernel else _in_thread
            try:
                if reuse_kernel:
                    warm = run(
                        _warm_kernel,
                        kernel_name=kernel_name,
                        folder=folder,
                        start_timeout=start_timeout,
                    )
                    km = warm.km
                else:
                    km = start_kernel(kernel_name, folder)

                def start_watchdog(
                    km: AsyncKernelManager = km, overran: threading.Event = overran, **_: Any
                ) -> None:
                    nonlocal watchdog

                    def stop() -> None:
                        overran.set()
                        _kill(km)

                    if notebook_timeout:
                        watchdog = threading.Timer(notebook_timeout, stop)
                        watchdog.daemon = True
                        watchdog.start()

                executed = run(
                    papermill.execute_notebook,
                    input_path=str(notebook),
                    output_path=str(output),
                    parameters=dict(parameters),
                    engine_name=ENGINE,
                    kernel_name=kernel_name,
                    # No cwd: the kernel was started in ``folder``, and papermill's chdir
                    # would change the whole process's directory under other threads.
                    cwd=None,
                    progress_bar=False,
                    log_output=False,
                    # Not saved after each cell (papermill writes and validates the whole
                    # notebook 2-3 times per cell): a timeout or dead kernel keeps what ran
                    # from ``running``, the notebook in memory.
                    request_save_on_cell_execute=False,
                    running=running,
                    start_timeout=start_timeout,
                    execution_timeout=cell_timeout,
                    km=km,
                    kc=warm.kc if warm is not None else None,
                    keep=reuse_kernel,
                    on_notebook_start=start_watchdog,
                )
                keep = reuse_kernel and not overran.is_set()
                return executed
            except PapermillExecutionError as error:
                raise ExecutionFailed(_summary(error), _read(output), error.cell_index) from error
            except (CellTimeoutError, DeadKernelError) as error:
                if overran.is_set():
                    why = f"ran past the notebook timeout ({notebook_timeout:g} s); kernel stopped"
                elif isinstance(error, CellTimeoutError):
                    why = f"ran longer than the cell timeout ({cell_timeout:g} s)"
                else:
                    why = "the kernel died while running it"
                partial = _partial(running, output)
                index = mark_failed_cell(partial, why) if partial is not None else None
                message = f"{_cell_name(partial, index)} {why}" if index is not None else why
                raise ExecutionFailed(message, partial, index) from error
            except (RuntimeError, TimeoutError) as error:
                # A kernel that never came up: nothing ran yet, so one clean retry is safe.
                started = _any_cell_started(_partial(running, output))
                if started or attempt >= start_retries or "kernel" not in str(error).lower():
                    raise ExecutionFailed(f"kernel failed: {error}", None, None) from error
                attempt += 1
                log.warning("kernel failed to start (%s); retrying", error)
            finally:
                if watchdog is not None:
                    watchdog.cancel()
                if keep and warm is not None:
                    warm.uses += 1
                    _kept[kernel_name] = warm
                elif warm is not None:
                    _discard_warm(warm)
                else:
                    _discard(km)
