"""Tidy result tables: one row per model x dataset x layer x measure.

Tables are written as CSV (or Parquet) into ``<HUMANALIGN_CACHE>/results/``, atomically,
never as pickles. Beside each table, ``<file>.json`` records its sha256, its row count and
the inputs it came from (the exact feature files, see
:func:`humanalign.cache.record_use`). A table is loaded only when it matches that
record and its feature files still stand; otherwise it counts as absent (with a notice
naming it) and is computed again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ._atomic import atomic_path, write_text_atomic
from .cache import check_recorded
from .config import settings
from .fetch import cached_sha256, notice
from .errors import DataError

__all__ = ["COLUMNS", "OPTIONAL", "load_results", "result_row", "results_dir", "save_results", "shown", "tidy"]

COLUMNS = ("model", "dataset", "layer", "measure", "value")
OPTIONAL = ("ci_low", "ci_high", "n")
FORMATS = {"csv": ".csv", "parquet": ".parquet"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def shown(table: pd.DataFrame, columns: list[str] | None = None, values: list[str] | None = None,
          digits: int | None = 3) -> pd.DataFrame:
    """The rows and columns of a wide table worth looking at: rows with at least one value.

    A row whose value columns are all missing (say, the logits of a profile that scores
    the penultimate layer only) says nothing and is dropped. The result is a data frame,
    for a notebook's own work and for a reader of the notebook; a book page shows a table
    with :func:`humanalign.tables.journal_table` (headers in words, intervals in one cell,
    no index, no NaN, a CSV download of the full precision).

    Args:
        table: A wide table (one row per model, or model x layer).
        columns: The columns to show, in order (default: all).
        values: The columns whose values count (default: the numeric ones of ``columns``).
        digits: Decimals the numbers are rounded to (``None``: not rounded).

    Returns:
        The filtered, rounded table (an unnamed index renumbered, a named one kept).
    """
    columns = list(table.columns) if columns is None else list(columns)
    missing = [c for c in columns + list(values or []) if c not in table.columns]
    if missing:
        raise KeyError(f"The table lacks columns {missing}; it has {list(table.columns)}.")
    values = values or [c for c in columns if pd.api.types.is_numeric_dtype(table[c])]
    part = table[table[values].notna().any(axis=1)] if values else table
    part = part[columns]
    part = part if digits is None else part.round(digits)
    # A default index says nothing and is renumbered; a named one (say, a pivot's) stays.
    return part.reset_index(drop=True) if part.index.names == [None] else part


def result_row(
    model: str,
    dataset: str,
    layer: str,
    measure: str,
    value: float,
    ci: tuple[float, float] | None = None,
    n: int | None = None,
) -> dict:
    """One row of a tidy table, as a dict (collect them in a list, then call :func:`tidy`).

    Every row carries all of :data:`COLUMNS` and :data:`OPTIONAL`: an unknown interval or
    count is NaN, so a table always has the same columns whatever its rows hold.
    """
    return {
        "model": model, "dataset": dataset, "layer": layer, "measure": measure, "value": float(value),
        "ci_low": float(ci[0]) if ci is not None else np.nan,
        "ci_high": float(ci[1]) if ci is not None else np.nan,
        "n": int(n) if n is not None else np.nan,
    }


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


def _record_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def save_results(df: pd.DataFrame | list[dict], name: str, fmt: str = "csv", inputs: dict | None = None) -> Path:
    """Write a tidy table into the results cache atomically, with its record beside it.

    Args:
        df: Rows or DataFrame (validated by :func:`tidy`).
        name: File name without suffix, e.g. ``"scale-demo"``; it should carry the key of
            the measure parameters the table came from.
        fmt: ``"csv"`` (default) or ``"parquet"``.
        inputs: The feature files the table was computed from, as collected by
            :func:`humanalign.cache.record_use`.

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
        digest = cached_sha256(tmp)
    record = {"sha256": digest, "rows": len(table), "columns": list(table.columns), "features": inputs or {}}
    write_text_atomic(_record_path(path), json.dumps(record, indent=1, sort_keys=True))
    return path


def _problem(path: Path) -> str | None:
    """Why a saved table cannot be trusted as computed, or ``None``."""
    try:
        record = json.loads(_record_path(path).read_text())
        digest, rows, feats = record["sha256"], record["rows"], record["features"]
    except FileNotFoundError:
        return "it has no record of how it was computed"
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return f"its record {_record_path(path).name} is unreadable"
    if cached_sha256(path) != digest:
        return "it differs from the table that was computed (edited or truncated)"
    if feats:
        reason = check_recorded(feats)
        if reason:
            return reason
    return None


def load_results(name: str) -> pd.DataFrame:
    """Read a table saved by :func:`save_results` (CSV or Parquet, whichever exists).

    Raises:
        DataError: no table of that name in the results cache, or one that does not match
            its record (edited, truncated, or computed from features that have changed);
            such a table is reported on stderr and should be computed again.
    """
    for fmt in FORMATS:
        path = _path(name, fmt)
        if path.exists():
            problem = _problem(path)
            if problem:
                notice(f"not using the results table {path}: {problem}; it will be computed again.")
                raise DataError(f"The results table {path} cannot be used: {problem}. Compute it again.")
            table = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
            return tidy(table)
    raise DataError(
        f"No results table {name!r} in {results_dir()}; run the computation that saves it first "
        "(or check HUMANALIGN_CACHE)."
    )
