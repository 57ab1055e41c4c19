"""The probe's objective and its full-batch L-BFGS fit, in exact reduced coordinates.

A triplet with similar pair (a, b) and odd one out c has the loss
``-log softmax(s_ab, s_ac, s_bc)[0]`` with ``s = Z Z^T`` raw dot products of the transformed
features ``Z = X W (+ b)``. The penalty is ``lambda * ||W||_F`` (not squared, as in the
paper) and, optionally, the follow-up's pull toward a scaled identity,
``identity_weight * ||W - mean(diag W) I||_F^2``.

The loss touches the triplets only through ``S = Z Z^T`` over the objects, so each step is
three matrix products over objects plus index gathers into ``S``: full batch, no per-triplet
forward pass, on the GPU when there is one. Optimisation is L-BFGS with a strong-Wolfe line
search; W starts as the best multiple of the identity (not near zero as in the paper, whose
minibatch Adam escapes the local minimum at W = 0 by its step size; L-BFGS would not).

Torch is imported on first use (see :mod:`.probe_device`). Parameters are the
triple ``(a, cp, beta)`` of :class:`Space`; :func:`full_weights` turns them into W and b.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..datasets.types import Triplets
from ._checks import as_features, as_triplets
from .probe_device import torch_module

__all__ = [
    "ProbeConvergence",
    "Space",
    "data_loss",
    "evaluate",
    "fit",
    "flat_pairs",
    "full_weights",
    "held_out_similarity",
    "initial_scale",
    "leading_directions",
    "objective",
    "objective_value",
    "penalty",
    "probe_loss",
    "project",
    "random_start",
    "reduced_space",
]


def flat_pairs(idx: np.ndarray, n: int, device) -> "object":
    """(3, N) flat indices into an (n, n) matrix for the pairs (a,b), (a,c), (b,c)."""
    torch = torch_module()
    a, b, c = idx[:, 0], idx[:, 1], idx[:, 2]
    flat = np.stack([a * n + b, a * n + c, b * n + c])
    return torch.as_tensor(flat, dtype=torch.int64, device=device)


def data_loss(s_flat, pairs):
    """Mean triplet loss from the flattened similarities ``s_flat`` and :func:`flat_pairs`."""
    logits = s_flat[pairs]  # (3, N)
    return (torch_module().logsumexp(logits, dim=0) - logits[0]).mean()


def probe_loss(
    features: np.ndarray,
    triplets: np.ndarray | Triplets,
    weights: np.ndarray,
    bias: np.ndarray | None = None,
    lambda_: float = 0.0,
    identity_weight: float = 0.0,
) -> tuple[float, np.ndarray, np.ndarray | None]:
    """The probe's objective and its gradient, computed as in :func:`~.probing.fit_probe`.

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
    torch = torch_module()
    x_np = as_features(features)
    idx = as_triplets(triplets, x_np.shape[0])
    x = torch.as_tensor(x_np, dtype=torch.float64)
    w = torch.tensor(np.asarray(weights, dtype=np.float64), requires_grad=True)
    if w.shape != (x.shape[1], w.shape[1]):
        raise ValueError(f"weights have shape {tuple(w.shape)}; expected ({x.shape[1]}, q).")
    b = None if bias is None else torch.tensor(np.asarray(bias, dtype=np.float64), requires_grad=True)
    z = _transform(x, w, b)
    loss = data_loss((z @ z.T).reshape(-1), flat_pairs(idx, x.shape[0], "cpu"))
    loss = loss + penalty(Space(xr=x, v=None, p=x.shape[1]), w, None, lambda_, identity_weight)
    loss.backward()
    return float(loss.detach()), w.grad.numpy().copy(), None if b is None else b.grad.numpy().copy()


def initial_scale(x, pairs, lam: float, p: int) -> float:
    """Scale s of the start W = s I: the best-scaled zero-shot (dot product) model.

    W = 0 is a stationary point of the data loss and, with the un-squared norm penalty, a
    local minimum, so a start too close to zero can get stuck there; starting from the best
    multiple of the identity on the penalised objective avoids that and costs one gather.
    ``x`` may be given in reduced coordinates (same Gram matrix), or as a :class:`Space`
    (whose :meth:`Space.gram` includes the part outside a rank-limited basis); ``p`` is the
    full width.
    """
    torch = torch_module()
    with torch.no_grad():
        gram = x.gram() if isinstance(x, Space) else x @ x.T
        dots = gram.reshape(-1)[pairs]
        best, best_t = math.inf, 1e-6
        for t in np.logspace(-8, 2, 61):
            logits = dots * float(t)
            value = float((torch.logsumexp(logits, 0) - logits[0]).mean()) + lam * math.sqrt(t * p)
            if value < best:
                best, best_t = value, float(t)
    return math.sqrt(best_t)


