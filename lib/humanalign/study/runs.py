"""The evaluation runs of a profile: odd-one-out accuracy, human baselines and the transfer
to held-out concepts, as tidy tables derived from the per-unit scores of :mod:`.scores`.

Each run returns a tidy table (``model, dataset, layer, measure, value, ci_low, ci_high, n``)
cached through :mod:`humanalign.results` under a name keyed by the profile's content, so
that a rebuild reuses it.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from .. import cache, datasets, measures, results
from ..config import Settings
from ..errors import DataError
from ..features import extract_features
from ..profiles import Profile
from ..registry import ModelSpec
from ..results import result_row as row
from .data import load_study_data
from .scores import features_for, heldout_scores, layers_of, specs_of, things_scores
from .tables import attach_metadata

__all__ = ["cached", "evaluate", "evaluate_transfer", "human_baselines", "imagenet_top1", "transfer_wide"]


def cached(name: str, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The cached result table ``name``, or compute it and cache it with the features it used."""
    try:
        return results.load_results(name)
    except DataError:
        pass  # not computed yet, or no longer matching its record or its features
    with cache.record_use() as used:
        table = compute()
    results.save_results(table, name, inputs=used)
    return table


def imagenet_top1(spec: ModelSpec, stimuli, extract: Callable[..., np.ndarray] = extract_features, **kwargs) -> float:
    """Top-1 accuracy of a classifier's own logits on stimuli labelled with ImageNet classes.

    Args:
        spec: A model with ImageNet-1k logits.
        stimuli: :class:`~humanalign.datasets.Stimuli` with label ``imagenet_index`` (the demo photos).
        extract: The feature extractor (default :func:`humanalign.features.extract_features`).
        **kwargs: Passed to ``extract``.

    Raises:
        ValueError: the model has no logits or not 1000 of them, or the stimuli carry no
            ``imagenet_index``.
    """
    spec.layer_module("logits")
    if "imagenet_index" not in stimuli.labels:
        raise ValueError(f"Stimuli {stimuli.name!r} have no 'imagenet_index' label; use load_demo_stimuli().")
    logits = extract(spec, stimuli, layer="logits", **kwargs)
    if logits.shape[1] != 1000:
        raise ValueError(f"Model {spec.id!r} gives {logits.shape[1]} logits, not 1000 ImageNet-1k classes.")
    return measures.top1_accuracy(logits, stimuli.labels["imagenet_index"])


def _top1_rows(spec: ModelSpec, profile: Profile, stimuli) -> list[dict]:
    """Top-1 of the model's own classifier on the demo photos (ImageNet-1k labels)."""
    if not (profile.simulated and spec.logits and spec.logits_dim == 1000):
        return []
    top1 = imagenet_top1(spec, stimuli, batch_size=profile.batch_size, device=profile.device, progress=False)
    return [row(spec.id, profile.dataset, "logits", "top1_demo", top1, n=len(stimuli))]


def _accuracy_rows(spec: ModelSpec, layer: str, profile: Profile, cfg: Settings | None,
                   ci: tuple[float, float]) -> list[dict]:
    scores = things_scores(profile, spec, layer, cfg)
    out = [row(spec.id, profile.dataset, layer, "zero_shot", scores.zero_shot.mean(), ci, len(scores.zero_shot))]
    return out + [row(spec.id, profile.dataset, layer, measure, value) for measure, value in scores.summary.items()]


def _concept_intervals(profile: Profile, pairs: list[tuple[ModelSpec, str]], objects: np.ndarray,
                       cfg: Settings | None) -> list[tuple[float, float]]:
    """The zero-shot accuracy interval of every model x layer, the concepts (with their
    triplets) resampled: one bootstrap for all, so the draws are shared."""
    if not pairs:
        return []
    correct = np.stack([things_scores(profile, spec, layer, cfg).zero_shot for spec, layer in pairs], axis=1)
    boot = measures.concept_bootstrap(correct, objects, n_boot=profile.n_boot, seed=profile.seed)
    return [measures.interval(boot[:, j]) for j in range(len(pairs))]


def evaluate(profile: Profile, cfg: Settings | None = None) -> pd.DataFrame:
    """Zero-shot and probed odd-one-out accuracy of every model x layer of a profile.

    Measures (one row each, per model and layer):
        ``zero_shot``: cosine odd-one-out accuracy on all triplets, with a bootstrap CI
        that resamples the concepts with their triplets;
        ``probed``: mean held-out accuracy of the linear probe over the object folds;
        ``zero_shot_heldout``: zero-shot accuracy on the same held-out triplets;
        ``lambda``: the probe's chosen regularisation; ``probe_*``: its convergence report;
        ``top1_demo``: top-1 of the model's own classifier on the stimuli (logits models
        on the demo, whose photos carry ImageNet labels).

    Returns:
        Tidy DataFrame, cached under ``results/evaluate-<profile>-<key>.csv``.
    """
    name = f"evaluate-{profile.name}-{profile.key('models', 'dataset', 'layers', 'n_triplets', 'seed', 'n_boot', 'lambdas', 'n_folds', 'probe_max_iter')}"

    def compute() -> pd.DataFrame:
        data = load_study_data(profile, cfg)
        pairs = [(spec, layer) for spec in specs_of(profile) for layer in layers_of(spec, profile)]
        intervals = dict(zip(pairs, _concept_intervals(profile, pairs, data.triplets.indices, cfg)))
        rows = []
        for spec in specs_of(profile):
            for layer in layers_of(spec, profile):
                rows += _accuracy_rows(spec, layer, profile, cfg, intervals[(spec, layer)])
            rows += _top1_rows(spec, profile, data.stimuli)
        return pd.DataFrame(rows)

    return cached(name, compute)


