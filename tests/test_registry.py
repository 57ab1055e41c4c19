"""Every row of the model table: ids parse, metadata complete, architectures and layers fit."""

from __future__ import annotations

import pytest
import torch
from conftest import needs_mirror

from humanalign import registry
from humanalign.registry import DEMO_MODELS, get_spec, list_models, parse_id, spec_from_row

ALL = list_models()
RUNNABLE_TORCH = [i for i, s, p in zip(ALL.id, ALL.source, ALL.public) if p and s != "litert"]
LITERT = [i for i, s in zip(ALL.id, ALL.source) if s == "litert"]


def test_table_size_and_demo_ids():
    assert (ALL.public).sum() >= 60
    assert (~ALL.public).sum() >= 3  # the paper's internal models keep their rows
    assert set(DEMO_MODELS) <= set(ALL.id)
    assert set(list_models(group="demo").id) == set(DEMO_MODELS)
    assert ALL.id.is_unique


@pytest.mark.parametrize("model_id", list(ALL.id))
def test_row_metadata_complete(model_id):
    spec = get_spec(model_id)
    assert parse_id(model_id) == (spec.source, spec.arch, spec.tag)
    assert spec.family and spec.objective and spec.training_data and spec.penultimate
    assert spec.groups and set(spec.groups) <= set(registry.GROUPS)
    if spec.imagenet_top1 is not None:
        assert 0.0 < spec.imagenet_top1 < 1.0 and spec.top1_source
    if spec.public:
        assert spec.params and spec.params > 0 and spec.builder
        assert spec.penultimate_dim and spec.input_size
        assert bool(spec.logits_dim) == spec.has_logits
    else:
        assert "not public" in spec.note
    if spec.source == "untrained":
        assert spec.training_data == "none (untrained)"
    if model_id in DEMO_MODELS and spec.source != "untrained":
        # An ImageNet top-1 belongs to the ImageNet-1k classifiers only.
        assert (spec.imagenet_top1 is not None) == (spec.training_data == "ImageNet-1k")


@pytest.mark.parametrize("model_id", RUNNABLE_TORCH)
def test_architecture_builds_with_documented_layers(model_id):
    """Built on the meta device: shapes only, no weights, no computation."""
    from humanalign.models import build_architecture, probe_dims

    spec = get_spec(model_id)
    model = build_architecture(spec, device="meta")
    assert sum(p.numel() for p in model.parameters()) == spec.params
    dims = probe_dims(model, spec)
    assert dims["penultimate"] == spec.penultimate_dim
    assert dims.get("logits") == spec.logits_dim
    assert dims["input_size"] == spec.input_size


@needs_mirror
@pytest.mark.parametrize("model_id", LITERT)
def test_litert_tensors_exist_with_documented_dims(model_id):
    from humanalign.models import load_model

    loaded = load_model(model_id)
    spec = loaded.spec
    assert loaded.model.input_size == spec.input_size
    x = torch.zeros(1, 3, spec.input_size, spec.input_size, dtype=torch.uint8)
    layers = ["penultimate"] + (["logits"] if spec.has_logits else [])
    out = loaded.forward(x, layers)
    assert out["penultimate"].shape == (1, spec.penultimate_dim)
    if spec.has_logits:
        assert out["logits"].shape == (1, spec.logits_dim)
        if spec.training_data == "ImageNet-1k":
            assert spec.logits_dim == 1000


def test_unknown_id_names_closest():
    with pytest.raises(KeyError, match="resnet50.IMAGENET1K_V1"):
        get_spec("torchvision/resnet5O.IMAGENET1K_V1")


@pytest.mark.parametrize("bad", ["resnet50", "torchvision/resnet50", "a/b/c.d", "", "timm/x. y"])
def test_parse_id_rejects_malformed(bad):
    with pytest.raises(ValueError, match="source/arch.tag"):
        parse_id(bad)


def test_list_models_filters():
    public = list_models(public_only=True)
    assert public.public.all() and len(public) < len(ALL)
    scale = list_models(group="scale")
    assert all("scale" in g for g in scale.groups)
    assert str(ALL.params.dtype) == "Int64"
    with pytest.raises(ValueError, match="Unknown group"):
        list_models(group="sizes")


def _row(**changes):
    row = {k: ("" if v is None else v) for k, v in get_spec("pypi/efficientnet_lite0.in1k").__dict__.items()}
    row["groups"] = ";".join(row["groups"])
    row["public"] = "true"
    row.update(changes)
    return row


def test_spec_from_row_validates():
    assert spec_from_row(_row()).id == "pypi/efficientnet_lite0.in1k"
    with pytest.raises(ValueError, match="does not match"):
        spec_from_row(_row(arch="efficientnet_lite9"))
    with pytest.raises(ValueError, match="unknown groups"):
        spec_from_row(_row(groups="demo;sizes"))
    with pytest.raises(ValueError, match="fraction"):
        spec_from_row(_row(imagenet_top1="75.1"))
    with pytest.raises(ValueError, match="public"):
        spec_from_row(_row(public="yes"))


def test_layer_module_errors():
    spec = get_spec("litert/mobilenet_v1_100_224.quant_embedding")
    with pytest.raises(ValueError, match="no classifier"):
        spec.layer_module("logits")
    with pytest.raises(ValueError, match="Unknown layer"):
        spec.layer_module("fc7")


def test_torchvision_rows_match_torchvision_weight_metadata():
    """ImageNet top-1 and parameter counts of torchvision rows agree with torchvision's own tables."""
    import torchvision.models as tvm

    table = list_models()
    rows = table[table["source"] == "torchvision"]
    assert len(rows) > 30
    for _, row in rows.iterrows():
        meta = tvm.get_model_weights(row["arch"])[row["tag"]].meta
        assert row["imagenet_top1"] == pytest.approx(meta["_metrics"]["ImageNet-1K"]["acc@1"] / 100, abs=1e-6), row["id"]
        assert row["params"] == meta["num_params"], row["id"]
