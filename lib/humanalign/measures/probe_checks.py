"""Does the probe's start matter? One fold fitted from several starts, compared.

The similarities are quadratic in W, so the probe's objective is not convex; this check fits
one fold from the scaled-identity start, from the path :func:`~.probing.fit_probe` takes and
from random starts, and reports whether they reach the same held-out loss.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..datasets.types import Triplets
from ._checks import as_features, as_triplets
from .probe_device import choose_device, cpu_threads, loss_flops
from .probe_solver import evaluate, fit, initial_scale, objective_value, random_start
from .probing import LAMBDAS, FoldProblem, fold_problem, object_folds

__all__ = ["StartCheck", "check_start_points"]


@dataclass(frozen=True, eq=False)
class StartCheck:
    """Outcome of :func:`check_start_points`.

    Attributes:
        table: One row per start: ``start, objective, train_loss, test_loss,
            test_accuracy, n_iter, grad_norm, hit_iteration_cap``.
        spread: Largest minus smallest held-out loss over the starts.
        tolerance: The largest spread counted as agreement.
    """

    table: pd.DataFrame
    spread: float
    tolerance: float

    @property
    def agree(self) -> bool:
        """All starts reached the same held-out loss within ``tolerance``."""
        return bool(self.spread <= self.tolerance)


def check_start_points(
    features: np.ndarray,
    triplets: np.ndarray | Triplets,
    lambda_: float = 1e-3,
    seeds: tuple[int, ...] = (1, 2),
    fold: int = 0,
    n_folds: int = 3,
    seed: int = 0,
    device: str | None = None,
    max_iter: int = 100,
    tol: float = 1e-6,
    tolerance: float = 1e-3,
    reduce: bool = True,
    path_lambdas: tuple[float, ...] = LAMBDAS,
) -> StartCheck:
    """Fit one fold from the scaled-identity start and from random starts; compare.

    The similarities are quadratic in W, so the objective is not convex and the start could
    matter. Every fit uses the same training triplets (fold ``fold`` of ``n_folds``
    object-wise folds), the same ``lambda_`` and the same L-BFGS settings as
    :func:`fit_probe`; only the start differs. The starts: the best scaled identity (a
    cold start); the path :func:`fit_probe` takes (fits at the weaker lambdas of
    ``path_lambdas``, each warm-starting the next, ending at ``lambda_``; left out when no
    lambda of ``path_lambdas`` is weaker); and one random start per seed.

    A random start with seed ``k`` is ``W0 = s G / sqrt(p)``, G (p, p) standard normal and s
    the scale of the identity start, so ``||W0||_F`` is close to ``||s I||_F``. In the
    reduced coordinates (fewer training objects than features and ``reduce=True``) the
    random part ``s G / sqrt(r)`` lives on the row space of the training features (an
    (r, r) block) and the
    complement starts as in the identity start: the training triplets cannot see those
    directions, only the penalty acts on them. ``reduce=False`` starts the full (p, p)
    matrix at random instead.

    Args:
        features: (n, p) raw features, one row per object.
        triplets: (N, 3) indices, similar pair first, odd one out last.
        lambda_: Penalty weight of every fit.
        seeds: Seeds of the random starts.
        fold: Which object-wise fold is held out.
        n_folds, seed: The object split, as in :func:`fit_probe`.
        device: Torch device; ``None`` reads ``HUMANALIGN_DEVICE``.
        max_iter, tol: L-BFGS budget and gradient tolerance.
        tolerance: Largest held-out loss spread counted as agreement.
        reduce: Use the reduced coordinates when they apply.
        path_lambdas: The lambda grid whose weaker values make up the path start.

    Returns:
        A :class:`StartCheck`. Compare its ``objective`` column too: a start that stops at
        the local minimum near W = 0 has a worse objective although its held-out loss can
        look fine.
    """
    x_raw = as_features(features)
    idx = as_triplets(triplets, x_raw.shape[0])
    if not (lambda_ >= 0 and math.isfinite(lambda_)):
        raise ValueError(f"lambda_ must be finite and >= 0, got {lambda_}.")
    if not 0 <= fold < n_folds:
        raise ValueError(f"fold must be in 0..{n_folds - 1}, got {fold}.")
    device = choose_device(device)
    n = x_raw.shape[0]
    with cpu_threads(device, loss_flops(*x_raw.shape, reduce)):
        fp = fold_problem(x_raw, idx, object_folds(n, n_folds, seed), fold, device, reduce)
        starts = _starts(fp, lambda_, seeds, path_lambdas, max_iter, tol)
        rows = [_fit_from(fp, name, init, lambda_, max_iter, tol) for name, init in starts]
    table = pd.DataFrame(rows)
    return StartCheck(table=table, spread=float(table["test_loss"].max() - table["test_loss"].min()),
                      tolerance=float(tolerance))


def _starts(fp: FoldProblem, lambda_, seeds, path_lambdas, max_iter, tol) -> list[tuple[str, object]]:
    """``(name, start)`` pairs: the identity start (``None``), the path start, the random starts."""
    scale = initial_scale(fp.space, fp.pairs_tr, lambda_, fp.space.p)
    starts: list[tuple[str, object]] = [("identity", None)]
    weaker = sorted(v for v in path_lambdas if v < lambda_)
    if weaker:
        # What fit_probe does: walk up from the weakest lambda, each fit warm-starting the next.
        state = None
        for lam in weaker:
            state, _, _ = fit(fp.space, fp.pairs_tr, lam, 0.0, False, max_iter, tol, init=state)
        starts.append((f"path from {weaker[0]:g}", state))
    for k in seeds:
        starts.append((f"random (seed {k})", random_start(fp.space, scale, k)))
    return starts


def _fit_from(fp: FoldProblem, name: str, init, lambda_, max_iter, tol) -> dict:
    """Fit the fold at ``lambda_`` from one start; its row of the check's table."""
    solution, train_loss, report = fit(fp.space, fp.pairs_tr, lambda_, 0.0, False, max_iter, tol, init=init)
    objective = objective_value(fp.space, solution, fp.pairs_tr, lambda_, 0.0)
    test_loss, correct = evaluate(fp.space, solution, fp.x_te, fp.pairs_te)
    return dict(start=name, objective=objective, train_loss=train_loss, test_loss=test_loss,
                test_accuracy=float(correct.mean()), n_iter=report.n_iter,
                grad_norm=report.grad_norm, hit_iteration_cap=report.hit_iteration_cap)
