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
# # Behaviour and brain (beyond the paper)
#
# The paper asks how well networks match what people *judge*. This chapter asks a question
# the paper did not: do the networks that match people's judgements also match what a part
# of the human brain *represents*? The same 92 object photos (Kriegeskorte et al. 2008)
# were judged by 16 people, who arranged them by similarity (Mur et al. 2013), and seen by
# 4 people in an fMRI scanner, twice each, while the responses of their inferior temporal
# (IT) cortex were recorded (Kriegeskorte et al. 2008). Each data set gives one
# dissimilarity matrix per person; for IT, a person's matrix is the mean of their two
# sessions.
#
# Every number below is the mean over people of the Spearman correlation between a
# model's dissimilarities (cosine distance of the penultimate layer) and each person's.
# Its 95 % interval resamples the people **and** the images together, every model on the
# same draw and the images drawn once for both data sets, so it speaks of new people and
# new objects, not only of these 92 photos. Four people are too few for a bootstrap over
# them: every interval that involves IT is a t interval whose variance adds the people's
# (the images as sampled) and the images' (every person held), on Satterthwaite's degrees
# of freedom (the methods page states the rule). The
# classic reference models of the 92 images stand beside the networks: category models,
# brain measurements (monkey IT, human early visual cortex) and image-computable models
# (HMAX, a V1 model, silhouette and Radon transform), as compared by Kriegeskorte et al.
# (2008) and Nili et al. (2014).

# %% tags=["parameters", "hide-cell"]
# profile: a name ("demo": offline, on a CPU; "full": the paper's study) or the path of a
# profile .yml file, which holds every value (models, data, probe settings).
profile = "demo"
# Overrides of the profile for this run; None keeps the profile's value.
n_triplets = None  # odd-one-out triplets to use (the THINGS probe is fitted on them)
seed = None  # seed of every random choice
n_boot = None  # bootstrap resamples of the intervals
device = None  # torch device ("cpu", "cuda", ...)

# %% tags=["remove-cell"]
# The library does the work; this page only calls it (the profile is checked first).
from humanalign import escape, plots, study, tables

run = study.open_chapter(globals(), chapter="06_brain.py", uses=("rsa92", "brain", "probe"))

brain = study.evaluate_brain(run)
numbers = study.brain_numbers(brain)
study.glue_values("brain", {**numbers, "n_models": len(run.models), "n_boot": run.n_boot})
wide = study.brain_wide(brain.scores)
ceilings = brain.ceilings.set_index("target")[["lower", "upper"]].to_dict("index")
is_net = wide["kind"].isin(["network", "untrained network"])
# One box per question, each with the answer its interval allows.
answers = study.brain_answers(brain)
study.glue_values("brain_box", {key: study.answer_box(answer) for key, answer in answers.items()})
study.glue_values("brain_answers", {"text": " ".join(
    f"{escape.markdown(a.question)} **{escape.markdown(a.answer)}**." for a in answers.values())})

