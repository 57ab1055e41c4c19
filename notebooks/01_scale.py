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
results = study.evaluate(run)
wide = study.wide_accuracy(results, layer="penultimate")
verdict = study.verdict_scale(wide, measure="zero_shot")
probed_verdict = study.verdict_scale(wide, measure="probed")
study.glue_verdict("scale", verdict)
study.glue_verdict("scale_probed", probed_verdict)

# %% [markdown]
# ## Accuracy against size
#
# Penultimate-layer accuracy against parameter count, one line per architecture family,
# coloured by training data (as in the paper's Figure 2). Untrained copies of the same
# architectures are the controls: they show what the architecture alone gives.

# %%
plots.scale_chart(wide)

# %%
wide[["model", "family", "params", "training_data", "zero_shot", "ci_low", "ci_high", "probed"]].round(4)

# %% [markdown]
# ## Verdict
#
# The rule: among trained models, within families that have at least three sizes
# spanning a fourfold range of parameters, fit accuracy against log10(parameters) with
# one intercept per family; the claim holds if the slope is below 0.02 accuracy per
# tenfold increase in size. Zero-shot: {glue:md}`scale_reason`, so the claim is
# {glue:md}`scale_verdict`. After probing: {glue:md}`scale_probed_reason`, so
# {glue:md}`scale_probed_verdict`.
