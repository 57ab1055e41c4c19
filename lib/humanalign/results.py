"""Tidy result tables: one row per model x dataset x layer x measure.

Tables are written as CSV (or Parquet) into ``<HUMANALIGN_CACHE>/results/``, atomically,
never as pickles.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ._atomic import atomic_path
from .config import settings
from .fetch import DataError

__all__ = ["COLUMNS", "OPTIONAL", "load_results", "result_row", "results_dir", "save_results", "tidy"]

COLUMNS = ("model", "dataset", "layer", "measure", "value")
OPTIONAL = ("ci_low", "ci_high", "n")
FORMATS = {"csv": ".csv", "parquet": ".parquet"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def result_row(
    model: str,
    dataset: str,
    layer: str,
    measure: str,
    value: float,
    ci: tuple[float, float] | None = None,
    n: int | None = None,
) -> dict:
    """One row of a tidy table, as a dict (collect them in a list, then call :func:`tidy`)."""
    row = {"model": model, "dataset": dataset, "layer": layer, "measure": measure, "value": float(value)}
    if ci is not None:
        row["ci_low"], row["ci_high"] = float(ci[0]), float(ci[1])
    if n is not None:
        row["n"] = int(n)
    return row


def tidy(rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """Validate and order a results table.

    Args:
        rows: Rows (dicts) or a DataFrame with at least ``model, dataset, layer, measure,
            value``; ``ci_low, ci_high, n`` and other columns are kept.

    Returns:
        DataFrame with the required columns first.

    Raises:
        ValueError: a required column is missing, ``value`` is not numeric, or a
            model x dataset x layer x measure combination occurs twice.
    """
    df = pd.DataFrame(rows).copy() if not isinstance(rows, pd.DataFrame) else rows.copy()
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"results table lacks columns {missing}; required: {list(COLUMNS)}.")
    try:
        df["value"] = pd.to_numeric(df["value"])
    except (TypeError, ValueError) as err:
        raise ValueError(f"results column 'value' must be numeric: {err}") from err
    key = list(COLUMNS[:4])
    dup = df.duplicated(subset=key, keep=False)
    if dup.any():
        first = df.loc[dup, key].iloc[0].tolist()
        raise ValueError(f"results table has the row {first} more than once; one row per model x dataset x layer x measure.")
    ordered = [*COLUMNS, *[c for c in OPTIONAL if c in df.columns]]
    return df[ordered + [c for c in df.columns if c not in ordered]].reset_index(drop=True)


def results_dir() -> Path:
    """``<HUMANALIGN_CACHE>/results``."""
    return settings().cache_dir / "results"


def _path(name: str, fmt: str) -> Path:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown results format {fmt!r}; use one of {sorted(FORMATS)}.")
    if not _NAME.match(name):
        raise ValueError(f"results name {name!r} must be a plain file name (letters, digits, '.', '_', '-').")
    return results_dir() / (name + FORMATS[fmt])


def save_results(df: pd.DataFrame | list[dict], name: str, fmt: str = "csv") -> Path:
    """Write a tidy table into the results cache atomically.

    Args:
        df: Rows or DataFrame (validated by :func:`tidy`).
        name: File name without suffix, e.g. ``"scale-demo"``.
        fmt: ``"csv"`` (default) or ``"parquet"``.

    Returns:
        The written path.
    """
    table = tidy(df)
    path = _path(name, fmt)
    with atomic_path(path) as tmp:
        if fmt == "csv":
            table.to_csv(tmp, index=False)
        else:
            table.to_parquet(tmp, index=False)
    return path


def load_results(name: str) -> pd.DataFrame:
    """Read a table saved by :func:`save_results` (CSV or Parquet, whichever exists).

    Raises:
        DataError: no table of that name in the results cache.
    """
    for fmt in FORMATS:
        path = _path(name, fmt)
        if path.exists():
            table = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
            return tidy(table)
    raise DataError(
        f"No results table {name!r} in {results_dir()}; run the computation that saves it first "
        "(or check HUMANALIGN_CACHE)."
    )
