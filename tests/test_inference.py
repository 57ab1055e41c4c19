"""The inference layer: two-way RSA bootstrap and concept bootstrap against plain loops, and
on planted populations where resampling one side only is overconfident."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from humanalign.measures import inference


def _rdm(x: np.ndarray) -> np.ndarray:
    d = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    return d


def _world(rng, n_objects: int):
    """A population of objects: five features people see, five more that only model 1 sees."""
    return rng.normal(size=(n_objects, 10))


def _sample(rng, latent, n_images: int, n_people: int, noise: float = 0.3):
    """A study: images drawn from the population, people who see its features with noise, and
    two models that are fixed functions of each object."""
    x = latent[rng.choice(len(latent), n_images, replace=False)]
    seen = x[:, :5]
    people = np.stack([_rdm(seen + noise * rng.normal(size=seen.shape)) for _ in range(n_people)])
    w = np.array([2.0, 1.0, 0.5, 0.2, 0.1])
    models = np.stack([_rdm(seen * w), _rdm(seen + 1.5 * x[:, 5:])])
    return models, people


def _plain_two_way(models, people, n_boot, seed, key=None):
    """The two-way bootstrap written out: draw people and images, rank the drawn pairs anew."""
    n, p = people.shape[1], len(people)
    images = inference.image_draws(n, n_boot, seed)
    whom = inference.people_draws(p, n_boot, seed, inference.data_key(people) if key is None else key)
    rows, cols = np.triu_indices(n, k=1)
    out = np.empty((n_boot, len(models)))
    for b in range(n_boot):
        who, idx = whom[b], images[b]
        keep = idx[rows] != idx[cols]
        ia, ib = idx[rows][keep], idx[cols][keep]
        for k in range(len(models)):
            out[b, k] = np.mean([spearmanr(models[k][ia, ib], people[j][ia, ib])[0] for j in who])
    return out


def test_two_way_bootstrap_matches_a_plain_loop(rng):
    models, people = _sample(rng, _world(rng, 40), 12, 4)
    fast = inference.rsa_two_way_bootstrap(models, people, n_boot=5, seed=3)
    assert fast == pytest.approx(_plain_two_way(models, people, 5, 3), abs=1e-12)


def test_two_way_bootstrap_handles_ties_as_rankdata_does(rng):
    models, people = _sample(rng, _world(rng, 40), 12, 4)
    people = np.round(people)  # judgements on a coarse scale: many ties
    models = np.round(models * 2) / 2
    fast = inference.rsa_two_way_bootstrap(models, people, n_boot=4, seed=8)
    assert fast == pytest.approx(_plain_two_way(models, people, 4, 8), abs=1e-12)


def test_without_resampling_it_is_the_mean_rsa(rng):
    models, people = _sample(rng, _world(rng, 30), 10, 3)
    out = inference.rsa_two_way_bootstrap(models, people, n_boot=2, people=False, images=False)
    rows, cols = np.triu_indices(10, k=1)
    expected = [np.mean([spearmanr(m[rows, cols], p[rows, cols])[0] for p in people]) for m in models]
    assert out[0] == pytest.approx(expected) and out[1] == pytest.approx(expected)


def test_resampling_people_only_is_overconfident_about_objects():
    """Across fresh samples of images from one population, the statistic varies far more than
    a people-only bootstrap says; the two-way bootstrap's spread is of the right size."""
    rng = np.random.default_rng(11)
    latent = _world(rng, 500)
    truth = []
    for _ in range(40):
        models, people = _sample(rng, latent, 24, 6)
        truth.append(inference.rsa_two_way_bootstrap(models, people, n_boot=1, people=False, images=False)[0])
    truth = np.array(truth)
    spread = (truth[:, 0] - truth[:, 1]).std()
    models, people = _sample(rng, latent, 24, 6)
    def sd(**sides):
        out = inference.rsa_two_way_bootstrap(models, people, n_boot=300, seed=1, **sides)
        return (out[:, 0] - out[:, 1]).std()
    people_only, both = sd(images=False), sd()
    assert people_only < 0.5 * spread
    assert 0.6 * spread < both < 2.0 * spread


