"""Rules for ``sources.csv``: ids, dates, addresses, kinds, and each document found in one of
the documents folders."""

from __future__ import annotations

import re

from .cells import Cells
from .dates import date_rule
from .problems import Problem, quoted
from .quotes import Documents, available_names, safe_document_name
from .rules import Rules, check_header, duplicate_key, vocabulary_rule
from .tables import SOURCE_KINDS

__all__ = ["check_sources"]

_SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_URL = re.compile(r"^https?://\S+$")


def check_sources(cells: Cells, documents: Documents | None) -> list[Problem]:
    """Rules for sources.csv; ``documents`` (when searched) says which documents were found."""
    problems = list(cells.problems) + check_header(cells)
    if not cells.readable:
        return problems
    r = Rules(cells)
    r.required()
    r.cell(
        "source_id",
        lambda v: (
            None
            if v == "" or _SOURCE_ID.match(v)
            else (
                f"must be a short name without spaces (got {quoted(v)}, expected letters, digits, "
                "'-', '_' or '.', e.g. 'met-release-2020-11-19')"
            )
        ),
    )
    duplicate_key(r, "source_id")
    date_rule(r, "published")
    r.cell(
        "url",
        lambda v: (
            None
            if v == "" or _URL.match(v)
            else (
                f"must be a web address starting with http:// or https:// (got {quoted(v)}, "
                "expected e.g. 'https://news.met.police.uk/...')"
            )
        ),
    )
    vocabulary_rule(r, "kind", SOURCE_KINDS, "kind of source")
    bad_names = r.cell(
        "document",
        lambda v: (
            None
            if v == "" or safe_document_name(v)
            else (
                f"must be a file name, not a path (got {quoted(v)}, expected the name of a file in "
                "a documents folder, e.g. '000_e77ebc68579fe822.txt')"
            )
        ),
    )
    if documents is not None and documents.searched and r.has("source_id", "document"):
        folders = ", ".join(str(f) for f in documents.folders)
        names: list[str] | None = None
        ids = cells.columns["source_id"]
        for row, (line, source_id, name) in enumerate(
            zip(r.lines, ids, cells.columns["document"], strict=True)
        ):
            if row in bad_names or source_id not in documents.missing:
                continue
            if documents.missing[source_id] != name:
                continue  # a repeated source_id: reported as a duplicate
            names = available_names(documents.folders) if names is None else names
            r.add(
                line,
                "document",
                f"names a file that is in none of the documents folders (got {quoted(name)}, "
                f"expected a file in {folders}){r.hint('document', name, names)}",
            )
    return problems + r.problems()
