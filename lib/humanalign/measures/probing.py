"""Linear probing on odd-one-out triplets (the paper's "probing" and its follow-up's variant).

Features are standardised with one global mean and one global standard deviation (scalars),
then transformed, ``Z = X W (+ b)``. A triplet with similar pair (a, b) and odd one out c has
the loss ``-log softmax(s_ab, s_ac, s_bc)[0]`` with ``s = Z Z^T`` raw dot products. The
penalty is ``lambda * ||W||_F`` (not squared, as in the paper) and, optionally, the
follow-up's pull toward a scaled identity, ``identity_weight * ||W - mean(diag W) I||_F^2``.

The loss touches the triplets only through ``S = Z Z^T`` over the objects, so each step is
three matrix products over objects plus index gathers into ``S``: full batch, no per-triplet
forward pass, on the GPU when there is one. Optimisation is L-BFGS with a strong-Wolfe line
search; W starts as the best multiple of the identity (not near zero as in the paper, whose
minibatch Adam escapes the local minimum at W = 0 by its step size; L-BFGS would not), and
each lambda warm-starts from the next weaker one. Cross-validation is over objects: a triplet trains a fold only if all three of its
objects are training objects, tests it only if all three are test objects; mixed triplets
are dropped.
"""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._atomic import atomic_path
from ..config import settings
from ..datasets.types import Triplets
from ..errors import DataError
from ._checks import as_features, as_triplets
from .odd_one_out import odd_one_out_correct

__all__ = [
    "LAMBDAS",
    "ProbeConvergence",
    "ProbeResult",
    "ProbeTransform",
    "StartCheck",
    "check_start_points",
    "convergence_summary",
    "fit_probe",
    "object_folds",
    "probe_loss",
    "standardise",
]

LAMBDAS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5)
# Precision of the fits; float32 is ample for the loss and twice as fast (tests use float64
# to compare parametrisations exactly).
_DTYPE = "float32"


@dataclass(frozen=True, eq=False)
class ProbeTransform:
    """A fitted probe: ``((x - mean) / std) @ weights + bias``.

    Attributes:
        weights: (p, p) float array.
        bias: (p,) float array, or ``None`` for a probe without bias.
        mean: Global scalar mean of the features the probe was fitted on.
        std: Global scalar standard deviation of those features.
    """

    weights: np.ndarray
    bias: np.ndarray | None
    mean: float
    std: float

    def __post_init__(self) -> None:
        w = np.asarray(self.weights, dtype=np.float64)
        if w.ndim != 2:
            raise ValueError(f"probe weights must be a matrix, got shape {w.shape}.")
        if self.bias is not None and np.shape(self.bias) != (w.shape[1],):
            raise ValueError(f"probe bias has shape {np.shape(self.bias)}; expected ({w.shape[1]},).")
        if not (np.isfinite(self.std) and self.std > 0 and np.isfinite(self.mean)):
            raise ValueError(f"probe std must be positive and finite (mean {self.mean}, std {self.std}).")
        object.__setattr__(self, "weights", w)
        if self.bias is not None:
            object.__setattr__(self, "bias", np.asarray(self.bias, dtype=np.float64))

    @property
    def dim(self) -> int:
        """Input dimension p of the features the probe applies to."""
        return self.weights.shape[0]

    def apply(self, features: np.ndarray) -> np.ndarray:
        """Transform features of the kind the probe was fitted on.

        Args:
            features: (n, p) raw features (the probe standardises them itself).

        Returns:
            (n, p_out) transformed features.
        """
        x = as_features(features, min_rows=1)
        if x.shape[1] != self.dim:
            raise ValueError(
                f"features have {x.shape[1]} dimensions but the probe expects {self.dim}; "
                "apply it to features of the same model and layer it was fitted on."
            )
        z = ((x - self.mean) / self.std) @ self.weights
        return z + self.bias if self.bias is not None else z

    def save_npz(self, path: str | os.PathLike) -> Path:
        """Write the probe in the layout thingsvision reads for alignment transforms.

        Keys: ``weights`` (p, p), ``bias`` (p,) (zeros for a probe without bias), ``mean``
        and ``std`` (scalars). Written atomically.
        """
        path = Path(path)
        bias = self.bias if self.bias is not None else np.zeros(self.weights.shape[1])
        with atomic_path(path, suffix=".tmp.npz") as tmp:
            np.savez(tmp, weights=self.weights, bias=bias, mean=np.float64(self.mean), std=np.float64(self.std))
        return path

    @classmethod
    def load_npz(cls, path: str | os.PathLike) -> "ProbeTransform":
        """Read a probe written by :meth:`save_npz` (or a thingsvision transform file)."""
        path = Path(path)
        try:
            with np.load(path) as data:
                missing = {"weights", "mean", "std"} - set(data.files)
                if missing:
                    raise DataError(f"{path}: keys {sorted(missing)} are missing; not a probe transform file.")
                bias = np.asarray(data["bias"]) if "bias" in data.files else None
                return cls(
                    weights=np.asarray(data["weights"]),
                    bias=bias,
                    mean=float(np.asarray(data["mean"]).reshape(-1)[0]),
                    std=float(np.asarray(data["std"]).reshape(-1)[0]),
                )
        except (OSError, ValueError) as err:
            raise DataError(f"Could not read the probe transform {path}: {err}") from err


