"""The paper's own numbers, read from its official code, beside this library's.

The paper's figures cannot be read offline, but its code can, so this module holds only
values taken from files of the official repository (``LukasMut/human_alignment``, MIT
licence), each with the commit, path and line it was read from; none is typed from memory.

* :data:`CHANCE` and :data:`CEILING`: the reference lines of the paper's THINGS plots
  (chance and the human noise ceiling), and :func:`normalised_accuracy`, the official
  code's rescaling of an odd-one-out accuracy between them.
* :func:`paper_networks`: the repository's ``networks.csv`` (ImageNet top-1 in per cent
  and parameters in millions of every model the paper plots), kept verbatim as the
  package resource ``resources/paper_networks.csv``.
* :func:`compare_with_paper`: for the registry's models that match a row of that file,
  the paper's parameter count and top-1 beside ours, and whether they differ.

Example::

    from humanalign import paper
    paper.normalised_accuracy(0.52)              # 0.5514...: share of the way from chance to the ceiling
    paper.compare_with_paper(["torchvision/resnet50.IMAGENET1K_V1"])
"""

from __future__ import annotations

import io
from decimal import Decimal
from functools import lru_cache
from importlib import resources as _res
from typing import Iterable

import numpy as np
import pandas as pd

from .registry import get_spec

__all__ = [
    "CEILING",
    "CHANCE",
    "PAPER_MODELS",
    "RELATED_MODELS",
    "SOURCES",
    "compare_with_paper",
    "normalised_accuracy",
    "paper_networks",
]

_REPOSITORY = "https://github.com/LukasMut/human_alignment"

#: Where each value of this module was read: repository, commit, path and lines.
SOURCES: dict[str, dict[str, str]] = {
    "networks": {
        "repository": _REPOSITORY,
        "commit": "6e11e558548cc1f738b71eaeb61e1246bc42e215",
        "path": "networks.csv",
        "lines": "all (kept verbatim as resources/paper_networks.csv)",
        "read_by": "plot_results.py of the same repository (pd.read_csv('networks.csv')), which draws the "
                   "paper's overview, loss, self-supervised and CLIP plots",
    },
    "normalised_accuracy": {
        "repository": _REPOSITORY,
        "commit": "181f443d0c984c51862ee6911104a056c7d66c9b",
        "path": "utils/plotting/detail.py",
        "lines": "237-240 (rescale_accuracy: chance_level = 1 / 3., max_acc = 0.673)",
    },
    "reference_lines": {
        "repository": _REPOSITORY,
        "commit": "6decfe6a0d1722e819dfa6437cca45088c8ee40b",
        "path": "utils/plotting/overview.py",
        "lines": "59-60 (axhline at 0.673 and at 0.333 on the THINGS plots)",
    },
}

#: Chance level of the odd-one-out task in the official code's rescaling (``1 / 3.``).
CHANCE = 1 / 3
#: The human noise ceiling on THINGS as the official code draws and rescales it.
CEILING = 0.673

