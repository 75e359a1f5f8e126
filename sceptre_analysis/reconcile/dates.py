"""Check 6: dates, against weekday names, stated lengths, the national week and each other."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import pandas as pd

from sceptre_analysis.narrative import spell_small

from .base import Analysis, join_words
from .model import Finding, decode, month_names, weekday_names
from .textscan import rows_matching

__all__ = ["PERIOD_RULE", "RULE", "dates", "decided_periods"]

RULE = (
    "A period must match the weekday names and the length a source gives for it, a force's "
    "week must be the national week of that month when the force took part in it, sources "
    "must agree on the dates of the same week (claims whose periods overlap are compared "
    "even when their dates differ), and a source cannot publish results before the period ends."
)

_DAYS = "|".join(weekday_names())
_MONTHS = "|".join(sorted(month_names(), key=len, reverse=True))
_WEEKDAY_DATE = re.compile(
    rf"\b(?P<weekday>{_DAYS})\b,?\s+(?:the\s+)?"
    rf"(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+(?:of\s+)?(?P<month>{_MONTHS})\b)?"
    rf"|(?P<month2>{_MONTHS})\s+(?P<day2>\d{{1,2}})\b)",
    re.IGNORECASE,
)
_ANY_DAY = re.compile(_DAYS, re.IGNORECASE)
#: Letters every weekday name contains, to skip texts quickly ("" when they share none).
_DAY_NEEDLE = "day" if all(name.endswith("day") for name in weekday_names()) else ""
PERIOD_RULE = (
    "The dates the reports use for a week are the exact dates most independent sources give "
    "(republished copies count once), a primary source's on a tie, then the earliest; "
    "month-only dates only when no source gives exact ones."
)

#: The usual length of an operation's weeks is known from this many weeks with exact dates.
USUAL_LENGTH_MIN_WEEKS = 3


def dates(a: Analysis) -> list[Finding]:
    return (
        _weekdays(a)
        + _lengths(a)
        + _usual_length(a)
        + _disagreeing(a)
        + _national_week(a)
        + _published_early(a)
    )


def _vote(periods: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One period per ``keys`` by :data:`PERIOD_RULE` (``votes`` and ``primary`` say why)."""
    return (
        periods.groupby([*keys, "period_start", "period_end"], observed=True)
        .agg(votes=("release_code", "nunique"), primary=("primary", "any"))
        .reset_index()
        .sort_values(
            ["votes", "primary", "period_start", "period_end"],
            ascending=[False, False, True, True],
            kind="stable",
        )
        .drop_duplicates(keys)
    )


def decided_periods(claims: pd.DataFrame) -> pd.DataFrame:
    """The dates the reports use (:data:`PERIOD_RULE`), per operation week and agency, and per
    operation week over every agency (``agency`` empty): the one rule for titles, per-day
    rates and the dates finding, so a report never contradicts its own findings."""
    columns = ["operation", "week", "agency", "period_start", "period_end", "period_kind"]
    dated = claims.loc[
        claims["period_start"].notna()
        & claims["period_end"].notna()
        & claims["period_kind"].isin(["exact", "month"])
        & (claims["cluster"] >= 0),
        [
            "cluster",
            "operation",
            "week",
            "agency_code",
            "period_start",
            "period_end",
            "period_kind",
            "release_code",
            "primary",
        ],
    ]
    if dated.empty:
        return pd.DataFrame(columns=columns)
    dated = dated.assign(exact=dated["period_kind"] == "exact")
    weeks = dated[["cluster", "operation", "week"]].drop_duplicates()
    weeks = weeks.assign(operation=weeks["operation"].astype(str))
    agencies = decode(claims, "agency")
    out = []
    # agencies by their codes (the same groups, in the same order), named at the end
    for keys in (["cluster", "agency_code"], ["cluster"]):
        voted = _vote(dated, [*keys, "exact"]).sort_values("exact", ascending=False, kind="stable")
        voted = voted.drop_duplicates(keys)
        if "agency_code" in keys:
            named = agencies[voted["agency_code"].to_numpy(dtype="int64")]
            voted = voted.assign(agency=pd.Series(named, index=voted.index).astype(str))
        else:
            voted = voted.assign(agency="")
        voted = voted.assign(period_kind=voted["exact"].map({True: "exact", False: "month"}))
        out.append(weeks.merge(voted, on="cluster"))
    return pd.concat(out, ignore_index=True)[columns]


