"""Odd-one-out accuracy per VICE concept dimension, and the dimensions' names."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import datasets, measures
from ..config import Settings
from ..profiles import LAYERS, Profile
from .data import load_study_data
from .runs import cached
from .scores import features_for, heldout_scores, heldout_split, layers_of, specs_of, things_scores, trained
from .tables import attach_metadata

__all__ = ["concept_correctness", "concept_triplets", "concepts_by_group", "dimension_r2", "term_r2", "dimension_names", "dimension_table", "evaluate_concepts",
           "heldout_labels"]


def dimension_table(top: int = 10, cfg: Settings | None = None) -> pd.DataFrame:
    """The 42 VICE dimensions: the reviewed name and concept term of each (the package's
    hand-checked table, :func:`humanalign.datasets.load_vice_dimensions`) beside the evidence
    computed from the data (:func:`humanalign.measures.describe_dimensions`: the THINGS
    category most enriched among the ``top`` heaviest objects, its enrichment, the objects)."""
    computed = measures.describe_dimensions(
        datasets.load_vice(cfg), datasets.load_concepts(cfg), datasets.load_category_matrix(cfg), top=top,
    ).rename(columns={"name": "computed_name"})
    reviewed = datasets.load_vice_dimensions(cfg)[["dimension", "name", "term"]]
    return computed.merge(reviewed, on="dimension", how="left")


def dimension_names(top: int = 10, cfg: Settings | None = None) -> list[str]:
    """The reviewed names of the 42 VICE dimensions."""
    return list(dimension_table(top, cfg)["name"])


def concept_triplets(profile: Profile, kind: str = "zero_shot",
                     cfg: Settings | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The triplets that :func:`concept_correctness` scores, as concept indices, and whether
    the VICE embedding itself (dot-product choice) gets each right.

    Returns:
        ``(objects, vice_correct)``: (N, 3) int64 and (N,) bool.
    """
    data = load_study_data(profile, cfg)
    if kind == "zero_shot":
        objects, emb = data.triplets.indices, data.vice
    else:
        _train, test, _trip_train, objects = heldout_split(profile, data)
        emb = data.vice[test]
    return np.asarray(objects), measures.odd_one_out_correct(emb, objects, similarity="dot")


def heldout_labels(profile: Profile, cfg: Settings | None = None) -> np.ndarray:
    """(N_test,) the VICE dimension of each held-out triplet of the transfer split."""
    data = load_study_data(profile, cfg)
    _train, test, _trip_train, trip_test = heldout_split(profile, data)
    return measures.concept_labels(data.vice[test], trip_test)


