"""The evaluation transforms that belong to weights without a library config of their own.

Each returns a callable from a PIL RGB image to a (3, size, size) tensor. Models whose
library knows their preprocessing (torchvision, timm, open_clip) use that library's own.
"""

from __future__ import annotations

__all__ = ["imagenet_transform", "tflite_style_transform", "uint8_transform"]


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
