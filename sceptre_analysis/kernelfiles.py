"""Where kernels keep their files, and sweeping the ones a killed build left behind.

Connection files, IPC sockets and scratch folders carry the id of the process that made
them; :func:`sweep_stale` removes those whose process is gone. No heavy imports.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

__all__ = ["SCRATCH_PREFIX", "runtime_dir", "sweep_stale"]

log = logging.getLogger(__name__)

SCRATCH_PREFIX = "sceptre-exec-"


def runtime_dir() -> Path:
    """A private folder for connection files and IPC sockets (short path: socket names are)."""
    user = os.getuid() if hasattr(os, "getuid") else os.getpid()
    folder = Path(tempfile.gettempdir()) / f"sceptre-kernels-{user}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_OURS = {
    "k-": re.compile(r"^k-(\d+)-[0-9a-f]{12}(\.json|-ipc-\d+)$"),
    SCRATCH_PREFIX: re.compile(rf"^{SCRATCH_PREFIX}(\d+)-[a-z0-9_]+$"),
}


def _owner(name: str, prefix: str) -> int | None:
    """The process id in a name this module made, or None for any other name."""
    match = _OURS[prefix].match(name)
    return int(match.group(1)) if match else None


def sweep_stale() -> int:
    """Remove kernel files and scratch folders whose owning process is gone; how many."""
    removed = 0
    candidates = [(p, "k-") for p in runtime_dir().iterdir()]
    candidates += [(p, SCRATCH_PREFIX) for p in Path(tempfile.gettempdir()).iterdir()]
    for path, prefix in candidates:
        pid = _owner(path.name, prefix)
        if pid is None or _alive(pid):
            continue
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed += 1
        except OSError as error:
            log.debug("could not remove stale %s: %s", path, error)
    return removed
