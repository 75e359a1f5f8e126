"""Regular expressions over a column of texts in one pass, not one call per row.

Each text is searched as if alone: the texts are joined with a character no pattern used here
can match (NUL), searched once, and every match is mapped back to its row. A text that itself
contains NUL makes the helpers fall back to one search per row, so results never differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import numpy as np

__all__ = ["SEPARATOR", "matches", "phrase_matches", "rows_matching"]

SEPARATOR = "\x00"


def _joined(texts: Sequence[str]) -> tuple[str, np.ndarray] | None:
    """The texts joined by :data:`SEPARATOR` and where each starts; None if one contains it."""
    joined = SEPARATOR.join(texts)
    if joined.count(SEPARATOR) != max(len(texts) - 1, 0):
        return None
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1
    starts = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    return joined, starts


def matches(texts: Sequence[str], pattern: re.Pattern[str]) -> Iterator[tuple[int, re.Match[str]]]:
    """(row, match) for every match of ``pattern`` in each text, rows in order.

    The pattern must not match :data:`SEPARATOR`, and its lookarounds must treat it as they
    treat the start or end of a text (as ``\\b`` and ``(?<![a-z])`` do)."""
    found = _joined(texts)
    if found is None:
        for row, text in enumerate(texts):
            for m in pattern.finditer(text):
                yield row, m
        return
    joined, starts = found
    hits = list(pattern.finditer(joined))
    if not hits:
        return
    where = np.fromiter((m.start() for m in hits), dtype=np.int64, count=len(hits))
    rows = np.searchsorted(starts, where, side="right") - 1
    for row, m in zip(rows.tolist(), hits, strict=True):
        yield row, m


def phrase_matches(
    texts: Sequence[str], phrases: Sequence[str], word: str = "0-9a-z"
) -> Iterator[tuple[int, str]]:
    """(row, phrase) for every whole-word phrase in each text, as ``findall`` of
    ``(?<![word])(?:longest|...|shortest)(?![word])`` on the text alone would find them.

    The look-behind is checked by hand: a pattern that starts with one is tried at every
    position and is about ten times slower than the phrases alone."""
    if not phrases:
        return
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    body = re.compile(rf"(?:{alternatives})(?![{word}])")
    before = re.compile(rf"[{word}]")
    found = _joined(texts) if all(phrases) else None
    if found is None:
        whole = re.compile(rf"(?<![{word}]){body.pattern}")
        for row, text in enumerate(texts):
            for phrase in whole.findall(text):
                yield row, phrase
        return
    joined, starts = found
    hits: list[tuple[int, str]] = []
    if all(before.fullmatch(p[0]) and before.fullmatch(p[-1]) for p in phrases):
        # phrases that start and end inside a word: the character before one (or the NUL
        # before each text) is consumed instead of looked behind at; it can never be part of
        # the previous match, which ends on a word character
        step = re.compile(rf"[^{word}]({alternatives})(?![{word}])")
        hits = [(m.start(1) - 1, m.group(1)) for m in step.finditer(SEPARATOR + joined)]
    else:
        position = 0
        search = body.search
        while (m := search(joined, position)) is not None:
            start = m.start()
            if start and before.match(joined, start - 1):  # inside a word: one further on
                position = start + 1
                continue
            hits.append((start, m.group(0)))
            position = m.end()
    if not hits:
        return
    where = np.fromiter((h[0] for h in hits), dtype=np.int64, count=len(hits))
    rows = np.searchsorted(starts, where, side="right") - 1
    for row, (_, phrase) in zip(rows.tolist(), hits, strict=True):
        yield row, phrase


def rows_matching(texts: Sequence[str], pattern: re.Pattern[str], needle: str = "") -> np.ndarray:
    """Whether ``pattern`` occurs in each text (as ``re.search`` on the text alone).

    ``needle``: lower-case letters every match contains in some case (``"day"`` for weekday
    names); only texts that contain it are searched, which is much quicker for a
    case-insensitive pattern with many alternatives."""
    out = np.zeros(len(texts), dtype=bool)
    if needle:
        candidates = np.flatnonzero(_containing(texts, needle))
        out[candidates] = [pattern.search(texts[i]) is not None for i in candidates.tolist()]
        return out
    found = _joined(texts)
    if found is None:
        out[:] = [pattern.search(t) is not None for t in texts]
        return out
    joined, starts = found
    where = np.fromiter((m.start() for m in pattern.finditer(joined)), dtype=np.int64)
    if len(where):
        out[np.searchsorted(starts, where, side="right") - 1] = True
    return out


def _containing(texts: Sequence[str], needle: str) -> np.ndarray:
    """Whether each text, lower-cased, contains ``needle``."""
    found = _joined(texts)
    if found is not None:
        joined, starts = found
        lower = joined.lower()
        if len(lower) == len(joined):  # one character for one: positions still hold
            out = np.zeros(len(texts), dtype=bool)
            where = np.fromiter(
                (m.start() for m in re.finditer(re.escape(needle), lower)), dtype=np.int64
            )
            if len(where):
                out[np.searchsorted(starts, where, side="right") - 1] = True
            return out
    return np.fromiter((needle in t.lower() for t in texts), dtype=bool, count=len(texts))
