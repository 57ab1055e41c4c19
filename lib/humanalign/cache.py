"""Verified cache files: arrays written atomically with a record of their hash beside them.

Every cache file of the package (features, probes, per-unit scores) is written through
:func:`save_array` or :func:`save_arrays`: the data go to a temporary name that is renamed
into place, then a ``.json`` record with the file's sha256, the entry it belongs to (its
folder and file name, which hold the model and the content key) and shape, dtype and
whatever the writer adds is written the same way. A file is read back (:func:`load_array`,
:func:`load_arrays`) only when it matches its record and the record names this very entry;
otherwise the reader gets the reason and recomputes, so an edited, truncated, half-written
or swapped file is never used. (A record written before records named their entry is
accepted while the model, layer and data set it names are those of the entry's folder and
file name, so that an existing cache is not recomputed.) Temporaries that an interrupted write left behind are
removed by the next write into their folder once they are :data:`STALE_AFTER_S` old.

The records are integrity checks, not signatures: whoever can write the cache folder can
also write a matching record.

:func:`record_use` collects which feature files a computation read, so that a results table
can name them and be recomputed when they change (:func:`check_recorded`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import os
import re
import time
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Iterator

import numpy as np

from ._atomic import atomic_path, probe_writable, write_text_atomic
from .config import settings
from .errors import DataError
from .fetch import cached_sha256, notice
from .registry import ModelSpec, as_spec

__all__ = [
    "LIBRARIES",
    "PREPROCESS_VERSION",
    "STALE_AFTER_S",
    "check_recorded",
    "check_writable",
    "content_key",
    "discard",
    "library_versions",
    "load_array",
    "load_arrays",
    "note_use",
    "record_path",
    "record_use",
    "save_array",
    "save_arrays",
    "source_digest",
    "spec_digest",
]

#: Bump when the preprocessing or layer reading in :mod:`humanalign.models` changes meaning,
#: so that features cached before are not reused.
PREPROCESS_VERSION = 1
#: The libraries whose versions enter every content key (they compute the numbers).
LIBRARIES = ("torch", "torchvision", "timm", "open_clip_torch", "ai-edge-litert", "numpy", "pillow", "humanalign")
#: A temporary file of an atomic write older than this (seconds) belongs to a write that was
#: killed: the next write into its folder removes it. A live write touches its file far more
#: often than this.
STALE_AFTER_S = 30 * 60
# The temporaries of :func:`humanalign._atomic.atomic_path`: "<name>.<8 random characters>.tmp"
# and the same with an extension that the writer appends (".tmp.npz").
_TEMPORARY = re.compile(r"^.+\.[a-z0-9_]{8}\.tmp(\.[a-z0-9]{1,5})?$")


def library_versions(names: tuple[str, ...] = LIBRARIES, missing: str = "absent") -> dict[str, str]:
    """Installed versions of ``names`` (default: the libraries that compute features), looked
    up once per process (a lookup reads the installed packages' metadata files)."""
    return dict(_versions(tuple(names), missing))


@functools.lru_cache(maxsize=64)
def _versions(names: tuple[str, ...], missing: str) -> tuple[tuple[str, str], ...]:
    versions = []
    for name in names:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, missing))
    return tuple(versions)


def content_key(payload: dict) -> str:
    """Hex sha256 of a JSON-able description of what a cached value depends on."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def source_digest(*modules: ModuleType) -> str:
    """sha256 of the source text of ``modules``, in the order given: what a cached result that
    these modules computed is keyed on, so that any change of their code recomputes it.

    Raises:
        TypeError: a module without source text (a compiled extension).
    """
    digest = hashlib.sha256()
    for module in modules:
        digest.update(module.__name__.encode() + b"\0")
        digest.update(hashlib.sha256(inspect.getsource(module).encode()).digest())
    return digest.hexdigest()


def spec_digest(model: ModelSpec | str) -> str:
    """sha256 of a model's registry row (a changed row changes every key built on it)."""
    return content_key(asdict(as_spec(model)))


def record_path(path: Path) -> Path:
    """The ``.json`` record beside a cache file (``x.npy`` -> ``x.json``, ``x.npz`` -> ``x.npz.json``)."""
    path = Path(path)
    if path.suffix == ".npy":
        return path.with_name(path.name.removesuffix(".npy") + ".json")
    return path.with_name(path.name + ".json")


