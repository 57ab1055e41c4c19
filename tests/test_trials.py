"""Repeated real answers: the crossed bootstrap against a plain two-loop reference, the
most frequent answers, the folds that keep each real triplet whole, and a planted
population where resampling the triplets alone is overconfident."""

from __future__ import annotations

import numpy as np
import pytest

from humanalign import measures
from humanalign.measures import trials


def _answers(rng, n_triplets: int = 30, n_people: int = 12, per_person: int = 8, n_objects: int = 40):
    """A small crossed design: each person answers some distinct triplets, odd one out last."""
    objects = np.stack([rng.choice(n_objects, 3, replace=False) for _ in range(n_triplets)])
    rows, tid, who = [], [], []
    for person in range(n_people):
        for t in rng.choice(n_triplets, per_person, replace=False):
            odd = rng.integers(0, 3)
            keep = [k for k in range(3) if k != odd]
            rows.append([objects[t, keep[0]], objects[t, keep[1]], objects[t, odd]])
            tid.append(t)
            who.append(100 + 7 * person)  # ids need not be dense
    return np.array(rows), np.array(tid), np.array(who)


def _plain_crossed(values, tid, who, n_boot, seed):
    """The crossed bootstrap written out: per resample, draw the triplets and then the people
    (as multinomial counts, in that order), and weight every answer by both counts."""
    rng = np.random.default_rng(seed)
    t_ids, p_ids = np.unique(tid), np.unique(who)
    out = np.empty((n_boot, values.shape[1]))
    for b in range(n_boot):
        ct = rng.multinomial(len(t_ids), np.full(len(t_ids), 1 / len(t_ids)))
        cp = rng.multinomial(len(p_ids), np.full(len(p_ids), 1 / len(p_ids)))
        t_count = dict(zip(t_ids, ct))
        p_count = dict(zip(p_ids, cp))
        for k in range(values.shape[1]):
            num = den = 0.0
            for i in range(len(values)):
                w = t_count[tid[i]] * p_count[who[i]]
                num += w * values[i, k]
                den += w
            out[b, k] = num / den
    return out


def test_crossed_bootstrap_matches_a_plain_two_loop_reference(rng):
    answers, tid, who = _answers(rng)
    values = rng.integers(0, 2, size=(len(answers), 3)).astype(float)
    fast = measures.crossed_bootstrap(values, tid, who, n_boot=7, seed=5)
    assert fast.shape == (7, 3)
    assert fast == pytest.approx(_plain_crossed(values, tid, who, 7, 5), abs=1e-12)


def test_crossed_bootstrap_draws_do_not_depend_on_the_block_size(rng, monkeypatch):
    answers, tid, who = _answers(rng)
    values = rng.integers(0, 2, size=len(answers)).astype(float)
    whole = measures.crossed_bootstrap(values, tid, who, n_boot=9, seed=2)
    monkeypatch.setattr(trials, "_MAX_CELLS", len(values) * 2)  # blocks of two resamples
    assert measures.crossed_bootstrap(values, tid, who, n_boot=9, seed=2) == pytest.approx(whole, abs=1e-12)


def test_crossed_bootstrap_shares_draws_across_models_and_groups_by_label(rng):
    answers, tid, who = _answers(rng)
    a = rng.integers(0, 2, size=len(answers)).astype(float)
    b = rng.integers(0, 2, size=len(answers)).astype(float)
    together = measures.crossed_bootstrap(np.stack([a, b], 1), tid, who, n_boot=20, seed=4)
    assert together[:, 0] == pytest.approx(measures.crossed_bootstrap(a, tid, who, n_boot=20, seed=4))
    assert together[:, 1] == pytest.approx(measures.crossed_bootstrap(b, tid, who, n_boot=20, seed=4))
    labels = (tid % 2).astype(np.int64)
    grouped = measures.crossed_bootstrap(np.stack([a, b], 1), tid, who, n_boot=20, seed=4, labels=labels)
    assert grouped.shape == (20, 2, 2)
    plain = _plain_crossed(np.stack([a * (labels == 1), labels == 1], 1).astype(float), tid, who, 20, 4)
    # Within a label, the weighted mean is the weighted sum over that label's answers over their weight.
    assert grouped[:, 0, 1] == pytest.approx(plain[:, 0] / plain[:, 1], abs=1e-12)


