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
# # Transfer of the probe
#
# **Claim of the paper:** a linear transform learned from THINGS odd-one-out choices
# improves alignment on other human similarity data sets ("substantially", in their words).
#
# The paper tests this on the multi-arrangement (Cichy et al. 2019) and
# free-arrangement (King et al. 2019) data. Every profile tests it on real judgements of
# other photos by other people: the 92 object images of Kriegeskorte et al. (2008),
# arranged by 16 people (Mur et al. 2013). The probe is fitted on the profile's THINGS
# triplets; the 92 images' features are standardised with the THINGS mean and standard
# deviation and transformed; the representational dissimilarities are compared with each
# person's before and after. The full profile adds the paper's arrangement data sets where
# their files were placed.

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

run = study.open_chapter(globals(), chapter="04_transfer.py", uses=("things", "probe", "rsa92"))
result = study.study_result(run)  # every model's scores with paired resamples: what the verdicts read

rsa = study.evaluate_rsa(run)
rsa92 = study.rsa_wide(rsa, run, "rsa92")
bounds = study.ceiling(rsa, "rsa92")
verdict = study.verdict_transfer_people(result)
study.glue_verdict("transfer", verdict, run)
study.glue_values("transfer", {"ceiling_lower": bounds["lower"], "ceiling_upper": bounds["upper"],
                               "probe_note": "simulated from the VICE embedding" if run.simulated else "real human choices"})
missing = rsa[rsa["measure"] == "missing"]["dataset"].tolist()
study.glue_values("transfer", {"missing": ", ".join(missing) if missing else "none"})
study.glue_values("transfer_heldout", study.heldout_gain(result))
heldout_models = study.wide_accuracy(study.evaluate(run), run, layer="penultimate")

# %% [markdown]
# ```{glue:md} data_note
# :format: myst
# ```
#
# ## Verdict
#
# ```{glue:md} transfer_box
# :format: myst
# ```
#
# Averaged over the
# {glue:text}`transfer_n_models:.0f` trained models, the score rises from
# {glue:text}`transfer_mean_before:.3f` to {glue:text}`transfer_mean_after:.3f`
# (gain {glue:text}`transfer_gain:+.3f`, 95 % interval resampling people and images
# [{glue:text}`transfer_gain_low:+.3f`, {glue:text}`transfer_gain_high:+.3f`], or
# {glue:text}`transfer_share_of_room:.0%` of the distance from the score before the probe
# to the lower noise ceiling); the probe
# raised it for {glue:text}`transfer_share_improved:.0%` of the trained models. The
# noise ceiling is [{glue:text}`transfer_ceiling_lower:.3f`, {glue:text}`transfer_ceiling_upper:.3f`].
# The THINGS choices the probe was fitted on are {glue:md}`transfer_probe_note`; the
# judgements it is tested on are real. Arrangement data sets not placed in this profile:
# {glue:md}`transfer_missing`.

# %% tags=["remove-input"]
tables.reader_table(verdict.robustness, caption=study.robustness_caption(verdict), csv_name="transfer_robustness",
                    headers=study.ROBUSTNESS_HEADERS)

# %% [markdown]
# ## Before and after, per model
#
# Each line joins a model's score before (circle) and after (triangle) the probe
# (mean over people of each person's Spearman correlation).

# %% tags=["remove-input"] mystnb={"figure": {"caption": "Each model's RSA with the 16 people's judgements of the 92 photos (mean over people of each person's Spearman correlation) before (circle) and after (triangle) the probe fitted on THINGS triplets (simulated from VICE in the demo); the judgements are real.", "name": "fig-transfer"}}
plots.transfer_chart(rsa92.assign(rsa_zero_shot=rsa92["rsa_people_zero_shot"], rsa_transformed=rsa92["rsa_people_transformed"]))

# %% tags=["remove-input"]
tables.reader_table(
    results.shown(rsa92, ["model", "training_data", "rsa_people_zero_shot", "rsa_people_transformed", "rsa_people_gain",
                          "rsa_people_gain_low", "rsa_people_gain_high", "rsa_zero_shot", "rsa_transformed", "rsa_gain",
                          "rsa_gain_low", "rsa_gain_high"], digits=None),
    headers={"rsa_people_zero_shot": "RSA with people, before", "rsa_people_transformed": "RSA with people, after",
             "rsa_people_gain": "Gain", "rsa_zero_shot": "RSA with the group mean, before",
             "rsa_transformed": "RSA with the group mean, after", "rsa_gain": "Gain, group mean"},
    caption="RSA (Spearman ρ) with 16 people's real judgements of the 92 photos before and after "
            f"{study.probe_source(run)}; intervals resample people and images (per person) or images (group mean)",
    csv_name="transfer_rsa92")

# %% [markdown]
# ## Beside it: THINGS objects the probe never saw, real people
#
# The probe also has to carry over to new objects within THINGS. Each of people's real
# answers to THINGS triplets is scored by a probe fitted without any of the answer's three
# objects (object-wise folds that keep every real triplet whole). Averaged over the
# {glue:text}`transfer_heldout_n_models:.0f` trained models, the accuracy on these answers
# moves from {glue:text}`transfer_heldout_before:.3f` zero-shot to
# {glue:text}`transfer_heldout_after:.3f` after the probe (gain
# {glue:text}`transfer_heldout_gain:+.3f`, 95 % interval resampling triplets and people
# [{glue:text}`transfer_heldout_gain_low:+.3f`, {glue:text}`transfer_heldout_gain_high:+.3f`]).
# This is not the paper's transfer test (the data set is the one the probe's triplets come
# from), so it does not decide the claim; it shows that the probe learned something about
# people's choices that holds for objects it never saw.

# %% tags=["remove-input"]
tables.reader_table(
    results.shown(heldout_models, ["model", "training_data", "zero_shot", "ci_low", "ci_high", "probed", "probed_low",
                                   "probed_high"], values=["zero_shot", "probed"], digits=None),
    headers={"zero_shot": "Zero-shot", "probed": "Probed (objects never seen)"},
    caption="People's real answers to THINGS triplets, zero-shot and after a probe that never saw the answer's "
            f"objects ({study.probe_source(run)}; 95 % intervals resampling triplets and people)",
    csv_name="transfer_heldout")

# %% [markdown]
# ## The paper and this book
#
# ::::{grid} 1 1 2 2
# :gutter: 2
#
# :::{grid-item-card} The paper found
# "Linear transformations of neural network representations learned from behavioral
# responses from one dataset substantially improve alignment with human similarity
# judgments on the other two datasets" {cite}`muttenthaler2023human` (abstract): a
# transform learned from THINGS odd-one-out choices, tested on the multi-arrangement and
# free-arrangement data.
# :::
#
# :::{grid-item-card} This book finds
# On the real judgements of the 92 photos (not one of the paper's two data sets) the claim
# is {glue:md}`transfer_verdict`: the mean score moves from
# {glue:text}`transfer_mean_before:.3f` to {glue:text}`transfer_mean_after:.3f` (Spearman ρ),
# {glue:text}`transfer_share_of_room:.0%` of the way to the lower noise ceiling. The probe's
# own training triplets are {glue:md}`transfer_probe_note`.
# :::
# ::::
#
# ```{glue:md} page_rerun
# :format: myst
# ```
