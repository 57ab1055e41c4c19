"""Loaders of the human data sets; each returns plain typed objects (see :mod:`.types`)."""

from .catalog import IMAGE_SETS, STIMULUS_SETS, STUDY_DATASETS, load_stimuli, stimulus_set
from .arrangements import KING_SETS, dissimilarity_from_pairs, load_cichy118, load_king, read_mat
from .cifar_coarse import (
    CifarImages,
    load_cifar100,
    load_cifar_coarse,
    load_cifar_coarse_stimuli,
    sample_coarse_triplets,
)
from .demo import load_demo_stimuli, load_demo_triplets, simulate_choices, simulate_triplets
from .peterson import PETERSON_DOMAINS, load_peterson
from .rsa92 import N_RSA92, RSA92_FLAGS, Rsa92, load_rsa92, read_rsa92_images, read_rsa92_rdms
from .rsa92_brain import BrainRdms, load_rsa92_brain, read_rsa92_brain
from .rsa92_models import MODEL_INFO, Rsa92Models, load_rsa92_models, read_rsa92_models
from .photos import load_photo_stimuli
from .synthetic import SyntheticStudy, draw_shape, make_synthetic, planted_embedding
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

__all__ = [
    "IMAGE_SETS",
    "STIMULUS_SETS",
    "STUDY_DATASETS",
    "load_stimuli",
    "stimulus_set",
    "KING_SETS",
    "N_RSA92",
    "PETERSON_DOMAINS",
    "RSA92_FLAGS",
    "Rsa92",
    "CifarImages",
    "HumanMatrix",
    "NoiseCeilingTrials",
    "Stimuli",
    "SyntheticStudy",
    "Triplets",
    "check_square",
    "check_triplets",
    "dissimilarity_from_pairs",
    "draw_shape",
    "list_images",
    "load_category_matrix",
    "load_cichy118",
    "load_cifar100",
    "load_cifar_coarse",
    "load_cifar_coarse_stimuli",
    "load_concepts",
    "load_demo_stimuli",
    "load_demo_triplets",
    "load_images",
    "load_king",
    "load_noise_ceiling_trials",
    "load_peterson",
    "load_rsa92",
    "load_spose",
    "load_triplets",
    "load_vice",
    "make_synthetic",
    "open_image",
    "planted_embedding",
    "read_mat",
    "read_rsa92_images",
    "read_rsa92_rdms",
    "restrict_triplets",
    "sample_coarse_triplets",
    "simulate_choices",
    "simulate_triplets",
    # the 92-image brain and model matrices, real photos, the repeated triplets of a subset
    "BrainRdms",
    "MODEL_INFO",
    "Rsa92Models",
    "load_photo_stimuli",
    "load_rsa92_brain",
    "load_rsa92_models",
    "noise_ceiling_subset",
    "read_rsa92_brain",
    "read_rsa92_models",
]
