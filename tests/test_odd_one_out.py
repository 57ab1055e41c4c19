"""Zero-shot odd-one-out accuracy and bootstrap intervals, against plain loops."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import needs_mirror

from humanalign.datasets import Triplets, load_noise_ceiling_trials, load_vice
from humanalign.measures import (
    bootstrap_ci,
    object_similarity,
    odd_one_out_accuracy,
    odd_one_out_choices,
    odd_one_out_correct,
)


def _random_triplets(rng, n, size):
    rows = [rng.choice(n, size=3, replace=False) for _ in range(size)]
    return np.array(rows, dtype=np.int64)


def _loop_choice(x, t, similarity):
    def sim(i, j):
        u, v = x[i], x[j]
        if similarity == "cosine":
            return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
        return float(u @ v)

    out = []
    for a, b, c in t:
        pairs = {2: sim(a, b), 1: sim(a, c), 0: sim(b, c)}
        best = max(pairs.values())
        winners = [k for k, v in pairs.items() if v == best]
        out.append(winners[0] if len(winners) == 1 else -1)
    return np.array(out)


@pytest.mark.parametrize("similarity", ["cosine", "dot"])
def test_choices_match_plain_loop(rng, similarity):
    x = rng.normal(size=(40, 7))
    t = _random_triplets(rng, 40, 500)
    np.testing.assert_array_equal(odd_one_out_choices(x, t, similarity), _loop_choice(x, t, similarity))
    correct = odd_one_out_correct(x, t, similarity)
    assert odd_one_out_accuracy(x, t, similarity) == pytest.approx(correct.mean())


def test_small_chunks_give_same_answer(rng, monkeypatch):
    import humanalign.measures.odd_one_out as ooo

    x = rng.normal(size=(30, 5))
    t = _random_triplets(rng, 30, 1000)
    full = ooo.odd_one_out_choices(x, t)
    monkeypatch.setattr(ooo, "CHUNK", 7)
    sim = ooo.object_similarity(x)
    np.testing.assert_array_equal(ooo._choices_from_matrix(sim, t, chunk=7), full)


def test_ties_count_as_wrong():
    x = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    # [0, 1, 2]: (0, 1) is the unique most similar pair. [0, 2, 3] and [2, 3, 0]: the
    # pairs (0, 3) and (2, 3) tie for most similar, so the model has no unique choice.
    t = np.array([[0, 1, 2], [0, 2, 3], [2, 3, 0]])
    assert odd_one_out_choices(x, t, "dot").tolist() == [2, -1, -1]
    assert odd_one_out_correct(x, t, "dot").tolist() == [True, False, False]
    with pytest.warns(UserWarning, match=r"2 of 3 triplets \(66\.7%\) are ties"):
        assert odd_one_out_accuracy(x, t, "dot") == pytest.approx(1 / 3)
    # All three pairs equally similar: a full tie is wrong too.
    assert odd_one_out_correct(np.eye(3), np.array([[0, 1, 2]]), "cosine").tolist() == [False]


def test_features_that_tie_every_triplet_are_refused(rng):
    # Constant features used to score 0.0, as if the model chose wrong every time.
    t = rng.permuted(np.tile(np.arange(6), (50, 1)), axis=1)[:, :3]
    with pytest.raises(ValueError, match="Every one of the 50 triplets is a tie"):
        odd_one_out_accuracy(np.ones((6, 4)), t)


def test_planted_structure_is_recovered(rng):
    centres = rng.normal(size=(3, 10)) * 5
    labels = np.repeat(np.arange(3), 10)
    x = centres[labels] + rng.normal(size=(30, 10))
    # Two from one cluster, odd one from another: a clustered representation gets them all.
    t = np.array([[0, 1, 15], [12, 18, 25], [22, 29, 3]])
    assert odd_one_out_accuracy(x, t) == 1.0
    assert odd_one_out_accuracy(x, t[:, [0, 2, 1]]) == 0.0


def test_accepts_triplets_object_and_checks_it(rng):
    x = rng.normal(size=(10, 3))
    t = Triplets(np.array([[0, 1, 2], [3, 4, 5]]), 10, source="test")
    assert 0.0 <= odd_one_out_accuracy(x, t) <= 1.0
    with pytest.raises(ValueError, match="refer to 12 objects"):
        odd_one_out_accuracy(x, Triplets(np.array([[0, 1, 2]]), 12, source="test"))


def test_bad_input_is_named(rng):
    x = rng.normal(size=(10, 3))
    with pytest.raises(ValueError, match="outside 0..9"):
        odd_one_out_accuracy(x, np.array([[0, 1, 10]]))
    with pytest.raises(ValueError, match="repeats an object"):
        odd_one_out_accuracy(x, np.array([[0, 1, 1]]))
    bad = x.copy()
    bad[4, 1] = np.nan
    with pytest.raises(ValueError, match="row 4"):
        odd_one_out_accuracy(bad, np.array([[0, 1, 2]]))
    bad[4, 1] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        object_similarity(bad)
    zero = x.copy()
    zero[2] = 0
    with pytest.raises(ValueError, match="row 2 is all zeros"):
        odd_one_out_accuracy(zero, np.array([[0, 1, 2]]))
    with pytest.raises(ValueError, match="Unknown similarity"):
        odd_one_out_accuracy(x, np.array([[0, 1, 2]]), similarity="euclid")
    with pytest.raises(ValueError, match="No triplets"):
        odd_one_out_accuracy(x, np.zeros((0, 3), dtype=int))


def test_bootstrap_triplets_matches_resampling_loop(rng):
    correct = rng.random(400) < 0.6
    low, high = bootstrap_ci(correct, n_boot=4000, seed=1)
    loop = [correct[rng.integers(0, 400, 400)].mean() for _ in range(4000)]
    ref_low, ref_high = np.percentile(loop, [2.5, 97.5])
    assert low == pytest.approx(ref_low, abs=0.01)
    assert high == pytest.approx(ref_high, abs=0.01)
    assert low < correct.mean() < high
    assert bootstrap_ci(correct, seed=3) == bootstrap_ci(correct, seed=3)


def test_bootstrap_groups_match_loop(rng):
    correct = rng.random(300) < 0.5
    groups = rng.integers(0, 30, 300)
    low, high = bootstrap_ci(correct, n_boot=300, seed=5, groups=groups)
    # Same generator stream as the vectorised code: one (n_boot, k) draw.
    g = np.random.default_rng(5)
    ids = np.unique(groups)
    draw = g.integers(0, len(ids), size=(300, len(ids)))
    stats = []
    for row in draw:
        chosen = np.concatenate([np.flatnonzero(groups == ids[j]) for j in row])
        stats.append(correct[chosen].mean())
    assert (low, high) == pytest.approx(tuple(np.percentile(stats, [2.5, 97.5])))


def test_bootstrap_objects_match_loop(rng):
    t = _random_triplets(rng, 15, 200)
    correct = rng.random(200) < 0.5
    low, high = bootstrap_ci(correct, n_boot=50, seed=2, groups=t)
    g = np.random.default_rng(2)
    stats = []
    for _ in range(50):
        drawn = g.integers(0, 15, size=15)
        num = den = 0.0
        for row, ok in zip(t, correct):
            w = np.prod([np.sum(drawn == o) for o in row])
            num += w * ok
            den += w
        stats.append(num / den if den else np.nan)
    assert (low, high) == pytest.approx(tuple(np.nanpercentile(stats, [2.5, 97.5])))
    # Resampling objects adds variance: the interval is wider than for triplets alone.
    tl, th = bootstrap_ci(correct, n_boot=2000, seed=2)
    ol, oh = bootstrap_ci(correct, n_boot=2000, seed=2, groups=t)
    assert oh - ol > th - tl


def test_bootstrap_bad_input():
    with pytest.raises(ValueError, match="non-empty"):
        bootstrap_ci(np.array([]))
    with pytest.raises(ValueError, match="level"):
        bootstrap_ci(np.array([True, False]), level=1.5)
    with pytest.raises(ValueError, match="groups has shape"):
        bootstrap_ci(np.array([True, False]), groups=np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="0/1"):
        bootstrap_ci(np.array([0.5, 1.0]))


@needs_mirror
def test_vice_predicts_the_human_trials():
    trials = load_noise_ceiling_trials()
    acc = odd_one_out_accuracy(load_vice(), trials.triplets, similarity="dot")
    assert 0.63 <= acc <= 0.645
    low, high = bootstrap_ci(odd_one_out_correct(load_vice(), trials.triplets, "dot"),
                             groups=trials.triplet_id, seed=0)
    assert low < acc < high


@pytest.mark.parametrize("similarity", ["correlation", "euclidean"])
def test_other_similarities_against_a_plain_loop(similarity):
    from humanalign.measures import object_similarity, odd_one_out_choices

    rng = np.random.default_rng(4)
    x = rng.normal(size=(9, 5))

    def sim(a, b):
        if similarity == "euclidean":
            return -np.sqrt(((a - b) ** 2).sum())
        return np.corrcoef(a, b)[0, 1]

    plain = np.array([[sim(a, b) for b in x] for a in x])
    assert object_similarity(x, similarity) == pytest.approx(plain, abs=1e-5)  # features are float32
    triplets = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8], [1, 5, 7]])
    expected = []
    for a, b, c in triplets:
        pairs = {2: plain[a, b], 1: plain[a, c], 0: plain[b, c]}  # position left out -> its pair's similarity
        expected.append(max(pairs, key=pairs.get))
    assert odd_one_out_choices(x, triplets, similarity=similarity).tolist() == expected