# %% [markdown]
# ```{glue:md} data_note
# :format: myst
# ```
#
# ## How far IT can be predicted
#
# The noise ceiling (Nili et al. 2014) says how high any model can be expected to score.
# For IT its lower bound (each person against the mean of the other three) is
# {glue:text}`brain_IT_ceiling_lower:.3f` {glue:md}`brain_IT_ceiling_lower_ci` and its upper
# bound (against the mean of all four) {glue:text}`brain_IT_ceiling_upper:.3f`
# {glue:md}`brain_IT_ceiling_upper_ci`: with four people the ceiling itself is uncertain. A
# person's two sessions agree with a Spearman correlation of
# {glue:text}`brain_IT_reliability:.3f` on average, so much of each fMRI matrix is noise.
# For the judgements the bounds are {glue:text}`brain_behaviour_ceiling_lower:.3f`
# {glue:md}`brain_behaviour_ceiling_lower_ci` and {glue:text}`brain_behaviour_ceiling_upper:.3f`
# {glue:md}`brain_behaviour_ceiling_upper_ci`.
#
# People's judgements themselves (the group mean of the 16 people) correlate with IT at
# {glue:text}`brain_judgements_on_IT:.3f` {glue:md}`brain_judgements_on_IT_ci`: behaviour
# and IT share structure, but far from all of it.
#
# A raw correlation with IT and one with the judgements cannot be compared directly, since
# IT's matrices are far noisier. As a share of each data set's lower ceiling, the trained
# networks reach {glue:text}`brain_share_behaviour:.2f` {glue:md}`brain_share_behaviour_ci` of
# what the judgements allow and {glue:text}`brain_share_IT:.2f` {glue:md}`brain_share_IT_ci` of
# what IT allows; the difference is {glue:text}`brain_share_difference:+.2f`
# {glue:md}`brain_share_difference_ci` (**{glue:md}`brain_share_difference_word`**; the
# interval adds each data set's people, each person left out in turn with the ceiling
# recomputed, and the images shared by both).
#
# ## Networks and reference models against IT
#
# Among the {glue:text}`brain_n_models` networks of this profile, the highest IT score is
# {glue:text}`brain_IT_top_value:.3f`, by {glue:md}`brain_IT_top`; {glue:md}`brain_IT_top_separated`.
# On the judgements the highest is {glue:text}`brain_behaviour_top_value:.3f`, by
# {glue:md}`brain_behaviour_top`; {glue:md}`brain_behaviour_top_separated`.

# %% tags=["remove-input"] mystnb={"figure": {"caption": "Spearman correlation with each person's IT matrix (mean over the 4 people), 95 % interval over people and images. Circles are networks before the probe; the other shapes are reference models and the group mean of people's judgements (see the legend). The grey band is the IT noise ceiling.", "name": "fig-brain-it"}}
plots.rsa_chart(wide[is_net], ceilings["IT"], measure="IT", references=wide[~is_net].dropna(subset=["IT"]),
                x_title="Spearman rho with each person's IT matrix (mean over people)")

# %% [markdown]
# ## Do the same networks win on both?
#
# {numref}`fig-brain-scatter` sets each model's alignment with the judgements against its
# alignment with IT. Across the {glue:text}`brain_relation_n:.0f` trained networks the
# Pearson correlation between the two is {glue:text}`brain_relation_r:.2f`
# {glue:md}`brain_relation_ci` (Spearman {glue:text}`brain_relation_rho:.2f`); the relation
# is **{glue:md}`brain_relation_word`**. The interval comes from resamples that each draw
# the networks with replacement together with one two-way draw (people and images) of each
# data set, so it includes how the networks were chosen.
#
# ```{glue:md} brain_box_relation
# :format: myst
# ```

# %% tags=["remove-input"] mystnb={"figure": {"caption": "Each model's alignment with people's judgements (x) and with human IT (y), with both 95 % intervals; the grey bands are the two noise ceilings.", "name": "fig-brain-scatter"}}
plots.alignment_scatter(wide.dropna(subset=["behaviour", "IT"]), ceilings)

# %% [markdown]
# The numbers of both figures:

# %% tags=["remove-input"]
tables.reader_table(
    wide, ["label", "kind", "training_data", "behaviour", "IT"],
    headers={"label": "Model", "behaviour": "Judgements, Spearman ρ", "IT": "Human IT, Spearman ρ"},
    caption="Alignment with people's judgements and with human IT, mean over people", csv_name="brain_alignment.csv")

# %% [markdown]
# ## Does the THINGS probe move IT too?
#
# The probe of the earlier chapters is fitted on odd-one-out choices over THINGS concepts.
# Averaged over the trained networks it changes the alignment with the judgements of the
# 92 photos by {glue:text}`brain_probe_behaviour:+.3f` {glue:md}`brain_probe_behaviour_ci`
# (**{glue:md}`brain_probe_behaviour_word`**) and the alignment with IT by
# {glue:text}`brain_probe_IT:+.3f` {glue:md}`brain_probe_IT_ci`
# (**{glue:md}`brain_probe_IT_word`**). The gain on the judgements minus the gain on IT is
# {glue:text}`brain_probe_contrast:+.3f` {glue:md}`brain_probe_contrast_ci`
# (**{glue:md}`brain_probe_contrast_word`**; a direction is named only with the smallest
# difference its interval allows). Each difference is paired: before and after share every
# resample, and the two data sets share every draw of the images.
#
# ```{glue:md} brain_box_probe
# :format: myst
# ```