@dataclass
class Space:
    """Low-dimensional coordinates of the probe for one training matrix.

    With fewer training objects than features (n < p), every iterate of the full-batch
    optimiser started from ``s I`` stays of the form ``W = V a V^T + c (I - V V^T)``, ``V``
    (p, r) an orthonormal basis of the training features' row space: the data gradient is
    ``V (.) V^T`` and the penalty gradients are multiples of W (or of W minus a multiple of
    I). Optimising ``a`` (r, r) and ``c' = c sqrt(p - r)`` is therefore the same problem in
    an isometric parametrisation (same objective, same norms) at a cost of O(n r^2) instead
    of O(n p^2) per step. (torch's L-BFGS sizes its first step by the gradient's L1 norm,
    which is not coordinate-free, so the two paths can differ slightly before converging.) A bias stays in ``span(V)`` likewise. With n >= p
    (the full THINGS set) ``v`` is ``None`` and ``a`` is W itself.

    A **rank-limited** space (:func:`reduced_space` with ``rank``) keeps only the ``r``
    leading principal directions of the training features: W then acts freely on them and
    scales everything else by one number ``c``. That is a restriction of the probe, not a
    change of coordinates, so the training features keep a part outside the basis; its Gram
    matrix ``resid = X X^T - (X V)(X V)^T`` enters the similarities as ``c^2 resid``
    (the cross terms vanish because ``X (I - V V^T)`` is orthogonal to ``X V a``).
    """

    xr: object  # (n, r) training features in the basis (X V), or X itself
    v: object | None  # (p, r) basis, or None when not reduced
    p: int
    resid: object | None = None  # (n, n) Gram of the part outside the basis (rank-limited spaces)

    @property
    def r(self) -> int:
        return int(self.xr.shape[1])

    @property
    def rest(self) -> int:
        """Dimensions outside the basis (p - r); 0 when not reduced."""
        return 0 if self.v is None else self.p - self.r

    def gram(self):
        """(n, n) dot products of the training features (the zero-shot similarities)."""
        g = self.xr @ self.xr.T
        return g if self.resid is None else g + self.resid


def reduced_space(x, reduce: bool, rank: int | None = None) -> Space:
    """The :class:`Space` of training features ``x`` (n, p).

    Args:
        x: (n, p) standardised training features (a tensor).
        reduce: Use the exact row-space coordinates when n < p.
        rank: Keep at most this many leading principal directions (a rank-limited probe,
            see :class:`Space`); ``None`` keeps all of them (the exact probe).
    """
    n, p = x.shape
    limited = rank is not None and rank < min(n, p)
    if not limited and (not reduce or n >= p):
        return Space(xr=x, v=None, p=p)
    if limited:
        v = leading_directions(x, int(rank))
        xr = x @ v
        resid = x @ x.T - xr @ xr.T
        return Space(xr=xr, v=v, p=p, resid=resid)
    # Row-space basis from the SVD in float64; directions with negligible singular values
    # carry no training signal and are left to the complement.
    _, sv, vh = torch_module().linalg.svd(x.double(), full_matrices=False)
    keep = sv > sv[0] * max(n, p) * 1e-12
    v = vh[keep].T.to(x.dtype).contiguous()
    return Space(xr=x @ v, v=v, p=p)


