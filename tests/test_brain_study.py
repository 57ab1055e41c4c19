"""Tests of the brain chapter's study (humanalign.study.brain, .brain_analysis) and its charts.

Planted structure: two synthetic "data sets" of per-person matrices over the same images,
one built on a latent "IT" structure and one on a latent "behaviour" structure; fake model
matrices that carry one structure or the other must score on the right data set only. The
end-to-end test runs the fake models of tests/fakes.py with pre-seeded features.
"""

from __future__ import annotations

import dataclasses
import types
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

import fakes
from conftest import needs_mirror
from humanalign import datasets, features, measures, plots, study
from humanalign.registry import get_spec

N = 24


def _rdm(vector: np.ndarray) -> np.ndarray:
    n = int(round((1 + np.sqrt(1 + 8 * len(vector))) / 2))
    out = np.zeros((n, n))
    rows, cols = np.triu_indices(n, k=1)
    out[rows, cols] = out[cols, rows] = vector
    return out


def _people(latent: np.ndarray, p: int, noise: float, rng) -> np.ndarray:
    """(p, n, n) noisy copies of a latent condensed structure (positive dissimilarities)."""
    return np.stack([_rdm(latent + noise * rng.normal(size=latent.shape) + 10) for _ in range(p)])


@pytest.fixture
def planted(rng):
    pairs = N * (N - 1) // 2
    it, behaviour = rng.normal(size=pairs), rng.normal(size=pairs)
    return types.SimpleNamespace(
        it_people=_people(it, 4, 0.5, rng), behaviour_people=_people(behaviour, 8, 0.5, rng),
        like_it=_rdm(it + 0.3 * rng.normal(size=pairs) + 10),
        like_behaviour=_rdm(behaviour + 0.3 * rng.normal(size=pairs) + 10))


def _models(*rdms: np.ndarray, kinds=None, reps=None) -> pd.DataFrame:
    k = len(rdms)
    return pd.DataFrame({"model": [f"m{i}" for i in range(k)], "label": [f"m{i}" for i in range(k)],
                         "kind": kinds or ["network"] * k, "representation": reps or ["cosine"] * k,
                         "rdm": list(rdms)})


# --------------------------------------------------------------------------- words and intervals


def test_effect_word_follows_the_interval():
    assert study.effect_word(0.1, 0.3) == "higher"
    assert study.effect_word(-0.3, -0.1, down="lowered") == "lowered"
    assert study.effect_word(-0.1, 0.2).startswith("no detectable difference (the interval covers 0)")
    assert "no interval" in study.effect_word(float("nan"), 0.1)


def test_nan_interval_ignores_nan_and_handles_none_finite():
    low, high = study.nan_interval(np.r_[np.linspace(0, 1, 101), np.nan])
    assert low == pytest.approx(0.025) and high == pytest.approx(0.975)
    assert all(np.isnan(study.nan_interval(np.full(5, np.nan))))


# --------------------------------------------------------------------------- planted RSA


def test_models_built_like_it_score_on_it_only_and_the_reverse(planted):
    models = _models(planted.like_it, planted.like_behaviour)
    on_it, res_it = study.rsa_rows(models, planted.it_people, "IT", n_boot=200, seed=1)
    on_beh, res_beh = study.rsa_rows(models, planted.behaviour_people, "behaviour", n_boot=200, seed=1)
    assert res_it.boot.shape == res_it.images.shape == (200, 2) and res_it.per_person.shape == (4, 2)
    assert list(on_it["target"]) == ["IT", "IT"] and on_it["n"].eq(4).all()
    # 4 people: a t interval on Satterthwaite's degrees of freedom.
    assert on_it["interval"][0].startswith("t on")
    # The IT-like model: clearly above 0 on IT, its interval covering 0 on behaviour; and the reverse.
    assert on_it["ci_low"][0] > 0.5 and on_beh["ci_low"][0] < 0 < on_beh["ci_high"][0]
    assert on_beh["ci_low"][1] > 0.5 and on_it["ci_low"][1] < 0 < on_it["ci_high"][1]
    # The point value is the mean over people of each person's Spearman (a plain loop).
    loop = np.mean([spearmanr(planted.like_it[np.triu_indices(N, 1)], m[np.triu_indices(N, 1)])[0]
                    for m in planted.it_people])
    assert on_it["value"][0] == pytest.approx(loop)
    top = study.top_model(on_it, res_it)
    assert top["model"] == "m0" and top["separated"] and top["runner_up"] == "m1"


