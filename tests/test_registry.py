"""Every row of the model table: ids parse, metadata complete, architectures and layers fit."""

from __future__ import annotations

import csv
import io

import pytest
import torch
from conftest import needs_mirror

from humanalign import profiles, registry
from humanalign.registry import get_spec, list_models, parse_id, spec_from_row, spec_table

ALL = list_models()
DEMO_MODELS = tuple(profiles.read_profile_params("demo")["models"])
RUNNABLE_TORCH = [i for i, s, p in zip(ALL.id, ALL.source, ALL.public) if p and s != "litert"]
LITERT = [i for i, s in zip(ALL.id, ALL.source) if s == "litert"]


def test_table_size_and_demo_ids():
    assert (ALL.public).sum() >= 60
    assert (~ALL.public).sum() >= 3  # the paper's internal models keep their rows
    assert set(DEMO_MODELS) <= set(ALL.id)
    assert ALL.id.is_unique


@pytest.mark.parametrize("model_id", list(ALL.id))
def test_row_metadata_complete(model_id):
    spec = get_spec(model_id)
    assert parse_id(model_id) == (spec.source, spec.arch, spec.tag)
    assert spec.family and spec.objective and spec.training_data and spec.penultimate
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
    count = sum(p.numel() for p in model.parameters())
    if model_id in DEMO_MODELS:
        # The demo's rows count the network up to the penultimate layer, without the head.
        count -= sum(p.numel() for p in model.get_submodule(spec.logits).parameters())
    assert count == spec.params
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
    assert str(ALL.params.dtype) == "Int64"
    demo = spec_table([get_spec(m) for m in DEMO_MODELS])
    assert list(demo.id) == list(DEMO_MODELS) and list(demo.columns) == list(ALL.columns)


def _row(**changes):
    row = {k: ("" if v is None else v) for k, v in get_spec("pypi/efficientnet_lite0.in1k").__dict__.items()}
    row["public"] = "true"
    row.update(changes)
    return row


def test_spec_from_row_validates():
    assert spec_from_row(_row()).id == "pypi/efficientnet_lite0.in1k"
    with pytest.raises(ValueError, match="does not match"):
        spec_from_row(_row(arch="efficientnet_lite9"))
    with pytest.raises(ValueError, match="unknown source"):
        spec_from_row(_row(id="keras/efficientnet_lite0.in1k", source="keras"))
    with pytest.raises(ValueError, match="fraction"):
        spec_from_row(_row(imagenet_top1="75.1"))
    with pytest.raises(ValueError, match="public"):
        spec_from_row(_row(public="yes"))


def test_spec_from_row_names_its_origin_and_refuses_impossible_counts():
    with pytest.raises(ValueError, match=r"^extra\.csv, line 7 row 'pypi/efficientnet_lite0\.in1k': params '-3'"):
        spec_from_row(_row(params="-3"), "extra.csv, line 7")
    with pytest.raises(ValueError, match=r"^extra\.csv, line 7: Model id 'x' is not of the form"):
        spec_from_row(_row(id="x"), "extra.csv, line 7")
    for key, value in [("params", "0"), ("params", "nan"), ("params", "1e400"), ("params", "2.5"),
                       ("input_size", "100000"), ("logits_dim", "-1"), ("penultimate_dim", "inf")]:
        with pytest.raises(ValueError, match=f"{key} '{value}' is not a whole number"):
            spec_from_row(_row(**{key: value}))
    with pytest.raises(ValueError, match="imagenet_top1 'n/a' is not a number"):
        spec_from_row(_row(imagenet_top1="n/a"))
    assert spec_from_row(_row(params="4.65e6", input_size="")).params == 4_650_000
    assert spec_from_row(_row(input_size="")).input_size is None


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


# --------------------------------------------------------------------------- taxonomy


def test_every_row_uses_the_fixed_vocabulary():
    assert set(ALL.objective) <= set(registry.OBJECTIVES)
    assert set(ALL.training_data) <= set(registry.TRAINING_DATA)
    # Number of classes, precision and quantisation are neither objective nor data.
    for text in set(ALL.objective) | set(ALL.training_data):
        assert not any(w in text.lower() for w in ("quant", "int8", "float", "classes", "precision")), text


