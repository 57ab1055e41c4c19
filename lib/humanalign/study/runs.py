"""The evaluation runs of a profile: odd-one-out accuracy, human baselines, the THINGS probes
and the transfer to held-out concepts.

Each run returns a tidy table (``model, dataset, layer, measure, value, ci_low, ci_high, n``)
cached through :mod:`humanalign.results` under a name keyed by the profile's content, so
that a rebuild reuses it. Every run takes ``tools`` (see :mod:`.toolkit`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .. import datasets, features, measures
from ..config import Settings, settings as current_settings
from ..registry import ModelSpec
from ..results import result_row as row
from .data import HUMAN_EMBEDDINGS, StudyData, concept_split, human_embedding, load_study_data
from .profiles import Profile
from .toolkit import Toolkit, cached, features_for, layers_of, resolve, specs_of

__all__ = ["evaluate", "evaluate_transfer", "human_baselines", "imagenet_top1", "things_probe", "transfer_probe"]


def _probe_path(profile: Profile, spec: ModelSpec, layer: str, cfg: Settings | None, split: bool) -> Path:
    """Where a probe fitted on the profile's triplets is kept: on all concepts, or (``split``)
    on the training concepts of :func:`~humanalign.study.concept_split`."""
    fields_ = ["dataset", "n_triplets", "seed", "lambdas", "n_folds", "probe_max_iter"]
    folder = f"{profile.dataset}-{profile.key(*fields_, 'train_fraction')}" if split else \
        f"{profile.dataset}-all-{profile.key(*fields_)}"
    safe = spec.id.replace("/", "__")
    return (cfg or current_settings()).cache_dir / "probes" / folder / f"{safe}--{layer}.npz"


def _fit(profile: Profile, feats: np.ndarray, triplets: np.ndarray) -> measures.ProbeResult:
    return measures.fit_probe(
        feats, triplets, lambdas=profile.lambdas, n_folds=profile.n_folds,
        seed=profile.seed, device=profile.device, max_iter=profile.probe_max_iter,
    )


def things_probe(profile: Profile, spec: ModelSpec, layer: str, feats: np.ndarray,
                 data: StudyData, cfg: Settings | None = None) -> measures.ProbeTransform:
    """The probe fitted on all of the profile's THINGS triplets (the one :func:`evaluate`
    scores), refitted on all objects at the cross-validated lambda; cached as .npz."""
    path = _probe_path(profile, spec, layer, cfg, split=False)
    if path.is_file():
        return measures.ProbeTransform.load_npz(path)
    probe = _fit(profile, feats, data.triplets.indices)
    probe.transform.save_npz(path)  # written atomically
    return probe.transform


def transfer_probe(profile: Profile, spec: ModelSpec, layer: str, feats: np.ndarray,
                   data: StudyData, train: np.ndarray, cfg: Settings | None = None) -> measures.ProbeTransform:
    """The probe fitted on the triplets among the training concepts (cached as .npz)."""
    path = _probe_path(profile, spec, layer, cfg, split=True)
    if path.is_file():
        return measures.ProbeTransform.load_npz(path)
    trip_train = datasets.restrict_triplets(data.triplets.indices, train, len(data.stimuli))
    probe = _fit(profile, feats[train], trip_train)
    probe.transform.save_npz(path)  # written atomically
    return probe.transform


def _zero_shot_rows(spec: ModelSpec, layer: str, feats: np.ndarray, profile: Profile, data: StudyData) -> list[dict]:
    correct = measures.odd_one_out_correct(feats, data.triplets.indices, similarity="cosine")
    ci = measures.bootstrap_ci(correct, n_boot=profile.n_boot, seed=profile.seed)
    return [row(spec.id, profile.dataset, layer, "zero_shot", correct.mean(), ci, len(correct))]


def _probe_rows(spec: ModelSpec, layer: str, feats: np.ndarray, profile: Profile, data: StudyData,
                cfg: Settings | None) -> list[dict]:
    probe = _fit(profile, feats, data.triplets.indices)
    probe.transform.save_npz(_probe_path(profile, spec, layer, cfg, split=False))
    values = {"probed": probe.accuracy, "zero_shot_heldout": probe.zero_shot, "lambda": probe.lambda_,
              **measures.convergence_summary(probe)}
    return [row(spec.id, profile.dataset, layer, measure, value) for measure, value in values.items()]


def imagenet_top1(spec: ModelSpec, stimuli, extract: Callable[..., np.ndarray] | None = None, **kwargs) -> float:
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
    logits = (extract or features.extract_features)(spec, stimuli, layer="logits", **kwargs)
    if logits.shape[1] != 1000:
        raise ValueError(f"Model {spec.id!r} gives {logits.shape[1]} logits, not 1000 ImageNet-1k classes.")
    return measures.top1_accuracy(logits, stimuli.labels["imagenet_index"])


def _top1_rows(spec: ModelSpec, profile: Profile, data: StudyData, tools: Toolkit | None) -> list[dict]:
    """Top-1 of the model's own classifier on the demo photos (ImageNet-1k labels)."""
    if not (profile.simulated and spec.logits and spec.logits_dim == 1000):
        return []
    top1 = imagenet_top1(spec, data.stimuli, resolve(tools).extract, batch_size=profile.batch_size,
                         device=profile.device, progress=False)
    return [row(spec.id, profile.dataset, "logits", "top1_demo", top1, n=len(data.stimuli))]


