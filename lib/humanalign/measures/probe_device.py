"""Where and in what precision the probe's fits run: torch, device, dtype and CPU threads.

Torch is imported on first use, so ``import humanalign`` stays light.
"""

from __future__ import annotations

import contextlib
import functools

import numpy as np

from ..config import settings

__all__ = ["as_tensor", "choose_device", "cpu_threads", "fit_dtype", "loss_flops", "torch_module"]

# Precision of the fits; float32 is ample for the loss and twice as fast (tests use float64
# to compare parametrisations exactly).
_DTYPE = "float32"


@functools.cache
def torch_module():
    """The torch module, imported on the first call."""
    import torch

    return torch


def fit_dtype():
    """The torch dtype the fits run in (``_DTYPE``)."""
    return getattr(torch_module(), _DTYPE)


def choose_device(device: str | None) -> str:
    """The torch device of a fit: ``device`` when given, else ``HUMANALIGN_DEVICE`` (GPU when present)."""
    return device or settings().resolve_device()


def as_tensor(array: np.ndarray, device) -> "object":
    """``array`` as a tensor in the fits' precision on ``device``."""
    return torch_module().as_tensor(array, dtype=fit_dtype(), device=device)


def loss_flops(n: int, p: int, reduce: bool) -> float:
    """Rough floating-point operations of one loss evaluation on n objects of p features."""
    width = min(n, p) if reduce else p
    return 2.0 * n * width * (n + width)


@contextlib.contextmanager
def cpu_threads(device: str, flops: float):
    """Run small CPU problems on one thread.

    For matrices of a few hundred entries the synchronisation of torch's worker threads
    costs far more than the arithmetic (20x slower on a busy two-core machine), so below
    about 1 GFLOP per loss evaluation one thread is used (on a busy two-core machine, 2
    threads took 490 ms per evaluation of a 223-object problem against 11 ms for one); the
    setting is restored after.
    """
    if not str(device).startswith("cpu") or flops > 1e9:
        yield
        return
    torch = torch_module()
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
