"""Loaders of the human data sets; each returns plain typed objects (see :mod:`.types`).

:mod:`.catalogue` lists every data set by name and kind (stimuli, triplets, matrices,
embedding) with its loader; the other modules hold one data set's files each.
"""

from .arrangements import KING_SETS, dissimilarity_from_pairs, load_cichy118, load_king, read_mat
from .demo import load_demo_stimuli, load_demo_triplets, missing_demo_concepts, simulate_choices, simulate_triplets
from .peterson import PETERSON_DOMAINS, load_peterson
from .catalogue import (
    DATASETS,
    IMAGE_SETS,
    KINDS,
    DataSet,
    MatrixSet,
    dataset,
    dataset_names,
    load_dataset,
    load_stimuli,
    stimulus_set,
)
from .rsa92 import N_RSA92, RSA92_FLAGS, Rsa92, load_rsa92, read_rsa92_images, read_rsa92_rdms
from .rsa92_brain import BrainRdms, load_rsa92_brain, read_rsa92_brain
from .rsa92_models import MODEL_INFO, Rsa92Models, load_rsa92_models, read_rsa92_models
from .photos import CC0_PREFIX, THINGS_PREFIX, cc0_photos, original_name, things_photos
from .things import (
    NoiseCeilingTrials,
    load_category_matrix,
    load_concepts,
    load_images,
    load_noise_ceiling_trials,
    load_spose,
    load_triplets,
    load_vice,
    noise_ceiling_subset,
)
from .types import HumanMatrix, Stimuli, Triplets, check_square, check_triplets, list_images, open_image, restrict_triplets
from .vice_dimensions import VICE_TERMS, check_against_embedding, load_vice_dimensions, term_dimensions

__all__ = [
    "DATASETS",
    "IMAGE_SETS",
    "KINDS",
    "KING_SETS",
    "N_RSA92",
    "PETERSON_DOMAINS",
    "RSA92_FLAGS",
    "DataSet",
    "HumanMatrix",
    "MatrixSet",
    "NoiseCeilingTrials",
    "Rsa92",
    "Stimuli",
    "Triplets",
    "check_square",
    "check_triplets",
    "dataset",
    "dataset_names",
    "dissimilarity_from_pairs",
    "list_images",
    "load_category_matrix",
    "load_cichy118",
    "load_concepts",
    "load_dataset",
    "load_demo_stimuli",
    "load_demo_triplets",
    "load_images",
    "load_king",
    "load_noise_ceiling_trials",
    "load_peterson",
    "load_rsa92",
    "load_spose",
    "load_stimuli",
    "load_triplets",
    "load_vice",
    "load_vice_dimensions",
    "VICE_TERMS",
    "check_against_embedding",
    "term_dimensions",
    "open_image",
    "read_mat",
    "read_rsa92_images",
    "read_rsa92_rdms",
    "restrict_triplets",
    "simulate_choices",
    "simulate_triplets",
    "stimulus_set",
    # the 92-image brain and model matrices, real photos, the repeated triplets of a subset
    "BrainRdms",
    "MODEL_INFO",
    "Rsa92Models",
    "CC0_PREFIX",
    "THINGS_PREFIX",
    "cc0_photos",
    "missing_demo_concepts",
    "original_name",
    "things_photos",
    "load_rsa92_brain",
    "load_rsa92_models",
    "noise_ceiling_subset",
    "read_rsa92_brain",
    "read_rsa92_models",
]