def test_shared_bootstrap_draws_the_images_once_for_every_data_set(rng):
    latent = _world(rng, 40)
    models, judged = _sample(rng, latent, 12, 5)
    _, scanned = _sample(np.random.default_rng(5), latent, 12, 3)
    a, b = inference.rsa_shared_bootstrap([(models, judged), (models[:1], scanned)], n_boot=6, seed=2)
    # Each data set on its own, with the same seed, sees the same draws: the images are
    # shared, the people are each data set's own.
    assert a == pytest.approx(_plain_two_way(models, judged, 6, 2), abs=1e-12)
    assert b == pytest.approx(_plain_two_way(models[:1], scanned, 6, 2), abs=1e-12)
    # With the people held fixed, two copies of one data set get identical resamples.
    same = inference.rsa_shared_bootstrap([(models, judged), (models, judged.copy())], n_boot=6, seed=2,
                                          people=False)
    assert np.array_equal(same[0], same[1])


def test_draws_depend_on_the_seed_and_the_units_only():
    assert np.array_equal(inference.image_draws(92, 5, 3), inference.image_draws(92, 5, 3))
    assert not np.array_equal(inference.image_draws(92, 5, 3), inference.image_draws(92, 5, 4))
    # Two panels of other people are drawn independently even when they are the same size.
    assert not np.array_equal(inference.people_draws(4, 50, 3, key=1), inference.people_draws(4, 50, 3, key=2))
    a, b = np.zeros((3, 4, 4)), np.ones((3, 4, 4))
    assert inference.data_key(a) != inference.data_key(b) and inference.data_key(a) == inference.data_key(a.copy())


def test_two_way_bootstrap_refuses_bad_input(rng):
    models, people = _sample(rng, _world(rng, 20), 8, 3)
    with pytest.raises(ValueError, match="at least 2"):
        inference.rsa_two_way_bootstrap(models, people[:1])
    with pytest.raises(ValueError, match="cover"):
        inference.rsa_two_way_bootstrap(models[:, :7, :7], people)
    with pytest.raises(ValueError, match="n_boot"):
        inference.rsa_two_way_bootstrap(models, people, n_boot=0)


# --------------------------------------------------------------------------- concepts


def _triplets(rng, n_concepts: int, n: int) -> np.ndarray:
    return np.stack([rng.choice(n_concepts, 3, replace=False) for _ in range(n)])


def test_concept_bootstrap_matches_a_plain_loop(rng):
    objects = _triplets(rng, 15, 200)
    correct = rng.random((200, 3)) < 0.6
    fast = inference.concept_bootstrap(correct, objects, n_boot=4, seed=5)
    again = np.random.default_rng(5)
    present = np.unique(objects)
    for b in range(4):
        times = dict(zip(present, np.bincount(again.integers(0, len(present), size=len(present)), minlength=len(present))))
        w = np.array([times[a] * times[c] * times[d] for a, c, d in objects], dtype=float)
        assert fast[b] == pytest.approx(w @ correct / w.sum())
    one = inference.concept_bootstrap(correct[:, 0], objects, n_boot=4, seed=5)
    assert one.shape == (4,) and one == pytest.approx(fast[:, 0])


def test_concept_bootstrap_per_label_matches_a_plain_loop(rng):
    objects = _triplets(rng, 12, 300)
    correct = (rng.random((300, 2)) < 0.6).astype(float)
    labels = rng.integers(0, 3, size=300)
    fast = inference.concept_bootstrap(correct, objects, n_boot=3, seed=2, labels=labels, n_labels=4)
    assert fast.shape == (3, 2, 4) and np.isnan(fast[:, :, 3]).all()  # label 3 has no triplet
    again = np.random.default_rng(2)
    present = np.unique(objects)
    for b in range(3):
        times = dict(zip(present, np.bincount(again.integers(0, len(present), size=len(present)), minlength=len(present))))
        w = np.array([times[a] * times[c] * times[d] for a, c, d in objects], dtype=float)
        for g in range(3):
            sel = labels == g
            assert fast[b, :, g] == pytest.approx(w[sel] @ correct[sel] / w[sel].sum())