@dataclass(frozen=True)
class ProbeConvergence:
    """How one L-BFGS fit ended.

    Attributes:
        n_iter: L-BFGS iterations used.
        n_evals: Loss and gradient evaluations (line-search trials included).
        grad_norm: Euclidean norm of the objective's gradient at the returned weights (in
            the reduced coordinates this equals the norm of the full (p, p) gradient: the
            parametrisation is isometric and the full gradient lies in its span).
        grad_max: Largest absolute entry of the gradient in the coordinates optimised
            (what L-BFGS's gradient tolerance tests).
        rel_change: Relative change of the objective over the last iteration,
            ``|f_last - f_before| / |f_before|``; 0 when the last iteration found no descent
            direction and stopped without moving; NaN when no iteration was taken.
        hit_iteration_cap: The fit stopped because it used up its budget (``max_iter``
            iterations, or L-BFGS's evaluation budget of ``1.25 max_iter``), not because a
            tolerance was met: the weights may not be converged.
        stopped_on: ``"gradient"``, ``"loss or step change"``, ``"iteration cap"`` or
            ``"evaluation cap"``.
    """

    n_iter: int
    n_evals: int
    grad_norm: float
    grad_max: float
    rel_change: float
    hit_iteration_cap: bool
    stopped_on: str


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


