"""The offline demo study: THINGS concepts that are also ImageNet-1k classes.

334 of the 1854 THINGS concepts have a WordNet ID that is an ImageNet-1k class; each comes
with one real ImageNet photo. Human similarity for them comes from the VICE embedding
(fitted on 1.46 M real triplets). The demo's triplets are **simulated**: the objects are
drawn at random and the odd one out is sampled from the VICE choice model, in which the
probability that a pair is judged most similar is the softmax of the three pairwise dot
products.
"""

from __future__ import annotations

import numpy as np

from ..config import Settings
from ..fetch import fetch
from ..errors import DataError
from ..sources import demo_resources
from .things import load_concepts, load_vice
from .types import Stimuli, Triplets

__all__ = ["N_DEMO", "imagenet_wnids", "load_demo_stimuli", "load_demo_triplets", "simulate_choices", "simulate_triplets"]

N_DEMO = 334
IMAGE_PREFIX = "imagenet/images/"


def imagenet_wnids() -> list[str]:
    """The 1000 ImageNet-1k WordNet IDs in the standard class-index order."""
    from timm.data import ImageNetInfo

    return list(ImageNetInfo().label_names())


def load_demo_stimuli(cfg: Settings | None = None) -> Stimuli:
    """The demo concepts and their photos, in THINGS concept order.

    Returns:
        Stimuli named ``"things-demo"`` with labels ``concept_index`` (row in the 1854
        THINGS concepts), ``wnid`` and ``imagenet_index`` (ImageNet-1k class index).
    """
    concepts = load_concepts(cfg)
    photos = {
        key[len(IMAGE_PREFIX):].split("_", 1)[0]: res
        for key, res in demo_resources().items()
        if key.startswith(IMAGE_PREFIX)
    }
    class_index = {wnid: i for i, wnid in enumerate(imagenet_wnids())}
    rows = [
        (i, uid, wnid)
        for i, (uid, wnid) in enumerate(zip(concepts["uniqueID"], concepts["WordNet ID"]))
        if wnid in class_index
    ]
    without_photo = [wnid for _, _, wnid in rows if wnid not in photos]
    if without_photo:
        raise DataError(
            f"The demo manifest has no photo for ImageNet classes {without_photo[:5]}; "
            "the package's resources/demo_manifest.tsv is incomplete."
        )
    paths = tuple(fetch(photos[wnid], cfg) for _, _, wnid in rows)
    return Stimuli(
        name="things-demo",
        ids=tuple(uid for _, uid, _ in rows),
        paths=paths,
        labels={
            "concept_index": tuple(i for i, _, _ in rows),
            "wnid": tuple(w for _, _, w in rows),
            "imagenet_index": tuple(class_index[w] for _, _, w in rows),
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

    The choices are sampled from the VICE choice model, not made by people.

    Args:
        stimuli: Photos of THINGS concepts with a ``concept_index`` label (default: the 334
            ImageNet photos of :func:`load_demo_stimuli`).
    """
    stimuli = stimuli if stimuli is not None else load_demo_stimuli(cfg)
    vice = load_vice(cfg)[list(stimuli.labels["concept_index"])]
    return simulate_triplets(vice, n_triplets, seed=seed, source=f"simulated from VICE (seed {seed})")
