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
from ..measures import (
    _checks,
    odd_one_out,
    probe_device,
    probe_solver,
    probe_transform,
    probing,
    rsa,
    rsa_inference,
    trials,
)
from ..config import Settings, settings as current_settings
from ..datasets import MatrixSet, Stimuli
from ..features import extract_features
from ..profiles import Profile
from ..registry import UNTRAINED, ModelSpec
from .data import StudyData, load_study_data

__all__ = [
    "MatrixScores",
    "ThingsScores",
    "features_for",
    "layers_of",
    "matrix_scores",
    "specs_of",
    "things_scores",
    "trained",
    "trial_split",
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


def features_for(spec: ModelSpec, layer: str, profile: Profile, stimuli: Stimuli) -> np.ndarray:
    """(n, d) float32 features of some stimuli (cached by :mod:`humanalign.features`)."""
    return extract_features(spec, stimuli, layer=layer, batch_size=profile.batch_size,
                            device=profile.device, progress=False)


def _digest(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _probe_settings(profile: Profile) -> dict:
    return {"lambdas": list(profile.lambdas), "n_folds": profile.n_folds, "seed": profile.seed,
            "max_iter": profile.probe_max_iter, "rank": profile.probe_rank}


def _code_digest() -> str:
    """The source of the code that computes a stored score: a change to it recomputes the score."""
    return cache.source_digest(odd_one_out, probing, probe_solver, probe_transform, probe_device, rsa, rsa_inference,
                               trials, _checks, sys.modules[__name__])


def _stored(kind: str, spec: ModelSpec, layer: str, payload: dict, compute: Callable[[], dict],
            cfg: Settings | None) -> dict[str, np.ndarray]:
    """The arrays of one cached score, or compute and store them (atomically, with a record)."""
    payload = {**payload, "kind": kind, "code": _code_digest(),
               "libraries": cache.library_versions(("numpy", "torch", "scipy", "humanalign"))}
    key = cache.content_key(payload)
    folder = (cfg or current_settings()).cache_dir / "scores" / spec.id.replace("/", "__")
    path = folder / f"{kind}-{layer}-{key[:24]}.npz"
    if path.exists():
        arrays, problem = cache.load_arrays(path)
        if arrays is not None:
            return arrays
        cache.discard(path, problem)
    arrays = compute()
    cache.check_writable(folder, "score cache")
    cache.save_arrays(path, arrays, {"model": spec.id, "layer": layer, "kind": kind})
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
            "probe_grid_max_grad_norm")


def trial_split(profile: Profile, data: StudyData) -> tuple[np.ndarray, np.ndarray]:
    """The probe's folds around the real answers: ``(masks, fold)`` of
    :func:`humanalign.measures.trial_folds` (held-out objects per fold, fold per answer)."""
    trials = data.trials
    return measures.trial_folds(len(data.stimuli), trials.triplets.indices, trials.triplet_id,
                                profile.n_folds, profile.seed)


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

    payload = {"features": _digest(feats), "triplets": _digest(idx),
               "trials": _digest(answers, data.trials.triplet_id), "folds": _digest(masks), **_probe_settings(profile)}
    arrays = _stored("things", spec, layer, payload, compute, cfg)
    return ThingsScores(zero_shot=arrays["zero_shot"].astype(bool), probed=arrays["probed"].astype(bool),
                        fold=fold, probe=_transform_of(arrays),
                        summary=dict(zip(_SUMMARY, (float(v) for v in arrays["summary"]))))


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
