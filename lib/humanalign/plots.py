"""Altair charts of the book, one colour per training-data group, rendered offline.

Every chart colours models by the data they were trained on (:func:`colour_scale`), as in
the paper's figures, and carries tooltips with the model id and the plotted values.

Offline rendering: :func:`enable_offline` registers an altair renderer whose HTML output
calls ``window.vegaEmbed`` from a self-hosted script (:func:`write_vega_bundle` writes the
Vega, Vega-Lite and Vega-Embed bundle that ``vl_convert`` ships), so a built page loads no
script from the network. :func:`to_svg` gives a static SVG for places without scripts.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any, Iterable

import altair as alt
import pandas as pd

__all__ = [
    "BUNDLE_NAME",
    "TRAINING_DATA_COLOURS",
    "accuracy_chart",
    "colour_scale",
    "comparison_chart",
    "concepts_chart",
    "enable_offline",
    "group_chart",
    "headline_chart",
    "offline_html",
    "reference_labels",
    "rsa_chart",
    "scale_chart",
    "to_svg",
    "transfer_chart",
    "write_vega_bundle",
]

BUNDLE_NAME = "vega-bundle.js"

# Fixed colours for the training-data groups of the paper (a colour-blind-safe palette), keyed
# by the values of humanalign.registry.TRAINING_DATA;
# a value not listed here gets one of the spare colours, in sorted order.
TRAINING_DATA_COLOURS: dict[str, str] = {
    "ImageNet-1k": "#4477AA",
    "ImageNet-21k": "#66CCEE",
    "JFT-300M": "#228833",
    "JFT-3B": "#117733",
    "WIT-400M": "#EE6677",
    "LAION-400M": "#AA3377",
    "LAION-2B": "#CC6677",
    "ALIGN-1.8B": "#CCBB44",
    "none (untrained)": "#BBBBBB",
    "human": "#000000",
}
_SPARE = ["#EE7733", "#009988", "#33BBEE", "#882255", "#999933", "#DDCC77", "#44AA99", "#661100"]
# Every chart, with its axis labels and legends, fits the book's text column (about 690 px
# on a 1280 px wide screen; the browser test checks it): charts with long labels on the
# y axis put their legends below.
_CHART_WIDTH = 420
_CHART_HEIGHT = 300
_FACET_WIDTH = 250
# Charts with one row per model id: room for the whole id (up to about 45 characters).
_MODEL_LABEL = 250
_MODEL_CHART_WIDTH = 320


def colour_scale(values: Iterable[str] | None = None) -> alt.Scale:
    """The colour scale keyed by training data, shared by every chart.

    Args:
        values: Training-data values that occur (the legend lists only these); unknown
            ones get spare colours in sorted order. ``None`` lists the known groups.

    Returns:
        An ``alt.Scale`` with an explicit domain and range.
    """
    present = None if values is None else {str(v) for v in values if pd.notna(v)}
    # Known groups keep their colour in every chart; only those present enter the legend.
    domain = [d for d in TRAINING_DATA_COLOURS if present is None or d in present]
    colours = [TRAINING_DATA_COLOURS[d] for d in domain]
    extra = sorted((present or set()) - set(TRAINING_DATA_COLOURS))
    colours += [_SPARE[i % len(_SPARE)] for i in range(len(extra))]
    return alt.Scale(domain=domain + extra, range=colours)


def _below(**kwargs: Any) -> alt.Legend:
    """A legend under the chart, so that the chart and its labels keep the column's width."""
    return alt.Legend(orient="bottom", direction="vertical", columns=2, labelLimit=280, **kwargs)


def _colour(df: pd.DataFrame, legend: bool = True, below: bool = False) -> alt.Color:
    present = df["training_data"].dropna().unique()
    scale = colour_scale(present)
    # The colours stay fixed for every group; the legend lists only the groups drawn.
    shown = [v for v in scale.domain if v in set(map(str, present))]
    return alt.Color(
        "training_data:N", title="training data", scale=scale,
        legend=(_below(values=shown) if below else alt.Legend(values=shown)) if legend else None,
    )


def _require(df: pd.DataFrame, columns: Iterable[str], chart: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"{chart}: the table lacks columns {missing}; it has {list(df.columns)}.")
    if df.empty:
        raise ValueError(f"{chart}: the table is empty; nothing to plot.")


