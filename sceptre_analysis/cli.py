"""``sceptre-report``: a thin command line over the library. It parses and prints; nothing else."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__, paths
from .build import (
    FORMATS,
    BuildError,
    ReportRequest,
    available_notebooks,
    build_report,
    default_requests,
    prepare,
)
from .load import DataValidationError, load_dataset, validate
from .params import CHOICES, allowed_values, notebook_parameters

EXIT_FAILED = 1
EXIT_USAGE = 2


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(click.style("error: ", fg="red", bold=True) + message, err=True)
    sys.exit(code)


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
def main() -> None:
    """Checked, cited tallies from knife-crime weeks of action, and the reports built from them."""


@main.command("validate")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--documents",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of source documents to check quotes against (default: found automatically).",
)
@click.option("--no-documents", is_flag=True, help="Skip the check of quotes against documents.")
def validate_command(path: Path | None, documents: Path | None, no_documents: bool) -> None:
    """Check the data files in PATH (default: the project's data/) and report every problem."""
    target = path or paths.data_dir()
    docs = None if no_documents else (documents or "auto")
    problems = validate(target, documents=docs)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        s = "" if len(problems) == 1 else "s"
        _fail(f"{len(problems)} problem{s} in {target}", EXIT_FAILED)
    dataset = load_dataset(target, documents=docs)
    click.echo(
        f"{target}: OK — {len(dataset.tallies)} tallies from {len(dataset.sources)} sources, "
        f"{len(dataset.measures)} measures"
        + ("" if docs is None else ", quotes checked against the documents")
    )


@main.command("list")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Data folder.")
def list_command(data_dir: Path | None) -> None:
    """List the report notebooks and their parameters (type, default, allowed values)."""
    try:
        dataset = load_dataset(data_dir)
    except DataValidationError as error:
        _fail(f"the data has problems:\n{error}")
    for notebook in available_notebooks():
        click.echo(click.style(notebook.stem, bold=True))
        parameters = notebook_parameters(notebook)
        for name, parameter in parameters.items():
            line = f"  {name} ({parameter.type}) = {parameter.default!r}"
            if parameter.help:
                line += f"  # {parameter.help}"
            click.echo(line)
            if name in CHOICES:
                chosen = {k: p.default for k, p in parameters.items()}
                values = allowed_values(name, dataset, chosen)
                click.echo(f"      allowed: {', '.join(values)}")


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
    "--format",
    "formats",
    default="html,pdf",
    show_default=True,
    help=f"Comma-separated output formats: {', '.join(FORMATS)}.",
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
    "--cell-timeout", type=float, default=120, show_default=True, help="Seconds one cell may run."
)
def build_command(
    notebook: str | None,
    pairs: tuple[str, ...],
    formats: str,
    out_dir: Path | None,
    data_dir: Path | None,
    cell_timeout: float,
) -> None:
    """Build NOTEBOOK with parameters, or with no NOTEBOOK the default report set."""
    chosen_formats = _parse_formats(formats)
    if notebook:
        requests = [ReportRequest(notebook, _parse_parameters(pairs), chosen_formats)]
    else:
        if pairs:
            _fail("-p needs a NOTEBOOK (parameters differ between notebooks)")
        requests = [
            ReportRequest(r.notebook, r.parameters, chosen_formats) for r in default_requests()
        ]
    try:
        dataset = load_dataset(data_dir)
        for request in requests:  # check everything before the first kernel starts
            prepare(request, data_dir=data_dir, dataset=dataset)
    except DataValidationError as error:
        _fail(f"the data has problems:\n{error}")
    except BuildError as error:
        _fail(str(error))
    out = out_dir or paths.reports_dir()
    failures = 0
    for request in requests:
        result = build_report(
            request, out_dir=out, data_dir=data_dir, cell_timeout=cell_timeout, dataset=dataset
        )
        if result.ok:
            files = ", ".join(str(p) for p in result.outputs.values())
            click.echo(f"{click.style('built', fg='green')}  {files}")
        else:
            failures += 1
            click.echo(
                f"{click.style('FAILED', fg='red', bold=True)} {result.stem or request.notebook}"
            )
            for message in result.errors:
                click.echo(f"    {message}")
            for fmt, path in result.outputs.items():
                click.echo(f"    still written: {fmt} {path}")
            if result.failed_notebook:
                click.echo(f"    executed notebook kept at {result.failed_notebook}")
    if failures:
        _fail(f"{failures} of {len(requests)} reports failed", EXIT_FAILED)


if __name__ == "__main__":
    main()
