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
# # Concepts
#
# **Claim of the paper:** some human concepts (food, animals) are well represented by
# networks, others (royal, sports) are not.
#
# Each triplet is labelled with the VICE dimension that dominates the pair judged most
# similar; accuracy is then computed per dimension. Dimension names come from their
# top-weighted concepts and the THINGS high-level categories.

# %% tags=["parameters", "hide-cell"]
# profile: a name ("demo": offline, on a CPU; "full": the paper's study) or the path of a
# profile .yml file, which holds every value (models, data, probe settings).
profile = "demo"
# Overrides of the profile for this run; None keeps the profile's value.
n_triplets = None  # odd-one-out triplets to use
seed = None  # seed of every random choice
n_boot = None  # bootstrap resamples of the intervals
device = None  # torch device ("cpu", "cuda", ...)

# %% tags=["hide-cell"]
# The library does the work; this page only calls it (the profile is checked first).
from IPython.display import Markdown
from myst_nb import glue

from humanalign import book, plots, results, study

run = study.notebook_profile(globals())
plots.enable_offline()
glue("data_note", Markdown(study.data_note(run)), display=False)

concepts = study.evaluate_concepts(run, layer="penultimate")
verdict = study.verdict_concepts(concepts, kind="zero_shot")
probed_verdict = study.verdict_concepts(concepts, kind="probed", min_n=20)
study.glue_verdict("concepts", verdict)
study.glue_verdict("concepts_probed", probed_verdict)
study.glue_values("concepts_rule", book.rule_values(study.verdict_concepts, "alpha", "min_range"))
study.glue_values("concepts", {"train_share": run.train_fraction})
by_group = (
    study.attach_metadata(concepts)
    .groupby(["kind", "training_data", "dimension", "name"], as_index=False)
    .agg(accuracy=("accuracy", "mean"), n=("n", "sum"))
)

# %% [markdown]
# ```{glue:md} data_note
# :format: myst
# ```
#
# ## Verdict
#
# Counted as reproduced when, over trained models, accuracy differs significantly
# between dimensions (chi-square test, p < {glue:text}`concepts_rule_alpha:g`) and the
# best and worst dimension differ by at least {glue:text}`concepts_rule_min_range:g`.
# Zero-shot: {glue:md}`concepts_reason`, so the claim is {glue:md}`concepts_verdict`;
# best {glue:md}`concepts_best_name`, worst {glue:md}`concepts_worst_name`. After
# probing: {glue:md}`concepts_probed_reason`: {glue:md}`concepts_probed_verdict`.
#
# ## Accuracy per concept dimension (zero-shot)
#
# Mean over the models of each training-data group; dimensions sorted by accuracy.

# %% tags=["hide-input"]
plots.concepts_chart(by_group[by_group["kind"] == "zero_shot"])

# %% [markdown]
# ## After probing
#
# The probe is the one of {doc}`04_transfer`: fitted on
# {glue:text}`concepts_train_share:.0%` of the concepts and scored on triplets among the
# others, so fewer triplets fall in each dimension.

# %% tags=["hide-input"]
plots.concepts_chart(by_group[by_group["kind"] == "probed"])

# %% tags=["hide-input"]
results.shown(by_group.pivot_table(index="name", columns=["kind", "training_data"], values="accuracy"))

# %% [markdown]
# ## The paper and this book
#
# ::::{grid} 1 1 2 2
# :gutter: 2
#
# :::{grid-item-card} The paper found
# Alignment was concept-specific: human concept dimensions such as food and animals were
# represented well by the networks, others such as royal and sports were not, zero-shot
# and after the probe.
# :::
#
# :::{grid-item-card} This book finds
# Zero-shot the claim is {glue:md}`concepts_verdict`: {glue:md}`concepts_reason`. After
# the probe: {glue:md}`concepts_probed_verdict`.
# :::
# ::::
