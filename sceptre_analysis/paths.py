"""Where things live. Every other module asks here, so paths are decided in one place."""

from __future__ import annotations

import os
from pathlib import Path

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


def documents_dir() -> Path | None:
    """Folder of source documents that quotes are checked against, when one is available.

    The articles are not copied into the repository; in a checkout they sit in
    ``../shared/seeds``. ``SCEPTRE_DOCUMENTS_DIR`` points elsewhere.
    """
    override = os.environ.get("SCEPTRE_DOCUMENTS_DIR")
    if override:
        return Path(override)
    for candidate in (data_dir() / "documents", project_root().parent / "shared" / "seeds"):
        if candidate.is_dir():
            return candidate
    return None
