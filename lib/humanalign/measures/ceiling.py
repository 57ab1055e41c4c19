"""Noise ceiling: how well people predict each other on repeated triplets."""

from __future__ import annotations

import numpy as np

from ..datasets.types import Triplets

__all__ = ["noise_ceiling", "triplet_groups"]

VARIANTS = ("modal", "leave_one_out")


def triplet_groups(trials: np.ndarray) -> np.ndarray:
    """Index of the distinct triplet (same three objects, any order) of each trial.

    Args:
        trials: (N, 3) object indices.

    Returns:
        (N,) int64 ids in ``0 .. n_distinct - 1``.
    """
    _, ids = np.unique(np.sort(np.asarray(trials), axis=1), axis=0, return_inverse=True)
    return ids.ravel().astype(np.int64)


def noise_ceiling(
    trials: np.ndarray | Triplets,
    triplet_id: np.ndarray | None = None,
    variant: str = "modal",
) -> float:
    """Agreement of individual answers with the most frequent answer to the same triplet.

    ``variant="modal"`` predicts every answer by the modal answer of all answers to that
    triplet, the answer itself included; on the THINGS 20k-trial set this reproduces the
    published 67.22 % (we get 67.20 %). ``"leave_one_out"`` predicts each answer from the
    other answers only (ties among modal answers are split evenly), a stricter ceiling that
    is lower (64.4 % on the same set).

    Args:
        trials: (N, 3) object indices with each person's odd one out last, or
            :class:`Triplets`.
        triplet_id: (N,) id of the distinct triplet of each trial; derived from the sets
            of objects when ``None``.
        variant: ``"modal"`` or ``"leave_one_out"``.

    Returns:
        The ceiling in [0, 1].

    Raises:
        ValueError: malformed trials, mismatched ids or an unknown variant.
    """
    if variant not in VARIANTS:
        raise ValueError(f"Unknown noise-ceiling variant {variant!r}; use one of {VARIANTS}.")
    idx = trials.indices if isinstance(trials, Triplets) else np.asarray(trials)
    if idx.ndim != 2 or idx.shape[1] != 3 or len(idx) == 0:
        raise ValueError(f"trials must be a non-empty (N, 3) array, got shape {idx.shape}.")
    idx = _checked_trials(idx)
    groups = triplet_groups(idx) if triplet_id is None else _checked_groups(idx, triplet_id)
    if np.bincount(groups).max() < 2:
        raise ValueError(
            f"None of the {len(idx)} triplets was answered more than once, so people cannot be "
            "compared with each other: the noise ceiling needs repeated triplets (the THINGS "
            "noise-ceiling set answers each of 1000 triplets about 20 times)."
        )
    # Count each (triplet, chosen odd object) answer.
    _, answer, counts = np.unique(
        np.stack([groups, idx[:, 2]], axis=1), axis=0, return_inverse=True, return_counts=True
    )
    answer = answer.ravel()
    answer_group = np.zeros(len(counts), dtype=np.int64)
    answer_group[answer] = groups
    top = np.zeros(groups.max() + 1, dtype=np.int64)
    np.maximum.at(top, answer_group, counts)
    if variant == "modal":
        # Predicting every answer by one modal answer gets the modal count right per triplet.
        return float(top.sum() / len(idx))
    return _leave_one_out(groups, answer, counts, answer_group, top)


