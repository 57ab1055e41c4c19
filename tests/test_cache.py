"""Tests of humanalign.cache, each written as an attack on a cache that is not tied to what it
is for: entries swapped between models, records from an older version, a record that is a
folder, temporaries left by a killed write, and scores computed by code that has changed."""

from __future__ import annotations

import json
import os
import shutil
import time
import types

import numpy as np
import pytest

from humanalign import cache
from humanalign.config import settings
from humanalign.errors import DataError
from humanalign.registry import ModelSpec
from humanalign.study import scores


def _entry(model: str, key: str) -> "os.PathLike":
    return settings().cache_dir / "scores" / model / f"things-penultimate-{key}.npy"


def _swap(a, b) -> None:
    """Swap two entries, each file with its own record (what a careless copy does)."""
    for x, y in ((a, b), (cache.record_path(a), cache.record_path(b))):
        tmp = x.with_name(x.name + ".swap")
        shutil.move(x, tmp)
        shutil.move(y, x)
        shutil.move(tmp, y)


def test_entries_swapped_between_models_of_the_same_width_are_refused(rng, capsys):
    a, b = _entry("timm__a.x", "1" * 24), _entry("timm__b.x", "2" * 24)
    first, second = rng.normal(size=(5, 4)).astype(np.float32), rng.normal(size=(5, 4)).astype(np.float32)
    cache.save_array(a, first, {"model": "timm/a.x"})
    cache.save_array(b, second, {"model": "timm/b.x"})
    np.testing.assert_array_equal(cache.load_array(a, 5, 4)[0], first)
    _swap(a, b)
    for path in (a, b):
        array, problem = cache.load_array(path, 5, 4)
        assert array is None and "names another cache entry" in problem and "moved or copied" in problem
        cache.discard(path, problem)
        assert not path.exists() and not cache.record_path(path).exists()
    notices = capsys.readouterr().err.strip().splitlines()
    assert len(notices) == 2 and all(line.startswith("humanalign: recomputing ") for line in notices)


def test_a_swapped_entry_of_another_width_is_named_as_such_not_blamed_on_the_probe(rng):
    a, b = _entry("timm__a.x", "1" * 24), _entry("timm__b.x", "2" * 24)
    cache.save_array(a, rng.normal(size=(5, 4)).astype(np.float32))
    cache.save_array(b, rng.normal(size=(5, 8)).astype(np.float32))
    _swap(a, b)
    array, problem = cache.load_array(b, 5)
    assert array is None and "names another cache entry" in problem and "timm__a.x/" in problem


def test_a_swapped_score_file_is_recomputed_not_used(rng, capsys):
    spec = ModelSpec(id="timm/a.x", source="timm", arch="a", tag="x", family="f", params=None, imagenet_top1=None,
                     top1_source="", objective="supervised softmax", training_data="ImageNet-1k", penultimate="fc",
                     logits="", public=True)
    other = ModelSpec(**{**spec.__dict__, "id": "timm/b.x", "arch": "b"})
    calls = []

    def compute(value):
        return lambda: calls.append(value) or {"zero_shot": np.full(3, value)}

    mine = scores._stored("things", spec, "penultimate", {"features": "a"}, compute(1.0), None)
    theirs = scores._stored("things", other, "penultimate", {"features": "b"}, compute(2.0), None)
    folder = settings().cache_dir / "scores"
    path_a, path_b = (next((folder / name).glob("*.npz")) for name in ("timm__a.x", "timm__b.x"))
    _swap(path_a, path_b)
    again = scores._stored("things", spec, "penultimate", {"features": "a"}, compute(1.0), None)
    np.testing.assert_array_equal(again["zero_shot"], mine["zero_shot"])
    assert calls == [1.0, 2.0, 1.0] and theirs["zero_shot"][0] == 2.0
    assert "names another cache entry" in capsys.readouterr().err


def _older_version(path) -> None:
    """Rewrite an entry's record as versions before this one wrote it (no entry named)."""
    record = cache.record_path(path)
    text = json.loads(record.read_text())
    del text["entry"]
    record.write_text(json.dumps(text))


