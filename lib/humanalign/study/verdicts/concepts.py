"""The concepts verdict: are food and animal dimensions among the best represented, and
sports and royal ones among the worst?

Each term's comparison is signed so that positive is the paper's side, then the
directional rule of :mod:`.verdict` applies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import measures
from ...config import Settings
from ...profiles import Profile
from ..concepts import concept_correctness, dimension_table
from .rules import Verdict, direction_verdict

__all__ = [
    "CONCEPT_TERMS",
    "concept_comparisons",
    "concept_dimension_accuracy",
    "concepts_verdict_from",
    "interval_pivot",
    "term_dimensions",
    "verdict_concepts",
]

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
    dimensions = dimension_table(cfg=cfg)
    correct, labels, models = concept_correctness(profile, kind, cfg)
    table = concept_comparisons(correct, labels, dimensions, min_n=min_n, n_boot=profile.n_boot, seed=profile.seed)
    per_dim = concept_dimension_accuracy(correct, labels, models, len(dimensions), profile.n_boot, profile.seed)
    per_dim = per_dim.merge(dimensions[["dimension", "name", "category", "enrichment"]], on="dimension")
    n_eligible = int((np.bincount(labels, minlength=len(dimensions)) >= min_n).sum())
    return concepts_verdict_from(table, n_eligible), table, per_dim