def headline_chart(table: pd.DataFrame, refs: dict[str, float]) -> alt.LayerChart:
    """Every model's zero-shot (x) vs probed (y) accuracy, with the human reference lines.

    Args:
        table: One row per model x layer with ``model, layer, zero_shot, probed,
            training_data`` (:func:`humanalign.study.wide_accuracy` with ``layer=None``).
        refs: Reference accuracies, e.g. ``noise_ceiling``, ``vice_profile``, ``chance``.
    """
    _require(table, ["model", "layer", "zero_shot", "probed", "training_data"], "headline_chart")
    data = table[["model", "layer", "zero_shot", "probed", "training_data"]]
    lo = min(0.3, float(data[["zero_shot", "probed"]].min().min()) - 0.02)
    hi = max(float(data[["zero_shot", "probed"]].max().max()), *refs.values()) + 0.03
    axis = alt.Scale(domain=[lo, hi], zero=False)
    points = alt.Chart(data).mark_point(filled=True, size=80).encode(
        x=alt.X("zero_shot:Q", title="zero-shot odd-one-out accuracy", scale=axis),
        y=alt.Y("probed:Q", title="probed odd-one-out accuracy", scale=axis),
        color=_colour(data),
        shape=alt.Shape("layer:N", title="layer"),
        tooltip=["model:N", "layer:N", "training_data:N",
                 alt.Tooltip("zero_shot:Q", format=".3f"), alt.Tooltip("probed:Q", format=".3f")],
    )
    diagonal = alt.Chart(pd.DataFrame({"v": [lo, hi]})).mark_line(color="#999999", strokeDash=[2, 2]).encode(
        x="v:Q", y="v:Q"
    )
    ref = reference_labels(refs, hi - lo)
    lines = alt.Chart(ref).mark_rule(strokeDash=[6, 3]).encode(
        y="accuracy:Q",
        color=alt.value("#444444"),
        tooltip=["reference:N", alt.Tooltip("accuracy:Q", format=".3f")],
    )
    # Lines closer than a label's height get their labels on alternate sides.
    left = alt.Chart(ref[ref["side"] == "left"]).mark_text(align="left", dx=4, dy=-6, fontSize=10).encode(
        x=alt.value(2), y="accuracy:Q", text="reference:N"
    )
    right = alt.Chart(ref[ref["side"] == "right"]).mark_text(align="right", dx=-4, dy=-6, fontSize=10).encode(
        x=alt.value(_CHART_WIDTH - 2), y="accuracy:Q", text="reference:N"
    )
    return (diagonal + lines + left + right + points).properties(width=_CHART_WIDTH, height=_CHART_WIDTH)


def reference_labels(refs: dict[str, float], span: float, min_gap: float = 0.06) -> pd.DataFrame:
    """The headline's reference lines with readable names and a side for each label.

    Args:
        refs: Name -> accuracy (``noise_ceiling``, ``vice_real``, ...).
        span: The axis range the lines are drawn over.
        min_gap: Share of ``span`` below which two lines' labels would overlap; the upper
            one of such a pair goes to the other side of the chart.

    Returns:
        Rows ``reference, accuracy, side`` (``left`` / ``right``), sorted by accuracy.
    """
    names = {"chance": "chance", "noise_ceiling": "noise ceiling (real 20k set)",
             "vice_real": "VICE, real 20k set", "vice_profile": "VICE, this profile's triplets"}
    ref = pd.DataFrame({"reference": [names.get(k, k.replace("_", " ")) for k in refs],
                        "accuracy": [float(v) for v in refs.values()]})
    ref = ref.dropna().sort_values("accuracy").reset_index(drop=True)
    sides, last = [], {"left": -float("inf"), "right": -float("inf")}
    for value in ref["accuracy"]:
        side = "left" if value - last["left"] >= min_gap * span else "right"
        if side == "right" and value - last["right"] < min_gap * span:
            side = "left"  # both sides crowded: keep the default
        sides.append(side)
        last[side] = value
    return ref.assign(side=sides)


