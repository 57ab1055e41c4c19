"""A small synthetic study with planted structure, for tests and the book's rehearsal.

Every object is a coloured shape on a grey background. Its three latent factors (shape,
colour, size) define a planted, non-negative embedding, and triplets are sampled from that
embedding with the same softmax choice model as the demo study
(:func:`~humanalign.datasets.demo.simulate_triplets`). A measure that works should find the
planted structure: e.g. a representation that encodes colour agrees with triplets planted
on colour.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._atomic import atomic_path
from ..config import Settings, settings as current_settings
from .demo import simulate_triplets
from .types import Stimuli, Triplets

__all__ = [
    "COLOURS",
    "SHAPES",
    "SIZES",
    "SyntheticStudy",
    "draw_shape",
    "make_synthetic",
    "planted_embedding",
]

SHAPES = ("circle", "square", "triangle")
COLOURS = {
    "red": (220, 40, 40),
    "green": (40, 170, 60),
    "blue": (50, 80, 220),
    "yellow": (230, 200, 40),
}
SIZES = (0.35, 0.6, 0.85)  # shape width as a fraction of the image side
_BACKGROUND = (128, 128, 128)


@dataclass(frozen=True, eq=False)
class SyntheticStudy:
    """Stimuli, their planted embedding and triplets simulated from it.

    Attributes:
        stimuli: Named ``"synthetic"``, labels ``shape``, ``colour``, ``size`` (factor
            indices into :data:`SHAPES`, the keys of :data:`COLOURS`, :data:`SIZES`).
        embedding: (n, 3 + 4 + 1) float64, non-negative: one-hot shape, one-hot colour and
            size level in [0, 1], each block times its weight.
        triplets: Simulated triplets over the stimuli (``simulated=True``).
    """

    stimuli: Stimuli
    embedding: np.ndarray
    triplets: Triplets


def planted_embedding(
    shape: np.ndarray, colour: np.ndarray, size: np.ndarray, weights: tuple[float, float, float] = (2.0, 2.0, 1.0)
) -> np.ndarray:
    """The planted embedding of objects given their factor indices.

    Args:
        shape: (n,) indices into :data:`SHAPES`.
        colour: (n,) indices into the colours.
        size: (n,) indices into :data:`SIZES`.
        weights: Multipliers of the shape, colour and size blocks; larger weights make the
            simulated choices more deterministic.

    Returns:
        (n, 8) float64 array, non-negative.
    """
    shape, colour, size = (np.asarray(a, dtype=np.int64) for a in (shape, colour, size))
    if not (shape.shape == colour.shape == size.shape) or shape.ndim != 1:
        raise ValueError(f"shape, colour and size must be equal-length vectors, got {shape.shape}, "
                         f"{colour.shape}, {size.shape}.")
    for name, arr, count in (("shape", shape, len(SHAPES)), ("colour", colour, len(COLOURS)),
                             ("size", size, len(SIZES))):
        if arr.size and (arr.min() < 0 or arr.max() >= count):
            raise ValueError(f"{name} indices must lie in 0..{count - 1}.")
    if any(w < 0 for w in weights):
        raise ValueError(f"weights must be non-negative, got {weights}.")
    n = len(shape)
    emb = np.zeros((n, len(SHAPES) + len(COLOURS) + 1))
    emb[np.arange(n), shape] = weights[0]
    emb[np.arange(n), len(SHAPES) + colour] = weights[1]
    emb[:, -1] = weights[2] * size / (len(SIZES) - 1)
    return emb


def draw_shape(
    shape: str, colour: tuple[int, int, int], size: float, image_size: int = 64,
    offset: tuple[float, float] = (0.0, 0.0),
) -> "PIL.Image.Image":  # noqa: F821 - PIL imported lazily
    """Draw one filled shape on a grey square image.

    Args:
        shape: One of :data:`SHAPES`.
        colour: RGB fill colour.
        size: Width of the shape as a fraction of the image side, in (0, 1].
        image_size: Side of the image in pixels.
        offset: Shift of the centre, as fractions of the image side.

    Returns:
        An RGB image of ``image_size`` x ``image_size`` pixels.
    """
    from PIL import Image, ImageDraw

    if shape not in SHAPES:
        raise ValueError(f"Unknown shape {shape!r}; use one of {SHAPES}.")
    if not 0 < size <= 1:
        raise ValueError(f"size must lie in (0, 1], got {size}.")
    img = Image.new("RGB", (image_size, image_size), _BACKGROUND)
    draw = ImageDraw.Draw(img)
    cx = image_size * (0.5 + offset[0])
    cy = image_size * (0.5 + offset[1])
    r = size * image_size / 2
    box = (cx - r, cy - r, cx + r, cy + r)
    if shape == "circle":
        draw.ellipse(box, fill=tuple(colour))
    elif shape == "square":
        draw.rectangle(box, fill=tuple(colour))
    else:
        draw.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=tuple(colour))
    return img


def _save_once(img: "PIL.Image.Image", target: Path) -> None:  # noqa: F821
    if target.is_file():
        return
    with atomic_path(target, suffix=".png.tmp") as tmp:
        img.save(tmp, format="PNG")


def make_synthetic(
    n_objects: int = 36,
    n_triplets: int = 2000,
    image_size: int = 64,
    seed: int = 0,
    weights: tuple[float, float, float] = (2.0, 2.0, 1.0),
    cfg: Settings | None = None,
) -> SyntheticStudy:
    """Build the synthetic study: images on disk, planted embedding, simulated triplets.

    The first 36 objects cover every shape x colour x size combination once (in a seeded
    order); further objects repeat combinations. Each image gets a small seeded shift so
    that no two are identical. Images are written once to
    ``<data>/synthetic/<key>/`` where the key depends on all arguments but ``cfg``.

    Args:
        n_objects: Number of objects (at least 3).
        n_triplets: Number of simulated triplets.
        image_size: Image side in pixels (at least 16).
        seed: Seed for the factor order, the shifts and the triplets.
        weights: Block weights of the planted embedding (see :func:`planted_embedding`).
        cfg: Settings; the images go into its data folder.

    Returns:
        A :class:`SyntheticStudy`.
    """
    if n_objects < 3:
        raise ValueError(f"n_objects must be at least 3, got {n_objects}.")
    if image_size < 16:
        raise ValueError(f"image_size must be at least 16 pixels, got {image_size}.")
    cfg = cfg or current_settings()
    rng = np.random.default_rng(seed)
    grid = np.array(np.meshgrid(np.arange(len(SHAPES)), np.arange(len(COLOURS)), np.arange(len(SIZES)),
                                indexing="ij")).reshape(3, -1).T
    reps = -(-n_objects // len(grid))
    factors = np.concatenate([grid[rng.permutation(len(grid))] for _ in range(reps)])[:n_objects]
    shape, colour, size = factors.T
    # The largest shape must stay inside the image: shift at most 7 % of the side.
    offsets = rng.uniform(-0.07, 0.07, size=(n_objects, 2))
    embedding = planted_embedding(shape, colour, size, weights)

    key_text = f"n{n_objects}-px{image_size}-seed{seed}-w{weights}"
    key = hashlib.sha256(key_text.encode()).hexdigest()[:12]
    folder = cfg.data_dir / "synthetic" / key
    folder.mkdir(parents=True, exist_ok=True)
    colour_names = list(COLOURS)
    paths = []
    for i in range(n_objects):
        target = folder / f"obj{i:04d}.png"
        if not target.is_file():
            img = draw_shape(SHAPES[shape[i]], COLOURS[colour_names[colour[i]]], SIZES[size[i]],
                             image_size, tuple(offsets[i]))
            _save_once(img, target)
        paths.append(target)
    stimuli = Stimuli(
        name="synthetic",
        ids=tuple(f"synthetic/obj{i:04d}" for i in range(n_objects)),
        paths=tuple(paths),
        labels={
            "shape": tuple(int(v) for v in shape),
            "colour": tuple(int(v) for v in colour),
            "size": tuple(int(v) for v in size),
        },
    )
    triplets = simulate_triplets(
        embedding, n_triplets, seed=seed, source=f"simulated from a planted embedding (seed {seed})"
    )
    return SyntheticStudy(stimuli=stimuli, embedding=embedding, triplets=triplets)
