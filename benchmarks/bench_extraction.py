"""Images per second of the batched extraction path against a plain loop.

The plain loop is what one writes first: one process, one image at a time, open the file,
preprocess, forward with a hook on the penultimate module. The batched path is
:func:`humanalign.features.extract_features` (DataLoader with decoding workers, batches,
inference mode, channels-last, half precision on CUDA when it keeps the features), with
the cache off. Both run the same model on the same images; the script prints both rates
and their ratio.

Usage::

    python benchmarks/bench_extraction.py                      # demo photos, CPU
    python benchmarks/bench_extraction.py --model untrained/resnet50.seed0 --repeat 8 --batch-size 256

``untrained/resnet50.seed0`` is ResNet-50 with random weights: the speed is that of the
architecture, and it needs no download.
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


def plain_loop(model_id: str, stimuli: Stimuli, device: str) -> np.ndarray:
    loaded = load_model(model_id, device=device)
    module = loaded.model.get_submodule(loaded.spec.penultimate)
    rows: list[np.ndarray] = []
    handle = module.register_forward_hook(lambda _m, _i, out: rows.append(out.flatten(1).cpu().numpy()))
    try:
        with torch.no_grad():
            for path in stimuli.paths:
                x = loaded.preprocess(Image.open(path).convert("RGB"))[None].to(device)
                loaded.model(x)
    finally:
        handle.remove()
    return np.concatenate(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="untrained/efficientnet_lite0.seed0")
    parser.add_argument("--n", type=int, default=96, help="number of demo photos")
    parser.add_argument("--repeat", type=int, default=1, help="repeat the photo list (GPU runs need more images)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--num-workers", type=int, default=None)
    parser.add_argument("--device", default=None)
    parser.add_argument("--skip-plain", action="store_true")
    args = parser.parse_args()

    from humanalign.config import settings

    device = args.device or settings().resolve_device()
    demo = load_demo_stimuli()
    paths = list(demo.paths[: args.n]) * args.repeat
    stimuli = Stimuli("bench", tuple(f"i{k}" for k in range(len(paths))), tuple(paths))
    print(f"model {args.model}, {len(stimuli)} images, device {device}, torch threads {torch.get_num_threads()}")

    load_model(args.model, device=device)  # warm the import and file caches for both paths
    start = time.perf_counter()
    batched = extract_features(args.model, stimuli, batch_size=args.batch_size, device=device,
                               num_workers=args.num_workers, cache=False, progress=False)
    t_batched = time.perf_counter() - start
    print(f"batched: {len(stimuli) / t_batched:8.1f} images/s ({t_batched:.1f} s)")
    if args.skip_plain:
        return
    start = time.perf_counter()
    plain = plain_loop(args.model, stimuli, device)
    t_plain = time.perf_counter() - start
    print(f"plain:   {len(stimuli) / t_plain:8.1f} images/s ({t_plain:.1f} s)")
    cos = (plain * batched).sum(1) / (np.linalg.norm(plain, axis=1) * np.linalg.norm(batched, axis=1))
    print(f"ratio batched / plain: {t_plain / t_batched:.2f}x; min cosine plain vs batched {cos.min():.5f}")


if __name__ == "__main__":
    main()
