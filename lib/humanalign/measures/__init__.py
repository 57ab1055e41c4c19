"""The paper's measures, each on plain arrays.

Modules: :mod:`.odd_one_out` (zero-shot accuracy), :mod:`.ceiling` (human noise ceiling),
:mod:`.bootstrap` (confidence intervals), :mod:`.rsa`, :mod:`.probing` (linear probe),
:mod:`.transfer`, :mod:`.concepts` and :mod:`.factors`.
"""

from .bootstrap import bootstrap_ci
from .ceiling import noise_ceiling, triplet_groups
from .concepts import accuracy_by_concept, concept_labels, name_dimensions, ridge_r2
from .factors import correlate, group_summary
from .odd_one_out import object_similarity, odd_one_out_accuracy, odd_one_out_choices, odd_one_out_correct
from .probing import (
    LAMBDAS,
    ProbeConvergence,
    ProbeResult,
    ProbeTransform,
    StartCheck,
    check_start_points,
    convergence_summary,
    fit_probe,
    object_folds,
    probe_loss,
    standardise,
)
from .rsa import rsa, similarity_matrix, upper_triangle
from .transfer import transfer_rsa

__all__ = [
    "LAMBDAS",
    "ProbeConvergence",
    "ProbeResult",
    "ProbeTransform",
    "StartCheck",
    "accuracy_by_concept",
    "bootstrap_ci",
    "check_start_points",
    "concept_labels",
    "convergence_summary",
    "correlate",
    "fit_probe",
    "group_summary",
    "name_dimensions",
    "noise_ceiling",
    "object_folds",
    "object_similarity",
    "odd_one_out_accuracy",
    "odd_one_out_choices",
    "odd_one_out_correct",
    "probe_loss",
    "ridge_r2",
    "rsa",
    "similarity_matrix",
    "standardise",
    "transfer_rsa",
    "triplet_groups",
    "upper_triangle",
]
