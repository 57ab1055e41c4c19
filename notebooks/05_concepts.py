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
