"""Tests of humanalign.study: profile validation, evaluation wiring, caching, verdicts.

The models are fake rows of the model table with pre-seeded feature caches (planted
structure: "trained" models see the VICE embedding plus noise, "untrained" ones pure
noise; see tests/fakes.py), so the tests exercise the real measures, caches and data
without running networks.
"""

from __future__ import annotations

import importlib
import pathlib
import types

import numpy as np
import pandas as pd
import pytest
import yaml

import fakes
from conftest import needs_mirror
from humanalign import datasets, features, measures, study
from humanalign.config import settings
from humanalign.errors import DataError
from humanalign.registry import get_spec

TRAINED, UNTRAINED_ID = fakes.TRAINED, fakes.UNTRAINED_ID


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """The fake model table, registered for this test; ``seed(profile)`` pre-seeds features."""
    fakes.install(tmp_path, monkeypatch)
    study.human_data._DATA_CACHE.clear()
    return types.SimpleNamespace(seed=fakes.seed_features, get_spec=get_spec)


def _small_profile(**over):
    return fakes.small_profile(**over)


# --------------------------------------------------------------------------- profiles


def test_make_profile_rejects_bad_values(fake):
    with pytest.raises(ValueError, match="names no models"):
        study.make_profile(models=[], check_data=False, get_spec=fake.get_spec)
    with pytest.raises(KeyError, match="fake/net_tiny.a"):
        study.make_profile(models=["fake/net_tiny.a"], check_data=False, get_spec=fake.get_spec)
    with pytest.raises(ValueError, match="unknown data set 'things-typo'"):
        study.make_profile(models=list(TRAINED), dataset="things-typo", check_data=False, get_spec=fake.get_spec)
    with pytest.raises(ValueError, match="unknown layers"):
        study.make_profile(models=list(TRAINED), layers=["conv1"], check_data=False, get_spec=fake.get_spec)
    with pytest.raises(ValueError, match="more than once"):
        study.make_profile(models=[TRAINED[0], TRAINED[0]], check_data=False)
    with pytest.raises(ValueError, match="arrangement"):
        study.make_profile(models=list(TRAINED), transfer="arrangements", check_data=False, get_spec=fake.get_spec)
    profile = study.make_profile(models=list(TRAINED), check_data=False, get_spec=fake.get_spec)
    assert profile.models == TRAINED and profile.simulated


def test_make_profile_fails_at_once_when_data_are_missing(fake, monkeypatch):
    monkeypatch.setenv("HUMANALIGN_MIRRORS", "")
    monkeypatch.setenv("HUMANALIGN_OFFLINE", "1")
    with pytest.raises(DataError, match="things_concepts.tsv"):
        study.make_profile(models=list(TRAINED), get_spec=fake.get_spec)


def test_load_profile_reads_yaml_and_rejects_unknown_keys(fake, tmp_path):
    good = tmp_path / "mine.yml"
    good.write_text(yaml.safe_dump({"models": list(TRAINED), "n_triplets": 500, "seed": 3}))
    profile = study.load_profile(good, check_data=False, get_spec=fake.get_spec)
    assert profile.name == "mine" and profile.n_triplets == 500 and profile.seed == 3
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump({"models": list(TRAINED), "n_triplet": 500}))
    with pytest.raises(ValueError, match="unknown keys \\['n_triplet'\\]"):
        study.load_profile(bad, check_data=False, get_spec=fake.get_spec)
    with pytest.raises(ValueError, match="Unknown profile 'nope'"):
        study.load_profile("nope")
    empty = tmp_path / "empty.yml"
    empty.write_text("models: []\n")
    with pytest.raises(ValueError, match="names no models"):
        study.load_profile(empty, check_data=False, get_spec=fake.get_spec)


def test_shipped_profiles_are_valid(fake):
    demo = study.read_profile_params("demo")
    full = study.read_profile_params("full")
    assert len(demo["models"]) == 18 and demo["dataset"] == "things-demo"
    assert all(get_spec(m).public for m in demo["models"])  # every demo model is in the registry
    assert full["dataset"] == "things" and full["models"] == "all"
    # Every key of both profiles is a parameter make_profile accepts.
    for params in (demo, full):
        study.make_profile(**{**params, "models": list(TRAINED)}, check_data=False, get_spec=fake.get_spec)


