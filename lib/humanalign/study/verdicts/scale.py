"""The scale verdict: an equivalence test, since the paper claims *no* effect of model size
or architecture; and the paper's ImageNet-accuracy analysis.

Reproduced when every comparison's 95 % interval lies within a margin fixed in advance
(:data:`EQUIVALENCE_MARGIN`); intervals come from a bootstrap over triplets shared by all
models, so the comparisons are paired.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ... import measures
from ...config import Settings
from ...profiles import Profile
from ...registry import UNTRAINED, ModelSpec
from ..scores import specs_of, trained
from .rules import Verdict, equivalence
from .units import unit_scores

__all__ = ["EQUIVALENCE_MARGIN", "imagenet_correlation", "scale_comparisons", "scale_verdict_from", "verdict_scale"]

#: The size of an effect the paper would not call "essentially no effect": a tenth of the
#: distance between chance (1/3) and the THINGS noise ceiling (0.6722), in accuracy. For
#: size it is per tenfold increase in parameters; for architecture, between family means.
EQUIVALENCE_MARGIN = round(0.1 * (0.6722 - 1 / 3), 4)


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
                     "ci_low": low, "ci_high": high, "margin": margin, "outcome": equivalence(low, high, margin)})
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
                     "margin": margin, "outcome": equivalence(low, high, margin)})
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
    specs = trained(specs_of(profile))
    if not specs:
        table = scale_comparisons(np.zeros((1, 0)), [], margin, min_span)
    else:
        correct = np.stack([unit_scores(profile, (s,), "things", cfg) for s in specs], axis=1)
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
