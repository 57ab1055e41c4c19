"""Intervals that resample every unit that was sampled, paired across the models compared.

Two designs occur in the study, and each has its own bootstrap:

* **RSA against several people** (the 92 images): both the people and the images are
  samples, of people and of objects. :func:`rsa_two_way_bootstrap` draws people and images
  with replacement in every resample (a two-way, or "crossed", bootstrap, as rsatoolbox's
  ``bootstrap_sample`` does for subjects and patterns) and scores every model on the same
  draw, so that differences between models are paired. Resampling people only treats the
  92 images as the whole world and gives intervals that are too narrow for any claim about
  objects in general. The images are drawn from a stream that depends only on the seed and
  the number of images, the people from a stream of each data set's own: two data sets of
  the same images (judgements and brain responses to the 92 photos) share every image draw
  (:func:`rsa_shared_bootstrap`), so contrasts between them are paired over images.
* **Odd-one-out triplets over concepts** (THINGS): triplets are drawn from concepts, and
  triplets that share a concept are not independent. :func:`concept_bootstrap` draws the
  concepts with replacement and weights each triplet by the product of how often its three
  concepts were drawn (a triplet with an undrawn concept drops out), the object bootstrap
  of the odd-one-out literature; every model shares each draw.

:func:`interval` reads a percentile interval off either distribution (or off differences
of its columns); the words a verdict draws from an interval are the study's
(:mod:`humanalign.vocabulary`).
"""

from __future__ import annotations

import hashlib
from typing import Sequence

import numpy as np
from .rsa_inference import _check_method, _check_stack

__all__ = ["WeightedRanks", "concept_bootstrap", "data_key", "image_draws", "interval", "noise_ceiling_bootstrap", "people_draws",
           "rsa_shared_bootstrap", "rsa_two_way_bootstrap", "weighted_correlations"]

# Resamples scored per block of :func:`concept_bootstrap`: bounds memory to about
# _BLOCK x triplets float64 values (64 MB for 100,000 triplets).
_BLOCK = 80


class WeightedRanks:
    """Ranks of vectors whose entries are repeated by integer weights, without re-sorting.

    A resample of images repeats each pair of images ``w`` times (the product of how often
    its two images were drawn). Ranking the expanded vector is the same as walking each
    vector once in its sorted order, summing weights: an entry's copies tie with each other
    (and with entries of equal value), so they share the mid-rank of their run. The sort is
    done once; each resample costs a few passes over the vectors.
    """

    def __init__(self, vectors: np.ndarray):
        self.vectors = np.asarray(vectors, dtype=np.float64)
        rows, width = self.vectors.shape
        self.order = np.argsort(self.vectors, axis=1, kind="stable")
        ordered = np.take_along_axis(self.vectors, self.order, axis=1)
        new = np.ones_like(ordered, dtype=bool)
        new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
        # Where an entry lands when the sorted rows are put back in their own order.
        offsets = (np.arange(rows) * width)[:, None]
        inverse = np.empty_like(self.order)
        np.put_along_axis(inverse, self.order, np.arange(width)[None].repeat(rows, 0), axis=1)
        self.back = (inverse + offsets).ravel()
        # Rows with ties among their values need the runs of equal values; the others do not.
        self.tied = np.flatnonzero(~new.all(axis=1))
        if len(self.tied):
            sub = new[self.tied]
            self.group = np.cumsum(sub.ravel()) - 1
            self.n_groups = int(self.group[-1]) + 1
            last = np.ones_like(sub)
            last[:, :-1] = sub[:, 1:]
            self.last = last.ravel()

    def ranks(self, weights: np.ndarray) -> np.ndarray:
        """(rows, width) mid-ranks of the vectors with each entry repeated ``weights`` times."""
        w = weights[self.order]
        cum = np.cumsum(w, axis=1)
        mid = cum - (w - 1) / 2  # an entry's copies share the middle of their run
        if len(self.tied):
            wt, ct = w[self.tied].ravel(), cum[self.tied].ravel()
            total = np.bincount(self.group, weights=wt, minlength=self.n_groups)
            mid[self.tied] = (ct[self.last] - (total - 1) / 2)[self.group].reshape(len(self.tied), -1)
        return mid.ravel()[self.back].reshape(self.vectors.shape)