def test_profile_resolves_its_models_once(fake):
    profile = _small_profile()
    assert [s.id for s in profile.specs] == [*TRAINED, UNTRAINED_ID]
    unresolved = study.make_profile(models=["x/y.z"], check_models=False, check_data=False)
    with pytest.raises(ValueError, match="without resolving its model ids"):
        study.specs_of(unresolved)
    # The specs are not settings: they do not enter the cache key.
    assert profile.key() == _small_profile(check_models=False).key()
    assert profile.key() != _small_profile(check_models=False, seed=1).key()


def test_profile_key_ignores_run_only_settings():
    a = study.make_profile(models=["x/y.z"], check_models=False, check_data=False)
    b = study.make_profile(models=["x/y.z"], batch_size=8, device="cpu", check_models=False, check_data=False)
    c = study.make_profile(models=["x/y.z"], seed=1, check_models=False, check_data=False)
    assert a.key() == b.key() != c.key()


# --------------------------------------------------------------------------- helpers


# --------------------------------------------------------------------------- evaluation


@needs_mirror
def test_evaluate_scores_planted_structure_and_caches(fake):
    profile = _small_profile()
    fake.seed(profile, rsa=False)
    table = study.evaluate(profile)
    assert set(table.columns) >= {"model", "dataset", "layer", "measure", "value", "ci_low", "ci_high", "n"}
    zs = table[(table["measure"] == "zero_shot") & (table["layer"] == "penultimate")].set_index("model")["value"]
    assert zs[TRAINED[0]] > 0.5  # planted VICE structure, on people's real answers
    assert abs(zs[UNTRAINED_ID] - 1 / 3) < 0.05  # noise: chance
    answers = len(study.load_study_data(profile).trials.triplet_id)
    assert (table[table["measure"].isin(["zero_shot", "probed"])]["n"] == answers).all()
    # The model without a classifier has no logits rows and no top-1.
    big = table[table["model"] == TRAINED[2]]
    assert set(big["layer"]) == {"penultimate"}
    probed = table[table["measure"] == "probed"]["value"]
    assert probed.between(0, 1).all()
    row = table[(table["measure"] == "zero_shot")].iloc[0]
    assert row["ci_low"] <= row["value"] <= row["ci_high"]
    saved = sorted(study.runs.results.results_dir().glob("evaluate-*.csv"))
    assert len(saved) == 1
    stamp = saved[0].stat().st_mtime_ns
    again = study.evaluate(profile)
    assert saved[0].stat().st_mtime_ns == stamp  # the second call read the cached table
    pd.testing.assert_frame_equal(again[table.columns].reset_index(drop=True), table.reset_index(drop=True), check_dtype=False)


@needs_mirror
def test_evaluate_reports_probe_convergence_and_warns_on_the_cap(fake):
    fake.seed(_small_profile(), rsa=False)
    capped = study.evaluate(_small_profile(probe_max_iter=2))
    conv = study.probe_convergence(capped)
    assert set(conv.columns) >= {"probe_refit_n_iter", "probe_refit_grad_norm", "probe_refit_rel_change",
                                 "probe_refit_hit_cap", "probe_grid_fits", "probe_grid_fits_hit_cap"}
    assert (conv["probe_refit_hit_cap"] == 1).all() and (conv["probe_refit_n_iter"] <= 2).all()
    text = study.probe_warning(capped, 2)
    assert text.startswith("```{warning}") and "2-iteration cap" in text
    roomy = study.evaluate(_small_profile(probe_max_iter=2000))
    assert (study.probe_convergence(roomy)["probe_refit_hit_cap"] == 0).all()
    assert "converged" in study.probe_warning(roomy, 2000)
    with pytest.raises(ValueError, match="probe_max_iter"):
        _small_profile(probe_max_iter=0)


