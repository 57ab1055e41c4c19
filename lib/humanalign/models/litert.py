"""The ``litert`` source: TF-Lite models run with ``ai-edge-litert``.

They name tensors instead of modules (each read from a copy of the model that outputs it,
:func:`read_tensor_model`); their uint8 outputs are dequantised and the
background class of the 1001-way classifiers is dropped, so logit ``k`` is ImageNet-1k
class ``k`` for every model. The ``.tflite`` file is a registered data file (the spec's
``builder``), fetched like any other.
"""

from __future__ import annotations

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

__all__ = ["LiteRT", "LiteRTModel", "read_tensor_model"]


def read_tensor_model(path: Path, tensor: str, rank: int) -> tuple[bytes, str]:
    """A copy of a TF-Lite model whose only output is one of its inner tensors.

    The tensor is found by its exact name, else as the one tensor of that rank whose name
    starts with ``tensor``. The copy keeps the operators that tensor depends on, in their
    order, and drops the rest (a segmentation model's decoder, a classifier's head), so the
    interpreter runs only what the features need and keeps no intermediate tensors; the
    weights are untouched, so the tensor's values are those of the full model.

    Returns:
        ``(model bytes, the tensor's full name)``.

    Raises:
        DataError: no single tensor of that name and rank.
    """
    from ai_edge_litert.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model(str(path))
    graph = model.subgraphs[0]
    names = [t.name.decode() if isinstance(t.name, bytes) else str(t.name) for t in graph.tensors]
    found = None
    for match in (lambda i: names[i] == tensor, lambda i: names[i].startswith(tensor)):
        hits = [i for i in range(len(names)) if match(i) and len(graph.tensors[i].shape) == rank]
        if len(hits) == 1:
            found = hits[0]
            break
    if found is None:
        raise DataError(
            f"TF-Lite model {Path(path).name} has no single rank-{rank} tensor named {tensor!r}; the registry's "
            "tensor name does not fit this file."
        )
    needed, keep = {found}, []
    for k in range(len(graph.operators) - 1, -1, -1):
        op = graph.operators[k]
        if any(int(o) in needed for o in op.outputs):
            keep.append(k)
            needed.update(int(i) for i in op.inputs if int(i) >= 0)
    graph.operators = [graph.operators[k] for k in sorted(keep)]
    graph.outputs = np.array([found], dtype=np.int32)
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model)), names[found]


class LiteRTModel:
    """A TF-Lite model run with ``ai-edge-litert``; reads the spec's tensors per image.

    Each layer is read from a copy of the model whose output is that layer's tensor
    (:func:`read_tensor_model`), made in memory when the layer is first asked for: the
    interpreter then runs only the operators the tensor depends on and keeps no
    intermediate tensors.

    Args:
        num_threads: Threads of the interpreter; default torch's thread count (which a
            worker process of :func:`humanalign.study.prepare` sets to one).
    """

    def __init__(self, path: Path, spec: ModelSpec, num_threads: int | None = None):
        self.path = Path(path)
        self.spec = spec
        self.num_threads = num_threads or torch.get_num_threads() or 1
        self._layers: dict[str, tuple] = {}
        # The full model: its input size and a check that the file is a model at all.
        self.input = self._interpreter(None)[1]

    def _interpreter(self, content: bytes | None):
        from ai_edge_litert.interpreter import Interpreter

        try:
            interpreter = (Interpreter(model_content=content, num_threads=self.num_threads) if content is not None
                           else Interpreter(model_path=str(self.path), num_threads=self.num_threads))
            interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as err:
            raise DataError(
                f"{self.path} is not a valid TF-Lite model for {self.spec.id!r} ({err}); "
                "delete it and fetch it again."
            ) from err
        return interpreter, interpreter.get_input_details()[0]

    def _layer(self, layer: str) -> tuple:
        """(interpreter, input detail, output detail) of the copy that outputs ``layer``."""
        if layer not in self._layers:
            tensor = self.spec.layer_module(layer)  # raises the clear error for a missing layer
            content, _name = read_tensor_model(self.path, tensor, rank=4 if layer == "penultimate" else 2)
            interpreter, detail = self._interpreter(content)
            self._layers[layer] = (interpreter, detail, interpreter.get_output_details()[0])
        return self._layers[layer]

    @property
    def input_size(self) -> int:
        return int(self.input["shape"][1])

    @staticmethod
    def _value(raw: np.ndarray, detail: dict, layer: str) -> np.ndarray:
        """A tensor's value as a float32 vector (dequantised, averaged over space)."""
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
        for layer in layers:
            interpreter, source, target = self._layer(layer)
            for image in images:
                # The files have a fixed batch of one.
                interpreter.set_tensor(source["index"], image[None].astype(source["dtype"]))
                interpreter.invoke()
                out[layer].append(self._value(interpreter.get_tensor(target["index"]), target, layer))
        return {layer: torch.from_numpy(np.stack(rows)) for layer, rows in out.items()}


class LiteRT(Loader):
    """``litert``: no torch architecture and no weight download of its own; the model is
    the registered ``.tflite`` data file, run on the CPU with uint8 preprocessing."""

    def load(self, spec: ModelSpec) -> tuple[LiteRTModel, Callable]:
        model = LiteRTModel(fetch(get_resource(spec.builder)), spec)
        return model, uint8_transform(model.input_size)
