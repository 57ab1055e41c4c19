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
results = study.evaluate(run)
wide = study.wide_accuracy(results, layer="penultimate")
verdict, comparisons = verdicts.verdict_scale(run)
study.glue_verdict("scale", verdict)
study.glue_values("scale_imagenet", verdicts.imagenet_correlation(wide, n_boot=run.n_boot, seed=run.seed))

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
# The claim has two halves, each tested as an equivalence: an effect counts as "essentially
# none" when its 95 % interval lies within plus or minus {glue:text}`scale_margin:.3f`
# accuracy (a tenth of the way from chance to the noise ceiling). **Size:** within each
# group of trained models that share architecture family, objective and training data and
# span at least a doubling of parameters, the slope of zero-shot accuracy on
# log10(parameters), per tenfold increase. **Architecture:** within each objective x
# training data with two or more families, the range of the family means. The intervals
# come from one bootstrap over triplets shared by all models (and over the models of a
# family for the architecture half). Size: {glue:md}`scale_size_status`; architecture:
# {glue:md}`scale_architecture_status`; the claim is {glue:md}`scale_verdict`:
# {glue:md}`scale_reason`.

# %%
comparisons.round(4)

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
