"""The models on real repeated human choices among the profile's concepts.

The THINGS release holds 20,000 trials on 1,000 distinct triplets that many people answered
(the noise-ceiling set). Only triplets whose three concepts all have an image in the
profile can be scored; for the demo's photographed concepts few remain. This module scores
the models on what remains, with intervals that resample the distinct triplets, and says
whether that is enough to decide anything.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import datasets, measures
from ..config import Settings
from ..profiles import Profile
from .data import load_study_data
from .scores import features_for, specs_of, trained

__all__ = ["MIN_DISTINCT", "real_trials"]

#: Distinct triplets below which the pages say the real trials are too few to compare models:
#: with fewer, a 95 % interval of an accuracy near 0.5 is wider than about +-0.1, as wide as
#: the whole spread between models.
MIN_DISTINCT = 100


def real_trials(profile: Profile, cfg: Settings | None = None,
                min_distinct: int = MIN_DISTINCT) -> tuple[pd.DataFrame, dict[str, float]]:
    """Zero-shot accuracy of every trained model (penultimate layer) on the real noise-ceiling
    trials among the profile's concepts, and the noise ceiling on the same trials.

    Returns:
        ``(table, summary)``: one row per model (``model, accuracy, ci_low, ci_high``; the
        interval resamples the distinct triplets) and ``n_trials, n_distinct, ceiling,
        decidable`` (1.0 when there are at least ``min_distinct`` distinct triplets).
    """
    data = load_study_data(profile, cfg)
    trials = datasets.noise_ceiling_subset(datasets.load_noise_ceiling_trials(cfg), data.concept_index)
    n, distinct = len(trials.triplet_id), trials.n_distinct
    summary = {"n_trials": float(n), "n_distinct": float(distinct), "decidable": float(distinct >= min_distinct),
               "ceiling": float(measures.noise_ceiling(trials.triplets.indices, trials.triplet_id)) if n else np.nan}
    rows = []
    for spec in trained(specs_of(profile)) if n else []:
        feats = features_for(spec, "penultimate", profile, data.stimuli)
        correct = measures.odd_one_out_correct(feats, trials.triplets.indices, similarity="cosine")
        low, high = (measures.bootstrap_ci(correct, profile.n_boot, profile.seed, groups=trials.triplet_id)
                     if distinct >= 2 else (np.nan, np.nan))
        rows.append({"model": spec.id, "accuracy": float(correct.mean()), "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows, columns=["model", "accuracy", "ci_low", "ci_high"]), summary
