"""Repeated real choices: triplets that many people answered.

The THINGS noise-ceiling set holds about 20 answers to each of 1000 distinct triplets, given
by 325 people, each of whom answered several triplets. Two units were sampled: the triplets
(from all possible triplets of the concepts) and the people (from all people), and they are
crossed, so an interval must resample both. :func:`crossed_bootstrap` draws the distinct
triplets and the people with replacement in every resample and weights each answer by the
product of how often its triplet and its person were drawn (the bootstrap of crossed random
effects; Owen 2007, "The pigeonhole bootstrap", Annals of Applied Statistics 1(2):386-411). The
draws depend only on the seed and on the numbers of triplets and people, so every model
scored on the same answers shares them: differences between models are paired.

:func:`trial_folds` builds object-wise folds for a probe evaluated on such answers: each
distinct triplet belongs to one fold, whose held-out objects include all three of its
objects, so the probe that scores an answer never saw any of its objects.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

__all__ = ["crossed_bootstrap", "crossed_weights", "modal_agreement", "modal_triplets", "trial_folds", "trial_units"]

# Resamples weighted per block: bounds memory to about _MAX_CELLS float64 weights (64 MB).
_MAX_CELLS = 8_000_000


def trial_units(triplet_id: np.ndarray, person: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, int]:
    """The answers' triplet and person as dense indices ``0 .. T-1`` and ``0 .. P-1``.

    Returns:
        ``(triplet, person, T, P)``.

    Raises:
        ValueError: the two arrays are not (N,) of equal length, or are empty.
    """
    t = np.asarray(triplet_id).reshape(-1)
    p = np.asarray(person).reshape(-1)
    if len(t) == 0 or t.shape != p.shape:
        raise ValueError(f"triplet_id {np.shape(triplet_id)} and person {np.shape(person)} must be (N,) arrays of "
                         "one answer each.")
    _, t = np.unique(t, return_inverse=True)
    _, p = np.unique(p, return_inverse=True)
    return t.ravel(), p.ravel(), int(t.max()) + 1, int(p.max()) + 1


def crossed_weights(triplet_id: np.ndarray, person: np.ndarray, n_boot: int = 1000, seed: int = 0
                    ) -> Iterator[tuple[int, np.ndarray]]:
    """The weight of every answer in every resample, in blocks of resamples.

    Each resample draws the T distinct triplets and the P people with replacement; an
    answer weighs (times its triplet was drawn) x (times its person was drawn).

    Yields:
        ``(start, weights)``: the (m, N) weights of resamples ``start .. start + m - 1``.
    """
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}.")
    t, p, n_t, n_p = trial_units(triplet_id, person)
    rng = np.random.default_rng(seed)
    step = max(1, _MAX_CELLS // len(t))
    for start in range(0, int(n_boot), step):
        m = min(step, int(n_boot) - start)
        # Triplets first, then people, row after row: the draws of a resample do not depend
        # on the block size.
        counts = [(rng.multinomial(n_t, np.full(n_t, 1.0 / n_t)), rng.multinomial(n_p, np.full(n_p, 1.0 / n_p)))
                  for _ in range(m)]
        ct = np.stack([c[0] for c in counts]).astype(np.float64)
        cp = np.stack([c[1] for c in counts]).astype(np.float64)
        yield start, ct[:, t] * cp[:, p]


def crossed_bootstrap(values: np.ndarray, triplet_id: np.ndarray, person: np.ndarray, n_boot: int = 1000,
                      seed: int = 0, labels: np.ndarray | None = None, n_labels: int | None = None) -> np.ndarray:
    """Mean of per-answer values with triplets and people resampled together.

    Args:
        values: (N,) or (N, k) values in [0, 1] (e.g. 0/1 correctness of k models), one row
            per answer.
        triplet_id: (N,) the distinct triplet of each answer.
        person: (N,) who gave it.
        n_boot: Number of resamples.
        seed: Seed of the draws (which depend on it and on the units only).
        labels: Optional (N,) group of each answer (e.g. a concept dimension): means are then
            taken per group.
        n_labels: Number of groups (default: the largest label + 1).

    Returns:
        (n_boot,) or (n_boot, k), or with ``labels`` (n_boot, k, n_labels) (the k axis
        dropped for 1-d input). A resample that leaves a group without weight gives NaN.

    Raises:
        ValueError: mismatched shapes, values outside [0, 1], bad labels or ``n_boot < 1``.
    """
    arr = np.asarray(values, dtype=np.float64)
    flat = arr.ndim == 1
    arr = arr[:, None] if flat else arr
    if arr.ndim != 2 or len(arr) == 0 or len(arr) != len(np.asarray(triplet_id).reshape(-1)):
        raise ValueError(f"values has shape {np.shape(values)}; expected one row per answer "
                         f"({len(np.asarray(triplet_id).reshape(-1))}).")
    if not (np.all(np.isfinite(arr)) and arr.min() >= 0 and arr.max() <= 1):
        raise ValueError("values must hold booleans or numbers in [0, 1].")
    groups = None
    if labels is not None:
        lab = np.asarray(labels)
        if lab.shape != (len(arr),) or not np.issubdtype(lab.dtype, np.integer) or (len(lab) and lab.min() < 0):
            raise ValueError(f"labels must be ({len(arr)},) non-negative integers, got shape {lab.shape}.")
        n_labels = int(lab.max()) + 1 if n_labels is None else int(n_labels)
        groups = [np.flatnonzero(lab == g) for g in range(n_labels)]
    out = np.empty((int(n_boot), arr.shape[1]) + ((n_labels,) if groups is not None else ()))
    with np.errstate(invalid="ignore", divide="ignore"):
        for start, w in crossed_weights(triplet_id, person, n_boot, seed):
            m = len(w)
            if groups is None:
                out[start:start + m] = (w @ arr) / w.sum(axis=1, keepdims=True)
            else:
                for g, rows in enumerate(groups):
                    wg = w[:, rows]
                    out[start:start + m, :, g] = (wg @ arr[rows]) / wg.sum(axis=1, keepdims=True)
    return out[:, 0] if flat else out


def trial_folds(n_objects: int, trials: np.ndarray, triplet_id: np.ndarray, n_folds: int = 3,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Object-wise folds in which every distinct triplet of real answers is held out whole.

    The distinct triplets are dealt to ``n_folds`` folds at random (seeded, as evenly as
    possible); a fold holds out every object of its triplets. Triplets share objects, so the
    held-out sets overlap: an object is held out by each fold that has one of its triplets,
    and trains the others. Objects in no triplet are never held out.

    Args:
        n_objects: Number of objects (rows of the features).
        trials: (N, 3) object indices of the answers.
        triplet_id: (N,) the distinct triplet of each answer.

    Returns:
        ``(masks, fold)``: (n_folds, n_objects) bool held-out objects, and (N,) the fold of
        each answer.

    Raises:
        ValueError: fewer than 2 folds, fewer distinct triplets than folds, or indices
            outside ``0 .. n_objects - 1``.
    """
    idx = np.asarray(trials, dtype=np.int64)
    tid = np.asarray(triplet_id).reshape(-1)
    if isinstance(n_folds, bool) or int(n_folds) < 2:
        raise ValueError(f"n_folds must be at least 2, got {n_folds!r}.")
    if idx.ndim != 2 or idx.shape[1] != 3 or idx.shape[0] != len(tid):
        raise ValueError(f"trials {idx.shape} and triplet_id {tid.shape} must be (N, 3) and (N,).")
    if len(idx) and (idx.min() < 0 or idx.max() >= n_objects):
        raise ValueError(f"trials hold object indices outside 0 .. {n_objects - 1}.")
    _, dense = np.unique(tid, return_inverse=True)
    dense = dense.ravel()
    n_distinct = int(dense.max()) + 1 if len(dense) else 0
    if n_distinct < n_folds:
        raise ValueError(f"{n_distinct} distinct triplets cannot fill {n_folds} folds.")
    order = np.random.default_rng(seed).permutation(n_distinct)
    fold_of = np.empty(n_distinct, dtype=np.int64)
    fold_of[order] = np.arange(n_distinct) % n_folds
    fold = fold_of[dense]
    masks = np.zeros((int(n_folds), n_objects), dtype=bool)
    for f in range(int(n_folds)):
        masks[f, np.unique(idx[fold == f])] = True
    return masks, fold


