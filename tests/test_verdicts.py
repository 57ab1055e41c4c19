"""Directional verdict rules on planted data: the paper's direction, the opposite, noise,
and too few models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from humanalign import study as verdicts
from humanalign.profiles import make_profile
from humanalign.registry import get_spec


def _table(diffs):
    return pd.DataFrame([{"comparison": f"c{i}", **verdicts.compare(a, b, n_boot=500, seed=0)}
                         for i, (a, b) in enumerate(diffs)])


def _units(rng, shift: float, n: int = 400):
    base = rng.normal(size=n)
    return base + shift + 0.5 * rng.normal(size=n), base + 0.5 * rng.normal(size=n)


def test_planted_effect_in_the_papers_direction_is_reproduced(rng):
    v = verdicts.direction_verdict(_table([_units(rng, 0.3), _units(rng, 0.4)]), "claim", "none")
    assert v.status == "reproduced" and v.numbers["n_agree"] == 2


def test_planted_opposite_effect_is_not_reproduced(rng):
    v = verdicts.direction_verdict(_table([_units(rng, 0.3), _units(rng, -0.3)]), "claim", "none")
    assert v.status == "not reproduced" and "the opposite" in v.reason


def test_noise_is_not_reproduced(rng):
    v = verdicts.direction_verdict(_table([_units(rng, 0.0)]), "claim", "none")
    assert v.status == "not reproduced" and "no detectable difference" in v.reason


def test_nothing_to_compare_is_not_testable():
    v = verdicts.direction_verdict(pd.DataFrame(columns=["comparison", "difference", "ci_low", "ci_high"]),
                                   "claim", "no pair")
    assert v.status.startswith("not testable") and v.reason == "no pair"


def test_controlled_pairs_hold_architecture_and_objective_fixed():
    demo = ["litert/mobilenet_v2_100_224.qat_in1k", "litert/mobilenet_v2_100_224.ptq_in1k",
            "litert/mobilenet_v2_100_224.inat_bird", "litert/mobilenet_v2_100_224.inat_insect",
            "litert/movenet_lightning_192.coco_pose", "pypi/efficientnet_lite0.in1k",
            "untrained/mobilenetv2_100.seed0"]
    pairs = verdicts.controlled_data_pairs([get_spec(m) for m in demo])
    assert [(p[0], p[2]) for p in pairs] == [("ImageNet-1k", "iNaturalist 2017 birds"),
                                            ("ImageNet-1k", "iNaturalist 2017 insects")]
    # Both ImageNet-1k copies (they differ only in quantisation) form one group.
    assert {s.id for s in pairs[0][1]} == {"litert/mobilenet_v2_100_224.qat_in1k", "litert/mobilenet_v2_100_224.ptq_in1k"}
    assert verdicts.controlled_data_pairs([get_spec("pypi/efficientnet_lite0.in1k"), get_spec("litert/movenet_lightning_192.coco_pose")]) == []


def _evaluate_table(contrastive: list[float], softmax: list[float]) -> pd.DataFrame:
    ids = {"image/text contrastive": ["open_clip/RN50.openai", "open_clip/ViT-B-32.openai", "open_clip/ViT-B-16.openai"],
           "supervised softmax": ["torchvision/resnet50.IMAGENET1K_V1", "torchvision/vgg16.IMAGENET1K_V1",
                                  "torchvision/alexnet.IMAGENET1K_V1"]}
    rows = []
    for group, values in (("image/text contrastive", contrastive), ("supervised softmax", softmax)):
        for model, value in zip(ids[group], values):
            rows.append({"model": model, "dataset": "things", "layer": "penultimate", "measure": "zero_shot", "value": value})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("contrastive, softmax, status", [
    ([0.50, 0.52, 0.51], [0.44, 0.45, 0.43], "reproduced"),
    ([0.42, 0.43, 0.41], [0.48, 0.49, 0.47], "not reproduced"),
    ([0.40, 0.52, 0.46], [0.41, 0.51, 0.47], "not reproduced"),
    ([0.50], [0.44, 0.45, 0.43], "not testable with this profile's models"),
])
def test_objective_rule_on_planted_group_means(contrastive, softmax, status):
    from humanalign.registry import get_spec

    for model in ("open_clip/RN50.openai", "torchvision/resnet50.IMAGENET1K_V1"):
        get_spec(model)  # the planted ids are real registry rows
    table = _evaluate_table(contrastive, softmax)
    profile = make_profile(models=list(table["model"]), check_data=False)
    v = verdicts.verdict_objective(profile, table, n_boot=500)
    assert v.status == status


# --------------------------------------------------------------------------- scale


def _spec(name: str, family: str, params: int, objective: str = "supervised softmax", data: str = "ImageNet-1k"):
    from humanalign.registry import ModelSpec

    return ModelSpec(id=f"fake/{name}.x", source="timm", arch=name, tag="x", family=family, params=params,
                     imagenet_top1=None, top1_source="", objective=objective, training_data=data,
                     penultimate="p", logits="", public=True)


def _planted_scale(rng, slope: float, n: int, family_gap: float = 0.0):
    """Two families of four sizes each (1e6 .. 1e8 parameters); accuracy = 0.45 + slope *
    log10(params / 1e7) (+ family_gap for the second family)."""
    specs, acc = [], []
    for f, gap in (("A", 0.0), ("B", family_gap)):
        for k, p in enumerate((1e6, 4e6, 2e7, 1e8)):
            specs.append(_spec(f"{f}{k}", f, int(p)))
            acc.append(0.45 + gap + slope * np.log10(p / 1e7))
    correct = rng.random((n, len(acc))) < np.array(acc)
    return correct, specs


@pytest.mark.parametrize("slope, gap, n, status", [
    (0.0, 0.0, 20_000, "reproduced"),          # the paper's direction: no effect of size or architecture
    (0.08, 0.0, 20_000, "not reproduced"),     # the opposite: a strong effect of size
    (0.0, 0.10, 20_000, "not reproduced"),     # the opposite: a strong effect of architecture
    (0.0, 0.0, 150, "not reproduced"),         # noise: too few triplets to tell
])
def test_scale_rule_on_planted_data(rng, slope, gap, n, status):
    correct, specs = _planted_scale(rng, slope, n, gap)
    table = verdicts.scale_comparisons(correct, specs, n_boot=300)
    assert list(table["half"]) == ["size", "size", "architecture"]
    v = verdicts.scale_verdict_from(table)
    assert v.status == status, v.reason
    if slope:
        assert table.loc[table["half"] == "size", "estimate"].to_numpy() == pytest.approx([slope, slope], abs=0.02)
        assert v.labels["size_status"] == "not reproduced"


def test_scale_rule_with_one_model_per_group_is_not_testable(rng):
    specs = [_spec("a", "A", 1_000_000), _spec("b", "B", 5_000_000, data="LAION-2B"),
             _spec("c", "C", 9_000_000, objective="self-supervised"),
             _spec("u", "U", 2_000_000, objective="none (random init)", data="none (untrained)"),
             _spec("u2", "U", 8_000_000, objective="none (random init)", data="none (untrained)")]
    table = verdicts.scale_comparisons(rng.random((500, 5)) < 0.4, specs, n_boot=50)
    assert table.empty
    assert verdicts.scale_verdict_from(table).status == "not testable with this profile's models"


def test_scale_groups_are_family_by_objective_by_data(rng):
    # Same family and sizes but another objective or data: not one size series.
    specs = [_spec("a", "ResNet", 1_000_000), _spec("b", "ResNet", 8_000_000, objective="self-supervised"),
             _spec("c", "ResNet", 30_000_000, data="ImageNet-21k")]
    table = verdicts.scale_comparisons(rng.random((500, 3)) < 0.4, specs, n_boot=50)
    assert table.empty
    # Sizes closer than min_span are no series either.
    close = [_spec("a", "E", 4_600_000), _spec("b", "E", 5_400_000), _spec("c", "E", 6_100_000)]
    assert verdicts.scale_comparisons(rng.random((500, 3)) < 0.4, close, n_boot=50).empty


def test_slope_matches_least_squares(rng):
    correct, specs = _planted_scale(rng, 0.03, 5000)
    table = verdicts.scale_comparisons(correct, specs, n_boot=50)
    x = np.log10([s.params for s in specs[:4]])
    expected = np.polyfit(x, correct[:, :4].mean(axis=0), 1)[0]
    assert table["estimate"].iloc[0] == pytest.approx(expected)


def test_imagenet_correlation_with_interval(rng):
    top1 = np.linspace(0.6, 0.85, 12)
    wide = pd.DataFrame({"imagenet_top1": top1, "zero_shot": 0.3 + 0.2 * top1 + rng.normal(0, 0.002, 12),
                         "training_data": "ImageNet-1k"})
    out = verdicts.imagenet_correlation(wide, n_boot=300)
    assert out["n_models"] == 12 and out["pearson"] > 0.9 and out["pearson_low"] <= out["pearson"] <= out["pearson_high"]
    wide.loc[:, "imagenet_top1"] = np.nan
    assert np.isnan(verdicts.imagenet_correlation(wide)["pearson"])


# --------------------------------------------------------------------------- concepts


def _dimensions(categories):
    return pd.DataFrame({"dimension": range(len(categories)), "category": categories,
                         "in_top": [10 if c else 0 for c in categories], "top": 10,
                         "name": [c or f"dim{d}" for d, c in enumerate(categories)]})


def _planted_concepts(rng, acc_by_dim, n=30_000, models=3):
    labels = rng.integers(0, len(acc_by_dim), size=n)
    correct = rng.random((n, models)) < np.asarray(acc_by_dim)[labels][:, None]
    return correct, labels


DIMS = _dimensions(["food", "animal", "sports equipment", "", "", "vehicle"])


@pytest.mark.parametrize("acc, status", [
    ([0.60, 0.58, 0.30, 0.45, 0.46, 0.44], "reproduced"),      # the paper's direction
    ([0.30, 0.32, 0.60, 0.45, 0.46, 0.44], "not reproduced"),  # the opposite
    ([0.45] * 6, "not reproduced"),                            # noise
])
def test_concepts_rule_on_planted_data(rng, acc, status):
    correct, labels = _planted_concepts(rng, acc)
    table = verdicts.concept_comparisons(correct, labels, DIMS, n_boot=300)
    assert list(table["term"]) == ["food", "animals", "sports", "royal"]
    v = verdicts.concepts_verdict_from(table)
    assert v.status == status, v.reason
    # Royal objects have no THINGS category: named, never silently dropped.
    assert v.labels["unidentified"] == "royal" and "royal (THINGS has no category for it)" in v.reason
    if status == "reproduced":
        assert v.numbers["food_rank"] == 1 and v.numbers["sports_rank"] == 6
        assert v.numbers["food_difference"] == pytest.approx(0.60 - np.mean([0.58, 0.30, 0.45, 0.46, 0.44]), abs=0.02)


def test_concepts_rule_without_models_or_term_dimensions_is_not_testable(rng):
    correct, labels = _planted_concepts(rng, [0.5] * 6, n=2000)
    assert verdicts.concepts_verdict_from(
        verdicts.concept_comparisons(correct[:, :0], labels, DIMS)).status.startswith("not testable")
    none = _dimensions(["", "", "vehicle", "", "", ""])
    v = verdicts.concepts_verdict_from(verdicts.concept_comparisons(correct, labels, none, n_boot=50))
    assert v.status.startswith("not testable")
    # A term whose only dimension has too few triplets is not tested either.
    sparse = verdicts.concept_comparisons(correct, labels, DIMS, min_n=10_000, n_boot=50)
    assert sparse["difference"].isna().all()


def test_term_dimensions_need_a_majority_of_top_objects():
    dims = _dimensions(["food", "animal", "sports equipment"]).assign(in_top=[10, 4, 5])
    assert verdicts.term_dimensions(dims) == {"food": [0], "animals": [], "sports": [2], "royal": []}


def test_per_dimension_accuracy_has_intervals(rng):
    correct, labels = _planted_concepts(rng, [0.6, 0.3], n=4000, models=2)
    table = verdicts.concept_dimension_accuracy(correct, labels, ["a", "b"], 3, n_boot=200)
    assert len(table) == 6 and table.loc[2, "n"] == 0 and np.isnan(table.loc[2, "accuracy"])
    first = table.iloc[0]
    assert first["ci_low"] < first["accuracy"] < first["ci_high"] and abs(first["accuracy"] - 0.6) < 0.03


def test_interval_pivot_keeps_model_order(rng):
    correct, labels = _planted_concepts(rng, [0.6, 0.3], n=400, models=2)
    per_dim = verdicts.concept_dimension_accuracy(correct, labels, ["z", "a"], 3, n_boot=50).assign(name="x")
    wide = verdicts.interval_pivot(per_dim)
    assert list(wide.columns) == ["z", "a"] and wide.shape == (3, 2) and wide.iloc[2, 0] == "-"


def test_augreg_vits_give_the_papers_controlled_data_comparison():
    from humanalign.registry import list_models

    pairs = verdicts.controlled_data_pairs([get_spec(m) for m in list_models(public_only=True)["id"]])
    in21k_vs_in1k = {(tuple(s.id for s in b), tuple(s.id for s in n))
                     for broad, b, narrow, n in pairs if (broad, narrow) == ("ImageNet-21k", "ImageNet-1k")}
    for arch in ("vit_small_patch16_224", "vit_base_patch16_224", "vit_base_patch32_224"):
        assert ((f"timm/{arch}.augreg_in21k",), (f"timm/{arch}.augreg_in1k",)) in in21k_vs_in1k


def test_objective_rule_compares_with_imagenet_1k_classifiers_only():
    table = _evaluate_table([0.50, 0.52, 0.51], [0.44, 0.45])
    # A softmax model trained on ImageNet-21k is another training-data group, not a classifier of the comparison.
    extra = pd.DataFrame([{"model": "timm/vit_base_patch16_224.augreg_in21k", "dataset": "things", "layer": "penultimate",
                           "measure": "zero_shot", "value": 0.60}])
    both = pd.concat([table, extra])
    v = verdicts.verdict_objective(make_profile(models=list(both["model"]), check_data=False), both, n_boot=300)
    assert v.status == "reproduced" and "ImageNet-1k" in v.reason
    few = _evaluate_table([0.5, 0.5], [0.44])
    profile = make_profile(models=list(few["model"]), check_data=False)
    assert verdicts.verdict_objective(profile, few, n_boot=50).numbers["n_softmax"] == 1
