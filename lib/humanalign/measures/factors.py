"""Factor statistics: how alignment relates to model size, ImageNet accuracy and training."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["correlate", "group_summary"]

METHODS = ("spearman", "pearson")


def _check_columns(df: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"columns {missing} are not in the table (it has {list(df.columns)}).")


def _corr(x: np.ndarray, y: np.ndarray, method: str) -> tuple[float, float]:
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan"), float("nan")
    res = stats.spearmanr(x, y) if method == "spearman" else stats.pearsonr(x, y)
    return float(res[0]), float(res[1])


def correlate(
    df: pd.DataFrame,
    x: str,
    y: str,
    by: str | list[str] | None = None,
    method: str = "spearman",
) -> pd.DataFrame:
    """Correlation of two columns, overall or within groups (e.g. within model families).

    Rows with a missing value in ``x`` or ``y`` are dropped (e.g. models without an
    ImageNet accuracy). Groups with fewer than 3 rows, or a constant column, get NaN.

    Args:
        df: Table with one row per model (or per model x measure, filtered first).
        x: Column of the factor, e.g. ``"params"`` or ``"imagenet_top1"``.
        y: Column of the alignment measure, e.g. ``"value"``.
        by: Grouping column(s), e.g. ``"family"``; ``None`` for one overall row.
        method: ``"spearman"`` or ``"pearson"``.

    Returns:
        DataFrame with the ``by`` columns and ``n, r, p``.
    """
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}; use one of {METHODS}.")
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    _check_columns(df, [x, y, *keys])
    data = df[[*keys, x, y]].copy()
    data[x] = pd.to_numeric(data[x], errors="coerce")
    data[y] = pd.to_numeric(data[y], errors="coerce")
    data = data.dropna(subset=[x, y])
    rows = []
    groups = data.groupby(keys, sort=True, dropna=False) if keys else [((), data)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        r, p = _corr(part[x].to_numpy(float), part[y].to_numpy(float), method)
        rows.append({**dict(zip(keys, key)), "n": len(part), "r": r, "p": p})
    return pd.DataFrame(rows, columns=[*keys, "n", "r", "p"])


def group_summary(df: pd.DataFrame, by: str | list[str], value: str) -> pd.DataFrame:
    """Mean, spread and range of a measure per group (e.g. per objective or training data).

    Args:
        df: Table with one row per model.
        by: Grouping column(s).
        value: Numeric column to summarise.

    Returns:
        DataFrame with the ``by`` columns and ``n, mean, std, min, max``, sorted by
        ``mean`` descending.
    """
    keys = [by] if isinstance(by, str) else list(by)
    _check_columns(df, [*keys, value])
    values = pd.to_numeric(df[value], errors="coerce")
    table = (
        df.assign(**{value: values})
        .groupby(keys, sort=False, dropna=False)[value]
        .agg(n="count", mean="mean", std="std", min="min", max="max")
        .reset_index()
    )
    return table.sort_values("mean", ascending=False, kind="stable").reset_index(drop=True)
