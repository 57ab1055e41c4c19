"""Verdicts with uncertainty for every chapter: directional rules for training data,
objective, transfer and concepts, an equivalence rule for scale.

Each rule takes its direction from the paper's wording and its uncertainty from a paired
bootstrap over the units that were sampled: triplets for odd-one-out accuracy, people for
the 92-image RSA (each person's Spearman with the model; every model is scored on the same
resampled people or triplets, so differences are paired). A claim is **reproduced** when
every comparison the profile can make has its 95 % interval on the paper's side of zero,
**not reproduced** when one does not (an interval that covers zero is "no detectable
difference", one on the other side is "the opposite"), and **not testable** when the
profile has no pair of models that the comparison needs.

The scale claim is a claim of *no* effect, so its rule is an equivalence test: reproduced
when every comparison's interval lies within a margin fixed in advance
(:data:`EQUIVALENCE_MARGIN`). The concepts rule signs each term's comparison so that
positive is the paper's side and then uses the same directional rule.

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
    "EQUIVALENCE_MARGIN",
    "CONCEPT_TERMS",
    "concept_comparisons",
    "concept_dimension_accuracy",
    "interval_pivot",
    "term_dimensions",
    "concepts_verdict_from",
    "imagenet_correlation",
    "scale_comparisons",
    "verdict_concepts",
    "verdict_scale",
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
#: The size of an effect the paper would not call "essentially no effect": a tenth of the
#: distance between chance (1/3) and the THINGS noise ceiling (0.6722), in accuracy. For
#: size it is per tenfold increase in parameters; for architecture, between family means.
EQUIVALENCE_MARGIN = round(0.1 * (0.6722 - 1 / 3), 4)
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

    if on not in ("things", "rsa92"):
        raise ValueError(f"Score on 'things' or 'rsa92', not {on!r}.")
    things = load_study_data(profile, cfg)
    data = load_rsa_set("rsa92", cfg) if on == "rsa92" else None
    rows = []
    for model_id in model_ids:
        feats = features_for(model_id, "penultimate", profile, things)
        if data is None:
            rows.append(measures.odd_one_out_correct(feats, things.triplets.indices, similarity="cosine"))
            continue
        other = features_for(model_id, "penultimate", profile, data)
        if transformed:
            other = things_probe(profile, model_id, "penultimate", feats, things, cfg).apply(other)
        rows.append(person_scores(other, data.rdms))
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
    """Objective: do image/text contrastive models align better than supervised softmax ones
    trained on ImageNet-1k (the paper's comparison)?

    Needs at least two trained models in each group (the groups differ in more than the
    objective, so variation between models must enter the interval): the difference of the
    group means of zero-shot accuracy, with a bootstrap over the models of each group.
    """
    from .study import attach_metadata

    zs = evaluate_table[(evaluate_table["measure"] == "zero_shot") & (evaluate_table["layer"] == "penultimate")]
    zs = attach_metadata(zs)
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


# --------------------------------------------------------------------------- scale


def _equivalence(low: float, high: float, margin: float) -> str:
    if -margin < low and high < margin:
        return "within the margin, as the paper says"
    if low >= margin or high <= -margin:
        return "beyond the margin"
    return "undecided (the interval crosses the margin)"


def _group_key(spec: ModelSpec) -> str:
    return f"{spec.family} | {spec.objective} | {spec.training_data}"


def scale_comparisons(correct: np.ndarray, specs: list[ModelSpec], margin: float = EQUIVALENCE_MARGIN,
                      min_span: float = 2.0, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Both halves of the scale claim as equivalence comparisons with bootstrap intervals.

    * **size**: within each group of trained models that share architecture family,
      objective and training data and span at least ``min_span`` x in parameters, the
      least-squares slope of accuracy on log10(parameters);
    * **architecture**: within each objective x training data with at least two families,
      the range (largest minus smallest) of the family means of accuracy.

    Intervals come from one bootstrap over triplets shared by all models (so the
    comparisons are paired); the architecture comparison also resamples the models within
    each family that has several. A comparison agrees with the paper when its 95 % interval
    lies inside ``(-margin, margin)``.

    Args:
        correct: (N, M) 0/1 per-triplet correctness of M models (columns in ``specs`` order).
        specs: The M models' specs (untrained ones are left out).

    Returns:
        One row per comparison: ``half, comparison, n_models, estimate, ci_low, ci_high,
        margin, outcome`` (``half`` is ``size`` or ``architecture``; ``estimate`` is accuracy
        per tenfold parameters or between families).
    """
    c = np.asarray(correct, dtype=np.float64)
    if c.ndim != 2 or c.shape[1] != len(specs):
        raise ValueError(f"correct has shape {c.shape}; expected (triplets, {len(specs)}) for the {len(specs)} specs.")
    keep = [i for i, s in enumerate(specs) if s.training_data != UNTRAINED]
    c, specs = c[:, keep], [specs[i] for i in keep]
    columns = ["half", "comparison", "n_models", "estimate", "ci_low", "ci_high", "margin", "outcome"]
    if not specs:
        return pd.DataFrame(columns=columns)
    boot = measures.bootstrap_means(c, n_boot=n_boot, seed=seed)  # (B, M) accuracies
    point = c.mean(axis=0)
    rows = []
    series: dict[str, list[int]] = {}
    for i, spec in enumerate(specs):
        if spec.params:
            series.setdefault(_group_key(spec), []).append(i)
    for key, idx in sorted(series.items()):
        params = np.array([specs[i].params for i in idx], dtype=np.float64)
        if len(set(params)) < 2 or params.max() / params.min() < min_span:
            continue
        x = np.log10(params) - np.log10(params).mean()
        slope = lambda acc: (acc - acc.mean(axis=-1, keepdims=True)) @ x / (x @ x)  # noqa: E731
        low, high = measures.percentile_interval(slope(boot[:, idx]))
        rows.append({"half": "size", "comparison": key, "n_models": len(idx), "estimate": float(slope(point[idx])),
                     "ci_low": low, "ci_high": high, "margin": margin, "outcome": _equivalence(low, high, margin)})
    families: dict[str, dict[str, list[int]]] = {}
    for i, spec in enumerate(specs):
        families.setdefault(f"{spec.objective} | {spec.training_data}", {}).setdefault(spec.family, []).append(i)
    rng = np.random.default_rng(seed + 1)
    for key, by_family in sorted(families.items()):
        if len(by_family) < 2:
            continue
        # Each resample also draws the models of a family with replacement (its mean then
        # varies with the choice of models, not only with the triplets).
        means = np.stack([np.take_along_axis(boot, rng.choice(idx, size=(len(boot), len(idx))), axis=1).mean(axis=1)
                          for idx in by_family.values()], axis=1)
        spread = means.max(axis=1) - means.min(axis=1)
        fam_point = np.array([point[idx].mean() for idx in by_family.values()])
        low, high = measures.percentile_interval(spread)
        rows.append({"half": "architecture", "comparison": f"{key}: {', '.join(sorted(by_family))}",
                     "n_models": sum(len(v) for v in by_family.values()),
                     "estimate": float(fam_point.max() - fam_point.min()), "ci_low": low, "ci_high": high,
                     "margin": margin, "outcome": _equivalence(low, high, margin)})
    return pd.DataFrame(rows, columns=columns)


def scale_verdict_from(table: pd.DataFrame, margin: float = EQUIVALENCE_MARGIN) -> Verdict:
    """The scale verdict from :func:`scale_comparisons`: reproduced when every comparison's
    interval lies within the margin, not testable when there is none."""
    claim = (f"size and architecture have essentially no effect: within +-{margin:.3f} accuracy per tenfold "
             "parameters, and between architecture families at matched objective and data")
    if table.empty:
        return Verdict("not testable with this profile's models",
                       "no group of trained models shares family, objective and data over a range of sizes, "
                       "and no objective x data has two architecture families", {"n_comparisons": 0.0})
    agree = table["outcome"].str.startswith("within")
    status = "reproduced" if agree.all() else "not reproduced"
    parts = [f"{h} ({c}): {e:+.3f} [{lo:+.3f}, {hi:+.3f}], {o}" for h, c, e, lo, hi, o in
             zip(table["half"], table["comparison"], table["estimate"], table["ci_low"], table["ci_high"], table["outcome"])]
    numbers = {"n_comparisons": float(len(table)), "n_agree": float(agree.sum()), "margin": margin}
    labels = {}
    for half in ("size", "architecture"):
        part = table[table["half"] == half]
        numbers[f"n_{half}"] = float(len(part))
        numbers[f"n_{half}_agree"] = float(agree[part.index].sum())
        labels[f"{half}_status"] = ("not testable" if part.empty else
                                    "reproduced" if agree[part.index].all() else "not reproduced")
    return Verdict(status, f"{int(agree.sum())} of {len(table)} comparisons agree with the paper ({claim}) at 95 % "
                   f"confidence: {'; '.join(parts)}", numbers, labels)


def verdict_scale(profile: Profile, cfg: Settings | None = None, margin: float = EQUIVALENCE_MARGIN,
                  min_span: float = 2.0) -> tuple[Verdict, pd.DataFrame]:
    """Scale: zero-shot THINGS accuracy does not change with size within a family x objective
    x data group, nor between architecture families at matched objective and data.

    Returns:
        The verdict and the table of :func:`scale_comparisons`.
    """
    specs = _trained([get_spec(m) for m in profile.models])
    if not specs:
        table = scale_comparisons(np.zeros((1, 0)), [], margin, min_span)
    else:
        correct = np.stack([unit_scores(profile, (s.id,), "things", cfg) for s in specs], axis=1)
        table = scale_comparisons(correct, specs, margin, min_span, profile.n_boot, profile.seed)
    return scale_verdict_from(table, margin), table


def imagenet_correlation(wide: pd.DataFrame, measure: str = "zero_shot", n_boot: int = 1000,
                         seed: int = 0) -> dict[str, float]:
    """The paper's ImageNet-accuracy analysis: alignment against ImageNet-1k top-1.

    Over trained models with an ImageNet top-1 (a classifier's own, or a linear probe's; never
    zero-shot accuracy): Pearson and Spearman correlation, with a percentile interval for
    Pearson's r from a bootstrap over models.

    Args:
        wide: One row per model with ``imagenet_top1``, ``training_data`` and ``measure``
            (:func:`humanalign.study.wide_accuracy`).

    Returns:
        ``n_models, pearson, pearson_low, pearson_high, spearman`` (NaN with fewer than
        three models).
    """
    from scipy import stats

    data = wide[(wide["training_data"] != UNTRAINED) & (wide["training_data"] != "human")]
    data = data.dropna(subset=["imagenet_top1", measure])
    x, y = data["imagenet_top1"].to_numpy(float), data[measure].to_numpy(float)
    out = {"n_models": float(len(x)), "pearson": np.nan, "pearson_low": np.nan, "pearson_high": np.nan,
           "spearman": np.nan}
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return out
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(x), size=(int(n_boot), len(x)))
    rs = []
    for d in draws:
        if np.ptp(x[d]) > 0 and np.ptp(y[d]) > 0:
            rs.append(np.corrcoef(x[d], y[d])[0, 1])
    low, high = measures.percentile_interval(np.array(rs))
    out.update(pearson=float(stats.pearsonr(x, y)[0]), pearson_low=low, pearson_high=high,
               spearman=float(stats.spearmanr(x, y)[0]))
    return out


