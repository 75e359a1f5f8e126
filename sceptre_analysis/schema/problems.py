"""How a breach of a rule is worded: ``file:line: column 'name': what is wrong (got ..., expected
...)``, with any control character in data shown escaped so a hostile cell cannot rewrite the
terminal."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "CONTROL",
    "Problem",
    "display_path",
    "escape",
    "n_of",
    "one_of",
    "quoted",
    "sort_problems",
    "suggest",
]

#: Characters never allowed in data and always escaped in messages (C0/C1 controls, DEL).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text: str) -> str:
    """``'a\\x1bb'`` for a text holding ESC: every control character as a visible escape."""
    if not CONTROL.search(text):
        return text
    return CONTROL.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


class Problem(NamedTuple):
    """One thing wrong with the data, pointing at the file, line and column to fix.

    A named tuple: a file full of mistakes makes one per row, so they must be cheap."""

    path: Path
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = display_path(self.path)
        if self.line is not None:
            where += f":{self.line}"
        column = f" column '{self.column}':" if self.column else ""
        return escape(f"{where}:{column} {self.message}")


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, so messages stay short."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
        return str(path)


def quoted(value: object, limit: int = 60) -> str:
    """A cell for a message: short, on one line, control characters escaped."""
    text = escape(str(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def n_of(count: int, noun: str) -> str:
    """``3 values``, ``1 value``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def one_of(names: Sequence[str], what: str, limit: int = 12) -> str:
    """``'a', 'b' or 'c'``; ``what`` when there are none or too many to list."""
    names = [n for n in names if n]
    if not names or len(names) > limit:
        return what
    shown = [f"'{n}'" for n in names]
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " or " + shown[-1]


#: Words whose presence does not change what a phrase means ("in excess" ~ "in excess of").
_FILLERS = frozenset({"a", "an", "the", "of", "than", "by", "to", "as"})


def _changes_meaning(got: str, candidate: str) -> bool:
    """Whether offering ``candidate`` for ``got`` could reverse what the user meant.

    A suggestion may only fix spelling: the same meaningful words, each close in letters.
    "no less than" is never offered "less than" (a word dropped) nor "no more than" (a word
    swapped for another)."""
    words = [w for w in got.lower().replace("_", " ").split() if w not in _FILLERS]
    other = [w for w in candidate.lower().replace("_", " ").split() if w not in _FILLERS]
    if len(words) != len(other):
        return True
    return any(
        a != b and difflib.SequenceMatcher(None, a, b).ratio() < 0.6
        for a, b in zip(words, other, strict=True)
    )


def suggest(got: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """``"; did you mean 'arrests'?"`` when something close exists, else ``""``.

    A candidate that only adds or drops whole words is never offered: "no less than" must
    not become "less than".
    """
    choices = [c for c in dict.fromkeys(choices) if c]
    lowered = {c.lower(): c for c in choices}
    match = lowered.get(got.strip().lower())
    if match is None:
        pool = [c for c in lowered if not _changes_meaning(got, c)]
        close = difflib.get_close_matches(got.strip().lower(), pool, n=1, cutoff=cutoff)
        match = lowered[close[0]] if close else None
    return f"; did you mean '{match}'?" if match is not None and match != got else ""


def sort_problems(problems: Iterable[Problem], order: Sequence[Path] = ()) -> list[Problem]:
    """By file (in ``order``), then line, keeping each line's problems in rule order."""
    rank = {Path(p): i for i, p in enumerate(order)}
    indexed = list(enumerate(problems))
    indexed.sort(
        key=lambda ip: (
            rank.get(ip[1].path, len(rank)),
            str(ip[1].path),
            ip[1].line if ip[1].line is not None else -1,
            ip[0],
        )
    )
    return [p for _, p in indexed]
