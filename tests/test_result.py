"""The study result: each part computed once, against a plain recomputation; planted results;
clear errors."""

from __future__ import annotations

import numpy as np
import pytest

import fakes
from conftest import needs_mirror
from humanalign import datasets, measures, study
from humanalign.profiles import make_profile

QAT, BIRD = "litert/mobilenet_v2_100_224.qat_in1k", "litert/mobilenet_v2_100_224.inat_bird"


@pytest.fixture
def fake(tmp_path, monkeypatch):
    fakes.install(tmp_path, monkeypatch)
    study.human_data._DATA_CACHE.clear()


@needs_mirror
def test_evidence_equals_a_plain_recomputation_and_is_computed_once(fake):
    profile = fakes.small_profile(n_triplets=3000)
    fakes.seed_features(profile, rsa=True)
    result = study.StudyResult(profile)
    ids = [s.id for s in result.trained]
    # The plain way: each trained model's correctness, the crossed bootstrap over them directly.
    correct = np.stack([study.things_scores(profile, s, "penultimate").zero_shot for s in result.trained], axis=1)
    trials = study.load_study_data(profile).trials
    boot = measures.crossed_bootstrap(correct.astype(float), trials.triplet_id, trials.triplets.participants,
                                      profile.n_boot, profile.seed)
    ev = result.evidence("things", ids)
    assert ev.models == tuple(ids) and ev.unit == study.UNITS["things"]
    np.testing.assert_allclose(ev.point, correct.mean(axis=0))
    np.testing.assert_allclose(ev.boot, boot)
    assert result.computed == 2  # the trained models' correctness and the evidence built on it
    # Every model the book's way: only the columns still missing (the untrained control's) are
    # computed, and a subset is read off the same draws without computing anything.
    everyone = result.evidence("things")
    assert everyone.models == tuple(s.id for s in result.models) and result.computed == 4
    np.testing.assert_array_equal(everyone.boot[:, :len(ids)], ev.boot)
    pair = ids[::-1][:2]
    np.testing.assert_array_equal(result.evidence("things", pair).boot,
                                  everyone.boot[:, [everyone.models.index(m) for m in pair]])
    assert result.computed == 4
    with pytest.raises(KeyError, match="No 'as in the book' scores for \\['x/y.z'\\]"):
        result.evidence("things", ["x/y.z"])
    # The 92 images: the mean RSA over people, two-way resamples from the per-model cache.
    data = datasets.load_dataset("matrices", "rsa92")
    rdms = np.stack([study.matrix_scores(profile, s, "penultimate", data).rdm("cosine") for s in result.models])
    rsa = result.evidence("rsa92")
    np.testing.assert_allclose(rsa.point, measures.rsa_per_person(rdms, data.rdms).mean(axis=1))
    np.testing.assert_allclose(rsa.boot, measures.rsa_two_way_bootstrap(rdms, data.rdms, profile.n_boot, profile.seed))
    # The ceiling on the same draws of people and images.
    lower, resamples = result.rsa_ceiling()
    assert lower == pytest.approx(measures.noise_ceiling_rsa(data.rdms)["lower"])
    assert resamples.shape == (profile.n_boot,)
    # The parts are read-only, and one result per profile in a process.
    with pytest.raises(ValueError):
        everyone.boot[0, 0] = 1.0
    assert study.study_result(profile) is study.study_result(profile)


def test_a_planted_result_computes_nothing_and_names_what_it_lacks():
    profile = make_profile(models=[QAT, BIRD], check_data=False)
    ev = study.Evidence("things", study.UNITS["things"], (QAT, BIRD), np.array([0.5, 0.4]), np.full((10, 2), 0.45))
    result = study.StudyResult(profile, values={("evidence", "things", False, study.BOOK): ev})
    assert result.evidence("things", [BIRD]).point.tolist() == [0.4]
    assert result.evidence("things", [BIRD]).group([BIRD])[0] == pytest.approx(0.4)
    with pytest.raises(KeyError, match="holds no \\('evidence', 'rsa92'"):
        result.evidence("rsa92")
    with pytest.raises(KeyError, match="No things evidence for \\['x/y.z'\\]"):
        result.evidence("things", ["x/y.z"])
    with pytest.raises(ValueError, match="No models to score"):
        result.evidence("things", [])
    assert result.computed == 0
    assert study.as_result(result) is result
    with pytest.raises(TypeError, match="StudyResult or a Profile"):
        study.as_result("demo")


def test_verdicts_read_only_the_result():
    """A verdict given a result reads nothing else: a planted result decides it."""
    profile = make_profile(models=[QAT, BIRD], check_data=False, n_boot=50)

    def planted(specs, on, transformed, choice):
        point = np.array([0.5 if s.training_data == "ImageNet-1k" else 0.3 for s in specs]) + 0.05 * transformed
        return study.Evidence(on, study.UNITS[on], tuple(s.id for s in specs), point,
                              point + np.random.default_rng(0).normal(0, 0.005, size=(50, len(specs))))

    result = fakes.planted_result(profile, planted)
    verdict, table = study.verdict_training_data(result)
    assert verdict.status == "reproduced" and len(table) == 2
    assert table["difference"].to_numpy() == pytest.approx([0.2, 0.2])
    transfer = study.verdict_transfer_people(result)
    assert transfer.numbers["gain"] == pytest.approx(0.05) and transfer.status == "reproduced"
    assert transfer.labels["robustness"] == "robust"


def test_a_result_names_a_model_or_a_kind_it_does_not_score():
    profile = make_profile(models=[QAT, BIRD], check_data=False)
    correct = np.ones((5, 2), dtype=bool)
    result = study.StudyResult(profile, values={("correct", False, study.BOOK): correct})
    assert result.correct([BIRD]).shape == (5, 1)
    with pytest.raises(KeyError, match="No 'as in the book' scores for \\['x/y.z'\\]"):
        result.correct(["x/y.z"])
    with pytest.raises(ValueError, match="kind must be 'zero_shot' or 'probed', not 'logits'"):
        study.verdict_concepts(result, kind="logits")