def scale_chart(table: pd.DataFrame, measures: tuple[str, ...] = ("zero_shot", "probed")) -> alt.Chart:
    """Accuracy against parameter count (log axis), one line per size series: architecture
    family x objective x training data (the groups of the scale verdict), so that a
    segmentation backbone is not joined to the classifiers of its family.

    Args:
        table: One row per model with ``model, family, params, training_data`` (and
            ``objective``, when known) and the ``measures`` columns.
    """
    _require(table, ["model", "family", "params", "training_data", *measures], "scale_chart")
    table = table.assign(series=table["family"].astype(str) + " | " + (
        table["objective"].astype(str) + " | " if "objective" in table else "") + table["training_data"].astype(str))
    long = table.melt(
        id_vars=["model", "family", "series", "params", "training_data"], value_vars=list(measures),
        var_name="measure", value_name="accuracy",
    )
    base = alt.Chart(long).encode(
        x=alt.X("params:Q", scale=alt.Scale(type="log"), title="parameters",
                axis=alt.Axis(format="~s", tickCount=4, labelOverlap=True)),
        y=alt.Y("accuracy:Q", scale=alt.Scale(zero=False), title="odd-one-out accuracy"),
        color=_colour(long, below=True),
        detail="series:N",
    )
    lines = base.mark_line(opacity=0.5)
    points = base.mark_point(filled=True, size=70).encode(
        shape=alt.Shape("family:N", title="family", legend=_below()),
        tooltip=["model:N", "family:N", "training_data:N", alt.Tooltip("params:Q", format=",d"),
                 "measure:N", alt.Tooltip("accuracy:Q", format=".3f")],
    )
    return (lines + points).properties(width=_FACET_WIDTH, height=_CHART_HEIGHT).facet(
        column=alt.Column("measure:N", title=None)
    ).resolve_scale(y="independent")


def group_chart(table: pd.DataFrame, by: str, measure: str = "zero_shot") -> alt.LayerChart:
    """Accuracy of each model grouped by ``by`` (objective or training data), with group means.

    Args:
        table: One row per model with ``model, training_data``, ``by`` and ``measure``.
    """
    _require(table, ["model", "training_data", by, measure], "group_chart")
    data = table[["model", "training_data", by, measure] + (["ci_low", "ci_high"] if "ci_low" in table and by != "training_data" else [])]
    data = data.loc[:, ~data.columns.duplicated()]
    y = alt.Y(f"{by}:N", title=by.replace("_", " "))
    points = alt.Chart(data).mark_point(filled=True, size=70).encode(
        x=alt.X(f"{measure}:Q", scale=alt.Scale(zero=False), title=measure.replace("_", " ") + " accuracy"),
        y=y,
        color=_colour(data, below=True),
        tooltip=["model:N", f"{by}:N", "training_data:N", alt.Tooltip(f"{measure}:Q", format=".3f")],
    )
    means = alt.Chart(data).mark_tick(thickness=2, size=24, color="#222222").encode(
        x=f"mean({measure}):Q", y=y,
        tooltip=[f"{by}:N", alt.Tooltip(f"mean({measure}):Q", format=".3f", title="group mean")],
    )
    return (points + means).properties(width=_CHART_WIDTH, height=alt.Step(40))


def accuracy_chart(table: pd.DataFrame, measure: str = "zero_shot") -> alt.LayerChart:
    """One bar per model with its bootstrap interval (``ci_low``/``ci_high``), sorted."""
    _require(table, ["model", "training_data", measure, "ci_low", "ci_high"], "accuracy_chart")
    data = table[["model", "training_data", measure, "ci_low", "ci_high"]]
    y = alt.Y("model:N", sort="-x", title=None)
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{measure}:Q", title=measure.replace("_", " ") + " accuracy", scale=alt.Scale(zero=False)),
        y=y, color=_colour(data, below=True),
        tooltip=["model:N", "training_data:N", alt.Tooltip(f"{measure}:Q", format=".3f"),
                 alt.Tooltip("ci_low:Q", format=".3f"), alt.Tooltip("ci_high:Q", format=".3f")],
    )
    errors = alt.Chart(data).mark_rule(color="#222222").encode(x="ci_low:Q", x2="ci_high:Q", y=alt.Y("model:N", sort=alt.EncodingSortField(measure, order="descending")))
    return (bars + errors).properties(width=_CHART_WIDTH, height=alt.Step(18))