def modal_triplets(trials: np.ndarray, triplet_id: np.ndarray) -> np.ndarray:
    """Each distinct triplet with its most frequent answer: (T, 3), odd one out last.

    Row ``t`` is triplet ``t`` of ``triplet_id`` (ids ``0 .. T-1``); the two kept objects
    come in ascending order. Where two answers are equally frequent, the one naming the
    smaller object index is taken, so the result does not depend on the order of answers.

    Args:
        trials: (N, 3) answers, each person's odd one out last.
        triplet_id: (N,) ids ``0 .. T-1`` of the distinct triplets.
    """
    idx = np.asarray(trials, dtype=np.int64)
    tid = np.asarray(triplet_id, dtype=np.int64).reshape(-1)
    if idx.ndim != 2 or idx.shape[1] != 3 or len(idx) != len(tid) or len(idx) == 0:
        raise ValueError(f"trials {idx.shape} and triplet_id {tid.shape} must be (N, 3) and (N,), N > 0.")
    n_t = int(tid.max()) + 1
    objects = np.zeros((n_t, 3), dtype=np.int64)
    objects[tid] = np.sort(idx, axis=1)
    # Votes for each of the triplet's three objects as the odd one out.
    slot = np.argmax(objects[tid] == idx[:, 2:3], axis=1)
    votes = np.zeros((n_t, 3), dtype=np.int64)
    np.add.at(votes, (tid, slot), 1)
    odd_slot = np.argmax(votes, axis=1)  # first (smallest object) among equal counts
    keep = np.array([[1, 2, 0], [0, 2, 1], [0, 1, 2]])[odd_slot]
    return np.take_along_axis(objects, keep, axis=1)


def modal_agreement(trials: np.ndarray, triplet_id: np.ndarray) -> np.ndarray:
    """(N,) bool: each answer names its triplet's most frequent odd one out
    (:func:`modal_triplets`). Its mean is the noise ceiling of
    :func:`humanalign.measures.noise_ceiling`; as a per-answer value it can be resampled like
    a model's correctness, with the most frequent answers held at their values in all the
    data (finding them anew in each resample would inflate the ceiling, since a person drawn
    twice agrees with themself)."""
    modal = modal_triplets(trials, triplet_id)
    return np.asarray(trials)[:, 2] == modal[np.asarray(triplet_id).reshape(-1), 2]
