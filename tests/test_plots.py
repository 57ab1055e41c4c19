"""Tests of humanalign.plots: one colour scheme, tooltips, offline HTML, the JS bundle."""

from __future__ import annotations

import json
import re

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


def _layers(spec: dict) -> list[dict]:
    """The unit layers of a (nested) layered spec, in drawing order."""
    out = []
    for layer in spec.get("layer", []):
        out += _layers(layer) if "layer" in layer else [layer]
    return out


def _mark(layer: dict) -> str:
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def _y_labels(svg: str) -> list[str]:
    """The y axis's labels of a rendered chart, top to bottom (the lines of a wrapped label joined)."""
    axis = re.search(r'aria-label="Y-axis.*?role-axis-label"[^>]*>(.*?)</g>', svg, flags=re.S).group(1)
    labels = re.findall(r'translate\([-\d.]+,([-\d.]+)\)[^>]*>(.*?)</text>', axis, flags=re.S)
    return [re.sub(r"<[^>]+>", "", text) for _, text in sorted(labels, key=lambda item: float(item[0]))]


def test_rsa_chart_draws_the_labelled_ceiling_band_and_intervals(rng):
    table = pd.DataFrame({
        "model": ["a/x.1", "a/y.1"], "training_data": ["ImageNet-1k", "none (untrained)"],
        "rsa_people_zero_shot": [0.3, 0.1], "rsa_people_zero_shot_low": [0.25, 0.05],
        "rsa_people_zero_shot_high": [0.35, 0.15],
    })
    spec = plots.rsa_chart(table, {"lower": 0.48, "upper": 0.58}).to_dict()
    layers = _layers(spec)
    assert [_mark(layer) for layer in layers] == ["rect", "text", "rule", "point"]
    band, label = layers[0]["encoding"], layers[1]["encoding"]
    assert band["x"] == {"datum": 0.48} and band["x2"] == {"datum": 0.58}
    assert label["text"] == {"value": "noise ceiling"}
    assert spec["width"] == "container"
    with pytest.raises(KeyError, match="rsa_chart"):
        plots.rsa_chart(table.drop(columns=["rsa_people_zero_shot_low"]), {"lower": 0.4, "upper": 0.5})


def test_headline_chart_shades_beyond_the_noise_ceiling(rng):
    spec = plots.headline_chart(_wide(rng), {"chance": 1 / 3, "noise_ceiling": 0.672}).to_dict()
    band = _layers(spec)[0]
    assert _mark(band) == "rect"
    assert band["encoding"]["y"] == {"datum": 0.672} and band["encoding"]["y2"] == {"value": 0}
    # The ceiling's line carries the label; every reference label starts at the left edge.
    texts = [layer for layer in _layers(spec) if _mark(layer) == "text"]
    assert texts and all(layer["encoding"]["x"] == {"value": 0} for layer in texts)
    for refs in ({"chance": 1 / 3}, {"chance": 1 / 3, "noise_ceiling": float("nan")}):
        without = plots.headline_chart(_wide(rng), refs).to_dict()
        assert "rect" not in [_mark(layer) for layer in _layers(without)]


def test_ceiling_band_joins_any_chart_and_keeps_its_size():
    base = alt.Chart(pd.DataFrame({"x": [0.1, 0.5], "y": [1, 2]})).mark_point().encode(x="x:Q", y="y:Q")
    chart = base.properties(width="container", height=200)
    spec = plots.ceiling_band(chart, 0.4, 0.6).to_dict()
    assert spec["width"] == "container" and spec["height"] == 200
    assert "width" not in _layers(spec)[-1]
    assert chart.to_dict()["width"] == "container"  # the chart handed in is unchanged
    open_ended = _layers(plots.ceiling_band(base, 0.4, None, axis="y", label=None).to_dict())
    assert [_mark(layer) for layer in open_ended] == ["rect", "point"]
    assert open_ended[0]["encoding"]["y2"] == {"value": 0}
    right = _layers(plots.ceiling_band(base, 0.4).to_dict())[0]["encoding"]
    assert right["x2"] == {"value": "width"}
    svg = plots.to_svg(plots.ceiling_band(chart.properties(width=300), 0.4, 0.6))
    assert "noise ceiling" in svg
    with pytest.raises(ValueError, match="lower bound 0.6 lies above the upper bound 0.4"):
        plots.ceiling_band(base, 0.6, 0.4)
    with pytest.raises(ValueError, match="axis must be"):
        plots.ceiling_band(base, 0.4, axis="z")
    with pytest.raises(ValueError, match="finite"):
        plots.ceiling_band(base, float("nan"))
    with pytest.raises(TypeError, match="before facetting"):
        plots.ceiling_band(base.facet(column="y:N"), 0.4)