def standardise(features: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Subtract one global mean and divide by one global standard deviation.

    Args:
        features: (n, p) array.

    Returns:
        ``(standardised (n, p), mean, std)``.

    Raises:
        ValueError: the features are constant (standard deviation 0).
    """
    x = as_features(features, min_rows=1)
    mean, std = float(x.mean()), float(x.std())
    if not std > 0:
        raise ValueError("features are constant (standard deviation 0); there is nothing to probe.")
    return (x - mean) / std, mean, std


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


# --- torch core -------------------------------------------------------------------------


def _torch():
    import torch

    return torch


@contextlib.contextmanager
def _cpu_threads(torch, device: str, flops: float):
    """Run small CPU problems on one thread.

    For matrices of a few hundred entries the synchronisation of torch's worker threads
    costs far more than the arithmetic (20x slower on a busy two-core machine), so below
    about 1 GFLOP per loss evaluation one thread is used (on a busy two-core machine, 2
    threads took 490 ms per evaluation of a 223-object problem against 11 ms for one); the
    setting is restored after.
    """
    if not str(device).startswith("cpu") or flops > 1e9:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _flat_pairs(idx: np.ndarray, n: int, device) -> "object":
    """(3, N) flat indices into an (n, n) matrix for the pairs (a,b), (a,c), (b,c)."""
    torch = _torch()
    a, b, c = idx[:, 0], idx[:, 1], idx[:, 2]
    flat = np.stack([a * n + b, a * n + c, b * n + c])
    return torch.as_tensor(flat, dtype=torch.int64, device=device)


def _data_loss(torch, s_flat, pairs):
    logits = s_flat[pairs]  # (3, N)
    return (torch.logsumexp(logits, dim=0) - logits[0]).mean()


def probe_loss(
    features: np.ndarray,
    triplets: np.ndarray | Triplets,
    weights: np.ndarray,
    bias: np.ndarray | None = None,
    lambda_: float = 0.0,
    identity_weight: float = 0.0,
) -> tuple[float, np.ndarray, np.ndarray | None]:
    """The probe's objective and its gradient, computed as in :func:`fit_probe`.

    Args:
        features: (n, p) features, used as given (standardise them first to match a fit).
        triplets: (N, 3) indices, similar pair first, odd one out last.
        weights: (p, p) transform.
        bias: (p,) bias or ``None``.
        lambda_: Weight of ``||W||_F``.
        identity_weight: Weight of ``||W - mean(diag W) I||_F^2``.

    Returns:
        ``(loss, d loss / d weights (p, p), d loss / d bias (p,) or None)`` in float64.
    """
    torch = _torch()
    x_np = as_features(features)
    idx = as_triplets(triplets, x_np.shape[0])
    x = torch.as_tensor(x_np, dtype=torch.float64)
    w = torch.tensor(np.asarray(weights, dtype=np.float64), requires_grad=True)
    if w.shape != (x.shape[1], w.shape[1]):
        raise ValueError(f"weights have shape {tuple(w.shape)}; expected ({x.shape[1]}, q).")
    b = None if bias is None else torch.tensor(np.asarray(bias, dtype=np.float64), requires_grad=True)
    z = _transform(torch, x, w, b)
    loss = _data_loss(torch, (z @ z.T).reshape(-1), _flat_pairs(idx, x.shape[0], "cpu"))
    loss = loss + _penalty(torch, _Space(xr=x, v=None, p=x.shape[1]), w, None, lambda_, identity_weight)
    loss.backward()
    return float(loss.detach()), w.grad.numpy().copy(), None if b is None else b.grad.numpy().copy()


def _initial_scale(torch, x, pairs, lam: float, p: int) -> float:
    """Scale s of the start W = s I: the best-scaled zero-shot (dot product) model.

    W = 0 is a stationary point of the data loss and, with the un-squared norm penalty, a
    local minimum, so a start too close to zero can get stuck there; starting from the best
    multiple of the identity on the penalised objective avoids that and costs one gather.
    ``x`` may be given in reduced coordinates (same Gram matrix); ``p`` is the full width.
    """
    with torch.no_grad():
        dots = (x @ x.T).reshape(-1)[pairs]
        best, best_t = math.inf, 1e-6
        for t in np.logspace(-8, 2, 61):
            logits = dots * float(t)
            value = float((torch.logsumexp(logits, 0) - logits[0]).mean()) + lam * math.sqrt(t * p)
            if value < best:
                best, best_t = value, float(t)
    return math.sqrt(best_t)


@dataclass
class _Space:
    """Exact low-dimensional coordinates of the probe for one training matrix.

    With fewer training objects than features (n < p), every iterate of the full-batch
    optimiser started from ``s I`` stays of the form ``W = V a V^T + c (I - V V^T)``, ``V``
    (p, r) an orthonormal basis of the training features' row space: the data gradient is
    ``V (.) V^T`` and the penalty gradients are multiples of W (or of W minus a multiple of
    I). Optimising ``a`` (r, r) and ``c' = c sqrt(p - r)`` is therefore the same problem in
    an isometric parametrisation (same objective, same norms) at a cost of O(n r^2) instead
    of O(n p^2) per step. (torch's L-BFGS sizes its first step by the gradient's L1 norm,
    which is not coordinate-free, so the two paths can differ slightly before converging.) A bias stays in ``span(V)`` likewise. With n >= p
    (the full THINGS set) ``v`` is ``None`` and ``a`` is W itself.
    """

    xr: object  # (n, r) training features in the basis (X V), or X itself
    v: object | None  # (p, r) basis, or None when not reduced
    p: int

    @property
    def r(self) -> int:
        return int(self.xr.shape[1])

    @property
    def rest(self) -> int:
        """Dimensions outside the basis (p - r); 0 when not reduced."""
        return 0 if self.v is None else self.p - self.r


def _space(torch, x, reduce: bool) -> _Space:
    n, p = x.shape
    if not reduce or n >= p:
        return _Space(xr=x, v=None, p=p)
    # Row-space basis from the SVD in float64; directions with negligible singular values
    # carry no training signal and are left to the complement.
    _, sv, vh = torch.linalg.svd(x.double(), full_matrices=False)
    keep = sv > sv[0] * max(n, p) * 1e-12
    v = vh[keep].T.to(x.dtype).contiguous()
    return _Space(xr=x @ v, v=v, p=p)


def _params_norm_sq(torch, a, cp):
    return (a * a).sum() + (cp * cp if cp is not None else 0.0)


def _penalty(torch, space: _Space, a, cp, lam: float, identity_weight: float):
    total = lam * torch.sqrt(_params_norm_sq(torch, a, cp))
    if identity_weight:
        # Pull W toward a multiple of the identity; the multiple is W's own mean diagonal,
        # written in the reduced coordinates: tr W = tr a + c (p - r).
        rest = space.rest
        c = cp / math.sqrt(rest) if rest else 0.0
        m = (torch.diagonal(a).sum() + c * rest) / space.p
        eye = torch.eye(a.shape[0], dtype=a.dtype, device=a.device)
        total = total + identity_weight * (((a - m * eye) ** 2).sum() + (c - m) ** 2 * rest)
    return total


def _transform(torch, x, w, b):
    z = x @ w
    return z + b if b is not None else z


def _full_weights(space: _Space, a, cp, beta):
    """The (p, p) weights and (p,) bias that the reduced parameters stand for."""
    if space.v is None:
        return a, beta
    v = space.v
    c = float(cp) / math.sqrt(space.rest) if space.rest else 0.0
    w = v @ a @ v.T - c * (v @ v.T)
    w.diagonal().add_(c)
    return w, (v @ beta if beta is not None else None)


def _project(torch, space: _Space, w, b):
    """Reduced parameters nearest to a full (w, b): the warm start for a new basis."""
    if space.v is None:
        return w.clone(), None, (b.clone() if b is not None else None)
    v = space.v
    a = v.T @ w @ v
    cp = None
    if space.rest:
        c = (torch.diagonal(w).sum() - torch.diagonal(a).sum()) / space.rest
        cp = c * math.sqrt(space.rest)
    return a, cp, (v.T @ b if b is not None else None)


def _objective(torch, space: _Space, params, pairs, lam, identity_weight):
    """(penalised objective, data loss) of reduced parameters ``(a, cp, beta)``."""
    a, cp, beta = params
    x = space.xr
    n = x.shape[0]
    z = _transform(torch, x, a, beta)
    data = _data_loss(torch, (z @ z.T).reshape(n * n), pairs)
    return data + _penalty(torch, space, a, cp, lam, identity_weight), data


def _fit(torch, space: _Space, pairs, lam, identity_weight, use_bias, max_iter, tol, init=None):
    """Full-batch L-BFGS on the training objects.

    ``init`` is an optional warm start ``(a, cp, beta)`` in this space's coordinates;
    without it W starts as a scaled identity. Returns ``((a, cp, beta), train loss,
    convergence report)``.
    """
    x = space.xr
    n, r = x.shape
    like = dict(dtype=x.dtype, device=x.device)
    if init is None:
        scale = _initial_scale(torch, x, pairs, lam, space.p)
        a = scale * torch.eye(r, **like)
        cp = torch.tensor(scale * math.sqrt(space.rest), **like) if space.rest else None
        beta = torch.zeros(r, **like) if use_bias else None
    else:
        a, cp, beta = (t.clone() if t is not None else None for t in init)
        if use_bias and beta is None:
            beta = torch.zeros(r, **like)
        if not use_bias:
            beta = None
    params = [t.requires_grad_(True) for t in (a, cp, beta) if t is not None]
    change_tol = max(tol * 0.1, 1e-7)
    opt = torch.optim.LBFGS(
        params, lr=1.0, max_iter=max_iter, history_size=20, line_search_fn="strong_wolfe",
        # Loss changes below float32 resolution (about 1e-7 of a loss near 1) are noise.
        tolerance_grad=tol, tolerance_change=change_tol,
    )

    def closure():
        opt.zero_grad()
        loss, _ = _objective(torch, space, (a, cp, beta), pairs, lam, identity_weight)
        loss.backward()
        return loss

    opt.step(closure)
    state = opt.state[opt._params[0]]
    # One more evaluation at the returned weights gives the final gradient for the report
    # (L-BFGS keeps only the gradient from before its last step).
    opt.zero_grad()
    loss, data = _objective(torch, space, (a, cp, beta), pairs, lam, identity_weight)
    loss.backward()
    with torch.no_grad():
        grads = [t.grad.reshape(-1) for t in params]
        grad_norm = float(torch.sqrt(sum((g.double() ** 2).sum() for g in grads)))
        grad_max = float(max(g.abs().max() for g in grads))
    n_iter, n_evals = int(state.get("n_iter", 0)), int(state.get("func_evals", 1))
    final = float(loss.detach())
    before = state.get("prev_loss")
    rel_change = abs(final - float(before)) / max(abs(float(before)), 1e-30) if n_iter and before is not None else math.nan
    max_eval = max_iter * 5 // 4
    if n_iter >= max_iter:
        stopped_on = "iteration cap"
    elif n_evals >= max_eval:  # L-BFGS counts the first evaluation too
        stopped_on = "evaluation cap"
    elif grad_max <= tol:
        stopped_on = "gradient"
    else:
        stopped_on = "loss or step change"
    report = ProbeConvergence(
        n_iter=n_iter, n_evals=n_evals, grad_norm=grad_norm, grad_max=grad_max, rel_change=rel_change,
        hit_iteration_cap=stopped_on in ("iteration cap", "evaluation cap"), stopped_on=stopped_on,
    )
    solution = tuple(t.detach() if t is not None else None for t in (a, cp, beta))
    return solution, float(data.detach()), report


def _test_similarity(torch, space: _Space, solution, x_te):
    """(m, m) similarities S = Z Z^T of test objects under the probe, in the reduced form."""
    a, cp, beta = solution
    if space.v is None:
        z = _transform(torch, x_te, a, beta)
        return z @ z.T
    q = x_te @ space.v
    z = _transform(torch, q, a, beta)
    s = z @ z.T
    if space.rest:
        # The complement part of W is c (I - V V^T): it adds c^2 (X X^T - Q Q^T).
        c = float(cp) / math.sqrt(space.rest)
        s = s + (c * c) * (x_te @ x_te.T - q @ q.T)
    return s


def _evaluate(torch, space: _Space, solution, x_te, pairs):
    """Held-out data loss and per-triplet correctness (ties wrong) on test objects."""
    with torch.no_grad():
        logits = _test_similarity(torch, space, solution, x_te).reshape(-1)[pairs]
        loss = float((torch.logsumexp(logits, 0) - logits[0]).mean())
        correct = (logits[0] > logits[1]) & (logits[0] > logits[2])
    return loss, correct.cpu().numpy()


def _local(idx: np.ndarray, members: np.ndarray, n: int) -> np.ndarray:
    position = np.full(n, -1, dtype=np.int64)
    position[members] = np.arange(len(members))
    return position[idx]


@dataclass
class _FoldProblem:
    """One object-wise fold, ready to fit: training space, test objects, pair indices."""

    space: _Space
    x_te: object  # (m, p) standardised test objects
    pairs_tr: object  # (3, N_train) flat indices into the training similarity matrix
    pairs_te: object  # (3, N_test) flat indices into the test similarity matrix
    train_sel: np.ndarray  # rows of the triplets used for training
    test_sel: np.ndarray  # rows used for testing


def _fold_problem(torch, x_raw, idx, folds, f, dtype, device, reduce) -> _FoldProblem:
    """Split triplets by fold ``f`` (mixed ones dropped) and standardise with its training objects."""
    n = x_raw.shape[0]
    tri_fold = folds[idx]
    train_obj = np.flatnonzero(folds != f)
    test_obj = np.flatnonzero(folds == f)
    train_sel = np.flatnonzero((tri_fold != f).all(axis=1))
    test_sel = np.flatnonzero((tri_fold == f).all(axis=1))
    if len(train_sel) == 0 or len(test_sel) == 0:
        raise ValueError(
            f"fold {f} has {len(train_sel)} training and {len(test_sel)} test triplets once mixed "
            f"triplets are dropped ({len(idx)} triplets over {n} objects, {folds.max() + 1} folds); "
            "more triplets or fewer folds are needed."
        )
    mean, std = float(x_raw[train_obj].mean()), float(x_raw[train_obj].std())
    if not std > 0:
        raise ValueError(f"fold {f}: training features are constant; nothing to probe.")
    x_tr = torch.as_tensor((x_raw[train_obj] - mean) / std, dtype=dtype, device=device)
    return _FoldProblem(
        space=_space(torch, x_tr, reduce),
        x_te=torch.as_tensor((x_raw[test_obj] - mean) / std, dtype=dtype, device=device),
        pairs_tr=_flat_pairs(_local(idx[train_sel], train_obj, n), len(train_obj), device),
        pairs_te=_flat_pairs(_local(idx[test_sel], test_obj, n), len(test_obj), device),
        train_sel=train_sel,
        test_sel=test_sel,
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
            low-dimensional coordinates of the reachable weights (see ``_Space``): the
            same objective, far cheaper. ``False`` optimises the full
            (p, p) matrix (the reference the tests compare against).

    Returns:
        A :class:`ProbeResult`.

    Raises:
        ValueError: invalid features or triplets, an empty or non-positive lambda grid, or
            too few objects / triplets for the folds.
    """
    torch = _torch()
    x_raw = as_features(features)
    idx = as_triplets(triplets, x_raw.shape[0])
    lambdas = tuple(float(v) for v in lambdas)
    if not lambdas or any(not (v >= 0 and math.isfinite(v)) for v in lambdas):
        raise ValueError(f"lambdas must be a non-empty sequence of finite values >= 0, got {lambdas}.")
    if identity_weight < 0:
        raise ValueError(f"identity_weight must be >= 0, got {identity_weight}.")
    if isinstance(n_folds, bool) or not isinstance(n_folds, (int, np.integer)):
        raise ValueError(f"n_folds must be a whole number >= 2, got {n_folds!r}.")
    # Object-wise folds keep only triplets inside one fold for testing; an accuracy from a
    # handful of them is noise, so too few is refused rather than reported.
    tri_fold = object_folds(x_raw.shape[0], int(n_folds), seed)[idx]
    held_out = [int((tri_fold == f).all(axis=1).sum()) for f in range(int(n_folds))]
    if min(held_out) < MIN_HELD_OUT:
        raise ValueError(
            f"{len(idx)} triplets over {x_raw.shape[0]} objects leave {min(held_out)} test triplets "
            f"in the smallest of {n_folds} object-wise folds (held out per fold: {held_out}); at least "
            f"{MIN_HELD_OUT} are needed for a held-out accuracy. Use more triplets or fewer folds."
        )
    device = device or settings().resolve_device()
    n, p = x_raw.shape
    width = min(n, p) if reduce else p
    with _cpu_threads(torch, device, 2.0 * n * width * (n + width)):
        return _cross_validate(
            torch, x_raw, idx, lambdas, n_folds, seed, bias, identity_weight, device,
            zero_shot_similarity, max_iter, tol, reduce,
        )


def _cross_validate(
    torch, x_raw, idx, lambdas, n_folds, seed, bias, identity_weight, device,
    zero_shot_similarity, max_iter, tol, reduce,
) -> ProbeResult:
    dtype = getattr(torch, _DTYPE)
    n = x_raw.shape[0]
    folds = object_folds(n, n_folds, seed)
    zero_correct = odd_one_out_correct(x_raw, idx, zero_shot_similarity)

    rows = []
    correct_by = {}
    solutions = {}
    test_mask = np.zeros(len(idx), dtype=bool)
    for f in range(n_folds):
        fp = _fold_problem(torch, x_raw, idx, folds, f, dtype, device, reduce)
        space, x_te, pairs_tr, pairs_te = fp.space, fp.x_te, fp.pairs_tr, fp.pairs_te
        train_sel, test_sel = fp.train_sel, fp.test_sel
        test_mask[test_sel] = True
        zs = float(zero_correct[test_sel].mean())
        # Walk the regularisation path from weak to strong, each fit warm-started from the
        # previous one. W = 0 is a local minimum under the un-squared norm penalty, so a
        # strong-penalty fit started near zero can stop there although a much better
        # solution exists; starting from the weaker-penalty solution avoids that trap.
        state = None
        for lam in sorted(lambdas):
            solution, train_loss, report = _fit(
                torch, space, pairs_tr, lam, identity_weight, bias, max_iter, tol, init=state
            )
            state = solution
            test_loss, correct = _evaluate(torch, space, solution, x_te, pairs_te)
            correct_by[(f, lam)] = (test_sel, correct)
            solutions[(f, lam)] = (space, solution, test_loss)
            rows.append(
                dict(fold=f, lambda_=lam, train_loss=train_loss, test_loss=test_loss,
                     test_accuracy=float(correct.mean()), zero_shot_accuracy=zs,
                     n_train=len(train_sel), n_test=len(test_sel), n_iter=report.n_iter,
                     grad_norm=report.grad_norm, rel_change=report.rel_change,
                     hit_iteration_cap=report.hit_iteration_cap, stopped_on=report.stopped_on)
            )
    cv = pd.DataFrame(rows)
    by_lambda = cv.groupby("lambda_", sort=False)["test_loss"].mean()
    chosen = float(by_lambda.idxmin())
    at = cv[cv["lambda_"] == chosen]
    test_correct = np.zeros(len(idx), dtype=bool)
    for f in range(n_folds):
        sel, correct = correct_by[(f, chosen)]
        test_correct[sel] = correct

    # Refit on all objects and all triplets with the chosen lambda, warm-started from the
    # fold solution with the lowest held-out loss (W acts on features, so it carries over).
    best_fold = min(range(n_folds), key=lambda f: solutions[(f, chosen)][2])
    x_all, mean, std = standardise(x_raw)
    x_t = torch.as_tensor(x_all, dtype=dtype, device=device)
    space = _space(torch, x_t, reduce)
    fold_space, fold_solution, _ = solutions[(best_fold, chosen)]
    w_fold, b_fold = _full_weights(fold_space, *fold_solution)
    solution, _, refit_report = _fit(
        torch, space, _flat_pairs(idx, n, device), chosen, identity_weight, bias, max_iter, tol,
        init=_project(torch, space, w_fold, b_fold),
    )
    w, b = _full_weights(space, *solution)
    transform = ProbeTransform(
        weights=w.cpu().double().numpy(), bias=None if b is None else b.cpu().double().numpy(),
        mean=mean, std=std,
    )
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
    )


