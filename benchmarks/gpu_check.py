"""GPU check for a lent machine: extraction throughput, probe-grid time, peak memory.

One short run (a few minutes on an H200) that needs no downloads: registry architectures
are built with random weights, features and triplets are random at the paper's sizes
(1854 objects, 4.7 M triplets, p = 768 and 1024). It also runs the probe-vs-Adam benchmark
of ``bench_probe.py`` at the paper's size (1854 x 1024, 4.7 M planted triplets, one fold,
one lambda): our L-BFGS probe, the paper's minibatch Adam recipe to its stopping rule, and
Adam until it reaches our held-out loss, each with its time ratio to ours. Prints a table
and writes it as JSON (with date, hardware and versions) and CSV for the reproducibility
page.

    python benchmarks/gpu_check.py --out gpu_check.json          # on the GPU machine
    python benchmarks/gpu_check.py --only probe-vs-adam --out g.json  # just the comparison
    python benchmarks/gpu_check.py --smoke --out /tmp/check.json # tiny sizes, any CPU
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import importlib.util
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

from humanalign.measures import fit_probe
from humanalign.models import build_architecture, layer_output
from humanalign.registry import get_spec

FULL_MODELS = {
    # model id -> batch sizes (large enough to keep an H200 busy, small enough to fit)
    "torchvision/resnet50.IMAGENET1K_V1": (256, 1024),
    "timm/vit_base_patch16_224.augreg_in21k": (256, 1024),
    "open_clip/ViT-L-14.openai": (256, 512),
}
SMOKE_MODELS = {"untrained/mobilenetv2_100.seed0": (2,)}


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def _reset_peak(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def _peak_gib(device: str) -> float:
    return torch.cuda.max_memory_allocated() / 2**30 if device.startswith("cuda") else float("nan")


def extraction_rows(models: dict[str, tuple[int, ...]], device: str, repeats: int) -> list[dict]:
    """Images per second of the penultimate layer for each model and batch size."""
    rows = []
    for model_id, batches in models.items():
        spec = get_spec(model_id)
        model = build_architecture(spec, device=device)
        size = spec.input_size or 224
        for batch in batches:
            _reset_peak(device)
            x = torch.randn(batch, 3, size, size, device=device)
            try:
                with torch.inference_mode():
                    layer_output(model, spec, x, ["penultimate"])  # warm-up (kernels, allocator)
                    _sync(device)
                    start = time.perf_counter()
                    for _ in range(repeats):
                        layer_output(model, spec, x, ["penultimate"])
                    _sync(device)
                seconds = (time.perf_counter() - start) / repeats
                status = "ok"
            except torch.OutOfMemoryError:
                seconds, status = float("nan"), "out of memory"
            rows.append({
                "task": "extract", "what": model_id, "size": f"batch {batch} @ {size}px",
                "seconds": round(seconds, 4), "rate": round(batch / seconds, 1) if seconds == seconds else None,
                "rate_unit": "images/s", "peak_gib": round(_peak_gib(device), 2), "status": status,
            })
            del x
        del model
    return rows


def random_triplets(n_objects: int, n: int, seed: int = 0) -> np.ndarray:
    """(n, 3) int64 triplets of three distinct objects, uniform at random."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n_objects, n)
    # Offsets 1..n-1 and a second offset that skips the first keep the three distinct.
    d1 = rng.integers(1, n_objects, n)
    d2 = rng.integers(1, n_objects - 1, n)
    d2 = d2 + (d2 >= d1)
    return np.stack([a, (a + d1) % n_objects, (a + d2) % n_objects], axis=1).astype(np.int64)


def probe_rows(n_objects: int, n_triplets: int, widths: tuple[int, ...], device: str, max_iter: int) -> list[dict]:
    """Wall time of the full probing grid (5 lambdas x 3 folds) at the given sizes."""
    rows = []
    triplets = random_triplets(n_objects, n_triplets)
    for p in widths:
        feats = np.random.default_rng(p).normal(size=(n_objects, p)).astype(np.float32)
        _reset_peak(device)
        start = time.perf_counter()
        result = fit_probe(feats, triplets, n_folds=3, device=device, max_iter=max_iter)
        _sync(device)
        seconds = time.perf_counter() - start
        rows.append({
            "task": "probe grid", "what": f"5 lambdas x 3 folds, p = {p}",
            "size": f"{n_objects} objects, {n_triplets:,} triplets", "seconds": round(seconds, 2),
            # The grid's fits plus the final refit on all objects.
            "rate": round((len(result.cv) + 1) / seconds, 3), "rate_unit": "fits/s",
            "peak_gib": round(_peak_gib(device), 2),
            "status": f"ok (random data: held-out accuracy {result.accuracy:.3f}, chance 0.333)",
        })
    return rows


