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
# Each of the real triplets that many people answered is assigned to the VICE dimension
# that decides it: the dimension on which the pair most people kept together is most
# similar. Accuracy on people's answers is then computed per dimension. Each dimension's
# name comes from a reviewed table beside the evidence it was written from: the THINGS
# category most enriched among its ten top-weighted objects, the enrichment and the objects
# (at the end of this page, so every name can be checked).

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
from humanalign import plots, results, study, tables

run = study.open_chapter(globals(), chapter="05_concepts.py", uses=("things", "probe"))
result = study.study_result(run)  # every model's scores with paired resamples: what the verdicts read

concepts = study.evaluate_concepts(run, layer="penultimate")
verdict, terms, per_dim = study.verdict_concepts(result, kind="zero_shot")
probed_verdict, probed_terms, _ = study.verdict_concepts(result, kind="probed")
study.glue_verdict("concepts", verdict, run)
study.glue_verdict("concepts_probed", probed_verdict, run)
study.glue_values("concepts_rule", study.rule_values(study.verdict_concepts, "min_n"))
dimensions = study.dimension_table()
by_group = study.concepts_by_group(concepts, run)
r2 = study.dimension_r2(run)
study.glue_values("concepts", {"r2_order": "; ".join(f"{row.term} {row.r2:.2f}" for row in study.term_r2(r2).itertuples())})

# %% [markdown]
# ```{glue:md} data_note
# :format: myst
# ```
#
# ## Verdict
#
# ```{glue:md} concepts_box
# :format: myst
# ```
#
# The paper's statement, term by term: the dimensions for food and animals should be
# among the best represented, those for sports and royal objects among the worst. Which
# dimensions carry each term comes from the reviewed table of the 42 VICE dimensions at the
# end of this page (written by hand from each dimension's top objects and enriched THINGS
# categories, and committed with its derivation). A dimension's score is the trained
# models' mean accuracy on people's answers to the triplets it decides **divided by the
# accuracy of the VICE embedding itself on the same answers**: people are more predictable
# on some dimensions than on others, and the ratio removes that. For each term, the mean
# ratio of its dimensions minus that of all other dimensions with at least
# {glue:text}`concepts_rule_min_n` distinct real triplets, signed so that a positive value
# is the paper's side; the 95 % interval resamples the distinct triplets and the people
# (all models answer the same triplets, so the draws are shared). Reproduced when every
# term's interval lies on the paper's side, not reproduced when one lies on the other side,
# otherwise undecided. After probing (each answer scored by a probe that never saw its
# objects): {glue:md}`concepts_probed_verdict`; {glue:md}`concepts_probed_reason`

# %% tags=["remove-input"]
tables.reader_table(verdict.robustness, caption=study.robustness_caption(verdict), csv_name="concepts_robustness",
                    headers=study.ROBUSTNESS_HEADERS)

# %% tags=["remove-input"]
tables.reader_table(study.named_dimensions(terms, dimensions),
                    ["term", "paper_side", "dimensions", "comparison", "difference", "outcome", "rank"],
                    headers={"dimensions": "Its dimensions (name and number)",
                             "difference": "Difference in accuracy relative to VICE's (95 % CI)",
                             "rank": "Rank among the dimensions (1: best represented)"},
                    caption="Each term's dimensions against the others, on people's real answers (accuracy relative "
                            "to VICE's own; zero-shot, penultimate layer)", csv_name="concepts_terms")

# %% [markdown]
# ## Accuracy per concept dimension (zero-shot)
#
# Mean over the models of each training-data group; dimensions sorted by accuracy.

# %% tags=["remove-input"] mystnb={"figure": {"caption": "Zero-shot odd-one-out accuracy on people's real answers per VICE dimension (each triplet assigned to the dimension that decides the pair most people kept together), mean over the models of each training-data group, dimensions sorted by accuracy.", "name": "fig-concepts"}}
plots.concepts_chart(by_group[by_group["kind"] == "zero_shot"])

