"""Safe file names and atomic writes: nothing half-written, nothing outside the output folder."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

__all__ = ["inside", "safe_name", "write_atomic"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str, *, max_length: int = 80) -> str:
    """Turn any text (e.g. a parameter value) into one harmless path component.

    Accents are folded to ASCII, separators and other characters become ``-``,
    and leading dots are stripped so ``..`` or ``.hidden`` cannot appear.
    """
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("-", folded).strip("-.")
    cleaned = re.sub(r"-{2,}", "-", cleaned)
    return cleaned[:max_length].rstrip("-.") or "untitled"


def inside(folder: Path, name: str) -> Path:
    """Join ``name`` to ``folder`` and refuse any result that escapes it."""
    base = Path(folder).resolve()
    target = (base / name).resolve()
    if target != base and base not in target.parents:
        raise ValueError(f"output name {name!r} would escape the output folder {base}")
    return target


def write_atomic(path: Path, data: bytes | str, *, encoding: str = "utf-8") -> Path:
    """Write to a temporary file in the same folder, then rename over ``path``.

    Readers see the old file or the new one, never a torn one, and a failure
    leaves no partial file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode(encoding) if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