def weighted_correlations(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(k, P) x (p, P) -> (k, p) Pearson correlations with entries weighted by ``w``."""
    total = w.sum()
    a = a - (a @ w / total)[:, None]
    b = b - (b @ w / total)[:, None]
    aw, bw = a * w, b * w
    na, nb = np.sqrt((aw * a).sum(axis=1)), np.sqrt((bw * b).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (aw @ b.T) / np.outer(na, nb)


def data_key(array: np.ndarray) -> int:
    """A number that names an array's content: the stream key of its people's draws
    (:func:`people_draws`), so that two data sets of other people never share draws."""
    a = np.ascontiguousarray(np.asarray(array, dtype=np.float64))
    digest = hashlib.sha256(f"{a.shape}".encode() + a.tobytes()).hexdigest()
    return int(digest[:15], 16)


def image_draws(n_images: int, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot, n_images) images drawn with replacement, one row per resample.

    The stream depends only on the seed and the number of images: every data set over the
    same images (people's judgements and IT of the 92 photos), scored with the same seed,
    gets the same draws, so a contrast between them is paired over images.
    """
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(0,)))
    return rng.integers(0, int(n_images), size=(int(n_boot), int(n_images)))


def people_draws(n_people: int, n_boot: int, seed: int, key: int = 0) -> np.ndarray:
    """(n_boot, n_people) people drawn with replacement, one row per resample, from a stream
    of their own: ``key`` names the panel (:func:`data_key`), so that two panels of other
    people are drawn independently while every model scored against one panel shares them."""
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(1, int(key))))
    return rng.integers(0, int(n_people), size=(int(n_boot), int(n_people)))


class _Panel:
    """One data set of people's matrices and the model matrices scored against it."""

    def __init__(self, model_rdms: np.ndarray, rdms: np.ndarray, method: str, n_images: int | None):
        models = _check_stack(model_rdms, "model_rdms")
        humans = _check_stack(rdms, "rdms", min_people=2)
        n = humans.shape[1]
        if models.shape[1] != n or (n_images is not None and n != n_images):
            raise ValueError(f"model matrices cover {models.shape[1]} images but the people's matrices {n}"
                             + (f" (and the other data sets {n_images})" if n_images is not None else "") + ".")
        rows, cols = np.triu_indices(n, k=1)
        self.k, self.p, self.n = len(models), len(humans), n
        self.vectors = np.concatenate([models[:, rows, cols], humans[:, rows, cols]])
        self.ranker = WeightedRanks(self.vectors) if method == "spearman" else None
        self.pairs = rows, cols

    def score(self, times: np.ndarray, who: np.ndarray) -> np.ndarray:
        """(k,) mean correlation over the drawn people (counts ``who``) on the drawn images
        (counts ``times``)."""
        rows, cols = self.pairs
        # A pair of two different images stands as often as the product of their draws; a
        # pair of an image with its own copy is never formed.
        w = times[rows] * times[cols]
        v = self.ranker.ranks(w) if self.ranker is not None else self.vectors
        return weighted_correlations(v[:self.k], v[self.k:], w) @ who / who.sum()


def rsa_shared_bootstrap(
    sets: Sequence[tuple[np.ndarray, np.ndarray]],
    n_boot: int = 1000,
    seed: int = 0,
    method: str = "spearman",
    people: bool = True,
    images: bool = True,
    keys: Sequence[int] | None = None,
) -> list[np.ndarray]:
    """Mean RSA over people of every model on several data sets of the same images, with the
    images drawn once per resample for all of them and each data set's people drawn anew.

    Each resample draws the ``n`` images with replacement (:func:`image_draws`: the same
    draw for every data set) and, for each data set, its people with replacement
    (:func:`people_draws`, a stream per data set); a model's score is the mean, over the
    drawn people, of its correlation with that person's matrix on the pairs of two different
    drawn images. Every model of a data set sees the same draw.

    Args:
        sets: One ``(model_rdms (k, n, n), rdms (p, n, n))`` per data set, all over the same
            ``n`` images in the same order.
        n_boot: Number of resamples.
        seed: Seed of the draws.
        method: ``"spearman"`` or ``"pearson"``.
        people, images: Resample this side (both by default; switching one off gives the
            one-way bootstraps).
        keys: The people stream of each data set; by default each set's :func:`data_key`.

    Returns:
        One (n_boot, k) array of resampled mean correlations per data set.

    Raises:
        ValueError: mismatched shapes, fewer than two people in a set, an unknown method or
            ``n_boot < 1``.
    """
    _check_method(method)
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}.")
    if not sets:
        raise ValueError("no data set to resample.")
    panels: list[_Panel] = []
    for models, rdms in sets:
        panels.append(_Panel(models, rdms, method, panels[0].n if panels else None))
    keys = [data_key(rdms) for _, rdms in sets] if keys is None else list(keys)
    if len(keys) != len(panels):
        raise ValueError(f"{len(keys)} keys for {len(panels)} data sets.")
    n = panels[0].n
    drawn = image_draws(n, n_boot, seed) if images else None
    whom = [people_draws(s.p, n_boot, seed, key) if people else None for s, key in zip(panels, keys)]
    out = [np.empty((int(n_boot), s.k)) for s in panels]
    for b in range(int(n_boot)):
        times = np.bincount(drawn[b], minlength=n).astype(np.float64) if images else np.ones(n)
        for s, panel in enumerate(panels):
            who = np.bincount(whom[s][b], minlength=panel.p).astype(np.float64) if people else np.ones(panel.p)
            out[s][b] = panel.score(times, who)
    return out


