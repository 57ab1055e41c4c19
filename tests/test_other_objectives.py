"""The MobileNet-family models trained on other data (iNaturalist) and for other objectives
(segmentation, pose): documented embedding widths, finite features, plausible species."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import needs_mirror
from humanalign.features import extract_features
from humanalign.datasets import Stimuli
from humanalign import profiles
from humanalign.registry import get_spec

DEMO_MODELS = tuple(profiles.read_profile_params("demo")["models"])

# The demo's trained models that are not ImageNet-1k classifiers.
NEW_MODELS = tuple(m for m in DEMO_MODELS
                   if get_spec(m).training_data not in ("ImageNet-1k", "none (untrained)"))


@pytest.fixture(scope="module")
def photos():
    from humanalign.datasets import load_demo_stimuli

    return load_demo_stimuli()


def _subset(stimuli, words: list[str], name: str) -> tuple[Stimuli, list[str]]:
    """The photos of some concepts (by THINGS uniqueID), with their ids."""
    keep = [i for i, uid in enumerate(stimuli.ids) if uid in words]
    names = [stimuli.ids[i] for i in keep]
    return Stimuli(name, tuple(stimuli.ids[i] for i in keep), tuple(stimuli.paths[i] for i in keep)), names


def test_rows_keep_objective_data_and_precision_apart():
    assert len(NEW_MODELS) == 6
    for model_id in NEW_MODELS:
        spec = get_spec(model_id)
        assert "quant" not in spec.objective and "quant" not in spec.training_data
        assert spec.precision.startswith(("uint8", "int8"))
        assert spec.imagenet_top1 is None  # not ImageNet models
    assert get_spec("litert/mobilenet_v2_100_224.qat_in1k").objective == get_spec(
        "litert/mobilenet_v2_100_224.ptq_in1k").objective == "supervised softmax"


@needs_mirror
@pytest.mark.parametrize("model_id", NEW_MODELS)
def test_embeddings_are_finite_with_the_documented_width(model_id, photos):
    sub = Stimuli("head-" + model_id.split("/")[1], photos.ids[:6], photos.paths[:6])
    feats = extract_features(model_id, sub, layer="penultimate", progress=False)
    spec = get_spec(model_id)
    assert feats.shape == (6, spec.penultimate_dim)
    assert np.all(np.isfinite(feats))
    # Different photos give different embeddings (not a constant tensor).
    assert np.ptp(feats, axis=0).max() > 0


@needs_mirror
@pytest.mark.parametrize("model_id, labels, expected", [
    # The demo's THINGS photos of a flamingo, a peacock, a pelican and a swan; the genus must match.
    ("litert/mobilenet_v2_100_224.inat_bird", "inat_bird_labels.txt",
     {"flamingo": "Phoenicopterus", "peacock": "Pavo", "pelican": "Pelecanus", "swan": "Cygnus"}),
    # The demo's THINGS photos of a cockroach, a mosquito and a praying mantis.
    ("litert/mobilenet_v2_100_224.inat_insect", "inat_insect_labels.txt",
     {"cockroach": "Periplaneta", "mosquito": "Aedes", "praying_mantis": "Mantis"}),
])
def test_inaturalist_models_name_a_plausible_species(model_id, labels, expected, photos):
    from humanalign.fetch import fetch
    from humanalign.sources import get_resource

    sub, names = _subset(photos, list(expected), "check-" + model_id.split(".")[-1])
    logits = extract_features(model_id, sub, layer="logits", progress=False)
    assert logits.shape == (len(expected), get_spec(model_id).logits_dim)
    classes = fetch(get_resource(f"litert/{labels}")).read_text().splitlines()
    for name, row in zip(names, logits):
        assert expected[name] in classes[int(row.argmax())], (name, classes[int(row.argmax())])
