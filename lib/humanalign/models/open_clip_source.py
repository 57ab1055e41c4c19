"""The ``open_clip`` source: the image tower of an image/text model, with the preprocessing
of its pretrained tag."""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from ..registry import ModelSpec
from .checkpoint import unreadable_weights
from .source import Loader

__all__ = ["ImageTower", "OpenClip"]

# open_clip's default file name in a Hugging Face repository (the ``.safetensors`` copy is
# an optional extra there, the ``.bin`` file is always present).
_OPEN_CLIP_HF_FILE = "open_clip_pytorch_model.bin"


class ImageTower(nn.Module):
    """The image encoder of an image/text model; ``visual``'s output is the embedding."""

    def __init__(self, visual: nn.Module):
        super().__init__()
        self.visual = visual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.visual(x)


class OpenClip(Loader):
    """``open_clip``: architecture ``builder`` with pretrained tag ``tag``.

    The weight file is ``open_clip_pytorch_model.bin`` of the tag's Hugging Face repository
    (or the file the tag names, or its direct ``url``, else the registry's ``weights_url``).
    """

    def build(self, spec: ModelSpec, device) -> nn.Module:
        import open_clip

        # open_clip moves the model to its `device` argument (CPU by default) at the end.
        target = str(device) if device is not None else "cpu"
        return ImageTower(open_clip.create_model(spec.builder, pretrained=None, device=target).visual)

    def weights_url(self, spec: ModelSpec) -> tuple[str, str]:
        import open_clip

        cfg = open_clip.get_pretrained_cfg(spec.builder, spec.tag) or {}
        if not cfg.get("hf_hub"):
            return cfg.get("url") or spec.weights_url, ""
        repo, file_name = cfg["hf_hub"].rstrip("/"), ""
        if not cfg["hf_hub"].endswith("/"):
            repo, file_name = cfg["hf_hub"].rsplit("/", 1)
        name = file_name or _OPEN_CLIP_HF_FILE
        return f"https://huggingface.co/{repo}/resolve/main/{name}", name

    def load(self, spec: ModelSpec) -> tuple[nn.Module, Callable]:
        import open_clip

        cfg = open_clip.get_pretrained_cfg(spec.builder, spec.tag) or {}
        path = self.fetch_weights(spec)
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
            raise unreadable_weights(path, spec, err, self.weights(spec).url) from err
        # Only the image tower is used: the text tower would be dead weight on the device.
        return ImageTower(model.visual), preprocess
