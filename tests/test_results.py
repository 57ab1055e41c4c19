"""Tidy result tables in the cache."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from humanalign import cache
from humanalign.errors import DataError
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
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, path.name + ".json"]  # no temp files left


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


# --- tables edited, truncated or outlived by their features ----------------------------


@pytest.mark.parametrize("damage", ["edit", "truncate", "no_record", "bad_record"])
def test_damaged_table_is_not_shown_as_computed(damage, capsys):
    path = save_results(_rows(), "demo")
    if damage == "edit":
        path.write_text(path.read_text().replace("0.41", "0.91"))
    elif damage == "truncate":
        path.write_text(path.read_text()[:60])
    elif damage == "no_record":
        (path.parent / (path.name + ".json")).unlink()
    else:
        (path.parent / (path.name + ".json")).write_text("[1, 2")
    with pytest.raises(DataError, match=rf"{path.name} cannot be used"):
        load_results("demo")
    assert f"not using the results table {path}" in capsys.readouterr().err


def test_table_is_not_reused_when_its_features_changed(tmp_path):
    import numpy as np
    from PIL import Image

    from humanalign import features
    from humanalign.datasets import Stimuli

    paths = []
    for i in range(3):
        paths.append(tmp_path / f"{i}.png")
        Image.fromarray(np.full((8, 8, 3), 40 * i, np.uint8)).save(paths[-1])
    stimuli = Stimuli("toy", ("a", "b", "c"), tuple(paths))
    model = "untrained/mobilenetv2_100.seed0"
    with cache.record_use() as used:
        features.extract_features(model, stimuli, num_workers=0, progress=False)
    save_results(_rows(), "demo", inputs=used)
    assert len(load_results("demo")) == 2
    target = features.cache_path(model, stimuli, "penultimate")
    np.save(target, np.zeros((3, 1280), np.float32))  # features replaced under the table
    with pytest.raises(DataError, match="have changed"):
        load_results("demo")