def rsa_two_way_bootstrap(
    model_rdms: np.ndarray,
    rdms: np.ndarray,
    n_boot: int = 1000,
    seed: int = 0,
    method: str = "spearman",
    people: bool = True,
    images: bool = True,
    people_key: int | None = None,
) -> np.ndarray:
    """Mean RSA over people of every model, with people and images resampled together.

    :func:`rsa_shared_bootstrap` on one data set: the images are drawn from the stream every
    data set over the same images shares, the people from this data set's own.

    Args:
        model_rdms: (k, n, n) model dissimilarity matrices.
        rdms: (p, n, n) one matrix per person.
        n_boot: Number of resamples.
        seed: Seed of the resampling.
        method: ``"spearman"`` or ``"pearson"``.
        people, images: Resample this side (both by default).
        people_key: The people's stream (default: :func:`data_key` of ``rdms``).

    Returns:
        (n_boot, k) resampled mean correlations.

    Raises:
        ValueError: mismatched shapes, fewer than two people, an unknown method or
            ``n_boot < 1``.
    """
    keys = None if people_key is None else [people_key]
    return rsa_shared_bootstrap([(model_rdms, rdms)], n_boot, seed, method, people, images, keys)[0]


def _ceiling_on(vectors: np.ndarray, ranker: WeightedRanks | None, w: np.ndarray, who: np.ndarray
                ) -> tuple[float, float]:
    """Lower and upper noise-ceiling bound on one draw: pair weights ``w``, people counts ``who``.

    The pools hold each person drawn once, however often they were drawn (a person drawn
    twice would otherwise weigh twice in the pool that is to predict them); a drawn person is
    compared with the pool of the *other* people drawn and with the pool of everyone drawn,
    and both bounds are means over the draws.
    """
    if ranker is not None:
        values = ranker.ranks(w)
    else:
        total = w.sum()
        centred = vectors - (vectors @ w / total)[:, None]
        values = centred / np.sqrt((centred * centred) @ w / total)[:, None]
    # Pairs with an undrawn image weigh nothing: the pools are ranked on the drawn pairs only.
    drawn = np.flatnonzero(w)
    values, w = values[:, drawn], w[drawn]
    present = np.flatnonzero(who)
    if len(present) < 2:
        return float("nan"), float("nan")
    pool = values[present].sum(axis=0)
    pooled = np.stack([pool / len(present)] + [(pool - values[i]) / (len(present) - 1) for i in present])
    if ranker is not None:
        pooled = WeightedRanks(pooled).ranks(w)
    r = weighted_correlations(values[present], pooled, w)
    counts = who[present]
    lower = counts @ r[np.arange(len(present)), np.arange(1, len(present) + 1)]
    return float(lower / counts.sum()), float(counts @ r[:, 0] / counts.sum())


def noise_ceiling_bootstrap(rdms: np.ndarray, n_boot: int = 1000, seed: int = 0, method: str = "spearman",
                            people: bool = True, images: bool = True, people_key: int | None = None) -> np.ndarray:
    """The noise ceiling's two bounds on resamples of people and images.

    The draws are those of :func:`rsa_two_way_bootstrap` with the same seed and people key,
    so the ceiling and the models' scores move together. On a draw, each person's ranks (or
    z-scores, for Pearson) are taken over the pairs of two different drawn images, repeated
    as often as the product of their draws; the lower bound correlates each drawn person
    with the pool of the other people drawn, the upper bound with the pool of all drawn;
    both are averaged over the drawn people. Without resampling it equals
    :func:`~.rsa_inference.noise_ceiling_rsa`.

    Args:
        rdms: (p, n, n) one matrix per person, p >= 2.
        n_boot, seed, method, people, images, people_key: As for
            :func:`rsa_two_way_bootstrap`.

    Returns:
        (n_boot, 2): lower and upper bound per resample (NaN where a draw holds one person
        only). Each pool holds every drawn person once.
    """
    _check_method(method)
    humans = _check_stack(rdms, "rdms", min_people=2)
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}.")
    p, n = humans.shape[:2]
    rows, cols = np.triu_indices(n, k=1)
    vectors = humans[:, rows, cols]
    ranker = WeightedRanks(vectors) if method == "spearman" else None
    drawn = image_draws(n, n_boot, seed) if images else None
    whom = people_draws(p, n_boot, seed, data_key(humans) if people_key is None else people_key) if people else None
    out = np.empty((int(n_boot), 2))
    for b in range(int(n_boot)):
        times = np.bincount(drawn[b], minlength=n).astype(np.float64) if images else np.ones(n)
        who = np.bincount(whom[b], minlength=p).astype(np.float64) if people else np.ones(p)
        out[b] = _ceiling_on(vectors, ranker, times[rows] * times[cols], who)
    return out


