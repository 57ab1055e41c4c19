"""The probe-vs-Adam benchmark: its planted sampler against a loop, and a --quick run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_probe.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_probe", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_sample_triplets_follows_the_softmax_choice_model(bench):
    rng = np.random.default_rng(0)
    e = rng.normal(size=(5, 2)) * 1.5
    sim = e @ e.T
    t = bench.sample_triplets(sim, 200_000, seed=3, chunk=30_000)
    assert t.shape == (200_000, 3) and t.dtype == np.int64
    assert all(len(set(row)) == 3 for row in t[:2000].tolist()) and t.min() >= 0 and t.max() < 5
    np.testing.assert_array_equal(t, bench.sample_triplets(sim, 200_000, seed=3, chunk=30_000))
    # Plain reference, one object set at a time: how often each pair is put first.
    sets = np.sort(t, axis=1)
    for objects in [(0, 1, 2), (1, 3, 4), (0, 2, 4)]:
        rows = t[(sets == objects).all(axis=1)]
        a, b, c = objects
        pairs = [(a, b), (a, c), (b, c)]
        logits = np.array([sim[i, j] for i, j in pairs])
        expected = np.exp(logits - logits.max())
        expected /= expected.sum()
        observed = [np.mean([set(r[:2]) == set(pair) for r in rows.tolist()]) for pair in pairs]
        np.testing.assert_allclose(observed, expected, atol=0.03)


def test_quick_run_prints_one_table_and_the_ratios(bench, capsys):
    rows = bench.main(["--quick", "--device", "cpu"])
    out = capsys.readouterr().out
    assert "== side by side (one run) ==" in out and "load average before" in out and "load average after" in out
    methods = [r["method"] for r in rows]
    assert methods == ["(a) L-BFGS, ours", "(b) Adam, paper recipe", "(c) Adam to our loss",
                       "(d) Adam to our objective", "planted W* (reference)"]
    a, b, c, d, ref = rows
    assert a["seconds"] > 0 and b["seconds"] > 0 and c["seconds"] > 0 and d["seconds"] > 0
    # No method beats the optimum of the objective they share (our fit is converged here).
    assert a["objective"] <= min(b["objective"], c["objective"], d["objective"]) + 1e-3
    # Our probe fits the planted problem: near the planted W's own held-out loss.
    assert a["loss"] < ref["loss"] + 0.05 and a["dist"] < 0.5
    assert out.count("/ ours =") == 3
    assert "starts agree" in out or "starts DISAGREE" in out
