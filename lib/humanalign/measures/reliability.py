"""Brain data with repeated sessions: reliability, noise ceiling, category fit, partial correlation.

fMRI dissimilarity matrices come per person and session, shape (subjects, sessions, n, n).
How well a person's sessions agree (:func:`session_reliability`) says how much of a
matrix is signal; how well people agree (:func:`brain_noise_ceiling`, the bounds of Nili et
al. 2014 on each person's session mean) says how high any model, or behaviour, can be
expected to correlate with the brain. :func:`partial_spearman` asks whether two
representations share structure beyond a third (e.g. a network and behaviour, beyond IT).

All correlations are over the upper triangles (the diagonal left out); matrices are compared
by rank (Spearman) unless ``method="pearson"``.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from scipy.stats import rankdata

from .rsa_inference import _check_method, _check_stack, noise_ceiling_rsa, rsa_per_person, rsa_vectors

__all__ = ["brain_noise_ceiling", "category_model_fit", "partial_spearman", "session_reliability"]


def _check_sessions(rdms: object, min_sessions: int) -> np.ndarray:
    """(subjects, sessions, n, n) as float64, each matrix checked like a per-person stack."""
    arr = np.asarray(rdms, dtype=np.float64)
    if arr.ndim != 4:
        raise ValueError(
            f"rdms must have shape (subjects, sessions, n, n), got {arr.shape}; for one matrix per "
            "person use measures.noise_ceiling_rsa."
        )
    if arr.shape[1] < min_sessions:
        raise ValueError(f"rdms holds {arr.shape[1]} session(s) per person; this needs at least {min_sessions}.")
    _check_stack(arr.reshape(-1, *arr.shape[2:]), "rdms")
    return arr


def session_reliability(rdms: np.ndarray, method: str = "spearman") -> np.ndarray:
    """How well each person's sessions agree: the correlation between their session matrices.

    Args:
        rdms: (subjects, sessions, n, n) dissimilarity matrices, sessions >= 2.
        method: ``"spearman"`` (rank correlation) or ``"pearson"``.

    Returns:
        (subjects,) the correlation of the upper triangles of sessions 1 and 2; with more than
        two sessions, the mean over all pairs of sessions.

    Raises:
        ValueError: not a (subjects, sessions, n, n) stack of finite symmetric matrices with
            n >= 3, fewer than two sessions, an unknown method, or a constant matrix.
    """
    _check_method(method)
    arr = _check_sessions(rdms, min_sessions=2)
    rows, cols = np.triu_indices(arr.shape[2], k=1)
    vectors = arr[:, :, rows, cols]  # (subjects, sessions, pairs)
    pairs = list(combinations(range(arr.shape[1]), 2))
    return np.mean([rsa_vectors(vectors[:, a], vectors[:, b], method) for a, b in pairs], axis=0)


def brain_noise_ceiling(rdms: np.ndarray, method: str = "spearman") -> dict[str, np.ndarray | float]:
    """Noise ceiling across people, from each person's mean over sessions.

    Exactly :func:`~.rsa_inference.noise_ceiling_rsa` on the (subjects, n, n) session means:
    the lower bound correlates each person with the pooled matrix of the others (mean rank
    for Spearman), the upper bound with the pool of everyone.

    Args:
        rdms: (subjects, sessions, n, n) dissimilarity matrices, subjects >= 2.
        method: ``"spearman"`` or ``"pearson"``.

    Returns:
        ``lower``, ``upper`` (means over people) and ``lower_each``, ``upper_each`` ((subjects,)).
    """
    _check_method(method)
    return noise_ceiling_rsa(_check_sessions(rdms, min_sessions=1).mean(axis=1), method)


def category_model_fit(rdm_stack: np.ndarray, model_rdm: np.ndarray, method: str = "spearman") -> np.ndarray:
    """Correlation of each matrix of a stack with one model matrix (e.g. animate vs inanimate).

    Ties of a category model (all within-category pairs are 0, all others 1) get the mean
    rank, as in rsatoolbox's Spearman comparison.

    Args:
        rdm_stack: (..., n, n) dissimilarity matrices, e.g. (people, n, n) or (subjects,
            sessions, n, n).
        model_rdm: (n, n) model dissimilarity matrix.
        method: ``"spearman"`` or ``"pearson"``.

    Returns:
        Array of the stack's leading shape (``rdm_stack.shape[:-2]``), one correlation per matrix.
    """
    stack = np.asarray(rdm_stack, dtype=np.float64)
    if stack.ndim < 3:
        raise ValueError(f"rdm_stack must have shape (..., n, n) with at least one leading axis, got {stack.shape}.")
    return rsa_per_person(model_rdm, stack.reshape(-1, *stack.shape[-2:]), method).reshape(stack.shape[:-2])


def _as_rows(value: object, name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim not in (1, 2) or arr.shape[-1] < 4:
        raise ValueError(f"{name} must be a condensed vector (P,) or a stack (k, P) with P >= 4, got {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} holds NaN or infinite values.")
    return np.atleast_2d(arr)


def _residual_ranks(ranks: np.ndarray, basis: np.ndarray, name: str) -> np.ndarray:
    """Rows of ``ranks`` minus their least-squares fit on the orthonormal columns of ``basis``."""
    resid = ranks - (ranks @ basis) @ basis.T
    scale = np.linalg.norm(ranks - ranks.mean(axis=1, keepdims=True), axis=1)
    if np.any(np.linalg.norm(resid, axis=1) <= 1e-10 * np.maximum(scale, 1.0)):
        raise ValueError(f"{name} is constant or fully explained by z; the partial correlation is undefined.")
    return resid


def partial_spearman(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray | float:
    """Rank correlation of x and y with the ranks of z partialled out.

    The ranks of x and of y are each regressed on an intercept and the ranks of z; the
    result is the Pearson correlation of the two residuals. With one control this equals
    ``(r_xy - r_xz r_yz) / sqrt((1 - r_xz^2) (1 - r_yz^2))`` on Spearman correlations.

    Args:
        x: (P,) condensed vector (e.g. a model's upper triangle), or (k, P) to do k at once.
        y: (P,) condensed vector, or (k, P) paired row by row with ``x``.
        z: (P,) control vector, or (m, P) for m controls taken together.

    Returns:
        A float for 1-d ``x`` and ``y``, else (k,) partial correlations.

    Raises:
        ValueError: mismatched lengths, NaN, fewer than 4 entries, or x or y constant or
            fully explained by z.
    """
    single = np.ndim(x) == 1 and np.ndim(y) == 1
    xs, ys, zs = _as_rows(x, "x"), _as_rows(y, "y"), _as_rows(z, "z")
    lengths = {xs.shape[1], ys.shape[1], zs.shape[1]}
    if len(lengths) != 1:
        raise ValueError(f"x, y and z have lengths {xs.shape[1]}, {ys.shape[1]}, {zs.shape[1]}; they must match.")
    if len(xs) != len(ys) and 1 not in (len(xs), len(ys)):
        raise ValueError(f"x has {len(xs)} rows and y {len(ys)}; pair them row by row or pass one vector.")
    design = np.column_stack([np.ones(zs.shape[1]), rankdata(zs, axis=1).T])
    # An orthonormal basis of the controls' span; a constant or repeated control adds nothing.
    u, sv, _ = np.linalg.svd(design, full_matrices=False)
    basis = u[:, sv > sv[0] * 1e-10]
    rx = _residual_ranks(rankdata(xs, axis=1), basis, "x")
    ry = _residual_ranks(rankdata(ys, axis=1), basis, "y")
    rx, ry = np.broadcast_arrays(rx, ry)
    out = (rx * ry).sum(axis=1) / np.sqrt((rx * rx).sum(axis=1) * (ry * ry).sum(axis=1))
    return float(out[0]) if single else out