def _checked_groups(idx: np.ndarray, triplet_id: np.ndarray) -> np.ndarray:
    """Group ids ``0 .. n_distinct - 1`` from given triplet ids, checked against the trials."""
    ids = np.asarray(triplet_id)
    if ids.dtype.kind == "f" and not np.all(np.isfinite(ids)):
        raise ValueError("triplet_id holds NaN or infinite values; give every trial the id of its triplet.")
    if ids.dtype.kind not in "iufUSO":
        raise ValueError(f"triplet_id must hold integers or strings, got dtype {ids.dtype}.")
    if ids.shape != (len(idx),):
        raise ValueError(f"triplet_id has shape {ids.shape}; expected ({len(idx)},), one per trial.")
    _, groups = np.unique(ids, return_inverse=True)
    sets = np.sort(idx, axis=1)
    first = np.zeros(groups.max() + 1, dtype=np.int64)
    first[groups[::-1]] = np.arange(len(groups))[::-1]
    if np.any(sets != sets[first[groups]]):
        bad = int(np.flatnonzero((sets != sets[first[groups]]).any(1))[0])
        raise ValueError(
            f"trial {bad} has triplet_id {triplet_id[bad]!r} but different objects than the "
            "first trial with that id; the ids do not match the triplets."
        )
    return groups


def _leave_one_out(
    groups: np.ndarray, answer: np.ndarray, counts: np.ndarray, answer_group: np.ndarray, top: np.ndarray
) -> float:
    """Share of trials whose answer is among the modal answers of the other trials of its triplet.

    Args:
        groups: (N,) triplet of each trial.
        answer: (N,) distinct (triplet, answer) pair of each trial.
        counts: (A,) trials per distinct answer.
        answer_group: (A,) triplet of each distinct answer.
        top: (G,) count of each triplet's modal answer.
    """
    # Leave one out: remove the trial's own answer, then is its answer among the modes?
    own = counts[answer] - 1
    n_top = np.bincount(answer_group, weights=(counts == top[answer_group]), minlength=len(top))
    # The others' maximum: unchanged unless this answer was the only mode.
    unique_top = (counts[answer] == top[groups]) & (n_top[groups] == 1)
    second = np.zeros_like(top)
    below = counts < top[answer_group]
    np.maximum.at(second, answer_group[below], counts[below])
    others_max = np.where(unique_top, np.maximum(own, second[groups]), top[groups])
    hit = own == others_max
    # Number of modes among the other answers, to split ties evenly.
    n_modes = np.where(
        unique_top,
        np.where(own > second[groups], 1, 1 + _count_equal(answer_group, counts, second, groups)),
        n_top[groups] - (counts[answer] == top[groups]) + (own == top[groups]),
    )
    # An answer seen only once has no other evidence for it: own = 0 cannot be a mode
    # unless every other answer count is also 0, impossible when the triplet has >1 trial.
    return float(np.where(hit & (others_max > 0), 1.0 / np.maximum(n_modes, 1), 0.0).sum() / len(groups))


def _checked_trials(idx: np.ndarray) -> np.ndarray:
    """Trials as int64 after checking they are whole, non-negative and without repeats."""
    if idx.dtype.kind == "f":
        bad = ~np.isfinite(idx).all(axis=1)
        bad[~bad] = (idx[~bad] != np.round(idx[~bad])).any(axis=1)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"trial {row} = {idx[row].tolist()} has non-integer object indices.")
    elif idx.dtype.kind not in "iu":
        raise ValueError(f"trials must hold integer object indices, got dtype {idx.dtype}.")
    idx = idx.astype(np.int64)
    if (idx < 0).any():
        row = int(np.flatnonzero((idx < 0).any(axis=1))[0])
        raise ValueError(f"trial {row} = {idx[row].tolist()} has a negative object index; indices are 0-based.")
    repeated = (idx[:, 0] == idx[:, 1]) | (idx[:, 0] == idx[:, 2]) | (idx[:, 1] == idx[:, 2])
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        raise ValueError(f"trial {row} = {idx[row].tolist()} names one object twice; a triplet has three objects.")
    return idx


def _count_equal(answer_group: np.ndarray, counts: np.ndarray, level: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """For each trial, how many answers of its triplet have count equal to ``level[group]``."""
    eq = counts == level[answer_group]
    per_group = np.bincount(answer_group, weights=eq, minlength=len(level))
    return per_group[groups].astype(np.int64)
