"""The paper's measures, each on plain arrays.

Modules: :mod:`.odd_one_out` (zero-shot accuracy), :mod:`.ceiling` (human noise ceiling),
:mod:`.bootstrap` (confidence intervals), :mod:`.rsa`, :mod:`.probing` (linear probe; its
transform in :mod:`.probe_transform`, its objective and solver in :mod:`.probe_solver`, the
start-point check in :mod:`.probe_checks`), :mod:`.transfer`, :mod:`.dimensions`
and :mod:`.reliability` (brain data with repeated sessions); :mod:`.trials` resamples
repeated real choices (triplets and people) and folds a probe around them; :mod:`.small_sample`
gives t intervals where a resampled unit has few members.
"""

from .bootstrap import bootstrap_ci, bootstrap_means, percentile_interval
from .ceiling import noise_ceiling, triplet_groups
from .classification import top1_accuracy
from .dimensions import accuracy_by_concept, concept_labels, describe_dimensions, name_dimensions, ridge_r2
from .inference import (
    WeightedRanks,
    concept_bootstrap,
    data_key,
    image_draws,
    interval,
    noise_ceiling_bootstrap,
    people_draws,
    rsa_shared_bootstrap,
    rsa_two_way_bootstrap,
    weighted_correlations,
)
from .odd_one_out import object_similarity, odd_one_out_accuracy, odd_one_out_choices, odd_one_out_correct
from .probe_checks import StartCheck, check_start_points
from .probe_solver import ProbeConvergence, probe_loss
from .probe_transform import ProbeTransform, standardise
from .probing import LAMBDAS, ProbeResult, convergence_summary, fit_probe, object_folds, test_masks
from .reliability import brain_noise_ceiling, category_model_fit, partial_spearman, session_reliability
from .rsa import rsa, similarity_matrix, upper_triangle
from .small_sample import (
    SMALL_SAMPLE,
    mean_variance,
    people_images_interval,
    resample_variance,
    satterthwaite_df,
    satterthwaite_interval,
    t_interval,
)
from .rsa_inference import model_rdm, noise_ceiling_rsa, rsa_image_bootstrap, rsa_per_person, rsa_vectors
from .transfer import transfer_rsa
from .trials import crossed_bootstrap, crossed_weights, modal_agreement, modal_triplets, trial_folds, trial_units

__all__ = [
    "LAMBDAS",
    "ProbeConvergence",
    "ProbeResult",
    "ProbeTransform",
    "StartCheck",
    "accuracy_by_concept",
    "WeightedRanks",
    "concept_bootstrap",
    "interval",
    "rsa_two_way_bootstrap",
    "rsa_shared_bootstrap",
    "data_key",
    "image_draws",
    "people_draws",
    "noise_ceiling_bootstrap",
    "weighted_correlations",
    "bootstrap_ci",
    "bootstrap_means",
    "check_start_points",
    "concept_labels",
    "convergence_summary",
    "fit_probe",
    "model_rdm",
    "describe_dimensions",
    "name_dimensions",
    "noise_ceiling",
    "noise_ceiling_rsa",
    "object_folds",
    "object_similarity",
    "odd_one_out_accuracy",
    "odd_one_out_choices",
    "odd_one_out_correct",
    "percentile_interval",
    "probe_loss",
    "ridge_r2",
    "rsa",
    "rsa_image_bootstrap",
    "rsa_per_person",
    "rsa_vectors",
    "similarity_matrix",
    "standardise",
    "top1_accuracy",
    "transfer_rsa",
    "triplet_groups",
    "upper_triangle",
    # brain data with repeated sessions (reliability)
    "brain_noise_ceiling",
    "category_model_fit",
    "partial_spearman",
    "session_reliability",
    # repeated real choices: crossed triplets x people
    "crossed_bootstrap",
    "modal_agreement",
    "crossed_weights",
    "modal_triplets",
    "test_masks",
    "trial_folds",
    "trial_units",
    # few sampled units: t and Welch-Satterthwaite intervals
    "SMALL_SAMPLE",
    "mean_variance",
    "people_images_interval",
    "resample_variance",
    "satterthwaite_df",
    "satterthwaite_interval",
    "t_interval",
]
