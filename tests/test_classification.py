"""Top-1 accuracy from logits and labels, against a plain loop; its argument checks."""

from __future__ import annotations

import numpy as np
import pytest

from humanalign.measures import top1_accuracy


def _plain_top1(logits, labels) -> float:
    hits = 0
    for row, label in zip(logits.tolist(), labels.tolist()):
        best = 0
        for k, value in enumerate(row):
            if value > row[best]:  # strictly greater: ties go to the first class, as argmax
                best = k
        hits += best == label
    return hits / len(labels)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equals_plain_loop(seed):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((57, 11)).astype(np.float32)
    labels = rng.integers(0, 11, 57)
    labels[:20] = logits[:20].argmax(1)  # some right answers for sure
    logits[30, :] = 0.0  # a tie: the first class wins in both
    assert top1_accuracy(logits, labels) == pytest.approx(_plain_top1(logits, labels), abs=0)


def test_recovers_planted_accuracy():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 1000, 200)
    logits = rng.standard_normal((200, 1000))
    logits[np.arange(150), labels[:150]] += 100.0  # the first 150 rows are right by design
    wrong = (labels[150:] + 1) % 1000
    logits[np.arange(150, 200), wrong] += 100.0
    assert top1_accuracy(logits, labels) == 0.75
    assert top1_accuracy(logits, list(labels)) == 0.75  # a plain sequence of labels works too


def test_bad_arguments_name_the_value():
    logits = np.zeros((4, 3), np.float32)
    with pytest.raises(ValueError, match=r"2-D.*\(12,\)"):
        top1_accuracy(logits.ravel(), np.zeros(12, int))
    with pytest.raises(ValueError, match=r"shape \(4,\).*\(5,\)"):
        top1_accuracy(logits, np.zeros(5, int))
    with pytest.raises(ValueError, match="integer class indices.*float64"):
        top1_accuracy(logits, np.zeros(4))
    with pytest.raises(ValueError, match=r"label 3 \(row 2\).*0 \.\. 2"):
        top1_accuracy(logits, np.array([0, 1, 3, 2]))
    with pytest.raises(ValueError, match=r"label -1 \(row 0\)"):
        top1_accuracy(logits, np.array([-1, 1, 2, 2]))
    bad = logits.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="first in row 1"):
        top1_accuracy(bad, np.zeros(4, int))
    with pytest.raises(ValueError, match="0 rows"):
        top1_accuracy(np.zeros((0, 3)), np.zeros(0, int))
