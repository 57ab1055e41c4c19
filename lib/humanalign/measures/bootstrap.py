"""Seeded bootstrap confidence intervals for accuracies."""

from __future__ import annotations

import numpy as np

__all__ = ["bootstrap_ci"]

#: Resamples drawn at once when resampling groups; bounds memory to about 64 MB.
_MAX_DRAWS = 8_000_000


def bootstrap_ci(
    correct: np.ndarray,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    groups: np.ndarray | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval of a mean accuracy.

    Three resampling units:

    * ``groups=None``: triplets, drawn with replacement. The number correct in a resample
      is then exactly Binomial(N, accuracy), which is drawn directly.
    * ``groups`` of shape (N,): clusters (e.g. participants or distinct triplets), drawn
      with replacement; each keeps all its triplets.
    * ``groups`` of shape (N, 3): the triplets' object indices; objects are drawn with
      replacement and each triplet is weighted by the product of how often its three
      objects were drawn (triplets with an undrawn object drop out), so the interval
      reflects the sampling of objects as well as of judgements.

    Args:
        correct: (N,) bool or 0/1 array, one entry per triplet.
        n_boot: Number of resamples.
        seed: Seed of the random generator.
        level: Coverage of the interval, in (0, 1).
        groups: ``None``, (N,) cluster labels or (N, 3) object indices.

    Returns:
        ``(low, high)`` accuracies.

    Raises:
        ValueError: empty input, bad ``level`` / ``n_boot`` or mismatched ``groups``.
    """
    values = np.asarray(correct, dtype=np.float64)
    if values.ndim != 1 or len(values) == 0:
        raise ValueError(f"correct must be a non-empty (N,) array, got shape {values.shape}.")
    if not np.isin(values, (0.0, 1.0)).all():
        raise ValueError("correct must hold booleans or 0/1 values.")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}.")
    if n_boot < 2:
        raise ValueError(f"n_boot must be at least 2, got {n_boot}.")
    rng = np.random.default_rng(seed)
    n = len(values)
    if groups is None:
        stats = rng.binomial(n, values.mean(), size=n_boot) / n
    else:
        g = np.asarray(groups)
        if g.shape == (n,):
            stats = _cluster(values, g, n_boot, rng)
        elif g.shape == (n, 3):
            stats = _objects(values, g, n_boot, rng)
        else:
            raise ValueError(
                f"groups has shape {g.shape}; expected ({n},) cluster labels or ({n}, 3) object indices."
            )
    tail = (1 - level) / 2 * 100
    low, high = np.nanpercentile(stats, [tail, 100 - tail])
    return float(low), float(high)


def _cluster(values: np.ndarray, labels: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    _, inverse = np.unique(labels, return_inverse=True)
    inverse = inverse.ravel()
    sums = np.bincount(inverse, weights=values)
    sizes = np.bincount(inverse).astype(np.float64)
    k = len(sums)
    stats = np.empty(n_boot)
    step = max(1, _MAX_DRAWS // k)
    for start in range(0, n_boot, step):
        m = min(step, n_boot - start)
        draw = rng.integers(0, k, size=(m, k))
        stats[start:start + m] = sums[draw].sum(1) / sizes[draw].sum(1)
    return stats


def _objects(values: np.ndarray, objects: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    objects = np.asarray(objects, dtype=np.int64)
    if objects.min() < 0:
        raise ValueError("object indices in groups must be non-negative.")
    n_obj = int(objects.max()) + 1
    stats = np.empty(n_boot)
    for b in range(n_boot):
        times = np.bincount(rng.integers(0, n_obj, size=n_obj), minlength=n_obj).astype(np.float64)
        w = times[objects[:, 0]] * times[objects[:, 1]] * times[objects[:, 2]]
        total = w.sum()
        stats[b] = (w @ values) / total if total > 0 else np.nan
    return stats


def bootstrap_means(values: np.ndarray, n_boot: int = 1000, seed: int = 0) -> np.ndarray:
    """Means of rows drawn with replacement: the bootstrap distribution of column means.

    Use it for any per-unit score (a person's RSA, a triplet's difference in correctness
    between two models): all columns share each resample, so differences between columns
    are paired.

    Args:
        values: (n,) or (n, k) finite values, one row per resampling unit.
        n_boot: Number of resamples.
        seed: Seed of the random generator.

    Returns:
        (n_boot,) or (n_boot, k) resampled means.

    Raises:
        ValueError: empty or non-finite input, or ``n_boot < 1``.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim not in (1, 2) or arr.shape[0] == 0:
        raise ValueError(f"values must be a non-empty (n,) or (n, k) array, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError("values hold NaN or infinite entries; a bootstrap of their mean is undefined.")
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}.")
    rng = np.random.default_rng(seed)
    n = arr.shape[0]
    # Counts of each unit per resample: a (rows, n) multinomial, then one matrix product.
    # Drawn in blocks of rows so that memory stays near _MAX_DRAWS counts however many
    # units there are (the generator draws row after row, so blocks give the same numbers).
    out = np.empty((int(n_boot),) + arr.shape[1:])
    step = max(1, _MAX_DRAWS // n)
    for start in range(0, int(n_boot), step):
        rows = min(step, int(n_boot) - start)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=rows).astype(np.float64)
        out[start:start + rows] = counts @ arr / n
    return out


def percentile_interval(samples: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of a bootstrap distribution (1-d)."""
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}.")
    s = np.asarray(samples, dtype=np.float64).reshape(-1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(s, [tail, 100 - tail])
    return float(low), float(high)