def test_rows_differing_only_in_quantisation_precision_or_tag_share_an_objective_group():
    # Same architecture, data and loss: the tag (and the number format) must not split them.
    for key, group in ALL.groupby(["arch", "training_data", "objective_detail"]):
        assert group.objective.nunique() == 1, (key, list(group.id))
    # Same architecture and data in several number formats (float, QAT, PTQ): one group.
    for key, group in ALL.groupby(["arch", "training_data"]):
        if group.precision.nunique() > 1:
            assert group.objective.nunique() == 1, (key, list(group.id))
    qat, ptq = (get_spec(f"litert/mobilenet_v2_100_224.{t}") for t in ("qat_in1k", "ptq_in1k"))
    assert qat.objective == ptq.objective and qat.precision != ptq.precision
    # One exact loss maps to one group wherever it occurs.
    detail = ALL[ALL.objective_detail != ""]
    for key, group in detail.groupby("objective_detail"):
        assert group.objective.nunique() == 1, (key, list(group.id))


def test_the_papers_grouping_of_losses():
    by_tag = {s.tag: s.objective for s in map(get_spec, ALL.id) if s.source == "internal" and s.arch == "resnet50"}
    assert by_tag["label_smoothing"] == by_tag["logit_penalty"] == by_tag["cosine_softmax"] == "softmax+"
    assert by_tag["mixup"] == by_tag["autoaugment"] == by_tag["softmax"] == "supervised softmax"
    assert by_tag["sigmoid"] == "supervised sigmoid" and by_tag["squared_error"] == "squared error"
    ssl = ALL[ALL.source == "ssl"]
    assert set(ssl.objective) == {"self-supervised"} and set(ssl.training_data) == {"ImageNet-1k"}
    in21k = get_spec("timm/vit_base_patch16_224.augreg_in21k")
    assert (in21k.objective, in21k.training_data) == ("supervised softmax", "ImageNet-21k")


def test_vocabulary_is_enforced_with_an_actionable_message():
    with pytest.raises(ValueError, match="not in the vocabulary.*objective_detail"):
        spec_from_row(_row(objective="supervised softmax (21k classes)"))
    with pytest.raises(ValueError, match="training_data 'WebImageText' is not in the vocabulary"):
        spec_from_row(_row(training_data="WebImageText"))


def test_zero_shot_accuracy_is_kept_apart_from_imagenet_top1():
    image_text = ALL[ALL.objective == "image/text contrastive"]
    assert image_text.imagenet_zero_shot.notna().all()
    for _, row in image_text[image_text.imagenet_top1.notna()].iterrows():
        assert "linear probe" in row.top1_source, row.id
    assert ALL[ALL.objective != "image/text contrastive"].imagenet_zero_shot.isna().all()


def test_colours_and_data_breadth_use_the_training_data_vocabulary():
    from humanalign import plots, study as verdicts

    # Besides the registry's training sets: the human rows and the reference models of the 92 images.
    assert set(plots.TRAINING_DATA_COLOURS) - {"human", plots.REFERENCE_GROUP} <= set(registry.TRAINING_DATA)
    assert set(verdicts.DATA_BREADTH) <= set(registry.TRAINING_DATA)
    assert {"WIT-400M", "LAION-2B", "ImageNet-21k", "JFT-3B"} <= set(plots.TRAINING_DATA_COLOURS)


def test_torchvision_rows_use_the_papers_weights_or_say_so():
    import torchvision.models as tvm

    for _, row in ALL[ALL.source == "torchvision"].iterrows():
        default = tvm.get_model_weights(row.arch).DEFAULT.name
        if row.tag != default:
            # pretrained=True (the paper's pipeline, 2022) loaded V1; the row says why it differs.
            assert "DEFAULT" in row.note, row.id


def test_as_spec_passes_a_spec_through_and_resolves_an_id_once():
    from humanalign.registry import as_spec, get_spec

    spec = get_spec("pypi/efficientnet_lite0.in1k")
    assert as_spec(spec) is spec and as_spec("pypi/efficientnet_lite0.in1k") == spec
    with pytest.raises(KeyError, match="Unknown model id 'pypi/efficientnet_lite9.in1k'"):
        as_spec("pypi/efficientnet_lite9.in1k")


