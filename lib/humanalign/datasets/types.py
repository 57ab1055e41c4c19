"""Plain typed containers that every loader returns, with their validation."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..fetch import MARKER, marker_files

__all__ = [
    "IMAGE_SUFFIXES",
    "HumanMatrix",
    "Stimuli",
    "Triplets",
    "check_square",
    "check_triplets",
    "list_images",
    "open_image",
    "restrict_triplets",
]

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".gif", ".webp"})


@dataclass(frozen=True)
class Stimuli:
    """An ordered set of images: row ``i`` of every feature matrix is ``ids[i]``.

    Attributes:
        name: Data set name, used in cache keys and tables (e.g. ``"things-demo"``).
        ids: Stimulus ids, one per image (THINGS ``uniqueID`` for THINGS concepts).
        paths: Image files, in the same order as ``ids``.
        labels: Optional per-stimulus metadata (e.g. ImageNet class index), same order.
    """

    name: str
    ids: tuple[str, ...]
    paths: tuple[Path, ...]
    labels: dict[str, tuple] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.ids) != len(self.paths):
            raise DataError(
                f"Stimuli {self.name!r}: {len(self.ids)} ids but {len(self.paths)} image paths."
            )
        if len(set(self.ids)) != len(self.ids):
            seen: set[str] = set()
            dup = next(i for i in self.ids if i in seen or seen.add(i))
            raise DataError(f"Stimuli {self.name!r}: id {dup!r} occurs more than once.")
        for key, values in self.labels.items():
            if len(values) != len(self.ids):
                raise DataError(
                    f"Stimuli {self.name!r}: label {key!r} has {len(values)} values for "
                    f"{len(self.ids)} stimuli."
                )

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, eq=False)
class Triplets:
    """Odd-one-out judgements over the rows of a :class:`Stimuli`.

    Attributes:
        indices: Int64 array of shape (N, 3), 0-based object indices; columns 0 and 1 are
            the pair judged most similar, column 2 the odd one out.
        n_objects: Number of objects the indices refer to.
        source: Where the judgements come from (file name or generator).
        simulated: True when the choices were sampled from a model, not made by people.
        participants: Optional (N,) participant ids.
    """

    indices: np.ndarray
    n_objects: int
    source: str
    simulated: bool = False
    participants: np.ndarray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "indices", check_triplets(self.indices, self.n_objects, self.source))
        if self.participants is not None and len(self.participants) != len(self.indices):
            raise DataError(
                f"{self.source}: {len(self.participants)} participant ids for "
                f"{len(self.indices)} triplets."
            )

    def __len__(self) -> int:
        return len(self.indices)


@dataclass(frozen=True, eq=False)
class HumanMatrix:
    """A human similarity or dissimilarity matrix with its stimulus order.

    Attributes:
        matrix: Float64 array of shape (n, n), symmetric.
        ids: Stimulus ids of the rows (and columns).
        kind: ``"similarity"`` or ``"dissimilarity"``.
        source: Where it comes from.
    """

    matrix: np.ndarray
    ids: tuple[str, ...]
    kind: str
    source: str

    def __post_init__(self) -> None:
        if self.kind not in {"similarity", "dissimilarity"}:
            raise DataError(f"{self.source}: kind must be similarity or dissimilarity, not {self.kind!r}.")
        matrix = check_square(self.matrix, self.source)
        if matrix.shape[0] != len(self.ids):
            raise DataError(
                f"{self.source}: matrix is {matrix.shape[0]} x {matrix.shape[0]} but there are "
                f"{len(self.ids)} stimuli; the matrix and the image list do not match."
            )
        object.__setattr__(self, "matrix", matrix)

    def as_dissimilarity(self) -> np.ndarray:
        """The matrix as dissimilarities (similarities are negated)."""
        return self.matrix if self.kind == "dissimilarity" else -self.matrix


def check_triplets(indices: object, n_objects: int, source: str) -> np.ndarray:
    """Validate a triplet array and return it as a contiguous int64 (N, 3) array.

    Raises:
        DataError: wrong shape, non-integer values, indices outside ``[0, n_objects)`` or an
            object repeated within a triplet; the message names ``source`` and the first bad row.
    """
    arr = np.asarray(indices)
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise DataError(f"{source}: triplets must have shape (N, 3), got {arr.shape}.")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            bad = int(np.flatnonzero(~np.isfinite(arr).all(1) | (arr != np.round(arr)).any(1))[0])
            raise DataError(f"{source}: triplet row {bad} has non-integer values {arr[bad].tolist()}.")
    elif arr.dtype.kind not in "iu":
        raise DataError(f"{source}: triplets must be integers, got dtype {arr.dtype}.")
    arr = np.ascontiguousarray(arr, dtype=np.int64)
    out_of_range = (arr < 0) | (arr >= n_objects)
    if out_of_range.any():
        bad = int(np.flatnonzero(out_of_range.any(1))[0])
        raise DataError(
            f"{source}: triplet row {bad} = {arr[bad].tolist()} has an index outside 0..{n_objects - 1} "
            f"({n_objects} objects). Are the indices 1-based, or for another object set?"
        )
    repeated = (arr[:, 0] == arr[:, 1]) | (arr[:, 0] == arr[:, 2]) | (arr[:, 1] == arr[:, 2])
    if repeated.any():
        bad = int(np.flatnonzero(repeated)[0])
        raise DataError(f"{source}: triplet row {bad} = {arr[bad].tolist()} repeats an object.")
    return arr


def restrict_triplets(indices: np.ndarray, objects: np.ndarray, n_objects: int) -> np.ndarray:
    """Triplets whose three objects all lie in ``objects``, re-indexed to positions in it.

    Args:
        indices: (N, 3) triplets over ``n_objects`` objects.
        objects: (m,) object indices to keep, sorted or not.
        n_objects: Number of objects the triplets refer to.

    Returns:
        (M, 3) int64 triplets over ``range(m)``; the column order (odd one out last) is kept.
    """
    position = np.full(n_objects, -1, dtype=np.int64)
    position[np.asarray(objects)] = np.arange(len(objects))
    mapped = position[np.asarray(indices)]
    return mapped[(mapped >= 0).all(axis=1)]


def check_square(matrix: object, source: str) -> np.ndarray:
    """Validate a finite square matrix and return it as float64."""
    arr = np.asarray(matrix, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise DataError(f"{source}: expected a square matrix, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise DataError(f"{source}: the matrix holds NaN or infinite values.")
    return arr


def _natural_key(path: Path) -> tuple:
    # "img2" before "img10": a run of decimal digits compares as its value, whatever script
    # it is written in (ASCII, Arabic-Indic, full-width: re's \d and int() agree on these);
    # other numeric signs (superscripts, circled digits) are text. re.split puts the text at
    # even and the numbers at odd positions, so an int never meets a str. The exact name
    # breaks ties ("img2" and "img٢"), so the order never depends on the file system's.
    parts = re.split(r"(\d+)", path.name)
    return ([int(part) if i % 2 else part.lower() for i, part in enumerate(parts)], path.name)


def _unlisted(folder: Path, files: list[Path]) -> Path | None:
    """The first of ``files`` that the ``.complete`` marker of an unpacked folder does not list."""
    folder = folder.absolute()
    for root in (folder, *folder.parents):
        if (root / MARKER).is_file():
            listed = marker_files(root)
            if listed is None:
                return None
            return next((p for p in files if p.absolute().relative_to(root).as_posix() not in listed), None)
    return None


def list_images(folder: Path, source: str | None = None) -> list[Path]:
    """Image files directly inside ``folder``, in natural order (``2.jpg`` before ``10.jpg``).

    Numbers in file names compare by value in any script's decimal digits (``img٢`` = ``img2``
    < ``img10``); equal keys fall back to the exact name. Hidden files (e.g. ``.DS_Store``)
    and non-image files are skipped.

    Raises:
        DataError: the folder does not exist or holds no images, or it lies in a folder
            unpacked from an archive whose ``.complete`` marker does not list one of them.
    """
    folder = Path(folder)
    name = source or str(folder)
    if not folder.is_dir():
        raise DataError(f"{name}: the image folder {folder} does not exist.")
    files = [
        p for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in IMAGE_SUFFIXES
    ]
    if not files:
        raise DataError(f"{name}: no image files ({', '.join(sorted(IMAGE_SUFFIXES))}) in {folder}.")
    extra = _unlisted(folder, files)
    if extra is not None:
        raise DataError(
            f"{name}: {extra} was added after its archive was unpacked (the folder's {MARKER} "
            "marker does not list it), so it was not used. Remove it, or delete the unpacked "
            "folder to have it unpacked again."
        )
    return sorted(files, key=_natural_key)


# Pillow's 16-bit greyscale modes; convert("RGB") clips their values at 255 instead of scaling.
_SIXTEEN_BIT = frozenset({"I;16", "I;16L", "I;16B", "I;16N"})


def _to_rgb(img: "PIL.Image.Image", path: Path) -> "PIL.Image.Image":  # noqa: F821
    """Decode ``img`` as 8-bit RGB, scaling 16-bit greyscale and refusing wider pixels."""
    from PIL import Image

    if img.mode in _SIXTEEN_BIT:
        # 0..65535 onto 0..255 (x / 257 maps the ends exactly), rounded.
        wide = np.asarray(img, dtype=np.uint32)
        return Image.fromarray(((wide + 128) // 257).astype(np.uint8)).convert("RGB")
    if img.mode in {"I", "F"}:
        raise DataError(
            f"The image {path} holds 32-bit {'integer' if img.mode == 'I' else 'floating-point'} "
            "pixels, which have no single scale to 8-bit colour; save it as an 8- or 16-bit image "
            "(PNG, JPEG or TIFF) and try again."
        )
    return img.convert("RGB")


def open_image(path: Path) -> "PIL.Image.Image":  # noqa: F821 - PIL imported lazily
    """Open an image file fully decoded as 8-bit RGB.

    16-bit greyscale is scaled to 8 bits (not clipped). An image that declares more pixels
    than Pillow's limit (``PIL.Image.MAX_IMAGE_PIXELS``, about 89 million) is refused before
    it is decoded: a decompression bomb, or a file far larger than any stimulus.

    Raises:
        DataError: the file is missing, truncated, not an image, too large, or holds 32-bit
            pixels; the message names it.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                # Decoding every pixel here makes a truncated file fail now, not later.
                return _to_rgb(img, path)
    except FileNotFoundError as err:
        raise DataError(f"Image {path} does not exist; fetch the data set again.") from err
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as err:
        raise DataError(
            f"The image {path} was refused before decoding: {err} It is a decompression bomb, or "
            "far larger than any stimulus; replace it with a normal-sized copy."
        ) from err
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        raise DataError(
            f"Could not read the image {path} ({type(err).__name__}: {err}). The file is corrupt "
            "or not an image; delete it and fetch the data set again."
        ) from err
