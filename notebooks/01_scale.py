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
# # Scale
#
# **Claim of the paper:** model size (number of parameters) and architecture have
# essentially no effect on how well a model's representation matches human odd-one-out
# choices.

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

run = study.open_chapter(globals(), chapter="01_scale.py", uses=("things", "probe"))
result = study.study_result(run)  # every model's scores with paired resamples: what the verdicts read

evaluated = study.evaluate(run)
wide = study.wide_accuracy(evaluated, run, layer="penultimate")
verdict, comparisons = study.verdict_scale(result)
gaps = study.reference_gaps(result)
study.glue_verdict("scale", verdict, run)
study.glue_values("scale_rule", study.rule_values(study.verdict_scale, "min_span"))
study.glue_values("scale_imagenet", study.imagenet_correlation(wide, n_boot=run.n_boot, seed=run.seed))
study.glue_values("scale_caveat", {"text": escape.markdown(
    study.claim_caveats(run, {"scale": verdict}, scale=comparisons)["scale"])})
against_paper = study.paper_comparison(run)
study.glue_values("scale_paper", {"n_same": int((against_paper["match"] == "same weights").sum()),
                                  "n_related": int((against_paper["match"] == "related").sum()),
                                  "differences": study.paper_differences(against_paper) or "none of them."})

# %% [markdown]
# ```{glue:md} data_note
# :format: myst
# ```
#
# ## Verdict
#
# ```{glue:md} scale_box
# :format: myst
# ```
#
# The claim has two halves, each tested as an equivalence against a smallest effect of
# interest: an effect counts as "essentially none" when its whole 95 % interval lies within
# plus or minus {glue:text}`scale_margin:.3f` accuracy, {glue:md}`scale_margin_source`, as an
# effect when its whole interval lies beyond it, and as undecided otherwise. Models
# are compared only at matched objective, training data and numeric precision. **Size:**
# within each group of trained models that share all of these and span at least a
# {glue:text}`scale_rule_min_span:g`-fold range of parameters (counted without the
# classifier or task head), the accuracy gained from the smallest to the largest model along
# the least-squares line of zero-shot accuracy on log10(parameters). **Architecture:** within each
# objective x data x precision with two or more families, the mean absolute difference
# between two families' means (the typical gap between two families, which does not grow
# as families are added). Accuracy is measured on people's real answers to THINGS
# triplets; the intervals resample the distinct triplets and the people, shared by all
# models (and the models of a family for the architecture half). Size:
# {glue:md}`scale_size_status`; architecture: {glue:md}`scale_architecture_status`.
#
# How big is a difference that means nothing? Two copies of one network that differ only in
# numeric precision (same architecture, objective and data), scored on the same real answers
# (THINGS: accuracy difference) and the same judgements (92 images: Spearman ρ difference).
# The paper says nothing about precision; the gap is shown as this book's reference effect
# (it is not the verdict's margin):

# %% tags=["remove-input"]
(tables.reader_table(study.gap_table(gaps), headers={"outcome": "Is there a gap?"},
                     caption="The same network in two precisions: the gap between them, on people's real answers "
                             "(THINGS, accuracy) and judgements (92 images, Spearman ρ)",
                     csv_name="scale_precision_gap")
 if len(gaps) else "This profile has no network in two precisions.")

# %% tags=["remove-input"]
tables.reader_table(verdict.robustness, caption=study.robustness_caption(verdict), csv_name="scale_robustness",
                    headers=study.ROBUSTNESS_HEADERS)

# %% [markdown]
# ## Accuracy against size
#
# Penultimate-layer accuracy against parameter count, one line per architecture family,
# coloured by training data (as in the paper's Figure 2). Untrained copies of the same
# architectures are the controls: they show what the architecture alone gives.

# %% tags=["remove-input"] mystnb={"figure": {"caption": "Zero-shot and probed odd-one-out accuracy (penultimate layer) against the number of parameters, one line per architecture family, coloured by training data; grey: untrained controls. Accuracy is on people's real answers to THINGS triplets (the probed accuracy scores each answer with a probe that never saw its objects); chance is 1/3. The paper plots the same against size for its models.", "name": "fig-scale"}}
plots.scale_chart(wide)

