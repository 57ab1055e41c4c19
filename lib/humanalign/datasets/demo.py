"""The offline demo study: THINGS photos, the real choices people made on them, and
simulated triplets for fitting the probe.

The demo's images are one THINGS database photo for each of 1849 of the 1854 THINGS
concepts (:mod:`.photos`; five concepts have none in the public copies, and they are left
out, never replaced by another photo). People's real odd-one-out choices on these concepts
(the noise-ceiling set of the THINGS release) decide every THINGS claim. Fitting a linear
probe needs many more triplets than those, and no other real triplets reach an offline
machine, so the probe is fitted on triplets whose choices are **simulated** from the VICE
embedding (fitted on 1.46 M real triplets): the objects are drawn at random and the odd one
out is sampled from the VICE choice model, in which the probability that a pair is judged
most similar is the softmax of the three pairwise dot products.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np

from ..config import Settings
from ..errors import DataError
from ..fetch import fetch
from ..sources import demo_resources
from .photos import original_name, things_photos
from .things import load_concepts, load_vice
from .types import Stimuli, Triplets

__all__ = ["imagenet_wnids", "load_demo_stimuli", "load_demo_triplets", "missing_demo_concepts",
           "simulate_choices", "simulate_triplets"]


@functools.cache
def imagenet_wnids() -> tuple[str, ...]:
    """The 1000 ImageNet-1k WordNet IDs in the standard class-index order.

    Read from the list timm ships (``timm/data/_info/imagenet_synsets.txt``) without
    importing timm, whose import (it loads torch) would cost seconds in every chapter.
    """
    spec = importlib.util.find_spec("timm")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("The ImageNet-1k class list comes with timm, which is not installed; pip install timm.")
    path = Path(spec.submodule_search_locations[0]) / "data" / "_info" / "imagenet_synsets.txt"
    wnids = tuple(line.strip() for line in path.read_text().splitlines() if line.strip())
    if len(wnids) != 1000:
        raise DataError(f"{path} lists {len(wnids)} ImageNet classes, not 1000; reinstall timm.")
    return wnids


def missing_demo_concepts(cfg: Settings | None = None) -> list[str]:
    """The uniqueIDs of the THINGS concepts that have no photo in the demo (THINGS order)."""
    ids = load_concepts(cfg)["uniqueID"].tolist()
    photos = things_photos(demo_resources(), ids)
    return [uid for uid in ids if uid not in photos]


def load_demo_stimuli(cfg: Settings | None = None) -> Stimuli:
    """The demo's THINGS photos, one per concept that has one, in THINGS concept order.

    Returns:
        Stimuli named ``"things-demo"`` (ids: THINGS ``uniqueID``) with labels
        ``concept_index`` (row in the 1854 THINGS concepts), ``things_file`` (the photo's
        name in the THINGS database), ``wnid`` (the concept's WordNet ID) and
        ``imagenet_index`` (its ImageNet-1k class, -1 for a concept that is none).

    Raises:
        DataError: a photo is missing or altered, or the manifest names a photo after no
            THINGS concept.
    """
    concepts = load_concepts(cfg)
    ids = concepts["uniqueID"].tolist()
    photos = things_photos(demo_resources(), ids)
    class_index = {wnid: i for i, wnid in enumerate(imagenet_wnids())}
    rows = [(i, uid, wnid) for i, (uid, wnid) in enumerate(zip(ids, concepts["WordNet ID"])) if uid in photos]
    return Stimuli(
        name="things-demo",
        ids=tuple(uid for _, uid, _ in rows),
        paths=tuple(fetch(photos[uid], cfg) for _, uid, _ in rows),
        labels={
            "concept_index": tuple(i for i, _, _ in rows),
            "things_file": tuple(original_name(photos[uid]) for _, uid, _ in rows),
            "wnid": tuple(w for _, _, w in rows),
            "imagenet_index": tuple(class_index.get(w, -1) for _, _, w in rows),
        },
    )


def simulate_choices(embedding: np.ndarray, triplets: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sample odd-one-out choices from an embedding's softmax choice model.

    The pair (a, b) with the largest dot product is most likely kept together:
    ``P(odd = c) = exp(s_ab) / (exp(s_ab) + exp(s_ac) + exp(s_bc))``.

    Args:
        embedding: (n, d) object embedding.
        triplets: (N, 3) 0-based object indices in presentation order.
        rng: Random generator (one uniform number is drawn per triplet).

    Returns:
        (N,) 0-based position (0, 1, 2) of the sampled odd one out.
    """
    emb = np.asarray(embedding, dtype=np.float64)
    a, b, c = (emb[triplets[:, k]] for k in range(3))
    # Logits of "odd one out is position k" = similarity of the other two.
    logits = np.stack(
        [np.einsum("nd,nd->n", b, c), np.einsum("nd,nd->n", a, c), np.einsum("nd,nd->n", a, b)], axis=1
    )
    logits -= logits.max(axis=1, keepdims=True)
    prob = np.exp(logits)
    prob /= prob.sum(axis=1, keepdims=True)
    choice = (rng.random(len(triplets))[:, None] > np.cumsum(prob, axis=1)).sum(axis=1)
    return np.minimum(choice, 2)


def simulate_triplets(
    embedding: np.ndarray, n_triplets: int, seed: int = 0, source: str = "simulated"
) -> Triplets:
    """Sample odd-one-out choices from the softmax choice model of an embedding.

    Objects of each triplet are three distinct rows drawn uniformly; the pair (a, b) is
    judged most similar with probability ``exp(s_ab) / (exp(s_ab) + exp(s_ac) + exp(s_bc))``,
    ``s`` the dot product of embedding rows.

    Args:
        embedding: (n, d) array.
        n_triplets: Number of triplets to draw.
        seed: Seed of the random generator; equal seeds give equal triplets.
        source: Name recorded in the result.

    Returns:
        Triplets with ``simulated=True``, odd one out last.
    """
    emb = np.asarray(embedding, dtype=np.float64)
    n = emb.shape[0]
    if n < 3:
        raise ValueError(f"Need at least 3 objects to form triplets, got {n}.")
    rng = np.random.default_rng(seed)
    # Three distinct objects per row: draw with rejection of rows that repeat an object.
    items = np.empty((0, 3), dtype=np.int64)
    while len(items) < n_triplets:
        draw = rng.integers(0, n, size=(2 * (n_triplets - len(items)) + 8, 3))
        ok = (draw[:, 0] != draw[:, 1]) & (draw[:, 0] != draw[:, 2]) & (draw[:, 1] != draw[:, 2])
        items = np.concatenate([items, draw[ok]])[:n_triplets]
    choice = simulate_choices(emb, items, rng)
    keep = np.array([[1, 2, 0], [0, 2, 1], [0, 1, 2]])[choice]
    return Triplets(np.take_along_axis(items, keep, axis=1), n, source=source, simulated=True)


def load_demo_triplets(
    n_triplets: int = 100_000, seed: int = 0, cfg: Settings | None = None, stimuli: Stimuli | None = None
) -> Triplets:
    """Simulated triplets over the demo concepts (indices are rows of the stimuli).

    The choices are sampled from the VICE choice model, not made by people: they train the
    probe, and no verdict rests on them.

    Args:
        stimuli: Photos of THINGS concepts with a ``concept_index`` label (default: the
            demo's photos, :func:`load_demo_stimuli`).
    """
    stimuli = stimuli if stimuli is not None else load_demo_stimuli(cfg)
    vice = load_vice(cfg)[list(stimuli.labels["concept_index"])]
    return simulate_triplets(vice, n_triplets, seed=seed, source=f"simulated from VICE (seed {seed})")
