"""The house chart style: one look for every report, readable in print and for colour-blind readers.

Charts are drawn by functions that take an ``ax`` so tests can compare them with
``matplotlib.testing.decorators.check_figures_equal``; :func:`show` hands a chart
to Jupyter as deterministic SVG with alt text attached for the HTML export.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .narrative import format_value

__all__ = ["PALETTE", "bar_chart", "bar_chart_alt", "figure_svg", "house_style", "show"]

# Okabe & Ito (2008), the colour-blind-safe qualitative palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
TEXT_COLOUR = "#222222"
MUTED = "#666666"
WIDTH_INCHES = 6.3  # fits the A4 text block with 2 cm margins
TITLE_WIDTH_CHARS = 58  # bold 12 pt title characters that fit in WIDTH_INCHES

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.edgecolor": MUTED,
    "axes.labelcolor": TEXT_COLOUR,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "xtick.color": MUTED,
    "ytick.color": TEXT_COLOUR,
    "svg.fonttype": "none",  # real text in the SVG: selectable, searchable, sharp
    "svg.hashsalt": "sceptre-analysis",  # stable element ids: reproducible HTML
    "figure.dpi": 100,
    "text.parse_math": False,  # labels come from data: "$" is a dollar sign, not mathtext
}


@contextmanager
def house_style() -> Iterator[None]:
    """Apply the house style for the duration of a block (no global side effects)."""
    with mpl.rc_context(STYLE):
        yield


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    source: str,
    unit: str = "count",
    qualifiers: Sequence[str] | None = None,
    colour: int = 0,
    ax: Axes | None = None,
) -> Figure:
    """Horizontal bars, largest first, each labelled with its value as the source hedged it.

    The title should state the finding ("Knives were three in four weapons
    recovered"), not the variable; ``source`` goes under the chart.
    """
    qualifiers = list(qualifiers) if qualifiers is not None else [""] * len(values)
    if not (len(labels) == len(values) == len(qualifiers)):
        raise ValueError("labels, values and qualifiers must have the same length")
    order = sorted(range(len(values)), key=lambda i: values[i])
    with house_style():
        own_figure = ax is None
        if ax is None:
            fig = Figure(
                figsize=(WIDTH_INCHES, 1.2 + 0.5 * max(len(values), 1)), layout="constrained"
            )
            ax = fig.add_subplot()
        else:
            fig = ax.get_figure()
        positions = range(len(order))
        bars = ax.barh(
            list(positions),
            [values[i] for i in order],
            color=PALETTE[colour % len(PALETTE)],
            height=0.6,
        )
        ax.set_yticks(list(positions), [textwrap.fill(labels[i], 28) for i in order])
        ax.tick_params(axis="y", length=0)
        ax.set_xticks([])
        ax.spines[:].set_visible(False)
        peak = max(values) if values else 1
        ax.set_xlim(0, peak * 1.18 if peak else 1)
        for bar, i in zip(bars, order, strict=True):
            text = format_value(values[i], unit)
            if qualifiers[i]:
                text = f"{qualifiers[i]} {text}"
            ax.annotate(
                text,
                xy=(bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                color=TEXT_COLOUR,
                fontweight="bold",
            )
        fig.suptitle(
            textwrap.fill(title, TITLE_WIDTH_CHARS),
            x=0.01,
            ha="left",
            fontweight="bold",
            color=TEXT_COLOUR,
        )
        fig.supxlabel(f"Source: {source}", x=0.01, ha="left", fontsize=8, color=MUTED)
        if own_figure:
            # Settle the constrained layout, then freeze it: otherwise every save
            # re-runs it and nudges the bars, and the SVG differs between builds.
            for _ in range(3):
                fig.draw_without_rendering()
            fig.set_layout_engine("none")
    return fig


def bar_chart_alt(title: str, labels: Sequence[str], values: Sequence[float], unit: str) -> str:
    """Alt text that carries the same figures as the bars, for screen readers."""
    pairs = "; ".join(
        f"{label}: {format_value(value, unit)}" for label, value in zip(labels, values, strict=True)
    )
    return f"Bar chart. {title}. {pairs}."


def figure_svg(fig: Figure) -> str:
    """Deterministic SVG: fixed id salt, no creation date, text kept as text."""
    buffer = io.StringIO()
    with house_style():
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "sceptre-analysis"})
    return buffer.getvalue()


def show(fig: Figure, alt: str) -> None:
    """Display ``fig`` in Jupyter as SVG with alt text; the export puts it in ``<img alt>``."""
    from IPython.display import display

    display(
        {"image/svg+xml": figure_svg(fig), "text/plain": alt},
        raw=True,
        metadata={"image/svg+xml": {"alt": alt}},
    )
    plt.close(fig)