def test_crossed_bootstrap_refuses_bad_input(rng):
    answers, tid, who = _answers(rng)
    with pytest.raises(ValueError, match="one row per answer"):
        measures.crossed_bootstrap(np.zeros(len(tid) - 1), tid, who)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        measures.crossed_bootstrap(np.full(len(tid), 2.0), tid, who)
    with pytest.raises(ValueError, match="n_boot"):
        measures.crossed_bootstrap(np.zeros(len(tid)), tid, who, n_boot=0)
    with pytest.raises(ValueError, match="must be"):
        measures.crossed_bootstrap(np.zeros(len(tid)), tid, who[:-1])


def test_resampling_people_as_well_widens_the_interval_when_people_differ(rng):
    """A planted population: some people agree with the model far more than others. Drawing
    the triplets alone treats the people as fixed and is overconfident about a new crowd."""
    n_t, n_p = 200, 40
    skill = np.where(np.arange(n_p) < n_p // 2, 0.8, 0.3)
    tid = np.repeat(np.arange(n_t), 10)
    who = np.concatenate([rng.choice(n_p, 10, replace=False) for _ in range(n_t)])
    correct = (rng.random(len(tid)) < skill[who]).astype(float)
    crossed = measures.crossed_bootstrap(correct, tid, who, n_boot=400, seed=0)
    # Triplets alone: every person counted once in every resample.
    triplets_only = measures.crossed_bootstrap(correct, tid, np.zeros_like(who), n_boot=400, seed=0)
    assert np.std(crossed) > 1.5 * np.std(triplets_only)


def test_modal_triplets_and_agreement_match_the_noise_ceiling(rng):
    answers, tid, who = _answers(rng, n_triplets=10, n_people=30, per_person=6)
    modal = measures.modal_triplets(answers, tid)
    for t in range(10):
        rows = answers[tid == t]
        objects = sorted(set(rows[0]))
        counts = {o: int((rows[:, 2] == o).sum()) for o in objects}
        best = max(counts.values())
        # The most frequent odd one out; among equals, the smallest object.
        assert modal[t, 2] == min(o for o in objects if counts[o] == best)
        assert list(modal[t, :2]) == sorted(o for o in objects if o != modal[t, 2])
    agree = measures.modal_agreement(answers, tid)
    assert agree.mean() == pytest.approx(measures.noise_ceiling(answers, tid))


def test_trial_folds_hold_out_every_object_of_each_fold_s_triplets(rng):
    answers, tid, _ = _answers(rng, n_triplets=40, n_objects=60)
    masks, fold = measures.trial_folds(60, answers, tid, n_folds=3, seed=1)
    assert masks.shape == (3, 60) and fold.shape == (len(answers),)
    for i, row in enumerate(answers):
        assert masks[fold[i], row].all()
    # Every answer to one triplet lies in one fold; the folds are about equal in triplets.
    assert all(len(set(fold[tid == t])) == 1 for t in np.unique(tid))
    per_fold = np.bincount([fold[tid == t][0] for t in np.unique(tid)])
    assert per_fold.max() - per_fold.min() <= 1
    # Objects in no triplet are never held out; the draw is seeded.
    unused = np.setdiff1d(np.arange(60), answers)
    assert not masks[:, unused].any()
    again, _ = measures.trial_folds(60, answers, tid, n_folds=3, seed=1)
    assert np.array_equal(masks, again)
    with pytest.raises(ValueError, match="cannot fill"):
        measures.trial_folds(60, answers[:1], tid[:1], n_folds=3)