def _backing(votes: int, primary: bool) -> str:
    """ "the dates a primary source gives", "the dates three independent sources give, including
    a primary source": who backs the dates the reports use."""
    if votes == 1:
        return "the dates a primary source gives" if primary else "the dates one source gives"
    return f"the dates {spell_small(votes)} independent sources give" + (
        ", including a primary source" if primary else ""
    )


def _period(a: Analysis, start: object, end: object) -> str:
    text = a.ctx.period_text(start, end)
    if pd.notna(start) and pd.notna(end):
        days = (pd.Timestamp(end) - pd.Timestamp(start)).days + 1
        text += f" ({days} days)"
    return text


def _place(row: Mapping[str, object]) -> dict[str, object]:
    return {
        "operation": str(row["operation"]),
        "week": row["cluster_week"],
        "agency": str(row["agency"]),
        "area": str(row["area"]),
    }


def _weekdays(a: Analysis) -> list[Finding]:
    c = a.claims
    findings = []
    names = weekday_names()
    months = month_names()
    for column in ("period_stated", "quote"):
        texts = c.index[rows_matching(c[column].tolist(), _ANY_DAY, needle=_DAY_NEEDLE)]
        seen: set[tuple[str, str]] = set()
        for label in texts:
            row = a.record(label)
            text = str(row[column])
            if (row["source_id"], text) in seen:
                continue
            seen.add((row["source_id"], text))
            problems = []
            for m in _WEEKDAY_DATE.finditer(text):
                day = int(m.group("day") or m.group("day2"))
                month_name = m.group("month") or m.group("month2")
                start, end = row["period_start"], row["period_end"]
                anchor = start if pd.notna(start) else row["published"]
                if pd.isna(anchor):
                    continue
                anchor = pd.Timestamp(anchor)
                if month_name:
                    month = months[month_name.lower()]
                elif pd.notna(end) and pd.Timestamp(end).day == day:
                    month = pd.Timestamp(end).month
                else:
                    month = anchor.month
                year = anchor.year
                if pd.notna(end) and month < anchor.month:
                    year = pd.Timestamp(end).year
                try:
                    date = dt.date(year, month, day)
                except ValueError:
                    continue
                named = names[m.group("weekday").lower()]
                if date.weekday() != named:
                    problems.append(
                        f"“{m.group(0)}”: {a.ctx.date_text(date)} was a "
                        f"{date.strftime('%A')}, not a {m.group('weekday').capitalize()}"
                    )
            if problems:
                findings.append(
                    Finding(
                        kind="weekday_mismatch",
                        check="dates",
                        severity="conflict",
                        explanation=f"{row['publisher']} (line {row['line']}) writes "
                        + "; ".join(problems)
                        + ".",
                        decision=(
                            "The reports keep the period as recorded, "
                            f"{_period(a, row['period_start'], row['period_end'])}; check the "
                            "source's dates."
                        ),
                        claims=a.cite([label]),
                        **_place(row),
                    )
                )
    return findings


def _lengths(a: Analysis) -> list[Finding]:
    c = a.claims
    c = c[(c["unit_kind"] == "duration") & c["exact"] & c["period_start"].notna()]
    c = c[c["period_kind"].isin(["exact"])]
    days = (c["period_end"] - c["period_start"]).dt.days + 1
    findings = []
    for _, row in c[c["value"] != days].iterrows():
        n = (row["period_end"] - row["period_start"]).days + 1
        findings.append(
            Finding(
                kind="length_vs_dates",
                check="dates",
                severity="conflict",
                explanation=(
                    f"{row['publisher']} (line {row['line']}) gives a "
                    f"{spell_small(int(row['value']))}-day operation (“{row['quote']}”), but "
                    f"{a.ctx.period_text(row['period_start'], row['period_end'])} is "
                    f"{spell_small(n)} days counting both ends."
                ),
                decision=f"The reports use the dates: {n} days.",
                claims=a.refs(c.loc[[row.name]]),
                measure=str(row["measure"]),
                chosen=float(n),
                **_place(row),
            )
        )
    return findings


