"""Classification accuracy of a model's own outputs."""

from __future__ import annotations

import numpy as np

from ._checks import as_features

__all__ = ["top1_accuracy"]


def top1_accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Share of rows whose highest logit is their label.

    Args:
        logits: (n, k) class scores, one row per image (ties go to the lowest class index,
            as in :func:`numpy.argmax`).
        labels: (n,) integer class indices in ``0 .. k - 1``.

    Returns:
        Top-1 accuracy, a fraction in [0, 1].

    Raises:
        ValueError: ``logits`` is not a finite, non-empty (n, k) array; ``labels`` does not
            hold n integers; or a label is outside ``0 .. k - 1`` (the message names it).
    """
    scores = as_features(logits, name="logits", min_rows=1)
    n, k = scores.shape
    classes = np.asarray(labels)
    if classes.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), one per row of the logits, got shape {classes.shape}.")
    if classes.dtype.kind not in "iu":
        raise ValueError(f"labels must be integer class indices, got dtype {classes.dtype}.")
    outside = np.flatnonzero((classes < 0) | (classes >= k))
    if outside.size:
        row = int(outside[0])
        raise ValueError(
            f"label {classes[row]} (row {row}) is not a class of the {k} logits; labels must lie in "
            f"0 .. {k - 1} and index the same classes as the logits' columns."
        )
    return float(np.mean(scores.argmax(axis=1) == classes))
