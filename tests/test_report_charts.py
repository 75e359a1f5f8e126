"""Chart blocks: parts inside their total, hedged bars hatched, gaps for missing weeks, titles
that state a true share or plainly describe, never a comparison of nested measures."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import pytest
from matplotlib.testing.decorators import check_figures_equal

from sceptre_analysis import charts
from sceptre_analysis.charts import HATCH, Bar, parts_chart
from sceptre_analysis.figures import chosen_figures, report_data, selected_period
from sceptre_analysis.load import load_dataset
from sceptre_analysis.report_charts import category_charts

FIXTURE = Path(__file__).parent / "fixtures" / "reports"
OP = "Operation Sceptre"
NATIONAL = "National (all forces)"


@pytest.fixture(scope="module")
def data():
    return report_data(load_dataset(FIXTURE, documents=None))


def _blocks(data, week, agency):
    figures = chosen_figures(data, OP, week, agency)
    claims = data.claims[(data.claims["week"] == week) & (data.claims["agency"] == agency)]
    return category_charts(
        figures, data.roles, agency=agency, period=selected_period(claims), source=lambda s: s
    )


def test_parts_are_drawn_inside_their_total_never_beside_it(data):
    blocks = {b.bars[0]: b for b in _blocks(data, "2021-11-15", NATIONAL)}
    knives = blocks["knives"]
    assert knives.bars == ["knives"]
    assert knives.segments == {"knives": ["knives_seized", "knives_surrendered_or_found_in_sweeps"]}
    assert knives.title == "Knives surrendered or found in sweeps were 90% of knives recovered"
    enforcement = blocks["arrests"]
    assert set(enforcement.bars) == {"arrests", "weapon_sweeps"}
    assert "arrests_knife_related" not in enforcement.bars
    assert enforcement.title == "Enforcement: National (all forces), 15 to 21 November 2021"
    for block in blocks.values():
        for first in block.bars:
            for second in block.bars:
                assert first == second or data.roles.comparable(first, second)


def test_hedged_bars_are_hatched_and_keyed(data):
    block = next(b for b in _blocks(data, "2021-11-15", NATIONAL) if "weapon_sweeps" in b.bars)
    ax = block.figure.axes[0]
    hatched = [p for p in ax.patches if p.get_hatch() == HATCH]
    assert len(hatched) == 1  # "around 2,000" sweeps, and only it
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "hedged figure (as the source words it)" in legend
    labels = [t.get_text() for t in ax.texts]
    assert "around 2,000" in labels and "1,977" in labels


def test_one_lone_figure_gets_no_chart(data):
    # Testshire's November figures: one knives bar and one arrests bar, different categories.
    assert _blocks(data, "2022-11-14", "Testshire Police") == []


def test_missing_weeks_are_gaps_not_zero_bars():
    fig = parts_chart(
        [Bar("Nov 2020", 10, "10"), Bar("Nov 2021", missing=True), Bar("Nov 2022", 12, "12")],
        title="t",
        source="s",
        vertical=True,
    )
    ax = fig.axes[0]
    heights = sorted(round(p.get_height()) for p in ax.patches)
    assert heights == [10, 12]  # nothing drawn for the missing week, not even a zero bar
    assert "no figures" in [t.get_text() for t in ax.texts]


def test_alt_text_keeps_hedges_parts_and_gaps():
    bars = [
        Bar("Nov 2021", 9639, "over 9,639", hedged=True, segments=(("Seized", 936, False),)),
        Bar("Nov 2022", missing=True),
    ]
    alt = charts.parts_chart_alt("Knives", bars)
    assert "Nov 2021: over 9,639 (Seized 936)" in alt
    assert "Nov 2022: no figures" in alt


def test_a_complete_breakdown_fills_its_bar(tmp_path, monkeypatch, request):
    monkeypatch.chdir(tmp_path)  # check_figures_equal writes result_images/ here

    @check_figures_equal(extensions=["png"])
    def compare(fig_test, fig_ref):
        parts_chart(
            [Bar("Knives", 10, "10", segments=(("A", 4, False), ("B", 6, False)), complete=True)],
            title="t",
            source="s",
            ax=fig_test.add_subplot(),
        )
        parts_chart(
            [Bar("Knives", 10, "10", segments=(("A", 4, False), ("B", 6, False)), complete=True)],
            title="t",
            source="s",
            ax=fig_ref.add_subplot(),
        )
        # The reference redraws the same parts over the bar: a complete breakdown leaves
        # no remainder showing, so drawing them again changes nothing.
        ax = fig_ref.axes[0]
        with mpl.rc_context(charts.STYLE):
            ax.barh([0], [4], height=0.6, color=charts.PALETTE[1])
            ax.barh([0], [6], left=4, height=0.6, color=charts.PALETTE[2])

    compare(ext="png", request=request)
