"""What a build makes and why: each report checked into a :class:`Job` with the hashes of
its inputs, and the skip/rebuild :class:`Decision` against the manifest.

A report's *key* hashes its notebook's bytes, its resolved parameters, the data it reads
(all of it, or the slice its notebook declares), the formats, the package version and the
export templates. A report whose key matches the manifest and whose outputs exist is
skipped; otherwise the decision says which input changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, paths
from .manifest import Manifest

if TYPE_CHECKING:  # imported where used: the CLI's fast paths never load pandas
    from .load import Dataset
    from .plan import PlannedReport
    from .report import ReportRequest

__all__ = [
    "INPUTS",
    "Decision",
    "Job",
    "check_out_dir",
    "data_hash",
    "decide",
    "input_hashes",
    "prepare_jobs",
]

#: What goes into a report's key; each is compared so a rebuild can say why.
INPUTS = {
    "notebook": "notebook changed",
    "parameters": "parameters changed",
    "data": "data changed",
    "formats": "formats changed",
    "package": "package version changed",
    "templates": "export templates changed",
    "files": "a file it reads changed (draft, document)",
}


# --------------------------------------------------------------------------------------------
# Jobs and their keys
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """A checked report: what to run, where it writes, and the hashes of its inputs."""

    request: ReportRequest  # notebook as a resolved path, parameters resolved
    stem: str
    inputs: dict[str, str]
    origin: str = ""

    @property
    def key(self) -> str:
        return _sha(json.dumps(self.inputs, sort_keys=True))


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _templates_hash() -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in paths.TEMPLATES_DIR.rglob("*") if p.is_file()):
        digest.update(f"{file.relative_to(paths.TEMPLATES_DIR).as_posix()}\0".encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def data_hash(
    dataset: Dataset,
    parameters: dict[str, Any],
    reads: dict[str, str] | None = None,
    memo: dict[str, Any] | None = None,
) -> str:
    """Hash of the data a report reads: all of it, or its declared slice of the tallies.

    A slice is the tally rows whose columns equal the report's parameters (``reads``), plus
    every data file other than the tallies. A blank parameter or a missing column means
    the whole data (a blank week is "the latest", which moves when weeks are added).
    """
    tallies = dataset.tallies
    wanted = {column: parameters.get(name) for name, column in (reads or {}).items()}
    if not wanted or any(v in (None, "") or c not in tallies.columns for c, v in wanted.items()):
        return dataset.fingerprint()
    memo = {} if memo is None else memo  # one plan's jobs share the columns and files
    mask = None
    for column, value in wanted.items():
        if f"text:{column}" not in memo:
            memo[f"text:{column}"] = tallies[column].map(_as_text)
        text = memo[f"text:{column}"]
        mask = (text == str(value)) if mask is None else mask & (text == str(value))
    digest = hashlib.sha256(b"slice\0")
    digest.update(tallies[mask].to_csv(index=False).encode())
    if "others" not in memo:
        folder = Path(dataset.data_dir)
        memo["others"] = [
            part
            for file in sorted(p for p in folder.rglob("*.csv") if p.name != "tallies.csv")
            for part in (f"\0{file.relative_to(folder).as_posix()}\0".encode(), file.read_bytes())
        ]
    for part in memo["others"]:
        digest.update(part)
    return digest.hexdigest()


def _as_text(value: Any) -> str:
    """A cell as a parameter would spell it: dates as 2020-11-09."""
    if isinstance(value, datetime):  # pandas Timestamp (NaT is not one of these in text)
        try:
            return value.date().isoformat()
        except ValueError:
            return ""
    return str(value)


def input_hashes(
    notebook: Path,
    parameters: dict[str, Any],
    dataset: Dataset,
    formats: Sequence[str],
    *,
    templates: str | None = None,
    reads: dict[str, str] | None = None,
    files: dict[str, str] | None = None,
    memo: dict[str, Any] | None = None,
) -> dict[str, str]:
    """The hash of each input that decides a report's content, including the contents of the
    files its path parameters name (a draft, a document): editing one rebuilds the report."""
    hashes = {
        "notebook": _sha(Path(notebook).read_bytes()),
        "parameters": _sha(json.dumps(parameters, sort_keys=True, default=str)),
        "data": data_hash(dataset, parameters, reads, memo),
        "formats": ",".join(sorted(formats)),
        "package": __version__,
        "templates": templates if templates is not None else _templates_hash(),
    }
    if files:
        hashes["files"] = _sha(
            json.dumps({name: _file_sha(path) for name, path in files.items()}, sort_keys=True)
        )
    return hashes


def _file_sha(path: str) -> str:
    """A file's content hash; "missing" or "unreadable" so the report is rebuilt (and fails
    with its own message) once the file appears or can be read."""
    try:
        return _sha(Path(path).read_bytes())
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"


def prepare_jobs(
    reports: Iterable[PlannedReport | ReportRequest],
    dataset: Dataset,
    *,
    data_dir: Path | None = None,
    notebooks_dir: Path | None = None,
) -> list[Job]:
    """Check every report before any kernel starts; all problems are raised together.

    Raises :class:`build.BuildError` naming each bad report (and the plan entry it came
    from), or two reports that would write the same files.
    """
    from .build import BuildError, ReportRequest, prepare
    from .plan import PlannedReport

    jobs: list[Job] = []
    problems: list[str] = []
    templates = _templates_hash()
    memo: dict[str, Any] = {}
    by_stem: dict[str, Job] = {}
    for item in reports:
        planned = item if isinstance(item, PlannedReport) else PlannedReport(item)
        request = planned.request
        where = f"{planned.origin}: " if planned.origin else ""
        try:
            ready = prepare(
                request, data_dir=data_dir, notebooks_dir=notebooks_dir, dataset=dataset
            )
        except BuildError as error:
            problems.append(f"{where}{error}")
            continue
        job = Job(
            ReportRequest(str(ready.notebook), ready.parameters, tuple(request.formats)),
            ready.stem,
            input_hashes(
                ready.notebook,
                ready.parameters,
                dataset,
                request.formats,
                templates=templates,
                reads=ready.reads,
                files=ready.files,
                memo=memo,
            ),
            planned.origin,
        )
        other = by_stem.get(job.stem)
        if other is not None:
            if other.key != job.key:
                problems.append(
                    f"{where}would write the same files ({job.stem}.*) as "
                    f"{other.origin or 'another report'} with different inputs"
                )
            continue
        by_stem[job.stem] = job
        jobs.append(job)
    if problems:
        raise BuildError("\n".join(problems))
    return jobs


# --------------------------------------------------------------------------------------------
# Skip/rebuild decisions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """Whether a job runs, and why (shown by ``--dry-run`` and the summary)."""

    job: Job
    build: bool
    reason: str


def _outputs_on_disk(job: Job, out_dir: Path) -> list[Path]:
    suffixes = {"html": ".html", "pdf": ".pdf", "ipynb": ".ipynb"}
    return [
        out_dir / f"{job.stem}{suffixes[f]}"
        for f in job.request.formats
        if (out_dir / f"{job.stem}{suffixes[f]}").exists()
    ]


def decide(jobs: Sequence[Job], manifest: Manifest, *, force: bool = False) -> list[Decision]:
    """Skip a report whose inputs are unchanged and whose outputs all exist."""
    decisions = []
    for job in jobs:
        entry = manifest.reports.get(job.stem)
        if not entry:
            found = _outputs_on_disk(job, manifest.out_dir)
            reason = (
                f"replaces {', '.join(p.name for p in found)}, not made by a recorded build"
                if found
                else "new report (not in the manifest)"
            )
            decisions.append(Decision(job, True, reason))
        elif force:
            decisions.append(Decision(job, True, "forced"))
        elif entry.get("status") != "ok":
            decisions.append(Decision(job, True, "last build failed"))
        elif entry.get("key") != job.key:
            old = entry.get("inputs") or {}
            changed = [why for name, why in INPUTS.items() if old.get(name) != job.inputs.get(name)]
            decisions.append(Decision(job, True, ", ".join(changed) or "inputs changed"))
        else:
            outputs = entry.get("outputs") or {}
            missing = [
                f
                for f in job.request.formats
                if not outputs.get(f) or not (manifest.out_dir / outputs[f]).is_file()
            ]
            reason = "output missing" if missing else "up to date"
            decisions.append(Decision(job, bool(missing), reason))
    return decisions


def check_out_dir(out_dir: Path) -> None:
    """Fail before any kernel starts if reports cannot be written into ``out_dir``."""
    from .report import BuildError

    folder = Path(out_dir)
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise BuildError(f"output folder {folder}: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        verb = "is not writable" if probe == folder else f"cannot be created ({probe} is read-only)"
        raise BuildError(f"output folder {folder} {verb}")