def test_charts_follow_the_text_column_and_the_facet_fits_a_phone(rng):
    wide = _wide(rng)
    table = wide.assign(rsa_zero_shot=rng.uniform(0, 0.5, 6), rsa_transformed=rng.uniform(0.3, 0.7, 6))
    comparisons = pd.DataFrame({"human_data": ["THINGS"], "comparison": ["a vs b"], "difference": [0.1],
                                "ci_low": [0.0], "ci_high": [0.2]})
    for chart in (plots.headline_chart(wide, {"chance": 1 / 3}), plots.group_chart(wide, "objective"),
                  plots.accuracy_chart(wide), plots.transfer_chart(table), plots.comparison_chart(comparisons)):
        assert chart.to_dict()["width"] == "container"
    facet = plots.scale_chart(wide).to_dict()
    assert facet["columns"] == 1 and facet["spec"]["width"] <= 280


def test_long_model_ids_wrap_on_the_axis_and_keep_the_full_id_in_the_tooltip():
    # Ids the registry does not know are shown as they are, wrapped.
    ids = ["src/vit_base_patch16_224.augreg_in21k", "src/ViT-B-32.laion2b_s34b_b79k", "a/b.c"]
    table = pd.DataFrame({"model": ids, "training_data": ["ImageNet-1k"] * 3, "zero_shot": [0.50, 0.40, 0.45],
                          "ci_low": [0.3] * 3, "ci_high": [0.6] * 3})
    chart = plots.accuracy_chart(table)
    svg = plots.to_svg(chart)
    # Drawn as lines of at most 22 characters, best model first (not in alphabetical
    # order), nothing cut off.
    assert _y_labels(svg) == ["src/vit_base_patch16_224.augreg_in21k", "a/b.c", "src/ViT-B-32.laion2b_s34b_b79k"]
    assert "<tspan>src/vit_base_patch16_</tspan>" in svg and "…" not in svg
    assert "model" in _tooltip_fields(chart.to_dict())
    assert chart.to_dict()["height"]["step"] >= 30  # room for two lines per row


def test_charts_name_registered_models_by_their_display_names():
    ids = ["litert/mobilenet_v1_025_128.quant_in1k", "pypi/efficientnet_lite0.in1k"]
    table = pd.DataFrame({"model": ids, "training_data": ["ImageNet-1k"] * 2, "zero_shot": [0.45, 0.40],
                          "ci_low": [0.4, 0.35], "ci_high": [0.5, 0.45]})
    svg = plots.to_svg(plots.accuracy_chart(table))
    # (A name in words wraps at its spaces; the lines are joined without them here.)
    assert [t.replace(" ", "") for t in _y_labels(svg)] == ["MobileNetv10.25(128px,uint8)", "EfficientNet-Lite0"]
    assert "litert/" not in "".join(_y_labels(svg))
    # The id stays in the tooltip's data.
    data = next(iter(plots.accuracy_chart(table).to_dict()["datasets"].values()))
    assert {row["model"] for row in data} == set(ids)


def test_wrap_label_breaks_ids_between_parts_and_phrases_at_spaces():
    for text in ["timm/vit_base_patch16_224.augreg_in21k", "open_clip/ViT-B-32.openai", "x" * 50, "a/b.c"]:
        lines = plots.wrap_label(text).split("\n")
        assert all(len(line) <= 22 for line in lines)
        assert "".join(lines) == text  # nothing lost: two ids never wrap to the same label
    assert plots.wrap_label("timm/vit_base_patch16_224.augreg_in21k") == "timm/vit_base_patch16_\n224.augreg_in21k"
    assert plots.wrap_label("image-text vs supervised (ImageNet-1k)") == "image-text vs\nsupervised\n(ImageNet-1k)"
    assert plots.wrap_label("short") == "short"
    with pytest.raises(ValueError, match="at least 4"):
        plots.wrap_label("abc", width=2)
    assert plots.axis_title("zero-shot accuracy") == "zero-shot accuracy"
    assert plots.axis_title("Spearman rho with each person's judgements (mean over people)") == [
        "Spearman rho with each person's", "judgements (mean over people)"]


