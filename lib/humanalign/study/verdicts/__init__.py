"""The book's verdicts, one module per claim of the paper.

:mod:`.rules` turns comparisons with intervals into a verdict; :mod:`.units` gives the
per-unit scores every paired comparison rests on; :mod:`.scale`, :mod:`.objective`,
:mod:`.dataset`, :mod:`.transfer` and :mod:`.concepts` hold one claim each.
"""

from .concepts import (
    CONCEPT_TERMS,
    concept_comparisons,
    concept_dimension_accuracy,
    concepts_verdict_from,
    interval_pivot,
    term_dimensions,
    verdict_concepts,
)
from .dataset import DATA_BREADTH, controlled_data_pairs, outcomes_text, verdict_training_data
from .objective import objective_exploration, verdict_objective
from .rules import Verdict, compare, direction_verdict, equivalence, outcome, rule_values
from .scale import EQUIVALENCE_MARGIN, imagenet_correlation, scale_comparisons, scale_verdict_from, verdict_scale
from .transfer import verdict_transfer_people
from .units import unit_scores

__all__ = [
    "CONCEPT_TERMS",
    "DATA_BREADTH",
    "EQUIVALENCE_MARGIN",
    "Verdict",
    "compare",
    "concept_comparisons",
    "concept_dimension_accuracy",
    "concepts_verdict_from",
    "controlled_data_pairs",
    "direction_verdict",
    "equivalence",
    "imagenet_correlation",
    "interval_pivot",
    "objective_exploration",
    "outcome",
    "outcomes_text",
    "rule_values",
    "scale_comparisons",
    "scale_verdict_from",
    "term_dimensions",
    "unit_scores",
    "verdict_concepts",
    "verdict_objective",
    "verdict_scale",
    "verdict_training_data",
    "verdict_transfer_people",
]
