"""Batched feature extraction with a content-keyed, resumable cache.

:func:`extract_features` turns a model and a set of images into an (n, d) float32 matrix,
row ``i`` for ``stimuli.ids[i]``. Images are decoded in parallel by a DataLoader; the
forward passes run under ``torch.inference_mode`` in channels-last layout; on a GPU,
half precision is used only after a check on the first batch shows that it keeps the
features equal (cosine similarity >= 0.999 to float32 for every image).

The cache key is a hash of everything the numbers depend on: the model's registry row,
the layer, the data set (name, ids and the sha256 of every image file), the precision
setting, the version of this package's preprocessing and the versions of the libraries
that compute. Results live under ``<HUMANALIGN_CACHE>/features/``. Each finished batch is
written (atomically) to a ``.partial`` folder first, so an interrupted extraction resumes
from the batches it finished; a call whose key is complete loads the file and does no
model work.

Every cache file (and every finished batch) has a ``.json`` record beside it with its
sha256, shape and dtype. A file is reused only when it matches its record and holds
finite values of the expected shape; otherwise it is recomputed, with a one-line notice
naming it. :func:`record_use` collects the feature files a computation read, so that a
results table can name them and be recomputed when they change.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
from PIL import Image, UnidentifiedImageError
from tqdm.auto import tqdm

from .cache import PREPROCESS_VERSION, check_writable, content_key, discard, library_versions, load_array, note_use, save_array
from .config import settings
from .datasets.types import Stimuli, open_image
from .errors import DataError
from .fetch import cached_sha256
from .registry import ModelSpec, as_spec

__all__ = [
    "COSINE_TOLERANCE",
    "PREPROCESS_VERSION",
    "ImageDataset",
    "cache_key",
    "cache_path",
    "extract_features",
    "save_features",
]

COSINE_TOLERANCE = 0.999


def _file_sha(path: Path) -> str:
    try:
        return cached_sha256(path)
    except OSError as err:
        raise DataError(f"Image {path} cannot be read ({err}); fetch the data set again.") from err



# Image digests this process has computed: (ids, paths) -> (the files' states, digest).
_IMAGES: dict[tuple, tuple[tuple, str]] = {}


def images_digest(stimuli: Stimuli) -> str:
    """sha256 over the stimuli's ids and the sha256 of each image file.

    A study keys features of one image set dozens of times: the digest is kept while every
    file keeps its size and modification time (one ``stat`` per file and call, no reading).
    """
    try:
        states = tuple((s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns) for s in map(os.stat, stimuli.paths))
    except OSError:
        states = None
    key = (stimuli.ids, tuple(map(str, stimuli.paths)))
    known = _IMAGES.get(key)
    if states is not None and known is not None and known[0] == states:
        return known[1]
    digest = hashlib.sha256()
    for name, path in zip(stimuli.ids, stimuli.paths):
        digest.update(f"{name}\t{_file_sha(path)}\n".encode())
    if states is not None:
        _IMAGES[key] = (states, digest.hexdigest())
    return digest.hexdigest()


def cache_key(model: ModelSpec | str, stimuli: Stimuli, layer: str, precision: str = "auto") -> str:
    """Hex sha256 over what the features depend on (see the module docstring).

    ``model`` is a spec or a registry id.
    """
    spec = as_spec(model)
    payload = {
        "spec": asdict(spec),
        "layer": layer,
        "dataset": stimuli.name,
        "images": images_digest(stimuli),
        "precision": precision,
        "preprocess_version": PREPROCESS_VERSION,
        "versions": library_versions(),
    }
    return content_key(payload)


def cache_path(model: ModelSpec | str, stimuli: Stimuli, layer: str = "penultimate", precision: str = "auto") -> Path:
    """Where :func:`extract_features` keeps these features (``.npy``); ``model`` is a spec or an id."""
    spec = as_spec(model)
    key = cache_key(spec, stimuli, layer, precision)
    folder = settings().cache_dir / "features" / spec.source / f"{spec.arch}.{spec.tag}"
    return folder / f"{stimuli.name}.{layer}.{key[:20]}.npy"


def load_model(spec: ModelSpec | str, device: str | None = None):
    """:func:`humanalign.models.load_model`, imported on first use: reading cached features
    (every chapter of a warm build) needs neither the model code nor torch, whose import
    alone takes seconds."""
    from .models import load_model as load

    return load(spec, device=device)


class ImageDataset:
    """Images in a fixed order; item ``i`` is ``(i, preprocess(image i))``.

    The index travels with the tensor so the caller can check the row order. A file that
    cannot be decoded raises :class:`~humanalign.errors.DataError` naming it.
    """

    def __init__(self, paths: Sequence[Path], preprocess):
        self.paths = [Path(p) for p in paths]
        self.preprocess = preprocess

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> tuple[int, torch.Tensor]:
        # open_image scales 16-bit greyscale and refuses decompression bombs, naming the file.
        try:
            image = open_image(self.paths[index])
        except DataError as err:
            raise DataError(
                f"Image {index}: {err} Replace the file with a good copy or remove it from the "
                "stimuli; no features were written for the batch holding it."
            ) from err
        return index, self.preprocess(image)


def _batches(n: int, batch_size: int) -> list[list[int]]:
    return [list(range(start, min(start + batch_size, n))) for start in range(0, n, batch_size)]


def _worker_init(_worker_id: int) -> None:
    import torch

    # Decoding workers must not compete with the forward pass for the few CPU cores.
    torch.set_num_threads(1)


def _cosine_rows(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    import torch

    return torch.nn.functional.cosine_similarity(a.float(), b.float(), dim=1, eps=1e-12)


def _iterate(loader, progress: bool, total: int, desc: str) -> Iterator:
    if not progress:
        yield from loader
        return
    yield from tqdm(loader, total=total, desc=desc, unit="batch", leave=False)


@dataclass
class _Job:
    """One extraction: the model, images and layer, its batches and where finished ones go.

    Batch ``i`` holds the rows ``chunks[i]``; once computed it is kept in ``done[i]`` and,
    when caching, written to ``partial`` so that an interrupted run resumes from it.
    """

    spec: ModelSpec
    stimuli: Stimuli
    layer: str
    precision: str
    chunks: list[list[int]]
    partial: Path | None
    done: dict[int, np.ndarray] = field(default_factory=dict)

    def part(self, i: int) -> Path:
        """The file of finished batch ``i`` in the ``.partial`` folder."""
        chunk = self.chunks[i]
        return self.partial / f"{chunk[0]:08d}-{len(chunk)}.npy"

    @property
    def todo(self) -> list[int]:
        return [i for i in range(len(self.chunks)) if i not in self.done]


def _check_request(spec: ModelSpec, stimuli: Stimuli, layer: str, batch_size: int, precision: str) -> None:
    spec.layer_module(layer)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    if precision not in {"auto", "float32"}:
        raise ValueError(f"precision must be 'auto' or 'float32', not {precision!r}.")
    if len(stimuli) == 0:
        raise ValueError(f"Stimuli {stimuli.name!r} hold no images.")


def _cached(target: Path, spec: ModelSpec, layer: str, rows: int) -> np.ndarray | None:
    """The complete features in ``target`` if they verify; a damaged file is removed."""
    if not target.exists():
        return None
    features, problem = load_array(target, rows)
    if features is not None:
        note_use(target, spec, layer)
        return features
    discard(target, problem)
    return None


def _resume(job: _Job) -> None:
    """Fill ``job.done`` with the batches an earlier, interrupted run finished and that verify."""
    if job.partial is None or not job.partial.is_dir():
        return
    for i, chunk in enumerate(job.chunks):
        part = job.part(i)
        if part.exists():
            width = next(iter(job.done.values())).shape[1] if job.done else None
            values, problem = load_array(part, len(chunk), width)
            if values is None:
                discard(part, problem)
            else:
                job.done[i] = values


def _prefetched(job: _Job, loaded) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """``(indices, batch)`` for the batches still to do, in order, each decoded in a background
    thread while the model runs the one before (the decoders release the interpreter lock),
    so decoding overlaps the forward pass without a worker process of its own."""
    import torch

    dataset = ImageDataset(job.stimuli.paths, loaded.preprocess)

    def load(rows: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        items = [dataset[i] for i in rows]
        return torch.tensor([i for i, _ in items]), torch.stack([x for _, x in items])

    todo = [job.chunks[i] for i in job.todo]
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        ahead = pool.submit(load, todo[0]) if todo else None
        for k in range(len(todo)):
            current = ahead.result()
            ahead = pool.submit(load, todo[k + 1]) if k + 1 < len(todo) else None
            yield current


def _data_loader(job: _Job, loaded, num_workers: int | None, pin_memory: bool):
    """``(indices, batch)`` for the batches still to do, in order: decoded in a background
    thread on the CPU (:func:`_prefetched`; decoding is cheap next to a forward pass there,
    and a decoding process would take a core from the model), by ``num_workers`` decoding
    processes on a GPU (default: one fewer than the CPU cores, at most 8)."""
    if num_workers is None:
        num_workers = max(0, min(8, (os.cpu_count() or 1) - 1)) if pin_memory else 0
    if num_workers == 0:
        return _prefetched(job, loaded)
    import torch

    return torch.utils.data.DataLoader(
        ImageDataset(job.stimuli.paths, loaded.preprocess),
        batch_sampler=[job.chunks[i] for i in job.todo],
        num_workers=num_workers,
        pin_memory=pin_memory,
        worker_init_fn=_worker_init if num_workers else None,
    )


def _forward(loaded, batch: torch.Tensor, layer: str, use_half: bool | None) -> tuple[torch.Tensor, bool | None]:
    """One batch through the model; returns its output and the (now decided) half-precision choice.

    ``use_half`` is ``None`` until decided: then both precisions run on this batch of real
    images, and float16 is kept only if every row's cosine to float32 is within tolerance.
    """
    if not loaded.is_torch:
        return loaded.forward(batch, [layer])[layer], use_half
    import torch

    batch = batch.to(loaded.device, non_blocking=True).contiguous(memory_format=torch.channels_last)
    if use_half is None:
        full = loaded.forward(batch, [layer])[layer]
        with torch.autocast("cuda", dtype=torch.float16):
            half = loaded.forward(batch, [layer])[layer]
        return full, bool(_cosine_rows(full, half).min() >= COSINE_TOLERANCE)
    if use_half:
        with torch.autocast("cuda", dtype=torch.float16):
            return loaded.forward(batch, [layer])[layer], use_half
    return loaded.forward(batch, [layer])[layer], use_half


def _finite_rows(job: _Job, i: int, out: torch.Tensor) -> np.ndarray:
    """Batch ``i``'s output as contiguous float32; non-finite values name the first bad image."""
    values = out.float().cpu().numpy()
    if not np.all(np.isfinite(values)):
        bad = job.stimuli.paths[job.chunks[i][int(np.flatnonzero(~np.isfinite(values).all(1))[0])]]
        raise DataError(f"Model {job.spec.id!r} gave non-finite {job.layer} features for {bad}.")
    return np.ascontiguousarray(values, dtype=np.float32)


