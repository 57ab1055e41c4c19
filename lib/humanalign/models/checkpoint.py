"""Reading weight files safely: no code runs while a checkpoint is unpickled."""

from __future__ import annotations

import importlib
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..errors import DataError
from ..registry import ModelSpec

__all__ = ["load_checkpoint", "unreadable_weights"]


def unreadable_weights(path: Path, spec: ModelSpec, err: BaseException, url: str, verb: str = "loaded") -> DataError:
    """The error for a weight file its loader could not read: names it, says to fetch it again."""
    return DataError(
        f"The weight file {path} of {spec.id!r} could not be {verb} ({type(err).__name__}: "
        f"{err}); delete it and fetch it again from {url}."
    )


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
        raise unreadable_weights(path, spec, err, spec.weights_url, verb="read") from err