def test_every_builtin_row_has_a_short_unique_display_name():
    from importlib import resources

    text = (resources.files("humanalign") / "resources" / "models.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    names = [row["display"].strip() for row in rows]
    assert all(names), [row["id"] for row in rows if not row["display"].strip()]
    assert len(set(names)) == len(names), sorted(n for n in names if names.count(n) > 1)
    for row, name in zip(rows, names):
        # A name for readers: no id, no snake_case, short enough for a table column.
        assert "_" not in name and row["id"] != name and len(name) <= 48, name
    assert ALL.display.tolist() == names
    assert get_spec("litert/mobilenet_v1_025_128.quant_in1k").display == "MobileNet v1 0.25 (128 px, uint8)"
    assert get_spec("pypi/efficientnet_lite0.in1k").display == "EfficientNet-Lite0"
    assert get_spec("litert/deeplabv3_mobilenet_v2_100_513.pascal_voc").display == "DeepLab v3 MobileNet v2 1.0 (PASCAL VOC)"


def test_display_name_falls_back_to_words_from_the_id_and_keeps_other_labels():
    from humanalign.names import display_name, display_names
    from humanalign.registry import readable_id

    # A row without a display name (an extra table may leave it out) gets one from its id.
    spec = spec_from_row(_row(id="pypi/efficientnet_lite9.in1k", arch="efficientnet_lite9"))
    assert spec.display == "efficientnet lite9 (in1k)" == readable_id(spec.id)
    assert display_name(spec) == spec.display
    assert display_name("torchvision/resnet50.IMAGENET1K_V1") == "ResNet-50"
    # The human references get names in words (an embedding's from the data registry's label);
    # other labels that are not registered models stay as they are.
    assert display_name("human/noise_ceiling") == "Noise ceiling (people's most frequent answer)"
    assert readable_id("human/noise_ceiling") == "human/noise_ceiling"
    assert display_name("human/IT") == "Human IT (group mean)"
    assert display_name("human/unknown") == "human/unknown"
    assert display_name("src/unknown.tag") == "src/unknown.tag"
    names = display_names(["pypi/efficientnet_lite0.in1k", "human/vice_42d", "pypi/efficientnet_lite0.in1k"])
    assert names == {"pypi/efficientnet_lite0.in1k": "EfficientNet-Lite0",
                     "human/vice_42d": "VICE 42-d (human embedding)"}
    # An architecture id in words: what its models' names share, else its family.
    from humanalign.names import arch_name

    assert arch_name("mobilenet_v2_100_224") == "MobileNet v2 1.0" and arch_name("resnet50") == "ResNet-50"
    assert arch_name("no_such_arch") == "no_such_arch"
    # The display name is no field: the cache keys built from the fields stay as they were.
    from dataclasses import asdict

    assert "display" not in asdict(get_spec("pypi/efficientnet_lite0.in1k"))


def test_extra_tables_name_their_models_and_refuse_a_repeated_name(tmp_path, monkeypatch):
    from humanalign.names import display_names
    from humanalign.registry import EXTRA_MODELS_ENV

    def write(path, rows):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(buffer.getvalue())

    first = _row(id="pypi/extra_a.t", arch="extra_a", tag="t", display="Extra A")
    second = _row(id="pypi/extra_b.t", arch="extra_b", tag="t", display="")
    path = tmp_path / "extra.csv"
    write(path, [first, second])
    monkeypatch.setenv(EXTRA_MODELS_ENV, str(path))
    assert get_spec("pypi/extra_a.t").display == "Extra A"
    assert get_spec("pypi/extra_b.t").display == "extra b (t)"
    assert display_names(["pypi/extra_a.t"]) == {"pypi/extra_a.t": "Extra A"}
    clash = tmp_path / "clash.csv"
    third = _row(id="pypi/extra_c.t", arch="extra_c", tag="t", display="Extra A")
    write(clash, [first, third])
    monkeypatch.setenv(EXTRA_MODELS_ENV, str(clash))
    with pytest.raises(ValueError, match="display name 'Extra A' of 'pypi/extra_c.t' is already the name of"):
        get_spec("pypi/extra_c.t")