def test_top_model_is_not_separated_from_a_copy_of_itself(planted):
    models = _models(planted.like_it, planted.like_it * 1.0001)
    rows, res = study.rsa_rows(models, planted.it_people, "IT", n_boot=100, seed=0)
    assert not study.top_model(rows, res)["separated"]


def test_across_models_recovers_a_planted_relation(rng):
    k, n_boot = 12, 400
    x = np.linspace(0.05, 0.4, k)
    related = 0.5 * x + 0.01 * rng.normal(size=k)
    x_boot = x + 0.01 * rng.normal(size=(n_boot, k))
    y_boot = related + 0.01 * rng.normal(size=(n_boot, k))
    out = study.across_models(x, related, x_boot, y_boot, seed=0)
    assert out["n_models"] == k and out["pearson"] > 0.9 and out["pearson_low"] > 0.5
    assert out["spearman"] > 0.8 and out["spearman_low"] > 0.3
    unrelated = rng.normal(size=k) * 0.1
    free = study.across_models(x, unrelated, x_boot, unrelated + 0.01 * rng.normal(size=(n_boot, k)), seed=0)
    assert free["pearson_low"] < 0.3
    assert np.isnan(study.across_models(x[:2], x[:2], x_boot[:, :2], x_boot[:, :2])["pearson"])
    with pytest.raises(ValueError, match="do not match"):
        study.across_models(x, related, x_boot, y_boot[:, :3])


def test_probe_effects_pair_before_and_after(planted):
    # "probed" = the behaviour-like matrix: the probe raises behaviour and lowers IT.
    models = _models(planted.like_it, planted.like_behaviour, planted.like_it, planted.like_it,
                     kinds=["network", "network", "untrained network", "untrained network"],
                     reps=["cosine", "probed", "cosine", "probed"])
    models["model"] = ["a", "a", "u", "u"]
    rows, res = study.rsa_rows(models, planted.behaviour_people, "behaviour", n_boot=200, seed=0)
    table = study.probe_effects(rows, res, "behaviour")
    assert list(table["model"]) == ["a", "u", "mean of trained networks"]
    assert table["effect"].tolist()[0] == "raised" and table["gain"][2] == pytest.approx(table["gain"][0])
    assert table["effect"][1].startswith("no detectable difference")  # identical before and after
    rows_it, res_it = study.rsa_rows(models, planted.it_people, "IT", n_boot=200, seed=0)
    assert study.probe_effects(rows_it, res_it, "IT")["effect"][0] == "lowered"
    with pytest.raises(ValueError, match="cosine"):
        study.probe_effects(rows.iloc[:1], study.subset(res, [0]), "behaviour")


# --------------------------------------------------------------------------- categories and ceilings


def test_category_structure_finds_a_division_present_in_behaviour_only(rng):
    n, pairs = 30, 30 * 29 // 2
    group = np.repeat([0, 1], 15)
    rows, cols = np.triu_indices(n, k=1)
    division = (group[rows] != group[cols]).astype(float)
    shared = rng.normal(size=pairs)
    it = _people(shared, 4, 0.7, rng)
    behaviour = _people(shared + 1.5 * division, 10, 0.7, rng)
    table = study.category_structure({"behaviour": behaviour, "IT": it}, {"split": (np.arange(n), group)},
                                     n_boot=150, seed=0)
    found = table.set_index(["target", "measure"])
    assert found.loc[("behaviour", "beyond IT"), "finding"] == "present"
    assert found.loc[("behaviour", "plain"), "ci_low"] > 0.3
    assert found.loc[("IT", "plain"), "finding"].startswith("not detected")
    assert found.loc[("IT", "beyond behaviour"), "value"] < found.loc[("behaviour", "beyond IT"), "value"]
    with pytest.raises(ValueError, match="two data sets"):
        study.category_structure({"behaviour": behaviour}, {"split": (np.arange(n), group)})


