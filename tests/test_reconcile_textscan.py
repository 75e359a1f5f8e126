"""The one-pass text search finds exactly what a search of each text alone finds."""

from __future__ import annotations

import re

from sceptre_analysis.reconcile.textscan import matches, phrase_matches, rows_matching

TEXTS = [
    "Operation Sceptre ran from Monday 8 March",
    "",
    "knives seized",
    "SUNDAY, the 14th",
    "İstanbul Op. Fear on saturday",  # lower-casing changes its length
    "held on friday\x00night",  # contains the separator itself
    "monday",
    "no weekday here",
]
DAYS = re.compile("monday|tuesday|wednesday|thursday|friday|saturday|sunday", re.IGNORECASE)
MENTION = re.compile(r"\bOp(?:eration|\.)?\s+[A-Z]")
WORD = re.compile(r"(?<![0-9a-z])(?:knives seized|knives|seized)(?![0-9a-z])")


def test_rows_matching_is_a_search_of_each_text():
    for pattern in (DAYS, MENTION, WORD):
        expected = [pattern.search(t) is not None for t in TEXTS]
        assert rows_matching(TEXTS, pattern).tolist() == expected
        clean = [t for t in TEXTS if "\x00" not in t]
        assert rows_matching(clean, pattern).tolist() == [
            pattern.search(t) is not None for t in clean
        ]
    assert rows_matching(TEXTS, DAYS, needle="day").tolist() == [
        DAYS.search(t) is not None for t in TEXTS
    ]
    assert rows_matching(TEXTS, DAYS, needle="day").sum() == 5


def test_matches_are_those_of_each_text():
    clean = [t for t in TEXTS if "\x00" not in t]
    for texts in (TEXTS, clean):
        expected = [(i, m.group(0)) for i, t in enumerate(texts) for m in WORD.finditer(t)]
        assert [(i, m.group(0)) for i, m in matches(texts, WORD)] == expected
    assert [m.group(0) for _, m in matches(["knives seized"], WORD)] == ["knives seized"]


def test_phrase_matches_are_findall_with_look_behind_on_each_text():
    texts = [
        "xknives and weapons seized",  # a phrase inside a word: the next one still counts
        "knives seized, knives",
        "",
        "seized",
        "£5 of knives and weapons",
        "knives-and weapons",
    ]
    for phrases in (
        ["knives and weapons", "knives", "weapons", "seized"],
        ["£5", "knives", "weapons"],  # a phrase that starts outside a word
    ):
        alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
        whole = re.compile(rf"(?<![0-9a-z])(?:{alternatives})(?![0-9a-z])")
        expected = [(i, p) for i, t in enumerate(texts) for p in whole.findall(t)]
        assert list(phrase_matches(texts, phrases)) == expected
    assert list(phrase_matches(texts[:1], ["knives and weapons", "weapons"])) == [(0, "weapons")]
