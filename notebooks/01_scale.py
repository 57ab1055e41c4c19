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
# Defaults: the offline demo profile (notebooks/params/demo.yml); papermill overrides them.
profile = "demo"
dataset = "things-demo"
models = [
    "pypi/efficientnet_lite0.in1k",
    "pypi/efficientnet_lite1.in1k",
    "pypi/efficientnet_lite2.in1k",
    "litert/mobilenet_v1_025_128.quant_in1k",
    "litert/mobilenet_v1_050_160.quant_in1k",
    "litert/mobilenet_v1_075_192.quant_in1k",
    "litert/mobilenet_v1_100_224.quant_embedding",
    "litert/mobilenet_v2_100_224.qat_in1k",
    "litert/mobilenet_v2_100_224.ptq_in1k",
    "untrained/efficientnet_lite0.seed0",
    "untrained/efficientnet_lite2.seed0",
    "untrained/mobilenetv2_100.seed0",
]
layers = ["penultimate"]
n_triplets = 100000
seed = 0
device = None
batch_size = 32
n_boot = 1000
lambdas = [0.1, 0.01, 0.001, 0.0001, 0.00001]
n_folds = 3
transfer = "heldout-concepts"
train_fraction = 0.6667

# %% tags=["remove-output"]
run = study.make_profile(
    profile=profile, models=models, dataset=dataset, layers=layers, n_triplets=n_triplets,
    seed=seed, device=device, batch_size=batch_size, n_boot=n_boot, lambdas=lambdas,
    n_folds=n_folds, transfer=transfer, train_fraction=train_fraction,
)
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
