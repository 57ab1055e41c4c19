"""The GPU check script runs end to end at smoke sizes on a CPU and writes its table."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_check.py"


def _module():
    spec = importlib.util.spec_from_file_location("gpu_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_random_triplets_are_distinct_in_range_and_cover_objects():
    gpu_check = _module()
    t = gpu_check.random_triplets(7, 5000, seed=1)
    assert t.shape == (5000, 3) and t.dtype == np.int64
    assert t.min() >= 0 and t.max() < 7
    assert all(len({a, b, c}) == 3 for a, b, c in t.tolist())
    # Every object appears in every position (uniform draw, not a biased subset).
    for col in range(3):
        assert set(np.unique(t[:, col])) == set(range(7))
    np.testing.assert_array_equal(t, gpu_check.random_triplets(7, 5000, seed=1))


def test_smoke_run_writes_json_and_csv(tmp_path, capsys):
    gpu_check = _module()
    out = tmp_path / "check" / "gpu_check.json"
    report = gpu_check.main(["--smoke", "--device", "cpu", "--out", str(out)])
    printed = capsys.readouterr().out
    assert "probe grid" in printed and "extract" in printed
    saved = json.loads(out.read_text())
    assert saved["smoke"] is True and saved["hardware"]["device"] == "cpu" and saved["date"]
    tasks = [r["task"] for r in saved["rows"]]
    assert tasks.count("extract") == len(gpu_check.SMOKE_MODELS) and tasks.count("probe grid") == 2
    # Ours, the paper's Adam recipe, Adam to our loss and to our objective, the planted W.
    adam = [r for r in saved["rows"] if r["task"] == "probe vs adam"]
    assert [r["what"][:3] for r in adam] == ["(a)", "(b)", "(c)", "(d)", "pla"]
    assert adam[0]["rate"] == 1.0 and all(r["rate"] > 0 for r in adam[:4]) and adam[4]["seconds"] is None
    assert "/ ours =" in printed
    timed = [r for r in saved["rows"] if r["seconds"] is not None]
    assert all(r["status"].startswith("ok") and r["seconds"] > 0 for r in timed)
    with open(out.with_suffix(".csv")) as handle:
        assert len(list(csv.DictReader(handle))) == len(report["rows"])


def test_only_probe_vs_adam_skips_the_rest(tmp_path):
    gpu_check = _module()
    report = gpu_check.main(["--smoke", "--only", "probe-vs-adam", "--device", "cpu", "--out", str(tmp_path / "g.json")])
    assert {r["task"] for r in report["rows"]} == {"probe vs adam"}
