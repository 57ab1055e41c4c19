"""Directional verdicts on training data, objective and transfer, with paired bootstraps.

Each rule takes its direction from the paper's wording and its uncertainty from a paired
bootstrap over the units that were sampled: triplets for odd-one-out accuracy, people for
the 92-image RSA (each person's Spearman with the model; every model is scored on the same
resampled people or triplets, so differences are paired). See :mod:`.verdict` for how
comparisons become a verdict.

A controlled comparison holds everything but the factor fixed: the same architecture and
objective for training data. One model per condition is then a real test (the paper's own
controlled data comparison used one ViT per data set); the interval covers the sampling of
triplets or people, not the variation between training runs, and the pages say so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import measures
from ..config import Settings
from ..registry import UNTRAINED, ModelSpec
from .data import load_study_data
from .profiles import Profile
from .rsa import load_rsa_set, person_scores
from .runs import things_probe
from .tables import attach_metadata
from .toolkit import Toolkit, features_for, specs_of
from .verdict import Verdict, compare, direction_verdict, outcome

__all__ = [
    "DATA_BREADTH",
    "controlled_data_pairs",
    "objective_exploration",
    "trained",
    "unit_scores",
    "verdict_objective",
    "verdict_training_data",
    "verdict_transfer_people",
]

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
CONTRASTIVE = "image/text contrastive"
SOFTMAX = "supervised softmax"


def trained(specs: list[ModelSpec]) -> list[ModelSpec]:
    """The specs of trained models (untrained controls left out)."""
    return [s for s in specs if s.training_data != UNTRAINED]


def controlled_data_pairs(specs: list[ModelSpec]) -> list[tuple[str, tuple[ModelSpec, ...], str, tuple[ModelSpec, ...]]]:
    """Pairs of training sets compared at a fixed architecture and objective.

    Returns:
        ``(broader_data, broader_specs, narrower_data, narrower_specs)`` for every two training
        sets of different :data:`DATA_BREADTH` among models that share ``arch`` and
        ``objective``; models on data of unknown breadth are left out.
    """
    groups: dict[tuple[str, str], dict[str, list[ModelSpec]]] = {}
    for spec in trained(specs):
        if spec.training_data in DATA_BREADTH:
            groups.setdefault((spec.arch, spec.objective), {}).setdefault(spec.training_data, []).append(spec)
    pairs = []
    for by_data in groups.values():
        ordered = sorted(by_data, key=lambda d: (-DATA_BREADTH[d], d))
        for i, broad in enumerate(ordered):
            for narrow in ordered[i + 1:]:
                if DATA_BREADTH[broad] > DATA_BREADTH[narrow]:
                    pairs.append((broad, tuple(by_data[broad]), narrow, tuple(by_data[narrow])))
    return pairs


def unit_scores(profile: Profile, specs: tuple[ModelSpec, ...] | list[ModelSpec], on: str,
                cfg: Settings | None = None, transformed: bool = False, tools: Toolkit | None = None) -> np.ndarray:
    """Per-unit scores of a group of models, averaged over the group.

    Args:
        on: ``"things"`` (one 0/1 zero-shot correctness per triplet of the profile) or
            ``"rsa92"`` (one Spearman per person of the 92-image set).
        transformed: Score the features after the THINGS probe (``rsa92`` only).

    Returns:
        (units,) float64.
    """
    if on not in ("things", "rsa92"):
        raise ValueError(f"Score on 'things' or 'rsa92', not {on!r}.")
    things = load_study_data(profile, cfg)
    data = load_rsa_set("rsa92", cfg) if on == "rsa92" else None
    rows = []
    for spec in specs:
        feats = features_for(spec, "penultimate", profile, things.stimuli, tools)
        if data is None:
            rows.append(measures.odd_one_out_correct(feats, things.triplets.indices, similarity="cosine"))
            continue
        other = features_for(spec, "penultimate", profile, data.stimuli, tools)
        if transformed:
            other = things_probe(profile, spec, "penultimate", feats, things, cfg).apply(other)
        rows.append(person_scores(other, data.rdms))
    return np.mean(np.asarray(rows, dtype=np.float64), axis=0)


def verdict_training_data(profile: Profile, cfg: Settings | None = None,
                          tools: Toolkit | None = None) -> tuple[Verdict, pd.DataFrame]:
    """Training data: at a fixed architecture and objective, does broader data align better?

    The decision rests on the real human judgements (the 92-image RSA, bootstrap over
    people); the THINGS odd-one-out comparison (bootstrap over triplets) is reported beside
    it and, in the demo, uses simulated choices.

    Returns:
        The verdict and a table with one row per comparison and human data set
        (``human_data, comparison, difference, ci_low, ci_high, outcome``).
    """
    rows = []
    for broad, broad_specs, narrow, narrow_specs in controlled_data_pairs(specs_of(profile, tools)):
        label = f"{broad} - {narrow}"
        for on, human in (("rsa92", "92 images (real people)"), ("things", _things_label(profile))):
            res = compare(unit_scores(profile, broad_specs, on, cfg, tools=tools),
                          unit_scores(profile, narrow_specs, on, cfg, tools=tools),
                          profile.n_boot, profile.seed)
            rows.append({"human_data": human, "comparison": label, **res, "outcome": outcome(res["ci_low"], res["ci_high"])})
    table = pd.DataFrame(rows, columns=["human_data", "comparison", "difference", "ci_low", "ci_high", "outcome"])
    real = table[table["human_data"].str.startswith("92")]
    verdict = direction_verdict(
        real, "larger, more diverse training data align better",
        "no two models share architecture and objective but differ in training data",
    )
    return verdict, table


def _things_label(profile: Profile) -> str:
    return "THINGS triplets (simulated)" if profile.simulated else "THINGS triplets"


def verdict_objective(profile: Profile, evaluate_table: pd.DataFrame, n_boot: int = 1000,
                      seed: int = 0, tools: Toolkit | None = None) -> Verdict:
    """Objective: do image/text contrastive models align better than supervised softmax ones
    trained on ImageNet-1k (the paper's comparison)?

    Needs at least two trained models in each group (the groups differ in more than the
    objective, so variation between models must enter the interval): the difference of the
    group means of zero-shot accuracy, with a bootstrap over the models of each group.
    """
    zs = evaluate_table[(evaluate_table["measure"] == "zero_shot") & (evaluate_table["layer"] == "penultimate")]
    zs = attach_metadata(zs, tools)
    zs = zs[zs["training_data"] != UNTRAINED]
    softmax = (zs["objective"] == SOFTMAX) & (zs["training_data"] == "ImageNet-1k")
    groups = {CONTRASTIVE: zs.loc[zs["objective"] == CONTRASTIVE, "value"].to_numpy(float),
              SOFTMAX: zs.loc[softmax, "value"].to_numpy(float)}
    if min(len(v) for v in groups.values()) < 2:
        have = ", ".join(f"{len(v)} {g}" for g, v in groups.items())
        return Verdict(
            "not testable with this profile's models",
            f"the paper's comparison needs at least two image/text contrastive and two supervised "
            f"softmax ImageNet-1k models; this profile has {have}",
            {"n_contrastive": float(len(groups[CONTRASTIVE])), "n_softmax": float(len(groups[SOFTMAX]))},
        )
    rng = np.random.default_rng(seed)
    a, b = groups[CONTRASTIVE], groups[SOFTMAX]
    boot = np.array([rng.choice(a, len(a)).mean() - rng.choice(b, len(b)).mean() for _ in range(int(n_boot))])
    table = pd.DataFrame([{"comparison": f"{CONTRASTIVE} - {SOFTMAX} (ImageNet-1k)", "difference": a.mean() - b.mean(),
                           "ci_low": np.percentile(boot, 2.5), "ci_high": np.percentile(boot, 97.5)}])
    return direction_verdict(table, "image/text contrastive models align better than softmax classifiers", "")


def objective_exploration(profile: Profile, cfg: Settings | None = None, family: str = "MobileNet v2",
                          reference: str = "ImageNet-1k", tools: Toolkit | None = None) -> pd.DataFrame:
    """Within one backbone family: each objective's models against the classifiers on ``reference``.

    Returns:
        One row per (objective, training data) group other than the reference classifiers and
        human data set: ``human_data, comparison, difference, ci_low, ci_high, outcome``
        (positive: the group aligns better than the classifiers).
    """
    specs = [s for s in trained(specs_of(profile, tools)) if s.family == family]
    ref = tuple(s for s in specs if s.objective == SOFTMAX and s.training_data == reference)
    others: dict[tuple[str, str], list[ModelSpec]] = {}
    for s in specs:
        if s.objective != SOFTMAX:
            others.setdefault((s.objective, s.training_data), []).append(s)
    rows = []
    if not ref:
        return pd.DataFrame(rows, columns=["human_data", "comparison", "difference", "ci_low", "ci_high", "outcome"])
    for (objective, data), group in sorted(others.items()):
        for on, human in (("rsa92", "92 images (real people)"), ("things", _things_label(profile))):
            res = compare(unit_scores(profile, tuple(group), on, cfg, tools=tools),
                          unit_scores(profile, ref, on, cfg, tools=tools),
                          profile.n_boot, profile.seed)
            rows.append({"human_data": human, "comparison": f"{objective} ({data}) - {SOFTMAX} ({reference})",
                         **res, "outcome": outcome(res["ci_low"], res["ci_high"])})
    return pd.DataFrame(rows, columns=["human_data", "comparison", "difference", "ci_low", "ci_high", "outcome"])


def verdict_transfer_people(profile: Profile, cfg: Settings | None = None, tools: Toolkit | None = None) -> Verdict:
    """Transfer: does the THINGS probe raise the 92-image RSA of trained models?

    The gain of each trained model per person (after minus before), averaged over models;
    its interval comes from a bootstrap over people. Reproduced when the interval lies above
    zero (the paper: the transform substantially improves alignment on other human data).
    """
    specs = trained(specs_of(profile, tools))
    if not specs:
        return Verdict("not testable with this profile's models", "the profile has no trained model", {})
    before = np.stack([unit_scores(profile, (s,), "rsa92", cfg, tools=tools) for s in specs], axis=1)
    after = np.stack([unit_scores(profile, (s,), "rsa92", cfg, True, tools) for s in specs], axis=1)
    res = compare(after.mean(axis=1), before.mean(axis=1), profile.n_boot, profile.seed)
    improved = float(((after - before).mean(axis=0) > 0).mean())
    table = pd.DataFrame([{"comparison": "after - before the THINGS probe (mean over trained models)", **res}])
    verdict = direction_verdict(table, "a transform learned from THINGS triplets improves alignment on "
                                "other human data", "")
    numbers = dict(verdict.numbers, gain=res["difference"], gain_low=res["ci_low"], gain_high=res["ci_high"],
                   share_improved=improved, n_models=float(len(specs)),
                   mean_before=float(before.mean()), mean_after=float(after.mean()))
    return Verdict(verdict.status, verdict.reason, numbers, verdict.labels)