def evaluate(profile: Profile, cfg: Settings | None = None, tools: Toolkit | None = None) -> pd.DataFrame:
    """Zero-shot and probed odd-one-out accuracy of every model x layer of a profile.

    Measures (one row each, per model and layer):
        ``zero_shot``: cosine odd-one-out accuracy on all triplets, with a bootstrap CI;
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
        rows = []
        for spec in specs_of(profile, tools):
            for layer in layers_of(spec, profile):
                feats = features_for(spec, layer, profile, data.stimuli, tools)
                rows += _zero_shot_rows(spec, layer, feats, profile, data)
                rows += _probe_rows(spec, layer, feats, profile, data, cfg)
            rows += _top1_rows(spec, profile, data, tools)
        return pd.DataFrame(rows)

    return cached(name, compute)


def human_baselines(profile: Profile, cfg: Settings | None = None) -> pd.DataFrame:
    """Human reference points, as rows of the same tidy table as :func:`evaluate`.

    * ``noise_ceiling`` on the real 20k-trial set (``dataset`` ``things-20k``);
    * the VICE and SPoSE human embeddings scored (dot-product similarity, the choice model
      they were fitted with) on the real 20k trials and on the profile's triplets. For the
      demo the triplets were simulated from VICE, so VICE's accuracy there is the best a
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
        for model in HUMAN_EMBEDDINGS:
            emb = human_embedding(model, cfg)
            rows.append(scored(model, "things-20k", emb, trials.triplets.indices, trials.triplet_id))
            rows.append(scored(model, profile.dataset, emb[data.concept_index], data.triplets.indices))
        return pd.DataFrame(rows)

    return cached(name, compute)


def evaluate_transfer(profile: Profile, cfg: Settings | None = None, tools: Toolkit | None = None) -> pd.DataFrame:
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
        train, test = concept_split(len(data.stimuli), profile.train_fraction, profile.seed)
        vice_test = data.vice[test]
        human = datasets.HumanMatrix(
            vice_test @ vice_test.T, tuple(np.asarray(data.stimuli.ids)[test]), "similarity",
            "VICE 42-d dot-product similarity of the held-out concepts",
        )
        trip_test = datasets.restrict_triplets(data.triplets.indices, test, len(data.stimuli))
        ds = f"{profile.dataset}-heldout"
        rows = []
        for spec in specs_of(profile, tools):
            for layer in layers_of(spec, profile):
                feats = features_for(spec, layer, profile, data.stimuli, tools)
                transform = transfer_probe(profile, spec, layer, feats, data, train, cfg)
                rho = measures.transfer_rsa(feats[test], transform, human, metric="cosine")
                rows.append(row(spec.id, ds, layer, "rsa_zero_shot", rho["zero_shot"], n=len(test)))
                rows.append(row(spec.id, ds, layer, "rsa_transformed", rho["transformed"], n=len(test)))
                zs = measures.odd_one_out_correct(feats[test], trip_test, similarity="cosine")
                pr = measures.odd_one_out_correct(transform.apply(feats[test]), trip_test, similarity="dot")
                for measure, correct in (("heldout_zero_shot", zs), ("heldout_probed", pr)):
                    ci = measures.bootstrap_ci(correct, n_boot=profile.n_boot, seed=profile.seed)
                    rows.append(row(spec.id, ds, layer, measure, correct.mean(), ci, len(correct)))
        return pd.DataFrame(rows)

    return cached(name, compute)
