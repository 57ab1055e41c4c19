"""Factor statistics on a small table of made-up models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from humanalign.measures import correlate, group_summary


@pytest.fixture
def table(rng):
    n = 12
    params = rng.integers(1, 100, n) * 1e6
    return pd.DataFrame({
        "model": [f"m{i}" for i in range(n)],
        "family": ["a"] * 6 + ["b"] * 6,
        "params": params,
        "imagenet_top1": np.r_[rng.random(n - 1), np.nan],
        "objective": ["softmax", "contrastive"] * 6,
        "value": params / 1e8 + rng.normal(0, 0.01, n),
    })


def test_correlate_within_families_matches_scipy(table):
    out = correlate(table, "params", "value", by="family")
    assert out.columns.tolist() == ["family", "n", "r", "p"]
    for fam, part in table.groupby("family"):
        r, p = stats.spearmanr(part["params"], part["value"])
        row = out[out["family"] == fam].iloc[0]
        assert row["r"] == pytest.approx(r) and row["p"] == pytest.approx(p) and row["n"] == 6


def test_correlate_overall_drops_missing(table):
    out = correlate(table, "imagenet_top1", "value", method="pearson")
    assert len(out) == 1 and out.loc[0, "n"] == 11
    sub = table.dropna()
    assert out.loc[0, "r"] == pytest.approx(stats.pearsonr(sub["imagenet_top1"], sub["value"])[0])


def test_correlate_small_or_constant_groups_are_nan(table):
    table = table.assign(const=1.0)
    assert np.isnan(correlate(table, "const", "value").loc[0, "r"])
    assert np.isnan(correlate(table.head(2), "params", "value").loc[0, "r"])
    with pytest.raises(KeyError, match="size"):
        correlate(table, "size", "value")
    with pytest.raises(ValueError, match="method"):
        correlate(table, "params", "value", method="kendall")


def test_group_summary(table):
    out = group_summary(table, "objective", "value")
    assert out.columns.tolist() == ["objective", "n", "mean", "std", "min", "max"]
    for _, row in out.iterrows():
        part = table.loc[table["objective"] == row["objective"], "value"]
        assert row["mean"] == pytest.approx(part.mean()) and row["n"] == len(part)
        assert row["std"] == pytest.approx(part.std())
    assert out["mean"].is_monotonic_decreasing
    with pytest.raises(KeyError, match="data"):
        group_summary(table, "data", "value")