def transfer_chart(table: pd.DataFrame) -> alt.LayerChart:
    """Zero-shot vs transformed RSA per model: a dumbbell per model.

    Args:
        table: One row per model with ``model, training_data, rsa_zero_shot, rsa_transformed``.
    """
    _require(table, ["model", "training_data", "rsa_zero_shot", "rsa_transformed"], "transfer_chart")
    long = table.melt(
        id_vars=["model", "training_data"], value_vars=["rsa_zero_shot", "rsa_transformed"],
        var_name="representation", value_name="spearman_rho",
    )
    long["representation"] = long["representation"].map({"rsa_zero_shot": "zero-shot", "rsa_transformed": "transformed"})
    y = alt.Y("model:N", title=None, sort=alt.EncodingSortField("spearman_rho", op="max", order="descending"),
              axis=alt.Axis(labelLimit=_MODEL_LABEL))
    link = alt.Chart(long).mark_line(color="#999999").encode(x="spearman_rho:Q", y=y, detail="model:N")
    points = alt.Chart(long).mark_point(filled=True, size=70).encode(
        x=alt.X("spearman_rho:Q", title="Spearman rho with human similarity"),
        y=y,
        color=_colour(long, below=True),
        # The text under the chart says circle = before, triangle = after; a second legend
        # below would push the chart past the column.
        shape=alt.Shape("representation:N", title="representation", legend=None,
                        scale=alt.Scale(domain=["zero-shot", "transformed"], range=["circle", "triangle-right"])),
        tooltip=["model:N", "training_data:N", "representation:N", alt.Tooltip("spearman_rho:Q", format=".3f")],
    )
    return (link + points).properties(width=_MODEL_CHART_WIDTH, height=alt.Step(18))


def rsa_chart(table: pd.DataFrame, ceiling: dict[str, float], measure: str = "rsa_people_zero_shot") -> alt.LayerChart:
    """Each model's RSA with its interval, against the human noise ceiling drawn as a band.

    Args:
        table: One row per model with ``model, training_data, <measure>, <measure>_low,
            <measure>_high`` (:func:`humanalign.rsa_study.rsa_wide`).
        ceiling: ``{"lower": ..., "upper": ...}`` bounds of the noise ceiling.
        measure: The score the ceiling bounds (mean over people of each person's Spearman).
    """
    cols = ["model", "training_data", measure, f"{measure}_low", f"{measure}_high"]
    _require(table, cols, "rsa_chart")
    data = table[cols].rename(columns={measure: "rho", f"{measure}_low": "low", f"{measure}_high": "high"})
    hi = max(float(data["high"].max()), ceiling["upper"]) + 0.05
    lo = min(0.0, float(data["low"].min()) - 0.02)
    x = alt.X("rho:Q", title="Spearman rho with each person's judgements (mean over people)",
              scale=alt.Scale(domain=[lo, hi]))
    y = alt.Y("model:N", title=None, sort=alt.EncodingSortField("rho", order="descending"),
              axis=alt.Axis(labelLimit=_MODEL_LABEL))
    band = alt.Chart(pd.DataFrame([ceiling])).mark_rect(color="#999999", opacity=0.25).encode(
        x="lower:Q", x2="upper:Q", tooltip=[alt.Tooltip("lower:Q", format=".3f", title="ceiling (lower)"),
                                          alt.Tooltip("upper:Q", format=".3f", title="ceiling (upper)")],
    )
    errors = alt.Chart(data).mark_rule(color="#222222").encode(x="low:Q", x2="high:Q", y=y)
    points = alt.Chart(data).mark_point(filled=True, size=70).encode(
        x=x, y=y, color=_colour(data, below=True),
        tooltip=["model:N", "training_data:N", alt.Tooltip("rho:Q", format=".3f"),
                 alt.Tooltip("low:Q", format=".3f"), alt.Tooltip("high:Q", format=".3f")],
    )
    return (band + errors + points).properties(width=_MODEL_CHART_WIDTH, height=alt.Step(18))


def comparison_chart(table: pd.DataFrame) -> alt.LayerChart:
    """Differences between groups of models with their 95 % intervals, one row per comparison.

    Args:
        table: Rows ``human_data, comparison, difference, ci_low, ci_high`` (a verdict's
            comparison table); positive means the first named group aligns better.
    """
    _require(table, ["human_data", "comparison", "difference", "ci_low", "ci_high"], "comparison_chart")
    data = table[["human_data", "comparison", "difference", "ci_low", "ci_high"]].copy()
    data["on"] = data["human_data"]
    y = alt.Y("comparison:N", title=None, axis=alt.Axis(labelLimit=240))
    base = alt.Chart(data)
    zero = base.mark_rule(color="#999999", strokeDash=[4, 3]).encode(x=alt.datum(0))
    errors = base.mark_rule(color="#222222").encode(x="ci_low:Q", x2="ci_high:Q", y=y, yOffset="on:N")
    points = base.mark_point(filled=True, size=70).encode(
        x=alt.X("difference:Q", title="difference, first minus second (95 % interval)"), y=y,
        yOffset="on:N",
        color=alt.Color("on:N", title="human data", legend=alt.Legend(orient="bottom", direction="vertical")),
        shape=alt.Shape("on:N", title="human data"),
        tooltip=["human_data:N", "comparison:N", alt.Tooltip("difference:Q", format="+.3f"),
                 alt.Tooltip("ci_low:Q", format="+.3f"), alt.Tooltip("ci_high:Q", format="+.3f")],
    )
    return (zero + errors + points).properties(width=280, height=alt.Step(16))


