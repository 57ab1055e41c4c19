"""Zero-shot odd-one-out accuracy of a representation on triplets.

For a triplet the model judges the pair with the highest similarity most similar; the
remaining object is its odd one out. The similarities come from one (n, n) object matrix,
so the triplets are only index gathers into it, streamed in chunks to keep memory flat.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..datasets.types import Triplets
from ._checks import as_features, as_triplets
from .rsa import cosine_similarity

__all__ = [
    "CHUNK",
    "object_similarity",
    "odd_one_out_accuracy",
    "odd_one_out_choices",
    "odd_one_out_correct",
]

SIMILARITIES = ("cosine", "dot", "correlation", "euclidean")
#: Triplets per gather chunk: small enough that the chunk's temporaries stay in cache.
CHUNK = 1 << 16


def object_similarity(features: np.ndarray, similarity: str = "cosine") -> np.ndarray:
    """The (n, n) similarity matrix of all objects.

    Args:
        features: (n, d) array, one row per object.
        similarity: ``"cosine"``, ``"dot"`` (raw dot product), ``"correlation"`` (Pearson
            correlation of the rows: cosine of the rows centred on their own mean) or
            ``"euclidean"`` (minus the Euclidean distance).

    Returns:
        (n, n) float64 array.

    Raises:
        ValueError: unknown similarity, invalid features, or a zero row under ``"cosine"``
            (a constant row under ``"correlation"``).
    """
    if similarity not in SIMILARITIES:
        raise ValueError(f"Unknown similarity {similarity!r}; use one of {SIMILARITIES}.")
    x = as_features(features)
    if similarity == "dot":
        return x @ x.T
    if similarity == "euclidean":
        sq = np.einsum("ij,ij->i", x, x)
        return -np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * (x @ x.T), 0.0))
    if similarity == "correlation":
        x = x - x.mean(axis=1, keepdims=True)
    # Not clipped to [-1, 1] as similarity_matrix is: the choices compare raw values.
    return cosine_similarity(
        x, "features row {row} is " + ("constant" if similarity == "correlation" else "all zeros")
        + ", so its " + similarity + " similarity is undefined; use similarity='dot' or drop the row."
    )


def _choices_from_matrix(sim: np.ndarray, idx: np.ndarray, chunk: int | None = None) -> np.ndarray:
    n = sim.shape[0]
    chunk = chunk or CHUNK
    flat = sim.ravel()
    # 32-bit flat indices halve the memory traffic of the gathers when they fit.
    itype = np.int32 if n * n < 2**31 else np.int64
    out = np.empty(len(idx), dtype=np.int8)
    for start in range(0, len(idx), chunk):
        part = idx[start:start + chunk].astype(itype)
        a, b, c = part[:, 0], part[:, 1], part[:, 2]
        a_row = a * n
        # Similarity of the pair that leaves out position k: (b, c), (a, c), (a, b).
        s_ab = flat.take(a_row + b)
        s_ac = flat.take(a_row + c)
        s_bc = flat.take(b * n + c)
        choice = np.full(len(part), -1, dtype=np.int8)
        choice[(s_ab > s_ac) & (s_ab > s_bc)] = 2
        choice[(s_ac > s_ab) & (s_ac > s_bc)] = 1
        choice[(s_bc > s_ab) & (s_bc > s_ac)] = 0
        out[start:start + len(part)] = choice
    return out


def odd_one_out_choices(
    features: np.ndarray, triplets: np.ndarray | Triplets, similarity: str = "cosine"
) -> np.ndarray:
    """The model's odd one out for each triplet, as a position in the triplet.

    Args:
        features: (n, d) array, one row per object.
        triplets: (N, 3) 0-based object indices (odd one out last) or :class:`Triplets`.
        similarity: ``"cosine"`` (the paper's default), ``"dot"``, ``"correlation"`` or
            ``"euclidean"`` (:func:`object_similarity`).

    Returns:
        (N,) int8 array: 0, 1 or 2 is the column of the model's odd one out; -1 when the
        highest pairwise similarity is shared by two pairs (a tie, no unique choice).
    """
    sim = object_similarity(features, similarity)
    return _choices_from_matrix(sim, as_triplets(triplets, sim.shape[0]))


def odd_one_out_correct(
    features: np.ndarray, triplets: np.ndarray | Triplets, similarity: str = "cosine"
) -> np.ndarray:
    """Per-triplet agreement of the model's odd one out with the human's.

    Args:
        features: (n, d) array, one row per object.
        triplets: (N, 3) 0-based object indices with the human's odd one out last, or
            :class:`Triplets`.
        similarity: One of :func:`object_similarity`'s.

    Returns:
        (N,) bool array; ties count as wrong.
    """
    return odd_one_out_choices(features, triplets, similarity) == 2


def odd_one_out_accuracy(
    features: np.ndarray, triplets: np.ndarray | Triplets, similarity: str = "cosine"
) -> float:
    """Share of triplets where the model's odd one out is the human's (ties count as wrong).

    Args:
        features: (n, d) array, one row per object.
        triplets: (N, 3) 0-based object indices with the human's odd one out last, or
            :class:`Triplets`.
        similarity: ``"cosine"`` (the paper's default), ``"dot"``, ``"correlation"`` or
            ``"euclidean"`` (:func:`object_similarity`).

    Returns:
        Accuracy in [0, 1]; chance is 1/3.

    Raises:
        ValueError: no triplets, or every triplet a tie (the features do not tell the
            objects apart, e.g. constant rows), where an accuracy of 0 would be meaningless.

    Warns:
        UserWarning: some triplets are ties; the message gives their number.
    """
    choices = odd_one_out_choices(features, triplets, similarity)
    if len(choices) == 0:
        raise ValueError("No triplets given; accuracy is undefined.")
    ties = int((choices == -1).sum())
    if ties == len(choices):
        raise ValueError(
            f"Every one of the {ties} triplets is a tie under {similarity} similarity: the "
            "features do not tell the objects apart (constant or duplicated rows?). Check the "
            "feature extraction."
        )
    if ties:
        warnings.warn(
            f"{ties} of {len(choices)} triplets ({ties / len(choices):.1%}) are ties under "
            f"{similarity} similarity and count as wrong.", UserWarning, stacklevel=2,
        )
    return float((choices == 2).mean())