@needs_mirror
def test_human_baselines_reproduce_the_ceiling(fake):
    table = study.human_baselines(_small_profile())
    b = table.set_index(["model", "dataset", "measure"])
    assert b.loc[("human/noise_ceiling", "things-20k", "noise_ceiling"), "value"] == pytest.approx(0.672, abs=0.002)
    # On the real answers among the demo's concepts (19,794 of the 20,000): the same ceiling,
    # and the human embeddings close below it, each with a crossed interval around it.
    ceiling = b.loc[("human/noise_ceiling", "things-demo", "noise_ceiling")]
    assert ceiling["value"] == pytest.approx(0.672, abs=0.005) and ceiling["n"] == 19794
    assert ceiling["ci_low"] < ceiling["value"] < ceiling["ci_high"]
    for name in ("vice_42d", "spose_49d", "spose_14d", "spose_82d"):
        row = b.loc[(f"human/{name}", "things-demo", "zero_shot")]
        assert 0.6 < row["value"] < ceiling["value"] and row["ci_low"] < row["value"] < row["ci_high"]
    refs = study.human_references(table, _small_profile())
    assert refs["reference"].iloc[0].startswith("Noise ceiling") and "VICE 42-d" in set(refs["reference"])


@needs_mirror
def test_heldout_gain_and_concepts_on_real_answers(fake):
    profile = _small_profile(n_triplets=6000)
    fake.seed(profile, rsa=False)
    data = study.load_study_data(profile)
    answers = len(data.trials.triplet_id)
    gain = study.heldout_gain(profile)
    assert gain["n_models"] == 3 and gain["gain_low"] <= gain["gain"] <= gain["gain_high"]
    assert gain["gain"] == pytest.approx(gain["after"] - gain["before"])
    concepts = study.evaluate_concepts(profile)
    assert set(concepts["kind"]) == {"zero_shot", "probed"}
    assert concepts.groupby(["model", "kind"])["dimension"].nunique().eq(42).all()
    zs = concepts[(concepts["kind"] == "zero_shot") & (concepts["model"] == TRAINED[0])]
    assert zs["n"].sum() == answers
    assert concepts["name"].str.contains("animal", regex=False).any()
    labels = study.answer_labels(profile)
    # Every answer to one triplet carries its triplet's label.
    ids = data.trials.triplet_id
    assert all(len(set(labels[ids == t])) == 1 for t in np.unique(ids)[:50])
    for kind in ("zero_shot", "probed"):
        correct, labels, models = study.concept_correctness(profile, kind)
        assert models == list(TRAINED) and correct.shape == (answers, 3)
        zs = concepts[(concepts["kind"] == kind) & (concepts["model"] == TRAINED[0])].set_index("dimension")
        for d in np.unique(labels)[:5]:
            assert correct[labels == d, 0].mean() == pytest.approx(zs.loc[d, "accuracy"])


# --------------------------------------------------------------------------- verdicts


def test_verdict_status_is_checked():
    with pytest.raises(ValueError):
        study.Verdict("maybe", "")


def test_data_note_says_what_is_real_and_what_is_simulated():
    demo = study.make_profile(models=["x/y.z"], check_models=False, check_data=False)
    counts = {"n_answers": 19794.0, "n_people": 325.0, "n_triplets": 989.0}
    note = study.data_note(demo, counts)
    assert "19,794" in note and "325 people" in note and "989" in note and "real choices" in note
    assert "**Only the probe's training triplets are simulated:**" in note and f"{demo.n_triplets:,}" in note
    # A page that does not use the probe does not mention it; one without THINGS says what
    # real data it rests on.
    no_probe = study.data_note(demo, counts, uses=("things", "rsa92"))
    assert "simulated" not in no_probe and "probe" not in no_probe and "16 people" in no_probe
    brain = study.data_note(demo, None, uses=("rsa92", "brain", "probe"))
    assert brain.startswith("**Real people:**") and "IT cortex of 4 people" in brain and "THINGS number" not in brain
    assert "simulated" in brain and "photo per concept" not in brain
    with pytest.raises(ValueError, match="unknown uses"):
        study.data_note(demo, counts, uses=("fmri",))