def leading_directions(x, k: int, oversample: int = 32, iterations: int = 6, seed: int = 0):
    """(p, k) orthonormal basis of the ``k`` leading right singular directions of ``x`` (n, p).

    A seeded randomised subspace iteration (Halko, Martinsson and Tropp 2011, "Finding
    structure with randomness", SIAM Review 53(2), algorithm 4.4) in float64: a few products
    with ``x`` instead of its full SVD, which costs seconds for a few thousand rows. Where
    the singular values near the ``k``-th are close, the basis may mix directions on either
    side of it; with six iterations and 32 extra columns it keeps more than 99.9 % of the
    variance that the exact leading directions hold (checked on image-model features).
    """
    torch = torch_module()
    xd = x.double()
    n, p = xd.shape
    width = min(k + oversample, n, p)
    gen = torch.Generator(device="cpu").manual_seed(int(seed))
    q = torch.randn(p, width, generator=gen, dtype=torch.float64).to(xd.device)
    q, _ = torch.linalg.qr(xd @ q)
    for _ in range(iterations):
        w, _ = torch.linalg.qr(xd.T @ q)
        q, _ = torch.linalg.qr(xd @ w)
    # Rayleigh-Ritz on the subspace: the small SVD orders and rotates the directions.
    _, _, vh = torch.linalg.svd(q.T @ xd, full_matrices=False)
    return vh[:k].T.to(x.dtype).contiguous()


def _params_norm_sq(a, cp):
    return (a * a).sum() + (cp * cp if cp is not None else 0.0)


def penalty(space: Space, a, cp, lam: float, identity_weight: float):
    """``lam ||W||_F + identity_weight ||W - mean(diag W) I||_F^2`` in reduced coordinates."""
    torch = torch_module()
    total = lam * torch.sqrt(_params_norm_sq(a, cp))
    if identity_weight:
        # Pull W toward a multiple of the identity; the multiple is W's own mean diagonal,
        # written in the reduced coordinates: tr W = tr a + c (p - r).
        rest = space.rest
        c = cp / math.sqrt(rest) if rest else 0.0
        m = (torch.diagonal(a).sum() + c * rest) / space.p
        eye = torch.eye(a.shape[0], dtype=a.dtype, device=a.device)
        total = total + identity_weight * (((a - m * eye) ** 2).sum() + (c - m) ** 2 * rest)
    return total


def _transform(x, w, b):
    z = x @ w
    return z + b if b is not None else z


def full_weights(space: Space, a, cp, beta):
    """The (p, p) weights and (p,) bias that the reduced parameters stand for."""
    if space.v is None:
        return a, beta
    v = space.v
    c = float(cp) / math.sqrt(space.rest) if space.rest else 0.0
    w = v @ a @ v.T - c * (v @ v.T)
    w.diagonal().add_(c)
    return w, (v @ beta if beta is not None else None)


def project(space: Space, w, b):
    """Reduced parameters nearest to a full (w, b): the warm start for a new basis."""
    if space.v is None:
        return w.clone(), None, (b.clone() if b is not None else None)
    v = space.v
    a = v.T @ w @ v
    cp = None
    if space.rest:
        torch = torch_module()
        c = (torch.diagonal(w).sum() - torch.diagonal(a).sum()) / space.rest
        cp = c * math.sqrt(space.rest)
    return a, cp, (v.T @ b if b is not None else None)


def objective(space: Space, params, pairs, lam, identity_weight):
    """(penalised objective, data loss) of reduced parameters ``(a, cp, beta)``."""
    a, cp, beta = params
    x = space.xr
    n = x.shape[0]
    z = _transform(x, a, beta)
    sim = (z @ z.T).reshape(n * n)
    if space.resid is not None and space.rest:
        # The part of the features outside the basis, scaled by c (see Space).
        sim = sim + (cp * cp / space.rest) * space.resid.reshape(n * n)
    data = data_loss(sim, pairs)
    return data + penalty(space, a, cp, lam, identity_weight), data


def objective_value(space: Space, params, pairs, lam, identity_weight) -> float:
    """The penalised objective of ``params`` as a number (no gradient)."""
    with torch_module().no_grad():
        value, _ = objective(space, params, pairs, lam, identity_weight)
    return float(value)


def random_start(space: Space, scale: float, seed: int):
    """Start ``(a, cp, None)`` with a random block ``s G / sqrt(r)``, G (r, r) standard normal.

    The block has about the Frobenius norm of the identity start's ``s I_r``; the complement
    (when reduced) starts as in the identity start.
    """
    torch = torch_module()
    like = dict(dtype=space.xr.dtype, device=space.xr.device)
    gen = torch.Generator(device="cpu").manual_seed(int(seed))
    g = torch.randn(space.r, space.r, generator=gen, dtype=torch.float64)
    a = (scale / math.sqrt(space.r) * g).to(**like)
    cp = torch.tensor(scale * math.sqrt(space.rest), **like) if space.rest else None
    return a, cp, None


