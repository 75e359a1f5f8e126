"""The prose blocks of the reports: the lede, the source check's overview, the findings.

Prose is written from :class:`~sceptre_analysis.figures.Figure` objects, so every hedge the
source printed is kept ("over 9,639 knives"), a total is followed by its parts as its
breakdown, never listed beside them, and per-day rates appear only where ``per_day`` says
they mean something. Each figure is wrapped in ``<span class="figure" data-measure=...>``
and each breakdown in ``<span class="breakdown" data-of=...>`` so tests can check the
structure of the words, not their wording.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from markupsafe import Markup

from .figures import WHOLE_LIST, Citations, Figure, Period, finding_id
from .narrative import join_words, spell_small
from .reconcile.html import KIND_TITLES
from .reconcile.html import findings_html as reconcile_html
from .roles import Roles
from .tables import cite_cell, per_day_text

__all__ = [
    "check_overview_html",
    "findings_html",
    "item_text",
    "lede_html",
]


def _lower(label: str) -> str:
    """ "Knives seized by officers" -> "knives seized by officers"; acronyms ("NPCC ...") and
    names ("Border Force referrals": a later word is capitalised) keep their capitals."""
    if len(label) > 1 and label[:2].isupper():
        return label
    if any(word[:1].isupper() for word in label.split()[1:]):
        return label
    return label[:1].lower() + label[1:]


def item_text(figure: Figure, *, as_part: bool = False) -> str:
    """A figure as a list item: "over 9,639 knives", "936 knives seized by officers",
    "cash seized of £1,940", "share of arrests that were knife-related (32%)", "an increase of
    14% in knives seized (compared with ...)"."""
    role = figure.role
    label = _lower(role.label)
    if figure.claim.is_change:
        text = f"{role.label}: {figure.number}"
        if figure.compared_with:
            text += f" compared with {figure.compared_with}"
        return text
    if role.kind in {"count", "duration"}:
        return f"{figure.number} {label}"
    if " of " in f" {label} ":  # "share of arrests that were knife-related (32%)", not "... of 32%"
        return f"{label} ({figure.number})"
    return f"{label} of {figure.number}"


def _span(figure: Figure, text: str) -> Markup:
    if figure.derived and figure.as_stated:
        stated = join_words(list(dict.fromkeys(w for w, _s, _l, _q in figure.as_stated)))
        text = Markup("{} (the sum of its parts; the sources give {})").format(text, stated)
    elif figure.derived:
        text = Markup("{} (computed: the sum of its parts)").format(text)
    span = Markup("<span class='figure' data-measure='{}'>{}</span>").format(figure.measure, text)
    if figure.status == "disputed" and figure.finding:
        span += Markup(" (<a class='status disputed' href='#{}'>disputed</a>)").format(
            figure.finding
        )
    return span


def _family(figure: Figure, here: dict[str, Figure], roles: Roles, *, as_part: bool = False):
    """A figure followed by its breakdown: "over 9,639 knives (of which 936 ... and 8,703 ...)".

    One level only: a part's own parts are in the figures table, not in brackets in brackets."""
    text = _span(figure, item_text(figure, as_part=as_part))
    parts = [m for m in roles.order(here) if roles.nearest(m, here) == figure.measure]
    if not parts or as_part:
        return text
    lead = "of which" if roles.complete(figure.measure, parts) else "including"
    inner = join_words([str(_family(here[p], here, roles, as_part=True)) for p in parts])
    return text + Markup(" <span class='breakdown' data-of='{}'>({} {})</span>").format(
        figure.measure, lead, Markup(inner)
    )


def _families(figures: Iterable[Figure], roles: Roles) -> dict[str, list[Markup]]:
    """Root figures with their breakdowns, grouped by category in measures.csv order."""
    here = {f.measure: f for f in figures}
    grouped: dict[str, list[Markup]] = {}
    for measure, depth in roles.tree(here):
        if depth == 0:
            figure = here[measure]
            grouped.setdefault(figure.role.category, []).append(_family(figure, here, roles))
    return grouped


