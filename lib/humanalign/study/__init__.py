"""The study behind the book, one module per concept.

:mod:`.human_data` (the human data a profile is scored against), :mod:`.scores` (per-unit
results of one model x layer, computed once and cached by content), :mod:`.runs`,
:mod:`.dimension_accuracy` and :mod:`.rsa_results` (tidy tables derived from the scores),
:mod:`.brain`, :mod:`.brain_analysis` and :mod:`.brain_categories` (behaviour beside human IT
on the 92 images), :mod:`.summaries` and :mod:`.glue` (what the pages show), and
:mod:`.verdicts` (the claims, one module each).

:mod:`.result` holds one study result per profile: every model's scores on the human data
with paired resamples of the units that were sampled, each computed once; the verdicts read it.

A notebook writes ``from humanalign import study``, ``run = study.open_chapter(globals())``
(the profile) and ``result = study.study_result(run)``, then calls the verdicts and tables
with them. This facade exports what the notebooks and the tests use; any other name is
imported from its module.
"""

from ..profiles import (
    NOTEBOOK_OVERRIDES,
    Profile,
    load_profile,
    make_profile,
    notebook_profile,
    profile_path,
    read_profile_params,
)
from .brain import (
    BEHAVIOUR,
    BRAIN,
    BrainStudy,
    brain_numbers,
    brain_wide,
    evaluate_brain,
    network_rdms,
    reference_rdms,
    reference_rsa,
)
from .brain_analysis import (
    across_models,
    contrast,
    effect_word,
    margin_word,
    nan_interval,
    network_weights,
    probe_effects,
    rsa_rows,
    subset,
    top_model,
)
from .brain_categories import brain_ceilings, category_divisions, category_structure, ceiling_normalised
from .choices import BOOK, NOT_RUN, Choice, alternatives, not_run, rdm_under, things_correct
from .caveats import claim_caveats
from .claims import (
    EFFECT_UNITS,
    Answer,
    answer_box,
    brain_answers,
    claims_csv,
    claims_markdown,
    claims_table,
    verdict_box,
    verdict_halves,
    verdict_words,
)
from .dimension_accuracy import (
    answer_labels,
    concept_correctness,
    concepts_by_group,
    dimension_r2,
    dimension_table,
    evaluate_concepts,
    term_r2,
)
from .human_data import load_study_data
from .glue import data_note, glue_values, glue_verdict, open_chapter
from .result import UNITS, Evidence, StudyResult, as_result, study_result
from .rsa_results import ceiling, evaluate_rsa, rsa_sets_of, rsa_wide
from .prepare import prepare
from .runs import (
    MIN_DISTINCT,
    evaluate,
    human_baselines,
    imagenet_top1,
    real_trial_counts,
    table_name,
)
from .scores import (
    features_for,
    matrix_scores,
    specs_of,
    things_scores,
    trial_split,
    two_way_resamples,
    ceiling_resamples,
)
from .summaries import (
    categories_by_measure,
    gap_table,
    headline_table,
    human_references,
    in_words,
    named_dimensions,
    paper_comparison,
    paper_differences,
    probe_by_data,
    probe_convergence,
    probe_description,
    probe_source,
    probe_warning,
    wide_accuracy,
    with_normalised,
    held_fixed_words,
)
from .verdicts import (
    CONCEPT_TERMS,
    DATA_BREADTH,
    ROBUSTNESS_HEADERS,
    SESOI,
    VERDICTS,
    Verdict,
    combine,
    compare,
    concept_comparisons,
    concept_dimension_accuracy,
    concepts_verdict_from,
    controlled_data_pairs,
    distinct_per_dimension,
    direction_verdict,
    heldout_gain,
    imagenet_correlation,
    interval_pivot,
    leader,
    objective_exploration,
    outcome,
    outcomes_text,
    precision_pairs,
    reference_gap,
    reference_gaps,
    robustness_caption,
    robustness_mark,
    robustness_table,
    rule_values,
    rules_markdown,
    rules_table,
    scale_comparisons,
    scale_verdict_from,
    term_dimensions,
    verdict_concepts,
    verdict_objective,
    verdict_scale,
    verdict_training_data,
    verdict_transfer_people,
)

__all__ = [name for name in dir() if not name.startswith("_") and name not in {
    "brain", "brain_analysis", "brain_categories", "caveats", "choices", "claims", "dimension_accuracy", "glue",
    "human_data", "prepare", "result", "rsa_results", "runs", "scores", "summaries", "verdicts"}]