def _compute(job: _Job, device: str | None, num_workers: int | None, progress: bool) -> None:
    """Load the model and compute the batches not yet done, writing each as it finishes."""
    import torch

    todo = job.todo
    loaded = load_model(job.spec, device=device)
    is_cuda = loaded.is_torch and str(loaded.device).startswith("cuda")
    if loaded.is_torch:
        # Channels-last is faster for convolutions on CPU and GPU alike.
        loaded.model.to(memory_format=torch.channels_last)
    loader = _data_loader(job, loaded, num_workers, pin_memory=is_cuda)
    use_half: bool | None = False if (job.precision == "float32" or not is_cuda) else None
    with torch.inference_mode():
        for i, (index, batch) in zip(todo, _iterate(loader, progress, len(todo), job.spec.id)):
            if index.tolist() != job.chunks[i]:  # pragma: no cover - guards the row order
                raise RuntimeError(f"Batch {i} came back with rows {index.tolist()[:5]}...")
            out, use_half = _forward(loaded, batch, job.layer, use_half)
            job.done[i] = values = _finite_rows(job, i, out)
            if job.partial is not None:
                save_array(job.part(i), values)


def _assemble(job: _Job) -> np.ndarray:
    """All batches stacked in row order; batches of different widths are removed."""
    widths = sorted({values.shape[1] for values in job.done.values()})
    if len(widths) > 1:
        if job.partial is not None:
            shutil.rmtree(job.partial, ignore_errors=True)
        raise DataError(
            f"Batches of {job.spec.id!r} {job.layer} features came out {widths} wide; the unfinished run's "
            f"batches were removed, run again to recompute them."
        )
    return np.ascontiguousarray(np.concatenate([job.done[i] for i in range(len(job.chunks))]), dtype=np.float32)