#: Name of a row of the paper's ``networks.csv`` -> (registry id, how the two relate). "same
#: weights": the model the paper ran; "related": another checkpoint of the same architecture
#: (the paper's row names a retrained or Google-internal one), shown so that the difference
#: is visible, never as the paper's number for our model.
PAPER_MODELS: dict[str, tuple[str, str]] = {
    **{name: (f"torchvision/{name}.IMAGENET1K_V1", "same weights") for name in (
        "alexnet", "vgg11", "vgg13", "vgg16", "vgg19", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
        "resnext50_32x4d", "resnext101_32x8d", *(f"efficientnet_b{i}" for i in range(8)),
        "convnext_tiny", "convnext_small", "convnext_base", "convnext_large", "vit_b_16", "vit_b_32", "vit_l_16",
        "vit_l_32")},
    **{f"{method}-rn50": (f"ssl/resnet50.{method}", "same weights") for method in (
        "barlowtwins", "vicreg", "swav", "simclr", "mocov2", "rotnet", "jigsaw")},
    # timm's weights of these names in 2022: AugReg, ImageNet-21k fine-tuned on 1k (the
    # file's parameter counts are those of a 1000-way head).
    **{name: (f"timm/{name}.augreg_in21k_ft_in1k", "same weights") for name in (
        "vit_tiny_patch16_224", "vit_small_patch16_224", "vit_small_patch32_224", "vit_base_patch16_224",
        "vit_base_patch32_224", "vit_large_patch16_224")},
    **{f"clip_{name}": (f"open_clip/{name.replace('/', '-')}.openai", "same weights") for name in (
        "RN50", "RN101", "RN50x4", "RN50x16", "RN50x64", "ViT-B/32", "ViT-B/16", "ViT-L/14")},
    **{f"resnet_v1_50_tpu_{loss}_seed0": (f"internal/resnet50.{ours}", "same weights") for loss, ours in (
        ("softmax", "softmax"), ("label_smoothing", "label_smoothing"), ("sigmoid", "sigmoid"),
        ("extra_wd", "extra_final_l2"), ("dropout", "dropout"), ("logit_penalty", "logit_penalty"),
        # The official plotting code names these two "Logit norm" and "Cosine softmax".
        ("nt_xent", "logit_normalization"), ("nt_xent_weights", "cosine_softmax"),
        ("squared_error", "squared_error"), ("autoaugment", "autoaugment"), ("mixup", "mixup"))},
    "vit-G_14_224": ("internal/vit_g14.jft3b", "same weights"),
    "align": ("internal/align.efficientnet_l2", "same weights"),
    "basic-l": ("internal/basic.coatnet7", "same weights"),
    # Retrained checkpoints ("retrained-no_ls": without label smoothing) against the public
    # TF-Slim checkpoints of the registry.
    "inception_v1-retrained-no_ls+scale-no_dropout": ("internal/inception_v1.tf_slim", "related"),
    "inception_v2-retrained-no_ls+scale-no_dropout": ("internal/inception_v2.tf_slim", "related"),
    "inception_v3-retrained-no_ls-no_dropout-no_aux": ("timm/inception_v3.tf_in1k", "related"),
    "inception_v4-retrained-no_ls-no_dropout-no_aux": ("timm/inception_v4.tf_in1k", "related"),
    "inception_resnet_v2-retrained-no_ls-no_dropout-no_aux": ("timm/inception_resnet_v2.tf_in1k", "related"),
    "nasnet_large-retrained-no_ls-no_dropout-no_aux": ("timm/nasnetalarge.tf_in1k", "related"),
    "nasnet_mobile-retrained-no_ls-no_dropout-no_aux": ("internal/nasnet_mobile.tf_slim", "related"),
    "mobilenet_v1-retrained-no_ls": ("internal/mobilenet_v1_100_224.tf_slim", "related"),
    "resnet_v1_50_tpu-retrained-no_ls": ("internal/resnet_v1_50.tf_slim", "related"),
    "resnet_v1_101_tpu-retrained-no_ls": ("internal/resnet_v1_101.tf_slim", "related"),
    "resnet_v1_152_tpu-retrained-no_ls": ("internal/resnet_v1_152.tf_slim", "related"),
}


#: Registry id -> a row of the paper's file for **another checkpoint** of the same
#: architecture and training data: the public quantised TF-Lite copies the offline demo runs
#: beside the paper's own retrained TF-Slim networks. Shown as "related", so that a reader
#: sees how far the paper's checkpoint and ours differ, never as the paper's number for ours.
RELATED_MODELS: dict[str, str] = {
    "litert/mobilenet_v1_100_224.quant_embedding": "mobilenet_v1-retrained-no_ls",
    "litert/mobilenet_v2_100_224.qat_in1k": "mobilenet_v2-retrained-no_ls-no_dropout",
    "litert/mobilenet_v2_100_224.ptq_in1k": "mobilenet_v2-retrained-no_ls-no_dropout",
}


