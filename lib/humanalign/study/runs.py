"""The evaluation runs of a profile: odd-one-out accuracy on people's real answers and the
human baselines on the same answers, as tidy tables derived from the per-unit scores of
:mod:`.scores`.

Each run returns a tidy table (``model, dataset, layer, measure, value, ci_low, ci_high, n``)
cached through :mod:`humanalign.results` under a name keyed by the profile's content, so
that a rebuild reuses it.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
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
from .human_data import ANSWERS, load_study_data
from .scores import crossed_resamples, layers_of, specs_of, things_scores

__all__ = ["MIN_DISTINCT", "cached", "evaluate", "human_baselines", "imagenet_top1", "real_trial_counts",
           "table_name", "trial_intervals"]

#: Distinct real triplets below which the pages say the real answers are too few to compare
#: models: with fewer, a 95 % interval of an accuracy near 0.5 is wider than about +-0.1, as
#: wide as the whole spread between models. (The demo has 989.)
MIN_DISTINCT = 100


def table_name(kind: str, profile: Profile, *parts: str) -> str:
    """The results-cache name of one of a profile's tables, keyed by everything it depends on:
    every setting of the profile (:meth:`~humanalign.profiles.Profile.key`, all fields) and
    the source of the code that computes tables and scores (the study and the measures), so
    that no setting or code change can leave an old table in use. The feature files a table
    was computed from are checked when it is read (:func:`cached`)."""
    key = cache.content_key({"profile": profile.key(), "parts": parts, "code": _code_digest()})
    return "-".join([kind, profile.name, *parts, key[:16]])


@functools.cache
def _code_digest() -> str:
    """sha256 of the source files of the study and measures packages (read once per process)."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted([*(package / "study").rglob("*.py"), *(package / "measures").rglob("*.py")]):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


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
    """Top-1 accuracy of a classifier's own logits on the stimuli labelled with an ImageNet class.

    Only the images whose ``imagenet_index`` is a class (not -1) are run, as their own
    stimulus set (``<name>-imagenet``).

    Args:
        spec: A model with ImageNet-1k logits.
        stimuli: :class:`~humanalign.datasets.Stimuli` with label ``imagenet_index`` (the demo
            photos: 333 of their concepts are ImageNet-1k classes).
        extract: The feature extractor (default :func:`humanalign.features.extract_features`).
        **kwargs: Passed to ``extract``.

    Raises:
        ValueError: the model has no logits or not 1000 of them, or no stimulus carries an
            ImageNet class.
    """
    spec.layer_module("logits")
    classes = [int(c) for c in stimuli.labels.get("imagenet_index", ())]
    rows = [i for i, c in enumerate(classes) if c >= 0]
    if not rows:
        raise ValueError(f"No image of {stimuli.name!r} is labelled with an ImageNet-1k class ('imagenet_index'); "
                         "use load_demo_stimuli().")
    labelled = datasets.Stimuli(f"{stimuli.name}-imagenet", tuple(stimuli.ids[i] for i in rows),
                                tuple(stimuli.paths[i] for i in rows))
    logits = extract(spec, labelled, layer="logits", **kwargs)
    if logits.shape[1] != 1000:
        raise ValueError(f"Model {spec.id!r} gives {logits.shape[1]} logits, not 1000 ImageNet-1k classes.")
    return measures.top1_accuracy(logits, np.asarray(classes)[rows])


def trial_intervals(profile: Profile, correct: np.ndarray, cfg: Settings | None = None) -> list[tuple[float, float]]:
    """The 95 % interval of each column's mean over the real answers, distinct triplets and
    people resampled together (one crossed bootstrap for all columns: the draws are shared).

    Args:
        correct: (N, k) per-answer values of k models (or measures).
    """
    trials = load_study_data(profile, cfg).trials
    if correct.shape[1] == 0:
        return []
    boot = crossed_resamples(correct, trials.triplet_id, trials.triplets.participants, profile.n_boot, profile.seed,
                             cfg)
    return [measures.interval(boot[:, j]) for j in range(correct.shape[1])]