def concept_correctness(profile: Profile, kind: str = "zero_shot",
                        cfg: Settings | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per-triplet correctness of every trained model, with each triplet's VICE dimension.

    ``zero_shot`` scores all triplets of the profile (cosine); ``probed`` the held-out
    triplets of the transfer split with the probe fitted on the other concepts, as
    :func:`evaluate_concepts` does. Every model is scored on the same triplets, so
    comparisons between dimensions and models can be paired.

    Returns:
        ``(correct, labels, models)``: (N, M) bool, (N,) int64 dimensions, the M model ids.
    """
    if kind not in ("zero_shot", "probed"):
        raise ValueError(f"kind must be 'zero_shot' or 'probed', not {kind!r}.")
    data = load_study_data(profile, cfg)
    specs = trained(specs_of(profile))
    if kind == "zero_shot":
        labels = measures.concept_labels(data.vice, data.triplets.indices)
        columns = [things_scores(profile, s, "penultimate", cfg).zero_shot for s in specs]
    else:
        labels = heldout_labels(profile, cfg)
        columns = [heldout_scores(profile, s, "penultimate", cfg).probed for s in specs]
    correct = np.stack(columns, axis=1) if columns else np.zeros((len(labels), 0), dtype=bool)
    return correct, labels, [s.id for s in specs]


def _by_concept(model: str, layer: str, kind: str, correct: np.ndarray, labels: np.ndarray, n_dims: int) -> pd.DataFrame:
    table = measures.accuracy_by_concept(correct, labels, n_dims).copy()
    table.insert(0, "kind", kind)
    table.insert(0, "layer", layer)
    table.insert(0, "model", model)
    return table


def evaluate_concepts(profile: Profile, layer: str = "penultimate", cfg: Settings | None = None) -> pd.DataFrame:
    """Odd-one-out accuracy per VICE concept dimension, for every model of a profile.

    Each triplet is labelled with the VICE dimension that dominates its similar pair.
    ``zero_shot`` uses all triplets; ``probed`` uses the held-out triplets of the transfer
    split (among concepts the probe never saw), so its ``n`` per dimension is smaller.

    Returns:
        DataFrame with columns ``model, layer, kind, dimension, name, n, accuracy``.
    """
    if layer not in LAYERS:
        raise ValueError(f"Unknown layer {layer!r}; choose from {list(LAYERS)}.")
    name = f"concepts-{profile.name}-{layer}-{profile.key('models', 'dataset', 'n_triplets', 'seed', 'lambdas', 'n_folds', 'probe_max_iter', 'train_fraction')}"

    def compute() -> pd.DataFrame:
        data = load_study_data(profile, cfg)
        n_dims = data.vice.shape[1]
        labels_all = measures.concept_labels(data.vice, data.triplets.indices)
        frames = []
        for spec in specs_of(profile):
            if layer not in layers_of(spec, profile):
                continue
            held = heldout_scores(profile, spec, layer, cfg)
            held_labels = measures.concept_labels(data.vice[held.test], held.triplets)
            frames.append(_by_concept(spec.id, layer, "zero_shot", things_scores(profile, spec, layer, cfg).zero_shot,
                                      labels_all, n_dims))
            frames.append(_by_concept(spec.id, layer, "probed", held.probed, held_labels, n_dims))
        out = pd.concat(frames, ignore_index=True)
        # Stored in the tidy layout of the results cache; the extra columns are kept.
        out["dataset"] = profile.dataset
        out["measure"] = [f"{k}/dim{int(d):02d}" for k, d in zip(out["kind"], out["dimension"])]
        out["value"] = out["accuracy"]
        return out

    table = cached(name, compute)
    # Names are computed here rather than stored, so a cached table follows the current naming rule.
    names = dimension_names(cfg=cfg)
    table = table.assign(name=[names[int(d)] for d in table["dimension"]])
    return table[["model", "layer", "kind", "dimension", "name", "n", "accuracy"]].reset_index(drop=True)


def concepts_by_group(concepts: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    """:func:`evaluate_concepts`'s table averaged within training-data groups: one row per
    kind x training data x dimension (``accuracy`` the mean over models, ``n`` summed)."""
    return (attach_metadata(concepts, profile)
            .groupby(["kind", "training_data", "dimension", "name"], as_index=False)
            .agg(accuracy=("accuracy", "mean"), n=("n", "sum")))


def dimension_r2(profile: Profile, cfg: Settings | None = None) -> pd.DataFrame:
    """How well each trained model's penultimate features predict each VICE dimension:
    held-out R^2 of a ridge regression over the profile's concepts
    (:func:`humanalign.measures.ridge_r2`, folds over concepts).

    VICE was fitted to real people's choices, so this complements the accuracy per
    dimension without resting on the triplets (in the demo, simulated from VICE).

    Returns:
        One row per model and dimension: ``model, dimension, name, term, r2``.
    """
    data = load_study_data(profile, cfg)
    frames = [measures.ridge_r2(features_for(spec, "penultimate", profile, data.stimuli), data.vice,
                                n_folds=profile.n_folds, seed=profile.seed).assign(model=spec.id)
              for spec in trained(specs_of(profile))]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["model", "dimension", "r2"])
    names = datasets.load_vice_dimensions(cfg)[["dimension", "name", "term"]]
    return table.merge(names, on="dimension", how="left")[["model", "dimension", "name", "term", "r2"]]


def term_r2(r2: pd.DataFrame) -> pd.DataFrame:
    """Mean held-out R^2 over the dimensions of each term and over the dimensions of no term,
    averaged over models: ``term, dimensions, r2`` (descriptive; no interval)."""
    per_dim = r2.groupby(["dimension", "term"], dropna=False)["r2"].mean().reset_index()
    per_dim["term"] = per_dim["term"].fillna("").replace("", "(no term)")
    out = per_dim.groupby("term").agg(dimensions=("dimension", "count"), r2=("r2", "mean")).reset_index()
    return out.sort_values("r2", ascending=False).reset_index(drop=True)
