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

# %%
from IPython.display import Markdown
from myst_nb import glue

from humanalign import plots, study

plots.enable_offline()

# %% tags=["parameters"]
# The profile: "demo" (offline, CPU), "full" (the paper's study) or the path of a .yml file.
profile = "demo"

# %% tags=["remove-cell"]
run = study.load_profile(profile)
glue("data_note", Markdown(study.data_note(run)), display=False)

# %% [markdown]
# ```{glue:md} data_note
# :format: myst
# ```

# %% tags=["remove-output"]
concepts = study.evaluate_concepts(run, layer="penultimate")
verdict = study.verdict_concepts(concepts, kind="zero_shot")
probed_verdict = study.verdict_concepts(concepts, kind="probed", min_n=20)
study.glue_verdict("concepts", verdict)
study.glue_verdict("concepts_probed", probed_verdict)
by_group = (
    study.attach_metadata(concepts)
    .groupby(["kind", "training_data", "dimension", "name"], as_index=False)
    .agg(accuracy=("accuracy", "mean"), n=("n", "sum"))
)

# %% [markdown]
# ## Accuracy per concept dimension (zero-shot)
#
# Mean over the models of each training-data group; dimensions sorted by accuracy.

# %%
plots.concepts_chart(by_group[by_group["kind"] == "zero_shot"])

# %% [markdown]
# ## After probing
#
# The probe is the one of {doc}`04_transfer`: fitted on two thirds of the concepts and
# scored on triplets among the others, so fewer triplets fall in each dimension.

# %%
plots.concepts_chart(by_group[by_group["kind"] == "probed"])

# %%
by_group.pivot_table(index="name", columns=["kind", "training_data"], values="accuracy").round(3)

# %% [markdown]
# ## Verdict
#
# Counted as reproduced when, over trained models, accuracy differs significantly
# between dimensions (chi-square test, p < 0.01) and the best and worst dimension
# differ by at least 0.1. Zero-shot: {glue:md}`concepts_reason`, so the claim is
# {glue:md}`concepts_verdict`; best {glue:md}`concepts_best_name`, worst
# {glue:md}`concepts_worst_name`. After probing: {glue:md}`concepts_probed_reason`:
# {glue:md}`concepts_probed_verdict`.
