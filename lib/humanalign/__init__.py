"""humanalign: how well do neural network representations match human similarity judgements?

A replication of Muttenthaler et al., "Human alignment of neural network representations"
(ICLR 2023). The public API is flat: ``humanalign.odd_one_out_accuracy``,
``humanalign.fit_probe``, ``humanalign.extract_features``, ``humanalign.load_demo_stimuli``
and so on. Names are imported on first use, so ``import humanalign`` stays light (torch is
loaded only when a model or a probe is needed).
"""

from __future__ import annotations

from ._lazy import lazy_names
from .config import Settings, settings
from .fetch import Resource, fetch
from .errors import DataError, DataNotFoundError, HashMismatchError, WeightsUnavailableError

__version__ = "0.1.0"

# name -> submodule that defines it
_LAZY = {
    **{name: "measures" for name in (
        "ProbeResult", "ProbeTransform", "accuracy_by_concept", "bootstrap_ci", "concept_labels",
        "correlate", "fit_probe", "group_summary", "name_dimensions", "noise_ceiling",
        "object_folds", "object_similarity", "odd_one_out_accuracy", "odd_one_out_choices",
        "odd_one_out_correct", "probe_loss", "ridge_r2", "rsa", "similarity_matrix",
        "standardise", "top1_accuracy", "transfer_rsa",
    )},
    **{name: "datasets" for name in (
        "HumanMatrix", "Stimuli", "Triplets", "load_category_matrix", "load_concepts",
        "load_demo_stimuli", "load_demo_triplets", "load_images", "load_noise_ceiling_trials",
        "load_spose", "load_triplets", "load_vice", "simulate_triplets", "load_cichy118",
        "load_king", "load_peterson", "load_cifar_coarse", "make_synthetic",
    )},
    **{name: "results" for name in ("load_results", "save_results", "tidy")},
    **{name: "registry" for name in ("ModelSpec", "get_spec", "list_models")},
    **{name: "models" for name in ("load_model",)},
    **{name: "features" for name in ("extract_features",)},
}

__all__ = [
    "DataError",
    "DataNotFoundError",
    "HashMismatchError",
    "WeightsUnavailableError",
    "Resource",
    "Settings",
    "fetch",
    "settings",
    *sorted(_LAZY),
]


__getattr__, __dir__ = lazy_names(__name__, _LAZY, globals())
