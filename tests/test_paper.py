"""The paper's numbers from its official code: the rescaled accuracy and networks.csv."""

from __future__ import annotations

import hashlib
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from humanalign import paper
from humanalign.registry import get_spec


def test_normalised_accuracy_is_the_official_rescaling():
    assert paper.CHANCE == 1 / 3 and paper.CEILING == 0.673
    assert paper.normalised_accuracy(1 / 3) == pytest.approx(0.0)
    assert paper.normalised_accuracy(0.673) == pytest.approx(1.0)
    # A plain loop over the official formula, (x - 1/3) / (0.673 - 1/3).
    values = np.random.default_rng(0).uniform(0.3, 0.7, 20)
    expected = [(v - 1 / 3.) / (0.673 - 1 / 3.) for v in values]
    np.testing.assert_allclose(paper.normalised_accuracy(values), expected)
    series = pd.Series([0.5, np.nan], index=["a", "b"], name="zero_shot")
    scaled = paper.normalised_accuracy(series)
    assert list(scaled.index) == ["a", "b"] and scaled.name == "zero_shot" and np.isnan(scaled["b"])
    assert isinstance(paper.normalised_accuracy(0.5), float)
    # Against this profile's own ceiling instead of the paper's.
    assert paper.normalised_accuracy(0.5, ceiling=2 / 3) == pytest.approx(0.5)


def test_normalised_accuracy_refuses_per_cent_and_a_ceiling_below_chance():
    with pytest.raises(ValueError, match="divide per cent by 100"):
        paper.normalised_accuracy(52.0)
    with pytest.raises(ValueError, match="must lie above chance"):
        paper.normalised_accuracy(0.5, ceiling=0.3)


def test_paper_networks_is_the_official_file_verbatim():
    raw = (resources.files("humanalign") / "resources" / "paper_networks.csv").read_bytes()
    # The file as read from the official repository (3315 characters at the recorded commit).
    assert len(raw) == 3315
    assert hashlib.sha256(raw).hexdigest() == "14c8a393e89c8ad9eafde7bd5501f376bf8a6ead18658840d546a7741f080f4c"
    table = paper.paper_networks()
    assert list(table.columns) == ["model", "imagenet_accuracy", "param_count", "depth", "arch"]
    assert table.set_index("model").loc["alexnet", "param_count"] == "61"  # printed decimals kept
    assert len(table) == 89 and table["model"].is_unique
    source = paper.SOURCES["networks"]
    assert source["commit"] == "6e11e558548cc1f738b71eaeb61e1246bc42e215" and source["path"] == "networks.csv"
    assert paper.SOURCES["normalised_accuracy"]["path"] == "utils/plotting/detail.py"


def test_every_mapped_model_exists_on_both_sides():
    names = set(paper.paper_networks()["model"])
    for name, (model_id, match) in paper.PAPER_MODELS.items():
        assert name in names, name
        assert get_spec(model_id).id == model_id
        assert match in ("same weights", "related")
    assert len({model_id for model_id, _ in paper.PAPER_MODELS.values()}) == len(paper.PAPER_MODELS)
    mapped = {model_id for model_id, _ in paper.PAPER_MODELS.values()}
    for model_id, name in paper.RELATED_MODELS.items():
        assert name in names and get_spec(model_id).id == model_id and model_id not in mapped


def test_the_demos_quantised_mobilenets_stand_beside_the_papers_retrained_ones():
    ids = list(paper.RELATED_MODELS)
    table = paper.compare_with_paper(ids).set_index("model")
    assert list(table.index) == ids and set(table["match"]) == {"related"}
    v2 = table.loc["litert/mobilenet_v2_100_224.qat_in1k"]
    # The paper's file lists 71.67 % for its retrained MobileNet v2 and no parameter count.
    assert v2["paper_model"] == "mobilenet_v2-retrained-no_ls-no_dropout"
    assert v2["top1_paper"] == pytest.approx(0.7166600227) and v2["top1_differ"]
    assert pd.isna(v2["params_paper"]) and v2["params_differ"] is None


def test_compare_with_paper_puts_the_papers_values_beside_ours_and_flags_differences():
    table = paper.compare_with_paper(["torchvision/alexnet.IMAGENET1K_V1", "torchvision/resnet50.IMAGENET1K_V1",
                                      "ssl/resnet50.simclr", "pypi/efficientnet_lite0.in1k",
                                      "torchvision/vit_l_32.IMAGENET1K_V1"]).set_index("model")
    # Models without a row in the paper's file are left out.
    assert list(table.index) == ["torchvision/alexnet.IMAGENET1K_V1", "torchvision/resnet50.IMAGENET1K_V1",
                                 "ssl/resnet50.simclr", "torchvision/vit_l_32.IMAGENET1K_V1"]
    alexnet = table.loc["torchvision/alexnet.IMAGENET1K_V1"]
    # "61" million covers our 61,100,840 (the paper printed whole millions).
    assert alexnet["params_paper"] == 61_000_000 and alexnet["params_ours"] == 61_100_840
    assert not alexnet["params_differ"]
    assert alexnet["top1_paper"] == pytest.approx(0.56522) and not alexnet["top1_differ"]
    # The paper's file lists 80.86 % for ResNet-50; our row (the V1 weights) has 76.13 %.
    resnet = table.loc["torchvision/resnet50.IMAGENET1K_V1"]
    assert resnet["top1_paper"] == pytest.approx(0.8086) and resnet["top1_ours"] == pytest.approx(0.7613)
    assert resnet["top1_differ"] and not resnet["params_differ"]
    # The paper counts the self-supervised ResNet-50 with its classifier (25.56 M); ours is the trunk.
    assert table.loc["ssl/resnet50.simclr", "params_differ"]
    # No parameter count in the paper's file: nothing to compare.
    assert table.loc["torchvision/vit_l_32.IMAGENET1K_V1", "params_differ"] is None
    assert table.loc["torchvision/vit_l_32.IMAGENET1K_V1", "display"] == "ViT-L/32"
    everything = paper.compare_with_paper()
    assert len(everything) == len(paper.PAPER_MODELS) + len(paper.RELATED_MODELS)
    assert set(everything["match"]) == {"same weights", "related"}
