"""Peterson et al. (2016, 2018): human similarity of 120 images in each of six domains.

Layout (placed by hand, see the ``peterson`` resource): ``peterson/<domain>/images/`` with
the 120 images (natural file-name order is the matrix order) and one ``.mat`` file under
``peterson/<domain>/`` holding the (120, 120) similarity matrix under a key that contains
``sim`` (the releases differ in the exact name).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..config import Settings
from ..fetch import fetch
from ..errors import DataError
from ..sources import get_resource
from .arrangements import mat_numbers, read_mat
from .types import HumanMatrix, Stimuli, list_images

__all__ = ["N_PETERSON", "PETERSON_DOMAINS", "load_peterson"]

PETERSON_DOMAINS = ("animals", "automobiles", "fruits", "furniture", "various", "vegetables")
N_PETERSON = 120


def _similarity_matrix(folder: Path) -> tuple[np.ndarray, str]:
    """The one array under a key containing 'sim' among the folder's .mat files."""
    found: list[tuple[Path, str, np.ndarray]] = []
    mats = sorted(folder.glob("*.mat"))
    if not mats:
        raise DataError(
            f"{folder}: no .mat file with the similarity matrix; place it there "
            "(one .mat file whose variable name contains 'sim')."
        )
    for path in mats:
        for key, value in read_mat(path).items():
            if "sim" in key.lower():
                found.append((path, key, value))
    if len(found) != 1:
        listing = ", ".join(f"{p.name}:{k}" for p, k, _ in found) or "none"
        raise DataError(
            f"{folder}: expected exactly one variable whose name contains 'sim' in the .mat "
            f"files {[p.name for p in mats]}, found {listing}. Keep only the similarity matrix."
        )
    path, key, value = found[0]
    # The matrices average people's ratings of pairs on a scale from 0 to 10 (Peterson et al.
    # 2018), so a negative value means the file holds something else.
    arr = mat_numbers(value, f"{path} [{key!r}]", nonnegative=True, what="similarity ratings")
    return arr, f"{path.name}:{key}"


def load_peterson(domain: str, cfg: Settings | None = None) -> tuple[Stimuli, HumanMatrix]:
    """One domain of the Peterson et al. similarity data.

    Args:
        domain: One of :data:`PETERSON_DOMAINS`.

    Returns:
        The 120 stimuli (named ``"peterson-<domain>"``) and the human similarity matrix
        (120, 120) in stimulus order (``kind="similarity"``).

    Raises:
        ValueError: unknown domain.
        DataNotFoundError: the ``peterson`` folder is nowhere; the message says how to place it.
        DataError: not 120 images, no or several 'sim' variables, or a matrix that is not
            real numbers, has negative values, has the wrong shape or is not symmetric.
    """
    if domain not in PETERSON_DOMAINS:
        raise ValueError(f"Unknown Peterson domain {domain!r}; use one of {PETERSON_DOMAINS}.")
    root = fetch(get_resource("peterson"), cfg) / domain
    if not root.is_dir():
        raise DataError(
            f"{root} does not exist: the peterson folder lacks the domain {domain!r}. Place its "
            f"images in {root / 'images'} and its .mat file in {root}."
        )
    paths = list_images(root / "images", source=f"peterson-{domain}")
    if len(paths) != N_PETERSON:
        raise DataError(
            f"{root / 'images'}: {len(paths)} images, expected {N_PETERSON} (Peterson et al.). "
            "The folder is incomplete or holds other files."
        )
    stimuli = Stimuli(
        name=f"peterson-{domain}",
        ids=tuple(f"peterson/{domain}/{p.stem}" for p in paths),
        paths=tuple(paths),
    )
    matrix, source = _similarity_matrix(root)
    if matrix.shape != (N_PETERSON, N_PETERSON):
        raise DataError(
            f"{root / source.split(':')[0]} [{source.split(':', 1)[1]!r}]: matrix of shape "
            f"{matrix.shape}, expected ({N_PETERSON}, {N_PETERSON}) to match the images."
        )
    scale = max(float(np.nanmax(np.abs(matrix))), 1e-12) if matrix.size else 1.0
    if np.isfinite(matrix).all() and not np.allclose(matrix, matrix.T, atol=1e-6 * scale, rtol=0):
        raise DataError(f"{root / source.split(':')[0]}: the similarity matrix is not symmetric.")
    return stimuli, HumanMatrix(matrix, stimuli.ids, kind="similarity", source=source)
