"""What a report is, cheaply: the request, the result, finding notebooks, naming outputs.

No heavy imports here (no pandas, nbformat or papermill), so the command line's fast
paths (``--dry-run`` from the cache, ``list``) and the batch planner can use it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import paths
from .errors import SceptreError
from .files import safe_name
from .settings import DEFAULT_FORMATS

__all__ = [
    "BuildError",
    "ReportRequest",
    "ReportResult",
    "available_notebooks",
    "other_data_dir",
    "report_stem",
    "resolve_notebook",
]


class BuildError(SceptreError, ValueError):
    """A user mistake found before anything runs (unknown notebook, bad data or parameter)."""


@dataclass(frozen=True)
class ReportRequest:
    """One report to build: a notebook name and the parameters to run it with."""

    notebook: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    formats: tuple[str, ...] = DEFAULT_FORMATS


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
    meta: dict[str, Any] = field(default_factory=dict)  # the notebook's report metadata
    notes: list[str] = field(default_factory=list)  # e.g. "stale PDF removed"

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


def report_stem(
    notebook: str,
    parameters: Mapping[str, Any],
    data_dir: Path | None = None,
    hidden: frozenset[str] = frozenset(),
) -> str:
    """File name (without extension) for a report: readable, and unique per input set.

    Each parameter value is made safe for a file system (no separator, no ``..``) and
    lower-cased for reading; a short hash of the exact values and of the data folder (when
    not the project's) follows, so values that differ only in case or punctuation, or the
    same report built from other data, never share a name.
    """
    visible = {
        name: value
        for name, value in parameters.items()
        if name not in hidden and value not in (None, "")
    }
    parts = [safe_name(Path(notebook).stem)]
    parts += [safe_name(str(value)).lower() for value in visible.values()]
    stem = "__".join(parts)
    if visible or data_dir is not None:
        exact = {"parameters": visible, "data": str(data_dir) if data_dir else ""}
        digest = hashlib.sha256(json.dumps(exact, sort_keys=True, default=str).encode())
        stem = f"{stem[:139]}-{digest.hexdigest()[:8]}"
    return stem


def other_data_dir(data_dir: Path | None) -> Path | None:
    """The data folder when it is not the project's own (it then goes into file names)."""
    if data_dir is None:
        return None
    folder = Path(data_dir).resolve()
    folder = folder.parent if folder.is_file() else folder
    return None if folder == paths.data_dir().resolve() else folder
