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

run = study.open_chapter(globals(), chapter="00_overview.py")

evaluated = study.evaluate(run)
baselines = study.human_baselines(run)
table, refs = study.headline_table(evaluated, baselines, run)
table = results.shown(table, values=["zero_shot", "probed"], digits=None)  # layers this profile scores
best = table.sort_values("probed", ascending=False).iloc[0]
study.glue_values("intro", {
    "n_models": len(run.models),
    "ceiling": refs["noise_ceiling"],
    "chance": refs["chance"],
    "vice_real": refs["vice_real"],
    "vice_profile": refs.get("vice_profile", float("nan")),
    "best_probed": float(best["probed"]),
    "best_model": f"`{best['model']}` ({best['layer']})",
    "best_zero_shot": float(table["zero_shot"].max()),
    "probe_note": study.probe_warning(evaluated, run.probe_max_iter),
})

# The five claims at a glance (each chapter computes its own verdict the same way).
verdicts = {"scale": study.verdict_scale(run)[0], "objective": study.verdict_objective(run),
            "dataset": study.verdict_training_data(run)[0], "transfer": study.verdict_transfer_people(run),
            "concepts": study.verdict_concepts(run)[0]}
study.glue_values("claims", {"table": study.claims_markdown(study.claims_table(verdicts, run))})

rsa = study.evaluate_rsa(run)
rsa92 = study.rsa_wide(rsa, run, "rsa92")
bounds = study.ceiling(rsa, "rsa92")
references = study.reference_rsa(run)  # the classic models of the 92 images, drawn beside the networks
top = study.leader(study.evidence(run, run.specs, "rsa92"))
study.glue_values("rsa92", {
    "ceiling_lower": bounds["lower"],
    "ceiling_upper": bounds["upper"],
    "leader": top["text"],
    "share_of_ceiling": top["score"] / bounds["lower"],
})

# %% [markdown]
# ```{glue:md} data_note
# :format: myst
# ```
#
# ## What this book finds
#
# Each claim of the paper, this book's verdict with this profile, the effect that decides it
# (its 95 % interval resamples what the row says) and what the human side rests on. Each
# claim links to its chapter; the methods page states every rule.
#
# ```{glue:md} claims_table
# :format: myst
# ```
#
# ## The headline
#
# Every model of this profile ({glue:text}`intro_n_models` models) on one chart: its
# zero-shot odd-one-out accuracy against its accuracy after a linear probe. The highest
# zero-shot accuracy is {glue:text}`intro_best_zero_shot:.3f`; the highest probed one is
# {glue:text}`intro_best_probed:.3f`, reached by {glue:md}`intro_best_model` (the table below
# gives each model's interval; these are the highest values, not separated winners). The
# dashed lines are chance ({glue:text}`intro_chance:.3f`), the human noise ceiling of
# the real 20k-trial set ({glue:text}`intro_ceiling:.4f`; the paper reports 0.6722) and
# the VICE human embedding, which predicts {glue:text}`intro_vice_real:.3f` of those
# real trials and {glue:text}`intro_vice_profile:.3f` of this profile's triplets.

# %% tags=["remove-input"] mystnb={"figure": {"caption": "Every model's zero-shot odd-one-out accuracy against its accuracy after a linear probe, on this profile's THINGS triplets (simulated from VICE in the demo). Dashed lines: chance (1/3), the human noise ceiling of the real 20k-trial set and the VICE embedding's accuracy. The paper's headline plot shows the same for its models.", "name": "fig-headline"}}
plots.headline_chart(table, refs)

# %% [markdown]
# ```{glue:md} intro_probe_note
# :format: myst
# ```

# %% [markdown]
# The same numbers as a table (zero-shot accuracy with its 95 % interval resampling the
# concepts with their triplets):

# %% tags=["remove-input"]
tables.reader_table(table, ["model", "layer", "training_data", "zero_shot", "ci_low", "ci_high", "probed"],
                    caption="Every model's odd-one-out accuracy, zero-shot and probed", csv_name="overview_models")

# %% tags=["remove-cell"]
real, real_summary = study.real_trials(run)
study.glue_values("real", {**real_summary, "min_distinct": study.MIN_DISTINCT,
                           "note": ("enough to compare models" if real_summary["decidable"] else
                                    "**too few to decide anything**: the intervals below span most of "
                                    "the range, and the page draws no conclusion from them")})

