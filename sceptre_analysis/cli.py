"""``sceptre-report``: a thin command line over the library. It parses and prints; nothing else.

The library's heavy modules (pandas, papermill, nbconvert) are imported inside the
commands, so ``build --all`` with nothing changed answers before loading them. The
library logs (``--log-level``); only this module prints.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__, paths
from .errors import SceptreError
from .settings import DEFAULT_CELL_TIMEOUT, DEFAULT_NOTEBOOK_TIMEOUT, FORMATS, PLAN_FILE, TABLE

if TYPE_CHECKING:
    from .batch import BatchResult, Outcome
    from .jobs import Decision
    from .schedule import Schedule

__all__ = ["main"]

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_STOPPED = 130


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(click.style("error: ", fg="red", bold=True) + message, err=True)
    sys.exit(code)


class _Handler(logging.Handler):
    """Library log records as ``warning: ...`` lines on stderr (click, so tests capture them)."""

    def emit(self, record: logging.LogRecord) -> None:
        level = record.levelname.lower()
        click.echo(f"{level}: {record.getMessage()}", err=True)


def _parse_parameters(pairs: tuple[str, ...]) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            _fail(
                f"parameter {pair!r} is not of the form key=value "
                "(e.g. -p agency='British Transport Police')"
            )
        parameters[name.strip()] = value
    return parameters


def _parse_formats(text: str) -> tuple[str, ...]:
    formats = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        _fail(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}")
    return formats


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sceptre-report")
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
    default="warning",
    show_default=True,
    help="How much the library reports on stderr.",
)
def main(log_level: str) -> None:
    """Checked, cited tallies from knife-crime weeks of action, and the reports built from them."""
    root = logging.getLogger("sceptre_analysis")
    root.handlers[:] = [_Handler()]
    root.setLevel(log_level.upper())


@main.command("validate")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--documents",
    type=click.Path(path_type=Path, file_okay=False),
    multiple=True,
    help="A folder of source documents to look in first (repeatable; the usual folders are "
    "searched too: data/documents, ../shared/seeds, ../shared/corpus/documents, "
    "SCEPTRE_DOCUMENTS_DIRS).",
)
@click.option("--no-documents", is_flag=True, help="Skip the check of quotes against documents.")
def validate_command(path: Path | None, documents: tuple[Path, ...], no_documents: bool) -> None:
    """Check the data files in PATH (default: the project's data/) and report every problem."""
    from .load import DataFolderError, DataValidationError, load_dataset

    target = path or paths.data_dir()
    docs = None if no_documents else (list(documents) or "auto")
    try:  # one read: the load reports every problem at once, or returns the checked data
        dataset = load_dataset(target, documents=docs)
    except DataFolderError as error:  # a mistake in the command, not a problem in the data
        _fail(str(error))
    except DataValidationError as error:
        for problem in error.problems:
            click.echo(str(problem))
        s = "" if len(error.problems) == 1 else "s"
        _fail(f"{len(error.problems)} problem{s} in {target}", EXIT_FAILED)
    for line in _validate_summary(dataset, target, no_documents):
        click.echo(line)


def _validate_summary(dataset, target: Path, no_documents: bool) -> list[str]:
    """What validate checked, and what it could not: never claims an unchecked quote."""
    from .schema import escape

    sources = dataset.sources
    lines = [
        f"{target}: OK — {len(dataset.tallies)} tallies from {len(sources)} sources, "
        f"{len(dataset.measures)} measures"
    ]
    verified = sources[sources["verified"]]
    unverified = sources[~sources["verified"]]
    if no_documents:
        lines.append("  quotes not checked (--no-documents): every source is not verified")
    elif not dataset.documents_dirs:
        lines.append(
            "  quotes NOT checked: no documents folder found (see --documents); every source "
            "is not verified"
        )
    else:
        folders = ", ".join(str(f) for f in dataset.documents_dirs)
        lines.append(
            f"  quotes checked against the documents of {len(verified)} of {len(sources)} "
            f"sources (looked in {folders})"
        )
    if not unverified.empty and not no_documents and dataset.documents_dirs:
        names = ", ".join(escape(str(s)) for s in unverified["source_id"])
        lines.append(
            f"  not verified: {len(unverified)} source{'s' if len(unverified) != 1 else ''} "
            f"without a document, quotes not checked: {names}"
        )
    unplaced = dataset.unplaced()
    if unplaced.empty:
        lines.append("  weeks: every claim is placed in a week")
    else:
        lines.append(f"  weeks: {len(unplaced)} claims cannot be placed in a week:")
        lines += [
            f"    tallies.csv:{row.line}: {escape(row.reason)}" for row in unplaced.itertuples()
        ]
    return lines


@main.command("list")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Data folder.")
def list_command(data_dir: Path | None) -> None:
    """List the report notebooks and their parameters (type, default, allowed values)."""
    from . import cache
    from .plan import quick_key

    key = quick_key(None, data_dir=data_dir, extra={"command": "list", "code": cache.code_stamp()})
    text = cache.get("list", key)
    if text is None:  # the answer depends only on these input bytes: computed once
        lines, broken = _list_lines(data_dir)
        text = "\n".join(lines)
        if broken:
            click.echo(text)
            _fail(f"{broken} notebook(s) could not be read", EXIT_FAILED)
        cache.put("list", key, text)
    click.echo(text)


def _list_lines(data_dir: Path | None) -> tuple[list[str], int]:
    from .load import DataValidationError, load_dataset
    from .params import CHOICES, LISTS, allowed_values, blank_documented, notebook_parameters
    from .report import available_notebooks

    try:
        dataset = load_dataset(data_dir)
    except DataValidationError as error:
        _fail(f"the data has problems:\n{error}")
    lines: list[str] = []
    broken = 0
    for notebook in available_notebooks():
        lines.append(click.style(notebook.stem, bold=True))
        try:
            parameters = notebook_parameters(notebook)
            files = _path_parameters(notebook)
        except Exception as error:  # not JSON, no cells, a malformed parameters cell
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            lines.append(f"  cannot read {notebook}: {reason}")
            broken += 1
            continue
        for name, parameter in parameters.items():
            line = f"  {name} ({parameter.type}) = {parameter.default!r}"
            if parameter.help:
                line += f"  # {parameter.help}"
            lines.append(line)
            if name in CHOICES:
                chosen = {k: p.default for k, p in parameters.items()}
                values = allowed_values(name, dataset, chosen)
                if name in LISTS and values:
                    listed = f"{values[0]}, or one or more of {', '.join(values[1:])}"
                    lines.append(f"      allowed: {listed} (separated by commas)")
                else:
                    lines.append(f"      allowed: {', '.join(values)}")
            elif name in files:
                blank = ", or blank" if blank_documented(parameter) else ""
                lines.append(f"      allowed: the path of a readable file{blank}")
    return lines, broken


def _path_parameters(notebook: Path) -> list[str]:
    """The parameters the notebook declares as file paths (``metadata.sceptre.paths``)."""
    import nbformat

    from .build import paths_of

    return paths_of(nbformat.read(notebook, as_version=4))


@main.command("build")
@click.argument("notebook", required=False)
@click.option(
    "-p",
    "--parameter",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Notebook parameter; repeat for several.",
)
@click.option(
    "-f",
    "--parameters-file",
    "parameters_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="YAML or JSON file of notebook parameters (as papermill -f); -p values win.",
)
@click.option(
    "--all", "build_all", is_flag=True, help="Build every report in the plan (the default)."
)
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help=f"Plan file (default: {PLAN_FILE}, else [{TABLE}] in pyproject.toml).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be built and why; build nothing.")
@click.option("--force", is_flag=True, help="Rebuild even the reports that are up to date.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    help="Worker processes (default: the plan's, else one per core; 1 = in this process).",
)
@click.option(
    "--format",
    "formats",
    help=f"Comma-separated output formats: {', '.join(FORMATS)} (default: the plan's, "
    "else html,pdf).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Output folder (default: reports/).",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    help="Data folder to build from (validated first).",
)
@click.option(
    "--cell-timeout",
    type=click.FloatRange(min=0),
    help=f"Seconds one cell may run (default: the plan's, else {DEFAULT_CELL_TIMEOUT}; 0 = none).",
)
@click.option(
    "--notebook-timeout",
    type=click.FloatRange(min=0),
    help=f"Seconds a whole notebook may run (default: the plan's, else "
    f"{DEFAULT_NOTEBOOK_TIMEOUT:g}; 0 = none).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Run on a Dask cluster (e.g. tcp://host:8786); needs the 'dask' extra.",
)
def build_command(
    notebook: str | None,
    pairs: tuple[str, ...],
    parameters_file: Path | None,
    build_all: bool,
    plan_path: Path | None,
    dry_run: bool,
    force: bool,
    jobs: int | None,
    formats: str | None,
    out_dir: Path | None,
    data_dir: Path | None,
    cell_timeout: float | None,
    notebook_timeout: float | None,
    scheduler: str | None,
) -> None:
    """Build NOTEBOOK with parameters, or with no NOTEBOOK every report in the build plan.

    Only reports whose notebook, parameters, data, formats or package version changed
    (or whose outputs are missing) are built; see --dry-run. Every report is checked
    before the first kernel starts, and one failing report does not stop the others.
    """
    chosen_formats = _parse_formats(formats) if formats is not None else None
    if notebook and (build_all or plan_path):
        _fail("give a NOTEBOOK or --all/--plan, not both")
    if not notebook and (pairs or parameters_file):
        _fail("-p and -f need a NOTEBOOK (parameters differ between notebooks)")
    given: dict[str, Any] | None = None
    if notebook:
        given = {}
        if parameters_file:
            from .params import read_parameters_file

            try:
                given = read_parameters_file(parameters_file)
            except SceptreError as error:
                _fail(str(error))
        given.update(_parse_parameters(pairs))
    out = out_dir or paths.reports_dir()
    if not notebook and not force:
        from .plan import plan_up_to_date

        try:
            count = plan_up_to_date(
                plan_path, out_dir=out, data_dir=data_dir, formats=chosen_formats
            )
        except SceptreError as error:
            _fail(str(error))
        if count is not None:  # every input byte as at the last all-good build
            verb = "would build nothing" if dry_run else "nothing to build"
            click.echo(f"{count} reports up to date ({verb}); --force rebuilds them")
            return

    from .schedule import schedule

    if notebook and not dry_run and jobs in (None, 1) and not scheduler:
        _prestart(notebook)
    try:
        planned = schedule(
            notebook=notebook,
            parameters=given,
            plan_path=plan_path,
            formats=chosen_formats,
            out_dir=out,
            data_dir=data_dir,
            force=force,
        )
    except SceptreError as error:
        if "sceptre_analysis.execute" in sys.modules:  # a kernel pre-started for nothing
            sys.modules["sceptre_analysis.execute"].release_kernels()
        message = str(error)
        if type(error).__name__ == "DataValidationError":
            message = f"the data has problems:\n{message}"
        _fail(message)
    if dry_run:
        _print_plan(planned.decisions, planned.plan.source if planned.plan else None)
        return
    for decision in planned.decisions:
        if decision.reason.startswith("replaces"):
            click.echo(f"warning: {decision.job.stem}: {decision.reason}", err=True)
    if planned.to_build and not paths.documents_dirs(data_dir):
        click.echo(
            "note: no documents folder found (a 'documents' folder in the data folder, "
            "../shared, or SCEPTRE_DOCUMENTS_DIRS): quotes are not checked and the reports "
            "call every source not verified",
            err=True,
        )
    _run(planned, jobs, cell_timeout, notebook_timeout, scheduler)


def _prestart(notebook: str) -> None:
    """Start the one report's kernel now: it warms up while the data is checked."""
    from .report import resolve_notebook
    from .settings import source_date_epoch

    try:
        source_date_epoch()  # a bad one would crash the kernel
        folder = resolve_notebook(notebook).parent
    except SceptreError:
        return  # reported properly by the checks
    from .execute import prestart

    prestart(cwd=folder)


def _stop_on_sigterm() -> None:
    """SIGTERM stops a build like Ctrl-C: workers and kernels down, built reports kept."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    if threading_main():
        signal.signal(signal.SIGTERM, handler)


def threading_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _run(
    planned: Schedule,
    jobs: int | None,
    cell_timeout: float | None,
    notebook_timeout: float | None,
    scheduler: str | None,
) -> None:
    from tqdm import tqdm

    from .schedule import run_schedule

    quiet = bool(os.environ.get("CI")) or not sys.stderr.isatty()
    bar = tqdm(
        total=planned.to_build,
        unit="report",
        file=sys.stderr,
        disable=quiet or not planned.to_build,
    )
    finished: list[str] = []

    def done(outcome: Outcome) -> None:
        if outcome.status != "up to date":
            finished.append(outcome.job.stem)
            bar.update(1)
            tqdm.write(_describe(outcome), file=sys.stderr)

    _stop_on_sigterm()
    try:
        batch = run_schedule(
            planned,
            jobs=jobs,
            cell_timeout=cell_timeout,
            notebook_timeout=notebook_timeout,
            scheduler=scheduler,
            on_done=done,
        )
    except KeyboardInterrupt as stop:
        bar.close()
        what = str(stop) or "SIGINT"
        left = planned.to_build - len(finished)
        _fail(
            f"stopped by {what}: {len(finished)} report(s) finished and kept, {left} not built; "
            f"every worker and kernel stopped; manifest {planned.out_dir / 'manifest.json'} saved",
            EXIT_STOPPED,
        )
    except SceptreError as error:
        bar.close()
        _fail(str(error))
    bar.close()
    _print_summary(batch)
    if batch.failed:
        names = ", ".join(o.job.stem for o in batch.failed)
        _fail(f"{len(batch.failed)} of {len(batch.outcomes)} reports failed: {names}", EXIT_FAILED)


def _describe(outcome: Outcome) -> str:
    """One line for a finished report: status, stem, time, and first error."""
    result = outcome.result
    if outcome.status == "built":
        return f"built       {outcome.job.stem}  ({outcome.seconds:.1f} s)"
    first = result.errors[0].splitlines()[0] if result and result.errors else "failed"
    return f"FAILED      {outcome.job.stem}  ({outcome.seconds:.1f} s): {first}"


def _print_plan(decisions: list[Decision], source: str | None) -> None:
    click.echo(f"plan: {source}" if source else "one report")
    width = max((len(d.job.stem) for d in decisions), default=0)
    for decision in decisions:
        action = click.style("build", fg="yellow") if decision.build else "skip "
        click.echo(f"  {action}  {decision.job.stem:<{width}}  {decision.reason}")
    n = sum(d.build for d in decisions)
    click.echo(f"{n} to build, {len(decisions) - n} up to date (dry run: nothing built)")


def _print_summary(batch: BatchResult) -> None:
    styles = {"built": "green", "up to date": None, "failed": "red"}
    width = max((len(o.job.stem) for o in batch.outcomes), default=0)
    click.echo("")
    for outcome in batch.outcomes:
        status = click.style(f"{outcome.status:<10}", fg=styles[outcome.status])
        seconds = f"{outcome.seconds:6.1f} s" if outcome.status != "up to date" else " " * 8
        click.echo(f"{status}  {outcome.job.stem:<{width}}  {seconds}")
        if outcome.status == "failed" and outcome.result is not None:
            for message in outcome.result.errors:
                for line in message.splitlines():
                    click.echo(f"            {line}")
            if outcome.result.failed_notebook:
                click.echo(
                    f"            executed notebook kept at {outcome.result.failed_notebook}"
                )
    counts = {s: sum(o.status == s for o in batch.outcomes) for s in styles}
    click.echo(
        f"{counts['built']} built, {counts['up to date']} up to date, {counts['failed']} failed "
        f"in {batch.seconds:.1f} s; manifest: {batch.manifest}"
    )


# --- extraction: propose figures from saved releases, add the reviewed ones ------------------


@main.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "table", "json"]), default="csv", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write to PATH.")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Data folder.")
@click.option("--published", help="Publication date YYYY-MM-DD, to place an undated week.")
def extract_command(
    files: tuple[Path, ...],
    fmt: str,
    out: Path | None,
    data_dir: Path | None,
    published: str | None,
) -> None:
    """Propose the figures each saved release FILE states (text, HTML or PDF), for review.

    Exit 0 when every FILE was read, 2 when one could not be (each named on its own line;
    the others are still extracted) or on another mistake in the command.
    """
    from datetime import date

    from .errors import SceptreError
    from .files import write_atomic
    from .intake import extract_files, render

    _data_folder(data_dir)
    try:
        day = date.fromisoformat(published) if published else None
    except ValueError:
        _fail(f"--published: {published!r} is not a date written YYYY-MM-DD")
    try:
        run = extract_files(files, data_dir=data_dir, published=day)
    except SceptreError as error:
        _fail(str(error))
    for failure in run.failures:
        click.echo(click.style("error: ", fg="red", bold=True) + failure.message, err=True)
    if run.results:
        text = render(run, fmt)
        if out is not None:
            write_atomic(out, text)
        else:
            click.echo(text, nl=False)
    if run.failures:  # a file that is not there or not a release: a mistake in the input
        sys.exit(EXIT_USAGE)


def _data_folder(data_dir: Path | None) -> None:
    """A ``--data`` folder that is not there stops the command (exit 2) before any work."""
    if data_dir is not None and not data_dir.exists():
        _fail(f"--data: {data_dir}: no such folder (expected a data folder, e.g. data/)")


@main.command("add")
@click.argument("candidates", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--source-id", required=True, help="The source the rows come from.")
@click.option("--publisher", help="Who published it (needed for a new source).")
@click.option("--published", help="Publication date YYYY-MM-DD.")
@click.option("--title", help="The headline.")
@click.option("--url", help="Where it was published.")
@click.option("--kind", type=click.Choice(["primary", "secondary"]), help="Default: secondary.")
@click.option(
    "--document",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The saved release; its text is kept in data/documents/ so quotes can be checked.",
)
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Data folder.")
def add_command(candidates: Path, source_id: str, data_dir: Path | None, **source: str) -> None:
    """Validate the reviewed rows of CANDIDATES and add them (and the source): all or nothing.

    Exit 0 when added, 1 when the rows have problems (each listed; nothing added), 2 on a
    mistake in the command (no such file or folder).
    """
    from .intake import AddError, add_candidates

    _data_folder(data_dir)
    if not candidates.is_file():
        _fail(
            f"{candidates}: no such file (expected the reviewed rows of `sceptre-report extract`)"
        )
    try:
        result = add_candidates(candidates, source_id, data_dir=data_dir, **source)
    except AddError as error:
        for problem in error.problems:
            click.echo(problem)
        s = "" if len(error.problems) == 1 else "s"
        _fail(f"{len(error.problems)} problem{s}; nothing was added", EXIT_FAILED)
    what = f"{result.tallies_added} tallies" + (" and the source" if result.source_added else "")
    click.echo(f"added {what} ({source_id}) to {result.data_dir}")


@main.command("check")
@click.argument("draft", type=click.Path(path_type=Path))
@click.option("--operation", default="", help="Operation to check against (default: any).")
@click.option(
    "--week", default="", help="First day of the week, YYYY-MM-DD (default: the draft's)."
)
@click.option("--agency", default="", help="Force the draft's figures are about, if it names none.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Data folder.")
def check_command(
    draft: Path, operation: str, week: str, agency: str, fmt: str, data_dir: Path | None
) -> None:
    """Check every figure of DRAFT (text, HTML, PDF or .docx) against the data.

    Exit 0 when nothing is contradicted, 1 when something is, 2 on bad input.
    """
    from .errors import SceptreError
    from .factcheck import render
    from .load import load_dataset

    try:
        dataset = load_dataset(data_dir)
        from .drafts import check_draft

        _, result = check_draft(draft, dataset, operation=operation, week=week, agency=agency)
    except SceptreError as error:
        _fail(str(error))
    click.echo(render(result, fmt, draft=str(draft)), nl=False)
    if result.contradicted:
        sys.exit(EXIT_FAILED)


if __name__ == "__main__":
    main()
