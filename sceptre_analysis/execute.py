"""Run a notebook with papermill on a real kernel from this environment.

A thin layer over :func:`papermill.execute_notebook`: it picks the kernel of the
running interpreter, keeps IPython history in memory (parallel kernels otherwise
fight over one SQLite file, papermill#239/#511), retries a kernel that fails to
start, and turns a failed cell into :class:`ExecutionFailed` carrying the
partially executed notebook with papermill's error banner.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
import papermill
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.exceptions import PapermillExecutionError

__all__ = ["DEFAULT_CELL_TIMEOUT", "ExecutionFailed", "execute_notebook"]

DEFAULT_CELL_TIMEOUT = 120
"""Seconds one cell may run before the report fails (``None`` waits for ever)."""

KERNEL_ARGUMENTS = [
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.log_level=ERROR",  # not the TCP-transport warning on every start
]

log = logging.getLogger(__name__)


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


def execute_notebook(
    notebook: Path,
    parameters: Mapping[str, Any],
    *,
    cwd: Path | None = None,
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
    start_timeout: float = 60,
    kernel_name: str = "python3",
    start_retries: int = 1,
) -> nbformat.NotebookNode:
    """Execute ``notebook`` with ``parameters`` injected; return the executed notebook.

    Nothing is written next to the source notebook: papermill's output goes to a
    private temporary file, and the caller decides what to keep.
    """
    notebook = Path(notebook)
    with tempfile.TemporaryDirectory(prefix="sceptre-exec-") as scratch:
        output = Path(scratch) / notebook.name
        attempt = 0
        while True:
            try:
                return papermill.execute_notebook(
                    str(notebook),
                    str(output),
                    parameters=dict(parameters),
                    kernel_name=kernel_name,
                    cwd=str(cwd or notebook.parent),
                    progress_bar=False,
                    log_output=False,
                    # Saved after each cell so a timeout or dead kernel keeps what ran.
                    request_save_on_cell_execute=True,
                    start_timeout=start_timeout,
                    execution_timeout=cell_timeout,
                    extra_arguments=KERNEL_ARGUMENTS,
                )
            except PapermillExecutionError as error:
                raise ExecutionFailed(_summary(error), _read(output), error.cell_index) from error
            except CellTimeoutError as error:
                message = f"a cell ran longer than the cell timeout ({cell_timeout} s)"
                raise ExecutionFailed(message, _read(output), None) from error
            except DeadKernelError as error:
                message = f"the kernel died while running the notebook ({error})"
                raise ExecutionFailed(message, _read(output), None) from error
            except (RuntimeError, TimeoutError) as error:
                # A kernel that never came up: nothing ran yet, so one clean retry is safe.
                started = output.exists()
                if started or attempt >= start_retries or "kernel" not in str(error).lower():
                    raise ExecutionFailed(f"kernel failed: {error}", None, None) from error
                attempt += 1
                log.warning("kernel failed to start (%s); retrying", error)