# %% [markdown]
# ## After probing
#
# The probe is the one of {doc}`04_transfer`: fitted on triplets simulated from VICE among
# the concepts of its fold, and scored on the real answers to triplets whose three objects
# it never saw.

# %% tags=["remove-input"] mystnb={"figure": {"caption": "As the figure above, after the probe: each real answer scored by a probe fitted without any of its three objects.", "name": "fig-concepts-probed"}}
plots.concepts_chart(by_group[by_group["kind"] == "probed"])

# %% tags=["remove-input"]
wide_groups = by_group.pivot_table(index="name", columns=["kind", "training_data"], values="accuracy")
wide_groups.columns = [f"{kind.replace('_', '-')}, {data}" for kind, data in wide_groups.columns]
tables.reader_table(wide_groups.reset_index(), headers={"name": "Dimension"},
                    caption="Accuracy per dimension and training-data group (mean over the group's models)",
                    csv_name="concepts_by_group")

# %% [markdown]
# ## Without triplets: predicting the dimensions from the features
#
# The VICE dimensions were fitted to real people's choices, so a second view needs no
# triplets at all: how well does a ridge regression from a model's features predict each
# dimension's value for held-out concepts (R², folds over concepts)? Below, the mean over
# the trained models and over the dimensions that carry each term. This is descriptive (no
# interval, no verdict): a high R² says the dimension is linearly present in the features,
# not that the model uses it in its similarity.

# %% tags=["remove-input"]
tables.reader_table(study.term_r2(r2), headers={"r2": "Mean held-out R²", "dimensions": "Dimensions (count)"},
                    caption="How well the features predict the VICE dimensions of each term (mean over trained "
                            "models; descriptive)", csv_name="concepts_r2")

# %% [markdown]
# ## The dimensions and their names
#
# For each VICE dimension: its reviewed name and the paper's term it carries (if any),
# beside the evidence computed from the data: the category most enriched among its ten
# heaviest objects (how many of the ten belong to it, its share of all 1854 objects, the
# ratio of the two) and the objects themselves. The names were written by hand from this
# evidence (the package's `vice_dimensions.csv`, regenerated by `tools/vice_dimensions.py`);
# a rule that names a dimension after its most enriched category misnames some (water
# animals and ships share one dimension; crowns and thrones have no THINGS category).

# %% tags=["remove-input"]
tables.reader_table(dimensions, ["dimension", "name", "term", "category", "in_top", "enrichment", "top_objects"],
                    caption="The 42 VICE dimensions: reviewed names and terms beside the evidence",
                    csv_name="vice_dimensions", digits={"enrichment": 1})

# %% [markdown]
# Every trained model's accuracy per dimension, with its 95 % interval resampling the
# distinct triplets and the people (and the number of answers):

# %% tags=["remove-input"]
tables.reader_table(study.interval_pivot(per_dim).reset_index(), headers={"name": "Dimension"},
                    caption="Accuracy (95 % CI) (number of answers) per dimension and trained model",
                    csv_name="concepts_per_model")

# %% [markdown]
# ## The paper and this book
#
# ::::{grid} 1 1 2 2
# :gutter: 2
#
# :::{grid-item-card} The paper found
# "Some human concepts such as food and animals are well-represented by neural networks
# whereas others such as royal or sports-related objects are not"
# {cite}`muttenthaler2023human` (abstract), with concepts from the VICE dimensions.
# :::
#
# :::{grid-item-card} This book finds
# On people's real answers, zero-shot the claim is {glue:md}`concepts_verdict` (the
# verdict box above gives the numbers); after the probe: {glue:md}`concepts_probed_verdict`.
# Without triplets, the
# mean held-out R² of each term's dimensions, from the highest (descriptive, above):
# {glue:md}`concepts_r2_order`.
# :::
# ::::
#
# ```{glue:md} page_rerun
# :format: myst
# ```
