"""Human dissimilarities from image-arrangement tasks, for RSA.

* **Multi-arrangement** (Cichy et al. 2019): 118 natural images; people arranged subsets of
  them on a screen and the distances were combined into one 118 x 118 dissimilarity matrix
  per participant (``sim_judgements/judgments_general.mat``, key ``judgments``, shape
  participants x 118 x 118). The human matrix is the mean over participants.
* **Free arrangement** (King et al. 2019): two image sets, ``set1`` and ``set2``; one
  MATLAB struct ``BEHAVIOR`` in ``sim_judgements/BEHAVIOR.mat`` with a field per set whose
  ``pairwisedistances`` hold the distances, as a square matrix or a condensed vector
  (MATLAB ``pdist`` order, which equals scipy's ``squareform`` order), possibly one per
  participant.

Neither data set has a public download address that we know; the registered resources
(``cichy118``, ``king``) say where to place the files by hand. Images are ordered by file
name in natural order (``2.jpg`` before ``10.jpg``), which is the order of the matrices.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..config import Settings
from ..fetch import fetch
from ..errors import DataError
from ..sources import get_resource
from .types import HumanMatrix, Stimuli, list_images

__all__ = [
    "KING_SETS",
    "N_CICHY",
    "MAX_MAT_BYTES",
    "dissimilarity_from_pairs",
    "expanded_size",
    "load_cichy118",
    "load_king",
    "mat_numbers",
    "read_mat",
]

N_CICHY = 118
KING_SETS = ("set1", "set2")


#: The most a ``.mat`` file may hold once its compressed variables are expanded. The largest
#: published file the study reads holds about 60 MB; a file that expands to more is refused
#: before it is loaded, whatever its own size (a small file can expand a thousandfold).
MAX_MAT_BYTES = 2 << 30


def expanded_size(path: Path, limit: int = MAX_MAT_BYTES) -> int:
    """Bytes of a MATLAB v5 file's data once its compressed variables are expanded, counted
    by decompressing them in chunks and stopping as soon as ``limit`` is passed.

    Returns:
        The expanded size, or a number above ``limit`` (the count stops there). A file that
        is not a v5 ``.mat`` file (too short, another format) counts as its own size: the
        reader then names what is wrong with it.
    """
    import struct
    import zlib

    with open(path, "rb") as handle:
        header = handle.read(128)
        if len(header) < 128 or header[126:128] not in (b"IM", b"MI"):
            return Path(path).stat().st_size
        order = "<" if header[126:128] == b"IM" else ">"
        total = 128
        while total <= limit:
            tag = handle.read(8)
            if len(tag) < 8:
                break
            kind, size = struct.unpack(order + "II", tag)
            if kind >> 16:  # a small element: its data live in the tag itself
                total += 8
                continue
            if kind != 15:  # not compressed: it takes what the file holds
                total += 8 + size
                handle.seek(size + (-size % 8), 1)
                continue
            inflate, left = zlib.decompressobj(), size
            while left > 0 and total <= limit:
                chunk = handle.read(min(left, 1 << 20))
                if not chunk:
                    break
                left -= len(chunk)
                try:
                    total += len(inflate.decompress(chunk, limit - total + 1))
                    while inflate.unconsumed_tail and total <= limit:
                        total += len(inflate.decompress(inflate.unconsumed_tail, limit - total + 1))
                except zlib.error:
                    return total  # damaged: the reader names it
    return total


def read_mat(path: Path, max_bytes: int = MAX_MAT_BYTES) -> dict[str, Any]:
    """Read a MATLAB ``.mat`` file (v5 or older) into a dict; MATLAB's own keys are dropped.

    Raises:
        DataError: the file is missing, truncated or not a readable ``.mat`` file, or it
            expands to more than ``max_bytes`` (:func:`expanded_size`); v7.3 (HDF5) files
            are named as such, with what to do.
    """
    from scipy.io import loadmat
    from scipy.io.matlab import MatReadError

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} does not exist; place the file there (see the data set's Resource).")
    if expanded_size(path, max_bytes) > max_bytes:
        raise DataError(
            f"{path} expands to more than {max_bytes / 2**30:.1f} GiB once its compressed variables are "
            f"unpacked (the file itself holds {path.stat().st_size:,} bytes); no published file of this study "
            f"does, so it was not loaded. {_REPLACE[:1].upper() + _REPLACE[1:]}"
        )
    try:
        raw = loadmat(path)
    except NotImplementedError as err:  # scipy raises this for v7.3 (HDF5) files
        raise DataError(
            f"{path} is a MATLAB v7.3 (HDF5) file, which scipy cannot read. Re-save it in MATLAB "
            "with save(..., '-v7') and try again."
        ) from err
    except (MatReadError, ValueError, OSError, TypeError) as err:
        raise DataError(f"Could not read {path} as a MATLAB .mat file ({err}); {_REPLACE}") from err
    except Exception as err:  # noqa: BLE001 - a damaged file fails deep inside scipy in many ways
        # A truncated or altered file raises IndexError, zlib.error, struct.error, ... there.
        raise DataError(
            f"Could not read {path} as a MATLAB .mat file ({type(err).__name__}: {err}); it is "
            f"truncated or damaged; {_REPLACE}"
        ) from err
    return {k: v for k, v in raw.items() if not k.startswith("__")}


_REPLACE = "replace it with a good copy of the published file."


def mat_numbers(value: Any, where: str, nonnegative: bool = False, what: str = "values") -> np.ndarray:
    """A variable read from a ``.mat`` file as a float64 array, refusing what is not real numbers.

    Text (a MATLAB char array, whose digits numpy would otherwise read as numbers), structs,
    cells of anything but numbers, and complex numbers with a non-zero imaginary part are
    refused; complex values whose imaginary parts are all zero are taken as real.

    Args:
        value: The variable or struct field as ``scipy.io.loadmat`` returns it (any shape).
        where: File and variable for the message (e.g. ``"BEHAVIOR.mat BEHAVIOR.set1"``).
        nonnegative: Refuse negative values (dissimilarities, ratings). NaN is let through.
        what: What the values are, for the message (``"dissimilarities"``).

    Returns:
        Float64 array of the same shape.

    Raises:
        DataError: the value is text, a struct, complex or negative; the message names
            ``where`` and the first bad entry.
    """
    arr = np.asarray(value)
    if arr.dtype.names is not None:
        raise DataError(f"{where}: a MATLAB struct (fields {list(arr.dtype.names)}), not a matrix of {what}.")
    kinds = {np.asarray(v).dtype.kind for v in arr.reshape(-1)} if arr.dtype.kind == "O" else {arr.dtype.kind}
    if kinds & {"U", "S"}:
        raise DataError(
            f"{where}: holds text (a MATLAB char array), not numbers; save the {what} as a "
            "numeric matrix (double) and try again."
        )
    if np.iscomplexobj(arr):
        if np.any(arr.imag != 0):
            index = tuple(int(i) for i in np.argwhere(arr.imag != 0)[0])
            raise DataError(
                f"{where}: holds complex numbers (entry {index} is {arr[index]}); {what} must be "
                "real. Check how the file was made (a square root of a negative number?)."
            )
        arr = arr.real
    try:
        arr = np.asarray(arr, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise DataError(f"{where}: the {what} are not numbers ({err}).") from err
    negative = np.argwhere(arr < 0) if nonnegative else ()
    if len(negative):
        index = tuple(int(i) for i in negative[0])
        raise DataError(
            f"{where}: {len(negative)} of the {what} are negative (entry {index} is {arr[index]:.6g}); "
            f"{what} cannot be. Is this a similarity or centred matrix? Give the values as recorded."
        )
    return arr


def _struct_field(value: Any, name: str, where: str) -> Any:
    """Field ``name`` of a MATLAB struct as scipy.io.loadmat returns it.

    loadmat wraps a scalar struct in a (1, 1) structured array whose fields are again
    (1, 1) object arrays; ``squeeze_me``/``simplify_cells`` give 0-d arrays or dicts instead.
    All of these are unwrapped here.
    """
    while isinstance(value, np.ndarray) and value.dtype == object and value.size == 1:
        value = value.reshape(-1)[0]
    if isinstance(value, dict):
        if name in value:
            return value[name]
        fields = list(value)
    elif isinstance(value, (np.ndarray, np.void)) and value.dtype.names is not None:
        if name in value.dtype.names:
            field = value[name]
            if isinstance(field, np.ndarray) and field.size == 1 and field.dtype == object:
                field = field.reshape(-1)[0]
            return field
        fields = list(value.dtype.names)
    elif hasattr(value, "_fieldnames"):  # scipy's mat_struct (struct_as_record=False)
        if name in value._fieldnames:
            return getattr(value, name)
        fields = list(value._fieldnames)
    else:
        raise DataError(f"{where}: expected a MATLAB struct, found {type(value).__name__}.")
    raise DataError(f"{where}: the struct has no field {name!r} (fields: {fields}).")


def dissimilarity_from_pairs(values: Any, n: int, source: str) -> np.ndarray:
    """Turn pairwise distances in any of the usual layouts into one (n, n) matrix.

    Accepted layouts (after dropping singleton axes): a square (n, n) matrix; a stack
    (p, n, n) or (n, n, p) of matrices, one per participant; a condensed vector of the
    n(n-1)/2 upper-triangle entries in row order (= MATLAB ``pdist`` order); or a stack of
    condensed vectors (p, n(n-1)/2) or (n(n-1)/2, p). Stacks are averaged over participants,
    ignoring NaN (pairs a participant did not arrange). A matrix filled in one triangle
    only is mirrored.

    Args:
        values: The distances as read from the file.
        n: Number of stimuli.
        source: Name for error messages (file and field).

    Returns:
        Float64 array of shape (n, n), symmetric.

    Raises:
        DataError: the values are not real numbers or are negative, the layout matches
            none of the above, a pair has no value at all, or the matrix is not symmetric.
    """
    arr = np.squeeze(mat_numbers(values, source, nonnegative=True, what="dissimilarities"))
    n_pairs = n * (n - 1) // 2
    shape = arr.shape

    def mean_over(stack: np.ndarray, axis: int) -> np.ndarray:
        empty = np.all(np.isnan(stack), axis=axis)
        if empty.any():
            raise DataError(f"{source}: {int(empty.sum())} entries have no value from any participant.")
        return np.nanmean(stack, axis=axis)

    if shape == (n, n):
        square = arr
    elif arr.ndim == 3 and shape[1:] == (n, n):
        square = mean_over(arr, 0)
    elif arr.ndim == 3 and shape[:2] == (n, n):
        square = mean_over(arr, 2)
    elif arr.ndim in (1, 2) and n_pairs in shape:
        stack = arr.reshape(1, -1) if arr.ndim == 1 else (arr if shape[1] == n_pairs else arr.T)
        condensed = mean_over(stack, 0)
        square = np.zeros((n, n))
        upper = np.triu_indices(n, k=1)
        square[upper] = condensed
        square.T[upper] = condensed
    else:
        raise DataError(
            f"{source}: distances of shape {shape} do not fit {n} images; expected ({n}, {n}), "
            f"a stack of those, or {n_pairs} pairwise values (or a stack of those). Do the "
            "images and the judgements belong to the same set?"
        )
    if np.isnan(square).any():
        raise DataError(f"{source}: the dissimilarity matrix holds NaN values.")
    # Some releases store only one triangle; mirror it rather than halve it by averaging.
    lower = np.tril(square, -1)
    upper_part = np.triu(square, 1)
    if not lower.any() and upper_part.any():
        square = upper_part + upper_part.T + np.diag(np.diag(square))
    elif not upper_part.any() and lower.any():
        square = lower + lower.T + np.diag(np.diag(square))
    scale = max(float(np.abs(square).max()), 1e-12)
    if not np.allclose(square, square.T, atol=1e-6 * scale, rtol=0):
        worst = np.unravel_index(np.argmax(np.abs(square - square.T)), square.shape)
        raise DataError(
            f"{source}: the dissimilarity matrix is not symmetric (entry {tuple(map(int, worst))} "
            f"is {square[worst]:.6g}, its mirror {square.T[worst]:.6g})."
        )
    return (square + square.T) / 2


def _stimuli(name: str, folder: Path, prefix: str) -> Stimuli:
    paths = list_images(folder, source=name)
    return Stimuli(name=name, ids=tuple(f"{prefix}{p.stem}" for p in paths), paths=tuple(paths))


def load_cichy118(cfg: Settings | None = None) -> tuple[Stimuli, HumanMatrix]:
    """The multi-arrangement data set of Cichy et al. (2019).

    Expects ``cichy118/images/`` (118 images) and ``cichy118/sim_judgements/
    judgments_general.mat`` with key ``judgments`` in a mirror or the data folder.

    Returns:
        The 118 stimuli (named ``"cichy118"``) and the human dissimilarity matrix
        (118, 118), mean over participants, rows in stimulus order.

    Raises:
        DataNotFoundError: the folder is nowhere; the message says how to place it.
        DataError: wrong number of images, missing key, or a matrix of the wrong shape.
    """
    root = fetch(get_resource("cichy118"), cfg)
    stimuli = _stimuli("cichy118", root / "images", "cichy118/")
    if len(stimuli) != N_CICHY:
        raise DataError(
            f"{root / 'images'}: {len(stimuli)} images, expected {N_CICHY} (Cichy et al. 2019). "
            "The folder is incomplete or holds other files."
        )
    mat_path = root / "sim_judgements" / "judgments_general.mat"
    content = read_mat(mat_path)
    if "judgments" not in content:
        raise DataError(f"{mat_path}: no variable 'judgments' (found {sorted(content)}).")
    matrix = dissimilarity_from_pairs(content["judgments"], N_CICHY, f"{mat_path} ['judgments']")
    return stimuli, HumanMatrix(matrix, stimuli.ids, kind="dissimilarity", source=mat_path.name)


def load_king(image_set: str, cfg: Settings | None = None) -> tuple[Stimuli, HumanMatrix]:
    """One image set of the free-arrangement data of King et al. (2019).

    Expects ``king/images/<set>/`` and ``king/sim_judgements/BEHAVIOR.mat`` (struct
    ``BEHAVIOR`` with fields ``set1`` and ``set2``, each with ``pairwisedistances``).

    Args:
        image_set: ``"set1"`` or ``"set2"``.

    Returns:
        The stimuli (named ``"king-<set>"``) and the human dissimilarity matrix (n, n)
        over them, averaged over participants where the file holds one per participant.

    Raises:
        ValueError: unknown set name.
        DataNotFoundError: the folder is nowhere; the message says how to place it.
        DataError: the struct lacks the set or field, or the distances do not fit the images.
    """
    if image_set not in KING_SETS:
        raise ValueError(f"Unknown King et al. image set {image_set!r}; use one of {KING_SETS}.")
    root = fetch(get_resource("king"), cfg)
    stimuli = _stimuli(f"king-{image_set}", root / "images" / image_set, f"king/{image_set}/")
    mat_path = root / "sim_judgements" / "BEHAVIOR.mat"
    content = read_mat(mat_path)
    if "BEHAVIOR" not in content:
        raise DataError(f"{mat_path}: no variable 'BEHAVIOR' (found {sorted(content)}).")
    where = f"{mat_path} BEHAVIOR"
    entry = _struct_field(content["BEHAVIOR"], image_set, where)
    distances = _struct_field(entry, "pairwisedistances", f"{where}.{image_set}")
    matrix = dissimilarity_from_pairs(
        distances, len(stimuli), f"{where}.{image_set}.pairwisedistances"
    )
    return stimuli, HumanMatrix(
        matrix, stimuli.ids, kind="dissimilarity", source=f"{mat_path.name}:{image_set}"
    )
