"""A small on-disk cache of answers that depend only on input bytes (``list``, job checks).

Keys are content hashes (:func:`plan.quick_key`), so a hit is exactly as good as
recomputing: any changed byte of the data, plan, notebooks or templates is a miss. The
folder is ``$SCEPTRE_CACHE_DIR``, else ``$XDG_CACHE_HOME/sceptre-analysis``, else
``~/.cache/sceptre-analysis``; any failure to use it just means recomputing.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from .files import write_atomic

__all__ = ["cache_dir", "code_digest", "code_stamp", "get", "get_bytes", "put", "put_bytes"]

KEEP = 20  # entries per kind; older ones are removed
log = logging.getLogger(__name__)


def cache_dir() -> Path:
    if os.environ.get("SCEPTRE_CACHE_DIR"):
        return Path(os.environ["SCEPTRE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sceptre-analysis"


def get(kind: str, key: str) -> str | None:
    try:
        return (cache_dir() / kind / f"{key}.txt").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def put(kind: str, key: str, text: str) -> None:
    folder = cache_dir() / kind
    try:
        write_atomic(folder / f"{key}.txt", text)
        entries = sorted(folder.glob("*.txt"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError as error:
        log.debug("cache not written: %s", error)


def get_bytes(kind: str, key: str) -> bytes | None:
    try:
        return (cache_dir() / kind / f"{key}.bin").read_bytes()
    except OSError:
        return None


def put_bytes(kind: str, key: str, data: bytes) -> None:
    folder = cache_dir() / kind
    try:
        write_atomic(folder / f"{key}.bin", data)
        entries = sorted(folder.glob("*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:  # modification times only choose what to forget
            old.unlink(missing_ok=True)
    except OSError as error:
        log.debug("cache not written: %s", error)


def code_digest() -> str:
    """sha256 of the package's files (code and packaged data): a content key, so any edit is
    a miss however the file's times move."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(f"{path.relative_to(package).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def code_stamp() -> list[tuple[str, int, int]]:
    """Name, size and change time of the package's modules: an edit to a check is a miss."""
    package = Path(__file__).parent
    return [
        (p.relative_to(package).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(package.rglob("*.py"))
    ]
