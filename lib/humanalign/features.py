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

import contextlib
import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import torch

from .config import settings
from .datasets.types import Stimuli
from ._atomic import atomic_path, probe_writable, write_text_atomic
from .fetch import cached_sha256, notice
from .errors import DataError
from .registry import ModelSpec, as_spec

__all__ = [
    "COSINE_TOLERANCE",
    "PREPROCESS_VERSION",
    "ImageDataset",
    "cache_key",
    "cache_path",
    "extract_features",
    "check_recorded",
    "library_versions",
    "record_use",
]

# Bump when the preprocessing or layer reading in humanalign.models changes meaning, so
# that old caches are not reused.
PREPROCESS_VERSION = 1
COSINE_TOLERANCE = 0.999
_LIBRARIES = ("torch", "torchvision", "timm", "open_clip_torch", "ai-edge-litert", "numpy", "pillow", "humanalign")


def library_versions(names: tuple[str, ...] = _LIBRARIES, missing: str = "absent") -> dict[str, str]:
    """Installed versions of ``names`` (default: the libraries that compute features)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = missing
    return versions


def _file_sha(path: Path) -> str:
    try:
        return cached_sha256(path)
    except OSError as err:
        raise DataError(f"Image {path} cannot be read ({err}); fetch the data set again.") from err



def cache_key(model: ModelSpec | str, stimuli: Stimuli, layer: str, precision: str = "auto") -> str:
    """Hex sha256 over what the features depend on (see the module docstring).

    ``model`` is a spec or a registry id.
    """
    spec = as_spec(model)
    digest = hashlib.sha256()
    for name, path in zip(stimuli.ids, stimuli.paths):
        digest.update(f"{name}\t{_file_sha(Path(path))}\n".encode())
    payload = {
        "spec": asdict(spec),
        "layer": layer,
        "dataset": stimuli.name,
        "images": digest.hexdigest(),
        "precision": precision,
        "preprocess_version": PREPROCESS_VERSION,
        "versions": library_versions(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def cache_path(model: ModelSpec | str, stimuli: Stimuli, layer: str = "penultimate", precision: str = "auto") -> Path:
    """Where :func:`extract_features` keeps these features (``.npy``); ``model`` is a spec or an id."""
    spec = as_spec(model)
    key = cache_key(spec, stimuli, layer, precision)
    folder = settings().cache_dir / "features" / spec.source / f"{spec.arch}.{spec.tag}"
    return folder / f"{stimuli.name}.{layer}.{key[:20]}.npy"


def _record_path(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".npy") + ".json")


def _save_atomic(path: Path, array: np.ndarray, meta: dict | None = None) -> None:
    """Write ``array`` and then its record (sha256, shape, dtype, ``meta``), each atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, array)
        digest = cached_sha256(tmp)
    record = {**(meta or {}), "sha256": digest, "shape": list(array.shape), "dtype": str(array.dtype)}
    write_text_atomic(_record_path(path), json.dumps(record, indent=1))


def _load_verified(path: Path, rows: int, width: int | None = None) -> tuple[np.ndarray | None, str | None]:
    """The array in ``path`` if it matches its record, else ``None`` and the reason."""
    try:
        record = json.loads(_record_path(path).read_text())
        digest, shape, dtype = record["sha256"], record["shape"], record["dtype"]
    except FileNotFoundError:
        return None, "it has no record of its hash beside it"
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None, f"its record {_record_path(path).name} is unreadable"
    if len(shape) != 2 or shape[0] != rows or dtype != "float32" or (width is not None and shape[1] != width):
        return None, f"its record says {dtype} {tuple(shape)}, expected float32 with {rows} rows"
    try:
        if cached_sha256(path) != digest:
            return None, "its sha256 differs from the one recorded when it was written"
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as err:
        return None, f"it cannot be read ({type(err).__name__}: {err})"
    if array.shape != tuple(shape) or array.dtype != np.float32:
        return None, f"it holds {array.dtype} {array.shape}, not what its record says"
    if not np.all(np.isfinite(array)):
        return None, "it holds NaN or infinite values"
    return array, None


def _discard(path: Path, reason: str) -> None:
    notice(f"recomputing {path}: {reason}.")
    path.unlink(missing_ok=True)
    _record_path(path).unlink(missing_ok=True)


def _check_writable(folder: Path) -> None:
    """Fail before any model work when the cache folder cannot be written."""
    try:
        probe_writable(folder)
    except OSError as err:
        raise DataError(
            f"The feature cache folder {folder} cannot be written ({err.strerror or err}); point "
            "HUMANALIGN_CACHE at a writable folder, or pass cache=False (--no-cache)."
        ) from err


_ledgers: list[dict] = []


