"""``manifest.json`` in an output folder: the last build of each report, by output name.

It records each report's input hashes, status, timings, outputs and the metadata the
landing page shows. Two builds may write into one folder at the same time: every save
takes a file lock, re-reads the file and merges this build's entries into it, so no
build's entry is lost (the last writer wins only for the reports both builds made).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from .errors import SceptreError
from .files import write_atomic
from .settings import MANIFEST_NAME

__all__ = ["LOCK_NAME", "MANIFEST_FORMAT", "Manifest", "ManifestLocked", "Record"]

MANIFEST_FORMAT = 1
LOCK_NAME = ".manifest.lock"
LOCK_TIMEOUT = 120.0

log = logging.getLogger(__name__)


class ManifestLocked(SceptreError):
    """Another build held the output folder's lock for too long."""


@dataclass(frozen=True)
class Record:
    """What the manifest keeps about one finished report (built, failed or skipped)."""

    stem: str
    notebook: str
    parameters: Mapping[str, Any]
    formats: tuple[str, ...]
    key: str
    inputs: Mapping[str, str]
    ok: bool
    errors: tuple[str, ...] = ()
    outputs: Mapping[str, Path] | None = None
    failed_notebook: Path | None = None
    timings: Mapping[str, float] | None = None
    meta: Mapping[str, Any] | None = None
    notes: tuple[str, ...] = ()


def _valid_entry(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("outputs", {}), dict)
        and all(isinstance(v, str) for v in entry.get("outputs", {}).values())
        and isinstance(entry.get("key", ""), str)
        and isinstance(entry.get("status", ""), str)
        and isinstance(entry.get("inputs", {}), dict)
    )


def _read(path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Any] | None]:
    """Entries and the last all-good plan; a damaged file is treated as absent (warned)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None
    except (OSError, UnicodeDecodeError) as error:
        log.warning("%s: cannot read the manifest (%s); rebuilding everything", path, error)
        return {}, None
    try:
        data = json.loads(text)
    except ValueError as error:
        log.warning("%s: not valid JSON (%s); rebuilding everything", path, error)
        return {}, None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        log.warning("%s: not a format-%d manifest; rebuilding everything", path, MANIFEST_FORMAT)
        return {}, None
    reports = data.get("reports")
    plan = data.get("plan")
    if not isinstance(reports, dict):
        log.warning("%s: 'reports' is not a table; rebuilding everything", path)
        return {}, None
    bad = [stem for stem, entry in reports.items() if not _valid_entry(entry)]
    for stem in bad:
        log.warning("%s: entry %r has wrong types; rebuilding that report", path, stem)
        del reports[stem]
    return reports, plan if isinstance(plan, dict) and not bad else None


class Manifest:
    """The manifest of one output folder, as read at the start of a build."""

    def __init__(
        self,
        out_dir: Path,
        reports: dict[str, dict[str, Any]] | None = None,
        plan: dict[str, Any] | None = None,
    ):
        self.out_dir = Path(out_dir)
        self.reports: dict[str, dict[str, Any]] = reports or {}
        #: The last whole-plan build that ended all good: its plan key and reports.
        self.plan = plan
        self._changed: set[str] = set()
        self._plan_changed = False

    @property
    def path(self) -> Path:
        return self.out_dir / MANIFEST_NAME

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        """The manifest if there is a usable one; a damaged one means rebuild (with a warning)."""
        reports, plan = _read(Path(out_dir) / MANIFEST_NAME)
        return cls(out_dir, reports, plan)

    def set_plan(self, plan: dict[str, Any] | None) -> None:
        self.plan = plan
        self._plan_changed = True

    def record(self, record: Record) -> None:
        """Keep one report's result; :meth:`save` writes it."""
        previous = self.reports.get(record.stem) or {}
        outputs = {fmt: self._relative(p) for fmt, p in (record.outputs or {}).items()}
        self.reports[record.stem] = {
            "notebook": record.notebook,
            "parameters": json.loads(json.dumps(dict(record.parameters), default=str)),
            "formats": list(record.formats),
            "key": record.key,
            "inputs": dict(record.inputs),
            "status": "ok" if record.ok else "failed",
            "errors": list(record.errors),
            "notes": list(record.notes),
            "outputs": outputs or ({} if record.ok else previous.get("outputs", {})),
            "failed_notebook": self._relative(record.failed_notebook)
            if record.failed_notebook
            else None,
            "timings": {k: round(v, 3) for k, v in (record.timings or {}).items()},
            "meta": json.loads(json.dumps(dict(record.meta or {}), default=str)),
            "finished": datetime.now(UTC).replace(microsecond=0).isoformat(),
        }
        self._changed.add(record.stem)

    def _relative(self, path: Path) -> str:
        path = Path(path)
        try:
            return path.resolve().relative_to(self.out_dir.resolve()).as_posix()
        except ValueError:
            return str(path)

    def lock(self) -> FileLock:
        """The output folder's lock (a file beside the manifest)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.out_dir / LOCK_NAME), timeout=LOCK_TIMEOUT)

    def save(self) -> Path:
        """Merge this build's entries into the file on disk, under the folder's lock."""
        try:
            with self.lock():
                on_disk, plan = _read(self.path)
                for stem in self._changed:
                    on_disk[stem] = self.reports[stem]
                if self._plan_changed:
                    plan = self.plan
                self.reports = on_disk
                self.plan = plan
                data = {
                    "format": MANIFEST_FORMAT,
                    "plan": plan,
                    "reports": dict(sorted(on_disk.items())),
                }
                text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
                return write_atomic(self.path, text)
        except Timeout as error:
            raise ManifestLocked(
                f"{self.out_dir}: another build has held {LOCK_NAME} for {LOCK_TIMEOUT:g} s; "
                "wait for it, or delete the lock file if no build is running"
            ) from error