# --- profile values a careless edit produces --------------------------------------------


@pytest.mark.parametrize("key, value, message", [
    ("n_folds", 2.9, r"n_folds must be a whole number >= 2, got 2\.9"),
    ("n_folds", "three", r"n_folds must be a whole number >= 2, got 'three'"),
    ("n_folds", True, r"n_folds must be a whole number"),
    ("seed", "abc", r"seed must be a whole number >= 0, got 'abc'"),
    ("seed", -1, r"seed must be a whole number >= 0"),
    ("n_boot", 0, r"n_boot must be a whole number >= 2"),
    ("n_boot", 1, r"n_boot must be a whole number >= 2, got 1"),
    ("batch_size", 1.5, r"batch_size must be a whole number >= 1"),
    ("n_triplets", 1000.5, r"n_triplets must be a whole number >= 100"),
    ("probe_rank", 1, r"probe_rank must be a whole number >= 2"),
    ("probe_rank", 64.5, r"probe_rank must be a whole number >= 2"),
    ("lambdas", [float("nan")], r"lambdas must be a finite number, got nan"),
    ("lambdas", [0.1, float("inf")], r"lambdas must be a finite number, got inf"),
    ("lambdas", "0.1", r"lambdas must be a list of positive numbers"),
    ("lambdas", [0.1, -1.0], r"lambdas must be positive"),
    ("device", "banana", r"device 'banana' is not a device"),
])
def test_bad_profile_values_are_named(key, value, message):
    with pytest.raises(ValueError, match=message):
        study.make_profile(models=["x/y.z"], check_models=False, check_data=False, **{key: value})


def test_single_lambda_is_a_grid_of_one():
    profile = study.make_profile(models=["x/y.z"], lambdas=0.1, check_models=False, check_data=False)
    assert profile.lambdas == (0.1,) and isinstance(profile.n_folds, int)


def test_profile_file_with_a_fractional_fold_count_is_refused(tmp_path):
    path = tmp_path / "p.yml"
    path.write_text("models: [x/y.z]\nn_folds: 2.9\n")
    with pytest.raises(ValueError, match=r"n_folds must be a whole number >= 2, got 2\.9"):
        study.load_profile(path, check_models=False, check_data=False)


def test_full_profile_scores_all_triplets_on_the_images_people_saw():
    full = study.read_profile_params("full")
    assert full["n_triplets"] is None and full["images"] == "things"
    rehearsal = study.read_profile_params(pathlib.Path(__file__).with_name("rehearsal.yml"))
    assert rehearsal["images"] == "cc0"  # the stand-ins serve the CC0 zip: the labelled deviation
    things = study.make_profile(models=["x/y.z"], dataset="things", n_triplets=None, check_models=False, check_data=False)
    cc0 = study.make_profile(models=["x/y.z"], dataset="things", images="cc0", check_models=False, check_data=False)
    assert "all of them" in study.data_note(things) and "not the ones people saw" not in study.data_note(things)
    assert "not the ones people saw" in study.data_note(cc0)
    # The image set is part of the cache key, of the demo's too (it has two).
    assert things.key("dataset") != study.make_profile(
        models=["x/y.z"], dataset="things", n_triplets=None, images="cc0", check_models=False, check_data=False).key("dataset")
    demo = study.make_profile(models=["x/y.z"], check_models=False, check_data=False)
    assert demo.images == "things" and things.images == "things"
    with pytest.raises(ValueError, match="images must be one of"):
        study.make_profile(models=["x/y.z"], images="cc0", check_models=False, check_data=False)
    from humanalign import datasets

    assert datasets.stimulus_set("things-demo", None) == "things-demo"
    assert datasets.stimulus_set("things", None) == "things"


