"""Intervals for effects whose sampled units are few.

A percentile bootstrap over a handful of units is too narrow: resampling 4 people treats
the 4 as the population's whole spread (the bootstrap variance of a mean is ``(n - 1) / n``
of the usual estimate, and its quantiles are normal ones, not Student's). Wherever a
resampled unit has fewer than :data:`SMALL_SAMPLE` members, the book replaces the
percentile interval by a t interval:

* one unit (e.g. people, with the images held as sampled): :func:`t_interval`, Student's
  interval of a mean over the units, paired differences passed as their differences;
* several independent sources of variance (e.g. the people, with the images fixed, and the
  images, with the people fixed; or two panels of people): :func:`satterthwaite_interval`,
  a t interval whose variance is the sum of the sources' variances and whose degrees of
  freedom come from the Welch-Satterthwaite approximation (Satterthwaite 1946,
  *Biometrics Bulletin* 2(6):110-114; Welch 1947, *Biometrika* 34:28-35). A source with
  few units and its few degrees of freedom then widens the interval as it should.

:func:`mean_variance` and :func:`resample_variance` give one source's ``(variance, df)``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import stats

__all__ = ["SMALL_SAMPLE", "mean_variance", "people_images_interval", "resample_variance", "satterthwaite_df", "satterthwaite_interval",
           "t_interval"]

#: Fewest members a resampled unit needs for a percentile bootstrap over it; with fewer,
#: the interval is a t interval (:func:`t_interval`, :func:`satterthwaite_interval`).
SMALL_SAMPLE = 10


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}.")


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Student's t interval of a mean over units.

    Args:
        values: (n,) one value per unit, n >= 2 (for a paired comparison: each unit's
            difference).
        level: Coverage, in (0, 1).

    Returns:
        ``(mean, low, high)``.

    Raises:
        ValueError: fewer than two values, a non-finite value, or a bad level.
    """
    _check_level(level)
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    if len(x) < 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"a t interval needs at least two finite values, got {x.tolist()}.")
    mean = float(x.mean())
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return mean, mean - half, mean + half


def mean_variance(values: np.ndarray) -> tuple[float, float]:
    """The squared standard error of a mean over units and its degrees of freedom:
    ``(s^2 / n, n - 1)``, one source for :func:`satterthwaite_interval`.

    Args:
        values: (n,) one value per unit (e.g. per person, the other units held as sampled).
    """
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    if len(x) < 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"a variance needs at least two finite values, got {len(x)}.")
    return float(x.var(ddof=1) / len(x)), float(len(x) - 1)


def resample_variance(resamples: np.ndarray, n_units: int) -> tuple[float, float]:
    """The variance of an estimate over bootstrap resamples of one unit, with ``n_units - 1``
    degrees of freedom (e.g. the images, with the people held fixed); NaN resamples are
    left out.

    Args:
        resamples: (B,) the estimate on each resample.
        n_units: How many units were resampled.
    """
    r = np.asarray(resamples, dtype=np.float64).reshape(-1)
    r = r[np.isfinite(r)]
    if len(r) < 2 or int(n_units) < 2:
        raise ValueError(f"{len(r)} finite resamples of {n_units} units give no variance.")
    return float(r.var(ddof=1)), float(int(n_units) - 1)


def satterthwaite_df(variances: Sequence[float], dfs: Sequence[float]) -> float:
    """Welch-Satterthwaite degrees of freedom of a sum of independent variance estimates:
    ``(sum v_i)^2 / sum(v_i^2 / df_i)``.

    Raises:
        ValueError: mismatched lengths, a negative variance or a degree of freedom <= 0.
    """
    v = np.asarray(variances, dtype=np.float64).reshape(-1)
    d = np.asarray(dfs, dtype=np.float64).reshape(-1)
    if len(v) == 0 or v.shape != d.shape or np.any(v < 0) or np.any(d <= 0) or not np.all(np.isfinite(v)):
        raise ValueError(f"variances {v.tolist()} and degrees of freedom {d.tolist()} must be paired, "
                         "variances >= 0 and degrees of freedom > 0.")
    total = v.sum()
    if total == 0:
        return float(d.sum())
    return float(total ** 2 / np.sum(v ** 2 / d))


def satterthwaite_interval(estimate: float, components: Sequence[tuple[float, float]],
                           level: float = 0.95) -> tuple[float, float, float]:
    """A t interval around ``estimate`` whose variance sums independent sources.

    Args:
        estimate: The effect on the data as sampled.
        components: ``(variance, df)`` of each source (:func:`mean_variance`,
            :func:`resample_variance`).
        level: Coverage, in (0, 1).

    Returns:
        ``(low, high, df)``.
    """
    _check_level(level)
    if not components:
        raise ValueError("no source of variance given.")
    variances, dfs = zip(*components)
    df = satterthwaite_df(variances, dfs)
    half = float(stats.t.ppf(0.5 + level / 2, df) * np.sqrt(np.sum(variances)))
    return float(estimate) - half, float(estimate) + half, df


def people_images_interval(terms: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], n_images: int,
                           level: float = 0.95) -> tuple[float, float, float, str]:
    """The interval of an effect measured with panels of people over one set of images.

    The effect is a sum of terms, one per panel (e.g. a contrast of models on one panel, or
    a difference between two panels of other people who saw the same images): the mean over
    the panel's people of each person's value. With at least :data:`SMALL_SAMPLE` people in
    every panel the interval is the percentile interval of the summed resamples of people
    and images (shared image draws, each panel's own people draws). Otherwise it is a
    Satterthwaite t interval whose sources are each panel's people, the images held as
    sampled (:func:`mean_variance` of the per-person values), and the images, every person
    held (:func:`resample_variance` of the summed image-only resamples). The two sources
    both hold the person-by-image interaction, so the sum errs on the wide side.

    Args:
        terms: Per panel ``(per_person (p,), two_way (B,), images_only (B,))``.
        n_images: How many images the resamples draw.
        level: Coverage, in (0, 1).

    Returns:
        ``(estimate, low, high, how)``, ``how`` naming the interval.
    """
    _check_level(level)
    if not terms:
        raise ValueError("no panel given.")
    estimate = float(sum(np.mean(np.asarray(per, dtype=np.float64)) for per, _, _ in terms))
    sizes = [len(np.asarray(per).reshape(-1)) for per, _, _ in terms]
    if min(sizes) >= SMALL_SAMPLE:
        summed = np.sum([np.asarray(two, dtype=np.float64) for _, two, _ in terms], axis=0)
        summed = summed[np.isfinite(summed)]
        tail = (1 - level) / 2 * 100
        low, high = np.percentile(summed, [tail, 100 - tail]) if len(summed) else (np.nan, np.nan)
        return estimate, float(low), float(high), "percentile, people and images resampled"
    components = [mean_variance(per) for per, _, _ in terms]
    components.append(resample_variance(np.sum([np.asarray(img, dtype=np.float64) for _, _, img in terms], axis=0),
                                        n_images))
    low, high, df = satterthwaite_interval(estimate, components, level)
    people = " and ".join(str(s) for s in sizes)
    return estimate, low, high, f"t on {df:.1f} df ({people} people, {int(n_images)} images)"