def test_category_divisions_need_the_flags():
    stimuli = types.SimpleNamespace(name="toy", labels={"animal": [1, 1, 0, 0], "face": [1, 0, 0, 0],
                                                        "human": [1, 0, 0, 0], "natural": [1, 1, 1, 0]})
    divisions = study.category_divisions(stimuli)
    images, group = divisions["natural / artificial (inanimate images)"]
    assert images.tolist() == [2, 3] and group.tolist() == [1, 0]
    assert divisions["animate / inanimate"][1].tolist() == [1, 1, 0, 0]
    with pytest.raises(KeyError, match="lack the labels \\['natural'\\]"):
        study.category_divisions(types.SimpleNamespace(name="toy", labels={k: [0] for k in ("animal", "face", "human")}))


def test_brain_ceilings_match_a_plain_loop(rng):
    pairs = N * (N - 1) // 2
    latent = rng.normal(size=pairs)
    sessions = np.stack([_people(latent, 2, 1.0, rng) for _ in range(4)])  # (4 people, 2 sessions, n, n)
    behaviour = _people(latent, 5, 1.0, rng)
    table = study.brain_ceilings(behaviour, sessions).set_index("target")
    iu = np.triu_indices(N, 1)
    means = sessions.mean(axis=1)
    ranks = np.stack([pd.Series(m[iu]).rank().to_numpy() for m in means])
    lower = np.mean([spearmanr(means[i][iu], np.delete(ranks, i, 0).mean(0))[0] for i in range(4)])
    upper = np.mean([spearmanr(means[i][iu], ranks.mean(0))[0] for i in range(4)])
    reliability = np.mean([spearmanr(s[0][iu], s[1][iu])[0] for s in sessions])
    assert table.loc["IT", "lower"] == pytest.approx(lower)
    assert table.loc["IT", "upper"] == pytest.approx(upper)
    assert table.loc["IT", "reliability"] == pytest.approx(reliability)
    assert table.loc["behaviour", "lower"] == pytest.approx(measures.noise_ceiling_rsa(behaviour)["lower"])
    assert np.isnan(table.loc["behaviour", "reliability"])


# --------------------------------------------------------------------------- data and charts


@needs_mirror
def test_brain_matrices_are_a_registry_row_that_no_behaviour_chapter_scores():
    data = datasets.load_dataset("matrices", study.BRAIN)
    assert data.rdms.shape == (4, 92, 92) and data.stimuli.ids == datasets.load_rsa92().stimuli.ids
    assert np.allclose(data.human.matrix, datasets.load_rsa92_brain().grand_mean())
    assert datasets.dataset("matrices", study.BRAIN).role == "brain"
    profile = study.make_profile(models=["x/y.z"], check_models=False, check_data=False)
    assert study.BRAIN not in study.rsa_sets_of(profile)


@needs_mirror
def test_reference_rdms_and_their_rsa_on_the_judgements():
    refs = study.reference_rdms()
    assert len(refs) == 8 and refs["label"].str.startswith("reference: ").all()
    chosen = study.reference_rdms(kinds=("category",))
    assert chosen["kind"].tolist() == ["reference: category"] * 2
    profile = study.make_profile(models=["x/y.z"], n_boot=50, check_models=False, check_data=False)
    table = study.reference_rsa(profile)
    assert len(table) == 6 and (table["rsa_people_zero_shot_low"] <= table["rsa_people_zero_shot"]).all()
    animacy = table.set_index("model").loc["reference/animacy"]
    each = measures.rsa_per_person(datasets.load_rsa92_models()["animacy"], datasets.load_rsa92().rdms)
    assert animacy["rsa_people_zero_shot"] == pytest.approx(each.mean())


def test_rsa_chart_draws_reference_rows_beside_the_networks():
    table = pd.DataFrame({"model": ["a/x.1"], "training_data": ["ImageNet-1k"], "IT": [0.3], "IT_low": [0.2],
                          "IT_high": [0.4]})
    refs = pd.DataFrame({"label": ["reference: HMAX"], "kind": ["reference model (image-computable)"],
                         "IT": [0.1], "IT_low": [0.0], "IT_high": [0.2]})
    spec = plots.rsa_chart(table, {"lower": 0.37, "upper": 0.66}, measure="IT", references=refs,
                           x_title="rho with IT").to_dict()
    points = [layer for layer in spec["layer"][-1]["layer"] if layer["mark"]["type"] == "point"][0]
    assert points["encoding"]["shape"]["scale"]["domain"] == ["network", "reference model (image-computable)"]
    values = next(iter(spec["datasets"].values())) if "datasets" in spec else None
    assert values is None or any("reference: HMAX" in str(v) for v in spec["datasets"].values())
    with pytest.raises(KeyError, match="references"):
        plots.rsa_chart(table, {"lower": 0.37, "upper": 0.66}, measure="IT", references=refs.drop(columns="IT_low"))