# %% [markdown]
# ## Real choices on these concepts
#
# The THINGS release also holds trials that many people answered: 20,000 answers to 1,000
# distinct triplets (the noise-ceiling set). Only the triplets whose three concepts all have
# an image in this profile can be scored: {glue:text}`real_n_trials:.0f` answers to
# {glue:text}`real_n_distinct:.0f` distinct triplets remain, {glue:md}`real_note` (at least
# {glue:text}`real_min_distinct` distinct triplets are needed). On them, people agree with
# the most frequent answer {glue:text}`real_ceiling:.3f` of the time. Each model's zero-shot
# accuracy, with its 95 % interval resampling the distinct triplets:

# %% tags=["remove-input"]
(tables.reader_table(real, caption="Zero-shot accuracy on the real repeated triplets among this profile's concepts",
                     csv_name="overview_real_trials") if len(real) else "No real trial falls among this profile's concepts.")

# %% [markdown]
# ## Real people, 92 photos
#
# The second human data set is real in every profile: 16 people arranged the 92 object
# photos of Kriegeskorte et al. (2008) by similarity (Mur et al. 2013), giving one
# dissimilarity matrix each. A model's score is the Spearman correlation of its
# representational dissimilarities (cosine distance of the penultimate layer) with each
# person's, averaged over people; the bar is its 95 % interval, resampling people and
# images together (both are samples). The grey band
# is the noise ceiling: how well the mean of the *other* people predicts a person
# ({glue:text}`rsa92_ceiling_lower:.3f`, lower bound) and how well the mean of *all*
# people does ({glue:text}`rsa92_ceiling_upper:.3f`, upper bound).
# {glue:md}`rsa92_leader`; the highest score is {glue:text}`rsa92_share_of_ceiling:.0%`
# of the lower bound.
# The grey diamonds and squares are not networks but the classic **reference models** of
# these images (Kriegeskorte et al. 2008), each labelled `reference:`: category models
# (animate / inanimate; face, body, natural and artificial object) and image-computable
# models (HMAX, a V1 model, silhouette, Radon transform). The chapter {doc}`06_brain`
# compares all of them with human IT as well.

# %% tags=["remove-input"] mystnb={"figure": {"caption": "RSA with the 16 people's similarity judgements of the 92 photos (real data): each model's mean Spearman correlation over people, with 95 % intervals resampling people and images; grey band: the noise ceiling; grey markers: classic reference models, not networks.", "name": "fig-rsa92"}}
plots.rsa_chart(rsa92, bounds, references=references)

# %% [markdown]
# The same numbers, with the Spearman correlation against the mean matrix of all people
# (95 % interval over images) and with correlation distance instead of cosine distance:

# %% tags=["remove-input"]
tables.reader_table(
    results.shown(rsa92, ["model", "training_data", "objective", "rsa_people_zero_shot", "rsa_people_zero_shot_low",
                          "rsa_people_zero_shot_high", "rsa_zero_shot", "rsa_zero_shot_low", "rsa_zero_shot_high",
                          "rsa_zero_shot_corr"], digits=None),
    headers={"rsa_people_zero_shot": "RSA with each person (mean)", "rsa_zero_shot": "RSA with the group mean",
             "rsa_zero_shot_corr": "Group mean, correlation distance"},
    caption="RSA on the 92 photos (Spearman, penultimate layer)", csv_name="overview_rsa92")

# %% [markdown]
# ## The paper and this book
#
# ::::{grid} 1 1 2 2
# :gutter: 2
#
# :::{grid-item-card} The paper found
# Across about seventy models, zero-shot odd-one-out accuracy varied widely and stayed well
# below the human noise ceiling, and the human embeddings came closest to it; a linear
# probe fitted on THINGS triplets raised the accuracy of the models substantially.
# :::
#
# :::{grid-item-card} This book finds
# With this profile's {glue:text}`intro_n_models` models, the highest zero-shot accuracy is
# {glue:text}`intro_best_zero_shot:.3f` and the highest probed one
# {glue:text}`intro_best_probed:.3f`, against a noise ceiling of
# {glue:text}`intro_ceiling:.3f`. On the real 92-image judgements the highest score is
# {glue:text}`rsa92_share_of_ceiling:.0%` of the lower noise ceiling.
# :::
# ::::
#
# ```{glue:md} page_rerun
# :format: myst
# ```
