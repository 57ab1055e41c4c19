"""The study behind the book, one module per concept; this face hands their names on.

:mod:`.profiles` (what a run is), :mod:`.data` (what it scores against), :mod:`.toolkit`
(the registry and extractor a run calls, passed in), :mod:`.runs`, :mod:`.concepts` and
:mod:`.rsa` (the evaluation runs, tidy cached tables), :mod:`.tables` and :mod:`.glue` (what
the pages show), :mod:`.verdict` with :mod:`.verdicts`, :mod:`.scale` and
:mod:`.concept_verdicts` (the claims, with direction and uncertainty).

A notebook writes ``from humanalign import study`` and ``study.evaluate(profile)``; names
are imported on first use, so reading a profile does not load torch.
"""

from .._lazy import lazy_names

_HOME = {
    **dict.fromkeys(('DATASETS', 'IMAGE_SETS', 'LAYERS', 'NOTEBOOK_OVERRIDES', 'Profile', 'TRANSFER_MODES', 'load_profile', 'make_profile', 'notebook_profile', 'profile_names', 'profile_path', 'read_profile_params'), 'profiles'),
    **dict.fromkeys(('HUMAN_EMBEDDINGS', 'StudyData', 'concept_split', 'human_embedding', 'load_study_data'), 'data'),
    **dict.fromkeys(('Toolkit', 'cached', 'default_toolkit', 'features_for', 'layers_of', 'resolve', 'specs_of'), 'toolkit'),
    **dict.fromkeys(('evaluate', 'evaluate_transfer', 'human_baselines', 'imagenet_top1', 'things_probe', 'transfer_probe'), 'runs'),
    **dict.fromkeys(('concept_correctness', 'dimension_names', 'dimension_table', 'evaluate_concepts'), 'concepts'),
    **dict.fromkeys(('ARRANGEMENT_SETS', 'RsaSet', 'ceiling', 'evaluate_rsa', 'load_rsa_set', 'person_scores', 'rsa_sets_of', 'rsa_wide'), 'rsa'),
    **dict.fromkeys(('attach_metadata', 'headline_table', 'model_table', 'probe_convergence', 'probe_warning', 'wide_accuracy'), 'tables'),
    **dict.fromkeys(('data_note', 'glue_values', 'glue_verdict', 'open_chapter'), 'glue'),
    **dict.fromkeys(('Verdict', 'compare', 'direction_verdict', 'equivalence', 'outcome', 'rule_values'), 'verdict'),
    **dict.fromkeys(('DATA_BREADTH', 'controlled_data_pairs', 'objective_exploration', 'trained', 'unit_scores', 'verdict_objective', 'verdict_training_data', 'verdict_transfer_people'), 'verdicts'),
    **dict.fromkeys(('EQUIVALENCE_MARGIN', 'imagenet_correlation', 'scale_comparisons', 'scale_verdict_from', 'verdict_scale'), 'scale'),
    **dict.fromkeys(('CONCEPT_TERMS', 'concept_comparisons', 'concept_dimension_accuracy', 'concepts_verdict_from', 'interval_pivot', 'term_dimensions', 'verdict_concepts'), 'concept_verdicts'),
}

__all__ = sorted(_HOME)


__getattr__, __dir__ = lazy_names(__name__, _HOME, globals(), frozenset(_HOME.values()))
