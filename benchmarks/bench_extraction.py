"""Images per second of the batched extraction path, against a plain loop and the forward floor.

Three ways to get the same features of the same images with the same model:

* **batched**: :func:`humanalign.features.extract_features` as the book runs it (cache off):
  batches, the next batch decoded in a background thread while the model runs;
* **plain loop**: what one writes first: one image at a time, open the file, preprocess, one
  forward pass, read the penultimate layer;
* **forward floor**: the forward passes alone, on batches decoded beforehand: no pipeline can
  beat it.

Targets: batched at least as fast as the plain loop (ratio >= 1.0) and within 1.15 x of the
floor. The script prints all three rates and both ratios, and checks that the features agree.
By default it runs on one thread, as each worker process of a book build does
(``humanalign prepare``); ``--threads`` sets another count.

Usage::

    python benchmarks/bench_extraction.py                 # EfficientNet-Lite0 and a TF-Lite MobileNet v2
    python benchmarks/bench_extraction.py --model untrained/resnet50.seed0 --n 600 --batch-size 8

Each path runs ``--repeats`` times, interleaved, and the median is printed (a CPU's speed
drifts from one minute to the next); ``--quick`` runs 48 photos per model once.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from PIL import Image

from humanalign.datasets import Stimuli, load_demo_stimuli
from humanalign.features import extract_features
from humanalign.models import load_model

DEFAULT_MODELS = ("pypi/efficientnet_lite0.in1k", "litert/mobilenet_v2_100_224.qat_in1k")


def _penultimate(loaded, batch: torch.Tensor) -> np.ndarray:
    """The penultimate features of one preprocessed batch, as the extraction reads them."""
    if not loaded.is_torch:
        return loaded.forward(batch, ["penultimate"])["penultimate"].numpy()
    batch = batch.contiguous(memory_format=torch.channels_last)
    return loaded.forward(batch, ["penultimate"])["penultimate"].float().numpy()


def plain_loop(loaded, stimuli: Stimuli) -> np.ndarray:
    rows = []
    with torch.inference_mode():
        for path in stimuli.paths:
            with Image.open(path) as image:
                x = loaded.preprocess(image.convert("RGB"))[None]
            rows.append(_penultimate(loaded, x))
    return np.concatenate(rows)


def forward_floor(loaded, stimuli: Stimuli, batch_size: int) -> tuple[float, np.ndarray]:
    """Seconds of the forward passes alone (images decoded and preprocessed beforehand)."""
    images = []
    for path in stimuli.paths:
        with Image.open(path) as image:
            images.append(loaded.preprocess(image.convert("RGB")))
    rows, seconds = [], 0.0
    with torch.inference_mode():
        for i in range(0, len(images), batch_size):
            batch = torch.stack(images[i:i + batch_size])
            if loaded.is_torch:
                batch = batch.contiguous(memory_format=torch.channels_last)
            start = time.perf_counter()
            rows.append(_penultimate(loaded, batch))
            seconds += time.perf_counter() - start
    return seconds, np.concatenate(rows)


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(((a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))).min())


def measure(model_id: str, stimuli: Stimuli, batch_size: int, repeats: int) -> dict[str, float]:
    """Median seconds of each path over ``repeats`` rounds (the paths interleaved, after one
    warm-up round on a few images: the first pass of a batch shape builds its kernels)."""
    loaded = load_model(model_id, device="cpu")
    if loaded.is_torch:
        loaded.model.to(memory_format=torch.channels_last)
    warm = Stimuli("warm", stimuli.ids[:2 * batch_size], stimuli.paths[:2 * batch_size])
    extract_features(model_id, warm, batch_size=batch_size, device="cpu", cache=False, progress=False)
    plain_loop(loaded, warm)
    forward_floor(loaded, warm, batch_size)
    seconds: dict[str, list[float]] = {"batched": [], "plain": [], "floor": []}
    for _ in range(repeats):
        start = time.perf_counter()
        batched = extract_features(model_id, stimuli, batch_size=batch_size, device="cpu", cache=False,
                                   progress=False)
        seconds["batched"].append(time.perf_counter() - start)
        start = time.perf_counter()
        plain = plain_loop(loaded, stimuli)
        seconds["plain"].append(time.perf_counter() - start)
        t_floor, floor = forward_floor(loaded, stimuli, batch_size)
        seconds["floor"].append(t_floor)
    return {**{k: float(np.median(v)) for k, v in seconds.items()},
            "agree": min(_cosine(batched, plain), _cosine(batched, floor))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", help="model id (repeatable; default: a torch and a TF-Lite model)")
    parser.add_argument("--n", type=int, default=300, help="number of demo photos")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="torch (and TF-Lite) threads; 1 as in a book build")
    parser.add_argument("--repeats", type=int, default=3, help="rounds per path (the median is printed)")
    parser.add_argument("--quick", action="store_true", help="48 photos per model, one round")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    demo = load_demo_stimuli()
    n = 48 if args.quick else args.n
    stimuli = Stimuli("bench", tuple(demo.ids[:n]), tuple(demo.paths[:n]))
    print(f"{len(stimuli)} demo photos, batches of {args.batch_size}, {torch.get_num_threads()} thread(s)")
    print(f"{'model':45s} {'batched':>9s} {'plain':>9s} {'floor':>9s}  {'vs plain':>8s} {'vs floor':>8s}  agree")
    for model_id in args.model or DEFAULT_MODELS:
        t = measure(model_id, stimuli, args.batch_size, 1 if args.quick else args.repeats)
        rate = {k: len(stimuli) / t[k] for k in ("batched", "plain", "floor")}
        print(f"{model_id:45s} {rate['batched']:7.1f}/s {rate['plain']:7.1f}/s {rate['floor']:7.1f}/s  "
              f"{t['plain'] / t['batched']:7.2f}x {t['batched'] / t['floor']:7.2f}x  {t['agree']:.5f}", flush=True)
    print("targets: batched >= 1.00x the plain loop ('vs plain'), <= 1.15x the forward floor ('vs floor')")


if __name__ == "__main__":
    main()
