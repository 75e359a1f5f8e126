"""The small engine every file's rules run on: cell rules cached per distinct value, row rules,
unique keys found in one pass, and a header check.

A rule returns the words of its message (or None when the cell is fine); the engine adds the
file, line and column, and orders problems by line, then column, then rule.  Suggestions
("did you mean ...") cost a fuzzy match each, so a file full of one mistake gets them for the
first few distinct values only.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable, Iterable, Sequence

from .cells import Cells
from .problems import Problem, quoted, suggest

__all__ = ["SUGGESTION_BUDGET", "Rules", "check_header"]

#: How many distinct bad values per rule get a "did you mean" (each costs a fuzzy match).
SUGGESTION_BUDGET = 200


class Rules:
    """Problems found in one file, kept with their place so they can be ordered."""

    def __init__(self, cells: Cells) -> None:
        self.cells = cells
        self.lines: list[int] = cells.lines or []
        self._rank = {name: i for i, name in enumerate(cells.header)}
        self._found: list[tuple[int, int, int, Problem]] = []
        self._budget: dict[str, int] = {}

    def has(self, *columns: str) -> bool:
        return self.cells.has(*columns)

    def add(self, line: int | None, column: str | None, message: str) -> None:
        rank = self._rank.get(column, -1) if column else -1
        problem = Problem(self.cells.path, line, column, message)
        self._found.append((line or 0, rank, len(self._found), problem))

    def hint(self, rule: str, got: str, choices: Iterable[str]) -> str:
        """A suggestion for ``got``, while the rule's budget lasts."""
        left = self._budget.get(rule, SUGGESTION_BUDGET)
        if left <= 0:
            return ""
        self._budget[rule] = left - 1
        return suggest(got, choices)

    def cell(self, column: str, check: Callable[[str], str | None]) -> set[int]:
        """Run ``check`` on each distinct value of the column; returns the failing row numbers."""
        if not self.has(column):
            return set()
        values = self.cells.columns[column]
        verdicts = {value: check(value) for value in dict.fromkeys(values)}
        bad = {value: message for value, message in verdicts.items() if message is not None}
        failed: set[int] = set()
        if not bad:
            return failed
        for row, (line, value) in enumerate(zip(self.lines, values, strict=True)):
            message = bad.get(value)
            if message is not None:
                self.add(line, column, message)
                failed.add(row)
        return failed

    def required(self) -> set[int]:
        """Blank cells in columns that need a value; returns the rows with any."""
        failed: set[int] = set()
        for col in self.cells.spec.columns:
            if col.nonblank and self.has(col.name) and "" in self.cells.columns[col.name]:
                for row, (line, value) in enumerate(
                    zip(self.lines, self.cells.columns[col.name], strict=True)
                ):
                    if value == "":
                        self.add(
                            line, col.name, f"must not be empty (got '', expected {col.expected})"
                        )
                        failed.add(row)
        return failed

    def unique(
        self,
        column: str | None,
        keys: Iterable[Hashable],
        explain: Callable[[int, int], str],
        skip: Sequence[str] | None = None,
    ) -> None:
        """Report each row whose key was seen on an earlier row, in one pass over the rows.

        ``explain(row, first_line)`` words the message; a row whose cell in ``skip`` is blank
        is left out (a blank key is reported as blank instead).
        """
        first: dict[Hashable, int] = {}
        remember = first.setdefault
        cells: Iterable[str] = skip if skip is not None else ["x"] * len(self.lines)
        for row, (key, line, cell) in enumerate(zip(keys, self.lines, cells, strict=True)):
            seen = remember(key, line) if cell != "" else line
            if seen != line:
                self.add(line, column, explain(row, seen))

    def problems(self) -> list[Problem]:
        self._found.sort()  # (line, column rank, order found): the problem itself never compared
        return [problem for *_, problem in self._found]


def vocabulary_rule(
    rules: Rules,
    column: str,
    allowed: Sequence[str],
    what: str,
    *,
    blank: str = "",
    resolve: Callable[[str], str | None] | None = None,
    aliases: Callable[[str], str | None] | None = None,
) -> set[int]:
    """Blank (checked elsewhere if required) or one of ``allowed`` (or, with ``resolve``, any
    spelling it resolves).  ``aliases`` maps a known wrong word to the right one."""
    allowed_set = set(allowed)

    def check(value: str) -> str | None:
        if value == "" or value in allowed_set or (resolve is not None and resolve(value)):
            return None
        alias = aliases(value) if aliases else None
        hint = f"; did you mean '{alias}'?" if alias else rules.hint(column, value, allowed)
        return (
            f"is not a known {what} (got {quoted(value)}, expected {blank}"
            f"{one_of_limit(allowed, what)}){hint}"
        )

    return rules.cell(column, check)


def one_of_limit(allowed: Sequence[str], what: str) -> str:
    from .problems import one_of

    return one_of(allowed, f"a {what} listed in its file", limit=15)


def duplicate_key(rules: Rules, column: str) -> None:
    """A key column (``source_id``, ``measure``, ...) names each row once."""
    if not rules.has(column):
        return
    values = rules.cells.columns[column]
    rules.unique(
        column,
        values,
        lambda row, first: (
            f"duplicates line {first} (got {quoted(values[row])} again, expected each "
            f"{column} to appear once)"
        ),
        skip=values,  # a blank key is reported as blank
    )


def check_header(cells: Cells) -> list[Problem]:
    """Missing documented columns, and extras that look like a misspelling of one."""
    if not cells.readable:
        return []
    spec, present = cells.spec, list(cells.columns)
    missing = [c.name for c in spec.columns if c.required and c.name not in present]
    absent = [name for name in spec.names if name not in present]
    if missing and not set(present) & set(spec.names):
        shown = ",".join(present)
        return [
            Problem(
                cells.path,
                cells.header_line,
                None,
                f"the first row is not the header: none of the column names is there (got "
                f"{quoted(shown)}, expected the header {','.join(spec.names)})",
            )
        ]
    problems: list[Problem] = []
    claimed: set[str] = set()
    for name in present:
        if name in spec.names:
            continue
        lowered = {a.lower(): a for a in absent}
        close = [lowered[name.lower()]] if name.lower() in lowered else []
        close = close or difflib.get_close_matches(name, absent, n=1, cutoff=0.75)
        if close:
            claimed.add(close[0])
            problems.append(
                Problem(
                    cells.path,
                    cells.header_line,
                    name,
                    f"looks like a misspelling of '{close[0]}' (got {quoted(name)}, expected "
                    f"'{close[0]}'); rename the column",
                )
            )
    for name in missing:
        if name in claimed:
            continue
        problems.append(
            Problem(
                cells.path,
                cells.header_line,
                name,
                f"required column is missing (got the columns {', '.join(present) or 'none'}, "
                f"expected a column named '{name}': {spec.col(name).expected})",
            )
        )
    return problems
