"""What lets a chart fit any screen: a width that follows the text column, axis labels that
wrap instead of running off, and a shaded noise-ceiling band with its label.

A chart drawn with ``width="container"`` takes the width of the element it is drawn into
(the book's text column: about 690 px on a 1280 px wide screen, about 360 px on a phone)
and Vega fits the plot, its axes and its legends into it, so no chart is wider than the
column. Facetted charts cannot follow their container; they keep a panel width that fits a
phone and the book's style sheet shrinks them when needed.
"""

from __future__ import annotations

import math
import re
import textwrap

import altair as alt
import pandas as pd

__all__ = ["BAND_COLOUR", "PAD", "RESPONSIVE", "axis_title", "ceiling_band", "label_axis", "padded", "row_step",
           "value_axis", "wrap_label"]

#: The width of a chart that follows its container (Vega-Lite's container sizing).
RESPONSIVE = "container"
BAND_COLOUR = "#999999"
# Characters per line of a wrapped axis label: a model id's lines then take about 130 px
# of a phone's 360 px column, leaving the rest to the plot.
LABEL_CHARS = 22
# Characters per line of an axis title (11 px bold): within the plot of a phone's chart.
TITLE_CHARS = 34
# Pixels per line of a wrapped label (10 px font) and the free space around a row.
_LINE = 12
_ROW_PAD = 6
#: Pixels kept free between the outermost marks and the plot's edges.
PAD = 14
# Roughly one tick label per this many pixels of an axis (with a gap kept between labels,
# "-0.10" and "0.0" never run into each other), on a phone's column as on a desktop's.
_PX_PER_TICK = 60
# A model id breaks after "/", "_" or "-", or before a ".": between its parts.
_BREAK = re.compile(r"(?<=[/_\-])|(?=\.)")


def wrap_label(text: str, width: int = LABEL_CHARS) -> str:
    """``text`` broken into lines of at most ``width`` characters, joined by ``"\\n"``.

    A label with spaces (a phrase) breaks at its spaces. One without (a model id
    ``source/arch.tag``) breaks after ``/``, ``_`` or ``-`` or before ``.``, and joining
    its lines gives it back, so two different ids never wrap to the same label. A run
    longer than ``width`` without such a place is cut.

    Args:
        text: The label, e.g. ``"timm/vit_base_patch16_224.augreg_in21k"``.
        width: Most characters per line (at least 4).

    Returns:
        The lines joined by newlines, e.g. ``"timm/vit_base_patch16_\\n224.augreg_in21k"``.
    """
    if width < 4:
        raise ValueError(f"wrap_label: width must be at least 4 characters, not {width}.")
    text = str(text)
    if " " in text.strip():
        return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False))
    pieces = []
    for piece in (p for p in _BREAK.split(text) if p):
        pieces += [piece[i:i + width] for i in range(0, len(piece), width)]
    lines = [""]
    for piece in pieces:
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append("")
        lines[-1] += piece
    return "\n".join(lines)


def axis_title(text: str, width: int = TITLE_CHARS) -> str | list[str]:
    """An axis title, as lines of at most ``width`` characters broken at spaces when longer
    (Vega-Lite draws a list of strings as lines), so that a narrow chart does not cut it."""
    lines = textwrap.wrap(str(text), width, break_long_words=False, break_on_hyphens=False)
    return lines if len(lines) > 1 else str(text)


def label_axis(**kwargs) -> alt.Axis:
    """An axis that draws each line of a :func:`wrap_label` label on a line of its own."""
    return alt.Axis(labelExpr="split(datum.label, '\\n')", labelLimit=LABEL_CHARS * 8, **kwargs)


def value_axis(title: str, format: str | None = None, length: str = "width", **kwargs) -> alt.Axis:
    """An axis of numbers whose tick labels never collide and whose title wraps.

    The number of ticks follows the axis' length (one per about 60 px, at least four: four
    on a phone's column, ten on a desktop's), labels keep a gap between them (one that would touch
    its neighbour is hidden) and the end labels stay within the plot.

    Args:
        title: The title, with the unit (``"zero-shot odd-one-out accuracy"``).
        format: A d3 number format (``".2f"``, ``"+.2f"``, ``"~s"``); default Vega's.
        length: The signal holding the axis' length in pixels: ``"width"`` for an x
            axis, ``"height"`` for a y axis. A number instead gives a fixed tick count
            (a facet's panel, whose size no signal names).
    """
    ticks = length if isinstance(length, (int, float)) else {"expr": f"max(4, floor({length} / {_PX_PER_TICK}))"}
    extra = {"format": format} if format else {}
    return alt.Axis(title=axis_title(title), tickCount=ticks, labelOverlap=True, labelSeparation=6, labelFlush=True,
                    **extra, **kwargs)


