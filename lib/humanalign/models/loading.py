"""The table of sources and the three things asked of it: build an architecture, name the
weight file, load a model. Each looks up the spec's source in :data:`LOADERS` once."""

from __future__ import annotations

import torch
from torch import nn

from ..config import check_device, settings
from ..fetch import Resource
from ..registry import ModelSpec, as_spec
from .litert import LiteRT
from .loaded import LoadedModel
from .open_clip_source import OpenClip
from .source import Loader
from .timm_sources import PyPI, Timm, Untrained
from .torchvision_sources import SSL, Torchvision

__all__ = ["LOADERS", "build_architecture", "load_model", "weights_resource"]

#: One loader per runnable source (``internal`` models have none).
LOADERS: dict[str, Loader] = {
    "torchvision": Torchvision(),
    "timm": Timm(),
    "open_clip": OpenClip(),
    "ssl": SSL(),
    "pypi": PyPI(),
    "untrained": Untrained(),
    "litert": LiteRT(),
}
# What a spec without a loader gets: every question answered with the clear error.
_NO_LOADER = Loader()



def build_architecture(spec: ModelSpec | str, device: str | torch.device | None = "meta") -> nn.Module:
    """Build a model's torch architecture without pretrained weights (random init).

    Args:
        spec: A spec or model id of a runnable torch model (not ``litert`` or ``internal``).
        device: Where to create the parameters; ``"meta"`` builds shapes only, for free.

    Returns:
        The model in eval mode; its modules carry the names in the spec.

    Raises:
        ValueError: the model is not a torch model that can be built.
    """
    spec = as_spec(spec)
    loader = LOADERS.get(spec.source, _NO_LOADER) if spec.public else _NO_LOADER
    return loader.architecture(spec, device)


def weights_resource(spec: ModelSpec | str) -> Resource:
    """The weight file of a downloadable model, as a :class:`~humanalign.fetch.Resource`.

    The public address is the one the model's own library would use (see each loader:
    ``torchvision``, ``timm``, ``open_clip``, ``ssl``). Rows the libraries do not know
    (e.g. rehearsal models registered through ``HUMANALIGN_EXTRA_MODELS``) fall back to
    the registry's ``weights_url``.

    Raises:
        ValueError: the model's source has no downloadable weight file (``pypi``,
            ``litert``, ``untrained``, ``internal``) or no address is known.
    """
    spec = as_spec(spec)
    return LOADERS.get(spec.source, _NO_LOADER).weights(spec)


def load_model(spec: ModelSpec | str, device: str | None = None) -> LoadedModel:
    """Load a registered model with its weights and its own preprocessing.

    Args:
        spec: Its spec, or its canonical id, e.g. ``"pypi/efficientnet_lite0.in1k"``.
        device: Torch device; default from ``HUMANALIGN_DEVICE`` (CUDA when present).
            TF-Lite models always run on the CPU.

    Raises:
        KeyError: unknown id (the message lists the closest ids).
        ValueError: the model is not public (Google-internal) and cannot be run.
        WeightsUnavailableError: weights could not be downloaded; says where to put them.
    """
    spec = as_spec(spec)
    if not spec.public or spec.source not in LOADERS:
        raise ValueError(
            f"Model {spec.id!r} is not public ({spec.note or 'no loader'}); it is listed for "
            "its metadata only and cannot be run."
        )
    # Checked before any weights are read, for TF-Lite models too (they then use the CPU).
    device = check_device(device, "device") if device else settings().resolve_device()
    model, preprocess = LOADERS[spec.source].load(spec)
    if isinstance(model, nn.Module):
        model = model.eval().to(device)
    else:
        device = "cpu"
    return LoadedModel(model=model, preprocess=preprocess, spec=spec, device=str(device))
