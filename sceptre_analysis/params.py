"""Notebook parameters: discover them, coerce them, and check them against the data.

A notebook declares its parameters in a cell tagged ``parameters`` (the papermill
convention). Values that name things in the data (operation, week, agency) are
checked here, before a kernel starts, and again at the top of the notebook, so a
typo stops with the list of valid values rather than a traceback.
"""

from __future__ import annotations

import ast
import difflib
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sceptre_analysis.errors import SceptreError

from .load import Dataset
from .narrative import join_words
from .periods import week_labels

__all__ = [
    "HIDDEN_PARAMETERS",
    "Parameter",
    "ParameterError",
    "Selection",
    "allowed_values",
    "check_parameters",
    "grid_values",
    "notebook_parameters",
    "read_parameters_file",
    "select",
]

HIDDEN_PARAMETERS = frozenset({"data_dir"})
"""Plumbing, not content: not shown in report title blocks or file names."""


class ParameterError(SceptreError, ValueError):
    """A parameter value the notebook cannot use; the message lists the valid ones."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Any
    help: str


def _type_name(inferred: object, default: object) -> str:
    """The declared type, or for an unannotated ``count = 3`` the type of its default.

    papermill reports an unannotated parameter's type as the string ``"None"``.
    """
    if inferred and str(inferred) != "None":
        return str(inferred)
    return type(default).__name__ if default is not None else "str"


_DECLARED: dict[tuple[str, bytes], dict[str, Parameter]] = {}


def notebook_parameters(notebook: Path) -> dict[str, Parameter]:
    """Parameters declared in the notebook's ``parameters`` cell, with their defaults.

    Inspected once per notebook content: a plan's grid checks the same notebook for every
    report of it (each inspection reads and validates the whole notebook).
    """
    try:
        key = (str(notebook), Path(notebook).read_bytes())
    except OSError:
        key = None
    if key is not None and key in _DECLARED:
        return dict(_DECLARED[key])
    declared = _inspect(notebook)
    if key is not None:
        if len(_DECLARED) > 64:
            _DECLARED.clear()
        _DECLARED[key] = declared
    return dict(declared)


def _inspect(notebook: Path) -> dict[str, Parameter]:
    from papermill.inspection import inspect_notebook  # heavy; not needed inside kernels

    found = inspect_notebook(str(notebook))
    parameters = {}
    for name, info in found.items():
        default_source = info.get("default")
        try:
            default = ast.literal_eval(default_source)  # "'x'", "3", "None"
        except (ValueError, SyntaxError):  # an expression default is shown as written
            default = default_source
        parameters[name] = Parameter(
            name=name,
            type=_type_name(info.get("inferred_type_name"), default),
            default=default,
            help=str(info.get("help") or ""),
        )
    return parameters


def _of_operation(dataset: Dataset, chosen: Mapping[str, Any]) -> pd.DataFrame:
    tallies = dataset.tallies
    if chosen.get("operation"):
        tallies = tallies[tallies["operation"].astype(str) == str(chosen["operation"])]
    return tallies


def week_key(label: str) -> pd.Timestamp | None:
    """``2020-11-09`` or ``2025-11`` (a week known by its month) -> the week's key."""
    try:
        return pd.Timestamp(str(label))
    except (ValueError, TypeError):
        return None


def _operations(dataset: Dataset, _: Mapping[str, Any]) -> list[str]:
    return sorted({str(value) for value in dataset.tallies["operation"]})


def _weeks(dataset: Dataset, chosen: Mapping[str, Any]) -> list[str]:
    """The weeks that have figures, oldest first, as ``2020-11-09`` (or ``2025-11``)."""
    return list(week_labels(_of_operation(dataset, chosen)).values())


def _agency_weeks(dataset: Dataset, operation: str, agency: str) -> list[str]:
    """The weeks the agency has figures for (named as :func:`_weeks` names them)."""
    tallies = _of_operation(dataset, {"operation": operation})
    labels = week_labels(tallies)
    own = set(tallies.loc[tallies["agency"].astype(str) == agency, "week"].dropna())
    return [label for key, label in labels.items() if key in own]


def _agencies(dataset: Dataset, chosen: Mapping[str, Any]) -> list[str]:
    tallies = _of_operation(dataset, chosen)
    if chosen.get("week"):
        tallies = tallies[tallies["week"] == week_key(str(chosen["week"]))]
    return sorted({str(value) for value in tallies["agency"]})


