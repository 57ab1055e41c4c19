"""The book's verdicts, one module per claim of the paper.

:mod:`.rules` turns comparisons with intervals into a verdict (and states each rule); every
verdict reads the profile's study result (:mod:`..result`: every model's score with paired
resamples of the units that were sampled); :mod:`.reference` measures the effect of precision alone; :mod:`.robustness`
recomputes a verdict under other defensible choices; :mod:`.scale`, :mod:`.objective`,
:mod:`.dataset`, :mod:`.transfer` and :mod:`.concepts` hold one claim each.
"""

from .concepts import (
    CONCEPT_TERMS,
    concept_comparisons,
    concept_dimension_accuracy,
    concepts_verdict_from,
    distinct_per_dimension,
    interval_pivot,
    term_dimensions,
    verdict_concepts,
)
from .dataset import DATA_BREADTH, RSA92_LABEL, THINGS_LABEL, controlled_data_pairs, outcomes_text, verdict_training_data
from .objective import objective_exploration, verdict_objective
from .reference import precision_pairs, reference_gap, reference_gaps
from .rules import (
    RULES,
    Verdict,
    combine,
    compare,
    comparison_row,
    deciding_row,
    direction_verdict,
    equivalence,
    leader,
    outcome,
    rule_values,
    rules_markdown,
    rules_table,
)
from .robustness import (
    ROBUSTNESS_COLUMNS,
    ROBUSTNESS_HEADERS,
    robust,
    robustness_caption,
    robustness_mark,
    robustness_table,
)
from .scale import (
    SESOI,
    SESOI_REASON,
    imagenet_correlation,
    scale_comparisons,
    scale_verdict_from,
    verdict_scale,
)
from .transfer import heldout_gain, verdict_transfer_people

#: The verdict function of each claim of :data:`humanalign.vocabulary.CLAIM_ROWS`, by its key,
#: in the paper's order: each takes the profile's study result and returns the verdict, or a
#: tuple whose first item is the verdict and whose second is its comparison table.
VERDICTS = {"scale": verdict_scale, "objective": verdict_objective, "dataset": verdict_training_data,
            "transfer": verdict_transfer_people, "concepts": verdict_concepts}

__all__ = [
    "CONCEPT_TERMS",
    "DATA_BREADTH",
    "ROBUSTNESS_COLUMNS",
    "ROBUSTNESS_HEADERS",
    "RSA92_LABEL",
    "SESOI",
    "SESOI_REASON",
    "THINGS_LABEL",
    "VERDICTS",
    "RULES",
    "Verdict",
    "combine",
    "compare",
    "comparison_row",
    "concept_comparisons",
    "concept_dimension_accuracy",
    "concepts_verdict_from",
    "controlled_data_pairs",
    "deciding_row",
    "direction_verdict",
    "distinct_per_dimension",
    "equivalence",
    "heldout_gain",
    "imagenet_correlation",
    "interval_pivot",
    "leader",
    "objective_exploration",
    "outcome",
    "outcomes_text",
    "precision_pairs",
    "reference_gap",
    "reference_gaps",
    "robust",
    "robustness_caption",
    "robustness_mark",
    "robustness_table",
    "rule_values",
    "rules_markdown",
    "rules_table",
    "scale_comparisons",
    "scale_verdict_from",
    "term_dimensions",
    "verdict_concepts",
    "verdict_objective",
    "verdict_scale",
    "verdict_training_data",
    "verdict_transfer_people",
]