def padded(**kwargs) -> alt.Scale:
    """A quantitative scale whose domain leaves :data:`PAD` pixels free at both ends, so
    that no mark touches or crosses the plot's edge (``zero`` is off unless given)."""
    return alt.Scale(**{"zero": False, "padding": PAD, **kwargs})


def row_step(labels: pd.Series) -> alt.Step:
    """The height of one row of a chart whose rows carry the wrapped ``labels``."""
    lines = max((str(label).count("\n") + 1 for label in labels), default=1)
    return alt.Step(max(18, _LINE * lines + _ROW_PAD))


def _check_bounds(lower: float, upper: float | None, axis: str) -> None:
    if axis not in ("x", "y"):
        raise ValueError(f"ceiling_band: axis must be 'x' or 'y', not {axis!r}.")
    values = [lower] + ([] if upper is None else [upper])
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
        raise ValueError(f"ceiling_band: the bounds must be finite numbers, not {values}.")
    if upper is not None and upper < lower:
        raise ValueError(f"ceiling_band: the lower bound {lower} lies above the upper bound {upper}.")


def _band_layers(lower: float, upper: float | None, axis: str, label: str | None) -> list[alt.Chart]:
    # Datum positions add no field title to the shared axis; the one-row data set draws
    # the band once, whatever data the chart it joins carries.
    tip = {"noise ceiling (lower)": lower, "noise ceiling (upper)": upper}
    data = pd.DataFrame([{k: v for k, v in tip.items() if v is not None}])
    channel, channel2 = (alt.X, alt.X2) if axis == "x" else (alt.Y, alt.Y2)
    # Without an upper bound the band runs to the far end of the axis: beyond the ceiling.
    far = alt.value("width") if axis == "x" else alt.value(0)
    band = alt.Chart(data).mark_rect(color=BAND_COLOUR, opacity=0.22).encode(
        **{axis: channel(datum=lower), f"{axis}2": far if upper is None else channel2(datum=upper)},
        tooltip=[alt.Tooltip(f"{name}:Q", format=".3f") for name in data.columns],
    )
    if not label:
        return [band]
    if axis == "x":
        middle = lower if upper is None else (lower + upper) / 2
        text = alt.Chart(data).mark_text(align="center" if upper is not None else "left", baseline="bottom",
                                         dy=-4, fontSize=10, color="#444444").encode(
            x=alt.X(datum=middle), y=alt.value(0), text=alt.value(label))
    else:
        edge = alt.Y(datum=lower if upper is None else upper)
        text = alt.Chart(data).mark_text(align="right", baseline="bottom" if upper is None else "top",
                                         dx=-4, dy=-3 if upper is None else 3, fontSize=10,
                                         color="#444444").encode(x=alt.value("width"), y=edge, text=alt.value(label))
    return [band, text]


def ceiling_band(chart: alt.Chart | alt.LayerChart, lower: float, upper: float | None = None,
                 axis: str = "x", label: str | None = "noise ceiling") -> alt.LayerChart:
    """``chart`` with the human noise ceiling drawn behind it as a labelled grey band.

    Args:
        chart: A single or layered chart (not a facetted or concatenated one: add the band
            to its panel first) whose ``axis`` is quantitative.
        lower: The ceiling's lower bound (or the ceiling, when it is a single value).
        upper: Its upper bound; ``None`` shades everything beyond ``lower`` (the region no
            model can be expected to reach).
        axis: ``"x"`` for a vertical band, ``"y"`` for a horizontal one.
        label: The text beside the band (``None``: none, when a reference line already
            names it).

    Returns:
        A layered chart with the band underneath; the chart's width and height move to the
        top, so a responsive chart stays responsive.

    Example:
        >>> ceiling_band(rsa_points, 0.48, 0.58)                  # doctest: +SKIP
        >>> ceiling_band(headline, 0.6722, None, axis="y", label=None)  # doctest: +SKIP
    """
    _check_bounds(lower, upper, axis)
    if not isinstance(chart, (alt.Chart, alt.LayerChart)):
        raise TypeError(f"ceiling_band: expected a single or layered chart, not {type(chart).__name__}; "
                        "add the band to the panel before facetting or concatenating.")
    inner = chart.copy(deep=False)
    size = {key: getattr(chart, key) for key in ("width", "height") if getattr(chart, key) is not alt.Undefined}
    for key in size:
        setattr(inner, key, alt.Undefined)
    return alt.layer(*_band_layers(float(lower), None if upper is None else float(upper), axis, label),
                     inner).properties(**size)