@needs_mirror
def test_scale_and_concepts_verdicts_run_on_a_profile(fake):
    profile = _small_profile(n_triplets=6000)
    fake.seed(profile, rsa=False)
    verdict, table = study.verdict_scale(profile)
    # One size series (net: 1 M, 4 M, 16 M parameters); the untrained control is left out.
    assert list(table["half"]) == ["size"] and table["n_models"].tolist() == [3]
    assert verdict.status in study.Verdict.STATUSES and verdict.numbers["n_size"] == 1
    assert verdict.labels["unit"] == "triplets and people" and "real people" in verdict.labels["data"]
    verdict, terms, per_dim = study.verdict_concepts(profile)
    answers = len(study.load_study_data(profile).trials.triplet_id)
    assert list(terms["term"]) == list(study.CONCEPT_TERMS) and verdict.status in study.Verdict.STATUSES
    assert set(per_dim["model"]) == set(TRAINED) and per_dim.groupby("model")["n"].sum().eq(answers).all()
    assert per_dim.groupby("model")["n_triplets"].sum().eq(989).all()
    assert verdict.labels["unit"] == "triplets and people"


@needs_mirror
def test_transfer_and_data_verdicts_resample_people_and_images(fake):
    profile = _small_profile(n_triplets=3000)
    fake.seed(profile, rsa=True)
    verdict = study.verdict_transfer_people(profile)
    assert verdict.status in study.Verdict.STATUSES and verdict.labels["unit"] == "people and images"
    assert verdict.numbers["ci_low"] <= verdict.numbers["gain"] <= verdict.numbers["ci_high"]
    # The two-way intervals are wider than intervals over people alone.
    before = study.study_result(profile).evidence("rsa92", profile.specs[:1])
    data = datasets.load_dataset("matrices", "rsa92")
    rdm = study.matrix_scores(profile, profile.specs[0], "penultimate", data).rdm("cosine")
    people_only = measures.bootstrap_means(measures.rsa_per_person(rdm[None], data.rdms)[0], n_boot=200)
    assert np.std(before.boot[:, 0]) > np.std(people_only)
    # The fake models share their training data: no controlled pair, no precision pair.
    assert study.verdict_training_data(profile)[0].status.startswith("not testable")
    assert study.reference_gaps(profile).empty


def test_open_chapter_reads_the_profile_and_glues_the_data_note(capsys):
    run = study.open_chapter({"profile": "demo", "seed": 3}, check_models=False, check_data=False)
    assert run.name == "demo" and run.seed == 3 and run.simulated
    with pytest.raises(ValueError, match="Unknown notebook parameter"):
        study.open_chapter({"profile": "demo", "n_boots": 3}, check_models=False, check_data=False)


def test_unknown_human_embedding_is_named():
    from humanalign import datasets

    with pytest.raises(ValueError, match="Unknown embedding data set 'vice_7d'.*spose_14d"):
        datasets.load_dataset("embedding", "vice_7d")


