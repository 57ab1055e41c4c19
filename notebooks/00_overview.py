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
from humanalign import escape, names, paper, plots, results, study, tables

run = study.open_chapter(globals(), chapter="00_overview.py", uses=("things", "probe", "rsa92"))
result = study.study_result(run)  # every model's scores with paired resamples: what the verdicts read

evaluated = study.evaluate(run)
baselines = study.human_baselines(run)
table, refs = study.headline_table(evaluated, baselines, run)
table = results.shown(table, values=["zero_shot", "probed"], digits=None)  # layers this profile scores
table = study.with_normalised(table)  # as the paper's code rescales accuracy
best = table.sort_values("probed", ascending=False).iloc[0]
best_zero_shot = table.sort_values("zero_shot", ascending=False).iloc[0]
counts = study.real_trial_counts(run)
humans = study.human_references(baselines, run)
study.glue_values("real", {**counts, "min_distinct": study.MIN_DISTINCT,
                           "note": "" if counts["decidable"] else (
                               f" **That is fewer than the {study.MIN_DISTINCT} distinct triplets needed to compare "
                               "models: the intervals below span most of the range, and no verdict rests on them.**")})
study.glue_values("intro", {
    "n_models": len(run.models),
    "ceiling": refs["noise_ceiling"],
    "ceiling_all": refs["noise_ceiling_all"],
    "chance": refs["chance"],
    "vice": refs["vice"],
    "best_probed": float(best["probed"]),
    "best_model": escape.markdown(names.display_name(best["model"])) + (
        f", {best['layer']} layer" if table["layer"].nunique() > 1 else ""),
    "best_probed_normalised": float(best["probed_normalised"]),
    "best_zero_shot": float(best_zero_shot["zero_shot"]),
    "best_zero_shot_normalised": float(best_zero_shot["zero_shot_normalised"]),
    "paper_chance": paper.CHANCE,
    "paper_ceiling": paper.CEILING,
    "probe_note": study.probe_warning(evaluated, run.probe_max_iter),
    "probe_how": study.probe_description(run),
})

# The five claims at a glance (each chapter computes its own verdict the same way, from the
# same study result), and the brain chapter's question beyond the paper.
decided = {key: verdict(result) for key, verdict in study.VERDICTS.items()}
verdicts = {key: found[0] if isinstance(found, tuple) else found for key, found in decided.items()}
rsa = study.evaluate_rsa(run)
caveats = study.claim_caveats(run, verdicts, scale=decided["scale"][1], data=decided["dataset"][1],
                              gaps=study.reference_gaps(result),
                              missing_sets=rsa[rsa["measure"] == "missing"]["dataset"].tolist())
beyond = {key: answer for key, answer in study.brain_answers(study.evaluate_brain(run)).items() if key == "relation"}
claims = study.claims_table(verdicts, run, caveats=caveats, beyond=beyond)
study.glue_values("claims", {"table": study.claims_markdown(claims, csv_name="overview_claims.csv")})

rsa92 = study.rsa_wide(rsa, run, "rsa92")
bounds = study.ceiling(rsa, "rsa92")
references = study.reference_rsa(run)  # the classic models of the 92 images, drawn beside the networks
top = study.leader(result.evidence("rsa92"))
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
# Each claim of the paper, this book's verdict with this profile (a claim of two halves gets
# a verdict for each), the effect that decides it with its unit and 95 % interval (which
# resamples what the row says), what the human side rests on, and what this profile could
# test, on which measure. The brain chapter's question, which the paper did not ask,
# follows. Each claim links to its chapter; the {doc}`../methods` page states every rule.
#
# ```{glue:md} claims_table
# :format: myst
# ```
#
# ## Real people on THINGS
#
# People saw three objects and picked the odd one out. The THINGS release holds
# {glue:text}`real_n_all:,.0f` such answers to 1,000 triplets that about 20 people each
# answered; {glue:text}`real_n_answers:,.0f` of them, by {glue:text}`real_n_people:.0f`
# people to {glue:text}`real_n_triplets:.0f` distinct triplets over
# {glue:text}`real_n_concepts:,.0f` concepts, fall among this profile's concepts and are
# scored here.{glue:md}`real_note` People agree with the most frequent answer to a triplet
# {glue:text}`intro_ceiling:.3f` of the time on these answers (the noise ceiling;
# {glue:text}`intro_ceiling_all:.4f` on all 20,000, where the THINGS literature reports
# 0.6722 and the paper's code draws its ceiling at 0.673), and the human embeddings fitted to
# other people's choices come close to it:

