"""The synthetic study: procedural images, a planted embedding, triplets simulated from it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from humanalign.config import settings
from humanalign.datasets.synthetic import (
    COLOURS,
    SHAPES,
    SIZES,
    draw_shape,
    make_synthetic,
    planted_embedding,
)


def test_planted_embedding_matches_plain_loop(rng):
    n = 20
    shape, colour, size = rng.integers(0, 3, n), rng.integers(0, 4, n), rng.integers(0, 3, n)
    emb = planted_embedding(shape, colour, size, weights=(2.0, 3.0, 0.5))
    for i in range(n):
        row = np.zeros(8)
        row[shape[i]] = 2.0
        row[3 + colour[i]] = 3.0
        row[7] = 0.5 * size[i] / 2
        assert np.array_equal(emb[i], row)
    assert (emb >= 0).all()


def test_planted_embedding_rejects_bad_factors():
    with pytest.raises(ValueError, match="shape indices must lie in 0..2"):
        planted_embedding([3], [0], [0])
    with pytest.raises(ValueError, match="equal-length"):
        planted_embedding([0, 1], [0], [0])
    with pytest.raises(ValueError, match="non-negative"):
        planted_embedding([0], [0], [0], weights=(-1.0, 1.0, 1.0))


def test_draw_shape_draws_the_factors():
    img = np.asarray(draw_shape("square", COLOURS["red"], 0.5, image_size=40))
    assert img.shape == (40, 40, 3)
    assert tuple(img[20, 20]) == COLOURS["red"] and tuple(img[2, 2]) == (128, 128, 128)
    area = {s: (np.asarray(draw_shape(s, COLOURS["blue"], 0.8, 64)) != 128).any(-1).mean() for s in SHAPES}
    # Square > circle (pi/4 of it) > triangle (half of it): the shapes differ in the pixels.
    assert area["square"] > area["circle"] > area["triangle"] > 0
    small = (np.asarray(draw_shape("circle", COLOURS["green"], SIZES[0], 64)) != 128).any(-1).mean()
    assert small < area["circle"]
    with pytest.raises(ValueError, match="Unknown shape"):
        draw_shape("star", (0, 0, 0), 0.5)
    with pytest.raises(ValueError, match="size must lie"):
        draw_shape("circle", (0, 0, 0), 1.5)


def test_make_synthetic_images_factors_and_triplets():
    study = make_synthetic(n_objects=40, n_triplets=3000, image_size=32, seed=1)
    stim, emb, trip = study.stimuli, study.embedding, study.triplets
    assert len(stim) == 40 and emb.shape == (40, 8) and trip.n_objects == 40 and len(trip) == 3000
    assert trip.simulated and "planted" in trip.source
    # The first 36 objects cover the full factorial design once.
    combos = set(zip(stim.labels["shape"][:36], stim.labels["colour"][:36], stim.labels["size"][:36]))
    assert len(combos) == 36
    colour_names = list(COLOURS)
    for path, colour in zip(stim.paths, stim.labels["colour"]):
        pixels = np.asarray(Image.open(path).convert("RGB")).reshape(-1, 3)
        painted = pixels[(pixels != 128).any(1)]
        assert path.is_relative_to(settings().data_dir / "synthetic")
        assert np.all(painted == COLOURS[colour_names[colour]])
    assert np.array_equal(emb, planted_embedding(stim.labels["shape"], stim.labels["colour"], stim.labels["size"]))
    # The simulated choices follow the planted structure: the model's most similar pair
    # wins far more often than chance (1/3).
    t = trip.indices
    sims = np.stack([np.sum(emb[t[:, 0]] * emb[t[:, 1]], 1), np.sum(emb[t[:, 0]] * emb[t[:, 2]], 1),
                     np.sum(emb[t[:, 1]] * emb[t[:, 2]], 1)], axis=1)
    clear = np.sort(sims, 1)[:, -1] > np.sort(sims, 1)[:, -2] + 1
    assert (sims[clear].argmax(1) == 0).mean() > 0.8


def test_make_synthetic_is_seeded_and_written_once():
    a = make_synthetic(n_objects=12, n_triplets=100, image_size=24, seed=5)
    mtime = a.stimuli.paths[0].stat().st_mtime_ns
    b = make_synthetic(n_objects=12, n_triplets=100, image_size=24, seed=5)
    assert a.stimuli.paths == b.stimuli.paths and b.stimuli.paths[0].stat().st_mtime_ns == mtime
    assert np.array_equal(a.triplets.indices, b.triplets.indices)
    c = make_synthetic(n_objects=12, n_triplets=100, image_size=24, seed=6)
    assert c.stimuli.paths[0].parent != a.stimuli.paths[0].parent
    assert not np.array_equal(a.triplets.indices, c.triplets.indices)
    with pytest.raises(ValueError, match="n_objects"):
        make_synthetic(n_objects=2)
    with pytest.raises(ValueError, match="image_size"):
        make_synthetic(image_size=8)
