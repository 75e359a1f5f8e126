"""Compare what the sources claim about the same thing and explain where they part.

For every operation, period, agency, area and measure the sources' claims are
set side by side: exact figures must agree, hedged ones must hold against the
exact ones, and a stated length must match the stated dates. A second pass
looks for a whole list whose scope is wrong (a "national" list that is one
force's figures). The result is a frame a notebook shows as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .metrics import SCOPE, hedge_holds, period_days, with_derived
from .narrative import (
    format_date,
    format_period,
    format_value,
    hedged_figure,
    join_words,
    spell_small,
)

__all__ = ["STATUS_ORDER", "reconcile"]

STATUS_ORDER = ["conflict", "scope", "consistent"]
"""How rows are sorted: problems first."""

# A list is suspected of the wrong scope when at least this many exact figures
# coincide with another scope's and none differ.
MIN_MATCHING_FIGURES = 3

COLUMNS = [
    *SCOPE,
    "measure",
    "label",
    "status",
    "claims",
    "explanation",
    "chosen",
    "chosen_source",
    "reason",
    "lines",
    "unit",
]


@dataclass(frozen=True)
class _Claim:
    value: float
    qualifier: str
    source_id: str
    line: int | None
    text: str
    derived: bool = False


def _source_info(sources: pd.DataFrame) -> pd.DataFrame:
    return sources.set_index(sources["source_id"].astype(str))


def _source_name(sources: pd.DataFrame, source_id: str) -> str:
    return str(sources.loc[source_id, "publisher"]) if source_id in sources.index else source_id


def _rank(claim: _Claim, sources: pd.DataFrame, agency: str) -> tuple[int, int, int, int]:
    """Lower is better: the agency's own primary release, then exact, then stated, then newest."""
    info = sources.loc[claim.source_id] if claim.source_id in sources.index else None
    primary = info is not None and str(info["kind"]) == "primary"
    own = info is not None and str(info["publisher"]) == agency
    published = info["published"] if info is not None else pd.NaT
    age = -int(pd.Timestamp(published).value // 10**9) if pd.notna(published) else 0
    return (0 if own else 1 if primary else 2, 1 if claim.qualifier else 0, int(claim.derived), age)


def _reason(
    claim: _Claim, sources: pd.DataFrame, agency: str, agreeing: int, disagreeing: int
) -> str:
    info = sources.loc[claim.source_id] if claim.source_id in sources.index else None
    name = _source_name(sources, claim.source_id)
    if info is not None and str(info["publisher"]) == agency:
        dated = format_date(info["published"])
        why = f"the {agency}'s own release" + (f" of {dated}" if dated else "")
    elif info is not None and str(info["kind"]) == "primary":
        why = f"a primary source ({name})"
    else:
        why = f"the only kind of source available ({name}, secondary)"
    if claim.derived:
        why += ", computed from its exact component figures"
    elif not claim.qualifier:
        why += ", an exact figure"
    if disagreeing:
        why += f"; preferred over {disagreeing} disagreeing claim{'s' if disagreeing > 1 else ''}"
    if agreeing:
        why += f"; {agreeing} other claim{'s agree' if agreeing > 1 else ' agrees'}"
    return why[0].upper() + why[1:] + "."


def _echoes(
    value: float, group_key: dict[str, object], pool: pd.DataFrame, labels: pd.Series
) -> list[str]:
    """Other figures in the same operation and period that equal ``value``: likely mix-ups."""
    same_period = (
        (pool["operation"].astype(object) == group_key["operation"])
        & (pool["period_start"] == group_key["period_start"])
        & (pool["period_end"] == group_key["period_end"])
        & (pool["value"].astype(float) == value)
        & ~pool["derived"].astype(bool)
    )
    elsewhere = pool[same_period]
    elsewhere = elsewhere[
        ~(
            (elsewhere["agency"].astype(object) == group_key["agency"])
            & (elsewhere["area"].astype(object) == group_key["area"])
            & (elsewhere["measure"].astype(str) == group_key["measure"])
        )
    ]
    # The same measure for another force first: that is the classic mix-up.
    elsewhere = elsewhere.assign(
        same_measure=elsewhere["measure"].astype(str) == group_key["measure"]
    ).sort_values(["same_measure", "line"], ascending=[False, True])
    notes = []
    for row in elsewhere.itertuples(index=False):
        label = str(labels.get(str(row.measure), row.measure)).lower()
        if str(row.agency) == group_key["agency"]:
            where = f"{label} ({row.area}; line {int(row.line)})"
        else:
            where = f"{label} for the {row.agency} ({row.area}; line {int(row.line)})"
        notes.append(where)
    return notes


def _group_rows(
    tallies: pd.DataFrame, sources: pd.DataFrame, measures: pd.DataFrame, qualifiers: dict[str, str]
) -> list[dict[str, object]]:
    pool = with_derived(tallies, measures)
    info = measures.set_index("measure")
    labels = info["label"]
    rows: list[dict[str, object]] = []
    pool["measure"] = pool["measure"].astype(str)
    for key, group in pool.groupby([*SCOPE, "measure"], observed=True, sort=True):
        group_key = dict(zip([*SCOPE, "measure"], key, strict=True))
        measure = group_key["measure"]
        unit = str(info.loc[measure, "unit"])
        noun = str(info.loc[measure, "noun"] or "")
        noun_plural = info.loc[measure, "noun_plural"] or None

        def text(
            value: float, qualifier: str = "", unit: str = unit, noun: str = noun, np=noun_plural
        ) -> str:
            return hedged_figure(value, qualifier=qualifier, unit=unit, noun=noun, noun_plural=np)

        claims = [
            _Claim(
                value=float(row.value),
                qualifier=str(row.qualifier or ""),
                source_id=str(row.source_id),
                line=None if row.derived else int(row.line),
                text=text(float(row.value), str(row.qualifier or "")),
                derived=bool(row.derived),
            )
            for row in group.itertuples(index=False)
        ]
        stated = [claim for claim in claims if not claim.derived]
        if not stated:
            continue
        exact = [claim for claim in claims if not claim.qualifier]
        problems: list[str] = []

        if unit == "days":
            days = period_days(group_key["period_start"], group_key["period_end"])
            period_text = format_period(group_key["period_start"], group_key["period_end"])
            for claim in exact:
                if claim.value != days:
                    problems.append(
                        f"{_source_name(sources, claim.source_id)} (line {claim.line}) gives a "
                        f"{spell_small(int(claim.value))}-day operation, but {period_text} is "
                        f"{spell_small(days)} days counting both ends."
                    )

        distinct = sorted({claim.value for claim in exact})
        ranked = sorted(claims, key=lambda claim: _rank(claim, sources, group_key["agency"]))
        chosen = next((claim for claim in ranked if not claim.qualifier), ranked[0])
        if len(distinct) > 1 and unit != "days":
            for claim in exact:
                if claim.value == chosen.value:
                    continue
                message = (
                    f"{_source_name(sources, claim.source_id)} (line {claim.line}) gives "
                    f"{claim.text}, but {_source_name(sources, chosen.source_id)} gives "
                    f"{chosen.text}" + (f" (line {chosen.line})" if chosen.line else "") + "."
                )
                echoes = _echoes(claim.value, group_key, pool, labels)
                if echoes:
                    message += (
                        f" {format_value(claim.value, unit)} is also the figure given for "
                        f"{join_words(echoes)}: most likely that figure was attributed to "
                        "the wrong force or measure."
                    )
                problems.append(message)

        for claim in stated:
            if not claim.qualifier:
                continue
            evidence = [other for other in ranked if not other.qualifier]
            if not evidence:
                continue
            best = next((e for e in evidence if e.source_id == claim.source_id), evidence[0])
            if not hedge_holds(qualifiers[claim.qualifier], claim.value, best.value):
                problems.append(
                    f"{_source_name(sources, claim.source_id)} (line {claim.line}) says "
                    f"“{claim.text}”, which does not hold against {best.text}."
                )

        sources_named = sorted({_source_name(sources, c.source_id) for c in stated})
        if problems:
            status, explanation = "conflict", " ".join(problems)
        elif len(stated) == 1:
            status = "consistent"
            explanation = f"One claim only ({sources_named[0]}); nothing to compare."
        else:
            status = "consistent"
            hedges = [c for c in stated if c.qualifier]
            explanation = f"{len(stated)} claims from {join_words(sources_named)} agree"
            if hedges and exact:
                explanation += (
                    f": {join_words(sorted({f'“{c.text}”' for c in hedges}))} "
                    f"{'holds' if len({c.text for c in hedges}) == 1 else 'hold'} "
                    f"against {chosen.text}"
                )
                if chosen.derived:
                    basis = group[group["derived"].astype(bool)]["basis"].iloc[0]
                    explanation += f" ({basis})"
            elif len({c.value for c in stated}) == 1:
                explanation += f" on {chosen.text}"
            explanation += "."
        others = [c for c in stated if c is not chosen]
        agreeing = sum(
            hedge_holds(qualifiers[c.qualifier], c.value, chosen.value)
            if c.qualifier
            else c.value == chosen.value
            for c in others
        )
        disagreeing = len(others) - agreeing
        rows.append(
            {
                **group_key,
                "label": labels.get(measure, measure),
                "status": status,
                "claims": "; ".join(
                    f"{c.text} ({_source_name(sources, c.source_id)}, line {c.line})"
                    for c in stated
                ),
                "explanation": explanation,
                "chosen": chosen.value,
                "chosen_source": chosen.source_id,
                "reason": _reason(chosen, sources, group_key["agency"], agreeing, disagreeing),
                "unit": unit,
                "lines": sorted(c.line for c in stated if c.line is not None),
            }
        )
    return rows


def _scope_rows(
    tallies: pd.DataFrame, sources: pd.DataFrame, measures: pd.DataFrame
) -> list[dict[str, object]]:
    """Lists whose figures all equal another scope's: a national list that is one force's."""
    info = measures.set_index("measure")
    figures = tallies[
        (tallies["qualifier"].astype(str) == "") & (tallies["unit"].astype(str) != "days")
    ].copy()
    figures["measure"] = figures["measure"].astype(str)
    rows: list[dict[str, object]] = []
    for key, period in figures.groupby(
        ["operation", "period_start", "period_end"], observed=True, sort=True
    ):
        scopes = {
            scope: frame.drop_duplicates("measure").set_index("measure")
            for scope, frame in period.groupby(["agency", "area"], observed=True, sort=True)
        }
        for suspect, suspect_rows in scopes.items():
            for reference, reference_rows in scopes.items():
                if suspect == reference:
                    continue
                common = sorted(set(suspect_rows.index) & set(reference_rows.index))
                if len(common) < MIN_MATCHING_FIGURES:
                    continue
                same = [
                    m
                    for m in common
                    if float(suspect_rows.loc[m, "value"]) == float(reference_rows.loc[m, "value"])
                ]
                if len(same) != len(common):
                    continue
                suspect_sources = set(suspect_rows["source_id"].astype(str))
                reference_sources = set(reference_rows["source_id"].astype(str))
                # Only flag the scope whose sources are no more authoritative than the other's.
                suspect_primary = any(
                    str(sources.loc[s, "kind"]) == "primary" for s in suspect_sources
                )
                if suspect_primary:
                    continue

                def figure(measure: str, table: pd.DataFrame = suspect_rows) -> str:
                    return hedged_figure(
                        float(table.loc[measure, "value"]),
                        unit=str(info.loc[measure, "unit"]),
                        noun=str(info.loc[measure, "noun"] or ""),
                        noun_plural=info.loc[measure, "noun_plural"] or None,
                    )

                others = [m for m in suspect_rows.index if m not in common]
                suspect_agency, suspect_area = suspect
                reference_agency, reference_area = reference
                publishers = join_words(sorted(_source_name(sources, s) for s in suspect_sources))
                explanation = (
                    f"The list {publishers} gives for “{suspect_area}” ({suspect_agency}) is "
                    f"identical, figure for figure, to the {reference_agency}'s own "
                    f"{reference_area} figures: "
                    f"{join_words([figure(m) for m in common])}. A total for a wider area that "
                    f"equals one force's total is not credible: most likely these are the "
                    f"{reference_agency}'s {reference_area} results presented as "
                    f"“{suspect_area}”."
                )
                if others:
                    explanation += (
                        f" Its other figures ({join_words([figure(m) for m in others])}) are "
                        f"probably {reference_area} figures too."
                    )
                rows.append(
                    {
                        **dict(zip(["operation", "period_start", "period_end"], key, strict=True)),
                        "agency": suspect_agency,
                        "area": suspect_area,
                        "measure": "(whole list)",
                        "label": (
                            f"the “{suspect_area}” list repeats the {reference_agency}'s "
                            f"{reference_area} figures"
                        ),
                        "unit": "",
                        "status": "scope",
                        "claims": "; ".join(figure(m) for m in suspect_rows.index),
                        "explanation": explanation,
                        "chosen": pd.NA,
                        "chosen_source": ",".join(sorted(reference_sources)),
                        "reason": (
                            f"Use the {reference_agency}'s {reference_area} figures; do not read "
                            f"this list as a total for “{suspect_area}”."
                        ),
                        "lines": sorted(int(x) for x in suspect_rows["line"]),
                    }
                )
    return rows


def reconcile(
    tallies: pd.DataFrame,
    sources: pd.DataFrame,
    measures: pd.DataFrame,
    qualifiers: dict[str, str],
) -> pd.DataFrame:
    """One row per compared figure (or suspect list), problems first.

    ``status`` is ``conflict`` (claims disagree), ``scope`` (a whole list looks
    mislabelled) or ``consistent``; ``explanation`` says why in plain words and
    ``chosen``/``reason`` say which figure a report should use.
    """
    info = _source_info(sources)
    rows = _group_rows(tallies, info, measures, qualifiers) + _scope_rows(tallies, info, measures)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["status"] = pd.Categorical(frame["status"], categories=STATUS_ORDER, ordered=True)
    return frame.sort_values(["status", *SCOPE, "measure"], kind="stable").reset_index(drop=True)
