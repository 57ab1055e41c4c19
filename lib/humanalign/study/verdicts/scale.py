"""The scale verdict: an equivalence test, since the paper claims *no* effect of model size
or architecture; and the paper's ImageNet-accuracy analysis.

"No effect" needs a smallest effect of interest, fixed before any model is scored: here
:data:`SESOI`, a tenth of the distance from chance (1/3) to the human noise ceiling of
THINGS odd-one-out accuracy (0.6722, Hebart et al. 2023, *eLife*), about 0.034. An effect
smaller than that moves a model across less than a tenth of the room there is between
guessing and agreeing with people as well as people agree with each other. The effect of
size is compared on the same footing: the accuracy a size series gains, by its
least-squares line, **from its smallest to its largest model**, so that the margin is an
accuracy difference over the observed range of sizes, not a slope per tenfold that the
series may not span. The effect of architecture is the mean absolute difference between
two families' mean accuracies (an estimate of the typical gap between two families, which
does not grow as families are added, unlike the range). Models are compared only at matched
precision, objective and training data. An effect is "no effect" when its whole interval
lies within the margin, an effect when its whole interval lies beyond it, and undecided
otherwise.

The gap between two copies of one network that differ only in numeric precision
(:mod:`.reference`) is shown beside the comparisons as a reference: it is estimated on the
same data, so it cannot serve as the margin without making the margin a random quantity.

Accuracy is measured on people's real answers to repeated THINGS triplets; intervals
resample the distinct triplets and the people, shared by all models, so they are paired;
the architecture half also draws the models within each family. Parameter counts follow one
convention for every model (the network up to the layer scored, without a classification
or task head; see :mod:`humanalign.registry`); where a series changes another property with
its size (MobileNet v1 widens with its input resolution), the table names it.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from ... import measures
from ...profiles import Profile
from ...registry import UNTRAINED, ModelSpec
from ..choices import Choice
from ..result import REAL_THINGS, StudyResult, as_result
from .reference import reference_gaps
from .robustness import robust
from .rules import Verdict, equivalence

__all__ = ["SESOI", "SESOI_REASON", "imagenet_correlation", "scale_comparisons", "scale_verdict_from",
           "verdict_scale"]

#: The smallest effect of interest (accuracy): a tenth of the distance between chance (1/3)
#: and the THINGS noise ceiling (0.6722), fixed before any model was scored.
SESOI = round(0.1 * (0.6722 - 1 / 3), 4)
#: Why :data:`SESOI` is the margin, for the pages.
SESOI_REASON = ("a tenth of the distance from chance (1/3) to the human noise ceiling (0.6722), fixed before "
                "looking at any model")

_COLUMNS = ["half", "comparison", "n_models", "estimate", "ci_low", "ci_high", "margin", "outcome", "slope",
            "sizes", "also_varies"]


def _series_key(spec: ModelSpec) -> str:
    return f"{spec.family} | {spec.objective} | {spec.training_data} | {spec.precision}"


def _also_varies(specs: list[ModelSpec]) -> str:
    """What else changes along a size series besides the parameters (the input resolution)."""
    sizes = sorted({s.input_size for s in specs if s.input_size})
    return f"input resolution ({sizes[0]} to {sizes[-1]} px)" if len(sizes) > 1 else ""


def _size_rows(point: np.ndarray, boot: np.ndarray, specs: list[ModelSpec], margin: float,
               min_span: float) -> list[dict]:
    rows = []
    series: dict[str, list[int]] = {}
    for i, spec in enumerate(specs):
        if spec.params:
            series.setdefault(_series_key(spec), []).append(i)
    for key, idx in sorted(series.items()):
        params = np.array([specs[i].params for i in idx], dtype=np.float64)
        if len(set(params)) < 2 or params.max() / params.min() < min_span:
            continue
        logs = np.log10(params)
        x = logs - logs.mean()
        slope = lambda acc: (acc - acc.mean(axis=-1, keepdims=True)) @ x / (x @ x)  # noqa: E731
        span = float(np.ptp(logs))  # tenfold steps from the smallest to the largest model
        low, high = measures.interval(slope(boot[:, idx]) * span)
        rows.append({"half": "size", "comparison": key, "n_models": len(idx),
                     "estimate": float(slope(point[idx])) * span, "ci_low": low, "ci_high": high, "margin": margin,
                     "outcome": equivalence(low, high, margin), "slope": float(slope(point[idx])),
                     "sizes": f"{params.min() / 1e6:.2f} M to {params.max() / 1e6:.2f} M ({span:.2f} tenfold steps)",
                     "also_varies": _also_varies([specs[i] for i in idx])})
    return rows


def scale_comparisons(point: np.ndarray, boot: np.ndarray, specs: list[ModelSpec], margin: float = SESOI,
                      min_span: float = 2.0, seed: int = 0) -> pd.DataFrame:
    """Both halves of the scale claim as equivalence comparisons against ``margin``.

    * **size**: within each group of trained models that share family, objective, training
      data and precision and span at least ``min_span`` x in parameters, the change in
      accuracy from the smallest to the largest model along the least-squares line of
      accuracy on log10(parameters) (``slope``: the same per tenfold parameters);
    * **architecture**: within each objective x training data x precision with at least two
      families, the mean absolute difference between the family means.

    Args:
        point: (M,) each model's accuracy; ``boot``: (B, M) on paired resamples.
        specs: The M models' specs (untrained ones are left out).
        margin: The smallest effect of interest (accuracy).

    Returns:
        One row per comparison: ``half, comparison, n_models, estimate, ci_low, ci_high,
        margin, outcome, slope, sizes, also_varies`` (the last three for the size half).
    """
    point, boot = np.asarray(point, dtype=np.float64), np.asarray(boot, dtype=np.float64)
    if point.shape != (len(specs),) or boot.ndim != 2 or boot.shape[1] != len(specs):
        raise ValueError(f"point {point.shape} and boot {boot.shape} do not match the {len(specs)} specs.")
    keep = [i for i, s in enumerate(specs) if s.training_data != UNTRAINED]
    point, boot, specs = point[keep], boot[:, keep], [specs[i] for i in keep]
    rows = _size_rows(point, boot, specs, margin, min_span)
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
                     "margin": margin, "outcome": equivalence(low, high, margin), "slope": np.nan, "sizes": "",
                     "also_varies": ""})
    return pd.DataFrame(rows, columns=_COLUMNS)


def _mean_abs_difference(means: np.ndarray) -> np.ndarray:
    """(B, F) family means -> (B,) mean of |a - b| over the F (F - 1) / 2 pairs of families."""
    pairs = list(combinations(range(means.shape[1]), 2))
    return np.mean([np.abs(means[:, i] - means[:, j]) for i, j in pairs], axis=0)


def scale_verdict_from(table: pd.DataFrame, margin: float = SESOI, margin_source: str = SESOI_REASON) -> Verdict:
    """The scale verdict from :func:`scale_comparisons`: reproduced when every interval lies
    within the margin, not reproduced when one lies wholly beyond it, undecided otherwise."""
    claim = (f"size and architecture have essentially no effect: within ±{margin:.3f} accuracy from the smallest "
             "to the largest model of a family, and between architecture families at matched objective, data and "
             "precision")
    labels = {"unit": "triplets and people", "data": REAL_THINGS, "margin_source": margin_source or "the margin"}
    if table.empty or not table["half"].isin(["size", "architecture"]).any():
        return Verdict("not testable with this profile's models",
                       "no group of trained models shares family, objective, data and precision over a range of "
                       "sizes, and no objective x data x precision has two architecture families",
                       {"n_comparisons": 0.0, "margin": margin}, labels)
    table = table[table["half"].isin(["size", "architecture"])]
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
    confounds = [f"{c} also varies its {v}" for c, v in zip(table["comparison"], table["also_varies"]) if v]
    labels["confounds"] = "; ".join(confounds) or "none"
    return Verdict(status, f"{int(within.sum())} of {len(table)} comparisons lie within the margin of ±{margin:.3f} "
                   f"({margin_source}; {claim}) at 95 % confidence: {'; '.join(parts + untested)}"
                   + (f". Confounded: {'; '.join(confounds)}" if confounds else ""), numbers, labels)


def verdict_scale(result: StudyResult | Profile, min_span: float = 2.0,
                  choice: Choice | None = None) -> tuple[Verdict, pd.DataFrame]:
    """Scale: zero-shot THINGS accuracy does not change with size within a family, nor
    between architecture families, at matched objective, data and precision, by more than
    :data:`SESOI`.

    Args:
        result: What the verdict reads (:class:`~..result.StudyResult`; given a profile, its
            :func:`~..result.study_result`).
        min_span: The smallest ratio of largest to smallest parameters of a size series.
        choice: Measure under this choice only (the book's way and the robustness table by
            default, :mod:`.robustness`).

    Returns:
        The verdict and the table of :func:`scale_comparisons`.
    """
    result = as_result(result)
    if choice is None:
        return robust(lambda c: verdict_scale(result, min_span, c), result.profile, ("things",))
    specs = result.trained
    if not specs:
        return scale_verdict_from(pd.DataFrame(columns=_COLUMNS)), pd.DataFrame(columns=_COLUMNS)
    ev = result.evidence("things", specs, choice=choice)
    table = scale_comparisons(ev.point, ev.boot, specs, SESOI, min_span, result.profile.seed)
    return scale_verdict_from(table), pd.concat([table, _reference_rows(result)], ignore_index=True)


def _reference_rows(result: StudyResult) -> pd.DataFrame:
    """The precision gap on THINGS as rows of the comparison table, marked as a reference."""
    gaps = reference_gaps(result)
    gaps = gaps[gaps["human_data"].str.startswith("THINGS")]
    return pd.DataFrame({"half": "reference", "comparison": [f"precision gap ({f}): {c}" for c, f in
                                                             zip(gaps["comparison"], gaps["held_fixed"])],
                         "n_models": 2, "estimate": gaps["difference"].to_numpy(), "ci_low": gaps["ci_low"].to_numpy(),
                         "ci_high": gaps["ci_high"].to_numpy(), "margin": SESOI,
                         "outcome": "a reference, not a test: two precisions of one network", "slope": np.nan,
                         "sizes": "", "also_varies": ""}, columns=_COLUMNS)


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