def test_a_record_of_an_older_version_is_accepted_only_where_it_fits(rng):
    features = settings().cache_dir / "features" / "timm"
    a = features / "a.x" / "things-demo.penultimate.1111.npy"
    b = features / "b.x" / "things-demo.penultimate.2222.npy"
    for path, model in ((a, "timm/a.x"), (b, "timm/b.x")):
        cache.save_array(path, rng.normal(size=(2, 2)).astype(np.float32),
                         {"model": model, "layer": "penultimate", "dataset": "things-demo"})
        _older_version(path)
    assert cache.load_array(a, 2)[0] is not None  # an existing cache is not recomputed
    _swap(a, b)
    for path in (a, b):
        array, problem = cache.load_array(path, 2)
        assert array is None and "older version" in problem and "another model" in problem
    # Moved within the model's folder to another layer's name: refused as well.
    c = features / "a.x" / "things-demo.logits.3333.npy"
    cache.save_array(c, rng.normal(size=(2, 2)).astype(np.float32),
                     {"model": "timm/a.x", "layer": "penultimate", "dataset": "things-demo"})
    _older_version(c)
    assert cache.load_array(c, 2)[0] is None
    # An older record without a model is not vouched for.
    d = _entry("timm__a.x", "3" * 24)
    cache.save_array(d, rng.normal(size=(2, 2)).astype(np.float32))
    _older_version(d)
    assert cache.load_array(d, 2)[0] is None


@pytest.mark.parametrize("which", ["record", "entry"])
def test_a_cache_record_or_entry_that_is_a_folder_is_one_clear_line(rng, which):
    path = _entry("timm__a.x", "4" * 24)
    target = cache.record_path(path) if which == "record" else path
    target.mkdir(parents=True)
    (target / "keep.txt").write_text("someone's file")
    for attempt in (lambda: cache.load_array(path, 2), lambda: cache.save_array(path, np.zeros((2, 2), np.float32)),
                    lambda: cache.discard(path, "test")):
        with pytest.raises(DataError) as err:
            attempt()
        message = str(err.value)
        assert "\n" not in message and str(target) in message and "is a folder" in message
        assert "HUMANALIGN_CACHE" in message
    assert (target / "keep.txt").read_text() == "someone's file"


def test_temporaries_of_a_killed_write_are_swept_by_the_next_write(rng):
    path = settings().cache_dir / "scores" / "timm__a.x" / "things-penultimate-5.npz"
    path.parent.mkdir(parents=True)
    # What a write killed mid-way leaves: np.savez's temporary and the record's.
    stale = [path.parent / f"{path.name}.k1l2e3d4.tmp.npz", path.parent / f"{path.name}.json.abcd_123.tmp"]
    fresh = path.parent / f"{path.name}.w7r1t1ng.tmp.npz"
    other = path.parent / "notes.tmp.txt"
    for leftover in (*stale, fresh, other):
        leftover.write_bytes(b"half")
    old = time.time() - cache.STALE_AFTER_S - 60
    for leftover in (*stale, other):
        os.utime(leftover, (old, old))
    cache.save_arrays(path, {"x": np.arange(3)})
    assert not any(p.exists() for p in stale)
    assert fresh.exists() and other.exists()  # a write that may still be running, and a file not ours
    assert cache.load_arrays(path)[0]["x"].tolist() == [0, 1, 2]


def test_source_digest_follows_the_code(tmp_path, monkeypatch):
    one = types.ModuleType("one")
    sources = {"one": "def f():\n    return 1\n"}
    monkeypatch.setattr(cache.inspect, "getsource", lambda module: sources[module.__name__])
    before = cache.source_digest(one)
    sources["one"] = "def f():\n    return 2\n"
    assert cache.source_digest(one) != before
    monkeypatch.undo()
    with pytest.raises(TypeError):  # a module without source text cannot key a cache
        cache.source_digest(types.ModuleType("no_source"))


def test_scores_are_recomputed_when_the_measure_code_changes(monkeypatch):
    spec = ModelSpec(id="timm/a.x", source="timm", arch="a", tag="x", family="f", params=None, imagenet_top1=None,
                     top1_source="", objective="supervised softmax", training_data="ImageNet-1k", penultimate="fc",
                     logits="", public=True)
    calls = []

    def compute():
        calls.append(1)
        return {"zero_shot": np.ones(2)}

    scores._stored("things", spec, "penultimate", {"features": "a"}, compute, None)
    scores._stored("things", spec, "penultimate", {"features": "a"}, compute, None)
    assert len(calls) == 1
    real = cache.inspect.getsource
    from humanalign.measures import odd_one_out

    # The odd-one-out code changes and nobody bumps a version: the score is computed anew.
    monkeypatch.setattr(cache.inspect, "getsource",
                        lambda module: real(module) + ("\n# changed\n" if module is odd_one_out else ""))
    scores._stored("things", spec, "penultimate", {"features": "a"}, compute, None)
    assert len(calls) == 2
    assert not hasattr(scores, "SCORES_VERSION")