@contextlib.contextmanager
def record_use() -> Iterator[dict]:
    """Collect the cached feature files read or written inside the block.

    Yields a dict that fills up with one entry per file: its path relative to the cache
    folder, sha256, model, layer, registry row and library versions. Pass it to
    :func:`humanalign.results.save_results` as ``inputs``; :func:`check_recorded` tells
    later whether those features still stand.
    """
    ledger: dict = {}
    _ledgers.append(ledger)
    try:
        yield ledger
    finally:
        _ledgers.remove(ledger)


def _spec_digest(model: ModelSpec | str) -> str:
    text = json.dumps(asdict(as_spec(model)), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _note_use(target: Path, spec: ModelSpec, layer: str) -> None:
    if not _ledgers:
        return
    record = json.loads(_record_path(target).read_text())
    entry = {
        "sha256": record["sha256"], "model": spec.id, "layer": layer, "spec": _spec_digest(spec),
        "preprocess_version": PREPROCESS_VERSION, "versions": library_versions(),
    }
    key = target.relative_to(settings().cache_dir).as_posix() if target.is_relative_to(settings().cache_dir) else str(target)
    for ledger in _ledgers:
        ledger[key] = entry


def check_recorded(entries: dict) -> str | None:
    """Why features recorded by :func:`record_use` no longer stand, or ``None`` if they do.

    They stand while each file is in the cache with the same sha256 and the model's
    registry row, the preprocessing version and the library versions are unchanged (any
    of those changes the features' cache key).
    """
    if not isinstance(entries, dict):
        return "the record of the features it came from is malformed"
    versions = library_versions()
    for rel, entry in entries.items():
        path = settings().cache_dir / rel
        try:
            if entry["versions"] != versions or entry["preprocess_version"] != PREPROCESS_VERSION:
                return f"the libraries or preprocessing that computed {path.name} have changed"
            if entry["spec"] != _spec_digest(entry["model"]):
                return f"the registry row of {entry['model']} has changed"
            record = json.loads(_record_path(path).read_text())
            if not path.is_file() or record["sha256"] != entry["sha256"] or cached_sha256(path) != entry["sha256"]:
                return f"the features in {path} have changed or are gone"
        except (OSError, ValueError, KeyError, TypeError):
            return f"the features in {path} have changed or are gone"
    return None


class ImageDataset(torch.utils.data.Dataset):
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
        from PIL import Image, UnidentifiedImageError

        path = self.paths[index]
        try:
            with Image.open(path) as image:
                image = image.convert("RGB")
        except (OSError, UnidentifiedImageError, SyntaxError) as err:
            raise DataError(
                f"Image {index} ({path}) cannot be decoded ({err}). Replace the file with a "
                "good copy (fetch the data set again) or remove it from the stimuli; no "
                "features were written for the batch holding it."
            ) from err
        return index, self.preprocess(image)


def _batches(n: int, batch_size: int) -> list[list[int]]:
    return [list(range(start, min(start + batch_size, n))) for start in range(0, n, batch_size)]


def _worker_init(_worker_id: int) -> None:
    # Decoding workers must not compete with the forward pass for the few CPU cores.
    torch.set_num_threads(1)


def _cosine_rows(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.cosine_similarity(a.float(), b.float(), dim=1, eps=1e-12)


def _iterate(loader, progress: bool, total: int, desc: str) -> Iterator:
    if not progress:
        yield from loader
        return
    from tqdm.auto import tqdm

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
    features, problem = _load_verified(target, rows)
    if features is not None:
        _note_use(target, spec, layer)
        return features
    _discard(target, problem)
    return None


def _resume(job: _Job) -> None:
    """Fill ``job.done`` with the batches an earlier, interrupted run finished and that verify."""
    if job.partial is None or not job.partial.is_dir():
        return
    for i, chunk in enumerate(job.chunks):
        part = job.part(i)
        if part.exists():
            width = next(iter(job.done.values())).shape[1] if job.done else None
            values, problem = _load_verified(part, len(chunk), width)
            if values is None:
                _discard(part, problem)
            else:
                job.done[i] = values


def _data_loader(job: _Job, loaded, num_workers: int | None, pin_memory: bool):
    """Decoding workers that yield ``(indices, batch)`` for the batches still to do, in order."""
    if num_workers is None:
        num_workers = max(0, min(8, (os.cpu_count() or 1) - 1))
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
    from .models import load_model

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
                _save_atomic(job.part(i), values)


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
    _save_atomic(target, features, meta)
    shutil.rmtree(job.partial, ignore_errors=True)
    _note_use(target, job.spec, job.layer)


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
        num_workers: Decoding processes; default one fewer than the CPU cores (at most 8).
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
        _check_writable(target.parent)
    partial = target.with_suffix(".partial") if target is not None else None
    job = _Job(spec, stimuli, layer, precision, _batches(len(stimuli), batch_size), partial)
    _resume(job)
    if job.todo:
        _compute(job, device, num_workers, progress)
    features = _assemble(job)
    if target is not None:
        _store(target, features, job)
    return features
