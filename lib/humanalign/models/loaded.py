"""A model ready to run: the model, the preprocessing of its weights, and its spec."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import torch
from torch import nn

from ..registry import ModelSpec
from .layers import layer_output

__all__ = ["LoadedModel"]


@dataclass
class LoadedModel:
    """A model ready to run.

    Attributes:
        model: A torch module in eval mode, or a :class:`~humanalign.models.LiteRTModel`.
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
