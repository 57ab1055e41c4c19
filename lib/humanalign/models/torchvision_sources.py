"""Sources built on torchvision architectures: ``torchvision`` (its own weights enum) and
``ssl`` (self-supervised ResNet-50 trunks from their releases' checkpoints)."""

from __future__ import annotations

import contextlib
import pickle
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from ..errors import DataError
from ..registry import ModelSpec
from .checkpoint import load_checkpoint, unreadable_weights
from .preprocess import imagenet_transform
from .source import WEIGHTS_FOLDER, Loader

__all__ = ["SSL", "Torchvision", "TorchvisionArchitecture"]


@contextlib.contextmanager
def _torch_hub_dir(folder: Path):
    """Point torch.hub (and so torchvision's weight loader) at ``folder`` for a while."""
    previous = getattr(torch.hub, "_hub_dir", None)
    torch.hub.set_dir(str(folder))
    try:
        yield
    finally:
        # Restore the private value itself: None means "derive from TORCH_HOME again".
        torch.hub._hub_dir = previous


@contextlib.contextmanager
def _torchvision_weights_only():
    """Make torchvision read its weight files with ``weights_only=True`` for a while.

    Its loader calls ``torch.hub.load_state_dict_from_url``, whose default unpickles
    anything; the weight files hold only tensors, so nothing is lost by refusing the rest.
    """
    from torchvision.models import _api

    original = _api.load_state_dict_from_url
    _api.load_state_dict_from_url = lambda *a, **k: original(*a, **{**k, "weights_only": True})
    try:
        yield
    finally:
        _api.load_state_dict_from_url = original


class TorchvisionArchitecture(Loader):
    """Builds the registry's ``builder`` with torchvision, without weights."""

    def build(self, spec: ModelSpec, device) -> nn.Module:
        import torchvision

        return torchvision.models.get_model(spec.builder, weights=None)


class Torchvision(TorchvisionArchitecture):
    """``torchvision``: the builder and weights enum of torchvision; the enum's transforms.

    The weight file is the enum's ``url`` (``download.pytorch.org``), falling back to the
    registry's ``weights_url`` for rows torchvision does not know.
    """

    def weights_url(self, spec: ModelSpec) -> tuple[str, str]:
        import torchvision

        try:
            return torchvision.models.get_model_weights(spec.builder)[spec.tag].url, ""
        except (KeyError, ValueError):
            return spec.weights_url, ""

    def weights_folder(self, spec: ModelSpec) -> str:
        # torchvision reads <hub dir>/checkpoints/<file name of the URL>; keep that layout
        # so its own loader (with its key fixes, e.g. DenseNet's) reads our checked copy.
        return f"{WEIGHTS_FOLDER}/torch/checkpoints"

    def load(self, spec: ModelSpec) -> tuple[nn.Module, Callable]:
        import torchvision

        weights = torchvision.models.get_model_weights(spec.builder)[spec.tag]
        path = self.fetch_weights(spec)
        # The file sits at <dir>/checkpoints/<name>; torchvision finds it there and does not
        # download (it only checks its hash prefix on a download of its own).
        with _torch_hub_dir(path.parent.parent), _torchvision_weights_only():
            try:
                model = torchvision.models.get_model(spec.builder, weights=weights)
            except (OSError, RuntimeError, EOFError, pickle.UnpicklingError) as err:
                raise unreadable_weights(path, spec, err, weights.url) from err
        return model, weights.transforms()


_SSL_PREFIXES = ("module.encoder_q.", "module.", "encoder.", "backbone.", "_feature_blocks.")


class SSL(TorchvisionArchitecture):
    """``ssl``: a torchvision trunk without classifier, weights from the registry's
    ``weights_url`` (MoCo, SwAV, VISSL... checkpoints), the common ImageNet transform."""

    def build(self, spec: ModelSpec, device) -> nn.Module:
        model = super().build(spec, device)
        model.fc = nn.Identity()  # self-supervised trunks have no classifier
        return model

    def weights_url(self, spec: ModelSpec) -> tuple[str, str]:
        return spec.weights_url, ""

    def trunk_state_dict(self, checkpoint: dict, spec: ModelSpec) -> dict[str, torch.Tensor]:
        """Find the ResNet-50 trunk in the checkpoint layouts of the SSL releases."""
        state = checkpoint
        if "classy_state_dict" in state:  # VISSL model zoo
            state = state["classy_state_dict"]["base_model"]["model"]["trunk"]
        elif "state_dict" in state:  # MoCo, SwAV releases
            state = state["state_dict"]
        clean = {}
        for key, value in state.items():
            for prefix in _SSL_PREFIXES:
                if key.startswith(prefix):
                    key = key[len(prefix):]
                    break
            if not key.startswith("fc."):
                clean[key] = value
        if not clean or not any(k.startswith("layer4.") for k in clean):
            raise DataError(
                f"The checkpoint of {spec.id!r} holds no ResNet-50 trunk (keys like 'layer4.*'); "
                f"delete {self.weights(spec).path} from the data folder and fetch "
                f"{spec.weights_url} again."
            )
        return clean

    def load(self, spec: ModelSpec) -> tuple[nn.Module, Callable]:
        model = self.architecture(spec, device=None)
        path = self.fetch_weights(spec)
        checkpoint = load_checkpoint(path, spec)
        if not isinstance(checkpoint, dict):
            raise DataError(
                f"The weight file {path} of {spec.id!r} holds a {type(checkpoint).__name__}, not a "
                f"checkpoint dict; delete it and fetch it again from {spec.weights_url}."
            )
        missing, _unexpected = model.load_state_dict(self.trunk_state_dict(checkpoint, spec), strict=False)
        if missing:
            raise DataError(f"The checkpoint of {spec.id!r} lacks {len(missing)} weights, e.g. {missing[:3]}.")
        return model, imagenet_transform(224)
