"""The ``litert`` source: TF-Lite models run with ``ai-edge-litert``.

They name tensors instead of modules; their uint8 outputs are dequantised and the
background class of the 1001-way classifiers is dropped, so logit ``k`` is ImageNet-1k
class ``k`` for every model. The ``.tflite`` file is a registered data file (the spec's
``builder``), fetched like any other.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from ..errors import DataError
from ..fetch import fetch
from ..registry import ModelSpec
from ..sources import get_resource
from .preprocess import uint8_transform
from .source import Loader

__all__ = ["LiteRT", "LiteRTModel"]


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

    def _read(self, layer: str) -> np.ndarray:
        """The current value of ``layer``'s tensor as a float32 vector."""
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
        return value

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
                out[layer].append(self._read(layer))
        return {layer: torch.from_numpy(np.stack(rows)) for layer, rows in out.items()}


class LiteRT(Loader):
    """``litert``: no torch architecture and no weight download of its own; the model is
    the registered ``.tflite`` data file, run on the CPU with uint8 preprocessing."""

    def load(self, spec: ModelSpec) -> tuple[LiteRTModel, Callable]:
        model = LiteRTModel(fetch(get_resource(spec.builder)), spec)
        return model, uint8_transform(model.input_size)