def convergence_summary(result: ProbeResult) -> dict[str, float]:
    """The convergence of a fitted probe as tidy measures (name -> number).

    Keys: ``probe_refit_n_iter``, ``probe_refit_grad_norm``, ``probe_refit_rel_change``,
    ``probe_refit_hit_cap`` (1.0 if the final refit stopped on its iteration budget, else
    0.0), ``probe_grid_fits`` (fold x lambda fits), ``probe_grid_fits_hit_cap`` (how many of
    them stopped on the budget) and ``probe_grid_max_grad_norm``. Values are floats so they
    fit a results table's ``value`` column.

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
        "probe_grid_max_grad_norm": float(cv["grad_norm"].max()),
    }


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
    torch = _torch()
    x_raw = as_features(features)
    idx = as_triplets(triplets, x_raw.shape[0])
    if not (lambda_ >= 0 and math.isfinite(lambda_)):
        raise ValueError(f"lambda_ must be finite and >= 0, got {lambda_}.")
    if not 0 <= fold < n_folds:
        raise ValueError(f"fold must be in 0..{n_folds - 1}, got {fold}.")
    device = device or settings().resolve_device()
    n, p = x_raw.shape
    width = min(n, p) if reduce else p
    dtype = getattr(torch, _DTYPE)
    with _cpu_threads(torch, device, 2.0 * n * width * (n + width)):
        fp = _fold_problem(torch, x_raw, idx, object_folds(n, n_folds, seed), fold, dtype, device, reduce)
        space = fp.space
        scale = _initial_scale(torch, space.xr, fp.pairs_tr, lambda_, p)
        starts: list[tuple[str, object]] = [("identity", None)]
        weaker = sorted(v for v in path_lambdas if v < lambda_)
        if weaker:
            # What fit_probe does: walk up from the weakest lambda, each fit warm-starting the next.
            state = None
            for lam in weaker:
                state, _, _ = _fit(torch, space, fp.pairs_tr, lam, 0.0, False, max_iter, tol, init=state)
            starts.append((f"path from {weaker[0]:g}", state))
        for k in seeds:
            gen = torch.Generator(device="cpu").manual_seed(int(k))
            g = torch.randn(space.r, space.r, generator=gen, dtype=torch.float64)
            # s G / sqrt(r): the same Frobenius norm as the identity start's block, s I_r.
            a = (scale / math.sqrt(space.r) * g).to(dtype=dtype, device=device)
            cp = torch.tensor(scale * math.sqrt(space.rest), dtype=dtype, device=device) if space.rest else None
            starts.append((f"random (seed {k})", (a, cp, None)))
        rows = []
        for name, init in starts:
            solution, train_loss, report = _fit(torch, space, fp.pairs_tr, lambda_, 0.0, False, max_iter, tol, init=init)
            with torch.no_grad():
                objective, _ = _objective(torch, space, solution, fp.pairs_tr, lambda_, 0.0)
            test_loss, correct = _evaluate(torch, space, solution, fp.x_te, fp.pairs_te)
            rows.append(dict(start=name, objective=float(objective), train_loss=train_loss, test_loss=test_loss,
                             test_accuracy=float(correct.mean()), n_iter=report.n_iter,
                             grad_norm=report.grad_norm, hit_iteration_cap=report.hit_iteration_cap))
    table = pd.DataFrame(rows)
    return StartCheck(table=table, spread=float(table["test_loss"].max() - table["test_loss"].min()),
                      tolerance=float(tolerance))