def test_alignment_scatter_has_both_ceiling_bands():
    table = pd.DataFrame({"model": ["a", "b"], "label": ["a", "b"], "training_data": ["ImageNet-1k", "human"],
                          "kind": ["network", "other human data"], "behaviour": [0.3, 0.5],
                          "behaviour_low": [0.2, 0.4], "behaviour_high": [0.4, 0.6], "IT": [0.2, 0.25],
                          "IT_low": [0.1, 0.15], "IT_high": [0.3, 0.35]})
    ceilings = {"behaviour": {"lower": 0.48, "upper": 0.58}, "IT": {"lower": 0.37, "upper": 0.66}}
    spec = plots.alignment_scatter(table, ceilings).to_dict()
    text = str(spec)
    assert "behaviour ceiling" in text and "IT ceiling" in text and spec["width"] == "container"
    with pytest.raises(KeyError, match="no noise ceiling"):
        plots.alignment_scatter(table, {"behaviour": ceilings["behaviour"]})


# --------------------------------------------------------------------------- the study on fake models


@pytest.fixture
def fake(tmp_path, monkeypatch):
    fakes.install(tmp_path, monkeypatch)
    study.human_data._DATA_CACHE.clear()
    return types.SimpleNamespace(seed=_seed, get_spec=get_spec)


def _seed(profile) -> None:
    """Planted features on THINGS (tests/fakes.py) and, of the same width, on the 92 images:
    trained networks see the images' category flags, the untrained one noise only."""
    fakes.seed_features(profile, rsa=False)
    stimuli = datasets.load_rsa92().stimuli
    flags = np.stack([np.asarray(stimuli.labels[k], dtype=float) for k in ("human", "face", "animal", "natural")], 1)
    for i, spec in enumerate(profile.specs):
        width = study.features_for(spec, "penultimate", profile, study.load_study_data(profile).stimuli).shape[1]
        noise = np.random.default_rng(i).normal(size=(92, width - 4)) * 0.5
        planted = np.hstack([np.zeros_like(flags) if "untrained" in spec.id else flags * 2, noise])
        features.save_features(spec, stimuli, "penultimate", planted.astype(np.float32))


@needs_mirror
def test_evaluate_brain_runs_on_fake_models(fake):
    profile = fakes.small_profile(n_boot=40, layers=["penultimate"])
    fake.seed(profile)
    nets = study.network_rdms(profile, datasets.load_dataset("matrices", study.BEHAVIOUR))
    assert nets["cosine"].shape == nets["probed"].shape == (4, 92, 92)
    result = study.evaluate_brain(profile)
    scores = result.scores
    # Every network twice (cosine, probed) and 8 references on each data set, plus the other's group mean.
    assert scores.groupby("target").size().to_dict() == {"behaviour": 17, "IT": 17}
    assert "human/judgements" not in set(scores[scores["target"] == "behaviour"]["model"])
    wide = study.brain_wide(scores)
    assert {"behaviour", "IT", "IT_low", "IT_high"} <= set(wide.columns) and len(wide) == 4 + 8 + 2
    # The planted category features (human, face, animal, natural flags) put trained networks above the untrained one.
    trained = wide[wide["kind"] == "network"]["behaviour"].min()
    assert trained > wide[wide["kind"] == "untrained network"]["behaviour"].max()
    assert list(result.relation["models"]) == ["trained networks", "all networks"]
    assert set(result.probe["target"]) == {"behaviour", "IT", "behaviour minus IT"}
    assert set(result.categories["division"]) == set(study.category_divisions(datasets.load_rsa92().stimuli))
    numbers = study.brain_numbers(result)
    assert numbers["IT_ceiling_lower"] < numbers["IT_ceiling_upper"] and "relation_word" in numbers
    assert "cat_human_nonhuman_behaviour_beyond" in numbers and isinstance(numbers["categories_summary"], str)
    with pytest.raises(ValueError, match="penultimate"):
        study.network_rdms(fakes.small_profile(layers=["logits"]), datasets.load_dataset("matrices", "rsa92"))