def _store(target: Path, features: np.ndarray, job: _Job) -> None:
    """Write the complete features and their record, then drop the finished batches."""
    meta = {"model": job.spec.id, "layer": job.layer, "dataset": job.stimuli.name, "precision": job.precision,
            "versions": library_versions()}
    save_array(target, features, meta)
    shutil.rmtree(job.partial, ignore_errors=True)
    note_use(target, job.spec, job.layer)


def extract_features(
    model: ModelSpec | str,
    stimuli: Stimuli,
    layer: str = "penultimate",
    *,
    batch_size: int = 32,
    device: str | None = None,
    num_workers: int | None = None,
    cache: bool = True,
    progress: bool = True,
    precision: str = "auto",
) -> np.ndarray:
    """Features of every stimulus at one layer of one model.

    Args:
        model: Its spec, or its registry id, e.g. ``"pypi/efficientnet_lite0.in1k"``.
        stimuli: The images; row ``i`` of the result is ``stimuli.ids[i]``.
        layer: ``"penultimate"`` or ``"logits"``.
        batch_size: Images per forward pass.
        device: Torch device; default from ``HUMANALIGN_DEVICE``.
        num_workers: Decoding processes; default none on the CPU (a background thread decodes
            the next batch), one fewer than the CPU cores (at most 8) on a GPU.
        cache: Read and write the feature cache.
        progress: Show a progress bar.
        precision: ``"auto"`` (half precision on CUDA when the first-batch check passes),
            or ``"float32"`` to never use it.

    Returns:
        Float32 array of shape (n, d).

    Raises:
        KeyError: unknown model id.
        ValueError: bad layer, batch size or precision.
        DataError: an image cannot be decoded (named in the message), or non-finite
            features.
    """
    spec = as_spec(model)
    _check_request(spec, stimuli, layer, batch_size, precision)
    target = cache_path(spec, stimuli, layer, precision) if cache else None
    if target is not None:
        features = _cached(target, spec, layer, len(stimuli))
        if features is not None:
            return features
        check_writable(target.parent, "feature cache", ", or pass cache=False (--no-cache)")
    partial = target.with_suffix(".partial") if target is not None else None
    job = _Job(spec, stimuli, layer, precision, _batches(len(stimuli), batch_size), partial)
    _resume(job)
    if job.todo:
        _compute(job, device, num_workers, progress)
    features = _assemble(job)
    if target is not None:
        _store(target, features, job)
    return features