def _entry(path: Path) -> str:
    """What a record names as its entry: the file's folder and name (the model and the key)."""
    path = Path(path)
    return f"{path.parent.name}/{path.name}"


def _write_record(path: Path, digest: str, meta: dict) -> None:
    write_text_atomic(record_path(path), json.dumps({**meta, "entry": _entry(path), "sha256": digest},
                                                    indent=1, default=str))


def _before_write(path: Path) -> None:
    """Refuse a cache entry or record that is a folder (in one line), and drop the temporaries
    of killed writes in the entry's folder."""
    _refuse_folders(Path(path))
    sweep_temporaries(Path(path).parent)


def sweep_temporaries(folder: Path, older_than_s: float = STALE_AFTER_S) -> list[Path]:
    """Remove the temporaries of atomic writes in ``folder`` that are older than
    ``older_than_s`` (left by a write that was killed); returns those removed."""
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not _TEMPORARY.match(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime > older_than_s:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # gone meanwhile, or not ours to remove
            continue
    return removed


def _refuse_folders(path: Path) -> None:
    for part in (path, record_path(path)):
        if part.is_dir():
            raise DataError(
                f"The cache entry {part} is a folder where a file belongs; remove that folder (or point "
                "HUMANALIGN_CACHE at another folder) and run again."
            )


def save_array(path: Path, array: np.ndarray, meta: dict | None = None) -> None:
    """Write ``array`` as ``.npy`` and then its record (sha256, entry, shape, dtype, ``meta``), each atomically.

    Raises:
        DataError: the entry or its record is a folder.
    """
    _before_write(path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, array)
        digest = cached_sha256(tmp)
    _write_record(path, digest, {**(meta or {}), "shape": list(array.shape), "dtype": str(array.dtype)})


def save_arrays(path: Path, arrays: dict[str, np.ndarray], meta: dict | None = None) -> None:
    """Write named arrays as one ``.npz`` file and then its record, each atomically.

    Raises:
        DataError: the entry or its record is a folder.
    """
    _before_write(path)
    with atomic_path(path, suffix=".tmp.npz") as tmp:
        np.savez(tmp, **{k: np.asarray(v) for k, v in arrays.items()})
        digest = cached_sha256(tmp)
    _write_record(path, digest, {**(meta or {}), "arrays": sorted(arrays)})


def _read_record(path: Path, own: bool = True) -> tuple[dict | None, str | None]:
    """The record beside ``path``, or ``None`` and why; with ``own``, only a record that names
    this entry (a file and record moved or copied from another entry are refused)."""
    _refuse_folders(Path(path))
    try:
        record = json.loads(record_path(path).read_text())
        if not isinstance(record, dict) or not isinstance(record.get("sha256"), str):
            raise ValueError("no sha256")
    except FileNotFoundError:
        return None, "it has no record of its hash beside it"
    except (ValueError, TypeError, UnicodeDecodeError, OSError):
        return None, f"its record {record_path(path).name} is unreadable"
    named = record.get("entry")
    if own and named is None and not _older_record_fits(path, record):
        return None, "its record (written by an older version) names no entry and another model, layer or data set"
    if own and named is not None and named != _entry(path):
        return None, f"its record names another cache entry ({str(named)[:200]}): it was moved or copied there"
    return record, None


def _older_record_fits(path: Path, record: dict) -> bool:
    """Whether a record written before records named their entry still fits ``path``: its
    model is the one of the entry's folder and its layer and data set are in the file name
    (so that a file moved from another model's folder is not taken for this one's)."""
    model = record.get("model")
    if not isinstance(model, str) or "/" not in model:
        return False
    if path.parent.name not in (model.split("/", 1)[1], model.replace("/", "__")):
        return False
    return all(str(record[key]) in path.name for key in ("layer", "dataset") if key in record)


def _matches(path: Path, record: dict) -> str | None:
    try:
        if cached_sha256(path) != record["sha256"]:
            return "its sha256 differs from the one recorded when it was written"
    except OSError as err:
        return f"it cannot be read ({err})"
    return None


def load_array(path: Path, rows: int | None = None, width: int | None = None,
               dtype: str = "float32") -> tuple[np.ndarray | None, str | None]:
    """The array in ``path`` if it matches its record (and the expected shape), else ``None`` and why."""
    record, problem = _read_record(path)
    if record is None:
        return None, problem
    shape, kind = record.get("shape"), record.get("dtype")
    if (not isinstance(shape, list) or len(shape) != 2 or kind != dtype
            or (rows is not None and shape[0] != rows) or (width is not None and shape[1] != width)):
        return None, (f"its record says {kind} {shape}, expected {dtype} with {rows} rows"
                      + (f" of width {width}" if width is not None else ""))
    problem = _matches(path, record)
    if problem:
        return None, problem
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as err:
        return None, f"it cannot be read ({type(err).__name__}: {err})"
    if list(array.shape) != shape or str(array.dtype) != dtype:
        return None, f"it holds {array.dtype} {array.shape}, not what its record says"
    if np.issubdtype(array.dtype, np.floating) and not np.all(np.isfinite(array)):
        return None, "it holds NaN or infinite values"
    return array, None


def load_arrays(path: Path) -> tuple[dict[str, np.ndarray] | None, str | None]:
    """The named arrays of an ``.npz`` file written by :func:`save_arrays`, if it matches its record."""
    if not Path(path).exists():
        return None, "it does not exist"
    record, problem = _read_record(path)
    if record is None:
        return None, problem
    problem = _matches(path, record)
    if problem:
        return None, problem
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError, KeyError) as err:
        return None, f"it cannot be read ({type(err).__name__}: {err})"
    if sorted(arrays) != record.get("arrays"):
        return None, "it holds other arrays than its record lists"
    return arrays, None


