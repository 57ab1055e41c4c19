"""Directional verdicts with uncertainty for the training-data, objective and transfer chapters.

Each rule takes its direction from the paper's wording and its uncertainty from a paired
bootstrap over the units that were sampled: triplets for odd-one-out accuracy, people for
the 92-image RSA (each person's Spearman with the model; every model is scored on the same
resampled people or triplets, so differences are paired). A claim is **reproduced** when
every comparison the profile can make has its 95 % interval on the paper's side of zero,
**not reproduced** when one does not (an interval that covers zero is "no detectable
difference", one on the other side is "the opposite"), and **not testable** when the
profile has no pair of models that the comparison needs.

A controlled comparison holds everything but the factor fixed: the same architecture and
objective for training data. One model per condition is then a real test (the paper's own
controlled data comparison used one ViT per data set); the interval covers the sampling of
triplets or people, not the variation between training runs, and the pages say so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import measures
from .config import Settings
from .registry import ModelSpec, get_spec
from .study import UNTRAINED, Profile, Verdict, features_for, load_study_data, things_probe

__all__ = [
    "DATA_BREADTH",
    "compare",
    "controlled_data_pairs",
    "direction_verdict",
    "objective_exploration",
    "unit_scores",
    "verdict_objective",
    "verdict_training_data",
    "verdict_transfer_people",
]

#: How large and diverse a training set is, as the paper orders them: single-domain sets
#: below ImageNet-1k, ImageNet-21k above it, web-scale image/text and JFT sets on top.
DATA_BREADTH: dict[str, int] = {
    "iNaturalist 2017 birds": 0,
    "iNaturalist 2017 insects": 0,
    "ImageNet-1k": 1,
    "ImageNet-21k": 2,
    "JFT-300M": 3,
    "JFT-3B": 3,
    "WebImageText (OpenAI)": 3,
    "LAION-400M": 3,
    "LAION-2B": 3,
    "ALIGN": 3,
}
CONTRASTIVE = "image/text contrastive"
SOFTMAX = "supervised softmax"


def _trained(specs: list[ModelSpec]) -> list[ModelSpec]:
    return [s for s in specs if s.training_data != UNTRAINED]


def controlled_data_pairs(model_ids: list[str]) -> list[tuple[str, tuple[str, ...], str, tuple[str, ...]]]:
    """Pairs of training sets compared at a fixed architecture and objective.

    Returns:
        ``(broader_data, broader_ids, narrower_data, narrower_ids)`` for every two training
        sets of different :data:`DATA_BREADTH` among models that share ``arch`` and
        ``objective``; models on data of unknown breadth are left out.
    """
    groups: dict[tuple[str, str], dict[str, list[str]]] = {}
    for spec in _trained([get_spec(m) for m in model_ids]):
        if spec.training_data in DATA_BREADTH:
            groups.setdefault((spec.arch, spec.objective), {}).setdefault(spec.training_data, []).append(spec.id)
    pairs = []
    for by_data in groups.values():
        ordered = sorted(by_data, key=lambda d: (-DATA_BREADTH[d], d))
        for i, broad in enumerate(ordered):
            for narrow in ordered[i + 1:]:
                if DATA_BREADTH[broad] > DATA_BREADTH[narrow]:
                    pairs.append((broad, tuple(by_data[broad]), narrow, tuple(by_data[narrow])))
    return pairs


def unit_scores(profile: Profile, model_ids: tuple[str, ...] | list[str], on: str,
                cfg: Settings | None = None, transformed: bool = False) -> np.ndarray:
    """Per-unit scores of a group of models, averaged over the group.

    Args:
        on: ``"things"`` (one 0/1 zero-shot correctness per triplet of the profile) or
            ``"rsa92"`` (one Spearman per person of the 92-image set).
        transformed: Score the features after the THINGS probe (``rsa92`` only).

    Returns:
        (units,) float64.
    """
    from .rsa_study import load_rsa_set, person_scores

    things = load_study_data(profile, cfg)
    rows = []
    for model_id in model_ids:
        feats = features_for(model_id, "penultimate", profile, things)
        if on == "things":
            rows.append(measures.odd_one_out_correct(feats, things.triplets.indices, similarity="cosine"))
        elif on == "rsa92":
            data = load_rsa_set("rsa92", cfg)
            other = features_for(model_id, "penultimate", profile, data)
            if transformed:
                other = things_probe(profile, model_id, "penultimate", feats, things, cfg).apply(other)
            rows.append(person_scores(other, data.rdms))
        else:
            raise ValueError(f"Score on 'things' or 'rsa92', not {on!r}.")
    return np.mean(np.asarray(rows, dtype=np.float64), axis=0)


def compare(a: np.ndarray, b: np.ndarray, n_boot: int = 1000, seed: int = 0) -> dict[str, float]:
    """Mean of ``a - b`` over paired units with a percentile bootstrap interval."""
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    low, high = measures.percentile_interval(measures.bootstrap_means(diff, n_boot=n_boot, seed=seed))
    return {"difference": float(diff.mean()), "ci_low": low, "ci_high": high}


def _outcome(low: float, high: float) -> str:
    if low > 0:
        return "as the paper says"
    if high < 0:
        return "the opposite"
    return "no detectable difference"


def direction_verdict(table: pd.DataFrame, claim: str, untestable_reason: str) -> Verdict:
    """Reproduced when every row's interval lies above zero (the paper's direction).

    Args:
        table: One row per comparison with ``comparison, difference, ci_low, ci_high``.
        claim: The paper's directional statement, for the reason.
        untestable_reason: Why nothing could be compared, used when ``table`` is empty.
    """
    if table.empty:
        return Verdict("not testable with this profile's models", untestable_reason, {"n_comparisons": 0.0})
    outcomes = [_outcome(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"])]
    agree = sum(o == "as the paper says" for o in outcomes)
    status = "reproduced" if agree == len(outcomes) else "not reproduced"
    parts = [f"{c}: {d:+.3f} [{lo:+.3f}, {hi:+.3f}], {o}" for c, d, lo, hi, o in
             zip(table["comparison"], table["difference"], table["ci_low"], table["ci_high"], outcomes)]
    return Verdict(
        status,
        f"{agree} of {len(outcomes)} comparisons agree with the paper's direction ({claim}) at 95 % "
        f"confidence: {'; '.join(parts)}",
        {"n_comparisons": float(len(outcomes)), "n_agree": float(agree),
         "mean_difference": float(table["difference"].mean())},
    )


def verdict_training_data(profile: Profile, cfg: Settings | None = None) -> tuple[Verdict, pd.DataFrame]:
    """Training data: at a fixed architecture and objective, does broader data align better?

    The decision rests on the real human judgements (the 92-image RSA, bootstrap over
    people); the THINGS odd-one-out comparison (bootstrap over triplets) is reported beside
    it and, in the demo, uses simulated choices.

    Returns:
        The verdict and a table with one row per comparison and human data set
        (``human_data, comparison, difference, ci_low, ci_high, outcome``).
    """
    rows = []
    for broad, broad_ids, narrow, narrow_ids in controlled_data_pairs(list(profile.models)):
        label = f"{broad} - {narrow}"
        for on, human in (("rsa92", "92 images (real people)"), ("things", _things_label(profile))):
            res = compare(unit_scores(profile, broad_ids, on, cfg), unit_scores(profile, narrow_ids, on, cfg),
                          profile.n_boot, profile.seed)
            rows.append({"human_data": human, "comparison": label, **res, "outcome": _outcome(res["ci_low"], res["ci_high"])})
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
                      seed: int = 0) -> Verdict:
    """Objective: do image/text contrastive models align better than supervised softmax ones?

    Needs at least two trained models in each group (the groups differ in more than the
    objective, so variation between models must enter the interval): the difference of the
    group means of zero-shot accuracy, with a bootstrap over the models of each group.
    """
    from .study import attach_metadata

    zs = evaluate_table[(evaluate_table["measure"] == "zero_shot") & (evaluate_table["layer"] == "penultimate")]
    zs = attach_metadata(zs)
    zs = zs[zs["training_data"] != UNTRAINED]
    groups = {g: zs.loc[zs["objective"] == g, "value"].to_numpy(float) for g in (CONTRASTIVE, SOFTMAX)}
    if min(len(v) for v in groups.values()) < 2:
        have = ", ".join(f"{len(v)} {g}" for g, v in groups.items())
        return Verdict(
            "not testable with this profile's models",
            f"the paper's comparison needs at least two image/text contrastive and two supervised "
            f"softmax models; this profile has {have}",
            {"n_contrastive": float(len(groups[CONTRASTIVE])), "n_softmax": float(len(groups[SOFTMAX]))},
        )
    rng = np.random.default_rng(seed)
    a, b = groups[CONTRASTIVE], groups[SOFTMAX]
    boot = np.array([rng.choice(a, len(a)).mean() - rng.choice(b, len(b)).mean() for _ in range(int(n_boot))])
    table = pd.DataFrame([{"comparison": f"{CONTRASTIVE} - {SOFTMAX}", "difference": a.mean() - b.mean(),
                           "ci_low": np.percentile(boot, 2.5), "ci_high": np.percentile(boot, 97.5)}])
    return direction_verdict(table, "image/text contrastive models align better than softmax classifiers", "")


def objective_exploration(profile: Profile, cfg: Settings | None = None, family: str = "MobileNet v2",
                          reference: str = "ImageNet-1k") -> pd.DataFrame:
    """Within one backbone family: each objective's models against the classifiers on ``reference``.

    Returns:
        One row per (objective, training data) group other than the reference classifiers and
        human data set: ``human_data, comparison, difference, ci_low, ci_high, outcome``
        (positive: the group aligns better than the classifiers).
    """
    specs = [s for s in _trained([get_spec(m) for m in profile.models]) if s.family == family]
    ref = tuple(s.id for s in specs if s.objective == SOFTMAX and s.training_data == reference)
    others: dict[tuple[str, str], list[str]] = {}
    for s in specs:
        if s.objective != SOFTMAX:
            others.setdefault((s.objective, s.training_data), []).append(s.id)
    rows = []
    if not ref:
        return pd.DataFrame(rows, columns=["human_data", "comparison", "difference", "ci_low", "ci_high", "outcome"])
    for (objective, data), ids in sorted(others.items()):
        for on, human in (("rsa92", "92 images (real people)"), ("things", _things_label(profile))):
            res = compare(unit_scores(profile, tuple(ids), on, cfg), unit_scores(profile, ref, on, cfg),
                          profile.n_boot, profile.seed)
            rows.append({"human_data": human, "comparison": f"{objective} ({data}) - {SOFTMAX} ({reference})",
                         **res, "outcome": _outcome(res["ci_low"], res["ci_high"])})
    return pd.DataFrame(rows, columns=["human_data", "comparison", "difference", "ci_low", "ci_high", "outcome"])


def verdict_transfer_people(profile: Profile, cfg: Settings | None = None) -> Verdict:
    """Transfer: does the THINGS probe raise the 92-image RSA of trained models?

    The gain of each trained model per person (after minus before), averaged over models;
    its interval comes from a bootstrap over people. Reproduced when the interval lies above
    zero (the paper: the transform substantially improves alignment on other human data).
    """
    ids = tuple(s.id for s in _trained([get_spec(m) for m in profile.models]))
    if not ids:
        return Verdict("not testable with this profile's models", "the profile has no trained model", {})
    before = np.stack([unit_scores(profile, (m,), "rsa92", cfg) for m in ids], axis=1)
    after = np.stack([unit_scores(profile, (m,), "rsa92", cfg, transformed=True) for m in ids], axis=1)
    res = compare(after.mean(axis=1), before.mean(axis=1), profile.n_boot, profile.seed)
    improved = float(((after - before).mean(axis=0) > 0).mean())
    table = pd.DataFrame([{"comparison": "after - before the THINGS probe (mean over trained models)", **res}])
    verdict = direction_verdict(table, "a transform learned from THINGS triplets improves alignment on "
                                "other human data", "")
    numbers = dict(verdict.numbers, gain=res["difference"], gain_low=res["ci_low"], gain_high=res["ci_high"],
                   share_improved=improved, n_models=float(len(ids)),
                   mean_before=float(before.mean()), mean_after=float(after.mean()))
    return Verdict(verdict.status, verdict.reason, numbers, verdict.labels)
