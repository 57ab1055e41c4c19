"""A fitted linear probe as a transform of features, and its file layout.

A probe standardises features with one global mean and one global standard deviation
(scalars), then transforms them, ``Z = X W (+ b)``. :func:`standardise` is that first step;
:class:`ProbeTransform` carries both steps and reads and writes them in the ``.npz`` layout
that thingsvision reads for alignment transforms.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._atomic import atomic_path
from ..errors import DataError
from ._checks import as_features

__all__ = ["ProbeTransform", "standardise"]


@dataclass(frozen=True, eq=False)
class ProbeTransform:
    """A fitted probe: ``((x - mean) / std) @ weights + bias``.

    Attributes:
        weights: (p, p) float array.
        bias: (p,) float array, or ``None`` for a probe without bias.
        mean: Global scalar mean of the features the probe was fitted on.
        std: Global scalar standard deviation of those features.
    """

    weights: np.ndarray
    bias: np.ndarray | None
    mean: float
    std: float

    def __post_init__(self) -> None:
        w = np.asarray(self.weights, dtype=np.float64)
        if w.ndim != 2:
            raise ValueError(f"probe weights must be a matrix, got shape {w.shape}.")
        if self.bias is not None and np.shape(self.bias) != (w.shape[1],):
            raise ValueError(f"probe bias has shape {np.shape(self.bias)}; expected ({w.shape[1]},).")
        if not (np.isfinite(self.std) and self.std > 0 and np.isfinite(self.mean)):
            raise ValueError(f"probe std must be positive and finite (mean {self.mean}, std {self.std}).")
        object.__setattr__(self, "weights", w)
        if self.bias is not None:
            object.__setattr__(self, "bias", np.asarray(self.bias, dtype=np.float64))

    @property
    def dim(self) -> int:
        """Input dimension p of the features the probe applies to."""
        return self.weights.shape[0]

    def apply(self, features: np.ndarray) -> np.ndarray:
        """Transform features of the kind the probe was fitted on.

        Args:
            features: (n, p) raw features (the probe standardises them itself).

        Returns:
            (n, p_out) transformed features.
        """
        x = as_features(features, min_rows=1)
        if x.shape[1] != self.dim:
            raise ValueError(
                f"features have {x.shape[1]} dimensions but the probe expects {self.dim}; "
                "apply it to features of the same model and layer it was fitted on."
            )
        z = ((x - self.mean) / self.std) @ self.weights
        return z + self.bias if self.bias is not None else z

    def save_npz(self, path: str | os.PathLike) -> Path:
        """Write the probe in the layout thingsvision reads for alignment transforms.

        Keys: ``weights`` (p, p), ``bias`` (p,) (zeros for a probe without bias), ``mean``
        and ``std`` (scalars). Written atomically.
        """
        path = Path(path)
        bias = self.bias if self.bias is not None else np.zeros(self.weights.shape[1])
        with atomic_path(path, suffix=".tmp.npz") as tmp:
            np.savez(tmp, weights=self.weights, bias=bias, mean=np.float64(self.mean), std=np.float64(self.std))
        return path

    @classmethod
    def load_npz(cls, path: str | os.PathLike) -> "ProbeTransform":
        """Read a probe written by :meth:`save_npz` (or a thingsvision transform file)."""
        path = Path(path)
        try:
            with np.load(path) as data:
                missing = {"weights", "mean", "std"} - set(data.files)
                if missing:
                    raise DataError(f"{path}: keys {sorted(missing)} are missing; not a probe transform file.")
                bias = np.asarray(data["bias"]) if "bias" in data.files else None
                return cls(
                    weights=np.asarray(data["weights"]),
                    bias=bias,
                    mean=float(np.asarray(data["mean"]).reshape(-1)[0]),
                    std=float(np.asarray(data["std"]).reshape(-1)[0]),
                )
        except (OSError, ValueError) as err:
            raise DataError(f"Could not read the probe transform {path}: {err}") from err


def standardise(features: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Subtract one global mean and divide by one global standard deviation.

    Args:
        features: (n, p) array.

    Returns:
        ``(standardised (n, p), mean, std)``.

    Raises:
        ValueError: the features are constant (standard deviation 0).
    """
    x = as_features(features, min_rows=1)
    mean, std = float(x.mean()), float(x.std())
    if not std > 0:
        raise ValueError("features are constant (standard deviation 0); there is nothing to probe.")
    return (x - mean) / std, mean, std
