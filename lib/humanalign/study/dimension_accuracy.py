"""Odd-one-out accuracy per VICE concept dimension on people's real answers, and the
dimensions' names."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import datasets, measures
from ..config import Settings
from ..profiles import LAYERS, Profile
from .human_data import EMBEDDING, load_study_data
from .runs import cached, table_name
from .scores import layers_of, ridge_scores, specs_of, things_scores, trained
from .summaries import attach_metadata

__all__ = ["answer_labels", "concept_answers", "concept_correctness", "concepts_by_group", "dimension_names",
           "dimension_r2", "dimension_table", "evaluate_concepts", "term_r2"]


def dimension_table(top: int = 10, cfg: Settings | None = None) -> pd.DataFrame:
    """The 42 VICE dimensions: the reviewed name and concept term of each (the package's
    hand-checked table, the registry's ``vice-dimensions``) beside the evidence
    computed from the data (:func:`humanalign.measures.describe_dimensions`: the THINGS
    category most enriched among the ``top`` heaviest objects, its enrichment, the objects)."""
    computed = measures.describe_dimensions(
        datasets.load_dataset("embedding", EMBEDDING, cfg), datasets.load_dataset("tables", "things-concepts", cfg),
        datasets.load_dataset("tables", "things-categories", cfg), top=top,
    ).rename(columns={"name": "computed_name"})
    reviewed = datasets.load_dataset("tables", "vice-dimensions", cfg)[["dimension", "name", "term"]]
    return computed.merge(reviewed, on="dimension", how="left")


def dimension_names(top: int = 10, cfg: Settings | None = None) -> list[str]:
    """The reviewed names of the 42 VICE dimensions."""
    return list(dimension_table(top, cfg)["name"])


def answer_labels(profile: Profile, cfg: Settings | None = None) -> np.ndarray:
    """(N,) the VICE dimension of each real answer: the dimension that decides its triplet.

    A distinct triplet is labelled by the pair most people kept together
    (:func:`humanalign.measures.modal_triplets`): ``argmax_d (e_a + e_b)_d / 2`` over that
    pair's VICE rows (:func:`humanalign.measures.concept_labels`); every answer to it,
    agreeing or not, carries that label.
    """
    data = load_study_data(profile, cfg)
    trials = data.trials
    modal = measures.modal_triplets(trials.triplets.indices, trials.triplet_id)
    return measures.concept_labels(data.vice, modal)[trials.triplet_id]


def concept_answers(profile: Profile, cfg: Settings | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The real answers :func:`concept_correctness` scores: each answer's distinct triplet and
    person, and whether the VICE embedding itself (dot-product choice) agrees with it.

    Returns:
        ``(triplet_id, people, vice_correct)``: (N,) int64, (N,) and (N,) bool.
    """
    data = load_study_data(profile, cfg)
    trials = data.trials
    vice_correct = measures.odd_one_out_correct(data.vice, trials.triplets.indices, similarity="dot")
    return trials.triplet_id, trials.triplets.participants, vice_correct


def concept_correctness(profile: Profile, kind: str = "zero_shot",
                        cfg: Settings | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per-answer correctness of every trained model on people's real answers, with each
    answer's VICE dimension (:func:`answer_labels`).

    ``zero_shot`` scores the cosine choice; ``probed`` the choice of a probe that never saw
    the answer's three objects. Every model is scored on the same answers, so comparisons
    between dimensions and models are paired.

    Returns:
        ``(correct, labels, models)``: (N, M) bool, (N,) int64 dimensions, the M model ids.
    """
    if kind not in ("zero_shot", "probed"):
        raise ValueError(f"kind must be 'zero_shot' or 'probed', not {kind!r}.")
    specs = trained(specs_of(profile))
    labels = answer_labels(profile, cfg)
    scores = [things_scores(profile, s, "penultimate", cfg) for s in specs]
    columns = [sc.zero_shot if kind == "zero_shot" else sc.probed for sc in scores]
    correct = np.stack(columns, axis=1) if columns else np.zeros((len(labels), 0), dtype=bool)
    return correct, labels, [s.id for s in specs]


def _by_concept(model: str, layer: str, kind: str, correct: np.ndarray, labels: np.ndarray, n_dims: int) -> pd.DataFrame:
    table = measures.accuracy_by_concept(correct, labels, n_dims).copy()
    table.insert(0, "kind", kind)
    table.insert(0, "layer", layer)
    table.insert(0, "model", model)
    return table


def evaluate_concepts(profile: Profile, layer: str = "penultimate", cfg: Settings | None = None) -> pd.DataFrame:
    """Odd-one-out accuracy per VICE concept dimension on people's real answers, for every
    model of a profile, zero-shot and probed (:func:`answer_labels` labels the answers).

    Returns:
        DataFrame with columns ``model, layer, kind, dimension, name, n, accuracy`` (``n``:
        answers on that dimension).
    """
    if layer not in LAYERS:
        raise ValueError(f"Unknown layer {layer!r}; choose from {list(LAYERS)}.")
    name = table_name("concepts", profile, layer)

    def compute() -> pd.DataFrame:
        data = load_study_data(profile, cfg)
        n_dims = data.vice.shape[1]
        labels = answer_labels(profile, cfg)
        frames = []
        for spec in specs_of(profile):
            if layer not in layers_of(spec, profile):
                continue
            scores = things_scores(profile, spec, layer, cfg)
            frames.append(_by_concept(spec.id, layer, "zero_shot", scores.zero_shot, labels, n_dims))
            frames.append(_by_concept(spec.id, layer, "probed", scores.probed, labels, n_dims))
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
    dimension without resting on the few real answers each dimension has.

    Returns:
        One row per model and dimension: ``model, dimension, name, term, r2``.
    """
    frames = [pd.DataFrame({"dimension": np.arange(len(r2)), "r2": r2, "model": spec.id})
              for spec in trained(specs_of(profile)) for r2 in [ridge_scores(profile, spec, "penultimate", cfg)]]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["model", "dimension", "r2"])
    names = datasets.load_dataset("tables", "vice-dimensions", cfg)[["dimension", "name", "term"]]
    return table.merge(names, on="dimension", how="left")[["model", "dimension", "name", "term", "r2"]]


def term_r2(r2: pd.DataFrame) -> pd.DataFrame:
    """Mean held-out R^2 over the dimensions of each term and over the dimensions of no term,
    averaged over models: ``term, dimensions, r2`` (descriptive; no interval)."""
    per_dim = r2.groupby(["dimension", "term"], dropna=False)["r2"].mean().reset_index()
    per_dim["term"] = per_dim["term"].fillna("").replace("", "(no term)")
    out = per_dim.groupby("term").agg(dimensions=("dimension", "count"), r2=("r2", "mean")).reset_index()
    return out.sort_values("r2", ascending=False).reset_index(drop=True)
