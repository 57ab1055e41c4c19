"""The concepts verdict: are food and animal dimensions among the best represented, and
sports and royal ones among the worst?

The dimensions that carry each term come from the package's reviewed table of the 42 VICE
dimensions (the registry's ``vice-dimensions``), not from a naming rule. Each
real triplet is assigned to the dimension that decides it (the pair most people kept
together, :func:`humanalign.study.answer_labels`). A dimension's score is the models'
accuracy on people's answers to its triplets divided by the accuracy of the VICE embedding
itself on the same answers: this removes how predictable people are on that dimension.
Intervals resample the distinct triplets and the people; a term's comparison is signed so
that positive is the paper's side.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import measures
from ...datasets import term_dimensions as reviewed_terms
from ...profiles import Profile
from ...vocabulary import AGREES
from ..choices import BOOK, Choice
from ..result import REAL_THINGS, StudyResult, as_result
from .robustness import robust
from .rules import Verdict, combine, deciding_row, outcome

__all__ = [
    "CONCEPT_TERMS",
    "concept_comparisons",
    "concept_dimension_accuracy",
    "distinct_per_dimension",
    "concepts_verdict_from",
    "interval_pivot",
    "term_dimensions",
    "verdict_concepts",
]

#: The paper's concept claim, term by term: +1 among the best represented, -1 among the worst.
CONCEPT_TERMS: dict[str, int] = {"food": +1, "animals": +1, "sports": -1, "royal": -1}


def term_dimensions(dimensions: pd.DataFrame, terms: dict = CONCEPT_TERMS) -> dict[str, list[int]]:
    """The dimensions that carry each term, from the reviewed table's ``term`` column.

    Args:
        dimensions: :func:`humanalign.study.dimension_table` (or any table with
            ``dimension`` and ``term``).
    """
    found = reviewed_terms(dimensions[["dimension", "term"]].fillna(""))
    return {term: found.get(term, []) for term in terms}


def concept_dimension_accuracy(correct: np.ndarray, labels: np.ndarray, models: list[str], n_dims: int,
                               n_boot: int = 1000, seed: int = 0, triplet_id: np.ndarray | None = None,
                               people: np.ndarray | None = None) -> pd.DataFrame:
    """Accuracy of every model on every dimension, with a bootstrap interval that resamples
    the distinct triplets and the people of the answers (``triplet_id``, ``people``), or the
    dimension's answers when they are not given.

    Returns:
        One row per model and dimension: ``model, dimension, n, accuracy, ci_low, ci_high``
        (``n``: answers).
    """
    c = np.asarray(correct, dtype=np.float64)
    boot = (measures.crossed_bootstrap(c, triplet_id, people, n_boot, seed, labels=labels, n_labels=n_dims)
            if triplet_id is not None and people is not None and c.shape[1] else None)
    rows = []
    for m, model in enumerate(models):
        for d in range(n_dims):
            sel = c[labels == d, m]
            if not len(sel):
                lo, hi = np.nan, np.nan
            elif boot is not None:
                lo, hi = measures.interval(boot[:, m, d])
            else:
                lo, hi = measures.bootstrap_ci(sel, n_boot=n_boot, seed=seed)
            rows.append({"model": model, "dimension": d, "n": int(len(sel)),
                         "accuracy": float(sel.mean()) if len(sel) else np.nan, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows, columns=["model", "dimension", "n", "accuracy", "ci_low", "ci_high"])


def interval_pivot(per_dim: pd.DataFrame) -> pd.DataFrame:
    """One row per dimension name, one column per model: ``"0.512 [0.489, 0.534]"`` (n)."""
    text = [f"{a:.3f} [{lo:.3f}, {hi:.3f}] ({n})" if n else "-" for a, lo, hi, n in
            zip(per_dim["accuracy"], per_dim["ci_low"], per_dim["ci_high"], per_dim["n"])]
    wide = per_dim.assign(cell=text).pivot(index=["dimension", "name"], columns="model", values="cell")
    return wide[list(dict.fromkeys(per_dim["model"]))]


def concept_comparisons(correct: np.ndarray, vice_correct: np.ndarray, triplet_id: np.ndarray, people: np.ndarray,
                        labels: np.ndarray, dimensions: pd.DataFrame, terms: dict = CONCEPT_TERMS, min_n: int = 10,
                        n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """The concept claim by its content: are the term's dimensions better (or worse)
    represented than the other dimensions, relative to VICE's own accuracy on them?

    Per dimension with at least ``min_n`` distinct triplets, the models' mean accuracy
    divided by VICE's; for each term, the mean of that ratio over its dimensions minus the
    mean over all other such dimensions, signed so that positive is the paper's side.
    Intervals resample the distinct triplets and the people
    (:func:`humanalign.measures.crossed_bootstrap`).

    Args:
        correct: (N, M) 0/1 per-answer correctness of M trained models.
        vice_correct: (N,) the embedding's own correctness on the same answers.
        triplet_id: (N,) the distinct triplet of each answer; ``people``: (N,) who gave it.
        labels: (N,) dimension of each answer (the same for all answers to one triplet).
        dimensions: Table with ``dimension`` and ``term`` (:func:`term_dimensions`).

    Returns:
        One row per term: ``term, paper_side, dimensions, comparison, difference, ci_low,
        ci_high, outcome, rank`` (``rank``: the term's best-placed dimension among the eligible
        ones, 1 = best represented; NaN values when the term has no eligible dimension).
    """
    c = np.asarray(correct, dtype=np.float64)
    lab = np.asarray(labels, dtype=np.int64)
    n_dims = len(dimensions)
    columns = ["term", "paper_side", "dimensions", "comparison", "difference", "ci_low", "ci_high", "outcome", "rank"]
    if c.ndim != 2 or c.shape[0] != len(lab) or len(vice_correct) != len(lab):
        raise ValueError(f"correct has shape {c.shape}, vice_correct {np.shape(vice_correct)}, labels {lab.shape}; "
                         "expected one row per answer.")
    if c.shape[1] == 0:
        return pd.DataFrame(columns=columns)
    values = np.stack([c.mean(axis=1), np.asarray(vice_correct, dtype=np.float64)], axis=1)
    eligible = distinct_per_dimension(lab, triplet_id, n_dims) >= min_n
    boot = measures.crossed_bootstrap(values, triplet_id, people, n_boot, seed, labels=lab, n_labels=n_dims)
    point = np.stack([np.bincount(lab, weights=values[:, j], minlength=n_dims) /
                      np.maximum(np.bincount(lab, minlength=n_dims), 1) for j in range(2)])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio_point = point[0] / point[1]
        ratio_boot = boot[:, 0, :] / boot[:, 1, :]
    by_term = term_dimensions(dimensions, terms)
    order = np.argsort(-np.where(eligible, ratio_point, -np.inf), kind="stable")
    rank = np.empty(n_dims, dtype=int)
    rank[order] = np.arange(1, n_dims + 1)
    rows = []
    for term, side in terms.items():
        dims = [d for d in by_term[term] if eligible[d]]
        inside = np.zeros(n_dims, bool)
        inside[dims] = True
        what = "best" if side > 0 else "worst"
        comparison = f"{term} dimensions - other dimensions" if side > 0 else f"other dimensions - {term} dimensions"
        row = {"term": term, "paper_side": f"among the {what} represented", "dimensions": dims,
               "comparison": comparison, "difference": np.nan, "ci_low": np.nan, "ci_high": np.nan,
               "outcome": "", "rank": np.nan}
        if dims and (eligible & ~inside).any():
            diff = lambda r: side * (np.nanmean(r[..., inside], axis=-1) - np.nanmean(r[..., eligible & ~inside], axis=-1))  # noqa: E731
            low, high = measures.interval(diff(ratio_boot))
            row.update(difference=float(diff(ratio_point)), ci_low=low, ci_high=high, outcome=outcome(low, high),
                       rank=int(rank[dims].min() if side > 0 else rank[dims].max()))
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def distinct_per_dimension(labels: np.ndarray, triplet_id: np.ndarray, n_dims: int) -> np.ndarray:
    """(n_dims,) how many distinct triplets each dimension has (answers are counted once per
    triplet)."""
    lab = np.asarray(labels, dtype=np.int64)
    tid = np.asarray(triplet_id).reshape(-1)
    pairs = np.unique(np.stack([lab, tid], axis=1), axis=0) if len(lab) else np.zeros((0, 2), dtype=np.int64)
    return np.bincount(pairs[:, 0], minlength=n_dims)


def _why_missing(term: str, dims: list[int]) -> str:
    if not dims:
        return f"{term} (no dimension of the reviewed table carries it)"
    return f"{term} (too few real triplets on its dimensions)"


def concepts_verdict_from(table: pd.DataFrame, n_eligible: int | None = None) -> Verdict:
    """The concepts verdict: reproduced when every testable term lies on the paper's side,
    not reproduced when one lies wholly on the other side, undecided otherwise; terms
    without a dimension are named, with why."""
    testable = table.dropna(subset=["difference"]) if len(table) else table
    missing = [_why_missing(t, list(d)) for t, d, v in zip(table["term"], table["dimensions"], table["difference"])
               if pd.isna(v)] if len(table) else []
    labels = {"unit": "triplets and people", "data": REAL_THINGS,
              "unidentified": ", ".join(m.split(" (")[0] for m in missing) or "none"}
    if testable.empty:
        why = ("the profile has no trained model" if table.empty else
               "no dimension with enough real triplets carries food, animals, sports or royal objects")
        return Verdict("not testable with this profile's models", why, {"n_comparisons": 0.0}, labels)
    status = combine(list(testable["outcome"]))
    parts = [f"{c}: {d:+.3f} [{lo:+.3f}, {hi:+.3f}], {o}" for c, d, lo, hi, o in zip(
        testable["comparison"], testable["difference"], testable["ci_low"], testable["ci_high"], testable["outcome"])]
    decisive = deciding_row(testable)
    numbers = {"n_comparisons": float(len(testable)),
               "n_agree": float((testable["outcome"] == AGREES).sum()),
               "estimate": float(decisive["difference"]), "ci_low": float(decisive["ci_low"]),
               "ci_high": float(decisive["ci_high"])}
    for term, d, lo, hi, r in zip(table["term"], table["difference"], table["ci_low"], table["ci_high"], table["rank"]):
        if pd.notna(d):
            numbers.update({f"{term}_difference": float(d), f"{term}_low": float(lo), f"{term}_high": float(hi),
                            f"{term}_rank": float(r)})
    if n_eligible is not None:
        numbers["n_dimensions"] = float(n_eligible)
    note = f" Not tested: {'; '.join(missing)}." if missing else ""
    reason = (f"{int(numbers['n_agree'])} of {len(testable)} terms lie on the paper's side (food and animal "
              f"dimensions among the best represented, sports and royal ones among the worst, each relative to "
              f"VICE's own accuracy) at 95 % confidence, triplets and people resampled: {'; '.join(parts)}.{note}")
    return Verdict(status, reason, numbers, labels)


def _concepts_under(result: StudyResult, kind: str, min_n: int,
                    choice: Choice) -> tuple[Verdict, pd.DataFrame, np.ndarray]:
    """The verdict and term table under one choice, and the correctness it rests on."""
    answers = result.concept_answers()
    correct = result.correct(result.trained, transformed=kind == "probed",
                             choice=choice if kind == "zero_shot" else BOOK)
    table = concept_comparisons(correct, answers.vice_correct, answers.triplet_id, answers.people, answers.labels,
                                answers.dimensions, min_n=min_n, n_boot=result.profile.n_boot,
                                seed=result.profile.seed)
    per_dimension = distinct_per_dimension(answers.labels, answers.triplet_id, len(answers.dimensions))
    n_eligible = int((per_dimension >= min_n).sum())
    return concepts_verdict_from(table, n_eligible), table, correct


def verdict_concepts(result: StudyResult | Profile, kind: str = "zero_shot", min_n: int = 10,
                     choice: Choice | None = None) -> tuple[Verdict, pd.DataFrame, pd.DataFrame]:
    """Concepts: are food and animal dimensions among the best represented and sports and
    royal ones among the worst, over the profile's trained models?

    Args:
        result: The profile's study result (a profile is read through its
            :func:`~..result.study_result`).
        kind: ``zero_shot`` or ``probed`` (each answer scored by a probe that never saw its
            objects; the alternatives of the odd-one-out similarity do not apply to it).
        choice: Measure under this choice only; by default the book's way, with the
            verdict's robustness to the alternatives (:mod:`.robustness`).

    Returns:
        The verdict, the term table of :func:`concept_comparisons` and the per-model,
        per-dimension accuracies of :func:`concept_dimension_accuracy` (with names; only the
        book's way computes them, empty otherwise).
    """
    if kind not in ("zero_shot", "probed"):
        raise ValueError(f"kind must be 'zero_shot' or 'probed', not {kind!r}.")
    result = as_result(result)
    if choice is not None:
        verdict, table, _ = _concepts_under(result, kind, min_n, choice)
        return verdict, table, pd.DataFrame()
    on = ("things",) if kind == "zero_shot" else ()
    verdict, table, correct = robust(lambda c: _concepts_under(result, kind, min_n, c), result.profile, on)
    answers = result.concept_answers()
    dimensions, labels, triplet_id = answers.dimensions, answers.labels, answers.triplet_id
    per_dim = concept_dimension_accuracy(correct, labels, [s.id for s in result.trained], len(dimensions),
                                         result.profile.n_boot, result.profile.seed, triplet_id=triplet_id,
                                         people=answers.people)
    per_dim = per_dim.merge(dimensions[["dimension", "name", "term", "category", "enrichment"]], on="dimension")
    per_dim = per_dim.merge(pd.DataFrame({"dimension": np.arange(len(dimensions)),
                                          "n_triplets": distinct_per_dimension(labels, triplet_id, len(dimensions))}),
                            on="dimension")
    return verdict, table, per_dim
