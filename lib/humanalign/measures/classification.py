"""Top-1 accuracy of a classifier, from its logits and the true labels."""

from __future__ import annotations

import numpy as np

__all__ = ["top1_accuracy"]


def top1_accuracy(logits: object, labels: object) -> float:
    """Share of rows whose arg-max logit is the row's label.

    Raises:
        ValueError: logits not 2-D, labels not one whole number per row, or a label outside
            ``0 .. classes - 1``.
    """
    scores = np.asarray(logits)
    truth = np.asarray(labels)
    if scores.ndim != 2 or scores.shape[0] == 0:
        raise ValueError(f"logits must be a non-empty 2-D array (images x classes), got shape {scores.shape}.")
    if truth.shape != (scores.shape[0],) or truth.dtype.kind not in "iu":
        raise ValueError(f"labels must be {scores.shape[0]} whole numbers, one per row of logits; got shape "
                         f"{truth.shape} of {truth.dtype}.")
    if truth.min() < 0 or truth.max() >= scores.shape[1]:
        raise ValueError(f"labels must lie in 0 .. {scores.shape[1] - 1} (the logits' classes); got "
                         f"{int(truth.min())} .. {int(truth.max())}.")
    return float(np.mean(scores.argmax(axis=1) == truth))
