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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.rcsetup import cycler

from .narrative import format_value

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.typing import RcKeyType

__all__ = [
    "PALETTE",
    "Bar",
    "bar_chart",
    "bar_chart_alt",
    "figure_svg",
    "house_style",
    "parts_chart",
    "parts_chart_alt",
    "show",
]

# Okabe & Ito (2008), the colour-blind-safe qualitative palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
TEXT_COLOUR = "#222222"
MUTED = "#666666"
WIDTH_INCHES = 6.3  # fits the A4 text block with 2 cm margins
TITLE_WIDTH_CHARS = 58  # bold 12 pt title characters that fit in WIDTH_INCHES

STYLE: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.edgecolor": MUTED,
    "axes.labelcolor": TEXT_COLOUR,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=PALETTE),
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


def _figure_of(ax: Axes) -> Figure:
    """The figure a caller's ``ax`` is drawn on: the chart titles it and returns it."""
    fig = ax.get_figure()
    if not isinstance(fig, Figure):
        raise TypeError(f"ax must be on a Figure, not {type(fig).__name__}")
    return fig


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
            fig = _figure_of(ax)
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


# --------------------------------------------------------------------------------------------
# Bars with parts and hedges: one look for the summary's charts and the trend's
# --------------------------------------------------------------------------------------------

HATCH = "////"
"""Hedged figures ("over 9,639") are drawn hatched, never as solid as an exact count."""


@dataclass(frozen=True)
class Bar:
    """One bar: a figure, its label with the hedge kept, and optionally the parts it is made of.

    ``segments`` are (label, value, hedged) of the parts stacked inside the bar; a part_of
    subset that does not complete the total is drawn as a segment from the base too.
    ``missing`` draws nothing but a "no figures" mark (a gap, never interpolated).
    """

    label: str
    value: float = 0.0
    text: str = ""
    hedged: bool = False
    segments: tuple[tuple[str, float, bool], ...] = ()
    missing: bool = False
    marker: str = ""
    complete: bool = False
    """The segments are a whole decomposition: they fill the bar, no remainder is drawn."""


def _legend(ax: Axes, handles: Sequence[Artist], vertical: bool) -> None:
    """The key under the axes (inside the layout, so it never overlaps the source line)."""
    if handles:
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0, -0.2 if vertical else -0.02),
            ncols=min(len(handles), 2) if vertical else 1,
            frameon=False,
            fontsize=8,
        )


