"""Reading a torch model's named layers, one vector per image.

A forward hook on the module named in the spec captures its output (``name:input``
captures the module's input instead). A (b, tokens, d) output of a transformer gives its
CLS token (token 0); anything else is flattened.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import nn

from ..registry import ModelSpec

__all__ = ["layer_output", "probe_dims"]


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
