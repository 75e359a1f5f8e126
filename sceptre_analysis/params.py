"""Notebook parameters: discover them, coerce them, and check them against the data.

A notebook declares its parameters in a cell tagged ``parameters`` (the papermill
convention). Values that name things in the data (operation, week, agency, the trend's
measure ``group`` and ``weeks``) and paths to files are checked here, before a kernel
starts, and again at the top of the notebook, so a typo stops with the list of valid
values rather than a traceback.
"""

from __future__ import annotations

import ast
import difflib
import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sceptre_analysis.errors import SceptreError

from .load import Dataset
from .narrative import join_words
from .periods import week_labels

__all__ = [
    "ALL",
    "CHOICES",
    "HIDDEN_PARAMETERS",
    "LISTS",
    "Parameter",
    "ParameterError",
    "Selection",
    "allowed_values",
    "blank_documented",
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


ALL = "all"
"""The word a ``group`` or ``weeks`` parameter takes for "no restriction" (any case)."""


def _groups(dataset: Dataset, _: Mapping[str, Any]) -> list[str]:
    """``all``, then the measure categories of measures.csv (what the trend report groups)."""
    categories: list[str] = [str(c).strip() for c in dataset.measures.get("category", [])]
    return [ALL, *sorted({c for c in categories if c})]


def _weeks_or_all(dataset: Dataset, chosen: Mapping[str, Any]) -> list[str]:
    return [ALL, *_weeks(dataset, chosen)]


CHOICES: dict[str, Callable[[Dataset, Mapping[str, Any]], list[str]]] = {
    "operation": _operations,
    "week": _weeks,
    "agency": _agencies,
    "group": _groups,
    "weeks": _weeks_or_all,
}
"""Parameters whose values must name something in the data, and how to list them."""

LISTS = frozenset({"weeks"})
"""Parameters of :data:`CHOICES` that take several of their values separated by commas."""

DEPENDS_ON: dict[str, tuple[str, ...]] = {
    "week": ("operation",),
    "agency": ("operation", "week"),
    "weeks": ("operation",),
}
"""The parameters whose chosen value lists another's values: when one is unknown, the other
is not checked (its valid values would be those of nothing)."""


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


def _did_you_mean(value: Any, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(value), list(valid), n=1, cutoff=0.5)
    return f". Did you mean {close[0]!r}?" if close else "."


def _unknown(
    kind: str, value: Any, valid: list[str], context: str = "", *, several: bool = False
) -> str:
    """``Unknown agency 'X'. Valid values: 'A' or 'B'. Did you mean 'A'?``; ``several``: the
    parameter takes one or more of the values (after the first, ``all``) separated by commas."""
    if several and valid:
        listed = (
            f"{valid[0]!r}, or one or more of "
            + join_words([repr(v) for v in valid[1:]], "and")
            + " separated by commas"
        )
    else:
        listed = join_words([repr(v) for v in valid], "or") if valid else "(none in the data)"
    message = f"Unknown {kind} {str(value)!r}{context}. Valid values: {listed}"
    return message + _did_you_mean(value, valid)


def choice_items(name: str, value: Any) -> list[str]:
    """The values a parameter names: the comma-separated items of a :data:`LISTS` parameter,
    else the value itself."""
    text = str(value)
    if name in LISTS:
        return [item.strip() for item in text.split(",") if item.strip()] or [text]
    return [text]


def _allowed(item: str, valid: list[str]) -> bool:
    """``item`` is valid; ``all`` in any case (and spacing) is, where ``all`` is, as the
    notebooks read it."""
    return item in valid or (ALL in valid and item.strip().lower() == ALL)


_BLANK_DOCUMENTED = re.compile(r"\bblank\b", re.IGNORECASE)


def blank_documented(parameter: Parameter) -> bool:
    """Whether the parameter's help says what a blank value means ("blank for data/")."""
    return bool(_BLANK_DOCUMENTED.search(parameter.help))


def _file_problem(notebook: Path, parameter: Parameter, value: Any) -> str | None:
    """Why a path parameter's value names no readable file (None when it does).

    Blank passes only when the parameter's help (the comment in the parameters cell, shown
    by ``sceptre-report list``) says what blank means ("blank: the first source's document").
    """
    where = f"Parameter {parameter.name!r} of {notebook.stem}"
    text = "" if value is None else str(value)
    if not text.strip():
        if blank_documented(parameter):
            return None
        what = f" ({parameter.help})" if parameter.help else ""
        return f"{where} is blank: give the path of a file{what}."
    path = Path(text)
    if path.is_dir():
        return f"{where}: {text!r} is a folder; give the path of a file in it" + _files_in(
            path, path
        )
    if not path.exists():
        folder = path.parent
        if not folder.is_dir():
            return f"{where}: no such file {text!r} (the folder {str(folder)!r} does not exist)."
        return f"{where}: no such file {text!r}" + _files_in(folder, path)
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as error:
        return f"{where}: cannot read {text!r} ({error.strerror or error})."
    return None


_LISTED_FILES = 12


def _files_in(folder: Path, wanted: Path) -> str:
    """``. Files in 'drafts': 'drafts/a.txt' or 'drafts/b.txt'. Did you mean 'drafts/a.txt'?``
    (the closest by file name, so a long shared folder does not make every file look close)."""
    try:
        names = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name[:1] != ".")
    except OSError:
        names = []
    if not names:
        return f" (the folder {str(folder)!r} has no files)."
    listed = join_words([repr(str(folder / n)) for n in names[:_LISTED_FILES]], "or")
    more = f" and {len(names) - _LISTED_FILES} more" if len(names) > _LISTED_FILES else ""
    close = difflib.get_close_matches(wanted.name, names, n=1, cutoff=0.5)
    hint = f". Did you mean {str(folder / close[0])!r}?" if close and wanted != folder else "."
    return f". Files in {str(folder)!r}: {listed}{more}{hint}"


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
    notebook: Path,
    given: Mapping[str, Any],
    dataset: Dataset | None = None,
    *,
    paths: Sequence[str] = (),
) -> dict[str, Any]:
    """Merge ``given`` over the notebook's defaults, coerce types, check against the data.

    ``paths`` names the parameters that are file paths (``metadata.sceptre.paths``): each
    must name a readable file, relative to the working folder (blank passes only where the
    parameter's help says what blank means). Returns the full parameter set. Raises
    :class:`ParameterError` listing every problem at once: unknown names, values of the
    wrong type, values not in the data, files that are not there.
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
        unknown: set[str] = set()
        for name in CHOICES:  # in order: an unknown operation makes its weeks moot
            if name not in merged or merged[name] in (None, ""):
                continue
            if unknown & set(DEPENDS_ON.get(name, ())):
                unknown.add(name)
                continue
            if name == "agency":
                merged[name] = _canonical_agency(dataset, str(merged[name]))
            valid = allowed_values(name, dataset, merged)
            for item in choice_items(name, merged[name]):
                if not _allowed(item, valid):
                    several = name in LISTS  # "Unknown value 'x' in weeks"
                    kind, context = ("value", f" in {name}") if several else (name, "")
                    problems.append(_unknown(kind, item, valid, context, several=several))
                    unknown.add(name)
    for name in paths:
        if name in declared:
            problem = _file_problem(notebook, declared[name], merged.get(name))
            if problem:
                problems.append(problem)
            elif not str(merged.get(name) or "").strip():
                merged[name] = ""  # blank as documented, even when given as spaces
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