def parts_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    source: str,
    vertical: bool = False,
    colour: int = 0,
    note: str = "",
    total_label: str = "",
    base_label: str = "",
    ax: Axes | None = None,
) -> Figure:
    """Bars (horizontal, largest first; or vertical in the given order for weeks) with their
    parts stacked inside, hedged figures hatched, and missing ones left as gaps with a key."""
    from matplotlib.patches import Patch

    if not vertical:
        bars = sorted(bars, key=lambda b: b.value)
    part_labels = list(dict.fromkeys(s[0] for b in bars for s in b.segments))
    part_colour = {
        label: PALETTE[(colour + 1 + i) % len(PALETTE)] for i, label in enumerate(part_labels)
    }
    base_colour = PALETTE[colour % len(PALETTE)]
    with house_style():
        own_figure = ax is None
        if ax is None:
            size = (WIDTH_INCHES, 3.6) if vertical else (WIDTH_INCHES, 1.5 + 0.5 * len(bars))
            fig = Figure(figsize=size, layout="constrained")
            ax = fig.add_subplot()
        else:
            fig = _figure_of(ax)
        peak = (
            max(
                [max(b.value, sum(v for _, v, _ in b.segments)) for b in bars if not b.missing]
                or [1]
            )
            or 1
        )
        draw = ax.bar if vertical else ax.barh
        size_key = "width" if vertical else "height"
        any_hedged = False
        for position, bar in enumerate(bars):
            if bar.missing:
                where = (position, peak * 0.02) if vertical else (peak * 0.02, position)
                ax.annotate(
                    "no figures",
                    xy=where,
                    ha="center" if vertical else "left",
                    va="bottom" if vertical else "center",
                    color=MUTED,
                    fontsize=8,
                    rotation=90 if vertical else 0,
                )
                continue
            any_hedged = any_hedged or bar.hedged or any(s[2] for s in bar.segments)
            filled = base_colour if not bar.segments else "#DDDDDD"
            options: dict[str, Any] = {size_key: 0.6}  # keyword arguments of bar / barh
            if bar.segments and bar.complete and not bar.hedged:
                options.update(color="none")
            elif bar.hedged:
                options.update(
                    color="white",
                    edgecolor=filled if bar.segments else base_colour,
                    hatch=HATCH,
                    linewidth=0.8,
                )
            elif "color" not in options:
                options.update(color=filled)
            draw([position], [bar.value], **options)
            start = 0.0
            for label, value, hedged in bar.segments:
                seg: dict[str, Any] = {size_key: 0.6 if bar.complete else 0.45}
                if hedged:
                    seg.update(color="white", edgecolor=part_colour[label], hatch=HATCH)
                else:
                    seg.update(color=part_colour[label])
                if vertical:
                    ax.bar([position], [value], bottom=start, **seg)
                else:
                    ax.barh([position], [value], left=start, **seg)
                start += value
            text = bar.text + (f" {bar.marker}" if bar.marker else "")
            end = max(bar.value, start)
            if vertical:
                crowded = len(bars) > 6
                ax.annotate(
                    text,
                    xy=(position, end),
                    # Neighbouring labels alternate in height so long ones never collide.
                    xytext=(0, 3 + (9 if crowded and position % 2 else 0)),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    color=TEXT_COLOUR,
                    fontsize=7 if crowded else 8,
                    fontweight="bold",
                )
            else:
                ax.annotate(
                    text,
                    xy=(end, position),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    color=TEXT_COLOUR,
                    fontweight="bold",
                )
        ticks = list(range(len(bars)))
        names = [
            b.label if "\n" in b.label else textwrap.fill(b.label, 12 if vertical else 28)
            for b in bars
        ]
        if vertical:
            ax.set_xticks(ticks, names, fontsize=8)
            ax.set_yticks([])
            ax.set_ylim(0, peak * 1.22)
            ax.tick_params(axis="x", length=0)
        else:
            ax.set_yticks(ticks, names)
            ax.set_xticks([])
            ax.set_xlim(0, peak * 1.3)
            ax.tick_params(axis="y", length=0)
        ax.spines[:].set_visible(False)
        if vertical:
            ax.spines["bottom"].set_visible(True)
        handles = [Patch(color=part_colour[label], label=label) for label in part_labels]
        if total_label and any(b.segments and not b.complete for b in bars):
            handles.insert(0, Patch(color="#DDDDDD", label=total_label))
        if base_label and any(not b.segments and not b.missing for b in bars) and part_labels:
            handles.insert(0, Patch(color=base_colour, label=base_label))
        if any_hedged:
            handles.append(
                Patch(
                    facecolor="white",
                    edgecolor=MUTED,
                    hatch=HATCH,
                    label="hedged figure (as the source words it)",
                )
            )
        if any(b.marker for b in bars):
            marks = sorted({b.marker for b in bars if b.marker})
            handles.append(
                Patch(
                    color="white",
                    label=f"{' '.join(marks)} sources disagree: the reconciled figure is drawn",
                )
            )
        _legend(ax, handles, vertical)
        fig.suptitle(
            textwrap.fill(title, TITLE_WIDTH_CHARS),
            x=0.01,
            ha="left",
            fontweight="bold",
            color=TEXT_COLOUR,
        )
        foot = textwrap.fill(f"Source: {source}", 110)
        if note:
            foot += "\n" + textwrap.fill(note, 110)
        fig.supxlabel(foot, x=0.01, ha="left", fontsize=8, color=MUTED)
        if own_figure:
            for _ in range(2):
                fig.draw_without_rendering()
            fig.set_layout_engine("none")
    return fig


def parts_chart_alt(title: str, bars: Sequence[Bar]) -> str:
    """Alt text with every figure the bars and their parts show, hedges kept."""
    pieces = []
    for bar in bars:
        label = " ".join(bar.label.split())
        if bar.missing:
            pieces.append(f"{label}: no figures")
            continue
        text = f"{label}: {bar.text}"
        if bar.segments:
            text += " (" + ", ".join(f"{s[0]} {format_value(s[1])}" for s in bar.segments) + ")"
        pieces.append(text + (f" {bar.marker}" if bar.marker else ""))
    return f"Bar chart. {title}. {'; '.join(pieces)}."
