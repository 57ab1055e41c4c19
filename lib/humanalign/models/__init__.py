"""Load a registered model with its own evaluation preprocessing; read its two layers.

One loader per source, in one table (:data:`LOADERS`, keyed by the spec's ``source``):
each knows how to build its architectures, where their weights are published (a
:class:`~humanalign.fetch.Resource`) and how to load them with the preprocessing that
belongs to the weights. :func:`load_model` returns a :class:`LoadedModel` holding the
model, that preprocessing (a callable from a PIL image to a tensor) and the
:class:`~humanalign.registry.ModelSpec`.

Modules: :mod:`.loading` (the table and the three calls on it), :mod:`.source` (what every
loader provides), one module per library (:mod:`.torchvision_sources`,
:mod:`.timm_sources`, :mod:`.open_clip_source`, :mod:`.litert`), and the shared pieces
:mod:`.preprocess`, :mod:`.layers`, :mod:`.loaded` and :mod:`.checkpoint`.
"""

from __future__ import annotations

from .checkpoint import load_checkpoint
from .layers import layer_output, probe_dims
from .litert import LiteRTModel
from .loaded import LoadedModel
from .loading import LOADERS, build_architecture, load_model, weights_resource
from .open_clip_source import ImageTower
from .preprocess import imagenet_transform, tflite_style_transform, uint8_transform
from .source import WEIGHTS_FOLDER, Loader
from .timm_sources import efficientnet_lite_file, remap_efficientnet_lite

__all__ = [
    "LOADERS",
    "WEIGHTS_FOLDER",
    "ImageTower",
    "LiteRTModel",
    "LoadedModel",
    "Loader",
    "build_architecture",
    "efficientnet_lite_file",
    "imagenet_transform",
    "layer_output",
    "load_checkpoint",
    "load_model",
    "probe_dims",
    "remap_efficientnet_lite",
    "tflite_style_transform",
    "uint8_transform",
    "weights_resource",
]