def test_reference_labels_put_the_lower_of_two_close_lines_under_it():
    ref = plots.reference_labels({"chance": 1 / 3, "vice": 0.655, "noise_ceiling": 0.672}, span=0.45)
    assert ref["reference"].tolist() == ["chance", "VICE embedding", "noise ceiling (real answers)"]
    assert ref["side"].tolist() == ["above", "below", "above"]
    far = plots.reference_labels({"chance": 1 / 3, "noise_ceiling": 0.672}, span=0.45)
    assert far["side"].tolist() == ["above", "above"]
    # Three close lines: the middle one has no room under it, both upper labels stay above.
    crowded = plots.reference_labels({"a": 0.60, "b": 0.61, "c": 0.62}, span=0.45)
    assert crowded["side"].tolist() == ["below", "above", "above"]
    assert plots.reference_labels({"a": float("nan"), "b": 0.5}, span=0.4)["reference"].tolist() == ["b"]


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


def _walk(node, found):
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found)
    return found


def _axes(spec: dict) -> list[dict]:
    return [n["axis"] for n in _walk(spec, []) if isinstance(n.get("axis"), dict)]


def test_every_value_axis_names_its_unit_and_spaces_its_labels(rng):
    wide = _wide(rng)
    transfer = wide.assign(rsa_zero_shot=rng.uniform(0, 0.5, 6), rsa_transformed=rng.uniform(0.3, 0.7, 6))
    for chart in (plots.headline_chart(wide, {"chance": 1 / 3}), plots.group_chart(wide, "objective"),
                  plots.accuracy_chart(wide), plots.transfer_chart(transfer), plots.scale_chart(wide)):
        spec = chart.to_dict()
        titled = [a for a in _axes(spec) if "title" in a and "labelSeparation" in a]
        assert titled, spec.get("mark")
        for axis in titled:
            title = " ".join(axis["title"]) if isinstance(axis["title"], list) else axis["title"]
            assert re.search(r"accuracy|Spearman rho|parameters", title), title
            assert axis["labelOverlap"] is True and axis["labelSeparation"] >= 4
        # Quantitative scales keep the marks off the plot's edges.
        scales = [n["scale"] for n in _walk(spec, []) if isinstance(n.get("scale"), dict) and n.get("type") == "quantitative"]
        assert any(s.get("padding", 0) >= plots.PAD or "domain" in s for s in scales)


def test_scale_chart_titles_its_panels_in_words(rng):
    spec = plots.scale_chart(_wide(rng)).to_dict()
    measures = {row["measure"] for row in next(iter(spec["datasets"].values()))}
    assert measures == {"zero-shot odd-one-out accuracy", "probed odd-one-out accuracy"}
    assert "zero_shot" not in json.dumps(spec["facet"])


def test_transfer_chart_has_a_shape_legend_over_the_chart(rng):
    table = _wide(rng).assign(rsa_zero_shot=0.2, rsa_transformed=0.4)
    shape = plots.transfer_chart(table).to_dict()["layer"][1]["encoding"]["shape"]
    assert shape["legend"]["orient"] == "top" and shape["scale"]["domain"] == ["zero-shot", "transformed"]


def test_comparison_chart_names_the_unit_of_each_data_set():
    assert plots.score_unit("92 images (real people)") == "Spearman rho"
    assert plots.score_unit("THINGS triplets (simulated)") == "odd-one-out accuracy"
    assert plots.score_unit("something else") is None
    mixed = pd.DataFrame({"human_data": ["92 images (real people)", "THINGS triplets"], "comparison": ["a - b"] * 2,
                          "difference": [0.05, -0.01], "ci_low": [0.01, -0.02], "ci_high": [0.09, 0.0]})
    spec = plots.comparison_chart(mixed).to_dict()
    titles = [" ".join(a["title"]) if isinstance(a["title"], list) else a["title"] for a in _axes(spec) if "title" in a]
    assert any("in Spearman rho on 92 images; odd-one-out accuracy on THINGS triplets" in t for t in titles), titles
    shown = {row["on"] for row in next(iter(spec["datasets"].values()))}
    assert shown == {"92 images (real people)", "THINGS triplets"}
    one = plots.comparison_chart(mixed.iloc[[1]]).to_dict()
    assert any("difference in odd-one-out accuracy" in (" ".join(a["title"]) if isinstance(a["title"], list)
                                                         else a["title"]) for a in _axes(one) if "title" in a)
