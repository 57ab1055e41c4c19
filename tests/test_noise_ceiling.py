"""The human noise ceiling, against a plain per-trial loop and the published number."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from conftest import needs_mirror

from humanalign.datasets import load_noise_ceiling_trials
from humanalign.measures import noise_ceiling, triplet_groups


def _loop(trials, variant):
    groups = {}
    for row in trials:
        groups.setdefault(tuple(sorted(row)), []).append(row[2])
    total = 0.0
    for answers in groups.values():
        counts = Counter(answers)
        if variant == "modal":
            mode = max(counts, key=counts.get)
            total += sum(ans == mode for ans in answers)
            continue
        for ans in answers:
            others = counts.copy()
            others[ans] -= 1
            top = max(others.values())
            modes = [k for k, v in others.items() if v == top]
            total += (ans in modes and top > 0) / len(modes)
    return total / len(trials)


def _simulated_trials(rng, n_triplets=60):
    rows = []
    for _ in range(n_triplets):
        objs = rng.choice(50, 3, replace=False)
        p = rng.dirichlet([1, 1, 1])
        for _ in range(rng.integers(1, 12)):
            odd = rng.choice(3, p=p)
            rest = [objs[k] for k in range(3) if k != odd]
            order = rng.permutation(2)
            rows.append([rest[order[0]], rest[order[1]], objs[odd]])
    return np.array(rows)


@pytest.mark.parametrize("variant", ["modal", "leave_one_out"])
def test_matches_plain_loop(rng, variant):
    for _ in range(5):
        trials = _simulated_trials(rng)
        assert noise_ceiling(trials, variant=variant) == pytest.approx(_loop(trials, variant))


def test_unanimous_and_split_answers():
    same = np.array([[0, 1, 2]] * 4)
    assert noise_ceiling(same) == 1.0
    assert noise_ceiling(same, variant="leave_one_out") == 1.0
    split = np.array([[0, 1, 2], [1, 2, 0], [0, 2, 1]])
    assert noise_ceiling(split) == pytest.approx(1 / 3)


def test_triplet_ids_checked(rng):
    trials = _simulated_trials(rng)
    ids = triplet_groups(trials)
    assert noise_ceiling(trials, ids) == noise_ceiling(trials)
    with pytest.raises(ValueError, match="different objects"):
        noise_ceiling(trials, np.zeros(len(trials), dtype=int))
    with pytest.raises(ValueError, match="one per trial"):
        noise_ceiling(trials, ids[:-1])
    with pytest.raises(ValueError, match="variant"):
        noise_ceiling(trials, variant="median")
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        noise_ceiling(np.zeros((0, 3)))


@needs_mirror
def test_things_ceiling_reproduces_published_value():
    trials = load_noise_ceiling_trials()
    ceiling = noise_ceiling(trials.triplets, trials.triplet_id)
    assert ceiling == pytest.approx(0.6722, abs=0.005)
    assert noise_ceiling(trials.triplets, trials.triplet_id, variant="leave_one_out") < ceiling


@pytest.mark.parametrize("trials, message", [
    (np.array([[0.0, 1.0, np.nan]] * 3), "non-integer"),
    (np.array([[0.5, 1.0, 2.0]] * 3), "non-integer"),
    (np.array([[0, -1, 2]] * 3), "negative"),
    (np.array([[0, 1, 1]] * 3), "names one object twice"),
    (np.array([["a", "b", "c"]] * 3), "integer object indices"),
])
def test_bad_trials_are_refused(trials, message):
    with pytest.raises(ValueError, match=message):
        noise_ceiling(trials)


@pytest.mark.parametrize("variant", ["modal", "leave_one_out"])
def test_triplets_never_repeated_give_no_ceiling(rng, variant):
    # Every triplet answered once: people cannot be compared (this used to give 1.0 or 0.0).
    trials = np.array([rng.permutation(30)[:3] for _ in range(40)])
    trials = trials[np.unique(np.sort(trials, axis=1), axis=0, return_index=True)[1]]
    with pytest.raises(ValueError, match="answered more than once"):
        noise_ceiling(trials, variant=variant)
    with pytest.raises(ValueError, match="triplet_id holds NaN"):
        noise_ceiling(np.array([[0, 1, 2]] * 2), np.array([np.nan, np.nan]))