def test_resampling_triplets_only_is_overconfident_when_concepts_differ():
    """Accuracy depends on the concepts (some are easy, some hard): a fresh set of concepts
    moves it more than a triplet bootstrap says; the concept bootstrap is of the right size."""
    rng = np.random.default_rng(2)
    ease = rng.normal(0, 1.2, size=2000)

    def study():
        concepts = rng.choice(2000, 60, replace=False)
        local = _triplets(rng, 60, 3000)
        p = 1 / (1 + np.exp(-(ease[concepts][local].mean(1))))
        return (rng.random(3000) < p).astype(float), local

    truth = np.array([study()[0].mean() for _ in range(60)])
    correct, objects = study()
    by_concept = inference.concept_bootstrap(correct, objects, n_boot=400, seed=0).std()
    by_triplet = np.sqrt(correct.mean() * (1 - correct.mean()) / len(correct))
    assert by_triplet < 0.5 * truth.std()
    assert 0.6 * truth.std() < by_concept < 2.0 * truth.std()


def test_concept_bootstrap_refuses_bad_input(rng):
    objects = _triplets(rng, 10, 20)
    with pytest.raises(ValueError, match="expected"):
        inference.concept_bootstrap(np.ones(20), objects[:19])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        inference.concept_bootstrap(np.full(20, 1.5), objects)
    with pytest.raises(ValueError, match="non-negative"):
        inference.concept_bootstrap(np.ones(20), objects - 5)


# --------------------------------------------------------------------------- intervals


def test_interval_and_bad_intervals():
    assert inference.interval(np.r_[np.arange(101.0), np.nan]) == pytest.approx((2.5, 97.5))
    with pytest.raises(ValueError):
        inference.interval([np.nan])


# --------------------------------------------------------------------------- noise ceiling


def _plain_ceiling(people, n_boot, seed):
    """The ceiling's resamples written out: expand the drawn pairs, pool ranks of the drawn people."""
    from scipy.stats import rankdata

    n, p = people.shape[1], len(people)
    images = inference.image_draws(n, n_boot, seed)
    whom = inference.people_draws(p, n_boot, seed, inference.data_key(people))
    rows, cols = np.triu_indices(n, k=1)
    out = np.empty((n_boot, 2))
    for b in range(n_boot):
        idx = images[b]
        keep = idx[rows] != idx[cols]
        ia, ib = idx[rows][keep], idx[cols][keep]
        ranks = {j: rankdata(people[j][ia, ib]) for j in set(whom[b])}
        lower, upper = [], []
        distinct = sorted(set(whom[b]))  # each person drawn stands once in a pool
        everyone = np.mean([ranks[j] for j in distinct], axis=0)
        for i in whom[b]:
            others = [ranks[j] for j in distinct if j != i]
            if not others:
                continue
            lower.append(spearmanr(people[i][ia, ib], np.mean(others, axis=0))[0])
            upper.append(spearmanr(people[i][ia, ib], everyone)[0])
        out[b] = np.mean(lower), np.mean(upper)
    return out


def test_noise_ceiling_bootstrap_matches_a_plain_loop(rng):
    _, people = _sample(rng, _world(rng, 40), 11, 4)
    fast = inference.noise_ceiling_bootstrap(people, n_boot=5, seed=7)
    assert fast == pytest.approx(_plain_ceiling(people, 5, 7), abs=1e-12)


@pytest.mark.parametrize("method", ["spearman", "pearson"])
def test_noise_ceiling_without_resampling_is_the_ceiling(rng, method):
    from humanalign.measures import noise_ceiling_rsa

    _, people = _sample(rng, _world(rng, 30), 10, 5)
    out = inference.noise_ceiling_bootstrap(people, n_boot=1, method=method, people=False, images=False)[0]
    bounds = noise_ceiling_rsa(people, method)
    assert out == pytest.approx([bounds["lower"], bounds["upper"]], abs=1e-12)