def concepts_chart(table: pd.DataFrame) -> alt.Chart:
    """Accuracy per concept dimension, averaged within training-data groups.

    Args:
        table: Rows ``training_data, dimension, name, accuracy, n`` (means per group).
    """
    _require(table, ["training_data", "dimension", "name", "accuracy", "n"], "concepts_chart")
    data = table[["training_data", "dimension", "name", "accuracy", "n"]]
    order = data.groupby("name")["accuracy"].mean().sort_values(ascending=False).index.tolist()
    return alt.Chart(data).mark_point(filled=True, size=50).encode(
        x=alt.X("accuracy:Q", scale=alt.Scale(zero=False), title="odd-one-out accuracy"),
        y=alt.Y("name:N", sort=order, title="VICE dimension"),
        color=_colour(data, below=True),
        tooltip=["name:N", "dimension:Q", "training_data:N", alt.Tooltip("accuracy:Q", format=".3f"), "n:Q"],
    ).properties(width=_CHART_WIDTH, height=alt.Step(14))


# --------------------------------------------------------------------------- offline rendering


def offline_html(spec: dict[str, Any] | alt.TopLevelMixin, element_id: str | None = None) -> str:
    """HTML that draws a chart with the self-hosted ``vegaEmbed`` (no network).

    The page must load :data:`BUNDLE_NAME` (the book does, from its ``_static`` folder).
    The script waits for the bundle when it is loaded later than the chart's HTML.
    """
    if not isinstance(spec, dict):
        spec = spec.to_dict()
    element_id = element_id or f"ha-chart-{uuid.uuid4().hex[:12]}"
    # "</" inside a JSON string would end the script element early.
    payload = json.dumps(spec).replace("</", "<\\/")
    return (
        f'<div id="{element_id}" class="humanalign-chart"></div>\n'
        "<script type=\"text/javascript\">\n(function () {\n"
        f"  var spec = {payload};\n"
        f'  var target = "#{element_id}";\n'
        "  function draw() {\n"
        "    vegaEmbed(target, spec, {actions: false, renderer: \"svg\"}).catch(function (err) {\n"
        "      document.querySelector(target).textContent = \"The chart could not be drawn: \" + err;\n"
        "    });\n"
        "  }\n"
        "  if (window.vegaEmbed) { draw(); } else { window.addEventListener(\"load\", draw); }\n"
        "})();\n</script>"
    )


def _renderer(spec: dict, **_: Any) -> dict[str, str]:
    return {"text/html": offline_html(spec)}


def enable_offline() -> None:
    """Make altair charts display as offline HTML (call once at the top of a notebook)."""
    alt.renderers.register("humanalign-offline", _renderer)
    alt.renderers.enable("humanalign-offline")


def write_vega_bundle(path: str | os.PathLike) -> Path:
    """Write the self-contained Vega/Vega-Lite/Vega-Embed script to ``path`` (atomically).

    The bundle comes from the installed ``vl-convert-python``; it is rewritten only when
    that version changes (its version is recorded in a one-line comment at the top).
    """
    import vl_convert as vlc

    path = Path(path)
    stamp = f"// wrapped; vl-convert {getattr(vlc, '__version__', '')} vega {vlc.get_vega_version()} vega-embed {vlc.get_vega_embed_version()}\n"
    if path.is_file():
        with open(path) as handle:
            if handle.readline() == stamp:
                return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(stamp)
            # The bundle declares top-level names (e.g. "_") that clash with the theme's
            # globals in a classic script; a function scope keeps them private.
            handle.write("(function () {\n")
            handle.write(vlc.javascript_bundle())
            handle.write("\n})();\n")
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def to_svg(chart: alt.TopLevelMixin) -> str:
    """A static SVG of a chart (no scripts, no network), via ``vl_convert``."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict())
