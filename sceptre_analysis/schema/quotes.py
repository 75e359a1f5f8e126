"""Quotes against their sources: finding each source's saved document in several folders, the
quote occurring in it, and the quote writing the value recorded from it.

The number check is :func:`sceptre_analysis.numbers.states`, the same rule extraction uses to
find a quote's figure, so "Thirty four", "a dozen", "100 000" and "12 per cent" all count.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..numbers import numbers_in, states
from .problems import quoted
from .values import normalise_text

__all__ = [
    "Documents",
    "closest_passage",
    "find_documents",
    "safe_document_name",
    "stated_numbers",
    "states_value",
]


def safe_document_name(name: str) -> bool:
    """A bare file name: no folders, nothing that could reach outside a documents folder."""
    return (
        name not in {"", ".", ".."}
        and "/" not in name
        and "\\" not in name
        and os.sep not in name
        and ":" not in name
        and "\x00" not in name
    )


@dataclass(frozen=True)
class Documents:
    """The documents folders searched, in order, and where each source's document was found.

    ``folders`` lists only folders that exist; ``paths`` maps source_id -> the file found;
    ``texts`` maps source_id -> the document's normalised text (for the quote check).
    """

    folders: tuple[Path, ...]
    paths: Mapping[str, Path]
    texts: Mapping[str, str]
    missing: Mapping[str, str]  # source_id -> document name found in no folder

    @property
    def searched(self) -> bool:
        return bool(self.folders)


def _listing(folder: Path) -> dict[str, Path]:
    try:
        return {entry.name: Path(entry.path) for entry in os.scandir(folder) if entry.is_file()}
    except OSError:
        return {}


def find_documents(documents: Iterable[tuple[str, str]], folders: Sequence[Path]) -> Documents:
    """Look for each (source_id, document name) in ``folders`` in turn; read what is found."""
    existing = tuple(dict.fromkeys(Path(f) for f in folders if Path(f).is_dir()))
    listings = [_listing(folder) for folder in existing]
    paths: dict[str, Path] = {}
    texts: dict[str, str] = {}
    missing: dict[str, str] = {}
    for source_id, name in documents:
        if not source_id or not safe_document_name(name) or source_id in paths:
            continue
        found = next((listing[name] for listing in listings if name in listing), None)
        if found is None:
            missing[source_id] = name
            continue
        try:
            text = found.read_bytes().decode("utf-8", "replace")
        except OSError:
            missing[source_id] = name
            continue
        paths[source_id] = found
        texts[source_id] = normalise_text(text)
    return Documents(existing, paths, texts, missing)


def available_names(folders: Sequence[Path]) -> list[str]:
    """Every file name in the folders (for a "did you mean")."""
    names: dict[str, None] = {}
    for folder in folders:
        names.update(dict.fromkeys(_listing(folder)))
    return list(names)


def closest_passage(quote: str, document: str) -> str:
    """A hint pointing at the part of the document the quote most resembles, if any."""
    quote = normalise_text(quote)
    if not quote or not document:
        return ""
    matcher = difflib.SequenceMatcher(None, document, quote, autojunk=False)
    match = matcher.find_longest_match(0, len(document), 0, len(quote))
    if match.size < max(8, len(quote) // 3):
        return ""
    start = max(0, match.a - match.b)
    end = min(len(document), start + len(quote))
    start = document.rfind(" ", 0, start + 1) + 1  # widen to whole words
    space = document.find(" ", end)
    end = len(document) if space == -1 else space
    return f"; the closest passage is {quoted(document[start:end], 100)}"


def states_value(quote: str, value: float, high: float | None = None) -> bool:
    """The quote writes the value (and a range's upper end) in any way releases write numbers."""
    return states(quote, value, high)


def _show(value: float) -> str:
    return f"{value:,.10g}" if value != int(value) else f"{int(value):,}"


def stated_numbers(quote: str) -> str:
    """The numbers a quote writes, for a message: ``187``, ``34 (written 'Thirty four')``."""
    shown = []
    for mention in numbers_in(quote):
        number = _show(mention.value)
        if mention.high is not None:
            number += f" to {_show(mention.high)}"
        plain = mention.text.replace(",", "").replace(" ", "")
        if plain != number.replace(",", ""):
            number += f" (written {quoted(mention.text, 40)})"
        shown.append(number)
    return ", ".join(shown)
