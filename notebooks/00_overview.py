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
# # Introduction
#
# Do the representations of image models match how people judge the similarity of
# objects? This book replicates *Human alignment of neural network representations*
# (Muttenthaler et al., ICLR 2023) {cite}`muttenthaler2023human`. People saw three
# objects and picked the odd one out; a model "agrees" with a person when the two
# images it finds most similar are the two the person kept together. The paper's
# claims, one chapter each: model size hardly matters ({doc}`01_scale`), the training
# objective matters ({doc}`02_objective`), the training data matter most
# ({doc}`03_dataset`), a linear probe learned from odd-one-out choices transfers to
# other human data ({doc}`04_transfer`), and some human concepts are captured far
# better than others ({doc}`05_concepts`). The {doc}`../methods` page states how every
# number is computed.

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
baselines = study.human_baselines(run)
table, refs = study.headline_table(results, baselines)
best = table.sort_values("probed", ascending=False).iloc[0]
study.glue_values("intro", {
    "n_models": len(run.models),
    "ceiling": refs["noise_ceiling"],
    "vice_real": refs["vice_real"],
    "vice_profile": refs.get("vice_profile", float("nan")),
    "best_probed": float(best["probed"]),
    "best_model": f"`{best['model']}` ({best['layer']})",
    "best_zero_shot": float(table["zero_shot"].max()),
})

# %% [markdown]
# ## The headline
#
# Every model of this profile ({glue:text}`intro_n_models` models) on one chart: its
# zero-shot odd-one-out accuracy against its accuracy after a linear probe. The best
# zero-shot accuracy is {glue:text}`intro_best_zero_shot:.3f`; the best probed one is
# {glue:text}`intro_best_probed:.3f`, reached by {glue:md}`intro_best_model`. The
# dashed lines are chance (1/3), the human noise ceiling of the real 20k-trial set
# ({glue:text}`intro_ceiling:.4f`; the paper reports 0.6722) and the VICE human
# embedding, which predicts {glue:text}`intro_vice_real:.3f` of those real trials and
# {glue:text}`intro_vice_profile:.3f` of this profile's triplets.

# %%
plots.headline_chart(table, refs)

# %% [markdown]
# The same numbers as a table (`zero_shot` with its 95 % bootstrap interval over
# triplets):

# %%
table[["model", "layer", "training_data", "zero_shot", "ci_low", "ci_high", "probed"]].round(4)
