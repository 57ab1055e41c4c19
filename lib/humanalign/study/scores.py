"""Per-unit scores of one model x layer, computed once and cached by their content.

Every table and every verdict of the book derives from two kinds of per-unit result,
each computed here and nowhere else:

:func:`things_scores`
    On people's real answers to THINGS triplets (:attr:`StudyData.trials`): each answer's
    zero-shot correctness, and its correctness under a probe that never saw any of the
    answer's three objects (object-wise cross-validation whose folds keep each real triplet
    whole, :func:`humanalign.measures.trial_folds`); the probe is fitted on the profile's
    triplets (simulated from VICE in the demo), and refitted on all objects for the
    transforms every transfer applies.
:func:`matrix_scores`
    On a data set of human matrices: the model's dissimilarities (condensed upper triangle)
    before and after the THINGS probe, from which per-person and per-image RSA follow.

Each result is keyed by what it depends on: the sha256 of the features themselves (so any
change of weights, preprocessing or library changes it), of the triplets, the probe
settings and the source of the code that computes it. It is stored as one ``.npz`` file with a record of its hash
(:mod:`humanalign.cache`) and refitted when it does not verify.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .. import cache, measures
from .._atomic import file_state
from ..measures import (
    _checks,
    inference,
    odd_one_out,
    probe_device,
    probe_solver,
    probe_transform,
    probing,
    rsa,
    rsa_inference,
    dimensions,
    trials,
)
from ..config import Settings, settings as current_settings
from ..datasets import MatrixSet, Stimuli
from ..features import cache_path, extract_features
from ..profiles import Profile
from ..registry import UNTRAINED, ModelSpec
from .human_data import StudyData, load_study_data

__all__ = [
    "MatrixScores",
    "ThingsScores",
    "crossed_resamples",
    "features_for",
    "layers_of",
    "matrix_scores",
    "specs_of",
    "ridge_scores",
    "things_correct_under",
    "things_scores",
    "things_scores_stored",
    "trained",
    "trial_split",
    "two_way_resamples",
    "ceiling_resamples",
]

def specs_of(profile: Profile) -> list[ModelSpec]:
    """The profile's resolved model specs, in its order.

    Raises:
        ValueError: the profile was made without resolving its models (``check_models=False``).
    """
    if len(profile.specs) != len(profile.models):
        raise ValueError(f"Profile {profile.name!r} was made without resolving its model ids; "
                         "make it with check_models=True (the default).")
    return list(profile.specs)


def trained(specs: list[ModelSpec]) -> list[ModelSpec]:
    """The specs of trained models (untrained controls left out)."""
    return [s for s in specs if s.training_data != UNTRAINED]


def layers_of(spec: ModelSpec, profile: Profile) -> list[str]:
    """The profile's layers that a model has (a model published without its classifier, an
    embedding model, has no logits layer)."""
    return [layer for layer in profile.layers if layer != "logits" or spec.logits]


# What this process has read already. A chapter asks for the same features and scores again
# and again (every verdict and table reads them), and reading a file back from the cache with
# its integrity check costs tens of milliseconds each time. Both are keyed by the cache's own
# content keys, so other inputs are still another key.
_FEATURES: dict[tuple, np.ndarray] = {}
_SCORES: dict[tuple, dict[str, np.ndarray]] = {}
_DIGESTS: dict[tuple, tuple[tuple, str]] = {}
# The probe's folds of each study data (kept with it, so that the id is not reused).
_SPLITS: dict[tuple, tuple[StudyData, tuple[np.ndarray, np.ndarray]]] = {}


def features_for(spec: ModelSpec, layer: str, profile: Profile, stimuli: Stimuli) -> np.ndarray:
    """(n, d) float32 features of some stimuli (cached by :mod:`humanalign.features`; kept in
    memory, read-only, while the cache file this process read stays the same)."""
    state = file_state(cache_path(spec, stimuli, layer))
    if state is None or state not in _FEATURES:
        features = extract_features(spec, stimuli, layer=layer, batch_size=profile.batch_size,
                                    device=profile.device, progress=False)
        features.setflags(write=False)
        state = file_state(cache_path(spec, stimuli, layer))
        if state is None:
            return features
        _FEATURES[state] = features
    return _FEATURES[state]


def _digest(*arrays: np.ndarray) -> str:
    """sha256 over the arrays' types, shapes and bytes; kept for read-only arrays (the features,
    the study data and the folds cannot change, and are keyed dozens of times per chapter)."""
    key = tuple(id(a) for a in arrays)
    known = _DIGESTS.get(key)
    if known is not None and all(x is a for x, a in zip(known[0], arrays)):
        return known[1]
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype}{a.shape}".encode())
        h.update(a.tobytes())
    if all(isinstance(a, np.ndarray) and not a.flags.writeable for a in arrays):
        _DIGESTS[key] = (arrays, h.hexdigest())
    return h.hexdigest()


def _probe_settings(profile: Profile) -> dict:
    return {"lambdas": list(profile.lambdas), "n_folds": profile.n_folds, "seed": profile.seed,
            "max_iter": profile.probe_max_iter, "rank": profile.probe_rank}


def _code_digest() -> str:
    """The source of the code that computes a stored score: a change to it recomputes the score."""
    return cache.source_digest(odd_one_out, probing, probe_solver, probe_transform, probe_device, rsa, rsa_inference,
                               trials, dimensions, _checks, sys.modules[__name__])


def _stored_path(kind: str, spec: ModelSpec, layer: str, payload: dict, cfg: Settings | None) -> Path:
    """Where :func:`_stored` keeps a score: keyed by what it depends on and the code."""
    payload = {**payload, "kind": kind, "code": _code_digest(),
               "libraries": cache.library_versions(("numpy", "torch", "scipy", "humanalign"))}
    key = cache.content_key(payload)
    folder = (cfg or current_settings()).cache_dir / "scores" / spec.id.replace("/", "__")
    return folder / f"{kind}-{layer}-{key[:24]}.npz"


def _stored(kind: str, spec: ModelSpec, layer: str, payload: dict, compute: Callable[[], dict],
            cfg: Settings | None) -> dict[str, np.ndarray]:
    """The arrays of one cached score, or compute and store them (atomically, with a record)."""
    path = _stored_path(kind, spec, layer, payload, cfg)
    folder = path.parent
    state = file_state(path)
    if state is not None and state in _SCORES:
        return _SCORES[state]
    arrays = None
    if path.exists():
        arrays, problem = cache.load_arrays(path)
        if arrays is None:
            cache.discard(path, problem)
    if arrays is None:
        arrays = compute()
        cache.check_writable(folder, "score cache")
        cache.save_arrays(path, arrays, {"model": spec.id, "layer": layer, "kind": kind})
    for value in arrays.values():
        value.setflags(write=False)
    state = file_state(path)
    if state is not None:
        _SCORES[state] = arrays
    return arrays


def _transform_arrays(transform: measures.ProbeTransform, prefix: str = "probe_") -> dict[str, np.ndarray]:
    bias = transform.bias if transform.bias is not None else np.zeros(0)
    return {f"{prefix}weights": transform.weights, f"{prefix}bias": bias,
            f"{prefix}mean": np.float64(transform.mean), f"{prefix}std": np.float64(transform.std)}


def _transform_of(arrays: dict[str, np.ndarray], prefix: str = "probe_") -> measures.ProbeTransform:
    bias = arrays[f"{prefix}bias"]
    return measures.ProbeTransform(weights=arrays[f"{prefix}weights"], bias=bias if bias.size else None,
                                   mean=float(arrays[f"{prefix}mean"]), std=float(arrays[f"{prefix}std"]))


@dataclass(frozen=True, eq=False)
class ThingsScores:
    """One model x layer on people's real answers to THINGS triplets.

    Attributes:
        zero_shot: (N,) bool per real answer: the cosine odd-one-out choice is the person's.
        probed: (N,) bool per real answer: the choice of the probe of the answer's fold (a
            probe that never saw any of its three objects) is the person's.
        fold: (N,) the fold of each answer.
        probe: The probe refitted on all objects at the chosen lambda.
        summary: ``probed_simulated`` and ``zero_shot_simulated`` (held-out accuracy on the
            profile's own triplets, simulated in the demo), ``lambda`` and the probe's
            convergence report (see :func:`humanalign.measures.convergence_summary`).
    """

    zero_shot: np.ndarray
    probed: np.ndarray
    fold: np.ndarray
    probe: measures.ProbeTransform
    summary: dict[str, float]


_SUMMARY = ("probed_simulated", "zero_shot_simulated", "lambda", "probe_refit_n_iter", "probe_refit_grad_norm",
            "probe_refit_rel_change", "probe_refit_hit_cap", "probe_grid_fits", "probe_grid_fits_hit_cap",
            "probe_grid_max_n_iter", "probe_grid_max_grad_norm", "probe_lambda_at_edge")


def trial_split(profile: Profile, data: StudyData) -> tuple[np.ndarray, np.ndarray]:
    """The probe's folds around the real answers: ``(masks, fold)`` of
    :func:`humanalign.measures.trial_folds` (held-out objects per fold, fold per answer)."""
    key = (id(data), profile.n_folds, profile.seed)
    if key not in _SPLITS or _SPLITS[key][0] is not data:
        trials = data.trials
        masks, fold = measures.trial_folds(len(data.stimuli), trials.triplets.indices, trials.triplet_id,
                                           profile.n_folds, profile.seed)
        masks.setflags(write=False)
        fold.setflags(write=False)
        _SPLITS[key] = (data, (masks, fold))
    return _SPLITS[key][1]


def _things_payload(profile: Profile, data: StudyData, feats: np.ndarray, masks: np.ndarray) -> dict:
    return {"features": _digest(feats), "triplets": _digest(data.triplets.indices),
            "trials": _digest(data.trials.triplets.indices, data.trials.triplet_id), "folds": _digest(masks),
            **_probe_settings(profile)}


def things_scores_stored(profile: Profile, spec: ModelSpec, layer: str, cfg: Settings | None = None) -> bool:
    """Whether :func:`things_scores` would read this model's THINGS probe and scores from the
    cache (its features cached and the scores stored under their current key); computes
    nothing."""
    data = load_study_data(profile, cfg)
    if not cache_path(spec, data.stimuli, layer).is_file():
        return False
    feats = features_for(spec, layer, profile, data.stimuli)
    masks, _fold = trial_split(profile, data)
    return _stored_path("things", spec, layer, _things_payload(profile, data, feats, masks), cfg).is_file()


def things_scores(profile: Profile, spec: ModelSpec, layer: str, cfg: Settings | None = None) -> ThingsScores:
    """Zero-shot and probed correctness of one model x layer on every real answer, and its
    THINGS probe."""
    data = load_study_data(profile, cfg)
    feats = features_for(spec, layer, profile, data.stimuli)
    idx = data.triplets.indices
    answers = data.trials.triplets.indices
    masks, fold = trial_split(profile, data)

    def compute() -> dict:
        sets = [answers[fold == f] for f in range(len(masks))]
        probe = measures.fit_probe(feats, idx, lambdas=profile.lambdas, seed=profile.seed, device=profile.device,
                                   max_iter=profile.probe_max_iter, rank=profile.probe_rank, folds=masks, score=sets)
        probed = np.zeros(len(answers), dtype=bool)
        for f, correct in enumerate(probe.scored):
            probed[fold == f] = correct
        summary = {"probed_simulated": probe.accuracy, "zero_shot_simulated": probe.zero_shot,
                   "lambda": probe.lambda_, **measures.convergence_summary(probe)}
        return {"zero_shot": measures.odd_one_out_correct(feats, answers, similarity="cosine"), "probed": probed,
                "summary": np.array([summary[k] for k in _SUMMARY], dtype=np.float64),
                **_transform_arrays(probe.transform)}

    arrays = _stored("things", spec, layer, _things_payload(profile, data, feats, masks), compute, cfg)
    return ThingsScores(zero_shot=arrays["zero_shot"].astype(bool), probed=arrays["probed"].astype(bool),
                        fold=fold, probe=_transform_of(arrays),
                        summary=dict(zip(_SUMMARY, (float(v) for v in arrays["summary"]))))


def things_correct_under(profile: Profile, spec: ModelSpec, layer: str, similarity: str,
                         cfg: Settings | None = None) -> np.ndarray:
    """(N,) bool per real answer: the model's zero-shot odd one out under ``similarity``
    (``cosine``, ``correlation`` or ``euclidean``) is the person's; cached like the other
    scores (a robustness table asks for it in every chapter)."""
    data = load_study_data(profile, cfg)
    feats = features_for(spec, layer, profile, data.stimuli)
    answers = data.trials.triplets.indices

    def compute() -> dict:
        return {"correct": measures.odd_one_out_correct(feats, answers, similarity=similarity)}

    payload = {"features": _digest(feats), "trials": _digest(answers), "similarity": similarity}
    return _stored(f"things-{similarity}", spec, layer, payload, compute, cfg)["correct"].astype(bool)


def ridge_scores(profile: Profile, spec: ModelSpec, layer: str = "penultimate", cfg: Settings | None = None
                 ) -> np.ndarray:
    """(k,) how well the model's features predict each VICE dimension: held-out R^2 of a ridge
    regression over the profile's concepts (:func:`humanalign.measures.ridge_r2`, folds over
    concepts), cached like the other scores."""
    data = load_study_data(profile, cfg)
    feats = features_for(spec, layer, profile, data.stimuli)

    def compute() -> dict:
        table = measures.ridge_r2(feats, data.vice, n_folds=profile.n_folds, seed=profile.seed)
        return {"r2": table.sort_values("dimension")["r2"].to_numpy(dtype=np.float64)}

    payload = {"features": _digest(feats), "vice": _digest(data.vice), "n_folds": profile.n_folds,
               "seed": profile.seed}
    return _stored("ridge", spec, layer, payload, compute, cfg)["r2"]


def two_way_resamples(model_rdms: np.ndarray, people: np.ndarray, n_boot: int, seed: int,
                      cfg: Settings | None = None, resample_people: bool = True, method: str = "spearman"
                      ) -> np.ndarray:
    """Each model's mean RSA over people on resamples of people and images
    (:func:`humanalign.measures.rsa_two_way_bootstrap`), cached per model matrix.

    The draws depend only on the seed, the images and the people (not on the models), so a
    model's column is the same whichever other models are resampled with it: each column is
    kept on its own (keyed by the model's matrix, the people's matrices, ``n_boot``,
    ``seed``, the sides resampled, the statistic and the code), and only the missing ones
    are computed, together.

    Args:
        model_rdms: (k, n, n) model dissimilarity matrices.
        people: (p, n, n) one matrix per person.
        resample_people: False: images only, every person held (the image source of a
            small-sample interval, :func:`humanalign.measures.people_images_interval`).
        method: ``"spearman"`` or ``"pearson"``.

    Returns:
        (n_boot, k) resampled mean correlations.
    """
    stack = np.asarray(model_rdms, dtype=np.float64)
    folder = (cfg or current_settings()).cache_dir / "resamples"
    common = {"people": _digest(np.asarray(people, dtype=np.float64)), "n_boot": int(n_boot), "seed": int(seed),
              "code": cache.source_digest(inference, rsa_inference)}
    kind = "rsa-two-way" if resample_people else "rsa-images"
    if method != "spearman":
        common["method"], kind = method, f"{kind}-{method}"
    paths = [folder / f"{kind}-{cache.content_key({**common, 'rdm': _digest(m)})[:32]}.npy" for m in stack]
    return _per_column(paths, n_boot, kind, lambda todo: measures.rsa_two_way_bootstrap(
        stack[todo], people, n_boot=n_boot, seed=seed, method=method, people=resample_people))


def _per_column(paths: list[Path], n_boot: int, kind: str, compute: Callable[[list[int]], np.ndarray]) -> np.ndarray:
    """(n_boot, k) resamples kept one column per file: the columns found are read, the
    missing ones computed together (``compute(missing)`` -> (n_boot, len(missing))) and
    written."""
    columns: dict[int, np.ndarray] = {}
    for j, path in enumerate(paths):
        if path.exists():
            values, problem = cache.load_array(path, rows=int(n_boot), width=1, dtype="float64")
            if values is None:
                cache.discard(path, problem)
            else:
                columns[j] = values[:, 0]
    todo = [j for j in range(len(paths)) if j not in columns]
    if todo:
        fresh = compute(todo)
        cache.check_writable(paths[0].parent, "resample cache")
        for k, j in enumerate(todo):
            columns[j] = fresh[:, k]
            cache.save_array(paths[j], fresh[:, k:k + 1], {"kind": kind})
    return np.stack([columns[j] for j in range(len(paths))], axis=1) if paths else np.zeros((int(n_boot), 0))


def crossed_resamples(correct: np.ndarray, triplet_id: np.ndarray, person: np.ndarray, n_boot: int, seed: int,
                      cfg: Settings | None = None) -> np.ndarray:
    """Each column's mean on resamples of the distinct triplets and the people, crossed
    (:func:`humanalign.measures.crossed_bootstrap`), cached per column.

    The draws depend only on the seed and the answers' triplets and people, so a column's
    resamples are the same whichever columns are resampled with it: each is kept on its own
    (keyed by the column, the units, ``n_boot``, ``seed`` and the code), and only the missing
    ones are computed, together.

    Args:
        correct: (N, k) 0/1 (or [0, 1]) values per answer, one column per model.
        triplet_id, person: (N,) the units of each answer.

    Returns:
        (n_boot, k) resampled means.
    """
    stack = np.asarray(correct, dtype=np.float64)
    if stack.ndim != 2:
        raise ValueError(f"correct must be (N, k) values per answer and model, got shape {stack.shape}.")
    folder = (cfg or current_settings()).cache_dir / "resamples"
    common = {"units": _digest(np.asarray(triplet_id), np.asarray(person)), "n_boot": int(n_boot),
              "seed": int(seed), "code": cache.source_digest(trials)}
    paths = [folder / f"crossed-{cache.content_key({**common, 'values': _digest(stack[:, j])})[:32]}.npy"
             for j in range(stack.shape[1])]
    return _per_column(paths, n_boot, "crossed", lambda todo: measures.crossed_bootstrap(
        stack[:, todo], triplet_id, person, n_boot=n_boot, seed=seed))


def ceiling_resamples(people: np.ndarray, n_boot: int, seed: int, cfg: Settings | None = None,
                      resample_people: bool = True) -> np.ndarray:
    """(n_boot, 2) the lower and upper noise-ceiling bound of a data set on the draws of
    :func:`two_way_resamples` (:func:`humanalign.measures.noise_ceiling_bootstrap`), cached
    by the people's matrices, ``n_boot``, ``seed``, the sides resampled and the code."""
    folder = (cfg or current_settings()).cache_dir / "resamples"
    kind = "ceiling-two-way" if resample_people else "ceiling-images"
    key = cache.content_key({"people": _digest(np.asarray(people, dtype=np.float64)), "n_boot": int(n_boot),
                             "seed": int(seed), "code": cache.source_digest(inference, rsa_inference)})
    path = folder / f"{kind}-{key[:32]}.npy"
    if path.exists():
        values, problem = cache.load_array(path, rows=int(n_boot), width=2, dtype="float64")
        if values is not None:
            return values
        cache.discard(path, problem)
    values = measures.noise_ceiling_bootstrap(people, n_boot=n_boot, seed=seed, people=resample_people)
    cache.check_writable(folder, "resample cache")
    cache.save_array(path, values, {"kind": kind})
    return values


