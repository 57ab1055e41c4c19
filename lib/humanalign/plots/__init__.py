"""Altair charts of the book, one colour per training-data group, drawn offline and fitting
any screen.

:mod:`.charts` draws the book's charts; :mod:`.layout` makes a chart follow the width of
the text column, wraps long axis labels and shades the noise ceiling
(:func:`ceiling_band`); :mod:`.offline` draws them in a page without loading anything from
the network (:func:`enable_offline`, :func:`write_vega_bundle`).

Numbered figures with captions: give the notebook cell that draws a chart the cell
metadata ``mystnb.figure`` with a ``caption`` and a ``name``. myst-nb then wraps the
cell's output (the chart's HTML) in a figure, Sphinx numbers it (``numfig``, on in the
book) and the page shows "Figure N: caption"; ``{numref}`` links to it by its name. In a
jupytext percent notebook the metadata goes on the cell's first line::

    # %% tags=["hide-input"] mystnb={"figure": {"caption": "Zero-shot against probed accuracy.", "name": "fig-headline"}}
    plots.headline_chart(table, refs)

    # %% [markdown]
    # {numref}`fig-headline` shows every model of this profile.

The caption is MyST (inline markup and glue roles work); such a cell should show one
output only (each output would be a figure of the same name).
"""

from .charts import (
    REFERENCE_GROUP,
    TRAINING_DATA_COLOURS,
    accuracy_chart,
    alignment_scatter,
    colour_scale,
    comparison_chart,
    concepts_chart,
    group_chart,
    headline_chart,
    reference_labels,
    rsa_chart,
    scale_chart,
    score_unit,
    transfer_chart,
)
from .layout import PAD, RESPONSIVE, axis_title, ceiling_band, padded, value_axis, wrap_label
from .offline import BUNDLE_NAME, enable_offline, offline_html, to_svg, write_vega_bundle

__all__ = [
    "BUNDLE_NAME",
    "PAD",
    "REFERENCE_GROUP",
    "RESPONSIVE",
    "TRAINING_DATA_COLOURS",
    "accuracy_chart",
    "alignment_scatter",
    "axis_title",
    "ceiling_band",
    "colour_scale",
    "comparison_chart",
    "concepts_chart",
    "enable_offline",
    "group_chart",
    "headline_chart",
    "offline_html",
    "padded",
    "reference_labels",
    "rsa_chart",
    "scale_chart",
    "score_unit",
    "to_svg",
    "transfer_chart",
    "value_axis",
    "wrap_label",
    "write_vega_bundle",
]
