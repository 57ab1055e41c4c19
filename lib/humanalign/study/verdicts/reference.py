"""A reference effect: how large is a difference that means nothing?

Two copies of one network (same architecture, objective and training data) that differ
only in how their weights were stored or quantised are not different models in any sense
the paper's claims are about. The gap between them is the size of a difference that
carries no information about scale, objective or data; the scale and data pages show it
beside their effects (it is estimated on the same data, so it is a reference, never a
margin).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from ...profiles import Profile
from ...registry import ModelSpec
from ..result import StudyResult, as_result
from ..scores import trained
from .rules import comparison_row
from .dataset import RSA92_LABEL, THINGS_LABEL

__all__ = ["REFERENCE_COLUMNS", "precision_pairs", "reference_gap", "reference_gaps"]

REFERENCE_COLUMNS = ["human_data", "comparison", "difference", "ci_low", "ci_high", "outcome", "held_fixed"]


def precision_pairs(specs) -> list[tuple[ModelSpec, ModelSpec]]:
    """Pairs of trained models that share architecture, objective, training data and size
    but differ in numeric precision (e.g. quantisation-aware training vs post-training
    quantisation of one MobileNet v2)."""
    groups: dict[tuple, list[ModelSpec]] = {}
    for spec in trained(specs):
        groups.setdefault((spec.arch, spec.objective, spec.training_data), []).append(spec)
    return [(a, b) for members in groups.values() for a, b in combinations(members, 2) if a.precision != b.precision]


def reference_gaps(result: StudyResult | Profile) -> pd.DataFrame:
    """The accuracy (THINGS) and RSA (92 images) gap between the two precisions of each pair
    of :func:`precision_pairs`, with intervals from the same resamples as the verdicts.

    Returns:
        One row per pair and human data set: ``human_data, comparison, difference, ci_low,
        ci_high, outcome`` (``difference`` = first minus second model of the pair).
    """
    result = as_result(result)
    pairs = precision_pairs(list(result.models))
    rows = []
    if pairs:
        specs = list(dict.fromkeys(s for pair in pairs for s in pair))
        for on, human in (("things", THINGS_LABEL), ("rsa92", RSA92_LABEL)):
            ev = result.evidence(on, specs)
            for a, b in pairs:
                (pa, ba), (pb, bb) = ev.group([a.id]), ev.group([b.id])
                rows.append({"human_data": human, **comparison_row(f"{a.precision} - {b.precision}", pa - pb, ba - bb),
                             "held_fixed": f"{a.arch}, {a.objective}, {a.training_data}"})
    return pd.DataFrame(rows, columns=REFERENCE_COLUMNS)


def reference_gap(gaps: pd.DataFrame, human_data: str = "THINGS") -> float:
    """The reference effect on one human data set: the mean absolute gap of its rows (NaN
    when the profile has no pair)."""
    rows = gaps[gaps["human_data"].str.startswith(human_data)]
    return float(np.abs(rows["difference"]).mean()) if len(rows) else float("nan")