CHOICES: dict[str, Callable[[Dataset, Mapping[str, Any]], list[str]]] = {
    "operation": _operations,
    "week": _weeks,
    "agency": _agencies,
}
"""Parameters whose values must name something in the data, and how to list them."""


_ALLOWED: weakref.WeakKeyDictionary[Dataset, dict[tuple[str, str, str], list[str]]] = (
    weakref.WeakKeyDictionary()
)


def allowed_values(
    name: str, dataset: Dataset, chosen: Mapping[str, Any] | None = None
) -> list[str]:
    """Valid values of a data-backed parameter given the others chosen so far.

    Listed once per loaded dataset and choice (a plan's grid checks every report's values
    against the same lists); a dataset is never changed once loaded.
    """
    if name not in CHOICES:
        return []
    chosen = chosen or {}
    key = (name, str(chosen.get("operation") or ""), str(chosen.get("week") or ""))
    known = _ALLOWED.setdefault(dataset, {})
    if key not in known:
        known[key] = CHOICES[name](dataset, chosen)
    return list(known[key])


def grid_values(name: str, dataset: Dataset, chosen: Mapping[str, Any] | None = None) -> list[str]:
    """What ``"*"`` expands to in a build-plan grid: the allowed values, except that an
    agency in a given week must have enough figures for a report
    (:func:`sceptre_analysis.figures.enough_figures`); the rest are skipped."""
    chosen = chosen or {}
    values = allowed_values(name, dataset, chosen)
    if name == "agency" and chosen.get("operation") and chosen.get("week"):
        from .figures import reportable_agencies  # report code: only when a plan is expanded

        keep = set(reportable_agencies(dataset, str(chosen["operation"]), str(chosen["week"])))
        values = [value for value in values if value in keep]
    return values


def _unknown(kind: str, value: Any, valid: list[str], context: str = "") -> str:
    message = f"Unknown {kind} {str(value)!r}{context}. Valid values: " + (
        join_words([repr(v) for v in valid], "or") if valid else "(none in the data)"
    )
    close = difflib.get_close_matches(str(value), valid, n=1, cutoff=0.5)
    return message + (f". Did you mean {close[0]!r}?" if close else ".")


def _coerce(parameter: Parameter, value: Any) -> Any:
    """Strings from the command line become the declared type (``"3"`` → 3)."""
    if not isinstance(value, str) or parameter.type in {"str", "None", "NoneType"}:
        return value
    if parameter.type == "bool":
        lowered = value.strip().lower()
        if lowered in {"true", "1", "yes"}:
            return True
        if lowered in {"false", "0", "no"}:
            return False
        raise ValueError(f"expected true or false, got {value!r}")
    if parameter.type == "int":
        return int(value)
    if parameter.type == "float":
        return float(value)
    return value


PARAMETERS_FILE_EXAMPLE = "operation: Operation Sceptre\nweek: 2020-11-09"


def read_parameters_file(path: Path) -> dict[str, Any]:
    """Parameters from a YAML (or JSON) file, as papermill's ``-f``: a mapping of parameter
    names to values. Dates become ``2020-11-09`` text, as on the command line."""
    import datetime as dt

    import yaml

    expected = "expected a mapping of parameter names to values, e.g.\n" + "\n".join(
        f"    {line}" for line in PARAMETERS_FILE_EXAMPLE.splitlines()
    )
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ParameterError([f"{path}: cannot read the parameters file ({error})"]) from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ParameterError([f"{where}: {error.problem}; {expected}"]) from None
    except yaml.YAMLError as error:
        raise ParameterError([f"{path}: {error}; {expected}"]) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ParameterError([f"{path}: found {type(loaded).__name__}; {expected}"])
    problems = [
        f"{path}: parameter name {name!r} is not text; {expected}"
        for name in loaded
        if not isinstance(name, str)
    ]
    if problems:
        raise ParameterError(problems)
    return {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in loaded.items()
    }


