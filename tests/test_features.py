"""Batched extraction against a plain loop; cache, resume, row order and bad images."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from humanalign import cache, features, models
from humanalign.datasets import Stimuli
from humanalign.errors import DataError

MODEL = "untrained/mobilenetv2_100.seed0"


@pytest.fixture
def stimuli(tmp_path) -> Stimuli:
    rng = np.random.default_rng(0)
    paths = []
    for i in range(7):
        path = tmp_path / f"img{i}.png"
        Image.fromarray(rng.integers(0, 256, (40 + i, 50, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return Stimuli("toy", tuple(f"s{i}" for i in range(7)), tuple(paths))


def _plain_loop(model_id, stimuli, layer):
    loaded = models.load_model(model_id, device="cpu")
    rows = []
    with torch.inference_mode():
        for path in stimuli.paths:
            x = loaded.preprocess(Image.open(path).convert("RGB"))[None]
            rows.append(loaded.forward(x, [layer])[layer][0].numpy())
    return np.stack(rows)


@pytest.mark.parametrize("layer", ["penultimate", "logits"])
def test_batched_equals_plain_loop(stimuli, layer):
    got = features.extract_features(MODEL, stimuli, layer, batch_size=3, num_workers=1, cache=False, progress=False)
    want = _plain_loop(MODEL, stimuli, layer)
    assert got.dtype == np.float32 and got.shape == want.shape == (7, 1280 if layer == "penultimate" else 1000)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_second_call_does_no_model_work(stimuli, monkeypatch):
    first = features.extract_features(MODEL, stimuli, batch_size=4, num_workers=0, progress=False)
    path = features.cache_path(MODEL, stimuli, "penultimate")
    assert path.exists() and path.with_suffix(".json").exists()

    def no_model(*args, **kwargs):
        raise AssertionError("model loaded although the cache is complete")

    monkeypatch.setattr(features, "load_model", no_model)
    again = features.extract_features(MODEL, stimuli, batch_size=4, num_workers=0, progress=False)
    np.testing.assert_array_equal(first, again)


def _interrupt_third_batch(monkeypatch) -> dict:
    """Make the model's third forward pass raise KeyboardInterrupt; returns the call counter."""
    original = models.LoadedModel.forward
    calls = {"n": 0}

    def flaky(self, batch, layers=("penultimate",)):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return original(self, batch, layers)

    monkeypatch.setattr(models.LoadedModel, "forward", flaky)
    return calls


def test_interrupted_extraction_resumes(stimuli, monkeypatch):
    full = features.extract_features(MODEL, stimuli, batch_size=2, num_workers=0, cache=False, progress=False)
    calls = _interrupt_third_batch(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        features.extract_features(MODEL, stimuli, batch_size=2, num_workers=0, progress=False)
    partial = features.cache_path(MODEL, stimuli, "penultimate").with_suffix(".partial")
    assert len(list(partial.glob("*.npy"))) == 2  # two of four batches finished

    calls["n"] = -100  # no more interruptions; count the remaining work
    resumed = features.extract_features(MODEL, stimuli, batch_size=2, num_workers=0, progress=False)
    assert calls["n"] == -100 + 2  # only the two unfinished batches ran
    np.testing.assert_allclose(resumed, full, rtol=1e-5, atol=1e-5)
    assert not partial.exists()


def test_cache_key_depends_on_content(stimuli, tmp_path):
    key = features.cache_key(MODEL, stimuli, "penultimate")
    assert key == features.cache_key(MODEL, stimuli, "penultimate")
    assert key != features.cache_key(MODEL, stimuli, "logits")
    assert key != features.cache_key("untrained/efficientnet_lite0.seed0", stimuli, "penultimate")
    Image.fromarray(np.zeros((10, 10, 3), dtype=np.uint8)).save(stimuli.paths[0])
    assert key != features.cache_key(MODEL, stimuli, "penultimate")
    assert set(cache.library_versions()) >= {"torch", "timm", "humanalign"}


@pytest.mark.parametrize("workers", [0, 1])
def test_corrupt_image_is_named(stimuli, workers):
    stimuli.paths[4].write_bytes(b"not an image")
    with pytest.raises(DataError, match="img4.png"):
        features.extract_features(MODEL, stimuli, batch_size=2, num_workers=workers, progress=False)


def test_bad_arguments(stimuli):
    with pytest.raises(ValueError, match="Unknown layer"):
        features.extract_features(MODEL, stimuli, "fc7", progress=False)
    with pytest.raises(ValueError, match="batch_size"):
        features.extract_features(MODEL, stimuli, batch_size=0, progress=False)
    with pytest.raises(ValueError, match="precision"):
        features.extract_features(MODEL, stimuli, precision="fp8", progress=False)
    with pytest.raises(ValueError, match="no classifier"):
        features.extract_features("litert/mobilenet_v1_100_224.quant_embedding", stimuli, "logits")
    with pytest.raises(KeyError):
        features.extract_features("untrained/nonet.seed0", stimuli)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="mixed precision is used on CUDA only")
