"""Loaders of the human data sets; each returns plain typed objects (see :mod:`.types`)."""

from .demo import load_demo_stimuli, load_demo_triplets, simulate_triplets
from .things import (
    NoiseCeilingTrials,
    load_category_matrix,
    load_concepts,
    load_images,
    load_noise_ceiling_trials,
    load_spose,
    load_triplets,
    load_vice,
)
from .types import HumanMatrix, Stimuli, Triplets, check_square, check_triplets

__all__ = [
    "HumanMatrix",
    "NoiseCeilingTrials",
    "Stimuli",
    "Triplets",
    "check_square",
    "check_triplets",
    "load_category_matrix",
    "load_concepts",
    "load_demo_stimuli",
    "load_demo_triplets",
    "load_images",
    "load_noise_ceiling_trials",
    "load_spose",
    "load_triplets",
    "load_vice",
    "simulate_triplets",
]
