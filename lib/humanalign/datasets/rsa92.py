"""The 92-image set: real human similarity judgements of 92 object photos.

The images are those of Kriegeskorte et al. (2008, *Neuron*): 92 photos of isolated objects
on a grey background (175 x 175 px), with flags for human, face, animal and natural. Mur et
al. (2013, *Frontiers in Psychology*) had 16 people arrange them by similarity on a screen
(multi-arrangement); each person gives one 92 x 92 dissimilarity matrix. Both files are
public in the MATLAB RSA toolbox's demo data and are listed with their sha256 in the demo
manifest:

``rsa92/92_behavRDMs.mat``
    struct array ``rdms_behav_92`` (one element per person) with fields ``RDM`` (92 x 92),
    ``name`` and ``color``;
``rsa92/Kriegeskorte_Neuron2008_supplementalData.mat``
    struct array ``stimuli_92objs`` with fields ``image`` (175 x 175 x 3 uint8),
    ``category``, ``human``, ``face``, ``animal``, ``natural``.

The images live inside the ``.mat`` file; :func:`load_rsa92` writes them once as PNG files
into the data folder (``rsa92/images/01.png`` ...), so that they are ordinary stimuli for
feature extraction, and rewrites any file whose pixels no longer match the ``.mat``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._atomic import atomic_path, file_state
from ..config import Settings, settings as current_settings
from ..fetch import fetch
from ..errors import DataError
from ..sources import get_resource
from .arrangements import _struct_field, mat_numbers, read_mat
from .types import HumanMatrix, Stimuli

__all__ = ["N_RSA92", "RSA92_FLAGS", "Rsa92", "load_rsa92", "read_rsa92_images", "read_rsa92_rdms"]

N_RSA92 = 92
RSA92_FLAGS = ("human", "face", "animal", "natural")
RDM_FILE = "rsa92/92_behavRDMs.mat"
IMAGE_FILE = "rsa92/Kriegeskorte_Neuron2008_supplementalData.mat"


@dataclass(frozen=True, eq=False)
class Rsa92:
    """The 92 images and the judgements of each person.

    Attributes:
        stimuli: The 92 images (``rsa92``), labels ``category`` and the 0/1 flags
            ``human``, ``face``, ``animal``, ``natural``.
        rdms: (16, 92, 92) float64 dissimilarities, one matrix per person, symmetric with a
            zero diagonal.
        participants: One name per matrix (as stored in the file).
    """

    stimuli: Stimuli
    rdms: np.ndarray
    participants: tuple[str, ...]

    @property
    def mean_rdm(self) -> HumanMatrix:
        """The mean dissimilarity matrix over people."""
        return HumanMatrix(
            self.rdms.mean(axis=0), self.stimuli.ids, "dissimilarity",
            f"mean of {len(self.rdms)} people's multi-arrangement dissimilarities (Mur et al. 2013)",
        )


def _struct_elements(value: Any, where: str) -> list[Any]:
    if not isinstance(value, np.ndarray) or value.dtype.names is None:
        raise DataError(f"{where}: expected a MATLAB struct array, found {type(value).__name__}.")
    return list(value.reshape(-1))


def _text(value: Any) -> str:
    while isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(-1)[0]
    return str(value)


def _checked_rdm(value: Any, where: str) -> np.ndarray:
    """A 92 x 92 dissimilarity matrix read from a ``.mat`` file, as float64, after the checks
    that every 92-image file shares.

    Raises:
        DataError: the matrix is not numeric, not 92 x 92, not finite, not symmetric, has a
            non-zero diagonal or negative entries; the message starts with ``where``.
    """
    rdm = mat_numbers(value, f"{where}.RDM", nonnegative=True, what="dissimilarities")
    if rdm.shape != (N_RSA92, N_RSA92):
        raise DataError(f"{where}: RDM has shape {rdm.shape}, expected ({N_RSA92}, {N_RSA92}).")
    if not np.all(np.isfinite(rdm)):
        raise DataError(f"{where}: RDM holds NaN or infinite values.")
    if not np.allclose(rdm, rdm.T, rtol=0, atol=1e-12):
        raise DataError(f"{where}: RDM is not symmetric (max |d_ij - d_ji| = {np.abs(rdm - rdm.T).max():.3g}).")
    if np.any(np.diag(rdm) != 0) or np.any(rdm < 0):
        raise DataError(f"{where}: RDM must have a zero diagonal and no negative dissimilarities.")
    return rdm


def read_rsa92_rdms(path: Path) -> tuple[np.ndarray, tuple[str, ...]]:
    """Read the per-person dissimilarity matrices from ``92_behavRDMs.mat``.

    Returns:
        ``(rdms, names)``: (p, 92, 92) float64 and one name per person.

    Raises:
        DataError: the key ``rdms_behav_92`` or the field ``RDM`` is missing, a matrix is
            text or complex, not 92 x 92, not finite, not symmetric, has a non-zero diagonal
            or negative entries; the message names the file and the person.
    """
    path = Path(path)
    raw = read_mat(path)
    if "rdms_behav_92" not in raw:
        raise DataError(f"{path}: no variable 'rdms_behav_92' (found {sorted(raw)}); is this 92_behavRDMs.mat?")
    rdms, names = [], []
    for k, element in enumerate(_struct_elements(raw["rdms_behav_92"], f"{path} rdms_behav_92")):
        where = f"{path} rdms_behav_92({k + 1})"
        rdms.append(_checked_rdm(_struct_field(element, "RDM", where), where))
        try:
            names.append(_text(_struct_field(element, "name", where)))
        except DataError:
            names.append(f"person {k + 1}")
    if len(rdms) < 2:
        raise DataError(f"{path}: {len(rdms)} person's RDM found; the noise ceiling needs at least two.")
    return np.stack(rdms), tuple(names)


def read_rsa92_images(path: Path) -> tuple[list[np.ndarray], dict[str, tuple]]:
    """Read the 92 images and their labels from the Kriegeskorte et al. (2008) ``.mat`` file.

    Returns:
        ``(images, labels)``: 92 (175, 175, 3) uint8 arrays and the labels ``category`` and
        the 0/1 flags of :data:`RSA92_FLAGS`, each a tuple of 92 values.

    Raises:
        DataError: the key ``stimuli_92objs`` is missing, it does not hold 92 images, or an
            image is not an (h, w, 3) uint8 array.
    """
    path = Path(path)
    raw = read_mat(path)
    if "stimuli_92objs" not in raw:
        raise DataError(f"{path}: no variable 'stimuli_92objs' (found {sorted(raw)}).")
    elements = _struct_elements(raw["stimuli_92objs"], f"{path} stimuli_92objs")
    if len(elements) != N_RSA92:
        raise DataError(f"{path}: stimuli_92objs holds {len(elements)} images, expected {N_RSA92}.")
    images, labels = [], {key: [] for key in ("category", *RSA92_FLAGS)}
    for k, element in enumerate(elements):
        where = f"{path} stimuli_92objs({k + 1})"
        image = np.asarray(_struct_field(element, "image", where))
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise DataError(f"{where}: image must be an (h, w, 3) uint8 array, got {image.shape} {image.dtype}.")
        images.append(image)
        labels["category"].append(_text(_struct_field(element, "category", where)))
        for flag in RSA92_FLAGS:
            labels[flag].append(int(float(_text(_struct_field(element, flag, where)))))
    return images, {key: tuple(values) for key, values in labels.items()}


def _write_png(image: np.ndarray, path: Path) -> None:
    """Write ``image`` as PNG unless the file already holds exactly these pixels."""
    from PIL import Image

    if path.is_file():
        try:
            with Image.open(path) as old:
                if np.array_equal(np.asarray(old.convert("RGB")), image):
                    return
        except OSError:
            pass  # unreadable: rewrite it
    with atomic_path(path, suffix=".png") as tmp:
        Image.fromarray(image).save(tmp, format="PNG")


# What this process has loaded: the files' states -> the loaded data (kept while every file,
# the two .mat files and the PNGs written from them, keeps its state).
_LOADED: dict[tuple, Rsa92] = {}


def load_rsa92(cfg: Settings | None = None) -> Rsa92:
    """The 92 images (as PNG files in the data folder) and the 16 people's judgements.

    Both ``.mat`` files are fetched with their sha256 checked (see the demo manifest). A study
    asks for them many times: the parsed data are kept in memory while the files keep their
    size and modification time.

    Raises:
        DataError: a file is missing, altered or malformed; the message names it.
    """
    cfg = cfg or current_settings()
    rdm_file, image_file = fetch(get_resource(RDM_FILE), cfg), fetch(get_resource(IMAGE_FILE), cfg)
    folder = cfg.data_dir / "rsa92" / "images"
    paths = [folder / f"{k + 1:02d}.png" for k in range(N_RSA92)]
    key = tuple(file_state(p) for p in (rdm_file, image_file, *paths))
    if None not in key and key in _LOADED:
        return _LOADED[key]
    rdms, names = read_rsa92_rdms(rdm_file)
    images, labels = read_rsa92_images(image_file)
    for image, path in zip(images, paths):
        _write_png(image, path)
    stimuli = Stimuli("rsa92", tuple(f"rsa92-{k + 1:02d}" for k in range(N_RSA92)), tuple(paths), labels)
    rdms.setflags(write=False)  # shared by every caller of this process
    data = Rsa92(stimuli=stimuli, rdms=rdms, participants=names)
    key = tuple(file_state(p) for p in (rdm_file, image_file, *paths))
    if None not in key:
        _LOADED[key] = data
    return data
