"""The command line: models, extract, accuracy, book."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
from conftest import needs_mirror
from PIL import Image

from humanalign import cli, datasets, study
from humanalign.datasets import Stimuli


def test_models_lists_registry(capsys):
    assert cli.main(["models", "--profile", "demo"]) == 0
    out = capsys.readouterr().out
    demo = study.read_profile_params("demo")["models"]
    assert "pypi/efficientnet_lite0.in1k" in out and f"{len(demo)} models" in out
    assert cli.main(["models"]) == 0
    assert f"{len(demo)} models" not in capsys.readouterr().out


def test_unknown_model_is_reported(capsys):
    assert cli.main(["extract", "--model", "pypi/efficientnet_lite7.in1k"]) == 2
    assert "Closest ids" in capsys.readouterr().err


def test_extract_writes_cache(tmp_path, monkeypatch, capsys):
    path = tmp_path / "a.png"
    Image.fromarray(np.zeros((32, 32, 3), dtype=np.uint8)).save(path)
    toy = Stimuli("toy", ("a",), (path,))
    monkeypatch.setattr(cli, "load_stimuli", lambda name: toy)
    code = cli.main(["extract", "--model", "untrained/mobilenetv2_100.seed0", "--quiet", "--num-workers", "0"])
    assert code == 0
    out = capsys.readouterr().out
    assert "1 x 1280" in out and ".npy" in out


def test_unknown_dataset(capsys):
    # The command line and the loaders share one vocabulary of stimulus sets.
    with pytest.raises(SystemExit):
        cli.main(["extract", "--model", "untrained/mobilenetv2_100.seed0", "--dataset", "imagenet"])
    assert "things-demo" in capsys.readouterr().err
    with pytest.raises(ValueError, match="Unknown stimuli data set 'imagenet'"):
        datasets.load_stimuli("imagenet")


def test_profile_prints_a_shipped_profile(capsys):
    assert cli.main(["profile", "demo"]) == 0
    text = capsys.readouterr().out
    assert "dataset: things-demo" in text and "pypi/efficientnet_lite0.in1k" in text
    assert cli.main(["profile", "nope"]) == 2
    assert "Shipped profiles: ['demo', 'full']" in capsys.readouterr().err


def test_book_is_passed_on(monkeypatch):
    seen = {}
    fake = types.ModuleType("humanalign.book")
    fake.main = lambda argv: seen.setdefault("argv", argv) and 0
    monkeypatch.setattr(cli, "book", fake)
    assert cli.main(["book", "--profile", "demo"]) == 0
    assert seen["argv"] == ["--profile", "demo"]


@needs_mirror
def test_accuracy_prints_top1(capsys):
    assert cli.main(["accuracy", "--model", "litert/mobilenet_v1_025_128.quant_in1k", "--quiet"]) == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.startswith("litert/"))
    assert 0.35 <= float(line.split()[1]) <= 1.0


# --- mistakes a user makes at the command line: one clear line and a non-zero exit -----


def _toy(tmp_path, monkeypatch):
    path = tmp_path / "a.png"
    Image.fromarray(np.zeros((32, 32, 3), dtype=np.uint8)).save(path)
    monkeypatch.setattr(datasets, "load_stimuli", lambda name: Stimuli("toy", ("a",), (path,)))


@pytest.mark.parametrize("device", ["banana", "tpu", "cuda:7"])
def test_bad_device_is_one_line_before_any_work(device, tmp_path, monkeypatch, capsys):
    _toy(tmp_path, monkeypatch)
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    code = cli.main(["extract", "--model", "litert/mobilenet_v1_025_128.quant_in1k", "--device", device, "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and f"--device '{device}' is not" in err and "Traceback" not in err


@pytest.mark.parametrize("name, value", [("HUMANALIGN_DEVICE", "tpu"), ("HUMANALIGN_OFFLINE", "maybe")])
def test_bad_environment_is_one_line(name, value, monkeypatch, capsys):
    monkeypatch.setenv(name, value)
    assert cli.main(["extract", "--model", "untrained/mobilenetv2_100.seed0"]) == 2
    assert f"{name}={value!r}" in capsys.readouterr().err


def test_unwritable_cache_is_one_line_before_any_model_work(tmp_path, monkeypatch, capsys):
    _toy(tmp_path, monkeypatch)
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("x")
    monkeypatch.setenv("HUMANALIGN_CACHE", str(blocker))
    monkeypatch.setattr("humanalign.features.load_model", lambda *a, **k: pytest.fail("model loaded"))
    assert cli.main(["extract", "--model", "untrained/mobilenetv2_100.seed0", "--quiet"]) == 2
    assert "cannot be written" in capsys.readouterr().err


def test_missing_data_file_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("HUMANALIGN_OFFLINE", "1")
    monkeypatch.setenv("HUMANALIGN_MIRRORS", "")
    assert cli.main(["extract", "--model", "untrained/mobilenetv2_100.seed0", "--dataset", "things", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Could not find" in err and "Traceback" not in err
