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
# # Training objective
#
# **Claim of the paper:** the objective a model was trained with matters: image/text
# contrastive models (CLIP-style) and some losses align better with people than plain
# softmax classifiers, and self-supervised models vary.

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
from humanalign import escape, plots, registry, results, study, tables

run = study.open_chapter(globals(), chapter="02_objective.py", uses=("things", "probe", "rsa92"))
result = study.study_result(run)  # every model's scores with paired resamples: what the verdicts read

evaluated = study.evaluate(run)
wide = study.wide_accuracy(evaluated, run, layer="penultimate")
verdict = study.verdict_objective(result)
study.glue_verdict("objective", verdict, run)
study.glue_values("objective_caveat", {"text": escape.markdown(study.claim_caveats(run, {"objective": verdict})["objective"])})
explore = study.objective_exploration(result)
study.glue_values("objective", {"n_objectives": int(wide.loc[wide["training_data"] != registry.UNTRAINED, "objective"].nunique()),
                                "n_explored": len(explore)})

# %% [markdown]
# ```{glue:md} data_note
# :format: myst
# ```
#
# ## Verdict
#
# ```{glue:md} objective_box
# :format: myst
# ```
#
# The paper's comparison is directional: image/text contrastive models against supervised
# softmax classifiers, with several models on each side, compared at one numeric precision;
# accuracy is measured on people's real answers to THINGS triplets, and each resample draws
# the distinct triplets, the people and the models of each group.

# %% tags=["remove-input"]
tables.reader_table(verdict.robustness, caption=study.robustness_caption(verdict), csv_name="objective_robustness",
                    headers=study.ROBUSTNESS_HEADERS)

# %% [markdown]
# ## What this profile can show: one backbone, several objectives
#
# The demo's trained models span {glue:text}`objective_n_objectives` objectives, all on
# MobileNet-family backbones: ImageNet-1k classification, semantic segmentation (DeepLab
# on PASCAL VOC and on Cityscapes) and human pose estimation (MoveNet). Each row below is
# a group of models with one objective, compared with the MobileNet v2 ImageNet-1k
# classifiers on the same resampled people and images (92 photos) or triplets and people
# (THINGS odd-one-out); both human data sets are real. Positive means the group aligns
# better. **These comparisons are
# confounded**: the segmentation and pose models were also trained on other images
# (PASCAL VOC, Cityscapes street scenes, COCO people) than the classifiers, and the
# Cityscapes model has another backbone (MobileNet-EdgeTPU). They say what changes when
# both the task and the images change, not what the loss alone does, so they do not decide
# the paper's claim.

# %% tags=["remove-input"] mystnb={"figure": {"caption": "Each objective's models minus the MobileNet v2 ImageNet-1k classifiers, with 95 % intervals: on the 92 photos judged by 16 real people (people and images resampled) and on people's real answers to THINGS triplets (triplets and people resampled). Positive: the group aligns better. Confounded with the training images.", "name": "fig-objective"}}
plots.comparison_chart(explore) if len(explore) else "no model with another objective in this profile"

# %% tags=["remove-input"]
(tables.reader_table(study.in_words(explore), caption="Each objective against the ImageNet-1k classifiers of the same backbone "
                                     "(92 images: Spearman ρ difference; THINGS: accuracy difference; real people)",
                     csv_name="objective_exploration") if len(explore) else "")

# %% [markdown]
# Every model's zero-shot and probed odd-one-out accuracy, with its objective, training
# data and the number format its weights were run in (`precision`, which is not a factor:
# the quantisation-aware and post-training quantised ImageNet-1k MobileNet v2 are the same
# objective on the same data):

# %% tags=["remove-input"]
tables.reader_table(results.shown(wide, ["model", "objective", "training_data", "precision", "zero_shot", "ci_low",
                                         "ci_high", "probed", "probed_low", "probed_high"], values=["zero_shot", "probed"],
                                  digits=None),
                    caption="Every model's odd-one-out accuracy on people's real answers (penultimate layer; 95 % "
                            f"intervals resampling triplets and people; probed: {study.probe_source(run)})",
                    csv_name="objective_models")

# %% [markdown]
# ## The paper and this book
#
# ::::{grid} 1 1 2 2
# :gutter: 2
#
# :::{grid-item-card} The paper found
# "The training dataset and objective function both have a much larger impact" than scale
# and architecture {cite}`muttenthaler2023human` (abstract). In its comparisons,
# image/text contrastive models and some classification losses aligned better than plain
# softmax classifiers.
# :::
#
# :::{grid-item-card} This book finds
# The claim is {glue:md}`objective_verdict` with this profile. What it could test:
# {glue:md}`objective_caveat_text` The profile's {glue:text}`objective_n_objectives`
# objectives are compared above on both real data sets, confounded with their training
# images, so they do not decide the claim.
# :::
# ::::
#
# ```{glue:md} page_rerun
# :format: myst
# ```
