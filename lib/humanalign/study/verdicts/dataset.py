"""The training-data verdict: at a fixed architecture and objective, does broader data align better?

A controlled comparison holds everything but the factor fixed: the same architecture,
objective and numeric precision (a quantised copy of a model differs from its float or
otherwise quantised twin by as much as a data effect; :mod:`.reference`). One model per
condition is then a real test (the paper's own controlled data comparison used one ViT per
data set); the interval resamples people and images (92 images) or concepts (THINGS), not
training runs, and the pages say so.
"""

from __future__ import annotations

import pandas as pd

from ...config import Settings
from ...profiles import Profile
from ...registry import ModelSpec
from ..scores import specs_of, trained
from .rules import Verdict, combine, comparison_row
from .units import evidence

__all__ = ["DATA_BREADTH", "COMPARISON_COLUMNS", "controlled_data_pairs", "outcomes_text", "things_label",
           "verdict_training_data"]

COMPARISON_COLUMNS = ["human_data", "comparison", "difference", "ci_low", "ci_high", "outcome", "held_fixed"]

#: How large and diverse a training set is, as the paper orders them: single-domain sets
#: below ImageNet-1k (Ecoset, of similar size and breadth, beside it), ImageNet-21k above
#: it, web-scale image/text and JFT sets on top. Keys are values of
#: :data:`humanalign.registry.TRAINING_DATA`; the segmentation and pose sets are left out
#: (they come with another objective, so no controlled pair can use them).
DATA_BREADTH: dict[str, int] = {
    "iNaturalist 2017 birds": 0,
    "iNaturalist 2017 insects": 0,
    "ImageNet-1k": 1,
    "Ecoset": 1,
    "ImageNet-21k": 2,
    "ImageNet-21k, fine-tuned on ImageNet-1k": 2,
    "JFT-300M": 3,
    "JFT-3B": 3,
    "WIT-400M": 3,
    "LAION-400M": 3,
    "LAION-2B": 3,
    "ALIGN-1.8B": 3,
    "JFT-5B + ALIGN-6.6B": 3,
}

def controlled_data_pairs(specs: list[ModelSpec]) -> list[tuple[str, tuple[ModelSpec, ...], str, tuple[ModelSpec, ...]]]:
    """Pairs of training sets compared at a fixed architecture, objective and precision.

    Returns:
        ``(broader_data, broader_specs, narrower_data, narrower_specs)`` for every two training
        sets of different :data:`DATA_BREADTH` among models that share ``arch``,
        ``objective`` and ``precision``; models on data of unknown breadth are left out.
    """
    groups: dict[tuple[str, str, str], dict[str, list[ModelSpec]]] = {}
    for spec in trained(specs):
        if spec.training_data in DATA_BREADTH:
            key = (spec.arch, spec.objective, spec.precision)
            groups.setdefault(key, {}).setdefault(spec.training_data, []).append(spec)
    pairs = []
    for by_data in groups.values():
        ordered = sorted(by_data, key=lambda d: (-DATA_BREADTH[d], d))
        for i, broad in enumerate(ordered):
            for narrow in ordered[i + 1:]:
                if DATA_BREADTH[broad] > DATA_BREADTH[narrow]:
                    pairs.append((broad, tuple(by_data[broad]), narrow, tuple(by_data[narrow])))
    return pairs


def verdict_training_data(profile: Profile, cfg: Settings | None = None) -> tuple[Verdict, pd.DataFrame]:
    """Training data: at a fixed architecture, objective and precision, does broader data
    align better?

    The decision rests on the real human judgements (the 92-image RSA, people and images
    resampled together); the THINGS odd-one-out comparison (concepts resampled) is reported
    beside it and, in the demo, uses simulated choices.

    Returns:
        The verdict and a table with one row per comparison and human data set
        (``human_data, comparison, difference, ci_low, ci_high, outcome``).
    """
    pairs = controlled_data_pairs(specs_of(profile))
    rows = []
    if pairs:
        specs = list(dict.fromkeys(s for _, a, _, b in pairs for s in (*a, *b)))
        for on, human in (("rsa92", "92 images (real people)"), ("things", things_label(profile))):
            ev = evidence(profile, specs, on, cfg)
            for broad, broad_specs, narrow, narrow_specs in pairs:
                (pa, ba), (pb, bb) = ev.group([s.id for s in broad_specs]), ev.group([s.id for s in narrow_specs])
                fixed = f"{broad_specs[0].arch}, {broad_specs[0].objective}, {broad_specs[0].precision}"
                rows.append({"human_data": human, **comparison_row(f"{broad} - {narrow}", pa - pb, ba - bb),
                             "held_fixed": fixed})
    table = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    real = table[table["human_data"].str.startswith("92")]
    claim = "larger, more diverse training data align better"
    if real.empty:
        return Verdict("not testable with this profile's models",
                       "no two models share architecture, objective and precision but differ in training data",
                       {"n_comparisons": 0.0}), table
    status = combine(list(real["outcome"]))
    decisive = real.loc[real["ci_low"].idxmin()]
    parts = [f"{c}: {d:+.3f} [{lo:+.3f}, {hi:+.3f}], {o}" for c, d, lo, hi, o in
             zip(real["comparison"], real["difference"], real["ci_low"], real["ci_high"], real["outcome"])]
    numbers = {"n_comparisons": float(len(real)), "n_agree": float((real["outcome"] == "as the paper says").sum()),
               "estimate": float(decisive["difference"]), "ci_low": float(decisive["ci_low"]),
               "ci_high": float(decisive["ci_high"]), "mean_difference": float(real["difference"].mean())}
    fixed = "; ".join(dict.fromkeys(real["held_fixed"]))
    reason = (f"{int(numbers['n_agree'])} of {len(real)} controlled comparisons on the 92 images ({fixed} held "
              f"fixed) lie on the paper's side ({claim}) at 95 % confidence, people and images resampled: "
              f"{'; '.join(parts)}")
    return Verdict(status, reason, numbers, {"unit": "people and images", "data": "real people (16, 92 images)"}), table


def things_label(profile: Profile) -> str:
    return "THINGS triplets (simulated)" if profile.simulated else "THINGS triplets"





def outcomes_text(table: pd.DataFrame, human_data: str = "THINGS") -> str:
    """The comparisons on one kind of human data as one line of text for the prose
    (``"A - B: +0.012 [-0.004, +0.030], no detectable difference; ..."``, or ``"none"``)."""
    rows = table[table["human_data"].str.startswith(human_data)]
    return "; ".join(f"{c}: {d:+.3f} [{lo:+.3f}, {hi:+.3f}], {o}" for c, d, lo, hi, o in zip(
        rows["comparison"], rows["difference"], rows["ci_low"], rows["ci_high"], rows["outcome"])) or "none"
