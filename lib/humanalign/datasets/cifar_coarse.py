"""CIFAR-100 coarse-class control: synthetic triplets that follow category structure.

Each triplet holds two images of one CIFAR-100 superclass ("coarse" label, 20 of them)
and one image of another; the odd one out is the image of the other superclass. Accuracy
on these triplets measures agreement with category structure, not with people, and the
triplets are flagged ``simulated``.

The images come from the python version of CIFAR-100 (registered resource ``cifar100``:
pickled dicts ``train``/``test``/``meta`` in ``cifar-100-python/``). The archive's published
MD5 is checked before it is unpacked, the unpacked files are checked against the hashes
recorded at unpacking, and the pickles are read by an unpickler that can build nothing
but plain containers and numpy arrays, so a planted file cannot run code. A seeded subset is
written once as PNG files into the data folder so that :class:`Stimuli` can carry paths
like every other data set.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._atomic import atomic_path
from ..config import Settings, settings as current_settings
from ..fetch import fetch
from ..errors import DataError
from ..sources import get_resource
from .types import Stimuli, Triplets

__all__ = [
    "CifarImages",
    "N_COARSE",
    "load_cifar100",
    "load_cifar_coarse",
    "load_cifar_coarse_stimuli",
    "sample_coarse_triplets",
]

N_COARSE = 20
_SIDE = 32


@dataclass(frozen=True, eq=False)
class CifarImages:
    """One split of CIFAR-100 in memory.

    Attributes:
        images: uint8 array (N, 32, 32, 3), RGB.
        fine: int64 (N,) fine labels 0..99.
        coarse: int64 (N,) coarse (superclass) labels 0..19.
        fine_names: 100 fine class names.
        coarse_names: 20 superclass names.
        split: ``"train"`` or ``"test"``.
    """

    images: np.ndarray
    fine: np.ndarray
    coarse: np.ndarray
    fine_names: tuple[str, ...]
    coarse_names: tuple[str, ...]
    split: str

    def __len__(self) -> int:
        return len(self.images)


# The only globals the CIFAR-100 pickles refer to: numpy's array reconstruction (and the
# latin-1 encoder that protocol-2 pickles written by Python 3 use for bytes).
_SAFE_GLOBALS = {
    ("_codecs", "encode"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}


class _ArrayUnpickler(pickle.Unpickler):
    """An unpickler that refuses every global outside :data:`_SAFE_GLOBALS`."""

    def find_class(self, module: str, name: str):
        if (module, name) not in _SAFE_GLOBALS:
            raise pickle.UnpicklingError(
                f"refused to load {module}.{name}: a CIFAR-100 pickle holds only lists, "
                "bytes and numpy arrays"
            )
        return super().find_class(module, name)


def _unpickle(path: Path) -> dict:
    if not path.is_file():
        raise DataError(
            f"{path} does not exist; the CIFAR-100 folder is incomplete. Delete the cifar100 "
            "folder in the data folder and fetch it again."
        )
    try:
        with open(path, "rb") as handle:
            # The files were pickled by Python 2: keys and strings come back as bytes.
            content = _ArrayUnpickler(handle, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError) as err:
        raise DataError(f"{path}: not a CIFAR-100 python pickle ({err}).") from err
    if not isinstance(content, dict):
        raise DataError(f"{path}: expected a pickled dict, found {type(content).__name__}.")
    return {k.decode() if isinstance(k, bytes) else k: v for k, v in content.items()}


def _names(values: list, path: Path, key: str, count: int) -> tuple[str, ...]:
    names = tuple(v.decode() if isinstance(v, bytes) else str(v) for v in values)
    if len(names) != count:
        raise DataError(f"{path}: {key!r} has {len(names)} names, expected {count}.")
    return names


def load_cifar100(split: str = "test", cfg: Settings | None = None) -> CifarImages:
    """Read one split of CIFAR-100 (python version), fetching it if needed.

    Args:
        split: ``"train"`` (50,000 images) or ``"test"`` (10,000 images).

    Raises:
        ValueError: unknown split.
        DataError: missing file, wrong keys or inconsistent lengths; names the file.
    """
    if split not in {"train", "test"}:
        raise ValueError(f"Unknown CIFAR-100 split {split!r}; use 'train' or 'test'.")
    root = fetch(get_resource("cifar100"), cfg)
    folder = root / "cifar-100-python"
    meta_path, data_path = folder / "meta", folder / split
    meta = _unpickle(meta_path)
    content = _unpickle(data_path)
    missing = [k for k in ("data", "fine_labels", "coarse_labels") if k not in content]
    if missing or "fine_label_names" not in meta or "coarse_label_names" not in meta:
        raise DataError(
            f"{data_path}: keys {missing or []} missing (or 'fine_label_names' / "
            f"'coarse_label_names' missing in {meta_path}); not the CIFAR-100 python version."
        )
    data = np.asarray(content["data"])
    if data.ndim != 2 or data.shape[1] != 3 * _SIDE * _SIDE or data.dtype != np.uint8:
        raise DataError(f"{data_path}: 'data' must be uint8 of shape (N, 3072), got {data.dtype} {data.shape}.")
    fine = np.asarray(content["fine_labels"], dtype=np.int64)
    coarse = np.asarray(content["coarse_labels"], dtype=np.int64)
    if not (len(fine) == len(coarse) == len(data)):
        raise DataError(
            f"{data_path}: {len(data)} images but {len(fine)} fine and {len(coarse)} coarse labels."
        )
    if len(data) and (fine.min() < 0 or fine.max() >= 100 or coarse.min() < 0 or coarse.max() >= N_COARSE):
        raise DataError(f"{data_path}: labels outside 0..99 (fine) or 0..19 (coarse).")
    # Rows hold the red plane, then green, then blue, each 32 x 32 in row order.
    images = data.reshape(-1, 3, _SIDE, _SIDE).transpose(0, 2, 3, 1)
    return CifarImages(
        images=np.ascontiguousarray(images),
        fine=fine,
        coarse=coarse,
        fine_names=_names(meta["fine_label_names"], meta_path, "fine_label_names", 100),
        coarse_names=_names(meta["coarse_label_names"], meta_path, "coarse_label_names", N_COARSE),
        split=split,
    )


def _write_png_once(pixels: np.ndarray, target: Path) -> None:
    if target.is_file():
        return
    from PIL import Image

    with atomic_path(target, suffix=".png.tmp") as tmp:
        Image.fromarray(np.ascontiguousarray(pixels)).save(tmp, format="PNG")


def load_cifar_coarse_stimuli(
    split: str = "test", n_per_class: int = 10, seed: int = 0, cfg: Settings | None = None
) -> Stimuli:
    """A seeded, class-balanced subset of CIFAR-100 as PNG files.

    ``n_per_class`` images are drawn without replacement from each of the 20 superclasses
    and written (once) to ``<data>/cifar100-png/<split>/<index>.png``, beside (not inside)
    the unpacked archive, whose folder must hold only what the archive holds.

    Returns:
        Stimuli named ``"cifar100-coarse"``, ordered by CIFAR index, with labels
        ``cifar_index``, ``coarse``, ``coarse_name``, ``fine`` and ``fine_name``.

    Raises:
        ValueError: ``n_per_class`` below 2 (a triplet needs two images of one class) or
            above the size of the smallest class.
    """
    if n_per_class < 2:
        raise ValueError(f"n_per_class must be at least 2, got {n_per_class}.")
    cfg = cfg or current_settings()
    data = load_cifar100(split, cfg)
    rng = np.random.default_rng(seed)
    chosen = []
    for c in range(N_COARSE):
        members = np.flatnonzero(data.coarse == c)
        if len(members) < n_per_class:
            raise ValueError(
                f"CIFAR-100 {split}: superclass {c} ({data.coarse_names[c]}) has {len(members)} "
                f"images, fewer than n_per_class={n_per_class}."
            )
        chosen.append(rng.choice(members, size=n_per_class, replace=False))
    index = np.sort(np.concatenate(chosen))
    folder = cfg.data_dir / "cifar100-png" / split
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in index:
        target = folder / f"{int(i):05d}.png"
        _write_png_once(data.images[i], target)
        paths.append(target)
    return Stimuli(
        name="cifar100-coarse",
        ids=tuple(f"cifar100/{split}/{int(i):05d}" for i in index),
        paths=tuple(paths),
        labels={
            "cifar_index": tuple(int(i) for i in index),
            "coarse": tuple(int(data.coarse[i]) for i in index),
            "coarse_name": tuple(data.coarse_names[data.coarse[i]] for i in index),
            "fine": tuple(int(data.fine[i]) for i in index),
            "fine_name": tuple(data.fine_names[data.fine[i]] for i in index),
        },
    )


def sample_coarse_triplets(labels: np.ndarray, n_triplets: int, seed: int = 0) -> Triplets:
    """Triplets of two objects from one class and one from another, odd one out last.

    The class pair and the members are read off five uniform numbers per triplet (in this
    order: first class, other class, first member, second member, odd member), so the
    result is a function of ``seed`` alone and can be checked against a plain loop.

    Args:
        labels: (n,) class label of each object; every class present needs 2+ members and
            there must be at least two classes.
        n_triplets: Number of triplets.
        seed: Seed of the random generator.

    Returns:
        Triplets over the n objects with ``simulated=True``.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be one-dimensional, got shape {labels.shape}.")
    if n_triplets < 0:
        raise ValueError(f"n_triplets must be non-negative, got {n_triplets}.")
    classes, counts = np.unique(labels, return_counts=True)
    if len(classes) < 2 or counts.min() < 2:
        raise ValueError(
            "Need at least two classes with at least two objects each; got class sizes "
            f"{dict(zip(classes.tolist(), counts.tolist()))}."
        )
    order = np.argsort(labels, kind="stable")  # members of class k: order[start[k]:start[k]+count[k]]
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    u = np.random.default_rng(seed).random((n_triplets, 5))
    n_cls = len(classes)
    cls_a = np.minimum((u[:, 0] * n_cls).astype(np.int64), n_cls - 1)
    cls_b = (cls_a + 1 + np.minimum((u[:, 1] * (n_cls - 1)).astype(np.int64), n_cls - 2)) % n_cls
    size_a, size_b = counts[cls_a], counts[cls_b]
    first = np.minimum((u[:, 2] * size_a).astype(np.int64), size_a - 1)
    second = (first + 1 + np.minimum((u[:, 3] * (size_a - 1)).astype(np.int64), size_a - 2)) % size_a
    odd = np.minimum((u[:, 4] * size_b).astype(np.int64), size_b - 1)
    triplets = np.stack(
        [order[start[cls_a] + first], order[start[cls_a] + second], order[start[cls_b] + odd]], axis=1
    )
    return Triplets(
        triplets, len(labels), source=f"synthetic: CIFAR-100 coarse classes (seed {seed})", simulated=True
    )


def load_cifar_coarse(
    n_per_class: int = 10,
    n_triplets: int = 10_000,
    split: str = "test",
    seed: int = 0,
    cfg: Settings | None = None,
) -> tuple[Stimuli, Triplets]:
    """The CIFAR-100 coarse control: stimuli and synthetic triplets over them.

    Returns:
        The stimuli of :func:`load_cifar_coarse_stimuli` and triplets over their rows from
        :func:`sample_coarse_triplets` on the coarse labels.
    """
    stimuli = load_cifar_coarse_stimuli(split, n_per_class, seed, cfg)
    triplets = sample_coarse_triplets(np.asarray(stimuli.labels["coarse"]), n_triplets, seed)
    return stimuli, triplets
