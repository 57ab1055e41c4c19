"""Linear probing on odd-one-out triplets (the paper's "probing" and its follow-up's variant).

:func:`fit_probe` fits the probe of :mod:`.probe_transform` (``Z = X W (+ b)`` on globally
standardised features) by minimising the objective of :mod:`.probe_solver` over a grid of
penalty weights, each lambda warm-started from the next weaker one. Cross-validation is over
objects: a triplet trains a fold only if all three of its objects are training objects,
tests it only if all three are test objects; mixed triplets are dropped.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd

from ..datasets.types import Triplets, restrict_triplets
from ._checks import as_features, as_triplets
from .odd_one_out import odd_one_out_correct
from .probe_device import as_tensor, choose_device, cpu_threads, loss_flops
from .probe_solver import ProbeConvergence, Space, evaluate, fit, flat_pairs, full_weights, project, reduced_space
from .probe_transform import ProbeTransform, standardise

__all__ = ["LAMBDAS", "ProbeResult", "convergence_summary", "fit_probe", "object_folds", "test_masks"]

LAMBDAS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5)


@dataclass(frozen=True, eq=False)
class ProbeResult:
    """Outcome of :func:`fit_probe`.

    Attributes:
        accuracy: Mean held-out odd-one-out accuracy over folds at the chosen lambda.
        zero_shot: Mean held-out zero-shot accuracy on the same test triplets.
        lambda_: The lambda with the lowest mean held-out loss.
        cv: One row per fold x lambda (lambdas ascending): ``fold, lambda_, train_loss, test_loss,
            test_accuracy, zero_shot_accuracy, n_train, n_test, n_iter``, and the fit's
            convergence report: ``grad_norm, rel_change, hit_iteration_cap, stopped_on``.
        transform: The probe refitted on all objects with ``lambda_``.
        test_mask: (N,) bool, the triplet was a test triplet of some fold (not mixed).
        test_correct: (N,) bool, held-out probe choice correct at ``lambda_`` (False where
            ``test_mask`` is False).
        zero_shot_correct: (N,) bool, zero-shot choice correct (all triplets).
        convergence: How the final refit on all objects ended (``None`` only for results
            built by hand).
        scored: For each set of ``score`` triplets given to :func:`fit_probe`, (N_f,) bool:
            the choice of that fold's probe at ``lambda_`` is right (ties wrong).
    """

    accuracy: float
    zero_shot: float
    lambda_: float
    cv: pd.DataFrame
    transform: ProbeTransform
    test_mask: np.ndarray = field(repr=False)
    test_correct: np.ndarray = field(repr=False)
    zero_shot_correct: np.ndarray = field(repr=False)
    convergence: ProbeConvergence | None = None
    scored: tuple[np.ndarray, ...] = field(default=(), repr=False)


def object_folds(n_objects: int, n_folds: int = 3, seed: int = 0) -> np.ndarray:
    """Assign objects to ``n_folds`` folds of (nearly) equal size at random.

    Returns:
        (n_objects,) int array of fold ids.

    Raises:
        ValueError: fewer than 3 objects per fold, or fewer than 2 folds.
    """
    if n_folds < 2:
        raise ValueError(f"n_folds must be at least 2, got {n_folds}.")
    if n_objects < 3 * n_folds:
        raise ValueError(
            f"{n_objects} objects are too few for {n_folds} object-wise folds: every fold needs "
            "at least 3 objects to form a test triplet. Use fewer folds or more objects."
        )
    perm = np.random.default_rng(seed).permutation(n_objects)
    folds = np.empty(n_objects, dtype=np.int64)
    folds[perm] = np.arange(n_objects) % n_folds
    return folds

@dataclass
class FoldProblem:
    """One object-wise fold, ready to fit: training space, test objects, pair indices."""

    space: Space
    x_te: object  # (m, p) standardised test objects
    pairs_tr: object  # (3, N_train) flat indices into the training similarity matrix
    pairs_te: object  # (3, N_test) flat indices into the test similarity matrix
    train_sel: np.ndarray  # rows of the triplets used for training
    test_sel: np.ndarray  # rows used for testing
    test_obj: np.ndarray  # the held-out objects, in the row order of x_te


def test_masks(folds: np.ndarray) -> np.ndarray:
    """(k, n) bool: which objects each fold holds out, from a fold id per object (a
    partition, :func:`object_folds`) or from masks already (returned as they are)."""
    folds = np.asarray(folds)
    if folds.ndim == 2:
        return folds.astype(bool)
    return np.stack([folds == f for f in range(int(folds.max()) + 1)])


def fold_problem(x_raw, idx, folds, f, device, reduce, rank: int | None = None) -> FoldProblem:
    """Split triplets by fold ``f`` (mixed ones dropped) and standardise with its training objects.

    ``folds`` is a fold id per object or (k, n) held-out masks (:func:`test_masks`).
    """
    n = x_raw.shape[0]
    held = test_masks(folds)[f]
    train_obj = np.flatnonzero(~held)
    test_obj = np.flatnonzero(held)
    inside = held[idx]
    train_sel = np.flatnonzero((~inside).all(axis=1))
    test_sel = np.flatnonzero(inside.all(axis=1))
    if len(train_sel) == 0 or len(test_sel) == 0:
        raise ValueError(
            f"fold {f} has {len(train_sel)} training and {len(test_sel)} test triplets once mixed "
            f"triplets are dropped ({len(idx)} triplets over {n} objects, {len(test_masks(folds))} folds); "
            "more triplets or fewer folds are needed."
        )
    mean, std = float(x_raw[train_obj].mean()), float(x_raw[train_obj].std())
    if not std > 0:
        raise ValueError(f"fold {f}: training features are constant; nothing to probe.")
    x_tr = as_tensor((x_raw[train_obj] - mean) / std, device)
    return FoldProblem(
        space=reduced_space(x_tr, reduce, rank),
        x_te=as_tensor((x_raw[test_obj] - mean) / std, device),
        pairs_tr=flat_pairs(restrict_triplets(idx[train_sel], train_obj, n), len(train_obj), device),
        pairs_te=flat_pairs(restrict_triplets(idx[test_sel], test_obj, n), len(test_obj), device),
        train_sel=train_sel,
        test_sel=test_sel,
        test_obj=test_obj,
    )


#: Fewest test triplets a fold may hold for its held-out accuracy to be reported.
MIN_HELD_OUT = 10


def fit_probe(
    features: np.ndarray,
    triplets: np.ndarray | Triplets,
    lambdas: tuple[float, ...] = LAMBDAS,
    n_folds: int = 3,
    seed: int = 0,
    bias: bool = False,
    identity_weight: float = 0.0,
    device: str | None = None,
    zero_shot_similarity: str = "cosine",
    max_iter: int = 100,
    tol: float = 1e-6,
    reduce: bool = True,
    rank: int | None = None,
    folds: np.ndarray | None = None,
    score: Sequence[np.ndarray] | None = None,
) -> ProbeResult:
    """Fit a linear probe with object-wise k-fold cross-validation over a lambda grid.

    Args:
        features: (n, p) raw features, one row per object (standardised internally).
        triplets: (N, 3) 0-based indices, similar pair first, odd one out last, or
            :class:`Triplets`.
        lambdas: Grid of penalty weights; the one with the lowest mean held-out loss wins.
        n_folds: Number of object-wise folds (the paper uses 3).
        seed: Seed of the object split.
        bias: Also learn a bias ``b`` (the follow-up's affine probe).
        identity_weight: Weight of the follow-up's pull toward a scaled identity; 0 = off.
        device: Torch device; ``None`` reads ``HUMANALIGN_DEVICE`` (GPU when present).
        zero_shot_similarity: Similarity of the zero-shot baseline, ``"cosine"`` or ``"dot"``.
        max_iter: L-BFGS iterations per fit.
        tol: Gradient tolerance of L-BFGS.
        reduce: With fewer training objects than features, optimise in the exact
            low-dimensional coordinates of the reachable weights (see
            :class:`.probe_solver.Space`): the
            same objective, far cheaper. ``False`` optimises the full
            (p, p) matrix (the reference the tests compare against).
        rank: Let W act freely only on the ``rank`` leading principal directions of each
            fold's training features and scale the rest by one number (a rank-limited probe,
            see :class:`.probe_solver.Space`); ``None``: the full probe.
        folds: (k, n) bool, the objects each fold holds out (they may overlap), instead of
            the seeded partition into ``n_folds``.
        score: One (N_f, 3) array per fold of further triplets (similar pair first, odd one
            out last) whose objects that fold holds out, scored by that fold's probe at the
            chosen lambda (:attr:`ProbeResult.scored`): e.g. real choices, when the probe is
            fitted on simulated ones.

    Returns:
        A :class:`ProbeResult`.

    Raises:
        ValueError: invalid features or triplets, an empty or non-positive lambda grid, too
            few objects / triplets for the folds, or ``score`` triplets on objects their
            fold trains on.
    """
    x_raw = as_features(features)
    idx = as_triplets(triplets, x_raw.shape[0])
    lambdas = tuple(float(v) for v in lambdas)
    if not lambdas or any(not (v >= 0 and math.isfinite(v)) for v in lambdas):
        raise ValueError(f"lambdas must be a non-empty sequence of finite values >= 0, got {lambdas}.")
    if identity_weight < 0:
        raise ValueError(f"identity_weight must be >= 0, got {identity_weight}.")
    if rank is not None and (isinstance(rank, bool) or not isinstance(rank, (int, np.integer)) or rank < 1):
        raise ValueError(f"rank must be a whole number >= 1 or None, got {rank!r}.")
    if folds is None:
        if isinstance(n_folds, bool) or not isinstance(n_folds, (int, np.integer)):
            raise ValueError(f"n_folds must be a whole number >= 2, got {n_folds!r}.")
        masks = test_masks(object_folds(x_raw.shape[0], int(n_folds), seed))
    else:
        masks = np.asarray(folds)
        if masks.ndim != 2 or masks.shape[1] != x_raw.shape[0] or masks.dtype != bool or len(masks) < 2:
            raise ValueError(f"folds must be a (k >= 2, {x_raw.shape[0]}) bool array of held-out objects, "
                             f"got shape {masks.shape} and dtype {masks.dtype}.")
    # Object-wise folds keep only triplets inside one fold for testing; an accuracy from a
    # handful of them is noise, so too few is refused rather than reported.
    held_out = [int(m[idx].all(axis=1).sum()) for m in masks]
    if min(held_out) < MIN_HELD_OUT:
        raise ValueError(
            f"{len(idx)} triplets over {x_raw.shape[0]} objects leave {min(held_out)} test triplets "
            f"in the smallest of {len(masks)} object-wise folds (held out per fold: {held_out}); at least "
            f"{MIN_HELD_OUT} are needed for a held-out accuracy. Use more triplets or fewer folds."
        )
    extra = _score_sets(score, masks, x_raw.shape[0])
    device = choose_device(device)
    solve = functools.partial(fit, identity_weight=identity_weight, use_bias=bias, max_iter=max_iter, tol=tol)
    width = min(rank or x_raw.shape[1], x_raw.shape[1])
    with cpu_threads(device, loss_flops(x_raw.shape[0], width, reduce)):
        return _cross_validate(x_raw, idx, masks, lambdas, solve, device, zero_shot_similarity, reduce, rank, extra)


def _score_sets(score, masks: np.ndarray, n: int) -> list[np.ndarray] | None:
    """The ``score`` triplets of :func:`fit_probe`, checked: one set per fold, each on
    objects that fold holds out."""
    if score is None:
        return None
    sets = list(score)
    if len(sets) != len(masks):
        raise ValueError(f"score has {len(sets)} sets of triplets for {len(masks)} folds; give one per fold.")
    out = []
    for f, trip in enumerate(sets):
        trip = np.asarray(trip, dtype=np.int64).reshape(-1, 3)
        if trip.size and (trip.min() < 0 or trip.max() >= n):
            raise ValueError(f"score set {f} holds object indices outside 0 .. {n - 1}.")
        if trip.size and not masks[f][trip].all():
            raise ValueError(f"score set {f} has triplets on objects that fold {f} trains on; a probe must "
                             "not be scored on objects it was fitted with.")
        out.append(trip)
    return out


class _Fit(NamedTuple):
    """One fold's fit at one lambda, scored on the fold's test triplets."""

    solution: tuple  # (a, cp, beta) in the fold's space
    test_loss: float
    correct: np.ndarray  # (N_test,) bool


@dataclass
class _FoldPath:
    """The fits of one fold along the lambda grid."""

    space: Space
    test_sel: np.ndarray
    rows: list[dict]  # one cv row per lambda
    fits: dict[float, _Fit]


def _cross_validate(x_raw, idx, folds, lambdas, solve, device, zero_shot_similarity, reduce, rank=None,
                    extra=None) -> ProbeResult:
    zero_correct = odd_one_out_correct(x_raw, idx, zero_shot_similarity)
    problems = [fold_problem(x_raw, idx, folds, f, device, reduce, rank) for f in range(len(test_masks(folds)))]
    paths = [_fold_path(fp, f, lambdas, solve, zero_correct) for f, fp in enumerate(problems)]
    cv = pd.DataFrame([row for path in paths for row in path.rows])
    by_lambda = cv.groupby("lambda_", sort=False)["test_loss"].mean()
    chosen = float(by_lambda.idxmin())
    at = cv[cv["lambda_"] == chosen]
    test_mask = np.zeros(len(idx), dtype=bool)
    test_correct = np.zeros(len(idx), dtype=bool)
    for path in paths:
        test_mask[path.test_sel] = True
        test_correct[path.test_sel] = path.fits[chosen].correct
    scored = ()
    if extra is not None:
        n = x_raw.shape[0]
        scored = tuple(
            evaluate(fp.space, path.fits[chosen].solution, fp.x_te,
                     flat_pairs(restrict_triplets(trip, fp.test_obj, n), len(fp.test_obj), device))[1].astype(bool)
            if len(trip) else np.zeros(0, dtype=bool)
            for fp, path, trip in zip(problems, paths, extra))
    # Warm-start the refit from the fold solution with the lowest held-out loss.
    best = min(paths, key=lambda path: path.fits[chosen].test_loss)
    fold_fit = best.fits[chosen]
    transform, refit_report = _refit(x_raw, idx, best.space, fold_fit.solution, chosen, solve, device, reduce, rank)
    return ProbeResult(
        accuracy=float(at["test_accuracy"].mean()),
        zero_shot=float(at["zero_shot_accuracy"].mean()),
        lambda_=chosen,
        cv=cv,
        transform=transform,
        test_mask=test_mask,
        test_correct=test_correct,
        zero_shot_correct=zero_correct,
        convergence=refit_report,
        scored=scored,
    )


def _fold_path(fp: FoldProblem, f: int, lambdas, solve, zero_correct) -> _FoldPath:
    """Fit fold ``f`` at every lambda and score each fit on the fold's test triplets."""
    zs = float(zero_correct[fp.test_sel].mean())
    rows, fits = [], {}
    # Walk the regularisation path from weak to strong, each fit warm-started from the
    # previous one. W = 0 is a local minimum under the un-squared norm penalty, so a
    # strong-penalty fit started near zero can stop there although a much better
    # solution exists; starting from the weaker-penalty solution avoids that trap.
    state = None
    for lam in sorted(lambdas):
        solution, train_loss, report = solve(fp.space, fp.pairs_tr, lam, init=state)
        state = solution
        test_loss, correct = evaluate(fp.space, solution, fp.x_te, fp.pairs_te)
        fits[lam] = _Fit(solution, test_loss, correct)
        rows.append(
            dict(fold=f, lambda_=lam, train_loss=train_loss, test_loss=test_loss,
                 test_accuracy=float(correct.mean()), zero_shot_accuracy=zs,
                 n_train=len(fp.train_sel), n_test=len(fp.test_sel), n_iter=report.n_iter,
                 grad_norm=report.grad_norm, rel_change=report.rel_change,
                 hit_iteration_cap=report.hit_iteration_cap, stopped_on=report.stopped_on)
        )
    return _FoldPath(space=fp.space, test_sel=fp.test_sel, rows=rows, fits=fits)


