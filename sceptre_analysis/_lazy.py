"""Defer ``rfc3987_syntax`` until it is used: it builds ~40 lark grammars at import.

``jsonschema`` imports it at module load only to register the "iri" format checks, and
nbformat imports ``jsonschema`` to validate every notebook it reads, so each process that
reads a notebook paid 1.3 s (more on a loaded machine) for a check nbformat never runs (its
validator uses no format checker). This installs a stand-in module whose
``is_valid_syntax`` imports the real package on first call, so "iri" checks still give the
real answer. The proper fix is upstream: a lazy import in jsonschema's ``_format.py`` (or
lazy grammars in rfc3987-syntax); see bench/bench_cli.py for the measurement.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

__all__ = ["install"]

NAME = "rfc3987_syntax"


def _real() -> types.ModuleType:
    shim = sys.modules.pop(NAME, None)
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _Finder)]
    try:
        return importlib.import_module(NAME)
    except BaseException:
        if shim is not None:
            sys.modules[NAME] = shim
        raise


def _is_valid_syntax(*args: Any, **kwargs: Any) -> Any:
    return _real().is_valid_syntax(*args, **kwargs)


def _getattr(attr: str) -> Any:
    if attr.startswith("__"):  # the import system probes __path__ and friends
        raise AttributeError(attr)
    return getattr(_real(), attr)


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != NAME or importlib.machinery.PathFinder.find_spec(NAME) is None:
            return None  # not installed: jsonschema skips the checks, as without us
        return importlib.machinery.ModuleSpec(NAME, self)

    def create_module(self, spec: Any) -> types.ModuleType:
        module = types.ModuleType(NAME, "stand-in: the real module loads on first use")
        module.is_valid_syntax = _is_valid_syntax  # type: ignore[attr-defined]
        module.__getattr__ = _getattr  # type: ignore[method-assign]
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


def install() -> None:
    """Idempotent; does nothing when the real module is already imported."""
    if NAME in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())