@needs_mirror
def test_changed_features_refit_the_probe_and_a_damaged_score_file_is_recomputed(fake, capsys):
    """The probe (and every per-unit score) is keyed on the content of the features: new
    features mean a new fit, never the old probe; a flipped byte in a stored score is found
    by its integrity record, named, and the score recomputed."""
    profile = _small_profile(n_triplets=3000, layers=["penultimate"])
    fake.seed(profile, rsa=False)
    spec = profile.specs[0]
    first = study.things_scores(profile, spec, "penultimate")
    data = study.load_study_data(profile)
    # The model's features change (a replaced row, another library version, new preprocessing).
    feats = fakes.planted(spec, "penultimate", data.stimuli, data.vice)
    features.save_features(spec, data.stimuli, "penultimate", feats[:, ::-1].copy())
    second = study.things_scores(profile, spec, "penultimate")
    assert not np.array_equal(first.probe.weights, second.probe.weights)
    stored = sorted((settings().cache_dir / "scores" / spec.id.replace("/", "__")).glob("things-penultimate-*.npz"))
    assert len(stored) == 2  # one per content of the features, the old one left for its own features
    newest = max(stored, key=lambda p: p.stat().st_mtime_ns)
    raw = bytearray(newest.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    newest.write_bytes(bytes(raw))
    capsys.readouterr()
    third = study.things_scores(profile, spec, "penultimate")
    assert np.array_equal(third.probe.weights, second.probe.weights)
    assert str(newest) in capsys.readouterr().err


@needs_mirror
def test_real_trial_counts_of_the_demo_photos(fake):
    counts = study.real_trial_counts(_small_profile())
    assert counts == {"n_answers": 19794.0, "n_triplets": 989.0, "decidable": 1.0, "n_people": 325.0,
                      "n_concepts": 1489.0, "n_all": 20000.0}


def _plain_scores(feats, answers):
    """Each real answer scored one at a time: cosine similarity of the three pairs, the most
    similar pair kept together, correct when the person's odd one out is the other object."""
    out = []
    for a, b, c in answers:
        unit = [feats[i] / np.linalg.norm(feats[i]) for i in (a, b, c)]
        s_ab, s_ac, s_bc = unit[0] @ unit[1], unit[0] @ unit[2], unit[1] @ unit[2]
        out.append(bool(s_ab > s_ac and s_ab > s_bc))
    return np.array(out)


@needs_mirror
def test_real_answers_are_scored_as_a_plain_per_answer_loop_scores_them(fake):
    profile = _small_profile(n_triplets=3000, layers=["penultimate"])
    fake.seed(profile, rsa=False)
    data = study.load_study_data(profile)
    spec = profile.specs[0]
    feats = study.features_for(spec, "penultimate", profile, data.stimuli).astype(np.float64)
    scores = study.things_scores(profile, spec, "penultimate")
    answers = data.trials.triplets.indices
    assert np.array_equal(scores.zero_shot, _plain_scores(feats, answers))
    # The probed choice of each answer comes from the probe of its fold, which held out all
    # three of its objects.
    masks, fold = study.trial_split(profile, data)
    assert np.array_equal(fold, scores.fold)
    assert all(masks[f][row].all() for f, row in zip(fold, answers))
    assert scores.probed.shape == scores.zero_shot.shape


# --------------------------------------------------------------------------- the prepare step


def test_two_way_resamples_are_cached_per_model_and_equal_to_one_batch(rng, monkeypatch):
    from humanalign.study import scores

    x = rng.normal(size=(12, 5))
    people = np.stack([np.abs(x[:, None, :2] - x[None, :, :2]).sum(-1) + rng.random((12, 12)) for _ in range(4)])
    people = (people + people.transpose(0, 2, 1)) / 2
    models = np.stack([np.abs(x[:, None, k:k + 2] - x[None, :, k:k + 2]).sum(-1) for k in range(3)])
    batch = measures.rsa_two_way_bootstrap(models, people, n_boot=30, seed=4)
    # The first model alone, then all three: each column is its batch column.
    first = study.two_way_resamples(models[:1], people, 30, 4)
    np.testing.assert_allclose(first[:, 0], batch[:, 0], atol=1e-12)
    calls = []
    real = measures.rsa_two_way_bootstrap
    monkeypatch.setattr(scores.measures, "rsa_two_way_bootstrap", lambda m, *a, **k: calls.append(len(m)) or real(m, *a, **k))
    both = study.two_way_resamples(models, people, 30, 4)
    np.testing.assert_allclose(both, batch, atol=1e-12)
    assert calls == [2]  # the cached first column was not computed again
    assert np.array_equal(study.two_way_resamples(models, people, 30, 4), both) and calls == [2]
    # Another seed or number of resamples is another key.
    assert not np.allclose(study.two_way_resamples(models[:1], people, 30, 5)[:, 0], batch[:, 0])


def test_crossed_resamples_are_cached_per_column_and_equal_to_one_batch(rng, monkeypatch):
    from humanalign.study import scores

    triplet = np.repeat(np.arange(40), 5)
    person = rng.integers(0, 17, size=len(triplet))
    correct = rng.random((len(triplet), 3)) < [[0.4, 0.5, 0.6]]
    batch = measures.crossed_bootstrap(correct, triplet, person, n_boot=25, seed=3)
    first = scores.crossed_resamples(correct[:, 1:2], triplet, person, 25, 3)
    np.testing.assert_allclose(first[:, 0], batch[:, 1], atol=1e-12)
    calls = []
    real = measures.crossed_bootstrap
    monkeypatch.setattr(scores.measures, "crossed_bootstrap",
                        lambda v, *a, **k: calls.append(np.shape(v)[1]) or real(v, *a, **k))
    all_three = scores.crossed_resamples(correct, triplet, person, 25, 3)
    np.testing.assert_allclose(all_three, batch, atol=1e-12)
    assert calls == [2]  # the cached middle column was not computed again
    assert np.array_equal(scores.crossed_resamples(correct[:, ::-1], triplet, person, 25, 3), all_three[:, ::-1])
    assert calls == [2]
    # Other units, seed or number of resamples are other keys.
    assert not np.allclose(scores.crossed_resamples(correct[:, :1], triplet, person[::-1], 25, 3)[:, 0], batch[:, 0])
    assert not np.allclose(scores.crossed_resamples(correct[:, :1], triplet, person, 25, 4)[:, 0], batch[:, 0])
    assert scores.crossed_resamples(correct[:, :1], triplet, person, 30, 3).shape == (30, 1)
    with pytest.raises(ValueError, match="per answer and model"):
        scores.crossed_resamples(correct[:, 0], triplet, person, 25, 3)


@needs_mirror
@pytest.mark.parametrize("workers", [1, 2])
def test_prepare_computes_every_models_scores_into_the_caches(fake, workers, capsys):
    profile = _small_profile(n_triplets=3000, layers=["penultimate"])
    fake.seed(profile, rsa=True)
    preparing = importlib.import_module("humanalign.study.prepare")  # the module, not the function

    assert not any(preparing.is_prepared(profile, spec) for spec in profile.specs)  # no probe yet
    times = study.prepare(profile, workers=workers)
    assert times.workers == workers and set(times.extraction) == set(times.probe) == set(profile.models)
    assert all(preparing.is_prepared(profile, spec) for spec in profile.specs)
    lines = capsys.readouterr().out.splitlines()
    assert len([line for line in lines if line.startswith("humanalign: [")]) == len(profile.models)
    assert "left)" in lines[-1]
    # Everything the chapters read is now cached: nothing is fitted again.
    from humanalign.study import scores

    scores._SCORES.clear()
    calls = []
    real = measures.fit_probe
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scores.measures, "fit_probe", lambda *a, **k: calls.append(1) or real(*a, **k))
        study.evaluate(profile)
        for spec in profile.specs:
            study.things_scores(profile, spec, "penultimate")
        # A second build finds everything cached: no worker processes, every model read here.
        again = study.prepare(profile, workers=workers)
    assert calls == [] and again.workers == 1 and set(again.probe) == set(profile.models)


def test_every_setting_and_the_code_key_the_cached_tables(monkeypatch):
    """A cached table is named by all of the profile's settings and the code that computes
    it: changing any one of them (or a line of the study's code) names another table."""
    import dataclasses

    from humanalign.study import runs

    base = study.make_profile(models=["x/y.z"], check_models=False, check_data=False)
    name = study.table_name("evaluate", base)
    changed = {"models": ("x/y.w",), "layers": ("penultimate",), "n_triplets": 1234, "seed": 7, "n_boot": 99,
               "lambdas": (0.5,), "n_folds": 4, "transfer": "arrangements", "probe_max_iter": 7, "probe_rank": 8,
               "dataset": "things"}
    for key, value in changed.items():
        other = dataclasses.replace(base, **{key: value})
        assert study.table_name("evaluate", other) != name, key
    # Settings that only say how to run (device, batch size) name the same table.
    assert study.table_name("evaluate", dataclasses.replace(base, device="cpu", batch_size=8)) == name
    assert study.table_name("concepts", base, "penultimate") != study.table_name("concepts", base, "logits")
    runs._code_digest.cache_clear()
    monkeypatch.setattr(runs, "_code_digest", lambda: "other code")
    assert study.table_name("evaluate", base) != name
