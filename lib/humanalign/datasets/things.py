"""THINGS (Hebart et al. 2019, 2023): concepts, images, triplets, human embeddings.

Concept order everywhere is the row order of ``things_concepts.tsv``. Triplets are returned
0-based with the odd one out in the last column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import Settings
from ..fetch import fetch
from ..errors import DataError
from ..sources import get_resource
from .types import IMAGE_SUFFIXES, Stimuli, Triplets

__all__ = [
    "N_CONCEPTS",
    "NoiseCeilingTrials",
    "SPOSE_FILES",
    "load_category_matrix",
    "load_concepts",
    "load_images",
    "load_noise_ceiling_trials",
    "load_spose",
    "load_triplets",
    "load_vice",
    "noise_ceiling_subset",
    "odd_last",
]

N_CONCEPTS = 1854


def _path(key: str, cfg: Settings | None) -> Path:
    return fetch(get_resource(key), cfg)


def load_concepts(cfg: Settings | None = None) -> pd.DataFrame:
    """The 1854 THINGS concepts, one row each, in the canonical order.

    Returns:
        DataFrame with (among others) columns ``Word``, ``uniqueID`` and ``WordNet ID``.
    """
    path = _path("things/things_concepts.tsv", cfg)
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    missing = {"Word", "uniqueID", "WordNet ID"} - set(table.columns)
    if missing:
        raise DataError(f"{path}: columns {sorted(missing)} are missing.")
    if len(table) != N_CONCEPTS:
        raise DataError(f"{path}: {len(table)} concepts, expected {N_CONCEPTS}.")
    return table


def load_category_matrix(cfg: Settings | None = None) -> pd.DataFrame:
    """The 1854 x 27 binary matrix of THINGS high-level categories (columns: names)."""
    path = _path("things/category_mat_manual.tsv", cfg)
    table = pd.read_csv(path, sep="\t")
    if table.shape[0] != N_CONCEPTS:
        raise DataError(f"{path}: {table.shape[0]} rows, expected {N_CONCEPTS}.")
    if not np.isin(table.to_numpy(), (0, 1)).all():
        raise DataError(f"{path}: the category matrix must be 0/1.")
    return table.astype(np.int8)


def _load_embedding(path: Path, rows: int = N_CONCEPTS) -> np.ndarray:
    try:
        arr = np.load(path) if path.suffix == ".npy" else np.loadtxt(path)
    except (ValueError, OSError) as err:
        raise DataError(f"Could not read the embedding {path}: {err}") from err
    if arr.ndim != 2 or arr.shape[0] != rows:
        raise DataError(f"{path}: embedding has shape {arr.shape}, expected ({rows}, d).")
    if not np.all(np.isfinite(arr)):
        raise DataError(f"{path}: embedding holds NaN or infinite values.")
    return arr.astype(np.float64)


def load_vice(cfg: Settings | None = None) -> np.ndarray:
    """VICE human embedding (Muttenthaler et al. 2022), shape (1854, 42), non-negative."""
    return _load_embedding(_path("things/vice_embedding_42d.npy", cfg))


#: SPoSE embeddings by dimension -> file; all but 66 are stored in THINGS row order.
SPOSE_FILES = {
    14: "things/spose_embedding_14d_sorted.npy",
    49: "things/spose_embedding_49d_sorted.txt",
    66: "things/spose_embedding_66d_sorted.txt",
    82: "things/spose_embedding_82d_sorted.npy",
}
#: SPoSE weights are non-negative up to the residue of the fit: the published 49-d file
#: holds 68 entries between -0.0014 and 0 (its largest entry is 2.8).
SPOSE_NEGATIVE_TOLERANCE = 0.01


def _non_negative(emb: np.ndarray, path: Path) -> np.ndarray:
    """``emb`` unchanged, after checking it has no entry below the tolerance."""
    if emb.min() < -SPOSE_NEGATIVE_TOLERANCE:
        row, col = np.unravel_index(int(np.argmin(emb)), emb.shape)
        raise DataError(
            f"{path}: entry [{row}, {col}] = {emb[row, col]:.4g} is negative; a SPoSE embedding is "
            "non-negative. Is this another kind of embedding (e.g. centred), or a damaged file?"
        )
    return emb


def load_spose(dim: int = 66, cfg: Settings | None = None) -> np.ndarray:
    """A SPoSE human embedding of the THINGS concepts, shape (1854, dim), non-negative.

    ``dim`` 14 and 82 are refits on the 1.46 M triplets and 49 is the original embedding of
    Hebart et al. (2020) (all three in the offline demo copy, THINGS row order); 66 is the
    published embedding of Hebart et al. (2020), downloaded from OSF, rows reordered to the
    canonical concept order through its published ``uniqueID`` list. Entries down to
    ``-SPOSE_NEGATIVE_TOLERANCE`` are accepted as they are: the 49-d file holds a few.

    Raises:
        ValueError: no SPoSE embedding with ``dim`` dimensions.
        DataError: the file is missing, not a (1854, d) table of finite numbers, or has a
            clearly negative entry.
    """
    if dim not in SPOSE_FILES:
        raise ValueError(f"No SPoSE embedding with {dim} dimensions; choose one of {sorted(SPOSE_FILES)}.")
    path = _path(SPOSE_FILES[dim], cfg)
    emb = _non_negative(_load_embedding(path), path)
    if emb.shape[1] != dim:
        raise DataError(f"{path}: embedding has {emb.shape[1]} dimensions, expected {dim}.")
    if dim != 66:
        return emb
    order_path = _path("things/spose_unique_id.txt", cfg)
    order = [line.strip() for line in order_path.read_text().splitlines() if line.strip()]
    ids = load_concepts(cfg)["uniqueID"].tolist()
    if len(order) != len(emb) or set(order) != set(ids):
        raise DataError(f"{order_path}: does not list the 1854 THINGS uniqueIDs of the embedding rows.")
    position = {uid: i for i, uid in enumerate(order)}
    return emb[[position[uid] for uid in ids]]


def odd_last(items: np.ndarray, choice: np.ndarray, source: str) -> np.ndarray:
    """Reorder triplets so that the chosen odd one out is the last column.

    Args:
        items: (N, 3) object indices in presentation order.
        choice: (N,) 0-based position (0, 1 or 2) of the odd one out.
        source: Name for error messages.

    Returns:
        (N, 3) array: the two remaining objects in presentation order, then the odd one.
    """
    items = np.asarray(items)
    choice = np.asarray(choice)
    if choice.shape != (len(items),) or not np.isin(choice, (0, 1, 2)).all():
        bad = np.flatnonzero(~np.isin(choice, (0, 1, 2)))
        where = f" (row {int(bad[0])}: {choice[bad[0]]!r})" if len(bad) else ""
        raise DataError(f"{source}: the chosen position must be 1, 2 or 3{where}.")
    keep = np.array([[1, 2, 0], [0, 2, 1], [0, 1, 2]])[choice]
    return np.take_along_axis(items, keep, axis=1)


@dataclass(frozen=True, eq=False)
class NoiseCeilingTrials:
    """Repeated human answers to the same triplets (the THINGS noise-ceiling set).

    Attributes:
        triplets: All trials, odd one out last, 0-based concept indices.
        triplet_id: (N,) index of the distinct triplet each trial belongs to (same set of
            three objects, whatever the presentation order).
    """

    triplets: Triplets
    triplet_id: np.ndarray

    @property
    def n_distinct(self) -> int:
        return int(self.triplet_id.max()) + 1 if len(self.triplet_id) else 0


def load_noise_ceiling_trials(cfg: Settings | None = None) -> NoiseCeilingTrials:
    """The 20k-trial THINGS noise-ceiling set (1000 triplets x about 20 people)."""
    path = _path("things/test_triplets.csv", cfg)
    try:
        raw = np.loadtxt(path, dtype=np.float64)
    except ValueError as err:
        raise DataError(f"{path}: not a whitespace-separated table of numbers ({err}).") from err
    if raw.ndim != 2 or raw.shape[1] != 5:
        raise DataError(f"{path}: expected 5 columns (i, j, k, choice, participant), got {raw.shape}.")
    if not np.all(raw == np.round(raw)):
        raise DataError(f"{path}: all values must be integers.")
    raw = raw.astype(np.int64)
    trials = odd_last(raw[:, :3] - 1, raw[:, 3] - 1, str(path))
    triplets = Triplets(trials, N_CONCEPTS, source=path.name, participants=raw[:, 4])
    _, triplet_id = np.unique(np.sort(trials, axis=1), axis=0, return_inverse=True)
    return NoiseCeilingTrials(triplets=triplets, triplet_id=triplet_id.ravel())


def noise_ceiling_subset(trials: NoiseCeilingTrials, concept_index: object) -> NoiseCeilingTrials:
    """The trials whose three concepts all lie in ``concept_index``, re-indexed to its rows.

    For scoring a stimulus set that covers only some THINGS concepts (e.g. the concepts with
    a real photo) on the real repeated triplets: row ``r`` of the stimulus set is concept
    ``concept_index[r]``.

    Args:
        trials: Trials over the 1854 concepts (:func:`load_noise_ceiling_trials`).
        concept_index: (m,) distinct concept indices, in the row order of the stimulus set
            (e.g. its ``concept_index`` label).

    Returns:
        The kept trials over ``m`` objects (odd one out still last, participants kept), with
        triplet ids renumbered ``0 .. n_distinct - 1`` in the order of the original ids.

    Raises:
        ValueError: ``concept_index`` is not a 1-D list of distinct whole numbers in
            ``0 .. n_objects - 1``.
    """
    n = trials.triplets.n_objects
    objects = np.asarray(concept_index)
    if objects.ndim != 1 or objects.dtype.kind not in "iu":
        raise ValueError(f"concept_index must be a 1-D array of integers, got shape {objects.shape} "
                         f"and dtype {objects.dtype}.")
    outside = objects[(objects < 0) | (objects >= n)]
    if outside.size:
        raise ValueError(f"concept_index holds {int(outside[0])}, outside 0 .. {n - 1} ({n} concepts).")
    values, counts = np.unique(objects, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f"concept_index names concept {int(values[counts > 1][0])} twice; rows must be distinct.")
    position = np.full(n, -1, dtype=np.int64)
    position[objects] = np.arange(len(objects))
    mapped = position[trials.triplets.indices]
    keep = (mapped >= 0).all(axis=1)
    _, triplet_id = np.unique(trials.triplet_id[keep], return_inverse=True)
    people = trials.triplets.participants
    triplets = Triplets(
        mapped[keep], len(objects), source=f"{trials.triplets.source} ({len(objects)} of {n} concepts)",
        simulated=trials.triplets.simulated, participants=None if people is None else people[keep],
    )
    return NoiseCeilingTrials(triplets=triplets, triplet_id=triplet_id.ravel().astype(np.int64))


def load_triplets(
    split: str = "all", cfg: Settings | None = None
) -> Triplets:
    """THINGS odd-one-out triplets by people.

    Args:
        split: ``"all"`` for the 4.70 M-row public release (OSF, a zipped tab-separated file
            with columns ``image1 image2 image3 choice``, 1-based), or ``"train"`` / ``"test"``
            for the official code's ``train_90.npy`` / ``test_10.npy`` (already odd one out
            last, 0-based).
    """
    if split in {"train", "test"}:
        name = "train_90.npy" if split == "train" else "test_10.npy"
        path = _path(f"things/triplets/{name}", cfg)
        try:
            arr = np.load(path)
        except (ValueError, OSError) as err:
            raise DataError(f"Could not read {path}: {err}") from err
        return Triplets(arr, N_CONCEPTS, source=path.name)
    if split != "all":
        raise ValueError(f"Unknown THINGS triplet split {split!r}; use 'all', 'train' or 'test'.")
    folder = _path("things/triplet_dataset", cfg)
    matches = sorted(folder.rglob("triplets_large_final_correctednc_correctedorder.csv"))
    if not matches:
        raise DataError(
            f"{folder} holds no triplets_large_final_correctednc_correctedorder.csv; the archive "
            "is not the THINGS triplet release. Delete the folder and fetch again."
        )
    path = matches[0]
    table = pd.read_csv(path, sep="\t")
    needed = ["image1", "image2", "image3", "choice"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise DataError(f"{path}: columns {missing} are missing (found {list(table.columns)}).")
    values = table[needed].to_numpy()
    if values.dtype.kind not in "iu":
        raise DataError(f"{path}: columns {needed} must hold integers.")
    trials = odd_last(values[:, :3] - 1, values[:, 3] - 1, str(path))
    return Triplets(trials, N_CONCEPTS, source=path.name)


def load_images(kind: str = "cc0", cfg: Settings | None = None) -> Stimuli:
    """One image per THINGS concept, in concept order.

    Args:
        kind: ``"cc0"`` for the THINGSplus public-domain photos, ``"things"`` for the photo
            of each concept in the THINGS database that people saw in the odd-one-out task:
            the database marks it with a ``b`` after its number (``aardvark_01b.jpg``);
            where a concept folder has no such file, its first photo is used. A file named
            by the concept's uniqueID alone (``aardvark.jpg``, the layout of the paper's
            code: one image per concept) takes precedence.
    """
    concepts = load_concepts(cfg)
    ids = concepts["uniqueID"].tolist()
    if kind == "cc0":
        folder = _path("things/images_cc0", cfg)
        files = {p.stem: p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES}
        # THINGSplus names files by uniqueID, sometimes with a suffix such as "_01s".
        for p in sorted(folder.rglob("*")):
            if p.suffix.lower() in IMAGE_SUFFIXES:
                files.setdefault(p.stem.rsplit("_", 1)[0], p)
        paths = [files.get(uid) for uid in ids]
    elif kind == "things":
        folder = _path("things/images", cfg)
        # One walk over the 26k files, grouped by concept folder (<uniqueID>/<photo>); a
        # walk per concept would read the whole tree 1854 times.
        first: dict[str, Path] = {}
        shown: dict[str, Path] = {}
        named: dict[str, Path] = {}
        for p in sorted(folder.rglob("*")):
            if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file():
                first.setdefault(p.parent.name, p)
                named.setdefault(p.stem, p)
                if p.stem.endswith("b"):
                    shown.setdefault(p.parent.name, p)
        paths = [named.get(uid) or shown.get(uid) or first.get(uid) for uid in ids]
    else:
        raise ValueError(f"Unknown THINGS image kind {kind!r}; use 'cc0' or 'things'.")
    missing = [uid for uid, p in zip(ids, paths) if p is None]
    if missing:
        raise DataError(
            f"{folder}: no image for {len(missing)} of {len(ids)} concepts "
            f"(e.g. {', '.join(missing[:5])}). The folder is incomplete; fetch it again."
        )
    return Stimuli(name="things" if kind == "things" else "things-cc0", ids=tuple(ids), paths=tuple(paths))