def discard(path: Path, reason: str) -> None:
    """Remove a cache file that cannot be trusted, and its record, with a one-line notice.

    Raises:
        DataError: the entry or its record is a folder (not removed: it may hold anything).
    """
    _refuse_folders(Path(path))
    notice(f"recomputing {path}: {reason}.")
    Path(path).unlink(missing_ok=True)
    record_path(path).unlink(missing_ok=True)


def check_writable(folder: Path, what: str = "cache", hint: str = "") -> None:
    """Fail before any work when ``folder`` cannot be written, naming it and what to do
    (``hint``: another way out, appended to the message)."""
    try:
        probe_writable(folder)
    except OSError as err:
        raise DataError(
            f"The {what} folder {folder} cannot be written ({err.strerror or err}); point "
            f"HUMANALIGN_CACHE at a writable folder{hint}."
        ) from err


_ledgers: list[dict] = []


@contextlib.contextmanager
def record_use() -> Iterator[dict]:
    """Collect the cached feature files read or written inside the block.

    Yields a dict that fills up with one entry per file: its path relative to the cache
    folder, sha256, model, layer, registry row digest and library versions. Pass it to
    :func:`humanalign.results.save_results` as ``inputs``; :func:`check_recorded` tells
    later whether those features still stand.
    """
    ledger: dict = {}
    _ledgers.append(ledger)
    try:
        yield ledger
    finally:
        _ledgers.remove(ledger)


def note_use(target: Path, spec: ModelSpec, layer: str) -> None:
    """Add a feature file to every open :func:`record_use` ledger."""
    if not _ledgers:
        return
    record, _ = _read_record(target)
    entry = {
        "sha256": (record or {}).get("sha256"), "model": spec.id, "layer": layer, "spec": spec_digest(spec),
        "preprocess_version": PREPROCESS_VERSION, "versions": library_versions(),
    }
    cache_dir = settings().cache_dir
    key = target.relative_to(cache_dir).as_posix() if target.is_relative_to(cache_dir) else str(target)
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
            if entry["spec"] != spec_digest(entry["model"]):
                return f"the registry row of {entry['model']} has changed"
            record, _ = _read_record(path)
            if not path.is_file() or record is None or record["sha256"] != entry["sha256"] \
                    or cached_sha256(path) != entry["sha256"]:
                return f"the features in {path} have changed or are gone"
        except (OSError, ValueError, KeyError, TypeError):
            return f"the features in {path} have changed or are gone"
    return None
