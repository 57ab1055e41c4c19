"""The training-data verdict: at a fixed architecture and objective, does broader data align better?

A controlled comparison holds everything but the factor fixed: the same architecture,
objective and numeric precision (a quantised copy of a model differs from its float or
otherwise quantised twin by as much as a data effect; :mod:`.reference`). One model per
condition is then a real test (the paper's own controlled data comparison used one ViT per
data set); the interval resamples people and images (92 images) or triplets and people
(THINGS), not training runs, and the pages say so.
"""

from __future__ import annotations

import pandas as pd

from ... import datasets
from ...profiles import Profile
from ...vocabulary import AGREES
from ...registry import ModelSpec
from ..choices import Choice
from ..result import StudyResult, as_result
from ..scores import trained
from .robustness import robust
from .rules import Verdict, combine, comparison_row, deciding_row

__all__ = ["DATA_BREADTH", "COMPARISON_COLUMNS", "RSA92_LABEL", "THINGS_LABEL", "controlled_data_pairs", "outcomes_text",
           "verdict_training_data"]

COMPARISON_COLUMNS = ["human_data", "comparison", "difference", "ci_low", "ci_high", "outcome", "held_fixed"]
#: How the 92-image rows of a comparison table are labelled (the registry row's label).
RSA92_LABEL = datasets.dataset("matrices", "rsa92").label
#: How the THINGS rows of a comparison table are labelled: people's real answers, which
#: every profile is scored on.
THINGS_LABEL = "THINGS odd-one-out (real people)"

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


def verdict_training_data(result: StudyResult | Profile,
                          choice: Choice | None = None) -> tuple[Verdict, pd.DataFrame]:
    """Training data: at a fixed architecture, objective and precision, does broader data
    align better?

    Both human data sets are real and both are measures the paper used, so the decision
    rests on both: people's answers to THINGS triplets (odd-one-out accuracy, triplets and
    people resampled) and the 92-image judgements (RSA, people and images resampled).
    Reproduced when every comparison on both lies on the paper's side, not reproduced when
    one lies on the other side, undecided otherwise; each data set's own reading is given.

    Args:
        result: The profile's study result (a profile is read through its
            :func:`~..result.study_result`).
        choice: Measure under this choice only; by default the book's way, with the
            verdict's robustness to the alternatives (:mod:`.robustness`).

    Returns:
        The verdict and a table with one row per comparison and human data set
        (``human_data, comparison, difference, ci_low, ci_high, outcome``).
    """
    result = as_result(result)
    if choice is None:
        return robust(lambda c: verdict_training_data(result, c), result.profile, ("things", "rsa92"))
    pairs = controlled_data_pairs(list(result.models))
    rows = []
    if pairs:
        specs = list(dict.fromkeys(s for _, a, _, b in pairs for s in (*a, *b)))
        for on, human in (("things", THINGS_LABEL), ("rsa92", RSA92_LABEL)):
            ev = result.evidence(on, specs, choice=choice)
            for broad, broad_specs, narrow, narrow_specs in pairs:
                (pa, ba), (pb, bb) = ev.group([s.id for s in broad_specs]), ev.group([s.id for s in narrow_specs])
                fixed = f"{broad_specs[0].arch}, {broad_specs[0].objective}, {broad_specs[0].precision}"
                rows.append({"human_data": human, **comparison_row(f"{broad} - {narrow}", pa - pb, ba - bb),
                             "held_fixed": fixed})
    table = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    claim = "larger, more diverse training data align better"
    labels = {"unit": "triplets and people (THINGS); people and images (92 photos)",
              "data": "real people (THINGS odd-one-out; 92 images)"}
    if table.empty:
        return Verdict("not testable with this profile's models",
                       "no two models share architecture, objective and precision but differ in training data",
                       {"n_comparisons": 0.0},
                       {**labels, "things_status": "not testable", "rsa92_status": "not testable"}), table
    status = combine(list(table["outcome"]))
    decisive = deciding_row(table)
    halves = {}
    for key, prefix in (("things", "THINGS"), ("rsa92", "92")):
        part = table[table["human_data"].str.startswith(prefix)]
        halves[f"{key}_status"] = combine(list(part["outcome"])) if len(part) else "not testable"
    parts = [f"{h.split(' (')[0]}, {c}: {d:+.3f} [{lo:+.3f}, {hi:+.3f}], {o}" for h, c, d, lo, hi, o in
             zip(table["human_data"], table["comparison"], table["difference"], table["ci_low"], table["ci_high"],
                 table["outcome"])]
    numbers = {"n_comparisons": float(len(table)),
               "n_agree": float((table["outcome"] == AGREES).sum()),
               "estimate": float(decisive["difference"]), "ci_low": float(decisive["ci_low"]),
               "ci_high": float(decisive["ci_high"]), "mean_difference": float(table["difference"].mean())}
    fixed = "; ".join(dict.fromkeys(table["held_fixed"]))
    reason = (f"{int(numbers['n_agree'])} of {len(table)} controlled comparisons ({fixed} held fixed) lie on the "
              f"paper's side ({claim}) at 95 % confidence: on THINGS odd-one-out {halves['things_status']}, on the "
              f"92 images {halves['rsa92_status']} ({'; '.join(parts)})")
    # The unit of the deciding effect, for the landing table.
    unit = ("accuracy, broader minus narrower data" if str(decisive["human_data"]).startswith("THINGS")
            else "Spearman ρ, broader minus narrower data")
    return Verdict(status, reason, numbers, {**labels, **halves, "effect_unit": unit}), table


def outcomes_text(table: pd.DataFrame, human_data: str = "THINGS") -> str:
    """The comparisons on one kind of human data as one line of text for the prose
    (``"A - B: +0.012 [-0.004, +0.030], no detectable difference; ..."``, or ``"none"``)."""
    rows = table[table["human_data"].str.startswith(human_data)]
    return "; ".join(f"{c}: {d:+.3f} [{lo:+.3f}, {hi:+.3f}], {o}" for c, d, lo, hi, o in zip(
        rows["comparison"], rows["difference"], rows["ci_low"], rows["ci_high"], rows["outcome"])) or "none"