def test_pairs_of_sessions_are_averaged_per_person():
    # brain_ceilings takes (subjects, sessions, n, n); with three sessions the reliability is the mean over pairs.
    rng = np.random.default_rng(3)
    latent = rng.normal(size=N * (N - 1) // 2)
    sessions = np.stack([_people(latent, 3, 1.0, rng) for _ in range(3)])
    iu = np.triu_indices(N, 1)
    loop = np.mean([np.mean([spearmanr(s[a][iu], s[b][iu])[0] for a, b in combinations(range(3), 2)])
                    for s in sessions])
    assert study.brain_ceilings(_people(latent, 3, 1.0, rng), sessions).set_index("target").loc[
        "IT", "reliability"] == pytest.approx(loop)


def test_category_resamples_match_ranking_each_draw_again():
    """The weighted ranks of a resample give the numbers of ranking the drawn pairs anew."""
    from humanalign.study import brain_categories

    rng = np.random.default_rng(0)
    n = 20
    people = rng.random((5, n, n))
    people = people + people.transpose(0, 2, 1)
    control = rng.random((n, n))
    control = control + control.T
    images = np.arange(3, 15)
    group = (images % 3 == 0).astype(int)
    fast = brain_categories._category_boot(people, control, images, group, 6, 4, resample_people=True)
    drawn = measures.image_draws(len(images), 6, 4)
    whom = measures.people_draws(5, 6, 4, measures.data_key(people))
    alone = brain_categories._category_boot(people, control, images, group, 6, 4, resample_people=False)
    for b in range(6):
        plain, partial = brain_categories._category_draw(people[whom[b]], control, images, group, drawn[b])
        assert fast[b] == pytest.approx([np.nanmean(plain), np.nanmean(partial)], abs=1e-10)
        # Images only: every person once, on the same image draw.
        plain, partial = brain_categories._category_draw(people, control, images, group, drawn[b])
        assert alone[b] == pytest.approx([np.nanmean(plain), np.nanmean(partial)], abs=1e-10)


# --------------------------------------------------------------------------- small panels, shared images


def test_small_panels_get_a_satterthwaite_interval_written_out(planted):
    from scipy import stats

    models = _models(planted.like_it, planted.like_behaviour)
    rows, res = study.rsa_rows(models, planted.it_people, "IT", n_boot=150, seed=2)
    per = res.per_person[:, 0]
    parts = [per.var(ddof=1) / 4, res.images[:, 0].var(ddof=1)]
    df = sum(parts) ** 2 / (parts[0] ** 2 / 3 + parts[1] ** 2 / (N - 1))
    half = stats.t.ppf(0.975, df) * np.sqrt(sum(parts))
    assert (rows["ci_low"][0], rows["ci_high"][0]) == pytest.approx((per.mean() - half, per.mean() + half))
    # The images-only resamples hold every person: a plain loop over the same image draws.
    drawn = measures.image_draws(N, 150, 2)
    iu = np.triu_indices(N, 1)
    for b in (0, 7):
        idx = drawn[b]
        keep = idx[iu[0]] != idx[iu[1]]
        a, c = idx[iu[0]][keep], idx[iu[1]][keep]
        loop = np.mean([spearmanr(planted.like_it[a, c], m[a, c])[0] for m in planted.it_people])
        assert res.images[b, 0] == pytest.approx(loop, abs=1e-10)


def test_contrast_between_data_sets_pairs_the_images_and_adds_both_panels(planted):
    models = _models(planted.like_it, planted.like_behaviour)
    _, beh = study.rsa_rows(models, planted.behaviour_people, "behaviour", n_boot=150, seed=3)
    _, it = study.rsa_rows(models, planted.it_people, "IT", n_boot=150, seed=3)
    weights = np.array([1.0, -1.0])
    est, low, high, how = study.contrast([beh.term(weights), it.term(-weights)], N)
    assert est == pytest.approx(beh.per_person @ weights @ np.ones(8) / 8 - it.per_person @ weights @ np.ones(4) / 4)
    assert low < est < high and "8 and 4 people" in how
    # Each data set's own interval is narrower than the contrast's.
    assert high - low > beh.interval(weights)[2] - beh.interval(weights)[1]


def test_margin_word_names_the_smallest_difference_the_interval_allows():
    assert study.margin_word(0.012, 0.13, "larger on behaviour", "larger on IT") == "larger on behaviour, by at least +0.012"
    assert study.margin_word(-0.2, -0.05, "up", "down") == "down, by at least +0.050"
    assert study.margin_word(-0.01, 0.2, "up", "down").startswith("no detectable difference")


def test_network_weights_average_the_trained_networks_of_one_representation():
    rows = pd.DataFrame({"kind": ["network", "network", "untrained network", "network"],
                         "representation": ["cosine", "probed", "cosine", "cosine"]})
    assert study.network_weights(rows, "cosine").tolist() == [0.5, 0, 0, 0.5]


def test_ceiling_normalised_against_a_plain_computation(rng):
    pairs = N * (N - 1) // 2
    latent = rng.normal(size=pairs)
    behaviour, it = _people(latent, 12, 0.8, rng), _people(latent, 4, 2.0, rng)
    model = _rdm(latent + 0.5 * rng.normal(size=pairs) + 10)
    models = _models(model)
    scored = {t: (study.rsa_rows(models, p, t, n_boot=120, seed=1)[1], np.ones(1))
              for t, p in (("behaviour", behaviour), ("IT", it))}
    table = study.ceiling_normalised(scored, {"behaviour": behaviour, "IT": it}, 120, 1).set_index("target")
    for target, people in (("behaviour", behaviour), ("IT", it)):
        plain = measures.rsa_per_person(model, people).mean() / measures.noise_ceiling_rsa(people)["lower"]
        assert table.loc[target, "share"] == pytest.approx(plain)
    # IT's 4 people: a jackknife over them (the ceiling recomputed without each) enters the interval.
    assert table.loc["IT", "interval"].startswith("t on") and table.loc["behaviour", "interval"].startswith("percentile")
    diff = table.loc["behaviour minus IT"]
    assert diff["share"] == pytest.approx(table.loc["behaviour", "share"] - table.loc["IT", "share"])
    assert diff["share_low"] < diff["share"] < diff["share_high"]


def test_a_negative_partial_correlation_is_named_suppression(rng):
    """IT carries the division as strongly as the judgements: holding IT's mean fixed pushes
    the judgements' partial correlation below zero, which is no reversed division."""
    n = 30
    group = np.repeat([0, 1], 15)
    rows, cols = np.triu_indices(n, k=1)
    division = (group[rows] != group[cols]).astype(float)
    shared = rng.normal(size=len(division))
    it = _people(shared + 3.0 * division, 4, 0.3, rng)
    behaviour = _people(0.3 * shared + 0.5 * division, 12, 0.7, rng)
    table = study.category_structure({"behaviour": behaviour, "IT": it}, {"split": (np.arange(n), group)},
                                     n_boot=100, seed=0).set_index(["target", "measure"])
    assert table.loc[("behaviour", "beyond IT"), "ci_high"] < 0 < table.loc[("behaviour", "plain"), "ci_low"]
    assert table.loc[("behaviour", "beyond IT"), "finding"] == ("negative once IT is held fixed (suppression, not a "
                                                                "reversal)")
    assert table.loc[("IT", "plain"), "people_positive"] == 4


@needs_mirror
def test_rsa_ceiling_rows_resample_people_and_images_with_the_profiles_draws(fake):
    profile = fakes.small_profile(n_boot=40, layers=["penultimate"])
    fake.seed(profile)
    people = datasets.load_dataset("matrices", "rsa92").rdms

    def ceiling_rows(p):
        table = study.evaluate_rsa(p)
        return table[(table["dataset"] == "rsa92") & table["measure"].str.startswith("ceiling_")].set_index("measure")

    rows = ceiling_rows(profile)
    boot = study.ceiling_resamples(people, 40, profile.seed)
    for k, key in enumerate(("ceiling_lower", "ceiling_upper")):
        assert (rows.loc[key, "ci_low"], rows.loc[key, "ci_high"]) == pytest.approx(measures.interval(boot[:, k]))
    # The profile's number of resamples and seed decide the interval (the table's key holds both).
    other = ceiling_rows(dataclasses.replace(profile, seed=profile.seed + 1))
    assert other.loc["ceiling_lower", "value"] == pytest.approx(rows.loc["ceiling_lower", "value"])
    assert other.loc["ceiling_lower", "ci_low"] != pytest.approx(rows.loc["ceiling_lower", "ci_low"])