# %% tags=["remove-input"]
tables.reader_table(
    study.probe_by_data(brain.probe), ["label", "behaviour_probed", "behaviour_gain", "IT_probed", "IT_gain"],
    headers={"label": "Model", "behaviour_probed": "Judgements, after the probe", "behaviour_gain": "Judgements, change",
             "IT_probed": "IT, after the probe", "IT_gain": "IT, change"},
    caption=f"The probe's effect on each data set (Spearman ρ, mean over people; {study.probe_source(run)})",
    csv_name="brain_probe.csv")

# %% [markdown]
# ## Where judgements and IT part ways
#
# Mur et al. (2013) found that people's judgements divide the images into categories that
# IT divides weakly or not at all: human from non-human animals, and natural from
# artificial objects. Each division below is a binary model (0 within a group, 1 across),
# tested on the images it divides. "Beyond" holds the other data set's mean matrix fixed
# (a partial rank correlation), so it asks what one data set shows that the other does not.
# A negative value beyond the other data set is not a reversed division: when the other
# data set's mean already carries the division, holding it fixed pushes what is left below
# zero (suppression). "Not detected" speaks of people and images together; how many of the
# people show the division on their own is given beside it.
#
# * human / non-human, judgements beyond IT: {glue:md}`brain_cat_human_nonhuman_behaviour_beyond`;
#   in IT alone: {glue:md}`brain_cat_human_nonhuman_IT_plain`.
# * natural / artificial, judgements beyond IT: {glue:md}`brain_cat_natural_artificial_behaviour_beyond`;
#   in IT alone: {glue:md}`brain_cat_natural_artificial_IT_plain`.
# * face / body, IT beyond the judgements: {glue:md}`brain_cat_face_body_IT_beyond`;
#   in the judgements alone: {glue:md}`brain_cat_face_body_behaviour_plain`.
# * animate / inanimate, in IT: {glue:md}`brain_cat_animate_inanimate_IT_plain`; in the
#   judgements: {glue:md}`brain_cat_animate_inanimate_behaviour_plain`.
#
# One caution: each person's IT matrix is noisy (see the ceiling above), so holding the IT
# mean fixed removes less than holding a clean IT matrix fixed would; a division "beyond
# IT" is one that the *measured* IT does not account for.
#
# ```{glue:md} brain_box_categories
# :format: myst
# ```

# %% tags=["remove-input"]
tables.reader_table(
    study.categories_by_measure(brain.categories), ["division", "target", "plain", "beyond"],
    headers={"division": "Category division", "target": "Human data", "plain": "Alone, Spearman ρ",
             "beyond": "Beyond the other data set, partial ρ"},
    caption="Category divisions in judgements and in IT (mean over people; beyond: the other data set's mean "
            "matrix held fixed)", csv_name="brain_categories.csv")

# %% [markdown]
# ## The paper and this book
#
# ::::{grid} 1 1 2 2
# :gutter: 2
#
# :::{grid-item-card} The paper found
# Nothing on this question: the paper compares networks with human behaviour only
# (odd-one-out choices and similarity judgements) and tests no brain data.
# :::
#
# :::{grid-item-card} This book finds
# {glue:md}`brain_answers_text`
#
# On the 92 photos, the relation between a network's alignment with judgements and with IT
# is {glue:md}`brain_relation_word` (Pearson {glue:text}`brain_relation_r:.2f`
# {glue:md}`brain_relation_ci`). The THINGS probe's effect is
# {glue:md}`brain_probe_behaviour_word` on the judgements and {glue:md}`brain_probe_IT_word`
# on IT. {glue:md}`brain_categories_summary` Mur et al. (2013) reported human / non-human
# and natural / artificial as such divisions.
# :::
# ::::
#
# ```{glue:md} page_rerun
# :format: myst
# ```
