"""The offline demo study: a THINGS photo for 1849 concepts, and triplets simulated from VICE
for fitting the probe."""

from __future__ import annotations

import ast
import math

import numpy as np
import pytest

from conftest import needs_mirror
from humanalign.fetch import fetch
from humanalign.sources import get_resource
from humanalign.datasets.demo import imagenet_wnids, load_demo_stimuli, load_demo_triplets, missing_demo_concepts, simulate_triplets
from humanalign.datasets.things import load_concepts, load_vice


def choice_probabilities_by_loop(emb: np.ndarray, a: int, b: int, c: int) -> dict[int, float]:
    """Reference: P(odd one out = x) under the softmax choice model, one term at a time."""
    def dot(i, j):
        return sum(float(emb[i, d]) * float(emb[j, d]) for d in range(emb.shape[1]))

    weights = {c: math.exp(dot(a, b)), b: math.exp(dot(a, c)), a: math.exp(dot(b, c))}
    total = sum(weights.values())
    return {k: v / total for k, v in weights.items()}


def check_choice_frequencies(emb: np.ndarray, n: int, seed: int, tol: float) -> None:
    trip = simulate_triplets(emb, n, seed=seed)
    key = np.sort(trip.indices, axis=1)
    for triple in np.unique(key, axis=0):
        rows = np.all(key == triple, axis=1)
        expected = choice_probabilities_by_loop(emb, *triple.tolist())
        odd = trip.indices[rows, 2]
        for obj, p in expected.items():
            assert abs(np.mean(odd == obj) - p) < tol, (triple, obj)


def test_choice_frequencies_follow_the_softmax_model(rng):
    emb = rng.gamma(1.0, 0.7, size=(4, 3))  # non-negative, like VICE
    check_choice_frequencies(emb, 40_000, seed=1, tol=0.02)


def test_simulated_triplets_are_seeded_and_flagged(rng):
    emb = rng.random((10, 4))
    a, b = simulate_triplets(emb, 300, seed=7), simulate_triplets(emb, 300, seed=7)
    assert np.array_equal(a.indices, b.indices)
    assert not np.array_equal(a.indices, simulate_triplets(emb, 300, seed=8).indices)
    assert a.simulated and a.n_objects == 10 and len(a) == 300
    assert (np.sort(a.indices, 1)[:, :-1] != np.sort(a.indices, 1)[:, 1:]).all()  # three distinct objects
    with pytest.raises(ValueError, match="at least 3 objects"):
        simulate_triplets(emb[:2], 5)


def test_a_dominant_pair_is_always_kept_together():
    emb = np.array([[5.0, 0.0], [5.0, 0.0], [0.0, 0.1]])
    odd = simulate_triplets(emb, 200, seed=0).indices[:, 2]
    assert np.all(odd == 2)


def test_imagenet_class_index_is_sorted_wnid_order():
    wnids = imagenet_wnids()
    assert len(wnids) == 1000 and list(wnids) == sorted(wnids) and wnids[1] == "n01443537"


@needs_mirror
def test_demo_has_a_things_photo_for_1849_concepts_and_names_the_five_without():
    stim = load_demo_stimuli()
    assert len(stim) == 1849 and stim.name == "things-demo"
    concepts = load_concepts()
    missing = missing_demo_concepts()
    assert missing == ["baton3", "file2", "punch2", "shell3", "stove2"]
    # Every other concept, in concept order, each with its own photo and its original name.
    assert list(stim.ids) == [u for u in concepts["uniqueID"] if u not in missing]
    assert list(stim.labels["concept_index"]) == [i for i, u in enumerate(concepts["uniqueID"]) if u not in missing]
    for uid, path, name in zip(stim.ids, stim.paths, stim.labels["things_file"]):
        assert path.name == f"{uid}.jpg" and name.endswith(".jpg")
    assert sum(n.endswith("b.jpg") for n in stim.labels["things_file"]) == 1640
    # The ImageNet class of a concept whose WordNet ID is one, -1 otherwise.
    wnids = imagenet_wnids()
    names = ast.literal_eval(fetch(get_resource("imagenet/imagenet1000_classes.txt")).read_text())
    labelled = [(w, i) for w, i in zip(stim.labels["wnid"], stim.labels["imagenet_index"]) if i >= 0]
    assert len(labelled) == 333 and all(wnids[i] == w for w, i in labelled)
    assert all(w not in set(wnids) for w, i in zip(stim.labels["wnid"], stim.labels["imagenet_index"]) if i < 0)
    row = stim.ids.index("accordion")
    assert names[stim.labels["imagenet_index"][row]].startswith("accordion")


@needs_mirror
def test_demo_triplets_follow_vice():
    trip = load_demo_triplets(n_triplets=2000, seed=3)
    again = load_demo_triplets(n_triplets=2000, seed=3)
    assert np.array_equal(trip.indices, again.indices)
    assert trip.simulated and "simulated" in trip.source and "VICE" in trip.source
    assert trip.n_objects == 1849 and trip.indices.max() < 1849
    # Choice frequencies match the VICE model on three real demo concepts.
    rows = list(load_demo_stimuli().labels["concept_index"])
    vice = load_vice()[rows]
    check_choice_frequencies(vice[[0, 57, 200]], 30_000, seed=0, tol=0.02)