def check_parameters(
    notebook: Path, given: Mapping[str, Any], dataset: Dataset | None = None
) -> dict[str, Any]:
    """Merge ``given`` over the notebook's defaults, coerce types, check against the data.

    Returns the full parameter set. Raises :class:`ParameterError` listing every
    problem at once: unknown names, values of the wrong type, values not in the data.
    """
    declared = notebook_parameters(notebook)
    problems: list[str] = []
    for name in given:
        if name not in declared:
            problems.append(
                f"{notebook.stem} has no parameter {name!r}. Its parameters are: "
                + join_words([repr(n) for n in declared])
                + "."
            )
    merged: dict[str, Any] = {name: parameter.default for name, parameter in declared.items()}
    for name, value in given.items():
        if name not in declared:
            continue
        try:
            merged[name] = _coerce(declared[name], value)
        except ValueError as error:
            problems.append(f"Parameter {name!r} of {notebook.stem}: {error}.")
    if dataset is not None:
        for name in CHOICES:  # in order: an unknown operation makes its weeks moot
            if name not in merged or merged[name] in (None, ""):
                continue
            if name == "agency":
                merged[name] = _canonical_agency(dataset, str(merged[name]))
            valid = allowed_values(name, dataset, merged)
            if str(merged[name]) not in valid:
                problems.append(_unknown(name, merged[name], valid))
                break
    if problems:
        raise ParameterError(problems)
    return merged


@dataclass(frozen=True)
class Selection:
    """The slice of the data one report is about."""

    operation: str
    week: pd.Timestamp
    period_end: pd.Timestamp
    agency: str | None
    tallies: pd.DataFrame

    @property
    def days(self) -> int:
        return int((self.period_end - self.week).days) + 1

    @property
    def source_ids(self) -> list[str]:
        """The sources cited by the selected figures, for the sources section."""
        return sorted({str(source) for source in self.tallies["source_id"]})


def _unplaced_note(dataset: Dataset, operation: str) -> str:
    """Names the claims of ``operation`` that no week takes, for an error about weeks."""
    tallies = dataset.tallies
    missing = tallies[tallies["week"].isna() & (tallies["operation"].astype(str) == operation)]
    if missing.empty:
        return ""
    from .periods import unplaced

    reasons = unplaced(tallies)
    reasons = reasons[reasons["line"].isin(missing["line"])]
    listed = "; ".join(f"line {row.line} ({row.reason})" for row in reasons.head(5).itertuples())
    more = f" and {len(reasons) - 5} more" if len(reasons) > 5 else ""
    count = len(reasons)
    claims = "claim" if count == 1 else "claims"
    return (
        f" {count} {claims} of {operation} in tallies.csv could not be placed in a week: "
        f"{listed}{more}."
    )


def select(
    dataset: Dataset, *, operation: str, week: str = "", agency: str | None = None
) -> Selection:
    """Check the report parameters against the data and return the matching tallies.

    ``week`` names a week as :func:`allowed_values` lists it (``"2020-11-09"``, or
    ``"2025-11"`` for a week known only by its month); blank means the latest week that has
    figures (for ``agency``, when one is given).  An unknown value raises
    :class:`ParameterError` listing the valid ones, and naming any claims that could not be
    placed in a week.
    """
    chosen: dict[str, Any] = {"operation": operation}
    if operation not in allowed_values("operation", dataset):
        raise ParameterError(
            [_unknown("operation", operation, allowed_values("operation", dataset))]
        )
    weeks = _weeks(dataset, chosen)
    if not weeks:
        raise ParameterError(
            [f"No week of {operation} has figures to report.{_unplaced_note(dataset, operation)}"]
        )
    if agency is not None:
        agency = _canonical_agency(dataset, agency)
    if not week and agency is not None:  # the latest week this agency has figures for
        own = _agency_weeks(dataset, operation, agency)
        week = own[-1] if own else ""
    week = str(week or weeks[-1])
    if week not in weeks:
        message = _unknown("week", week, weeks, f" for {operation}")
        raise ParameterError([message + _unplaced_note(dataset, operation)])
    chosen["week"] = week
    if agency is not None:
        agencies = allowed_values("agency", dataset, chosen)
        if agency not in agencies:
            context = f" for {operation} in the week of {week}"
            raise ParameterError([_unknown("agency", agency, agencies, context)])
    tallies = dataset.tallies
    key = pd.Timestamp(week)  # a listed week: always readable
    mask = (tallies["operation"].astype(str) == operation) & (tallies["week"] == key)
    if agency is not None:
        mask &= tallies["agency"].astype(str) == agency
    subset = tallies[mask]
    ends = subset["period_end"].dropna()
    return Selection(
        operation=operation,
        week=key,
        period_end=pd.Timestamp(ends.max()) if not ends.empty else key,
        agency=agency,
        tallies=subset,
    )


def _canonical_agency(dataset: Dataset, agency: str) -> str:
    """An agency's alias ("the Met") stands for its canonical name."""
    vocabulary = dataset.vocabulary
    if vocabulary is None:
        return agency
    return vocabulary.agency_names.resolve(agency) or agency