def normalised_accuracy(accuracy, chance: float = CHANCE, ceiling: float = CEILING):
    """An odd-one-out accuracy as the share of the way from chance to the noise ceiling,
    ``(accuracy - chance) / (ceiling - chance)``, as the official code rescales it
    (``rescale_accuracy``; see :data:`SOURCES`): 0 at chance, 1 at the ceiling.

    Args:
        accuracy: A fraction in [0, 1], or an array or Series of them (NaN stays NaN).
        chance: The chance level (default 1/3, the official value).
        ceiling: The noise ceiling (default 0.673, the official value; pass this
            profile's own ceiling to rescale against it instead).

    Returns:
        The same shape as ``accuracy``: a float, an array or a Series.

    Raises:
        ValueError: ``ceiling`` does not lie above ``chance``, or an accuracy lies outside [0, 1].
    """
    if not (np.isfinite(chance) and np.isfinite(ceiling) and ceiling > chance):
        raise ValueError(f"normalised_accuracy: the ceiling ({ceiling}) must lie above chance ({chance}).")
    values = np.asarray(accuracy, dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size and (finite.min() < 0 or finite.max() > 1):
        raise ValueError(f"normalised_accuracy: accuracies are fractions in [0, 1], not {finite.min()}..."
                         f"{finite.max()}; divide per cent by 100.")
    scaled = (values - chance) / (ceiling - chance)
    if isinstance(accuracy, pd.Series):
        return pd.Series(scaled, index=accuracy.index, name=accuracy.name)
    return float(scaled) if scaled.ndim == 0 else scaled


@lru_cache(maxsize=1)
def _raw_networks() -> str:
    return (_res.files("humanalign") / "resources" / "paper_networks.csv").read_text(encoding="utf-8")


def paper_networks() -> pd.DataFrame:
    """The official repository's ``networks.csv`` as it is (see :data:`SOURCES`).

    Returns:
        One row per model name of the paper's code, columns ``model, imagenet_accuracy``
        (ImageNet-1k top-1 in per cent; a linear probe for self-supervised and CLIP models),
        ``param_count`` (millions), ``depth``, ``arch``, as text, so that the number of
        decimals the paper printed is kept.
    """
    return pd.read_csv(io.StringIO(_raw_networks()), dtype=str, keep_default_na=False)


def _half_unit(text: str) -> float:
    """Half a unit of the last decimal place ``text`` was printed with (``"61"`` -> 0.5)."""
    exponent = Decimal(text).as_tuple().exponent
    return 0.5 * 10.0 ** int(exponent)


def _differs(ours: float | None, theirs: str, scale: float) -> bool | None:
    """Whether ``ours`` (in the registry's unit) differs from the paper's printed value
    beyond its rounding; ``None`` when either is missing."""
    if ours is None or not theirs:
        return None
    return abs(ours / scale - float(theirs)) > _half_unit(theirs) + 1e-12


def compare_with_paper(models: Iterable[str] | None = None) -> pd.DataFrame:
    """The paper's parameter count and ImageNet top-1 beside the registry's, per model.

    A value differs when ours, in the paper's unit, lies beyond the rounding of the
    number the paper printed (``61`` million covers 60.5 to 61.5 million).

    Args:
        models: Registry ids (default: every id :data:`PAPER_MODELS` and
            :data:`RELATED_MODELS` map to); ids with no row in the paper's file are left out.

    Returns:
        One row per matched model: ``model, display, paper_model, match`` (``same weights``
        or ``related``), ``params_paper`` and ``params_ours`` (counts),
        ``params_differ``, ``top1_paper`` and ``top1_ours`` (fractions), ``top1_differ``
        (``None`` where a side has no value). The paper's values are its printed ones
        converted (millions to counts, per cent to fractions).
    """
    networks = paper_networks().set_index("model")
    by_id = {our_id: (name, match) for name, (our_id, match) in PAPER_MODELS.items()}
    by_id.update({our_id: (name, "related") for our_id, name in RELATED_MODELS.items()})
    wanted = list(dict.fromkeys(models)) if models is not None else list(by_id)
    rows = []
    for model_id in wanted:
        if model_id not in by_id:
            continue
        name, match = by_id[model_id]
        spec, row = get_spec(model_id), networks.loc[name]
        params, top1 = row["param_count"], row["imagenet_accuracy"]
        rows.append({
            "model": model_id, "display": spec.display, "paper_model": name, "match": match,
            "params_paper": round(float(params) * 1e6) if params else None, "params_ours": spec.params,
            "params_differ": _differs(spec.params, params, 1e6),
            "top1_paper": float(top1) / 100 if top1 else None, "top1_ours": spec.imagenet_top1,
            "top1_differ": _differs(spec.imagenet_top1, top1, 0.01),
        })
    columns = ["model", "display", "paper_model", "match", "params_paper", "params_ours", "params_differ",
               "top1_paper", "top1_ours", "top1_differ"]
    out = pd.DataFrame(rows, columns=columns)
    for col in ("params_paper", "params_ours"):
        out[col] = out[col].astype("Int64")
    return out
