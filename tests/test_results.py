"""Tidy result tables in the cache."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from humanalign.fetch import DataError
from humanalign.results import load_results, result_row, results_dir, save_results, tidy


def _rows():
    return [
        result_row("m1", "things", "penultimate", "zero_shot", 0.41, ci=(0.40, 0.42), n=1000),
        result_row("m1", "things", "penultimate", "probe", 0.55, ci=(0.54, 0.56), n=1000),
    ]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_round_trip_in_cache(fmt):
    path = save_results(_rows(), "demo", fmt=fmt)
    assert path.parent == results_dir()
    assert str(path).startswith(os.environ["HUMANALIGN_CACHE"])
    back = load_results("demo")
    pd.testing.assert_frame_equal(back, tidy(_rows()), check_dtype=False)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left


def test_tidy_validates():
    with pytest.raises(ValueError, match="lacks columns"):
        tidy([{"model": "m", "value": 1}])
    with pytest.raises(ValueError, match="more than once"):
        tidy(_rows() + _rows()[:1])
    with pytest.raises(ValueError, match="numeric"):
        tidy([{**_rows()[0], "value": "high"}])
    assert tidy(_rows()).columns.tolist()[:5] == ["model", "dataset", "layer", "measure", "value"]


def test_bad_names_and_missing_tables():
    with pytest.raises(ValueError, match="plain file name"):
        save_results(_rows(), "../escape")
    with pytest.raises(ValueError, match="format"):
        save_results(_rows(), "x", fmt="pickle")
    with pytest.raises(DataError, match="No results table 'nothing'"):
        load_results("nothing")