def _refit(x_raw, idx, fold_space, fold_solution, chosen, solve, device, reduce, rank=None):
    """Refit on all objects and all triplets with the chosen lambda, warm-started from a fold.

    W acts on features, so a fold's solution carries over to the full set. Returns
    ``(ProbeTransform, ProbeConvergence)``.
    """
    x_all, mean, std = standardise(x_raw)
    space = reduced_space(as_tensor(x_all, device), reduce, rank)
    w_fold, b_fold = full_weights(fold_space, *fold_solution)
    solution, _, report = solve(
        space, flat_pairs(idx, x_raw.shape[0], device), chosen, init=project(space, w_fold, b_fold)
    )
    w, b = full_weights(space, *solution)
    transform = ProbeTransform(
        weights=w.cpu().double().numpy(), bias=None if b is None else b.cpu().double().numpy(),
        mean=mean, std=std,
    )
    return transform, report


def convergence_summary(result: ProbeResult) -> dict[str, float]:
    """The convergence of a fitted probe as tidy measures (name -> number).

    Keys: ``probe_refit_n_iter``, ``probe_refit_grad_norm``, ``probe_refit_rel_change``,
    ``probe_refit_hit_cap`` (1.0 if the final refit stopped on its iteration budget, else
    0.0), ``probe_grid_fits`` (fold x lambda fits), ``probe_grid_fits_hit_cap`` (how many of
    them stopped on the budget), ``probe_grid_max_n_iter`` (the most iterations one of them
    took), ``probe_grid_max_grad_norm`` and ``probe_lambda_at_edge`` (1.0 when the chosen
    lambda is the grid's largest or smallest: the grid may not hold the best value). Values
    are floats so they fit a results table's ``value`` column.

    Raises:
        ValueError: the result carries no convergence report (built by hand).
    """
    conv = result.convergence
    if conv is None or "hit_iteration_cap" not in result.cv.columns:
        raise ValueError("this probe result has no convergence report; refit it with fit_probe.")
    cv = result.cv
    return {
        "probe_refit_n_iter": float(conv.n_iter),
        "probe_refit_grad_norm": float(conv.grad_norm),
        "probe_refit_rel_change": float(conv.rel_change),
        "probe_refit_hit_cap": float(conv.hit_iteration_cap),
        "probe_grid_fits": float(len(cv)),
        "probe_grid_fits_hit_cap": float(cv["hit_iteration_cap"].sum()),
        "probe_grid_max_n_iter": float(cv["n_iter"].max()),
        "probe_grid_max_grad_norm": float(cv["grad_norm"].max()),
        "probe_lambda_at_edge": float(cv["lambda_"].nunique() > 1
                                      and result.lambda_ in (cv["lambda_"].min(), cv["lambda_"].max())),
    }