def _bench_probe():
    spec = importlib.util.spec_from_file_location("bench_probe", Path(__file__).with_name("bench_probe.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def probe_vs_adam_rows(n_objects: int, p: int, n_triplets: int, device: str, adam_cap: float,
                       max_iter: int) -> list[dict]:
    """Our probe, the paper's Adam recipe and Adam to our loss on one planted fold (bench_probe)."""
    bench = _bench_probe()
    problem = bench.planted_problem(n_objects, p, n_triplets, device)
    rows = bench.compare(problem, bench.LAMBDA, device, adam_cap, max_iter)
    base = rows[0]["seconds"]
    out = []
    for r in rows:
        timed = r["seconds"] == r["seconds"]
        out.append({
            "task": "probe vs adam", "what": r["method"],
            "size": f"{problem.size}, fold 0, lambda {bench.LAMBDA:g}",
            "seconds": round(r["seconds"], 4) if timed else None,
            # Time relative to our probe; ">=" in the status when Adam's cap bound.
            "rate": round(r["seconds"] / base, 3) if timed else None, "rate_unit": "x our time",
            "peak_gib": round(r["peak"] / 1024, 3) if r["peak"] == r["peak"] else None,
            "status": (f"ok{' (CAP BOUND: ratio is a lower bound)' if r['capped'] else ''}: held-out loss "
                       f"{r['loss']:.4f}, accuracy {r['acc']:.4f}, dist to planted W {r['dist']:.3f}; {r['note']}"),
        })
    for line in bench.headline(rows):
        print(line)
    return out


def hardware(device: str) -> dict:
    info = {"device": device, "python": platform.python_version(), "torch": torch.__version__,
            "cpu": platform.processor() or platform.machine(), "cpu_count": os.cpu_count()}
    if device.startswith("cuda"):
        props = torch.cuda.get_device_properties(torch.device(device))
        info.update(gpu=props.name, gpu_memory_gib=round(props.total_memory / 2**30, 1),
                    cuda=torch.version.cuda)
    return info


def print_table(rows: list[dict]) -> None:
    cols = ["task", "what", "size", "seconds", "rate", "rate_unit", "peak_gib", "status"]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in rows:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in cols))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="JSON file to write (a .csv is written next to it)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes that run on a CPU in seconds")
    parser.add_argument("--device", default=None, help="torch device (default: cuda when present)")
    parser.add_argument("--only", choices=["probe-vs-adam"], default=None,
                        help="run only the probe-vs-Adam comparison")
    parser.add_argument("--adam-cap", type=float, default=240.0, help="wall-clock cap of the Adam run, seconds")
    args = parser.parse_args(argv)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if args.smoke:
        models, repeats = SMOKE_MODELS, 1
        n_objects, n_triplets, widths, max_iter = 60, 3000, (8, 12), 5
        adam_size, adam_cap = (60, 8, 6000), min(args.adam_cap, 3.0)
    else:
        if not device.startswith("cuda"):
            print("warning: no GPU; the full sizes will take long on a CPU (use --smoke)", file=sys.stderr)
        models, repeats = FULL_MODELS, 5
        n_objects, n_triplets, widths, max_iter = 1854, 4_700_000, (768, 1024), 100
        adam_size, adam_cap = (1854, 1024, 4_700_000), args.adam_cap
    torch.backends.cuda.matmul.allow_tf32 = False  # measure the float32 path the study uses
    started = _dt.datetime.now(_dt.timezone.utc)
    rows = []
    if args.only is None:
        rows += extraction_rows(models, device, repeats)
        rows += probe_rows(n_objects, n_triplets, widths, device, max_iter)
    rows += probe_vs_adam_rows(*adam_size, device, adam_cap, max_iter)
    report = {
        "date": started.isoformat(timespec="seconds"),
        "smoke": args.smoke,
        "hardware": hardware(device),
        "total_seconds": round((_dt.datetime.now(_dt.timezone.utc) - started).total_seconds(), 1),
        "rows": rows,
    }
    print_table(rows)
    print(f"\n{report['hardware']}  total {report['total_seconds']} s")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(report, indent=1))
    os.replace(tmp, out)
    with open(out.with_suffix(".csv"), "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return report


if __name__ == "__main__":
    main()