def _start(space: Space, pairs, lam, use_bias, init):
    """Parameters to start from: a copy of ``init``, or the best scaled identity."""
    torch = torch_module()
    r = space.r
    like = dict(dtype=space.xr.dtype, device=space.xr.device)
    if init is None:
        scale = initial_scale(space, pairs, lam, space.p)
        a = scale * torch.eye(r, **like)
        cp = torch.tensor(scale * math.sqrt(space.rest), **like) if space.rest else None
        beta = torch.zeros(r, **like) if use_bias else None
        return a, cp, beta
    a, cp, beta = (t.clone() if t is not None else None for t in init)
    if use_bias and beta is None:
        beta = torch.zeros(r, **like)
    if not use_bias:
        beta = None
    return a, cp, beta


def fit(space: Space, pairs, lam, identity_weight, use_bias, max_iter, tol, init=None):
    """Full-batch L-BFGS on the training objects.

    ``init`` is an optional warm start ``(a, cp, beta)`` in this space's coordinates;
    without it W starts as a scaled identity. Returns ``((a, cp, beta), train loss,
    convergence report)``.
    """
    torch = torch_module()
    a, cp, beta = _start(space, pairs, lam, use_bias, init)
    params = [t.requires_grad_(True) for t in (a, cp, beta) if t is not None]
    opt = torch.optim.LBFGS(
        params, lr=1.0, max_iter=max_iter, history_size=20, line_search_fn="strong_wolfe",
        # Loss changes below float32 resolution (about 1e-7 of a loss near 1) are noise.
        tolerance_grad=tol, tolerance_change=max(tol * 0.1, 1e-7),
    )

    def closure():
        opt.zero_grad()
        loss, _ = objective(space, (a, cp, beta), pairs, lam, identity_weight)
        loss.backward()
        return loss

    opt.step(closure)
    # One more evaluation at the returned weights gives the final gradient for the report
    # (L-BFGS keeps only the gradient from before its last step).
    opt.zero_grad()
    loss, data = objective(space, (a, cp, beta), pairs, lam, identity_weight)
    loss.backward()
    report = _report(opt.state[opt._params[0]], float(loss.detach()), params, max_iter, tol)
    solution = tuple(t.detach() if t is not None else None for t in (a, cp, beta))
    return solution, float(data.detach()), report


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


def _report(state: dict, final: float, params, max_iter: int, tol: float) -> ProbeConvergence:
    """How the fit ended, from L-BFGS's state and the gradient at the returned weights."""
    torch = torch_module()
    with torch.no_grad():
        grads = [t.grad.reshape(-1) for t in params]
        grad_norm = float(torch.sqrt(sum((g.double() ** 2).sum() for g in grads)))
        grad_max = float(max(g.abs().max() for g in grads))
    n_iter, n_evals = int(state.get("n_iter", 0)), int(state.get("func_evals", 1))
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
    return ProbeConvergence(
        n_iter=n_iter, n_evals=n_evals, grad_norm=grad_norm, grad_max=grad_max, rel_change=rel_change,
        hit_iteration_cap=stopped_on in ("iteration cap", "evaluation cap"), stopped_on=stopped_on,
    )


def held_out_similarity(space: Space, solution, x_te):
    """(m, m) similarities S = Z Z^T of test objects under the probe, in the reduced form."""
    a, cp, beta = solution
    if space.v is None:
        z = _transform(x_te, a, beta)
        return z @ z.T
    q = x_te @ space.v
    z = _transform(q, a, beta)
    s = z @ z.T
    if space.rest:
        # The complement part of W is c (I - V V^T): it adds c^2 (X X^T - Q Q^T).
        c = float(cp) / math.sqrt(space.rest)
        s = s + (c * c) * (x_te @ x_te.T - q @ q.T)
    return s


def evaluate(space: Space, solution, x_te, pairs):
    """Held-out data loss and per-triplet correctness (ties wrong) on test objects."""
    torch = torch_module()
    with torch.no_grad():
        logits = held_out_similarity(space, solution, x_te).reshape(-1)[pairs]
        loss = float((torch.logsumexp(logits, 0) - logits[0]).mean())
        correct = (logits[0] > logits[1]) & (logits[0] > logits[2])
    return loss, correct.cpu().numpy()
