"""RSA against several people: per-person scores, the noise ceiling and bootstrap intervals.

With one dissimilarity matrix per person, a model can be judged against each person and the
scores averaged (how the RSA literature compares models with a ceiling), or against the
group's mean matrix. The **noise ceiling** (Nili et al. 2014, *PLoS Comput Biol*) bounds the
first: its lower bound is each person's correlation with the pooled matrix of the *other*
people (no model can be expected to do better than the group predicts a new person), its
upper bound each person's correlation with the pooled matrix of *all* people (which
includes that person). For Spearman correlation the people's matrices are pooled as the
mean of their ranks, the matrix that best fits everyone under a rank correlation; for
Pearson, as the mean of their z-scored entries. This follows rsatoolbox's
``boot_noise_ceiling`` (a test checks that both agree).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from .rsa import METHODS, similarity_matrix, upper_triangle

__all__ = ["model_rdm", "noise_ceiling_rsa", "rsa_per_person", "rsa_image_bootstrap", "rsa_vectors"]


def model_rdm(features: np.ndarray, metric: str = "cosine") -> np.ndarray:
    """Model dissimilarity matrix: ``1 - similarity`` (cosine, or Pearson correlation
    distance), or the Euclidean distance.

    Args:
        features: (n, d) array, one row per image.
        metric: ``"cosine"``, ``"pearson"`` or ``"euclidean"``.

    Returns:
        (n, n) float64, zero diagonal.
    """
    if metric == "euclidean":
        x = np.asarray(features, dtype=np.float64)
        sq = np.einsum("ij,ij->i", x, x)
        rdm = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * (x @ x.T), 0.0))
        rdm = (rdm + rdm.T) / 2
        np.fill_diagonal(rdm, 0.0)
        return rdm
    rdm = 1.0 - similarity_matrix(features, metric)
    np.fill_diagonal(rdm, 0.0)
    return rdm


def _check_stack(rdms: np.ndarray, name: str, min_people: int = 1) -> np.ndarray:
    arr = np.asarray(rdms, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[1] != arr.shape[2] or arr.shape[1] < 3:
        raise ValueError(f"{name} must have shape (people, n, n) with n >= 3, got {arr.shape}.")
    if arr.shape[0] < min_people:
        raise ValueError(f"{name} holds {arr.shape[0]} matrices; this needs at least {min_people}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} holds NaN or infinite values.")
    if not np.allclose(arr, arr.transpose(0, 2, 1), rtol=0, atol=1e-9):
        raise ValueError(f"{name} holds a matrix that is not symmetric; pass dissimilarity matrices.")
    return arr


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"Unknown RSA method {method!r}; use one of {METHODS}.")


def rsa_vectors(a: np.ndarray, b: np.ndarray, method: str = "spearman") -> np.ndarray:
    """Row-wise correlation of condensed (dis)similarity vectors.

    Args:
        a: (k, P) or (P,) vectors.
        b: (P,) vector, or (k, P) to pair row by row.
        method: ``"spearman"`` or ``"pearson"``.

    Returns:
        (k,) correlations (a 0-d array for 1-d input).

    Raises:
        ValueError: unknown method, mismatched lengths, or a constant vector.
    """
    _check_method(method)
    a = np.atleast_2d(np.asarray(a, dtype=np.float64))
    b = np.atleast_2d(np.asarray(b, dtype=np.float64))
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"vectors of length {a.shape[1]} and {b.shape[1]} cannot be correlated.")
    if method == "spearman":
        a, b = rankdata(a, axis=1), rankdata(b, axis=1)
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    denom = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    if np.any(denom == 0):
        raise ValueError("a (dis)similarity vector is constant; its correlation is undefined.")
    return (a * b).sum(axis=1) / denom


def _pool(vectors: np.ndarray, method: str) -> np.ndarray:
    """The group matrix (condensed) that best fits everyone under ``method``."""
    if method == "spearman":
        vectors = rankdata(vectors, axis=1)
    else:
        vectors = vectors - vectors.mean(axis=1, keepdims=True)
        vectors = vectors / vectors.std(axis=1, keepdims=True)
    return vectors.mean(axis=0)


def noise_ceiling_rsa(rdms: np.ndarray, method: str = "spearman") -> dict[str, np.ndarray | float]:
    """Lower and upper bound of the noise ceiling from each person's matrix.

    Args:
        rdms: (p, n, n) dissimilarity matrices, one per person, p >= 2.
        method: ``"spearman"`` (pooling by mean rank) or ``"pearson"`` (mean of z-scores).

    Returns:
        ``lower``, ``upper`` (means over people) and ``lower_each``, ``upper_each`` ((p,)
        per-person values).
    """
    _check_method(method)
    stack = _check_stack(rdms, "rdms", min_people=2)
    vectors = np.stack([upper_triangle(m) for m in stack])
    all_pooled = _pool(vectors, method)
    lower = np.empty(len(vectors))
    for i in range(len(vectors)):
        others = np.delete(vectors, i, axis=0)
        lower[i] = rsa_vectors(vectors[i], _pool(others, method), method)[0]
    upper = rsa_vectors(vectors, all_pooled, method)
    return {"lower": float(lower.mean()), "upper": float(upper.mean()), "lower_each": lower, "upper_each": upper}


def rsa_per_person(model_rdms: np.ndarray, rdms: np.ndarray, method: str = "spearman") -> np.ndarray:
    """Correlation of each model matrix with each person's matrix.

    Args:
        model_rdms: (k, n, n) or (n, n) model dissimilarity matrices.
        rdms: (p, n, n) people's dissimilarity matrices.

    Returns:
        (k, p) correlations ((p,) for a single model); average over axis -1 for the score
        that the noise ceiling bounds.
    """
    arr = np.asarray(model_rdms, dtype=np.float64)
    single = arr.ndim == 2
    models = _check_stack(arr[None] if single else arr, "model_rdms")
    people = _check_stack(rdms, "rdms")
    if models.shape[1:] != people.shape[1:]:
        raise ValueError(f"model matrices are {models.shape[1:]} but people's are {people.shape[1:]}.")
    mv = np.stack([upper_triangle(m) for m in models])
    pv = np.stack([upper_triangle(m) for m in people])
    out = np.stack([rsa_vectors(pv, m, method) for m in mv])
    return out[0] if single else out


def rsa_image_bootstrap(
    model_rdms: np.ndarray,
    human_rdm: np.ndarray,
    n_boot: int = 1000,
    seed: int = 0,
    method: str = "spearman",
) -> np.ndarray:
    """Bootstrap over images: RSA of every model on the same resampled image sets.

    Each resample draws ``n`` images with replacement and keeps the pairs of two different
    images (a pair of an image with its own copy has no dissimilarity to compare), as
    rsatoolbox's pattern bootstrap does. All models share each resample, so differences
    between models (or before and after a transform) can be read off paired.

    Args:
        model_rdms: (k, n, n) model dissimilarity matrices.
        human_rdm: (n, n) human dissimilarity matrix.
        n_boot: Number of resamples.
        seed: Seed of the resampling.
        method: ``"spearman"`` or ``"pearson"``.

    Returns:
        (n_boot, k) correlations.
    """
    _check_method(method)
    models = _check_stack(model_rdms, "model_rdms")
    human = _check_stack(np.asarray(human_rdm)[None], "human_rdm")[0]
    n = human.shape[0]
    if models.shape[1] != n:
        raise ValueError(f"model matrices cover {models.shape[1]} images but the human matrix {n}.")
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}.")
    rng = np.random.default_rng(seed)
    rows, cols = np.triu_indices(n, k=1)
    out = np.empty((int(n_boot), len(models)))
    for b in range(int(n_boot)):
        idx = rng.integers(0, n, size=n)
        keep = idx[rows] != idx[cols]
        ia, ib = idx[rows][keep], idx[cols][keep]
        out[b] = rsa_vectors(models[:, ia, ib], human[ia, ib], method)
    return out
