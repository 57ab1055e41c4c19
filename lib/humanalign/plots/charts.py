"""Altair charts of the book, one colour per training-data group.

Every chart colours models by the data they were trained on (:func:`colour_scale`), as in
the paper's figures, names them by the registry's display names
(:func:`humanalign.names.display_name`) and carries tooltips with the model id and the
plotted values. Every chart but the facetted :func:`scale_chart` takes the width of the
text column (:data:`~humanalign.plots.layout.RESPONSIVE`), puts its colour legend below the
plot and a second (shape) legend above it, wraps long labels on its axis
(:func:`~humanalign.plots.layout.wrap_label`), names the unit of every axis, keeps its marks
off the plot's edges (:func:`~humanalign.plots.layout.padded`) and spaces its tick labels
(:func:`~humanalign.plots.layout.value_axis`), so it reads on a phone's screen as well as a
desktop's.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import altair as alt
import pandas as pd

from ..names import display_names
from .layout import RESPONSIVE, axis_title, ceiling_band, label_axis, padded, row_step, value_axis, wrap_label

__all__ = [
    "TRAINING_DATA_COLOURS",
    "REFERENCE_GROUP",
    "accuracy_chart",
    "alignment_scatter",
    "colour_scale",
    "comparison_chart",
    "concepts_chart",
    "group_chart",
    "headline_chart",
    "reference_labels",
    "rsa_chart",
    "scale_chart",
    "score_unit",
    "transfer_chart",
]

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
    "reference model": "#555555",
}
#: The colour group of the reference models of the 92 images (category models, HMAX, ...).
REFERENCE_GROUP = "reference model"
# Shapes of the kinds of rows when networks and reference rows share a chart.
_SHAPES = ["circle", "diamond", "square", "triangle-up", "cross", "triangle-down"]
_SPARE = ["#EE7733", "#009988", "#33BBEE", "#882255", "#999933", "#DDCC77", "#44AA99", "#661100"]
# Heights of the charts whose width follows the text column; a facet panel's width fits a
# phone's column (about 360 px) with its axis.
_CHART_HEIGHT = 300
_HEADLINE_HEIGHT = 380
_FACET_WIDTH = 260
# A legend's entries stay within half a phone's column each, in two columns.
_LEGEND_LABEL = 140
# The measures of the result tables in words, with their unit.
_MEASURE_WORDS = {"zero_shot": "zero-shot odd-one-out accuracy", "probed": "probed odd-one-out accuracy"}


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


def _below(columns: int = 2, **kwargs: Any) -> alt.Legend:
    """A legend under the chart, so that the chart and its labels keep the column's width
    (a legend of one column may use twice the width per entry)."""
    return alt.Legend(orient="bottom", direction="vertical", columns=columns,
                      labelLimit=_LEGEND_LABEL * (2 if columns == 1 else 1), **kwargs)


def _above(columns: int = 2, **kwargs: Any) -> alt.Legend:
    """A second legend, over the chart: two legends side by side under it would run past a
    phone's column (Vega lays legends of one side out in a row)."""
    return alt.Legend(orient="top", direction="vertical", columns=columns, labelLimit=_LEGEND_LABEL, **kwargs)


def _colour(df: pd.DataFrame, columns: int = 2) -> alt.Color:
    present = df["training_data"].dropna().unique()
    scale = colour_scale(present)
    # The colours stay fixed for every group; the legend lists only the groups drawn.
    shown = [v for v in scale.domain if v in set(map(str, present))]
    return alt.Color(
        "training_data:N", title="training data", scale=scale,
        legend=_below(columns, values=shown),
    )


def _named(values: pd.Series) -> pd.Series:
    """Model ids as the registry's display names (other labels as they are)."""
    names = display_names(values.astype(str))
    return values.astype(str).map(names)


