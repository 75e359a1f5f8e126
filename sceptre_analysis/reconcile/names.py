"""Check 9: operation names: aliases are data; an unknown name close to a known one is flagged."""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd

from sceptre_analysis.vocab import fold

from .base import Analysis
from .model import Finding
from .textscan import rows_matching

__all__ = ["CLOSE", "RULE", "operation_names"]

#: An unknown name this similar (0..1, difflib's ratio) to a known one is probably a variant.
CLOSE = 0.75
RULE = (
    "Every operation name must be a known name or alias (data/operations.csv); an unknown "
    f"name whose spelling is close to a known one (similarity at least {CLOSE}) is flagged as "
    "a probable variant, and another operation name in a quote is noted."
)
_MENTION = re.compile(r"\b(?:Operation|Op\.?)\s+([A-Z][A-Za-z\-]*[A-Za-z])")
_ANY_MENTION = re.compile(r"\bOp(?:eration|\.)?\s+[A-Z]")
_PREFIX = re.compile(r"^(?:operation|op\.?)\s+")


def _core(name: str) -> str:
    return _PREFIX.sub("", fold(name))


def operation_names(a: Analysis) -> list[Finding]:
    names = a.ctx.vocabulary.operation_names
    cores = {}
    for spelling, canonical in names.spellings():
        cores.setdefault(_core(spelling), canonical)
    claims = a.ctx.claims
    findings = []
    # 1. operation cells not in the vocabulary
    operations = claims["operation"]
    known = {op: op == "" or op in names for op in operations.unique()}
    unknown = claims["is_result"].to_numpy() & ~operations.map(known).to_numpy(dtype=bool)
    if unknown.any():
        for operation, rows in claims[unknown].groupby("operation"):
            findings.append(_finding(a, operation, rows, cores, "operation column"))
    # 2. names written in quotes, notes and stated periods
    texts = [
        f"{q} \n {n} \n {p}"
        for q, n, p in zip(
            claims["quote"].tolist(),
            claims["note"].tolist(),
            claims["period_stated"].tolist(),
            strict=True,
        )
    ]
    has = rows_matching(texts, _ANY_MENTION, needle="op")
    seen: set[str] = set()
    for position in np.flatnonzero(has):
        for match in _MENTION.finditer(texts[position]):
            mention = match.group(0)
            if mention in names or _core(mention) in cores or fold(mention) in seen:
                continue
            rows = claims[rows_matching(texts, re.compile(re.escape(mention)))]
            seen.add(fold(mention))
            findings.append(_finding(a, mention, rows, cores, "quote"))
    return findings


def _finding(
    a: Analysis, name: str, rows: pd.DataFrame, cores: dict[str, str], where: str
) -> Finding:
    core = _core(name)
    best = max(
        cores, key=lambda known: difflib.SequenceMatcher(None, core, known).ratio(), default=""
    )
    ratio = difflib.SequenceMatcher(None, core, best).ratio() if best else 0.0
    first = rows.sort_values("line").iloc[0]
    canonical = cores.get(best, "")
    if ratio >= CLOSE:
        kind, severity = "operation_variant", "caution"
        explanation = (
            f"“{name}” ({where}, {first['publisher']}, line {first['line']}) is not a known "
            f"operation name but is spelt much like “{canonical}”: probably the same operation."
        )
        decision = (
            f"Treated as written; if it is {canonical}, add “{name}” to its aliases in "
            "data/operations.csv so its figures join that week."
        )
    else:
        kind, severity = "operation_other_name", "note"
        explanation = (
            f"“{name}” ({where}, {first['publisher']}, line {first['line']}) is not a known "
            f"operation name; the claim is recorded under {first['operation']}."
        )
        decision = (
            "If it is another name for the same week, add it to that operation's aliases in "
            "data/operations.csv; otherwise its figures belong to a different operation."
        )
    return Finding(
        kind=kind,
        check="operation_names",
        severity=severity,
        explanation=explanation,
        decision=decision,
        claims=a.ctx.refs(rows.head(5)),
        operation=str(first["operation"]),
        week=first["cluster_week"] if pd.notna(first["cluster_week"]) else None,
        agency=str(first["agency"]),
        area=str(first["area"]),
    )