def evaluate(profile: Profile, cfg: Settings | None = None) -> pd.DataFrame:
    """Zero-shot and probed odd-one-out accuracy of every model x layer on people's real
    answers (the THINGS triplets many people answered that lie among the profile's concepts).

    Measures (one row each, per model and layer):
        ``zero_shot``: cosine odd-one-out accuracy over the real answers;
        ``probed``: accuracy of the linear probe on the same answers, each scored by a probe
        that never saw any of its three objects; both with 95 % intervals resampling the
        distinct triplets and the people (crossed, shared draws);
        ``probed_simulated`` and ``zero_shot_simulated``: held-out accuracy on the profile's
        own triplets (simulated from VICE in the demo); ``lambda``: the probe's chosen
        regularisation; ``probe_*``: its convergence report;
        ``top1_demo``: top-1 of the model's own classifier on the photos of concepts that
        are ImageNet-1k classes.

    Returns:
        Tidy DataFrame (``dataset`` is the profile's), cached under
        ``results/evaluate-<profile>-<key>.csv``.
    """
    name = table_name("evaluate", profile)

    def compute() -> pd.DataFrame:
        data = load_study_data(profile, cfg)
        pairs = [(spec, layer) for spec in specs_of(profile) for layer in layers_of(spec, profile)]
        scores = {pair: things_scores(profile, *pair, cfg) for pair in pairs}
        n = len(data.trials.triplet_id)
        columns = [scores[p].zero_shot for p in pairs] + [scores[p].probed for p in pairs]
        stacked = np.stack(columns, axis=1) if columns else np.zeros((n, 0))
        intervals = trial_intervals(profile, stacked, cfg)
        rows = []
        for j, (spec, layer) in enumerate(pairs):
            sc = scores[(spec, layer)]
            rows.append(row(spec.id, profile.dataset, layer, "zero_shot", sc.zero_shot.mean(), intervals[j], n))
            rows.append(row(spec.id, profile.dataset, layer, "probed", sc.probed.mean(), intervals[len(pairs) + j], n))
            rows += [row(spec.id, profile.dataset, layer, measure, value) for measure, value in sc.summary.items()]
        return pd.DataFrame(rows)

    return cached(name, compute)


def human_baselines(profile: Profile, cfg: Settings | None = None) -> pd.DataFrame:
    """Human reference points on the same real answers, as rows of :func:`evaluate`'s table.

    * ``noise_ceiling``: how often an answer is the most frequent answer to its triplet,
      with a 95 % interval that resamples triplets and people with the same draws as the
      models' (each triplet's most frequent answer held at its value in all the data:
      :func:`humanalign.measures.modal_agreement`);
    * every human embedding of the data-set registry (VICE, SPoSE; dot-product similarity,
      the choice model they were fitted with) on the same answers, intervals resampling
      triplets and people with the same draws as the models';
    * the noise ceiling of the whole 20k-trial set (``dataset`` ``things-20k``), the figure
      the literature reports.
    """
    name = table_name("baselines", profile)

    def compute() -> pd.DataFrame:
        everything = datasets.load_dataset("answers", ANSWERS, cfg)
        data = load_study_data(profile, cfg)
        trials = data.trials
        ids, answers = trials.triplet_id, trials.triplets.indices
        n = len(ids)
        rows = [row("human/noise_ceiling", "things-20k", "-", "noise_ceiling",
                    measures.noise_ceiling(everything.triplets.indices, everything.triplet_id),
                    n=len(everything.triplet_id))]
        names = list(datasets.dataset_names("embedding"))
        correct = np.stack([measures.modal_agreement(answers, ids)] + [
            measures.odd_one_out_correct(datasets.load_dataset("embedding", e, cfg)[data.concept_index], answers,
                                         similarity="dot") for e in names], axis=1)
        intervals = trial_intervals(profile, correct, cfg)
        rows.append(row("human/noise_ceiling", profile.dataset, "-", "noise_ceiling", correct[:, 0].mean(),
                        intervals[0], n))
        for name_, column, ci in zip(names, correct[:, 1:].T, intervals[1:]):
            rows.append(row(f"human/{name_}", profile.dataset, "-", "zero_shot", column.mean(), ci, n))
        return pd.DataFrame(rows)

    return cached(name, compute)


def real_trial_counts(profile: Profile, cfg: Settings | None = None) -> dict[str, float]:
    """How many real answers the profile scores: ``n_answers``, ``n_triplets`` (distinct),
    ``n_people``, ``n_concepts`` (of the stimuli, in at least one of them) and ``n_all``
    (answers in the whole noise-ceiling set), and ``decidable`` (1.0 with at least
    :data:`MIN_DISTINCT` distinct triplets)."""
    data = load_study_data(profile, cfg)
    trials = data.trials
    return {"n_answers": float(len(trials.triplet_id)), "n_triplets": float(trials.n_distinct),
            "decidable": float(trials.n_distinct >= MIN_DISTINCT),
            "n_people": float(len(np.unique(trials.triplets.participants))) if len(trials.triplet_id) else 0.0,
            "n_concepts": float(len(np.unique(trials.triplets.indices))) if len(trials.triplet_id) else 0.0,
            "n_all": float(len(datasets.load_dataset("answers", ANSWERS, cfg).triplet_id))}