def lede_html(
    figures: list[Figure], roles: Roles, *, operation: str, agency: str, period: Period
) -> Markup:
    """The opening paragraph: what the sources record, hedges kept, totals with their parts."""
    results = [f for f in figures if f.is_result]
    left_out = [f for f in figures if f.doubtful_scope and not f.role.is_duration]
    areas = list(dict.fromkeys(f.area for f in results))
    sentences: list[Markup] = []
    opening = f"For the {period.wording} of {operation} ({period.text})"
    if not results:
        sentences.append(
            Markup("{}, the sources give no undisputed figures for {}.").format(opening, agency)
        )
    changes = [f for f in results if f.claim.is_change]
    results = [f for f in results if not f.claim.is_change]
    areas = list(dict.fromkeys(f.area for f in results))
    for index, area in enumerate(areas):
        grouped = _families([f for f in results if f.area == area], roles)
        lists = [Markup(join_words([str(m) for m in items])) for items in grouped.values()]
        where = Markup("{}, {}").format(agency, area)
        if index == 0:
            first = Markup("{}, the sources record for {}: {}.").format(opening, where, lists[0])
        else:
            first = Markup("For {} they record {}.").format(where, lists[0])
        sentences.append(first)
        later = [str(m) for items in list(grouped.values())[1:] for m in items]
        if later:
            sentences.append(Markup("They also record {}.").format(Markup(join_words(later))))
        here = {f.measure: f for f in results if f.area == area}
        rates = [
            (per_day_text(here[measure]), here[measure])
            for measure, depth in roles.tree(here)
            if depth == 0 and per_day_text(here[measure])
        ]
        if rates:
            days = spell_small(rates[0][1].period.days or 0)
            words = join_words([f"{rate} {_lower(f.role.label)}" for rate, f in rates])
            sentences.append(Markup("Over the {} days that is {} a day.").format(days, words))
    for change in changes:
        sentences.append(Markup("{}.").format(_span(change, item_text(change))))
    results += changes
    if left_out:
        findings = list(dict.fromkeys(f.finding for f in left_out))
        links = Markup(", ").join(
            Markup("<a href='#{}'>{}</a>").format(
                anchor,
                join_words([_lower(f.role.label) for f in left_out if f.finding == anchor]),
            )
            for anchor in findings
        )
        sentences.append(
            Markup("Figures from a list whose scope is doubtful are left out ({}).").format(links)
        )
    # The trust sentence counts every figure of the report's table (a disputed length of the
    # operation too), as the report's status on the landing page does.
    statuses = ("confirmed", "single source", "not verified", "disputed")
    counts = {s: sum(1 for f in figures if f.status == s) for s in statuses}
    notes = []
    if counts["confirmed"]:
        n = counts["confirmed"]
        notes.append(
            f"{spell_small(n)} {'is' if n == 1 else 'are'} confirmed by two or more independent "
            "sources"
        )
    if counts["single source"]:
        n = counts["single source"]
        notes.append(f"{spell_small(n)} {'comes' if n == 1 else 'come'} from a single source")
    if counts["not verified"]:
        n = counts["not verified"]
        notes.append(
            f"{spell_small(n)} {'is' if n == 1 else 'are'} not verified (no saved copy of the "
            "source to check the quote against)"
        )
    if counts["disputed"]:
        n = counts["disputed"]
        notes.append(f"{spell_small(n)} {'is' if n == 1 else 'are'} disputed")
    if notes and results:
        total = sum(counts.values())
        sentences.append(
            Markup("Of the report's {} {}, {}.").format(
                spell_small(total), "figure" if total == 1 else "figures", join_words(notes)
            )
        )
    return Markup("<p class='lede'>{}</p>").format(Markup(" ").join(sentences))


def findings_html(
    findings: pd.DataFrame,
    citations: Citations,
    *,
    heading_level: int = 3,
) -> Markup:
    """Reconciliation's findings grouped by kind (:func:`reconcile.findings_html`), each with
    an anchor a "disputed" figure links to, and its claims' sources cited in the Sources list.
    """
    from bs4 import BeautifulSoup

    if findings is None or findings.empty:
        return Markup("<p class='findings-none'>No contradictions among these claims.</p>")
    unverified = {
        str(ref.source_id)
        for refs in findings["claims"]
        for ref in refs
        if not citations.data.source(str(ref.source_id)).get("verified")
    }
    soup = BeautifulSoup(str(reconcile_html(findings, unverified=unverified)), "html.parser")
    order = list(KIND_TITLES)
    kinds = sorted(
        findings["kind"].unique(), key=lambda k: order.index(k) if k in order else len(order)
    )
    rows = [row for kind in kinds for row in findings[findings["kind"] == kind].to_dict("records")]
    items = soup.select("li.finding")
    seen: set[str] = set()
    for row, item in zip(rows, items, strict=True):
        anchor = finding_id(str(row["agency"]), str(row["area"]), str(row["measure"]))
        if anchor not in seen:
            item["id"] = anchor
            seen.add(anchor)
        refs = [
            ref
            for ref in row["claims"]
            if not getattr(ref, "computed_from", ())
            and str(ref.source_id) in set(citations.data.sources["source_id"])
        ]
        if refs:
            cited = Markup("; ").join(
                cite_cell(citations, str(ref.source_id), [ref.line] if ref.line else None)
                for ref in refs
            )
            block = BeautifulSoup(
                str(Markup("<p class='claims'><strong>Sources:</strong> {}</p>").format(cited)),
                "html.parser",
            )
            item.append(block)
    for heading in soup.select("h4"):
        heading.name = f"h{heading_level}"
    return Markup(str(soup))


def check_overview_html(
    operation: str, period: Period, claims: pd.DataFrame, rec: pd.DataFrame
) -> Markup:
    """Opening paragraph of the source check: how many claims, sources and problems."""
    n_sources = claims["source_id"].nunique()
    conflicts = int((rec["status"] == "conflict").sum())
    scopes = int(((rec["status"] == "scope") & (rec["measure"] == WHOLE_LIST)).sum())
    problems = []
    if conflicts:
        problems.append(
            f"{spell_small(conflicts)} figure{'s' if conflicts != 1 else ''} on which the "
            "sources contradict each other"
        )
    if scopes:
        problems.append(
            f"{spell_small(scopes)} list{'s' if scopes != 1 else ''} whose stated scope does "
            "not fit its figures"
        )
    text = (
        f"For the {period.wording} of {operation} ({period.text}), the data holds "
        f"{len(claims):,} claim{'s' if len(claims) != 1 else ''} from {spell_small(n_sources)} "
        f"source{'s' if n_sources != 1 else ''}. "
    )
    text += (
        f"Reconciliation finds {join_words(problems)}. "
        if problems
        else "Reconciliation finds no contradictions. "
    )
    text += (
        "Where sources disagree, the reports use the agency's own release over a secondary "
        "article, and an exact figure over a hedged one."
    )
    return Markup("<p class='lede'>{}</p>").format(text)
