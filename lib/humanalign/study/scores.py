"""Per-unit scores of one model x layer, computed once and cached by their content.

Every table and every verdict of the book derives from three kinds of per-unit result,
each computed here and nowhere else:

:func:`things_scores`
    On the profile's THINGS triplets: each triplet's zero-shot correctness, each triplet's
    held-out correctness under the probe's object-wise cross-validation, and the probe
    refitted on all objects (the transform every transfer applies).
:func:`heldout_scores`
    The transfer split: a probe fitted on the triplets among a share of the concepts, and
    each held-out triplet's zero-shot and probed correctness.
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
from ..config import Settings, settings as current_settings
from ..datasets import MatrixSet, Stimuli, restrict_triplets
from ..features import extract_features
from ..profiles import Profile
from ..registry import UNTRAINED, ModelSpec
from .data import StudyData, concept_split, load_study_data

__all__ = [
    "HeldOutScores",
    "MatrixScores",
    "ThingsScores",
    "features_for",
    "heldout_scores",
    "heldout_split",
    "layers_of",
    "matrix_scores",
    "specs_of",
    "things_scores",
    "trained",
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
            "max_iter": profile.probe_max_iter}


def _code_digest() -> str:
    """The source of the code that computes a stored score: a change to it recomputes the score."""
    from ..measures import _checks, odd_one_out, probe_device, probe_solver, probe_transform, probing, rsa, rsa_inference

    return cache.source_digest(odd_one_out, probing, probe_solver, probe_transform, probe_device, rsa, rsa_inference,
                               _checks, sys.modules[__name__])


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


def _fit(profile: Profile, feats: np.ndarray, triplets: np.ndarray) -> measures.ProbeResult:
    return measures.fit_probe(feats, triplets, lambdas=profile.lambdas, n_folds=profile.n_folds,
                              seed=profile.seed, device=profile.device, max_iter=profile.probe_max_iter)


@dataclass(frozen=True, eq=False)
class ThingsScores:
    """One model x layer on the profile's THINGS triplets.

    Attributes:
        zero_shot: (N,) bool, the cosine odd-one-out choice is the human's (simulated for the demo).
        probed: (N,) bool, the probe's held-out choice is right (False where ``test_mask`` is False).
        test_mask: (N,) bool, the triplet was a test triplet of one object-wise fold.
        probe: The probe refitted on all objects at the chosen lambda.
        summary: ``probed`` (mean of the folds' held-out accuracies), ``zero_shot_heldout``,
            ``lambda`` and the probe's convergence report (see
            :func:`humanalign.measures.convergence_summary`).
    """

    zero_shot: np.ndarray
    probed: np.ndarray
    test_mask: np.ndarray
    probe: measures.ProbeTransform
    summary: dict[str, float]


_SUMMARY = ("probed", "zero_shot_heldout", "lambda", "probe_refit_n_iter", "probe_refit_grad_norm",
            "probe_refit_rel_change", "probe_refit_hit_cap", "probe_grid_fits", "probe_grid_fits_hit_cap",
            "probe_grid_max_grad_norm")


def things_scores(profile: Profile, spec: ModelSpec, layer: str, cfg: Settings | None = None) -> ThingsScores:
    """Zero-shot and probed per-triplet correctness of one model x layer, and its THINGS probe."""
    data = load_study_data(profile, cfg)
    feats = features_for(spec, layer, profile, data.stimuli)
    idx = data.triplets.indices

    def compute() -> dict:
        probe = _fit(profile, feats, idx)
        summary = {"probed": probe.accuracy, "zero_shot_heldout": probe.zero_shot, "lambda": probe.lambda_,
                   **measures.convergence_summary(probe)}
        return {"zero_shot": measures.odd_one_out_correct(feats, idx, similarity="cosine"),
                "probed": probe.test_correct, "test_mask": probe.test_mask,
                "summary": np.array([summary[k] for k in _SUMMARY], dtype=np.float64),
                **_transform_arrays(probe.transform)}

    payload = {"features": _digest(feats), "triplets": _digest(idx), **_probe_settings(profile)}
    arrays = _stored("things", spec, layer, payload, compute, cfg)
    return ThingsScores(zero_shot=arrays["zero_shot"].astype(bool), probed=arrays["probed"].astype(bool),
                        test_mask=arrays["test_mask"].astype(bool), probe=_transform_of(arrays),
                        summary=dict(zip(_SUMMARY, (float(v) for v in arrays["summary"]))))


@dataclass(frozen=True, eq=False)
class HeldOutScores:
    """One model x layer on the transfer split: a probe fitted on the training concepts.

    Attributes:
        train: (n_train,) rows of the training concepts; ``test``: (n_test,) the held-out ones.
        triplets: (N_test, 3) the triplets among held-out concepts, re-indexed into ``test``.
        zero_shot: (N_test,) bool, cosine zero-shot correctness on them.
        probed: (N_test,) bool, correctness of the probe fitted on the training concepts.
        probe: That probe.
    """

    train: np.ndarray
    test: np.ndarray
    triplets: np.ndarray
    zero_shot: np.ndarray
    probed: np.ndarray
    probe: measures.ProbeTransform


def heldout_split(profile: Profile, data: StudyData) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(train, test, train_triplets, test_triplets)`` of the profile's transfer split."""
    train, test = concept_split(len(data.stimuli), profile.train_fraction, profile.seed)
    n = len(data.stimuli)
    return (train, test, restrict_triplets(data.triplets.indices, train, n),
            restrict_triplets(data.triplets.indices, test, n))


def heldout_scores(profile: Profile, spec: ModelSpec, layer: str, cfg: Settings | None = None) -> HeldOutScores:
    """Zero-shot and probed correctness on the held-out concepts' triplets (the transfer split)."""
    data = load_study_data(profile, cfg)
    feats = features_for(spec, layer, profile, data.stimuli)
    train, test, trip_train, trip_test = heldout_split(profile, data)

    def compute() -> dict:
        probe = _fit(profile, feats[train], trip_train).transform
        return {"zero_shot": measures.odd_one_out_correct(feats[test], trip_test, similarity="cosine"),
                "probed": measures.odd_one_out_correct(probe.apply(feats[test]), trip_test, similarity="dot"),
                **_transform_arrays(probe)}

    payload = {"features": _digest(feats), "triplets": _digest(data.triplets.indices), "train": _digest(train),
               **_probe_settings(profile)}
    arrays = _stored("heldout", spec, layer, payload, compute, cfg)
    return HeldOutScores(train=train, test=test, triplets=trip_test, zero_shot=arrays["zero_shot"].astype(bool),
                         probed=arrays["probed"].astype(bool), probe=_transform_of(arrays))


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
