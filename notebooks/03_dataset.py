# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Training data
#
# **Claim of the paper:** the training data matter more than anything else: models
# trained on larger, more diverse data (CLIP's image/text pairs, LAION, JFT,
# ImageNet-21k) align better than ImageNet-1k models.

# %% tags=["parameters", "hide-cell"]
# profile: a name ("demo": offline, on a CPU; "full": the paper's study) or the path of a
# profile .yml file, which holds every value (models, data, probe settings).
profile = "demo"
# Overrides of the profile for this run; None keeps the profile's value.
n_triplets = None  # odd-one-out triplets to use
seed = None  # seed of every random choice
n_boot = None  # bootstrap resamples of the intervals
device = None  # torch device ("cpu", "cuda", ...)

# %% tags=["remove-cell"]
# The library does the work; this page only calls it (the profile is checked first).
from humanalign import escape, plots, results, study, tables

run = study.open_chapter(globals(), chapter="03_dataset.py", uses=("things", "rsa92"))
result = study.study_result(run)  # every model's scores with paired resamples: what the verdicts read

verdict, comparisons = study.verdict_training_data(result)
study.glue_verdict("dataset", verdict, run)
study.glue_values("dataset", {"n_pairs": len(comparisons) // 2,
                              "things_outcomes": study.outcomes_text(comparisons, "THINGS"),
                              "rsa92_outcomes": study.outcomes_text(comparisons, "92")})
wide = study.wide_accuracy(study.evaluate(run), run, layer="penultimate")
gaps = study.reference_gaps(result)
study.glue_values("dataset_caveat", {"text": escape.markdown(
    study.claim_caveats(run, {"dataset": verdict}, data=comparisons, gaps=gaps)["dataset"])})

# %% [markdown]
# ```{glue:md} data_note
# :format: myst
# ```
#
# ## Verdict
#
# ```{glue:md} dataset_box
# :format: myst
# ```
#
# The claim has two halves here, one per real human data set, and the verdict needs both:
# on people's answers to THINGS triplets (the paper's own measure) the claim is
# {glue:md}`dataset_things_status` ({glue:md}`dataset_things_outcomes`); on the 92 photos it
# is {glue:md}`dataset_rsa92_status` ({glue:md}`dataset_rsa92_outcomes`). The intervals
# resample triplets and people (THINGS) or people and images together (92 photos); with one
# model per data set they do not cover the variation between training runs.

# %% tags=["remove-input"]
tables.reader_table(verdict.robustness, caption=study.robustness_caption(verdict), csv_name="dataset_robustness",
                    headers=study.ROBUSTNESS_HEADERS)

# %% [markdown]
# ## The controlled comparison
#
# The paper's cleanest evidence held the architecture and the training recipe fixed and
# changed only the data (ViTs trained on ImageNet-1k and on ImageNet-21k). This profile
# does the same where it can: models that share an architecture, an objective and a numeric
# precision but were trained on data sets of different breadth. In the demo that is one
# MobileNet v2 1.0 (224 px) classifier architecture with quantisation-aware training, on
# ImageNet-1k (1000 diverse classes) and on two single-domain sets, iNaturalist 2017 birds
# and insects (the post-training quantised ImageNet-1k copy is left out: precision is not a
# factor of the claim). The paper's claim predicts the broader ImageNet-1k to align better.
# Each row is the difference (broader minus narrower) on the same resampled triplets and
# people (THINGS) or people and images (92 photos), with its 95 % interval.

# %% tags=["remove-input"] mystnb={"figure": {"caption": "Broader minus narrower training data at a fixed architecture, objective and precision, with 95 % intervals: on people's real answers to THINGS triplets (triplets and people resampled) and on the 92 photos judged by 16 people (people and images resampled). Positive: the paper's direction.", "name": "fig-dataset"}}
plots.comparison_chart(comparisons) if len(comparisons) else "no controlled pair of models in this profile"

# %% tags=["remove-input"]
(tables.reader_table(study.in_words(comparisons), caption="The controlled comparisons of training data, broader minus narrower "
                                         "(THINGS: accuracy difference; 92 images: Spearman ρ difference; real people)",
                     csv_name="dataset_comparisons")
 if len(comparisons) else "")

# %% [markdown]
# Beside it, the reference effect of every chapter: the gap between two copies of one
# network that differ only in numeric precision (same architecture, objective and data), on
# the same measures and resamples. The rule is the same on every page (see
# {doc}`../methods`): a directional claim such as this one is decided against zero, and the
# gap is set beside its effects, so that an effect no larger than what storing the weights
# differently does is seen as such; only the claim of *no* effect (scale) uses the gap as
# its margin. Here: {glue:md}`dataset_caveat_text`

# %% tags=["remove-input"]
(tables.reader_table(study.gap_table(gaps), headers={"outcome": "Is there a gap?"},
                     caption="The same network in two precisions: the gap between them, on people's real answers "
                             "(THINGS, accuracy) and judgements (92 images, Spearman ρ)",
                     csv_name="dataset_precision_gap") if len(gaps) else "This profile has no network in two precisions.")

# %% [markdown]
# All models of the profile by training data (zero-shot odd-one-out accuracy, penultimate
# layer; the tick is the group mean). Groups other than the controlled pair differ in
# architecture and objective as well, so they are shown, not tested.

# %% tags=["remove-input"] mystnb={"figure": {"caption": "Zero-shot odd-one-out accuracy on people's real answers (penultimate layer) of every model, grouped by training data; the tick is the group mean. Groups other than the controlled pair differ in architecture and objective too: shown, not tested.", "name": "fig-dataset-groups"}}
plots.group_chart(wide, by="training_data", measure="zero_shot")

# %% [markdown]
# ## The paper and this book
#
# ::::{grid} 1 1 2 2
# :gutter: 2
#
# :::{grid-item-card} The paper found
# "Models trained on larger, more diverse datasets achieve better alignment with humans
# than models trained on ImageNet alone" {cite}`muttenthaler2023human` (abstract); its
# controlled comparison trained one architecture on ImageNet-1k and on ImageNet-21k.
# :::
#
# :::{grid-item-card} This book finds
# At matched architecture, objective and precision: {glue:md}`dataset_verdict`, each
# effect set beside the precision gap on its measure (the table above). The verdict box
# above gives the numbers; the methods page says where the demo's data pairs differ from
# the paper's.
# :::
# ::::
#
# ```{glue:md} page_rerun
# :format: myst
# ```