def test_gpu_mixed_precision_keeps_features(stimuli):
    half = features.extract_features(MODEL, stimuli, device="cuda", cache=False, progress=False)
    full = features.extract_features(MODEL, stimuli, device="cuda", precision="float32", cache=False, progress=False)
    cos = (half * full).sum(1) / np.linalg.norm(half, axis=1) / np.linalg.norm(full, axis=1)
    assert cos.min() >= features.COSINE_TOLERANCE


# --- caches that were damaged, replaced or cannot be written ----------------------------


def _extract(stimuli, **kw):
    return features.extract_features(MODEL, stimuli, batch_size=2, num_workers=0, progress=False, **kw)


def _count_forward(monkeypatch):
    calls = {"n": 0}
    original = models.LoadedModel.forward

    def counted(self, batch, layers=("penultimate",)):
        calls["n"] += 1
        return original(self, batch, layers)

    monkeypatch.setattr(models.LoadedModel, "forward", counted)
    return calls


def _flip_byte(path, offset=-5):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x40
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["flip", "width", "random", "truncate", "no_record"])
def test_damaged_cache_is_recomputed_with_a_notice(stimuli, monkeypatch, capsys, damage):
    truth = _extract(stimuli)
    target = features.cache_path(MODEL, stimuli, "penultimate")
    if damage == "flip":
        _flip_byte(target)
    elif damage == "width":
        np.save(target, np.ones((len(stimuli), 3), np.float32))
    elif damage == "random":
        np.save(target, np.random.default_rng(1).standard_normal(truth.shape).astype(np.float32))
    elif damage == "truncate":
        target.write_bytes(target.read_bytes()[:100])
    else:
        target.with_suffix(".json").unlink()
    capsys.readouterr()
    calls = _count_forward(monkeypatch)
    again = _extract(stimuli)
    assert calls["n"] == 4  # recomputed, not reused
    np.testing.assert_array_equal(again, truth)
    assert f"recomputing {target}" in capsys.readouterr().err
    calls["n"] = 0
    np.testing.assert_array_equal(_extract(stimuli), truth)  # and verified on the next call
    assert calls["n"] == 0


@pytest.mark.parametrize("damage", ["nan", "flip", "wrong_rows"])
def test_damaged_partial_batch_is_recomputed(stimuli, monkeypatch, capsys, damage):
    truth = _extract(stimuli, cache=False)
    calls = _interrupt_third_batch(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        _extract(stimuli)
    part = features.cache_path(MODEL, stimuli, "penultimate").with_suffix(".partial") / "00000000-2.npy"
    if damage == "nan":
        values = np.load(part)
        values[0, 0] = np.nan
        np.save(part, values)
    elif damage == "flip":
        _flip_byte(part)
    else:
        np.save(part, np.zeros((1, truth.shape[1]), np.float32))
    calls["n"] = -100
    resumed = _extract(stimuli)
    assert calls["n"] == -100 + 3  # the damaged batch ran again with the two unfinished ones
    np.testing.assert_allclose(resumed, truth, rtol=1e-5, atol=1e-5)
    assert f"recomputing {part}" in capsys.readouterr().err


def test_unwritable_cache_fails_before_any_model_work(stimuli, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("HUMANALIGN_CACHE", str(blocker))
    monkeypatch.setattr(features, "load_model", lambda *a, **k: pytest.fail("model loaded"))
    with pytest.raises(DataError, match=rf"cache folder {blocker}.*cannot be written.*HUMANALIGN_CACHE"):
        _extract(stimuli)
    assert blocker.read_text().startswith("a file")


def test_recorded_features_are_checked_later(stimuli):
    with cache.record_use() as used:
        _extract(stimuli)
    assert len(used) == 1 and cache.check_recorded(used) is None
    with cache.record_use() as again:
        _extract(stimuli)  # read from the cache: recorded as well
    assert again == used
    target = features.cache_path(MODEL, stimuli, "penultimate")
    _flip_byte(target)
    assert "have changed" in cache.check_recorded(used)
    _extract(stimuli)  # recomputed to the same values: the recorded features stand again
    assert cache.check_recorded(used) is None
    changed = {k: {**v, "versions": {**v["versions"], "torch": "0.0"}} for k, v in used.items()}
    assert "libraries" in cache.check_recorded(changed)
    assert cache.check_recorded([]) is not None


def test_reading_cached_results_does_not_import_torch():
    # Every chapter of a warm build reads cached features and scores only; torch's import
    # alone costs seconds per chapter, so the study layer must not pull it in.
    import subprocess
    import sys

    code = "import sys, humanalign.study, humanalign.features; print(sorted(m for m in sys.modules if m == 'torch'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
