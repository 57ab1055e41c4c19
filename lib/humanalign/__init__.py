"""humanalign: how well do neural network representations match human similarity judgements?

A replication of Muttenthaler et al., "Human alignment of neural network representations"
(ICLR 2023). The flat API holds the measures, the data loaders, the model table and the
result tables: ``humanalign.odd_one_out_accuracy``, ``humanalign.fit_probe``,
``humanalign.load_demo_stimuli``, ``humanalign.get_spec`` and so on. ``import humanalign``
does not load torch; the modules that run models are imported by name:
``from humanalign.features import extract_features``, ``from humanalign.models import
load_model``. The study behind the book is ``from humanalign import study``.
"""

from __future__ import annotations

from .config import Settings, settings
from .datasets import (
    HumanMatrix,
    Stimuli,
    Triplets,
    load_category_matrix,
    load_cichy118,
    load_concepts,
    load_demo_stimuli,
    load_demo_triplets,
    load_images,
    load_king,
    load_noise_ceiling_trials,
    load_peterson,
    load_spose,
    load_triplets,
    load_vice,
    simulate_triplets,
)
from .errors import DataError, DataNotFoundError, HashMismatchError, WeightsUnavailableError
from .fetch import Resource, fetch
from .measures import (
    ProbeResult,
    ProbeTransform,
    accuracy_by_concept,
    bootstrap_ci,
    concept_labels,
    fit_probe,
    name_dimensions,
    noise_ceiling,
    object_folds,
    object_similarity,
    odd_one_out_accuracy,
    odd_one_out_choices,
    odd_one_out_correct,
    probe_loss,
    ridge_r2,
    rsa,
    similarity_matrix,
    standardise,
    top1_accuracy,
    transfer_rsa,
)
from .registry import ModelSpec, get_spec, list_models
from .results import load_results, save_results, tidy

__version__ = "0.1.0"

# Every public name imported above (the submodules themselves are reached as attributes).
__all__ = sorted(name for name, value in globals().items()
                 if not name.startswith("_") and getattr(value, "__module__", "").startswith("humanalign"))