@dataclass(frozen=True, eq=False)
class MatrixScores:
    """One model x layer on a data set of human matrices.

    Attributes:
        cosine: (P,) the model's cosine dissimilarities, upper triangle of the images.
        probed: (P,) the same after the THINGS probe (features standardised with the THINGS
            mean and standard deviation, then transformed).
        correlation: (P,) correlation-distance dissimilarities of the raw features.
    """

    cosine: np.ndarray
    probed: np.ndarray
    correlation: np.ndarray

    def rdm(self, which: str = "cosine") -> np.ndarray:
        """One of the condensed vectors as a full (n, n) matrix with a zero diagonal."""
        vec = getattr(self, which)
        n = int(round((1 + np.sqrt(1 + 8 * len(vec))) / 2))
        out = np.zeros((n, n))
        rows, cols = np.triu_indices(n, k=1)
        out[rows, cols] = out[cols, rows] = vec
        return out


def matrix_scores(profile: Profile, spec: ModelSpec, layer: str, matrices: MatrixSet,
                  cfg: Settings | None = None) -> MatrixScores:
    """The model's dissimilarities over a data set's images, before and after the THINGS probe."""
    probe = things_scores(profile, spec, layer, cfg).probe
    feats = features_for(spec, layer, profile, matrices.stimuli)

    def compute() -> dict:
        moved = probe.apply(feats)
        return {"cosine": measures.upper_triangle(measures.model_rdm(feats)),
                "probed": measures.upper_triangle(measures.model_rdm(moved)),
                "correlation": measures.upper_triangle(measures.model_rdm(feats, "pearson"))}

    payload = {"features": _digest(feats), "probe": _digest(probe.weights, np.array([probe.mean, probe.std])),
               "matrices": matrices.name}
    arrays = _stored(f"matrices-{matrices.name}", spec, layer, payload, compute, cfg)
    return MatrixScores(cosine=arrays["cosine"], probed=arrays["probed"], correlation=arrays["correlation"])
