"""The house bar chart: sorted bars, hedged value labels, deterministic SVG with alt text."""

from __future__ import annotations

import re

import IPython.display
import matplotlib as mpl
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.testing.decorators import check_figures_equal

from sceptre_analysis import charts
from sceptre_analysis.charts import PALETTE, bar_chart, bar_chart_alt, figure_svg, show

LABELS = ["Knives recovered", "Drugs and illegal items seized", "Other offensive weapons recovered"]
VALUES = [187, 564, 58]
TITLE = "Drugs and illegal items outnumbered knives 3 to 1"
SOURCE = "Metropolitan Police Service, 19 November 2020; Surrey Comet, undated"

HEDGED_LABELS = ["Knives recovered", "Knives and other weapons", "Other offensive weapons"]
HEDGED_VALUES = [187, 240, 58]
HEDGED_QUALIFIERS = ["", "more than", ""]


def _met_chart(**options) -> Figure:
    return bar_chart(LABELS, VALUES, title=TITLE, source=SOURCE, **options)


def _hedged_chart() -> Figure:
    return bar_chart(
        HEDGED_LABELS,
        HEDGED_VALUES,
        title="More than 240 knives and weapons",
        source="Metropolitan Police Service, 19 November 2020",
        qualifiers=HEDGED_QUALIFIERS,
    )


# ---- what is drawn -------------------------------------------------------------------------------


def test_bar_chart_matches_a_hand_drawn_reference(tmp_path, monkeypatch, request):
    # check_figures_equal writes its images under ./result_images: keep them out of the checkout
    monkeypatch.chdir(tmp_path)

    @check_figures_equal(extensions=["png"])
    def compare(fig_test, fig_ref):
        bar_chart(
            HEDGED_LABELS,
            HEDGED_VALUES,
            title="More than 240 knives and weapons",
            source="Police, 2020",
            qualifiers=HEDGED_QUALIFIERS,
            ax=fig_test.add_subplot(),
        )

        ax = fig_ref.add_subplot()
        with mpl.rc_context(charts.STYLE):
            ax.barh([0, 1, 2], [58, 187, 240], color="#0072B2", height=0.6)
            ax.set_yticks(
                [0, 1, 2],
                ["Other offensive weapons", "Knives recovered", "Knives and other weapons"],
            )
            ax.tick_params(axis="y", length=0)
            ax.set_xticks([])
            ax.spines[:].set_visible(False)
            ax.set_xlim(0, 240 * 1.18)
            for y, width, text in [(0, 58, "58"), (1, 187, "187"), (2, 240, "more than 240")]:
                ax.annotate(
                    text,
                    xy=(width, y),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    color="#222222",
                    fontweight="bold",
                )
            fig_ref.suptitle(
                "More than 240 knives and weapons",
                x=0.01,
                ha="left",
                fontweight="bold",
                color="#222222",
            )
            fig_ref.supxlabel(
                "Source: Police, 2020", x=0.01, ha="left", fontsize=8, color="#666666"
            )

    compare(ext="png", request=request)
    assert list((tmp_path / "result_images").rglob("*.png"))


def test_bars_are_sorted_with_the_largest_at_the_top():
    ax = _met_chart().axes[0]
    bars = sorted(ax.patches, key=lambda bar: bar.get_y())

    assert [bar.get_width() for bar in bars] == [58, 187, 564]
    assert [label.get_text() for label in ax.get_yticklabels()] == [
        "Other offensive weapons\nrecovered",  # long labels wrap at 28 characters
        "Knives recovered",
        "Drugs and illegal items\nseized",
    ]


def test_each_bar_is_labelled_with_its_value_as_the_source_hedged_it():
    ax = _hedged_chart().axes[0]
    labels = {text.get_text(): text.xy[0] for text in ax.texts}

    assert labels == {"58": 58, "187": 187, "more than 240": 240}


def test_value_labels_use_thousands_separators_and_pounds():
    ax = bar_chart(["Cash seized", "Other"], [1940, 12], title="t", source="s", unit="GBP").axes[0]

    assert sorted(text.get_text() for text in ax.texts) == ["£1,940", "£12"]


def test_title_and_source_line_are_on_the_figure():
    fig = _met_chart()

    assert fig.get_suptitle() == TITLE
    assert fig.get_supxlabel() == f"Source: {SOURCE}"


def test_bars_use_the_colour_blind_safe_palette():
    first = _met_chart().axes[0].patches[0]
    third = _met_chart(colour=2).axes[0].patches[0]

    assert to_hex(first.get_facecolor()) == PALETTE[0].lower()
    assert to_hex(third.get_facecolor()) == PALETTE[2].lower()


def test_there_is_room_for_the_value_labels_right_of_the_longest_bar():
    ax = _met_chart().axes[0]

    assert ax.get_xlim()[1] > 564 * 1.1


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="same length"):
        bar_chart(["a", "b"], [1], title="t", source="s")


def test_alt_text_carries_every_figure():
    alt = bar_chart_alt(TITLE, LABELS, VALUES, "count")

    assert alt == (
        f"Bar chart. {TITLE}. Knives recovered: 187; Drugs and illegal items seized: 564; "
        "Other offensive weapons recovered: 58."
    )
    assert "£1,940" in bar_chart_alt("Cash", ["Cash seized"], [1940], "GBP")


# ---- SVG -----------------------------------------------------------------------------------------


def test_figure_svg_is_the_same_on_every_call_and_has_no_date():
    fig = _met_chart()
    first, second = figure_svg(fig), figure_svg(fig)

    assert first == second
    assert "<dc:date>" not in first
    assert not re.search(r"20\d\d-\d\d-\d\dT", first)


def test_figure_svg_is_the_same_for_two_separately_drawn_charts():
    assert figure_svg(_met_chart()) == figure_svg(_met_chart())


def test_figure_svg_keeps_text_as_text():
    svg = figure_svg(_hedged_chart())

    assert svg.lstrip().startswith("<?xml")
    assert "more than 240" in svg
    assert "Knives recovered" in svg


def test_figure_svg_of_a_hedged_chart_is_the_same_on_every_call():
    fig = _hedged_chart()

    assert figure_svg(fig) == figure_svg(fig)


# ---- show ----------------------------------------------------------------------------------------


def test_show_publishes_svg_with_alt_metadata(monkeypatch):
    calls = []
    monkeypatch.setattr(
        IPython.display, "display", lambda *args, **kwargs: calls.append((args, kwargs))
    )
    fig = _met_chart()
    alt = bar_chart_alt(TITLE, LABELS, VALUES, "count")

    show(fig, alt)

    assert len(calls) == 1
    (bundle,), options = calls[0]
    assert options["raw"] is True
    assert options["metadata"] == {"image/svg+xml": {"alt": alt}}
    assert bundle["text/plain"] == alt
    assert bundle["image/svg+xml"] == figure_svg(_met_chart())
    assert "<svg" in bundle["image/svg+xml"]
