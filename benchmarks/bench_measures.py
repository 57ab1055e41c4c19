"""Speed and memory of the measures; prints figures and ratios (no assertions).

1. Zero-shot odd-one-out on 4.7 M random triplets over 1854 x 1024 features (the size of
   the THINGS release): wall time, peak memory, and the speed-up over a per-triplet Python
   loop. The loop is timed on a subsample and extrapolated linearly (said in the output).
2. A full probe grid (5 lambdas x 3 object-wise folds + the final refit; 1854 x 1024
   features, 1.5 M triplets with a planted structure) with the full-batch L-BFGS fit, and
   minibatch Adam (batch 256, lr 1e-3 by default) on the same loss for one (fold, lambda)
   cell, run until it reaches the held-out loss of the L-BFGS solution of that cell or a
   time budget runs out (then the ratios printed are lower bounds, marked ">="). The
   L-BFGS cost of a cell is the warm-started path from the weakest lambda up to it, as in
   ``fit_probe``. The grid ratio extrapolates Adam's time per cell to the grid's 16 fits.
   ``--cell-only --lam L`` skips the grid and runs only the cell comparison.

Timings on a shared machine are noisy; run it alone for figures to quote.

Run: ``python benchmarks/bench_measures.py [--quick] [--adam-budget SECONDS] [--device cpu]``.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import time
import tracemalloc

import numpy as np


def _triplets(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    out = np.empty((0, 3), dtype=np.int64)
    while len(out) < size:
        draw = rng.integers(0, n, size=(size - len(out) + 1000, 3))
        ok = (draw[:, 0] != draw[:, 1]) & (draw[:, 0] != draw[:, 2]) & (draw[:, 1] != draw[:, 2])
        out = np.concatenate([out, draw[ok]])[:size]
    return out


def bench_odd_one_out(n_triplets: int, loop_sample: int) -> None:
    from humanalign.measures import odd_one_out_accuracy

    rng = np.random.default_rng(0)
    x = rng.normal(size=(1854, 1024)).astype(np.float32)
    t = _triplets(rng, 1854, n_triplets)
    odd_one_out_accuracy(x, t[:1000])  # warm up BLAS threads
    times = []
    for _ in range(3):
        start = time.perf_counter()
        acc = odd_one_out_accuracy(x, t)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    odd_one_out_accuracy(x, t)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    sub = t[:loop_sample]
    start = time.perf_counter()
    hits = 0
    for a, b, c in sub:
        xa, xb, xc = x[a], x[b], x[c]
        na, nb, nc = np.linalg.norm(xa), np.linalg.norm(xb), np.linalg.norm(xc)
        s_ab, s_ac, s_bc = xa @ xb / (na * nb), xa @ xc / (na * nc), xb @ xc / (nb * nc)
        hits += s_ab > s_ac and s_ab > s_bc
    loop = (time.perf_counter() - start) / loop_sample * n_triplets
    best = min(times)
    print("== odd-one-out ==")
    print(f"features 1854 x 1024 float32, {n_triplets:,} random triplets, {os.cpu_count()} CPU cores")
    print(f"vectorised: best {best:.3f} s of {len(times)} (all: {', '.join(f'{v:.3f}' for v in times)}), accuracy {acc:.4f}")
    print(f"peak memory allocated during the call (tracemalloc): {peak / 2**30:.3f} GiB; "
          f"process max RSS so far: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.3f} GiB")
    print(f"per-triplet Python loop: timed on {loop_sample:,} triplets, extrapolated to {n_triplets:,}: {loop:.1f} s")
    print(f"speed-up over the loop: {loop / best:.0f}x")


def bench_probe(n_triplets: int, adam_budget: float, device: str, max_iter: int, grid: bool,
                lam: float, adam_lr: float) -> None:
    import torch

    from humanalign.datasets import simulate_triplets
    from humanalign.datasets.types import restrict_triplets
    from humanalign.measures import LAMBDAS, fit_probe, object_folds
    from humanalign.measures import probe_solver as P

    rng = np.random.default_rng(1)
    x = rng.normal(size=(1854, 1024)).astype(np.float32)
    hidden = x.astype(np.float64) @ rng.normal(size=(1024, 16)) / math.sqrt(1024) * 1.5
    triplets = simulate_triplets(hidden, n_triplets, seed=2).indices

    print("\n== probe grid ==")
    print(f"features 1854 x 1024, {n_triplets:,} triplets (planted structure), device {device}, "
          f"torch threads {torch.get_num_threads()}, L-BFGS max_iter {max_iter}")
    grid_time = None
    if grid:
        start = time.perf_counter()
        result = fit_probe(x, triplets, n_folds=3, seed=0, device=device, max_iter=max_iter)
        grid_time = time.perf_counter() - start
        cv = result.cv
        lam = result.lambda_
        print(f"full grid (5 lambdas x 3 folds) + refit: {grid_time:.1f} s; chosen lambda {result.lambda_:g}; "
              f"held-out accuracy {result.accuracy:.4f} (zero-shot {result.zero_shot:.4f})")
        print(cv[["fold", "lambda_", "train_loss", "test_loss", "test_accuracy", "n_iter"]].to_string(index=False))

    # One cell, fold 0 at the chosen lambda: the L-BFGS path that produces it, then Adam.
    folds = object_folds(len(x), 3, 0)
    tri_fold = folds[triplets]
    tr_obj, te_obj = np.flatnonzero(folds != 0), np.flatnonzero(folds == 0)
    tr_sel = np.flatnonzero((tri_fold != 0).all(1))
    te_sel = np.flatnonzero((tri_fold == 0).all(1))
    mean, std = float(x[tr_obj].mean()), float(x[tr_obj].std())
    x_tr = torch.as_tensor((x[tr_obj] - mean) / std, device=device)
    x_te = torch.as_tensor((x[te_obj] - mean) / std, device=device)
    local_tr = restrict_triplets(triplets[tr_sel], tr_obj, len(x))
    pairs_tr = P.flat_pairs(local_tr, len(tr_obj), device)
    pairs_te = P.flat_pairs(restrict_triplets(triplets[te_sel], te_obj, len(x)), len(te_obj), device)
    # The cell's solution is produced by the warm-started path from the weakest lambda up to
    # this one (as in fit_probe), so that whole path is what L-BFGS pays for it.
    path = [v for v in sorted(LAMBDAS) if v <= lam]
    start = time.perf_counter()
    space = P.reduced_space(x_tr, reduce=True)
    state, n_iter = None, 0
    for v in path:
        state, _, report = P.fit(space, pairs_tr, v, 0.0, False, max_iter, 1e-6, init=state)
        n_iter += report.n_iter
    cell = time.perf_counter() - start
    target, _ = P.evaluate(space, state, x_te, pairs_te)

    # Adam starts where the L-BFGS path starts: the best-scaled identity.
    full = P.Space(xr=x_tr, v=None, p=x.shape[1])
    scale = P.initial_scale(x_tr, pairs_tr, path[0], x.shape[1])
    wa = (scale * torch.eye(x.shape[1], device=device)).requires_grad_(True)
    opt = torch.optim.Adam([wa], lr=adam_lr)
    tri = torch.as_tensor(local_tr, device=device)
    gen = torch.Generator(device="cpu").manual_seed(0)
    steps, reached, best = 0, None, math.inf
    start = time.perf_counter()
    while reached is None and time.perf_counter() - start < adam_budget:
        for batch in torch.randperm(len(tri), generator=gen).split(256):
            idx = tri[batch.to(device)]
            z = x_tr[idx.reshape(-1)].reshape(len(idx), 3, -1) @ wa  # per-triplet forward
            s = torch.stack([(z[:, 0] * z[:, 1]).sum(1), (z[:, 0] * z[:, 2]).sum(1), (z[:, 1] * z[:, 2]).sum(1)])
            loss = (torch.logsumexp(s, 0) - s[0]).mean() + lam * torch.linalg.norm(wa)
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
            if steps % 200 == 0:
                held, _ = P.evaluate(full, (wa.detach(), None, None), x_te, pairs_te)
                best = min(best, held)
                if held <= target:
                    reached = time.perf_counter() - start
                    break
                if time.perf_counter() - start > adam_budget:
                    break
    adam = reached if reached is not None else time.perf_counter() - start
    cells = 3 * len(LAMBDAS) + 1
    print(f"\none cell (fold 0, lambda {lam:g}): L-BFGS path over lambdas {path} took {cell:.1f} s "
          f"({n_iter} iterations), held-out loss {target:.4f}")
    verb = "reached it" if reached is not None else f"did NOT reach it within the {adam_budget:.0f} s budget"
    print(f"minibatch Adam (batch 256, lr {adam_lr:g}) {verb} after {steps} steps, {adam:.1f} s "
          f"(best held-out loss seen {best:.4f})")
    bound = "" if reached is not None else ">= "
    print(f"per cell: {bound}{adam / cell:.1f}x")
    if grid_time is not None:
        print(f"grid: Adam {bound}{adam:.0f} s per cell x {cells} cells = {adam * cells:.0f} s vs the full-batch "
              f"grid {grid_time:.1f} s: {bound}{adam * cells / grid_time:.1f}x (Adam extrapolated from one cell)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--adam-budget", type=float, default=300.0, help="seconds Adam may run")
    parser.add_argument("--device", default=None, help="torch device for the probe (default: HUMANALIGN_DEVICE)")
    parser.add_argument("--max-iter", type=int, default=100, help="L-BFGS iterations per fit")
    parser.add_argument("--skip", choices=["odd", "probe"], default=None)
    parser.add_argument("--cell-only", action="store_true", help="skip the full grid; compare one cell")
    parser.add_argument("--lam", type=float, default=0.1, help="lambda of the cell with --cell-only")
    parser.add_argument("--adam-lr", type=float, default=1e-3)
    args = parser.parse_args()
    from humanalign.config import settings

    device = args.device or settings().resolve_device()
    if args.skip != "odd":
        bench_odd_one_out(470_000 if args.quick else 4_700_000, 2_000 if args.quick else 20_000)
    if args.skip != "probe":
        bench_probe(150_000 if args.quick else 1_500_000, 20.0 if args.quick else args.adam_budget, device,
                    10 if args.quick else args.max_iter, not args.cell_only, args.lam, args.adam_lr)


if __name__ == "__main__":
    main()
