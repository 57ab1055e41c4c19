"""Representational similarity analysis: model matrices against human matrices."""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from ..datasets.types import HumanMatrix
from ._checks import as_features

__all__ = ["rsa", "similarity_matrix", "upper_triangle"]

METRICS = ("cosine", "pearson")
METHODS = ("spearman", "pearson")


def similarity_matrix(features: np.ndarray, metric: str = "cosine") -> np.ndarray:
    """Object-by-object similarity of a representation.

    Args:
        features: (n, d) array, one row per object.
        metric: ``"cosine"`` (cosine similarity) or ``"pearson"`` (Pearson correlation of
            the rows; ``1 -`` this is the correlation distance used in RSA).

    Returns:
        (n, n) float64 symmetric similarity matrix.

    Raises:
        ValueError: unknown metric, invalid features, or a row without variation (zero norm
            for cosine, constant for Pearson), which has no defined similarity.
    """
    if metric not in METRICS:
        raise ValueError(f"Unknown metric {metric!r}; use one of {METRICS}.")
    x = as_features(features, min_rows=2)
    if metric == "pearson":
        x = x - x.mean(axis=1, keepdims=True)
    what = "all zeros" if metric == "cosine" else "constant"
    sim = cosine_similarity(x, f"features row {{row}} is {what}, so its {metric} similarity is undefined.")
    # Rounding can push the diagonal and near-duplicates a hair past 1.
    np.clip(sim, -1.0, 1.0, out=sim)
    return sim


def cosine_similarity(x: np.ndarray, zero_row: str) -> np.ndarray:
    """(n, n) cosine similarities of the rows of a checked (n, d) float array, not clipped.

    The one implementation behind :func:`similarity_matrix` and
    :func:`~.odd_one_out.object_similarity`.

    Args:
        x: (n, d) float64 array (checked by ``as_features``).
        zero_row: Message of the error for a row of zero norm, with ``{row}`` for its index.

    Raises:
        ValueError: a row has zero norm, so its cosine similarity is undefined.
    """
    norms = np.linalg.norm(x, axis=1)
    if np.any(norms == 0):
        raise ValueError(zero_row.format(row=int(np.flatnonzero(norms == 0)[0])))
    x = x / norms[:, None]
    return x @ x.T


def upper_triangle(matrix: np.ndarray) -> np.ndarray:
    """Entries above the diagonal of a square matrix, row by row: (n (n - 1) / 2,)."""
    m = np.asarray(matrix)
    rows, cols = np.triu_indices(m.shape[0], k=1)
    return m[rows, cols]


def _as_matrix(value: object, name: str) -> tuple[np.ndarray, str | None]:
    if isinstance(value, HumanMatrix):
        _check_symmetric(np.asarray(value.matrix, dtype=np.float64), name)
        return value.matrix, value.kind
    m = np.asarray(value, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {m.shape}.")
    if not np.all(np.isfinite(m)):
        raise ValueError(f"{name} holds NaN or infinite values.")
    _check_symmetric(m, name)
    return m, None


def _check_symmetric(m: np.ndarray, name: str) -> None:
    # Only the upper triangle is compared, so an asymmetric matrix would be half ignored.
    scale = max(float(np.abs(m).max()), 1.0)
    if not np.allclose(m, m.T, rtol=1e-7, atol=1e-9 * scale):
        i, j = np.unravel_index(int(np.argmax(np.abs(m - m.T))), m.shape)
        raise ValueError(
            f"{name} is not symmetric ([{i}, {j}] = {m[i, j]:.6g} but [{j}, {i}] = {m[j, i]:.6g}); "
            "RSA compares (dis)similarity matrices, which are symmetric. Average it with its "
            "transpose if the asymmetry is noise, or check the object order."
        )


def rsa(
    model_matrix: np.ndarray,
    human_matrix: np.ndarray | HumanMatrix,
    method: str = "spearman",
    model_kind: str = "similarity",
) -> float:
    """Correlation of two (dis)similarity matrices over their upper triangles.

    The diagonal is left out. When ``human_matrix`` is a :class:`HumanMatrix` its ``kind``
    is honoured: a model similarity matrix is compared with a human dissimilarity matrix
    after negating one of them, so a positive value always means agreement. Plain arrays
    are taken to be of the same kind as the model matrix.

    Args:
        model_matrix: (n, n) model similarity (or dissimilarity, see ``model_kind``).
        human_matrix: (n, n) array or :class:`HumanMatrix` in the same object order.
        method: ``"spearman"`` (rank correlation, the paper's choice) or ``"pearson"``.
        model_kind: ``"similarity"`` or ``"dissimilarity"``.

    Returns:
        Correlation coefficient in [-1, 1].

    Raises:
        ValueError: unknown method or kind, non-square or mismatched matrices, or a constant
            upper triangle.
    """
    if method not in METHODS:
        raise ValueError(f"Unknown RSA method {method!r}; use one of {METHODS}.")
    if model_kind not in ("similarity", "dissimilarity"):
        raise ValueError(f"model_kind must be 'similarity' or 'dissimilarity', not {model_kind!r}.")
    model, _ = _as_matrix(model_matrix, "model_matrix")
    human, human_kind = _as_matrix(human_matrix, "human_matrix")
    if model.shape != human.shape:
        raise ValueError(
            f"model matrix is {model.shape[0]} x {model.shape[0]} but the human matrix is "
            f"{human.shape[0]} x {human.shape[0]}; both must cover the same objects in the same order."
        )
    if model.shape[0] < 3:
        raise ValueError("RSA needs at least 3 objects (3 pairs).")
    a = upper_triangle(model)
    b = upper_triangle(human)
    if human_kind is not None and human_kind != model_kind:
        b = -b
    if method == "spearman":
        a, b = rankdata(a), rankdata(b)
    a = a - a.mean()
    b = b - b.mean()
    denom = np.sqrt((a @ a) * (b @ b))
    if denom == 0:
        raise ValueError("One of the matrices is constant above the diagonal; the correlation is undefined.")
    return float((a @ b) / denom)
