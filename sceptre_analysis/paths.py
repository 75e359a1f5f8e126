"""Where things live. Every other module asks here, so paths are decided in one place."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "PACKAGE_DIR",
    "TEMPLATES_DIR",
    "data_dir",
    "documents_dirs",
    "notebooks_dir",
    "project_root",
    "reports_dir",
]

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"


def project_root() -> Path:
    """The project checkout in a source/editable install; the bundled copy in a wheel install."""
    override = os.environ.get("SCEPTRE_PROJECT_ROOT")
    if override:
        return Path(override).resolve()
    checkout = PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "data").is_dir():
        return checkout
    return PACKAGE_DIR / "_project"


def data_dir() -> Path:
    """Folder holding ``sources.csv``, ``tallies.csv`` and ``measures.csv``."""
    return Path(os.environ.get("SCEPTRE_DATA_DIR") or project_root() / "data")


def notebooks_dir() -> Path:
    return Path(os.environ.get("SCEPTRE_NOTEBOOKS_DIR") or project_root() / "notebooks")


def reports_dir() -> Path:
    """Default output folder: ``reports/`` of the checkout, else of the working directory."""
    if os.environ.get("SCEPTRE_REPORTS_DIR"):
        return Path(os.environ["SCEPTRE_REPORTS_DIR"])
    root = project_root()
    if root == PACKAGE_DIR / "_project":
        return Path.cwd() / "reports"
    return root / "reports"


def documents_dirs(data: Path | None = None, extra: Iterable[str | Path] = ()) -> list[Path]:
    """The folders a source's saved document is looked for in, in order.

    First any folders named by the user (``--documents``), then ``<data folder>/documents``,
    the seed articles and the reference corpus beside the checkout
    (``../shared/seeds``, ``../shared/corpus/documents``), then the folders listed in
    ``SCEPTRE_DOCUMENTS_DIRS`` (separated like ``PATH``) and ``SCEPTRE_DOCUMENTS_DIR``.
    Folders that do not exist are left out; each folder appears once.
    """
    folder = Path(data) if data is not None else data_dir()
    shared = project_root().parent / "shared"
    candidates = [Path(p) for p in extra]
    candidates += [folder / "documents", shared / "seeds", shared / "corpus" / "documents"]
    listed = os.environ.get("SCEPTRE_DOCUMENTS_DIRS", "")
    candidates += [Path(p) for p in listed.split(os.pathsep) if p]
    if os.environ.get("SCEPTRE_DOCUMENTS_DIR"):
        candidates.append(Path(os.environ["SCEPTRE_DOCUMENTS_DIR"]))
    found: dict[Path, None] = {}
    for candidate in candidates:
        if candidate.is_dir():
            found.setdefault(candidate, None)
    return list(found)