def _periods(a: Analysis) -> pd.DataFrame:
    """One row per (cluster, agency, source, period) with exact dates (built once)."""
    return a.memo("dates.periods", lambda: _exact_periods(a.claims))


def _exact_periods(c: pd.DataFrame) -> pd.DataFrame:
    exact = c[(c["period_kind"] == "exact") & c["period_start"].notna() & c["period_end"].notna()]
    exact = exact[
        [
            "cluster",
            "cluster_week",
            "operation",
            "agency",
            "area",
            "akind",
            "source_id",
            "publisher",
            "release",
            "release_code",
            "primary",
            "period_start",
            "period_end",
            "line",
            "quote",
            "figure",
        ]
    ]
    return exact.drop_duplicates(["cluster", "agency", "source_id", "period_start", "period_end"])


def _usual_length(a: Analysis) -> list[Finding]:
    periods = _periods(a)
    if periods.empty:
        return []
    periods = periods.assign(days=(periods["period_end"] - periods["period_start"]).dt.days + 1)
    # each week's most common length (the shortest on a tie)
    per_week = (
        periods.groupby(["operation", "cluster", "days"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["n", "days"], ascending=[False, True], kind="stable")
        .drop_duplicates(["operation", "cluster"])
        .set_index(["operation", "cluster"])["days"]
        .sort_index()
    )
    findings = []
    for operation, lengths in per_week.groupby(level=0):
        if len(lengths) < USUAL_LENGTH_MIN_WEEKS:
            continue
        counts = lengths.value_counts()
        usual, held = int(counts.index[0]), int(counts.iloc[0])
        if held * 2 <= len(lengths):
            continue
        odd = periods[(periods["operation"] == operation) & (periods["days"] != usual)]
        for (_, start, end), rows in odd.groupby(["source_id", "period_start", "period_end"]):
            row = rows.iloc[0]
            findings.append(
                Finding(
                    kind="unusual_length",
                    check="dates",
                    severity="caution",
                    explanation=(
                        f"{row['publisher']} puts {operation} on {_period(a, start, end)}, but "
                        f"{held} of its {len(lengths)} weeks with dates run {usual} days: the "
                        "dates may be a day off."
                    ),
                    decision="The reports keep the source's dates; check them.",
                    claims=a.refs(rows.head(1)),
                    **_place(row),
                )
            )
    return findings


def _disagreeing(a: Analysis) -> list[Finding]:
    periods = _periods(a)
    key = ["cluster", "agency"]
    by = periods.groupby(key, sort=False)
    counts = by["period_start"].transform("nunique") + by["period_end"].transform("nunique")
    findings: list[Finding] = []
    flagged = periods[counts > 2]
    if flagged.empty:
        return findings
    best_of = (
        _vote(flagged, ["cluster", "agency"]).set_index(["cluster", "agency"]).to_dict("index")
    )
    # each source's dates once per week and agency: in line order for the words, in the
    # claims' order for the citations
    distinct = [*key, "source_id", "period_start"]
    said: dict[tuple, list[str]] = {}
    in_lines = flagged.sort_values("line", kind="stable").drop_duplicates(distinct)
    columns = _lists(
        in_lines, ["cluster", "agency", "publisher", "line", "period_start", "period_end"]
    )
    for cluster, agency, publisher, line, start, end in zip(*columns, strict=True):
        said.setdefault((cluster, agency), []).append(
            f"{publisher} (line {int(line)}) {_period(a, start, end)}"
        )
    cited: dict[tuple, list[object]] = {}
    first_seen = flagged.drop_duplicates(distinct)
    for cluster, agency, label in zip(*_lists(first_seen, key), first_seen.index, strict=True):
        cited.setdefault((cluster, agency), []).append(label)
    firsts = flagged.drop_duplicates(key).sort_values(key, kind="stable")
    for row in firsts[["cluster", "agency", "operation", "area", "cluster_week"]].to_dict(
        "records"
    ):
        place = (row["cluster"], row["agency"])
        best = best_of[place]
        findings.append(
            Finding(
                kind="dates_disagree",
                check="dates",
                severity="conflict",
                explanation=(
                    f"Sources put the {row['agency']}'s {row['operation']} week on different "
                    f"dates: {join_words(said[place])}."
                ),
                decision=(
                    f"The reports use {_period(a, best['period_start'], best['period_end'])}, "
                    + _backing(int(best["votes"]), bool(best["primary"]))
                    + "; the claims are compared as one week."
                ),
                claims=a.cite(cited[place]),
                **_place(row),
            )
        )
    return findings


def _lists(frame: pd.DataFrame, names: list[str]) -> list[list]:
    """Columns as plain lists, for loops that write one finding per group."""
    return [frame[name].tolist() for name in names]


def _national_week(a: Analysis) -> list[Finding]:
    periods = _periods(a)
    if periods.empty:
        return []
    periods = periods.assign(month=periods["period_start"].dt.to_period("M"))
    national = periods[periods["akind"] == "national"]
    forces = periods[periods["akind"] == "force"]
    findings = []
    if national.empty or forces.empty:
        return findings
    weeks = _vote(national, ["operation", "month"]).rename(
        columns={"period_start": "national_start", "period_end": "national_end"}
    )
    # the claims' labels kept through the merge, to cite them
    joined = forces.rename_axis("_label").reset_index().merge(weeks, on=["operation", "month"])
    odd = joined[
        (joined["period_start"] != joined["national_start"])
        | (joined["period_end"] != joined["national_end"])
    ]
    # one finding per (agency, source, period): its first claim, in the groups' sorted order
    key = ["agency", "source_id", "period_start", "period_end"]
    firsts = odd.drop_duplicates(key).sort_values(key, kind="stable")
    for row in firsts.to_dict("records"):
        operation = row["operation"]
        best = {"period_start": row["national_start"], "period_end": row["national_end"]}
        findings.append(
            Finding(
                kind="period_vs_national_week",
                check="dates",
                severity="caution",
                explanation=(
                    f"{row['publisher']} (line {row['line']}) puts the {row['agency']}'s "
                    f"week on {_period(a, row['period_start'], row['period_end'])}, but "
                    f"the national {operation} week of that month ran "
                    f"{_period(a, best['period_start'], best['period_end'])}."
                ),
                decision=(
                    "The reports keep the force's figures with the national week they "
                    "overlap; check whether the force's dates are its own or a mistake."
                ),
                claims=a.cite([row["_label"]]),
                **_place(row),
            )
        )
    return findings


def _published_early(a: Analysis) -> list[Finding]:
    c = a.claims
    early = c[
        c["published"].notna()
        & c["period_end"].notna()
        & (c["period_kind"] == "exact")
        & (c["published"] < c["period_end"])
    ]
    findings = []
    for _, rows in early.groupby(["source_id", "period_end"]):
        row = rows.iloc[0]
        findings.append(
            Finding(
                kind="published_before_end",
                check="dates",
                severity="caution",
                explanation=(
                    f"{row['publisher']} was published on {a.ctx.date_text(row['published'])}, "
                    f"before the period it reports ends "
                    f"({_period(a, row['period_start'], row['period_end'])}): its figures are "
                    "partial or its dates are wrong."
                ),
                decision="The reports keep these figures but prefer later, complete ones.",
                claims=a.refs(rows.head(3)),
                **_place(row),
            )
        )
    return findings