def concept_bootstrap(
    correct: np.ndarray,
    objects: np.ndarray,
    n_boot: int = 1000,
    seed: int = 0,
    labels: np.ndarray | None = None,
    n_labels: int | None = None,
) -> np.ndarray:
    """Accuracy of every model on the triplets, with the concepts resampled.

    Args:
        correct: (N,) or (N, k) correctness in [0, 1] (0/1 per model, or a mean over
            models), one row per triplet.
        objects: (N, 3) concept indices of each triplet.
        n_boot: Number of resamples.
        seed: Seed of the resampling (the draws depend on it and on the concepts only).
        labels: Optional (N,) group of each triplet (e.g. the concept dimension it probes):
            accuracies are then computed per group.
        n_labels: Number of groups (default: the largest label + 1).

    Returns:
        (n_boot,) or (n_boot, k) accuracies, or with ``labels`` (n_boot, k, n_labels) (the
        k axis dropped for 1-d input); a resample in which no triplet (of a group) keeps all
        three of its concepts gives NaN.

    Raises:
        ValueError: mismatched shapes, negative indices, values outside [0, 1] or
            ``n_boot < 1``.
    """
    values = np.asarray(correct, dtype=np.float64)
    flat = values.ndim == 1
    values = values[:, None] if flat else values
    objects = np.asarray(objects)
    if values.ndim != 2 or len(values) == 0:
        raise ValueError(f"correct must be a non-empty (N,) or (N, k) array, got shape {np.shape(correct)}.")
    if objects.shape != (len(values), 3):
        raise ValueError(f"objects has shape {objects.shape}; expected ({len(values)}, 3) concept indices.")
    if not np.issubdtype(objects.dtype, np.integer) or objects.min() < 0:
        raise ValueError("objects must hold non-negative integer concept indices.")
    if not (np.all(np.isfinite(values)) and values.min() >= 0 and values.max() <= 1):
        raise ValueError("correct must hold booleans or values in [0, 1].")
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}.")
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (len(values),) or not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
            raise ValueError(f"labels must be ({len(values)},) non-negative integers, got shape {labels.shape}.")
        n_labels = int(labels.max()) + 1 if n_labels is None else int(n_labels)
    # Only the concepts that occur are drawn: a concept in no triplet changes no weight.
    present, local = np.unique(objects, return_inverse=True)
    local = local.reshape(objects.shape)
    n_obj = len(present)
    rng = np.random.default_rng(seed)
    shape = (int(n_boot), values.shape[1]) + ((n_labels,) if labels is not None else ())
    out = np.empty(shape)
    groups = [np.flatnonzero(labels == g) for g in range(n_labels)] if labels is not None else None
    for start in range(0, int(n_boot), _BLOCK):
        m = min(_BLOCK, int(n_boot) - start)
        times = np.stack([np.bincount(rng.integers(0, n_obj, size=n_obj), minlength=n_obj) for _ in range(m)])
        times = times.astype(np.float64)
        w = times[:, local[:, 0]] * times[:, local[:, 1]] * times[:, local[:, 2]]
        with np.errstate(invalid="ignore", divide="ignore"):
            if groups is None:
                out[start:start + m] = (w @ values) / w.sum(axis=1, keepdims=True)
            else:
                for g, rows in enumerate(groups):
                    wg = w[:, rows]
                    out[start:start + m, :, g] = (wg @ values[rows]) / wg.sum(axis=1, keepdims=True)
    return out[:, 0] if flat else out


def interval(samples: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of a 1-d bootstrap distribution (NaN resamples are left out).

    Raises:
        ValueError: ``level`` outside (0, 1), or no finite resample.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}.")
    s = np.asarray(samples, dtype=np.float64).reshape(-1)
    s = s[np.isfinite(s)]
    if len(s) == 0:
        raise ValueError("no finite resample: the interval is undefined.")
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(s, [tail, 100 - tail])
    return float(low), float(high)
