"""Static checks that run with the tests: mypy passes, and every ``__all__`` tells the truth."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import sceptre_analysis

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    m.name
    for m in pkgutil.iter_modules(sceptre_analysis.__path__, "sceptre_analysis.")
    if not m.name.rsplit(".", 1)[1].startswith("_")
)


def test_mypy_passes_on_the_package():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--config-file", "pyproject.toml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_only_public_names_that_exist(name):
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    if exported is None:
        pytest.skip(f"{name} declares no __all__")
    assert len(exported) == len(set(exported)), f"{name}: duplicates in __all__"
    missing = [n for n in exported if not hasattr(module, n)]
    assert missing == [], f"{name}.__all__ names what it does not define: {missing}"
    private = [n for n in exported if n.startswith("_") and n != "__version__"]
    assert private == [], f"{name}.__all__ exports private names: {private}"