# --------------------------------------------------------------------------- concepts

#: The paper's concept claim, term by term: the THINGS high-level categories that identify
#: a dimension with the term, and the side the paper puts it on (+1: among the best
#: represented, -1: among the worst). THINGS has no category for royal objects, so no
#: dimension can be identified as royal by this rule (the pages say so).
CONCEPT_TERMS: dict[str, tuple[tuple[str, ...], int]] = {
    "food": (("food", "dessert", "drink", "fruit", "vegetable"), +1),
    "animals": (("animal", "bird", "insect"), +1),
    "sports": (("sports equipment",), -1),
    "royal": ((), -1),
}


def term_dimensions(dimensions: pd.DataFrame, terms: dict = CONCEPT_TERMS) -> dict[str, list[int]]:
    """The dimensions that stand for each term: those whose most enriched category is one of
    the term's and holds at least half of the dimension's top objects.

    Args:
        dimensions: Output of :func:`humanalign.measures.describe_dimensions`.
    """
    majority = dimensions["in_top"] >= dimensions["top"] / 2
    return {term: sorted(int(d) for d in dimensions.loc[majority & dimensions["category"].isin(cats), "dimension"])
            for term, (cats, _side) in terms.items()}


def concept_dimension_accuracy(correct: np.ndarray, labels: np.ndarray, models: list[str], n_dims: int,
                               n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Accuracy of every model on every dimension, with a bootstrap interval over the
    dimension's triplets.

    Returns:
        One row per model and dimension: ``model, dimension, n, accuracy, ci_low, ci_high``.
    """
    rows = []
    for m, model in enumerate(models):
        for d in range(n_dims):
            sel = np.asarray(correct)[labels == d, m]
            lo, hi = measures.bootstrap_ci(sel, n_boot=n_boot, seed=seed) if len(sel) else (np.nan, np.nan)
            rows.append({"model": model, "dimension": d, "n": int(len(sel)),
                         "accuracy": float(sel.mean()) if len(sel) else np.nan, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows, columns=["model", "dimension", "n", "accuracy", "ci_low", "ci_high"])


def interval_pivot(per_dim: pd.DataFrame) -> pd.DataFrame:
    """One row per dimension name, one column per model: ``"0.512 [0.489, 0.534]"`` (n)."""
    text = [f"{a:.3f} [{lo:.3f}, {hi:.3f}] ({n})" if n else "-" for a, lo, hi, n in
            zip(per_dim["accuracy"], per_dim["ci_low"], per_dim["ci_high"], per_dim["n"])]
    wide = per_dim.assign(cell=text).pivot(index=["dimension", "name"], columns="model", values="cell")
    return wide[list(dict.fromkeys(per_dim["model"]))]


def concept_comparisons(correct: np.ndarray, labels: np.ndarray, dimensions: pd.DataFrame,
                        terms: dict = CONCEPT_TERMS, min_n: int = 100, n_boot: int = 1000,
                        seed: int = 0) -> pd.DataFrame:
    """The concept claim by its content: are the term's dimensions better (or worse)
    represented than the other dimensions?

    Per dimension, the accuracy averaged over models (every model is scored on the same
    triplets, so this is the accuracy of the models' mean correctness); for each term with
    at least one dimension of ``min_n`` triplets or more, the mean over its dimensions minus
    the mean over all other such dimensions, signed so that a positive value is the paper's
    side. The interval comes from a bootstrap over triplets (not over models: triplets are
    shared, so they are never pooled across models as independent trials).

    Args:
        correct: (N, M) 0/1 per-triplet correctness of M trained models.
        labels: (N,) dimension of each triplet.
        dimensions: :func:`humanalign.measures.describe_dimensions` of the embedding.

    Returns:
        One row per term: ``term, paper_side, dimensions, comparison, difference, ci_low,
        ci_high, rank`` (``rank``: the term's best-placed dimension among the eligible ones,
        1 = best represented; ``difference`` NaN when the term has no eligible dimension).
    """
    c = np.asarray(correct, dtype=np.float64)
    lab = np.asarray(labels, dtype=np.int64)
    n_dims = len(dimensions)
    columns = ["term", "paper_side", "dimensions", "comparison", "difference", "ci_low", "ci_high", "rank"]
    if c.ndim != 2 or c.shape[0] != len(lab):
        raise ValueError(f"correct has shape {c.shape} but there are {len(lab)} labels; expected ({len(lab)}, models).")
    if c.shape[1] == 0:
        return pd.DataFrame(columns=columns)
    mean = c.mean(axis=1)
    count = np.bincount(lab, minlength=n_dims)
    eligible = count >= min_n
    by_term = term_dimensions(dimensions, terms)

    def diffs(weights: np.ndarray) -> dict[str, float]:
        n = np.bincount(lab, weights=weights, minlength=n_dims)
        acc = np.bincount(lab, weights=weights * mean, minlength=n_dims) / np.maximum(n, 1e-12)
        out = {}
        for term, (_cats, side) in terms.items():
            inside = np.zeros(n_dims, bool)
            inside[[d for d in by_term[term] if eligible[d]]] = True
            if inside.any() and (eligible & ~inside).any():
                out[term] = side * (acc[inside].mean() - acc[eligible & ~inside].mean())
        return out

    point = diffs(np.ones(len(lab)))
    acc_point = np.bincount(lab, weights=mean, minlength=n_dims) / np.maximum(count, 1)
    order = np.argsort(-np.where(eligible, acc_point, -np.inf), kind="stable")
    rank = np.empty(n_dims, dtype=int)
    rank[order] = np.arange(1, n_dims + 1)
    rng = np.random.default_rng(seed)
    boot = {t: [] for t in point}
    for _ in range(int(n_boot)):
        w = np.bincount(rng.integers(0, len(lab), size=len(lab)), minlength=len(lab)).astype(np.float64)
        for t, v in diffs(w).items():
            boot[t].append(v)
    rows = []
    for term, (_cats, side) in terms.items():
        dims = [d for d in by_term[term] if eligible[d]]
        what = "best" if side > 0 else "worst"
        comparison = (f"{term} dimensions - other dimensions" if side > 0 else f"other dimensions - {term} dimensions")
        if term in point:
            low, high = measures.percentile_interval(np.array(boot[term]))
            best_rank = int(rank[dims].min() if side > 0 else rank[dims].max())
            rows.append({"term": term, "paper_side": f"among the {what} represented", "dimensions": dims,
                         "comparison": comparison, "difference": point[term], "ci_low": low, "ci_high": high,
                         "rank": best_rank})
        else:
            rows.append({"term": term, "paper_side": f"among the {what} represented", "dimensions": dims,
                         "comparison": comparison, "difference": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                         "rank": np.nan})
    return pd.DataFrame(rows, columns=columns)


def _why_missing(term: str, dims: list[int], terms: dict) -> str:
    if not terms.get(term, ((), 0))[0]:
        return f"{term} (THINGS has no category for it)"
    if not dims:
        return f"{term} (no dimension has most of its top objects in the term's categories)"
    return f"{term} (too few triplets on its dimensions)"


def concepts_verdict_from(table: pd.DataFrame, n_eligible: int | None = None, terms: dict = CONCEPT_TERMS) -> Verdict:
    """The concepts verdict: reproduced when every term that has a dimension lies on the
    paper's side (interval above zero); terms without a dimension are named, with why."""
    missing = [t for t, d in zip(table["term"], table["difference"]) if pd.isna(d)] if len(table) else []
    reasons = [_why_missing(t, list(d), terms) for t, d, v in zip(table["term"], table["dimensions"], table["difference"])
               if pd.isna(v)] if len(table) else []
    testable = table.dropna(subset=["difference"]) if len(table) else table
    if testable.empty:
        why = ("the profile has no trained model" if table.empty else
               "no dimension of enough triplets stands for food, animals, sports or royal objects")
        return Verdict("not testable with this profile's models", why, {"n_comparisons": 0.0})
    verdict = direction_verdict(testable[["comparison", "difference", "ci_low", "ci_high"]],
                                "food and animal dimensions among the best represented, sports and royal ones "
                                "among the worst", "")
    note = (f" Not tested: {'; '.join(reasons)}. The table of dimensions lists every dimension's top objects."
            if missing else "")
    labels = dict(verdict.labels, unidentified=", ".join(missing) or "none")
    numbers = dict(verdict.numbers)
    for term, d, lo, hi, r in zip(table["term"], table["difference"], table["ci_low"], table["ci_high"], table["rank"]):
        if pd.notna(d):
            numbers.update({f"{term}_difference": float(d), f"{term}_low": float(lo), f"{term}_high": float(hi),
                            f"{term}_rank": float(r)})
    if n_eligible is not None:
        numbers["n_dimensions"] = float(n_eligible)
    return Verdict(verdict.status, verdict.reason + "." + note, numbers, labels)


def verdict_concepts(profile: Profile, kind: str = "zero_shot", min_n: int = 100,
                     cfg: Settings | None = None) -> tuple[Verdict, pd.DataFrame, pd.DataFrame]:
    """Concepts: are food and animal dimensions among the best represented and sports (and
    royal) ones among the worst, over the profile's trained models?

    Returns:
        The verdict, the term table of :func:`concept_comparisons` and the per-model,
        per-dimension accuracies of :func:`concept_dimension_accuracy` (with names).
    """
    from .study import concept_correctness, dimension_table

    dimensions = dimension_table(cfg=cfg)
    correct, labels, models = concept_correctness(profile, kind, cfg)
    table = concept_comparisons(correct, labels, dimensions, min_n=min_n, n_boot=profile.n_boot, seed=profile.seed)
    per_dim = concept_dimension_accuracy(correct, labels, models, len(dimensions), profile.n_boot, profile.seed)
    per_dim = per_dim.merge(dimensions[["dimension", "name", "category", "enrichment"]], on="dimension")
    n_eligible = int((np.bincount(labels, minlength=len(dimensions)) >= min_n).sum())
    return concepts_verdict_from(table, n_eligible), table, per_dim