def _with_labels(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` with a ``label`` column: each model's display name, wrapped to fit a phone's
    screen (the id stays in the tooltip)."""
    return data.assign(label=_named(data["model"]).map(wrap_label))


def _descending(data: pd.DataFrame, value: str) -> list[str]:
    """The labels by their largest ``value``, largest first: an explicit order, which every
    layer of a chart keeps (a sort by field is lost when layers draw different data)."""
    return data.groupby("label", sort=False)[value].max().sort_values(ascending=False).index.tolist()


def _require(df: pd.DataFrame, columns: Iterable[str], chart: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"{chart}: the table lacks columns {missing}; it has {list(df.columns)}.")
    if df.empty:
        raise ValueError(f"{chart}: the table is empty; nothing to plot.")


def headline_chart(table: pd.DataFrame, refs: dict[str, float]) -> alt.LayerChart:
    """Every model's zero-shot (x) vs probed (y) accuracy, with the human reference lines;
    the region beyond the noise ceiling is shaded.

    Args:
        table: One row per model x layer with ``model, layer, zero_shot, probed,
            training_data`` (:func:`humanalign.study.wide_accuracy` with ``layer=None``).
        refs: Reference accuracies, e.g. ``noise_ceiling``, ``vice``, ``chance``.
    """
    _require(table, ["model", "layer", "zero_shot", "probed", "training_data"], "headline_chart")
    data = table[["model", "layer", "zero_shot", "probed", "training_data"]]
    lo = min(0.3, float(data[["zero_shot", "probed"]].min().min()) - 0.02)
    hi = max(float(data[["zero_shot", "probed"]].max().max()), *refs.values()) + 0.03
    axis = alt.Scale(domain=[lo, hi], zero=False)
    points = alt.Chart(data).mark_point(filled=True, size=80).encode(
        x=alt.X("zero_shot:Q", scale=axis, axis=value_axis("zero-shot odd-one-out accuracy", ".2f")),
        y=alt.Y("probed:Q", scale=axis, axis=value_axis("probed odd-one-out accuracy", ".2f", length="height")),
        color=_colour(data),
        shape=alt.Shape("layer:N", title="layer", legend=_above()),
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
    # Every label starts at the left edge, so none runs into another on a narrow screen;
    # of two close lines, the lower one's label goes under it.
    above = alt.Chart(ref[ref["side"] == "above"]).mark_text(align="left", baseline="bottom", dx=4, dy=-2,
                                                             fontSize=10).encode(
        x=alt.value(0), y="accuracy:Q", text="reference:N")
    below = alt.Chart(ref[ref["side"] == "below"]).mark_text(align="left", baseline="top", dx=4, dy=2,
                                                             fontSize=10).encode(
        x=alt.value(0), y="accuracy:Q", text="reference:N")
    chart = (diagonal + lines + above + below + points).properties(width=RESPONSIVE, height=_HEADLINE_HEIGHT)
    ceiling = float(refs.get("noise_ceiling", float("nan")))
    if math.isfinite(ceiling):
        # The line's own label names the band.
        chart = ceiling_band(chart, ceiling, None, axis="y", label=None)
    return chart


def reference_labels(refs: dict[str, float], span: float, min_gap: float = 0.06) -> pd.DataFrame:
    """The headline's reference lines with readable names and where each label goes.

    Args:
        refs: Name -> accuracy (``noise_ceiling``, ``vice``, ...).
        span: The axis range the lines are drawn over.
        min_gap: Share of ``span`` below which two lines' labels, both above their lines,
            would overlap; the lower line's label then goes under its line (unless a
            third line lies just below it).

    Returns:
        Rows ``reference, accuracy, side`` (``above`` / ``below`` the line), sorted by
        accuracy; missing values are dropped.
    """
    names = {"chance": "chance", "noise_ceiling": "noise ceiling (real answers)", "vice": "VICE embedding",
             "noise_ceiling_all": "noise ceiling (real 20k set)"}
    ref = pd.DataFrame({"reference": [names.get(k, k.replace("_", " ")) for k in refs],
                        "accuracy": [float(v) for v in refs.values()]})
    ref = ref.dropna().sort_values("accuracy").reset_index(drop=True)
    values, sides, gap = ref["accuracy"].tolist(), [], min_gap * span
    for i, value in enumerate(values):
        close = i >= 1 and value - values[i - 1] < gap
        room_below = i < 2 or values[i - 1] - values[i - 2] >= gap
        if close and sides[-1] == "above" and room_below:
            sides[-1] = "below"
        sides.append("above")
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
    table = table.assign(name=_named(table["model"]), series=table["family"].astype(str) + " | " + (
        table["objective"].astype(str) + " | " if "objective" in table else "") + table["training_data"].astype(str))
    long = table.melt(
        id_vars=["model", "name", "family", "series", "params", "training_data"], value_vars=list(measures),
        var_name="measure", value_name="accuracy",
    )
    # Panel titles in words: "zero-shot accuracy", not the column's name.
    long["measure"] = long["measure"].map(lambda m: _MEASURE_WORDS.get(m, str(m).replace("_", " ")))
    base = alt.Chart(long).encode(
        x=alt.X("params:Q", scale=padded(type="log"),
                axis=value_axis("parameters (log scale)", "~s", length=4)),
        y=alt.Y("accuracy:Q", scale=padded(), axis=value_axis("odd-one-out accuracy", ".2f", length=5)),
        color=_colour(long, columns=1),
        detail="series:N",
    )
    lines = base.mark_line(opacity=0.5)
    points = base.mark_point(filled=True, size=70).encode(
        shape=alt.Shape("family:N", title="family", legend=_below(1)),
        tooltip=[alt.Tooltip("name:N", title="model"), "model:N", "family:N", "training_data:N",
                 alt.Tooltip("params:Q", format=",d"), "measure:N", alt.Tooltip("accuracy:Q", format=".3f")],
    )
    # One panel under the other, and the two legends in one column each: side by side they
    # would not fit a phone's screen.
    return (lines + points).properties(width=_FACET_WIDTH, height=_CHART_HEIGHT).facet(
        facet=alt.Facet("measure:N", title=None, sort=[_MEASURE_WORDS.get(m, m) for m in measures],
                        header=alt.Header(labelFontSize=12, labelFontWeight="bold")), columns=1,
    ).resolve_scale(y="independent")


def group_chart(table: pd.DataFrame, by: str, measure: str = "zero_shot") -> alt.LayerChart:
    """Accuracy of each model grouped by ``by`` (objective or training data), with group means.

    Args:
        table: One row per model with ``model, training_data``, ``by`` and ``measure``.
    """
    _require(table, ["model", "training_data", by, measure], "group_chart")
    data = table[["model", "training_data", by, measure] + (["ci_low", "ci_high"] if "ci_low" in table and by != "training_data" else [])]
    data = data.loc[:, ~data.columns.duplicated()]
    data = data.assign(label=data[by].astype(str).map(wrap_label), name=_named(data["model"]))
    y = alt.Y("label:N", title=by.replace("_", " "), axis=label_axis())
    points = alt.Chart(data).mark_point(filled=True, size=70).encode(
        x=alt.X(f"{measure}:Q", scale=padded(), axis=value_axis(_MEASURE_WORDS.get(measure, measure), ".2f")),
        y=y,
        color=_colour(data),
        tooltip=[alt.Tooltip("name:N", title="model"), "model:N", f"{by}:N", "training_data:N",
                 alt.Tooltip(f"{measure}:Q", format=".3f")],
    )
    means = alt.Chart(data).mark_tick(thickness=2, size=24, color="#222222").encode(
        x=f"mean({measure}):Q", y=y,
        tooltip=[f"{by}:N", alt.Tooltip(f"mean({measure}):Q", format=".3f", title="group mean")],
    )
    return (points + means).properties(width=RESPONSIVE, height=alt.Step(max(40, row_step(data["label"]).step)))


def accuracy_chart(table: pd.DataFrame, measure: str = "zero_shot") -> alt.LayerChart:
    """One bar per model with its bootstrap interval (``ci_low``/``ci_high``), sorted."""
    _require(table, ["model", "training_data", measure, "ci_low", "ci_high"], "accuracy_chart")
    data = _with_labels(table[["model", "training_data", measure, "ci_low", "ci_high"]])
    y = alt.Y("label:N", sort=_descending(data, measure), title=None, axis=label_axis())
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{measure}:Q", axis=value_axis(_MEASURE_WORDS.get(measure, measure), ".2f"),
                scale=padded()),
        y=y, color=_colour(data),
        tooltip=["model:N", "training_data:N", alt.Tooltip(f"{measure}:Q", format=".3f"),
                 alt.Tooltip("ci_low:Q", format=".3f"), alt.Tooltip("ci_high:Q", format=".3f")],
    )
    errors = alt.Chart(data).mark_rule(color="#222222").encode(x="ci_low:Q", x2="ci_high:Q", y=y)
    return (bars + errors).properties(width=RESPONSIVE, height=row_step(data["label"]))


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
    long = _with_labels(long)
    y = alt.Y("label:N", title=None, sort=_descending(long, "spearman_rho"), axis=label_axis())
    x = alt.X("spearman_rho:Q", scale=padded(), axis=value_axis("Spearman rho with human similarity", ".2f"))
    link = alt.Chart(long).mark_line(color="#999999").encode(x=x, y=y, detail="model:N")
    points = alt.Chart(long).mark_point(filled=True, size=70).encode(
        x=x,
        y=y,
        color=_colour(long),
        # The shape legend goes over the chart: beside the colour legend below, it would
        # push the chart past a phone's column.
        shape=alt.Shape("representation:N", title="representation", legend=_above(),
                        scale=alt.Scale(domain=["zero-shot", "transformed"], range=["circle", "triangle-right"])),
        tooltip=["model:N", "training_data:N", "representation:N", alt.Tooltip("spearman_rho:Q", format=".3f")],
    )
    return (link + points).properties(width=RESPONSIVE, height=row_step(long["label"]))


def _reference_rows(references: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Reference rows for :func:`rsa_chart`: their ``label`` as the axis label, grey unless
    they name their own ``training_data``, and a ``kind`` for the shape legend."""
    _require(references, ["label", measure, f"{measure}_low", f"{measure}_high"], "rsa_chart (references)")
    refs = references.assign(
        model=references["model"] if "model" in references else references["label"],
        training_data=references["training_data"] if "training_data" in references else REFERENCE_GROUP,
        kind=references["kind"] if "kind" in references else REFERENCE_GROUP)
    return refs[["model", "label", "training_data", "kind", measure, f"{measure}_low", f"{measure}_high"]]


def rsa_chart(table: pd.DataFrame, ceiling: dict[str, float], measure: str = "rsa_people_zero_shot",
              references: pd.DataFrame | None = None, x_title: str | None = None) -> alt.LayerChart:
    """Each model's RSA with its interval, against the human noise ceiling drawn as a band.

    Args:
        table: One row per model with ``model, training_data, <measure>, <measure>_low,
            <measure>_high`` (:func:`humanalign.study.rsa_wide`).
        ceiling: ``{"lower": ..., "upper": ...}`` bounds of the noise ceiling.
        measure: The score the ceiling bounds (mean over people of each person's Spearman).
        references: Optional rows drawn beside the networks as diamonds (reference models,
            other human data): ``label`` (the axis label; make it say what the row is, e.g.
            ``reference: HMAX``), the ``measure`` columns and optionally ``model``,
            ``training_data`` (colour; default ``reference model``, grey) and ``kind``
            (the shape legend's entry).
        x_title: The x axis title (default: correlation with each person's judgements).
    """
    cols = ["model", "training_data", measure, f"{measure}_low", f"{measure}_high"]
    _require(table, cols, "rsa_chart")
    data = _with_labels(table[cols])
    if references is not None:
        refs = _reference_rows(references, measure)
        data = pd.concat([data.assign(kind="network"), refs.assign(label=refs["label"].astype(str).map(wrap_label))],
                         ignore_index=True)
    data = data.rename(columns={measure: "rho", f"{measure}_low": "low", f"{measure}_high": "high"})
    hi = max(float(data["high"].max()), ceiling["upper"]) + 0.05
    lo = min(0.0, float(data["low"].min()) - 0.02)
    x = alt.X("rho:Q", scale=alt.Scale(domain=[lo, hi]),
              axis=value_axis(x_title or "Spearman rho with each person's judgements (mean over people)", ".1f"))
    y = alt.Y("label:N", title=None, sort=_descending(data, "rho"), axis=label_axis())
    errors = alt.Chart(data).mark_rule(color="#222222").encode(x="low:Q", x2="high:Q", y=y)
    marks = {"x": x, "y": y, "color": _colour(data),
             "tooltip": ["model:N", "training_data:N", alt.Tooltip("rho:Q", format=".3f"),
                         alt.Tooltip("low:Q", format=".3f"), alt.Tooltip("high:Q", format=".3f")]}
    if references is not None:
        kinds = ["network"] + sorted(set(data["kind"]) - {"network"})
        # One column: two columns of long kinds ("reference: from pixels") run past a phone's edge.
        marks["shape"] = alt.Shape("kind:N", title="kind", legend=_above(columns=1 if len(kinds) > 3 else 2),
                                   scale=alt.Scale(domain=kinds, range=_SHAPES[:len(kinds)]))
    points = alt.Chart(data).mark_point(filled=True, size=70).encode(**marks)
    chart = (errors + points).properties(width=RESPONSIVE, height=row_step(data["label"]))
    return ceiling_band(chart, float(ceiling["lower"]), float(ceiling["upper"]), axis="x")


def alignment_scatter(table: pd.DataFrame, ceilings: dict[str, dict[str, float]], x: str = "behaviour",
                      y: str = "IT") -> alt.LayerChart:
    """Each model's alignment with two data sets, one against the other, with both intervals
    and each data set's noise ceiling as a band.

    Args:
        table: One row per model with ``model, label, training_data, kind`` and ``x``, ``y``
            with their ``_low``/``_high`` bounds (:func:`humanalign.study.brain_wide`).
        ceilings: Data set -> ``{"lower": ..., "upper": ...}`` for ``x`` and ``y``.
    """
    cols = ["model", "label", "training_data", "kind"] + [f"{v}{s}" for v in (x, y) for s in ("", "_low", "_high")]
    _require(table, cols, "alignment_scatter")
    missing = [v for v in (x, y) if v not in ceilings]
    if missing:
        raise KeyError(f"alignment_scatter: no noise ceiling for {missing}; pass ceilings for {x!r} and {y!r}.")
    data = table[cols].rename(columns={f"{v}{s}": f"{a}{s}" for v, a in ((x, "x"), (y, "y"))
                                       for s in ("", "_low", "_high")})
    data = data.assign(label=_named(data["label"]))
    kinds = sorted(set(data["kind"]))
    ax = alt.X("x:Q", scale=padded(), axis=value_axis(f"Spearman rho with {x} (mean over people)", ".2f"))
    ay = alt.Y("y:Q", scale=padded(), axis=value_axis(f"Spearman rho with {y} (mean over people)", ".2f",
                                                        length="height"))
    xerr = alt.Chart(data).mark_rule(color="#BBBBBB").encode(x="x_low:Q", x2="x_high:Q", y="y:Q")
    yerr = alt.Chart(data).mark_rule(color="#BBBBBB").encode(x="x:Q", y="y_low:Q", y2="y_high:Q")
    points = alt.Chart(data).mark_point(filled=True, size=70).encode(
        x=ax, y=ay, color=_colour(data),
        shape=alt.Shape("kind:N", title="kind", legend=_above(), scale=alt.Scale(domain=kinds,
                                                                                 range=_SHAPES[:len(kinds)])),
        tooltip=["label:N", "training_data:N", alt.Tooltip("x:Q", format=".3f", title=x),
                 alt.Tooltip("y:Q", format=".3f", title=y)],
    )
    chart = (xerr + yerr + points).properties(width=RESPONSIVE, height=_HEADLINE_HEIGHT)
    chart = ceiling_band(chart, float(ceilings[x]["lower"]), float(ceilings[x]["upper"]), axis="x",
                         label=f"{x} ceiling")
    return ceiling_band(chart, float(ceilings[y]["lower"]), float(ceilings[y]["upper"]), axis="y",
                        label=f"{y} ceiling")


def score_unit(human_data: str) -> str | None:
    """The unit of a score on a human data set, from the data set's name: Spearman rho on
    the 92 images (RSA), odd-one-out accuracy on THINGS triplets; ``None`` when unknown."""
    text = str(human_data)
    if text.startswith("92") or "IT" in text.split():
        return "Spearman rho"
    if "THINGS" in text:
        return "odd-one-out accuracy"
    return None


def comparison_chart(table: pd.DataFrame) -> alt.LayerChart:
    """Differences between groups of models with their 95 % intervals, one row per comparison.

    The x axis names its unit. Where the rows mix data sets scored in different units
    (Spearman rho on the 92 images, accuracy on THINGS), the axis title names each data
    set's unit.

    Args:
        table: Rows ``human_data, comparison, difference, ci_low, ci_high`` (a verdict's
            comparison table), optionally ``unit`` (else from :func:`score_unit`);
            positive means the first named group aligns better.
    """
    _require(table, ["human_data", "comparison", "difference", "ci_low", "ci_high"], "comparison_chart")
    data = table[["human_data", "comparison", "difference", "ci_low", "ci_high"]].copy()
    units = table["unit"] if "unit" in table else data["human_data"].map(score_unit)
    known = {str(h): u for h, u in zip(data["human_data"], units) if isinstance(u, str) and u}
    distinct = sorted(set(known.values()))
    if len(distinct) == 1 and len(known) == data["human_data"].nunique():
        title = f"difference in {distinct[0]}, first minus second (95 % interval)"
    else:
        # Mixed units: the title names each data set's (its name up to a bracket), so that the
        # legend keeps the data sets' short names.
        each = "; ".join(f"{u} on {h.split(' (')[0]}" for h, u in known.items()) or "the data set's own units"
        title = f"difference, first minus second (95 % interval), in {each}"
    data["on"] = data["human_data"]
    data["label"] = data["comparison"].astype(str).map(wrap_label)
    offsets = max(1, data["on"].nunique())
    # Each comparison's row holds one line per data set and all the lines of its label.
    y = alt.Y("label:N", title=None, axis=label_axis())
    base = alt.Chart(data)
    x = alt.X("difference:Q", scale=padded(), axis=value_axis(title, "+.2f"))
    zero = base.mark_rule(color="#999999", strokeDash=[4, 3]).encode(x=alt.datum(0))
    errors = base.mark_rule(color="#222222").encode(x=alt.X("ci_low:Q", scale=padded()), x2="ci_high:Q", y=y,
                                                    yOffset="on:N")
    points = base.mark_point(filled=True, size=70).encode(
        x=x, y=y,
        yOffset="on:N",
        color=alt.Color("on:N", title="human data", legend=_below(1)),
        shape=alt.Shape("on:N", title="human data"),
        tooltip=["human_data:N", "comparison:N", alt.Tooltip("difference:Q", format="+.3f"),
                 alt.Tooltip("ci_low:Q", format="+.3f"), alt.Tooltip("ci_high:Q", format="+.3f")],
    )
    step = max(16, -(-row_step(data["label"]).step // offsets))
    return (zero + errors + points).properties(width=RESPONSIVE, height=alt.Step(step))


def concepts_chart(table: pd.DataFrame) -> alt.Chart:
    """Accuracy per concept dimension, averaged within training-data groups.

    Args:
        table: Rows ``training_data, dimension, name, accuracy, n`` (means per group).
    """
    _require(table, ["training_data", "dimension", "name", "accuracy", "n"], "concepts_chart")
    data = table[["training_data", "dimension", "name", "accuracy", "n"]]
    data = data.assign(label=data["name"].astype(str).map(wrap_label))
    order = data.groupby("label")["accuracy"].mean().sort_values(ascending=False).index.tolist()
    return alt.Chart(data).mark_point(filled=True, size=50).encode(
        x=alt.X("accuracy:Q", scale=padded(), axis=value_axis("odd-one-out accuracy", ".2f")),
        y=alt.Y("label:N", sort=order, title="VICE dimension", axis=label_axis()),
        # One column: the dimension names take the left of a phone's chart, and two columns of
        # long data set names would run past its edge.
        color=_colour(data, columns=1),
        tooltip=["name:N", "dimension:Q", "training_data:N", alt.Tooltip("accuracy:Q", format=".3f"), "n:Q"],
    ).properties(width=RESPONSIVE, height=row_step(data["label"]))
