"""Transfer of a THINGS probe to another data set, judged by RSA."""

from __future__ import annotations

import numpy as np

from ..datasets.types import HumanMatrix
from .probe_transform import ProbeTransform
from .rsa import rsa, similarity_matrix

__all__ = ["transfer_rsa"]


def transfer_rsa(
    features: np.ndarray,
    transform: ProbeTransform,
    human: HumanMatrix,
    metric: str = "cosine",
    method: str = "spearman",
) -> dict[str, float]:
    """RSA of a representation before and after applying a probe fitted on THINGS.

    The features are standardised with the THINGS mean and standard deviation stored in
    the transform (not their own), then transformed; both the raw and the transformed
    representation are compared with the human matrix.

    Args:
        features: (n, p) raw features of the other data set's images, rows in the order of
            ``human.ids``.
        transform: Probe fitted on THINGS features of the same model and layer.
        human: The other data set's human (dis)similarity matrix, (n, n).
        metric: Model similarity, ``"cosine"`` or ``"pearson"``.
        method: ``"spearman"`` (default) or ``"pearson"``.

    Returns:
        ``{"zero_shot": rho, "transformed": rho}``.

    Raises:
        ValueError: the features do not match the human matrix or the probe.
    """
    x = np.asarray(features)
    if x.ndim != 2 or x.shape[0] != len(human.ids):
        raise ValueError(
            f"features have shape {x.shape} but the human matrix {human.source!r} covers "
            f"{len(human.ids)} stimuli; pass one feature row per stimulus, in its order."
        )
    raw = rsa(similarity_matrix(x, metric), human, method=method)
    moved = rsa(similarity_matrix(transform.apply(x), metric), human, method=method)
    return {"zero_shot": raw, "transformed": moved}
