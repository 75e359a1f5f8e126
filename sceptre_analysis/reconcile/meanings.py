"""Check 5: one number given two meanings, within a source or echoed across forces."""

from __future__ import annotations

import numpy as np

from .base import Analysis, join_words
from .model import Finding

__all__ = ["ECHO_MIN", "RULE", "WITHIN_SOURCE_MIN", "one_number_two_meanings"]

#: Within one source, equal numbers below this are too common to question.
WITHIN_SOURCE_MIN = 10
#: Across forces, the same number for the same measure is questioned only from this size and
#: when it is not a multiple of 10, and at least ECHO_FACTOR x (forces giving that measure)²:
#: among k forces' figures of size about N, some two are equal by chance about k²/2N times.
ECHO_MIN = 100
ECHO_FACTOR = 10
RULE = (
    f"Within one source, the same number (at least {WITHIN_SOURCE_MIN}) for two different "
    f"measures that are not part of one another is questioned; across forces, the same number "
    f"for the same measure is questioned only when it is at least {ECHO_MIN}, not a "
    f"multiple of 10 and at least {ECHO_FACTOR} times the square of the number of forces "
    "giving that measure that week, since smaller or rounder numbers coincide too often."
)


def one_number_two_meanings(a: Analysis) -> list[Finding]:
    return _within_source(a) + _across_forces(a)


def _within_source(a: Analysis) -> list[Finding]:
    columns = [
        "source_id",
        "cluster",
        "value",
        "unit",
        "agency",
        "measure",
        "line",
        "figure",
        "publisher",
        "group",
        "source_id_code",
        "unit_code",
        "agency_code",
        "measure_code",
    ]
    c = a.claims
    c = c.loc[c["exact"] & (c["value"] >= WITHIN_SOURCE_MIN) & ~c["misscoped"], columns]
    key = ["source_id_code", "cluster", "value", "unit_code"]  # in the order of the texts
    # what a number is given for: an agency's measure, as one integer
    what = c.groupby(["agency_code", "measure_code"], sort=False).ngroup()
    c = c.assign(what=what)
    counts = c.groupby(key)["what"].transform("nunique")
    # each number of a source in a week, its claims in line order, each meaning once
    candidates = (
        c[counts > 1].sort_values([*key, "line"], kind="stable").drop_duplicates([*key, "what"])
    )
    findings: list[Finding] = []
    if candidates.empty:
        return findings
    starts = np.flatnonzero(
        candidates.groupby(key, sort=False).ngroup().diff().fillna(1).to_numpy() != 0
    )
    bounds = zip(starts.tolist(), [*starts[1:].tolist(), len(candidates)], strict=True)
    names = ["measure", "figure", "agency", "line", "publisher", "value", "unit", "group"]
    lists = {name: candidates[name].tolist() for name in names}
    labels = candidates.index.tolist()
    related = a.ctx.related
    for start, end in bounds:
        measures = lists["measure"][start:end]
        if end - start > 12:  # a list of equal numbers is a pattern, not a mix-up
            continue
        unrelated = any(
            measures[i] == measures[j] or frozenset((measures[i], measures[j])) not in related
            for i in range(len(measures))
            for j in range(i + 1, len(measures))
        )
        if not unrelated:
            continue
        said = join_words(
            [
                f"{f} for the {g} (line {n})"
                for f, g, n in zip(
                    lists["figure"][start:end],
                    lists["agency"][start:end],
                    lists["line"][start:end],
                    strict=True,
                )
            ]
        )
        group = int(lists["group"][start])
        where = a.where(group)
        where.update(chosen=None, chosen_source="", measure=" / ".join(dict.fromkeys(measures)))
        findings.append(
            Finding(
                kind="same_number_two_measures",
                check="one_number_two_meanings",
                severity="caution",
                explanation=(
                    f"{lists['publisher'][start]} gives the same number, "
                    f"{a.ctx.unit_text(lists['value'][start], lists['unit'][start])}, "
                    f"for {said}. One of them may be the other's figure given the wrong meaning."
                ),
                decision=(
                    "Each figure is used only if it agrees with the other sources for its measure "
                    "(see the other findings); otherwise treat it with care."
                ),
                claims=a.cite(labels[start:end]),
                **where,
            )
        )
    return findings


def _across_forces(a: Analysis) -> list[Finding]:
    c = a.claims
    c = c.loc[
        c["exact"] & (c["akind"] == "force") & ~c["lead"] & ~c["misscoped"],
        ["cluster", "measure", "value", "agency", "line", "publisher", "figure", "group"],
    ]
    # how many forces give this measure this week: more forces, more chance coincidences
    forces = c.groupby(["cluster", "measure"])["agency"].transform("nunique")
    c = c[
        (c["value"] >= ECHO_MIN) & (c["value"] % 10 != 0) & (c["value"] >= ECHO_FACTOR * forces**2)
    ]
    counts = c.groupby(["cluster", "measure", "value"])["agency"].transform("nunique")
    findings = []
    for _, rows in c[counts > 1].groupby(["cluster", "measure", "value"]):
        rows = rows.sort_values("line").drop_duplicates("agency")
        group = int(rows.iloc[0]["group"])
        where = a.where(group)
        where.update(chosen=None, chosen_source="", agency=" / ".join(rows["agency"]))
        said = [f"{r.agency} ({r.publisher}, line {r.line})" for r in rows.itertuples()]
        findings.append(
            Finding(
                kind="same_number_two_forces",
                check="one_number_two_meanings",
                severity="caution",
                explanation=(
                    f"{join_words(said)} "
                    f"all give {rows.iloc[0]['figure']} for the same week: a number this specific "
                    "is unlikely to be a coincidence; one force's figure may have been credited "
                    "to another."
                ),
                decision="Each figure is kept for its force; check the sources.",
                claims=a.refs(rows),
                **where,
            )
        )
    return findings
