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
# similar; accuracy is then computed per dimension. Each dimension is named by the THINGS
# high-level category most enriched among its ten top-weighted objects (the table below
# shows the count, the enrichment and the objects, so every name can be checked).

# %%
from IPython.display import Markdown
from myst_nb import glue

from humanalign import plots, study, verdicts

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
verdict, terms, per_dim = verdicts.verdict_concepts(run, kind="zero_shot")
probed_verdict, probed_terms, _ = verdicts.verdict_concepts(run, kind="probed", min_n=20)
study.glue_verdict("concepts", verdict)
study.glue_verdict("concepts_probed", probed_verdict)
dimensions = study.dimension_table()
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
# ## The dimensions and their names
#
# For each VICE dimension: the category most enriched among its ten heaviest objects (how
# many of the ten belong to it, its share of all 1854 objects, the ratio of the two), and
# the objects themselves. A dimension stands for one of the paper's terms when that
# category holds at least half of its top objects (food: food, dessert, drink, fruit,
# vegetable; animals: animal, bird, insect; sports: sports equipment). THINGS has no
# category for royal objects, so no dimension can be identified as royal by this rule.

# %%
dimensions[["dimension", "category", "in_top", "share_all", "enrichment", "top_objects"]].round(3)

# %% [markdown]
# ## Verdict
#
# The paper's statement, term by term: the dimensions for food and animals should be
# among the best represented, those for sports (and royal objects) among the worst. For
# each term, the mean accuracy of its dimensions minus that of all other dimensions with
# at least 100 triplets (signed so that a positive value is the paper's side), over the
# trained models (each model's per-dimension accuracy, averaged over models; all models
# answer the same triplets, so the 95 % interval comes from a bootstrap over triplets,
# never from pooling the models' triplets as independent trials). Zero-shot:
# {glue:md}`concepts_verdict`; {glue:md}`concepts_reason` After probing (held-out
# concepts, dimensions with at least 20 triplets): {glue:md}`concepts_probed_verdict`;
# {glue:md}`concepts_probed_reason`

# %%
terms.round(4)

# %% [markdown]
# Every trained model's accuracy per dimension, with its 95 % interval over the
# dimension's triplets (and the number of triplets):

# %%
verdicts.interval_pivot(per_dim)
