"""The one matplotlib style of all report figures.

Figures are built with :class:`matplotlib.figure.Figure` (not pyplot), so they work on any
backend (Agg in batch runs), are not shown twice in a notebook and need no closing.
SVG output is deterministic: fixed ``svg.hashsalt``, text as text (``svg.fonttype =
"none"``, about a tenth of the size of text drawn as glyph paths) in DejaVu Sans with the
metrically similar Verdana and then the reader's sans-serif as fallbacks – no web font; and
:func:`regiopol.core.outputs.save_figure` removes the date. Numbers on axes use the German
format (1.234,5) through explicit tick formatters, never the process locale.
"""

from __future__ import annotations

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from regiopol.core import fmt

__all__ = ["CORE", "REGION", "CONTEXT", "EDGE", "GERMANY", "ACCENT", "MEN", "WOMEN", "CYCLE", "FIGSIZE",
           "DPI_SCREEN", "DPI_MAP", "RC", "use", "figure", "german_formatter", "german_axis", "source_note"]

# Calm palette: blues for the region, grey for the rest of Germany, one warm accent.
CORE = "#1f4e79"  # core city / core Kreis
REGION = "#7fa7cc"  # other Kreise of the region
CONTEXT = "#e3e3e3"  # Kreise outside the region
EDGE = "#ffffff"
GERMANY = "#4d4d4d"  # Germany as reference (outline / dashed)
ACCENT = "#b5523b"  # markers, census break
MEN = "#4a7fb0"
WOMEN = "#c77d5a"
CYCLE = ["#1f4e79", "#4a7fb0", "#7fa7cc", "#5b8c5a", "#a3c28f", "#b5523b", "#d99a6c",
         "#8c6d9e", "#b9a8c9", "#6e6e6e"]

FIGSIZE = (8.0, 4.5)  # inches; ~ the width of the report text column
DPI_SCREEN = 100
DPI_MAP = 110  # dense maps are PNG at a modest resolution (small files)

RC = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": DPI_SCREEN,
    "savefig.dpi": DPI_SCREEN,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "font.family": "sans-serif",
    # DejaVu Sans ships with matplotlib (layout); the SVG names the fallbacks for readers without it
    "font.sans-serif": ["DejaVu Sans", "Verdana", "Bitstream Vera Sans", "Arial", "Helvetica"],
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.edgecolor": "#888888",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e6e6e6",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "legend.fontsize": 8,
    "legend.frameon": False,
    "lines.linewidth": 1.4,
    "axes.formatter.use_locale": False,
    "axes.unicode_minus": True,
    "svg.hashsalt": "regiopol",
    "svg.fonttype": "none",
    "svg.image_inline": True,
    "path.simplify": True,
}


def use() -> None:
    """Apply the report style to the global rcParams (safe under the Agg backend)."""
    matplotlib.rcParams.update(RC)


def figure(figsize: tuple[float, float] | None = None, **kwargs) -> Figure:
    """A new figure in the report style, independent of pyplot."""
    use()
    return Figure(figsize=figsize or FIGSIZE, dpi=DPI_SCREEN, **kwargs)


def german_formatter(decimals: int = 0, *, absolute: bool = False, suffix: str = "") -> FuncFormatter:
    """Tick formatter writing 1.234,5 (``absolute`` drops the sign, e.g. for the men's side of a pyramid)."""

    def format_tick(value, _position=None):
        value = abs(value) if absolute else value
        if abs(value) < 10 ** -(decimals + 2):
            value = 0.0
        return fmt.number(value, decimals) + suffix

    return FuncFormatter(format_tick)


def german_axis(ax, axis: str = "y", decimals: int = 0, *, absolute: bool = False, suffix: str = "") -> None:
    """Format the tick labels of ``ax``'s x or y axis (or "both") in German."""
    formatter = german_formatter(decimals, absolute=absolute, suffix=suffix)
    if axis in ("x", "both"):
        ax.xaxis.set_major_formatter(formatter)
    if axis in ("y", "both"):
        ax.yaxis.set_major_formatter(formatter)


def source_note(fig: Figure, text: str | list[str]) -> Figure:
    """Put the source line(s) under the figure, left-aligned ("Quelle: …" is added if missing)."""
    lines = [text] if isinstance(text, str) else list(text)
    lines = [line if line.startswith(("Quelle", "Quellen", "Hinweis", "Anmerkung")) else f"Quelle: {line}"
             for line in lines]
    fig.text(0.01, 0.0, "\n".join(lines), ha="left", va="top", fontsize=6.5, color="#555555",
             wrap=True, transform=fig.transFigure)
    return fig