def save_features(model: ModelSpec | str, stimuli: Stimuli, layer: str, features: np.ndarray,
                  precision: str = "auto") -> Path:
    """Put features computed elsewhere into the cache, where :func:`extract_features` finds them.

    For features of a model this package cannot run (computed on another machine, or with
    another library): once saved under the model's registry row (an extra row, see
    :mod:`humanalign.registry`), every chapter scores them like any other model's.

    Args:
        model: Its spec or registry id.
        stimuli: The images the rows belong to, in order.
        layer: ``"penultimate"`` or ``"logits"``.
        features: (n, d) finite values, row ``i`` for ``stimuli.ids[i]``.

    Returns:
        The cache file written.

    Raises:
        ValueError: the features do not have one finite row per image.
    """
    spec = as_spec(model)
    spec.layer_module(layer)
    array = np.ascontiguousarray(features, dtype=np.float32)
    if array.ndim != 2 or array.shape[0] != len(stimuli) or array.shape[1] == 0:
        raise ValueError(f"Features of {spec.id!r} have shape {array.shape}; expected ({len(stimuli)}, d) for "
                         f"the {len(stimuli)} images of {stimuli.name!r}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"Features of {spec.id!r} hold NaN or infinite values.")
    target = cache_path(spec, stimuli, layer, precision)
    save_array(target, array, {"model": spec.id, "layer": layer, "dataset": stimuli.name, "precision": precision,
                               "versions": library_versions(), "source": "saved"})
    return target
