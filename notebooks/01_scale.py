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

# %% tags=["hide-cell"]
# The library does the work; this page only calls it (the profile is checked first).
from IPython.display import Markdown
from myst_nb import glue

from humanalign import book, plots, results, study

run = study.notebook_profile(globals())
plots.enable_offline()
glue("data_note", Markdown(study.data_note(run)), display=False)

evaluated = study.evaluate(run)
wide = study.wide_accuracy(evaluated, layer="penultimate")
verdict = study.verdict_scale(wide, measure="zero_shot")
probed_verdict = study.verdict_scale(wide, measure="probed")
study.glue_verdict("scale", verdict)
study.glue_verdict("scale_probed", probed_verdict)
study.glue_values("scale_rule", book.rule_values(study.verdict_scale, "max_slope", "min_span"))

# %% [markdown]
# ```{glue:md} data_note
# :format: myst
# ```
#
# ## Verdict
#
# The rule: among trained models, within families that have at least three sizes
# spanning a {glue:text}`scale_rule_min_span:g`-fold range of parameters, fit accuracy
# against log10(parameters) with one intercept per family; the claim holds if the slope
# is below {glue:text}`scale_rule_max_slope:g` accuracy per tenfold increase in size.
# Zero-shot: {glue:md}`scale_reason`, so the claim is {glue:md}`scale_verdict`. After
# probing: {glue:md}`scale_probed_reason`, so {glue:md}`scale_probed_verdict`.
#
# ## Accuracy against size
#
# Penultimate-layer accuracy against parameter count, one line per architecture family,
# coloured by training data (as in the paper's Figure 2). Untrained copies of the same
# architectures are the controls: they show what the architecture alone gives.

# %% tags=["hide-input"]
plots.scale_chart(wide)

# %% tags=["hide-input"]
results.shown(wide, ["model", "family", "params", "training_data", "zero_shot", "ci_low", "ci_high", "probed"],
              values=["zero_shot", "probed"], digits=4)

# %% [markdown]
# ## The paper and this book
#
# ::::{grid} 1 1 2 2
# :gutter: 2
#
# :::{grid-item-card} The paper found
# Within an architecture family, larger models were not better aligned: accuracy hardly
# changed with the number of parameters, before and after the probe, and architectures
# differed little once objective and data were held fixed.
# :::
#
# :::{grid-item-card} This book finds
# Zero-shot, the claim is {glue:md}`scale_verdict`: {glue:md}`scale_reason`. After the
# probe it is {glue:md}`scale_probed_verdict`: {glue:md}`scale_probed_reason`.
# :::
# ::::
