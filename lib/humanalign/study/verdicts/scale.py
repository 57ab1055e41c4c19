"""The scale verdict: an equivalence test, since the paper claims *no* effect of model size
or architecture; and the paper's ImageNet-accuracy analysis.

The margin is a **reference effect** measured in the same profile (:mod:`.reference`): the
gap between two copies of one network that differ only in numeric precision, a difference
that says nothing about size or architecture. An effect of size or architecture is "no
effect" when its whole interval lies within that gap, an effect when its whole interval lies
beyond it, and undecided otherwise. The architecture effect is the mean absolute difference
between two families' mean accuracies (an estimate of the typical gap between two families,
which does not grow as families are added, unlike the range). Models are compared only at
matched precision, objective and training data. Accuracy is measured on people's real
answers to repeated THINGS triplets; intervals resample the distinct triplets and the people
(and the models within each family), shared by all models, so they are paired.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from ... import measures
from ...config import Settings
from ...profiles import Profile
from ...registry import UNTRAINED, ModelSpec
from ..scores import specs_of, trained
from .reference import reference_gap, reference_gaps
from .rules import Verdict, equivalence
from .units import REAL_THINGS, evidence

__all__ = ["FALLBACK_MARGIN", "imagenet_correlation", "scale_comparisons", "scale_verdict_from", "verdict_scale"]

#: The margin when a profile holds no pair of precisions to measure the reference effect:
#: a tenth of the distance between chance (1/3) and the THINGS noise ceiling (0.6722), a
#: convention the pages name as such.
FALLBACK_MARGIN = round(0.1 * (0.6722 - 1 / 3), 4)

_COLUMNS = ["half", "comparison", "n_models", "estimate", "ci_low", "ci_high", "margin", "outcome"]


def _series_key(spec: ModelSpec) -> str:
    return f"{spec.family} | {spec.objective} | {spec.training_data} | {spec.precision}"


def scale_comparisons(point: np.ndarray, boot: np.ndarray, specs: list[ModelSpec], margin: float,
                      min_span: float = 2.0, seed: int = 0) -> pd.DataFrame:
    """Both halves of the scale claim as equivalence comparisons against ``margin``.

    * **size**: within each group of trained models that share family, objective, training
      data and precision and span at least ``min_span`` x in parameters, the least-squares
      slope of accuracy on log10(parameters): the change per tenfold parameters;
    * **architecture**: within each objective x training data x precision with at least two
      families, the mean absolute difference between the family means.

    Args:
        point: (M,) each model's accuracy; ``boot``: (B, M) on paired resamples.
        specs: The M models' specs (untrained ones are left out).
        margin: The reference effect (accuracy).

    Returns:
        One row per comparison: ``half, comparison, n_models, estimate, ci_low, ci_high,
        margin, outcome``.
    """
    point, boot = np.asarray(point, dtype=np.float64), np.asarray(boot, dtype=np.float64)
    if point.shape != (len(specs),) or boot.ndim != 2 or boot.shape[1] != len(specs):
        raise ValueError(f"point {point.shape} and boot {boot.shape} do not match the {len(specs)} specs.")
    keep = [i for i, s in enumerate(specs) if s.training_data != UNTRAINED]
    point, boot, specs = point[keep], boot[:, keep], [specs[i] for i in keep]
    rows = []
    series: dict[str, list[int]] = {}
    for i, spec in enumerate(specs):
        if spec.params:
            series.setdefault(_series_key(spec), []).append(i)
    for key, idx in sorted(series.items()):
        params = np.array([specs[i].params for i in idx], dtype=np.float64)
        if len(set(params)) < 2 or params.max() / params.min() < min_span:
            continue
        x = np.log10(params) - np.log10(params).mean()
        slope = lambda acc: (acc - acc.mean(axis=-1, keepdims=True)) @ x / (x @ x)  # noqa: E731
        low, high = measures.interval(slope(boot[:, idx]))
        rows.append({"half": "size", "comparison": key, "n_models": len(idx), "estimate": float(slope(point[idx])),
                     "ci_low": low, "ci_high": high, "margin": margin, "outcome": equivalence(low, high, margin)})
    families: dict[str, dict[str, list[int]]] = {}
    for i, spec in enumerate(specs):
        group = f"{spec.objective} | {spec.training_data} | {spec.precision}"
        families.setdefault(group, {}).setdefault(spec.family, []).append(i)
    rng = np.random.default_rng(seed + 1)
    for key, by_family in sorted(families.items()):
        if len(by_family) < 2:
            continue
        # Each resample also draws the models of a family with replacement.
        means = np.stack([np.take_along_axis(boot, rng.choice(idx, size=(len(boot), len(idx))), axis=1).mean(axis=1)
                          for idx in by_family.values()], axis=1)
        fam_point = np.array([point[idx].mean() for idx in by_family.values()])
        low, high = measures.interval(_mean_abs_difference(means))
        rows.append({"half": "architecture", "comparison": f"{key}: {', '.join(sorted(by_family))}",
                     "n_models": sum(len(v) for v in by_family.values()),
                     "estimate": float(_mean_abs_difference(fam_point[None])[0]), "ci_low": low, "ci_high": high,
                     "margin": margin, "outcome": equivalence(low, high, margin)})
    return pd.DataFrame(rows, columns=_COLUMNS)


def _mean_abs_difference(means: np.ndarray) -> np.ndarray:
    """(B, F) family means -> (B,) mean of |a - b| over the F (F - 1) / 2 pairs of families."""
    pairs = list(combinations(range(means.shape[1]), 2))
    return np.mean([np.abs(means[:, i] - means[:, j]) for i, j in pairs], axis=0)


def scale_verdict_from(table: pd.DataFrame, margin: float, margin_source: str = "") -> Verdict:
    """The scale verdict from :func:`scale_comparisons`: reproduced when every interval lies
    within the margin, not reproduced when one lies wholly beyond it, undecided otherwise."""
    claim = (f"size and architecture have essentially no effect: within ±{margin:.3f} accuracy per tenfold "
             "parameters, and between architecture families at matched objective, data and precision")
    labels = {"unit": "triplets and people", "data": REAL_THINGS, "margin_source": margin_source or "the margin"}
    if table.empty:
        return Verdict("not testable with this profile's models",
                       "no group of trained models shares family, objective, data and precision over a range of "
                       "sizes, and no objective x data x precision has two architecture families",
                       {"n_comparisons": 0.0, "margin": margin}, labels)
    within = table["outcome"].str.startswith("within")
    beyond = table["outcome"].str.startswith("beyond")
    status = "reproduced" if within.all() else "not reproduced" if beyond.any() else "undecided"
    parts = [f"{h} ({c}): {e:+.3f} [{lo:+.3f}, {hi:+.3f}], {o}" for h, c, e, lo, hi, o in
             zip(table["half"], table["comparison"], table["estimate"], table["ci_low"], table["ci_high"], table["outcome"])]
    # The deciding comparison: the one whose interval reaches farthest from zero.
    far = table.loc[np.maximum(table["ci_high"].abs(), table["ci_low"].abs()).idxmax()]
    numbers = {"n_comparisons": float(len(table)), "n_agree": float(within.sum()), "margin": margin,
               "estimate": float(far["estimate"]), "ci_low": float(far["ci_low"]), "ci_high": float(far["ci_high"])}
    # The unit of the deciding effect, for the landing table.
    labels["effect_unit"] = ("accuracy per tenfold parameters" if far["half"] == "size"
                             else "accuracy, mean gap between two families")
    for half in ("size", "architecture"):
        part = table[table["half"] == half]
        numbers[f"n_{half}"] = float(len(part))
        numbers[f"n_{half}_agree"] = float(within[part.index].sum())
        labels[f"{half}_status"] = ("not testable" if part.empty else "reproduced" if within[part.index].all()
                                    else "not reproduced" if beyond[part.index].any() else "undecided")
    untested = [f"{half}: no comparison at matched objective, data and precision (not testable)"
                for half in ("size", "architecture") if labels[f"{half}_status"] == "not testable"]
    return Verdict(status, f"{int(within.sum())} of {len(table)} comparisons lie within {labels['margin_source']} "
                   f"({claim}) at 95 % confidence: {'; '.join(parts + untested)}", numbers, labels)


def verdict_scale(profile: Profile, cfg: Settings | None = None, min_span: float = 2.0
                  ) -> tuple[Verdict, pd.DataFrame]:
    """Scale: zero-shot THINGS accuracy does not change with size within a family, nor
    between architecture families, at matched objective, data and precision.

    Returns:
        The verdict and the table of :func:`scale_comparisons`.
    """
    specs = trained(specs_of(profile))
    gap = reference_gap(reference_gaps(profile, cfg), "THINGS")
    margin, source = ((gap, "the gap between two precisions of one network") if np.isfinite(gap)
                      else (FALLBACK_MARGIN, "a conventional margin (a tenth of chance to ceiling)"))
    if not specs:
        return scale_verdict_from(pd.DataFrame(columns=_COLUMNS), margin, source), pd.DataFrame(columns=_COLUMNS)
    ev = evidence(profile, specs, "things", cfg)
    table = scale_comparisons(ev.point, ev.boot, specs, margin, min_span, profile.seed)
    return scale_verdict_from(table, margin, source), table


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
