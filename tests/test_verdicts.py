"""Directional verdict rules on planted data: the paper's direction, the opposite, noise,
and too few models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from humanalign import verdicts


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
    pairs = verdicts.controlled_data_pairs(demo)
    assert [(p[0], p[2]) for p in pairs] == [("ImageNet-1k", "iNaturalist 2017 birds"),
                                            ("ImageNet-1k", "iNaturalist 2017 insects")]
    # Both ImageNet-1k copies (they differ only in quantisation) form one group.
    assert set(pairs[0][1]) == {"litert/mobilenet_v2_100_224.qat_in1k", "litert/mobilenet_v2_100_224.ptq_in1k"}
    assert verdicts.controlled_data_pairs(["pypi/efficientnet_lite0.in1k", "litert/movenet_lightning_192.coco_pose"]) == []


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
    v = verdicts.verdict_objective(None, _evaluate_table(contrastive, softmax), n_boot=500)
    assert v.status == status