# %% tags=["remove-input"]
tables.reader_table(humans, headers={"reference": "Human reference", "value": "Accuracy on the real answers",
                                    "n": "Answers"},
                    caption="Human references on the same real answers (95 % intervals resampling triplets and "
                            "people)", csv_name="overview_human_references")

# %% [markdown]
# ## The headline
#
# Every model of this profile ({glue:text}`intro_n_models` models) on one chart: its
# zero-shot odd-one-out accuracy on people's real answers against its accuracy after a
# linear probe. The highest zero-shot accuracy is {glue:text}`intro_best_zero_shot:.3f`; the
# highest probed one is {glue:text}`intro_best_probed:.3f`, reached by
# {glue:md}`intro_best_model` (the table below gives each model's intervals; these are the
# highest values, not separated winners). The dashed lines are chance
# ({glue:text}`intro_chance:.3f`), the noise ceiling ({glue:text}`intro_ceiling:.3f`) and
# the VICE human embedding ({glue:text}`intro_vice:.3f`), all on the same answers.
#
# To set these beside the paper's plots, the paper's code rescales an accuracy as the share
# of the way from chance ({glue:text}`intro_paper_chance:.3f`) to its noise ceiling
# ({glue:text}`intro_paper_ceiling:.3f`): (accuracy − 1/3) / (0.673 − 1/3). On that scale the
# highest zero-shot accuracy here is {glue:text}`intro_best_zero_shot_normalised:.2f` and the
# highest probed one {glue:text}`intro_best_probed_normalised:.2f` (0 is chance, 1 the
# ceiling); the table below gives both scales for every model.

# %% tags=["remove-input"] mystnb={"figure": {"caption": "Every model's zero-shot odd-one-out accuracy on people's real answers against its accuracy after a linear probe (each answer scored by a probe fitted without its objects). Dashed lines: chance (1/3), the human noise ceiling and the VICE embedding's accuracy on the same answers. The paper's headline plot shows the same for its models.", "name": "fig-headline"}}
plots.headline_chart(table, {k: refs[k] for k in ("chance", "noise_ceiling", "vice")})

# %% [markdown]
# {glue:md}`intro_probe_how`
#
# ```{glue:md} intro_probe_note
# :format: myst
# ```

# %% [markdown]
# The same numbers as a table (95 % intervals resampling the distinct triplets and the
# people together, the same draws for every model), each accuracy also on the paper's
# normalised scale:

# %% tags=["remove-input"]
tables.reader_table(table, ["model", *(["layer"] if table["layer"].nunique() > 1 else []), "zero_shot", "ci_low",
                            "ci_high", "zero_shot_normalised", "probed", "probed_low", "probed_high",
                            "probed_normalised"],
                    headers={"zero_shot_normalised": "Zero-shot, normalised", "probed_normalised": "Probed, normalised"},
                    digits={"zero_shot_normalised": 2, "probed_normalised": 2},
                    caption="Every model's odd-one-out accuracy on people's real answers, zero-shot and after "
                            f"{study.probe_source(run)}; normalised: (accuracy − 1/3) / (0.673 − 1/3), as the "
                            "paper's code rescales it", csv_name="overview_models")

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
# Its abstract sums up: "although models trained on larger, more diverse datasets achieve
# better alignment with humans than models trained on ImageNet alone, our results indicate
# that scaling alone is unlikely to be sufficient to train neural networks with conceptual
# representations that match those used by humans" {cite}`muttenthaler2023human`. Its
# THINGS plots draw chance at 1/3 and the noise ceiling at 0.673, as its code does.
# :::
#
# :::{grid-item-card} This book finds
# On {glue:text}`real_n_answers:,.0f` real answers by {glue:text}`real_n_people:.0f`
# people, the highest zero-shot accuracy of this profile's {glue:text}`intro_n_models`
# models is {glue:text}`intro_best_zero_shot:.3f` and the highest probed one
# {glue:text}`intro_best_probed:.3f` ({glue:text}`intro_best_zero_shot_normalised:.2f` and
# {glue:text}`intro_best_probed_normalised:.2f` on the paper's normalised scale), against a
# noise ceiling of {glue:text}`intro_ceiling:.3f` and {glue:text}`intro_vice:.3f` for the VICE
# embedding. On the real 92-image judgements the highest score is
# {glue:text}`rsa92_share_of_ceiling:.0%` of the lower noise ceiling. The table above gives
# each claim's verdict.
# :::
# ::::
#
# ```{glue:md} page_rerun
# :format: myst
# ```
