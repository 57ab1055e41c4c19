"""Argument checks shared by the measures; each error names the value and says what to do."""

from __future__ import annotations

import numpy as np

from ..datasets.types import Triplets, check_triplets
from ..errors import DataError

__all__ = ["as_features", "as_triplets"]


def as_features(features: object, name: str = "features", min_rows: int = 3) -> np.ndarray:
    """Return ``features`` as a finite float64 (n, d) array.

    Raises:
        ValueError: not 2-D, fewer than ``min_rows`` rows, or NaN / infinite entries (the
            message gives the first bad row so the extraction can be checked).
    """
    arr = np.asarray(features)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (objects x dimensions), got shape {arr.shape}.")
    if arr.dtype.kind not in "fiub":
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}.")
    if arr.shape[0] < min_rows:
        raise ValueError(f"{name} has {arr.shape[0]} rows; at least {min_rows} objects are needed.")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has no columns (shape {arr.shape}).")
    arr = np.asarray(arr, dtype=np.float64)
    finite = np.isfinite(arr)
    if not finite.all():
        row = int(np.flatnonzero(~finite.all(axis=1))[0])
        count = int((~finite).sum())
        raise ValueError(
            f"{name} holds {count} NaN or infinite values (first in row {row}); the feature "
            "extraction produced invalid numbers. Re-extract the features or drop those rows."
        )
    return arr


def as_triplets(triplets: object, n_objects: int, name: str = "triplets") -> np.ndarray:
    """Return triplet indices as an int64 (N, 3) array checked against ``n_objects``.

    Accepts a :class:`~humanalign.datasets.Triplets` or an (N, 3) integer array (0-based,
    odd one out last).

    Raises:
        ValueError: wrong shape, an index outside ``0 .. n_objects - 1``, a repeated object,
            or a ``Triplets`` defined over a different number of objects.
    """
    if isinstance(triplets, Triplets):
        if triplets.n_objects != n_objects:
            raise ValueError(
                f"{name} ({triplets.source}) refer to {triplets.n_objects} objects but there are "
                f"{n_objects} feature rows; features and triplets must use the same object order."
            )
        return triplets.indices
    try:
        return check_triplets(triplets, n_objects, name)
    except DataError as err:
        # A triplet array handed to a measure is an argument, not a data file.
        raise ValueError(str(err)) from err
