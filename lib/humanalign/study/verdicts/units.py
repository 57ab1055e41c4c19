"""Per-unit scores of groups of models, the input of every paired comparison.

A unit is what was sampled: a triplet for odd-one-out accuracy, a person for the 92-image
RSA. Every model is scored on the same units, so differences between groups are paired.
"""

from __future__ import annotations

import numpy as np

from ... import datasets
from ...config import Settings
from ...profiles import Profile
from ...registry import ModelSpec
from ..rsa import person_scores
from ..scores import matrix_scores, things_scores

__all__ = ["UNITS", "unit_scores"]

#: What :func:`unit_scores` can score on, and the unit of each.
UNITS = {"things": "triplets", "rsa92": "people"}


def unit_scores(profile: Profile, specs: tuple[ModelSpec, ...] | list[ModelSpec], on: str,
                cfg: Settings | None = None, transformed: bool = False) -> np.ndarray:
    """Per-unit scores of a group of models (penultimate layer), averaged over the group.

    Args:
        on: ``"things"`` (one 0/1 zero-shot correctness per triplet of the profile) or
            ``"rsa92"`` (one Spearman per person of the 92-image set).
        transformed: Score the features after the THINGS probe (``rsa92`` only).

    Returns:
        (units,) float64.
    """
    if on not in UNITS:
        raise ValueError(f"Score on one of {sorted(UNITS)}, not {on!r}.")
    rows = []
    if on == "things":
        rows = [things_scores(profile, spec, "penultimate", cfg).zero_shot for spec in specs]
    else:
        data = datasets.load_dataset("matrices", on, cfg)
        for spec in specs:
            scores = matrix_scores(profile, spec, "penultimate", data, cfg)
            rows.append(person_scores(scores.rdm("probed" if transformed else "cosine"), data.rdms))
    return np.mean(np.asarray(rows, dtype=np.float64), axis=0)