# %% [markdown]
# The tested effects, with their 95 % intervals:

# %% tags=["remove-input"]
(tables.reader_table(study.in_words(comparisons), ["half", "comparison", "n_models", "estimate", "margin", "outcome"],
                     caption="The tested effects, on people's real answers: size in accuracy per tenfold "
                             "parameters, architecture as the mean accuracy gap between two families",
                     csv_name="scale_comparisons", headers={"outcome": "Reading against the margin",
                                                            "comparison": "Models compared (family | objective | "
                                                                          "data | precision)"})
 if len(comparisons) else "No comparison at matched objective, data and precision in this profile.")

# %% [markdown]
# Every model's accuracy:

# %% tags=["remove-input"]
tables.reader_table(results.shown(wide, ["model", "family", "params", "precision", "training_data", "zero_shot",
                                         "ci_low", "ci_high", "probed", "probed_low", "probed_high"],
                                  values=["zero_shot", "probed"], digits=None),
                    caption="Every model's odd-one-out accuracy on people's real answers (penultimate layer; 95 % "
                            f"intervals resampling triplets and people; probed: {study.probe_source(run)})",
                    csv_name="scale_models")

# %% [markdown]
# ## ImageNet accuracy
#
# The paper also asked whether models that classify ImageNet better align better. Over the
# {glue:text}`scale_imagenet_n_models:.0f` trained models with an ImageNet-1k top-1 (their
# own classifier's, or a linear probe's; zero-shot accuracy of image/text models is not
# used), the Pearson correlation of zero-shot odd-one-out accuracy with ImageNet top-1 is
# {glue:text}`scale_imagenet_pearson:.2f` (95 % interval over models
# {glue:text}`scale_imagenet_pearson_low:.2f` to {glue:text}`scale_imagenet_pearson_high:.2f`;
# Spearman {glue:text}`scale_imagenet_spearman:.2f`).
#
# ## The paper's numbers for these models
#
# The paper's code lists the parameter count (millions) and ImageNet top-1 of every model it
# plots (`networks.csv` of the official repository). Of this profile's models,
# {glue:text}`scale_paper_n_same` are there with the same weights and
# {glue:text}`scale_paper_n_related` as another checkpoint of the same architecture (the
# paper retrained its MobileNets; this profile runs the public quantised ones). Where they
# differ:
#
# ```{glue:md} scale_paper_differences
# :format: myst
# ```

# %% tags=["remove-input"]
(tables.reader_table(against_paper, ["model", "paper_model", "params_ours", "params_paper", "top1_ours",
                                     "top1_paper"],
                     headers={"paper_model": "Row of the paper's file", "params_ours": "Parameters (M), here",
                              "params_paper": "Parameters (M), paper", "top1_ours": "ImageNet top-1, here",
                              "top1_paper": "ImageNet top-1, paper"},
                     digits={"params_ours": 2, "params_paper": 2},
                     caption="This profile's models beside the paper's networks.csv (official repository, "
                             "LukasMut/human_alignment)", csv_name="scale_paper_networks")
 if len(against_paper) else "None of this profile's models has a row in the paper's networks.csv.")

# %% [markdown]
# ## The paper and this book
#
# ::::{grid} 1 1 2 2
# :gutter: 2
#
# :::{grid-item-card} The paper found
# "We find that model scale and architecture have essentially no effect on the alignment
# with human behavioral responses" {cite}`muttenthaler2023human` (abstract): within an
# architecture family larger models were not better aligned.
# :::
#
# :::{grid-item-card} This book finds
# {glue:md}`scale_verdict`, judged against a margin fixed before looking at any model. What
# this profile could test: {glue:md}`scale_caveat_text` The verdict box above gives the
# numbers.
# :::
# ::::
#
# ```{glue:md} page_rerun
# :format: myst
# ```
