"""Tests of humanalign.plots: one colour scheme, tooltips, offline HTML, the JS bundle."""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd
import pytest

from humanalign import plots


def _wide(rng, n=6):
    return pd.DataFrame({
        "model": [f"src/m{i}.t" for i in range(n)],
        "layer": ["penultimate"] * n,
        "family": ["a", "a", "a", "b", "b", "b"][:n],
        "params": [1e6, 4e6, 1.6e7, 2e6, 8e6, 3e7][:n],
        "training_data": ["ImageNet-1k", "ImageNet-1k", "none (untrained)", "LAION-2B", "my data", "ImageNet-1k"][:n],
        "objective": ["softmax"] * n,
        "zero_shot": rng.uniform(0.33, 0.5, n),
        "probed": rng.uniform(0.4, 0.6, n),
        "ci_low": np.full(n, 0.3),
        "ci_high": np.full(n, 0.55),
    })


def _tooltip_fields(spec: dict) -> set[str]:
    found = set()

    def walk(node):
        if isinstance(node, dict):
            tip = node.get("tooltip")
            for item in tip if isinstance(tip, list) else ([tip] if isinstance(tip, dict) else []):
                if isinstance(item, dict) and "field" in item:
                    found.add(item["field"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def test_colour_scale_is_fixed_for_known_groups_and_extends_for_new():
    scale = plots.colour_scale(["my data", "ImageNet-1k"]).to_dict()
    domain, colours = scale["domain"], scale["range"]
    # Only the groups present enter the legend; a new one gets a spare colour.
    assert domain == ["ImageNet-1k", "my data"] and len(colours) == 2
    assert colours[domain.index("ImageNet-1k")] == plots.TRAINING_DATA_COLOURS["ImageNet-1k"]
    # The same group always gets the same colour, whatever else is plotted.
    other = plots.colour_scale(["LAION-2B", "ImageNet-1k"]).to_dict()
    assert other["range"][other["domain"].index("ImageNet-1k")] == colours[domain.index("ImageNet-1k")]
    assert other["range"][other["domain"].index("LAION-2B")] == plots.TRAINING_DATA_COLOURS["LAION-2B"]
    assert len(plots.colour_scale().to_dict()["domain"]) == len(plots.TRAINING_DATA_COLOURS)
    assert len(set(plots.TRAINING_DATA_COLOURS.values())) == len(plots.TRAINING_DATA_COLOURS)


@pytest.mark.parametrize("kind", ["headline", "scale", "group", "accuracy", "transfer", "concepts"])
def test_charts_have_tooltips_with_model_and_values(kind, rng):
    wide = _wide(rng)
    if kind == "headline":
        chart = plots.headline_chart(wide, {"noise ceiling": 0.672, "chance": 1 / 3})
        need = {"model", "zero_shot", "probed"}
    elif kind == "scale":
        chart, need = plots.scale_chart(wide), {"model", "params", "accuracy"}
    elif kind == "group":
        chart, need = plots.group_chart(wide, by="objective"), {"model", "zero_shot"}
    elif kind == "accuracy":
        chart, need = plots.accuracy_chart(wide), {"model", "zero_shot", "ci_low", "ci_high"}
    elif kind == "transfer":
        table = wide.assign(rsa_zero_shot=rng.uniform(0, 0.5, 6), rsa_transformed=rng.uniform(0.3, 0.7, 6))
        chart, need = plots.transfer_chart(table), {"model", "spearman_rho"}
    else:
        table = pd.DataFrame({"training_data": ["ImageNet-1k"] * 3, "dimension": [0, 1, 2],
                              "name": ["food", "animal", "royal"], "accuracy": [0.6, 0.55, 0.4], "n": [10, 10, 10]})
        chart, need = plots.concepts_chart(table), {"name", "accuracy"}
    spec = chart.to_dict()
    assert need <= _tooltip_fields(spec)
    svg = plots.to_svg(chart)
    assert svg.lstrip().startswith("<svg") and "<path" in svg


def test_charts_reject_missing_columns(rng):
    with pytest.raises(KeyError, match="probed"):
        plots.headline_chart(_wide(rng).drop(columns="probed"), {"chance": 1 / 3})
    with pytest.raises(ValueError, match="empty"):
        plots.scale_chart(_wide(rng).iloc[:0])


def test_offline_html_embeds_spec_and_escapes_script_end(rng):
    chart = alt.Chart(pd.DataFrame({"x": [1], "label": ["</script><b>"]})).mark_point().encode(x="x:Q", tooltip="label:N")
    html = plots.offline_html(chart, element_id="c1")
    assert '<div id="c1"' in html and "vegaEmbed(" in html
    assert html.count("</script>") == 1  # only the real end tag
    payload = html.split("var spec = ", 1)[1].split(";\n", 1)[0]
    spec = json.loads(payload)  # "<\/" is a valid JSON escape of "/"
    assert "</script><b>" in json.dumps(spec)
    assert "http://" not in html and "https://cdn" not in html


def test_enable_offline_registers_renderer(rng):
    previous = alt.renderers.active
    try:
        plots.enable_offline()
        bundle = alt.renderers.get()(alt.Chart(_wide(rng)).mark_point().encode(x="zero_shot:Q").to_dict())
        assert "vegaEmbed" in bundle["text/html"]
    finally:
        alt.renderers.enable(previous)


def test_write_vega_bundle_is_atomic_and_reused(tmp_path):
    path = plots.write_vega_bundle(tmp_path / "static" / plots.BUNDLE_NAME)
    text = path.read_text()
    assert "window.vegaEmbed" in text and len(text) > 100_000
    mtime = path.stat().st_mtime_ns
    plots.write_vega_bundle(path)
    assert path.stat().st_mtime_ns == mtime  # same version: not rewritten
    assert [p.name for p in path.parent.iterdir()] == [plots.BUNDLE_NAME]


def test_rsa_chart_draws_the_ceiling_band_and_intervals(rng):
    table = pd.DataFrame({
        "model": ["a/x.1", "a/y.1"], "training_data": ["ImageNet-1k", "none (untrained)"],
        "rsa_people_zero_shot": [0.3, 0.1], "rsa_people_zero_shot_low": [0.25, 0.05],
        "rsa_people_zero_shot_high": [0.35, 0.15],
    })
    spec = plots.rsa_chart(table, {"lower": 0.48, "upper": 0.58}).to_dict()
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert marks == ["rect", "rule", "point"]
    assert spec["layer"][0]["encoding"]["x"]["field"] == "lower"
    with pytest.raises(KeyError, match="rsa_chart"):
        plots.rsa_chart(table.drop(columns=["rsa_people_zero_shot_low"]), {"lower": 0.4, "upper": 0.5})


def test_comparison_chart_has_a_zero_line_and_names_the_data(rng):
    table = pd.DataFrame({"human_data": ["92 images", "THINGS"], "comparison": ["a - b", "a - b"],
                          "difference": [0.05, -0.01], "ci_low": [0.01, -0.02], "ci_high": [0.09, 0.0]})
    spec = plots.comparison_chart(table).to_dict()
    assert len(spec["layer"]) == 3
    assert {"human_data", "comparison", "difference"} <= set(_tooltip_fields(spec))


def test_scale_chart_joins_models_of_one_size_series_only(rng):
    wide = _wide(rng)
    spec = plots.scale_chart(wide).to_dict()
    assert "series" in json.dumps(spec["spec"]["layer"][0]["encoding"]["detail"])
    series = {row["series"] for row in next(iter(spec["datasets"].values()))}
    assert all(s.count(" | ") == 2 for s in series)  # family | objective | training data