def human_baselines(profile: Profile, cfg: Settings | None = None) -> pd.DataFrame:
    """Human reference points, as rows of the same tidy table as :func:`evaluate`.

    * ``noise_ceiling`` on the real 20k-trial set (``dataset`` ``things-20k``);
    * every human embedding of the data-set registry (dot-product similarity, the choice
      model they were fitted with) on the real 20k trials and on the profile's triplets. For
      the demo the triplets were simulated from VICE, so VICE's accuracy there is the best a
      model can expect, not an independent baseline.
    """
    name = f"baselines-{profile.name}-{profile.key('dataset', 'n_triplets', 'seed', 'n_boot')}"

    def scored(model: str, dataset: str, emb: np.ndarray, triplets: np.ndarray, groups=None) -> dict:
        correct = measures.odd_one_out_correct(emb, triplets, similarity="dot")
        ci = measures.bootstrap_ci(correct, n_boot=profile.n_boot, seed=profile.seed, groups=groups)
        return row(model, dataset, "-", "zero_shot", correct.mean(), ci, len(correct))

    def compute() -> pd.DataFrame:
        trials = datasets.load_noise_ceiling_trials(cfg)
        data = load_study_data(profile, cfg)
        rows = [row("human/noise_ceiling", "things-20k", "-", "noise_ceiling",
                    measures.noise_ceiling(trials.triplets.indices, trials.triplet_id), n=len(trials.triplet_id))]
        for name_ in datasets.dataset_names("embedding"):
            emb = datasets.load_dataset("embedding", name_, cfg)
            rows.append(scored(f"human/{name_}", "things-20k", emb, trials.triplets.indices, trials.triplet_id))
            # On the profile's triplets the concepts are resampled (objects bootstrap); on the
            # 20k set, the distinct triplets that many people answered.
            rows.append(scored(f"human/{name_}", profile.dataset, emb[data.concept_index], data.triplets.indices,
                               data.triplets.indices))
        return pd.DataFrame(rows)

    return cached(name, compute)


def evaluate_transfer(profile: Profile, cfg: Settings | None = None) -> pd.DataFrame:
    """Does a probe fitted on THINGS triplets improve alignment on concepts it never saw?

    The probe is fitted on triplets among a seeded ``train_fraction`` of the concepts and
    tested on the other concepts: RSA (Spearman) of the model's cosine similarity against
    VICE dot-product similarity, zero-shot vs transformed, and odd-one-out accuracy on the
    held-out triplets (zero-shot cosine vs transformed dot product). The transfer to other
    human data sets is :func:`humanalign.study.evaluate_rsa`.

    Returns:
        Tidy DataFrame with measures ``rsa_zero_shot``, ``rsa_transformed``,
        ``heldout_zero_shot``, ``heldout_probed`` (dataset ``<dataset>-heldout``).
    """
    name = f"transfer-{profile.name}-{profile.key('models', 'dataset', 'layers', 'n_triplets', 'seed', 'lambdas', 'n_folds', 'probe_max_iter', 'train_fraction')}"

    def compute() -> pd.DataFrame:
        data = load_study_data(profile, cfg)
        ds = f"{profile.dataset}-heldout"
        rows = []
        for spec in specs_of(profile):
            for layer in layers_of(spec, profile):
                held = heldout_scores(profile, spec, layer, cfg)
                vice_test = data.vice[held.test]
                human = datasets.HumanMatrix(
                    vice_test @ vice_test.T, tuple(np.asarray(data.stimuli.ids)[held.test]), "similarity",
                    "VICE 42-d dot-product similarity of the held-out concepts",
                )
                feats = features_for(spec, layer, profile, data.stimuli)
                rho = measures.transfer_rsa(feats[held.test], held.probe, human, metric="cosine")
                rows.append(row(spec.id, ds, layer, "rsa_zero_shot", rho["zero_shot"], n=len(held.test)))
                rows.append(row(spec.id, ds, layer, "rsa_transformed", rho["transformed"], n=len(held.test)))
                for measure, correct in (("heldout_zero_shot", held.zero_shot), ("heldout_probed", held.probed)):
                    ci = measures.bootstrap_ci(correct, n_boot=profile.n_boot, seed=profile.seed)
                    rows.append(row(spec.id, ds, layer, measure, correct.mean(), ci, len(correct)))
        return pd.DataFrame(rows)

    return cached(name, compute)


def transfer_wide(results: pd.DataFrame, profile: Profile, layer: str = "penultimate") -> pd.DataFrame:
    """:func:`evaluate_transfer`'s table as one row per model (one column per measure), with metadata."""
    part = results[results["layer"] == layer]
    wide = part.pivot_table(index="model", columns="measure", values="value").reset_index()
    return attach_metadata(wide, profile)
