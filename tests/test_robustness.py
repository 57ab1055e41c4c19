"""Robustness of the verdicts: the table against a plain recomputation, the mark's words,
the alternatives a profile runs, and the per-model alternatives against direct measures."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

import fakes
from conftest import needs_mirror
from humanalign import datasets, measures, study
from humanalign.profiles import make_profile

QAT, PTQ = "litert/mobilenet_v2_100_224.qat_in1k", "litert/mobilenet_v2_100_224.ptq_in1k"
BIRD, INSECT = "litert/mobilenet_v2_100_224.inat_bird", "litert/mobilenet_v2_100_224.inat_insect"


def _fake_evidence(specs, on, transformed=False, choice=study.BOOK):
    """Planted scores: ImageNet-1k above iNaturalist, except on the 92 images under Euclidean
    distance, where the order flips; every other choice shifts all models alike."""
    ids = [s.id for s in specs]
    rng = np.random.default_rng(0)
    base = np.array([0.30 if s.training_data == "ImageNet-1k" else 0.20 for s in specs])
    if on == "rsa92" and choice.distance == "euclidean":
        base = 0.5 - base
    base = base + 0.01 * (choice.similarity != "cosine")
    boot = base + rng.normal(0, 0.02, size=(300, 1)) + rng.normal(0, 0.005, size=(300, len(ids)))
    return study.Evidence(on, study.UNITS[on], tuple(ids), base, boot)


def _planted(profile):
    return fakes.planted_result(profile, _fake_evidence)


def test_robustness_table_equals_a_plain_recomputation():
    profile = make_profile(models=[QAT, PTQ, BIRD, INSECT], layers=["penultimate"], check_data=False)
    result = _planted(profile)
    verdict, _ = study.verdict_training_data(result)
    table = verdict.robustness
    # The plain way: the verdict under each alternative, one at a time.
    expected = [("as in the book", study.verdict_training_data(result, choice=study.BOOK)[0])]
    expected += [(c.label, study.verdict_training_data(result, choice=c)[0])
                 for c in study.alternatives(profile, ("things", "rsa92"))]
    ran = table[~table["status"].str.startswith("not run")]
    assert list(ran["choice"]) == [label for label, _ in expected]
    assert list(ran["status"]) == [v.status for _, v in expected]
    assert ran["estimate"].to_numpy() == pytest.approx([v.numbers["estimate"] for _, v in expected])
    assert ran["ci_low"].to_numpy() == pytest.approx([v.numbers["ci_low"] for _, v in expected])
    assert verdict.status == "reproduced"
    assert verdict.labels["robustness"] == ("fragile: Euclidean instead of cosine distance (92 images) gives "
                                            "not reproduced")
    # The alternatives not run are listed with why.
    left = table[table["status"].str.startswith("not run")]
    assert "Kendall's tau-a RSA (92 images)" in set(left["choice"])
    assert "logits instead of the penultimate layer" in set(left["choice"])


def test_robustness_mark_words():
    def table(statuses):
        return pd.DataFrame({"choice": [f"c{i}" for i in range(len(statuses))], "status": statuses,
                             "same_status": ["yes"] + ["yes" if s == statuses[0] else "no" for s in statuses[1:]]})

    assert study.robustness_mark(table(["reproduced", "reproduced", "not run: slow"])) == "robust"
    assert study.robustness_mark(table(["reproduced", "undecided"])) == "fragile: c1 gives undecided"
    assert study.robustness_mark(table(["not testable with this profile's models"])) == "not testable"
    assert study.robustness_mark(table(["undecided", "not run: slow"])).startswith("not assessed")


def test_alternatives_change_one_choice_and_only_those_a_profile_can_run():
    profile = make_profile(models=[QAT], layers=["penultimate"], check_data=False)
    things = study.alternatives(profile, ("things",))
    assert [c.similarity for c in things] == ["correlation", "euclidean"]
    both = study.alternatives(profile)
    for choice in both:
        changed = [f for f in ("similarity", "distance", "statistic", "framing", "layer")
                   if getattr(choice, f) != getattr(study.BOOK, f)]
        assert len(changed) == 1, choice
    assert all(c.layer == "penultimate" for c in both)
    with_logits = make_profile(models=[QAT], layers=["penultimate", "logits"], check_data=False)
    assert study.alternatives(with_logits, ("things",))[-1].layer == "logits"
    assert "logits instead of the penultimate layer" not in study.not_run(with_logits)
    assert "plain resize instead of centre crop (THINGS)" not in study.not_run(profile, ("rsa92",))


def test_plain_resize_keeps_the_whole_image():
    from PIL import Image
    from torchvision import transforms as T

    from humanalign.models.preprocess import uint8_transform
    from humanalign.study import choices

    image = Image.fromarray(np.random.default_rng(0).integers(0, 255, (60, 90, 3), dtype=np.uint8))
    whole = choices._plain_resize(uint8_transform(32))
    expected = T.PILToTensor()(image.resize((32, 32), Image.BILINEAR))
    out = whole(image)
    assert out.shape == (3, 32, 32)
    assert np.abs(out.numpy().astype(int) - expected.numpy().astype(int)).max() <= 1
    assert choices._plain_resize(T.Compose([T.Resize(32), T.PILToTensor()])) is None  # nothing cropped


@pytest.fixture
def fake(tmp_path, monkeypatch):
    fakes.install(tmp_path, monkeypatch)
    study.human_data._DATA_CACHE.clear()
    return types.SimpleNamespace()


@needs_mirror
def test_alternatives_per_model_match_the_measures_directly(fake, monkeypatch):
    profile = fakes.small_profile(n_boot=20)
    fakes.seed_features(profile)
    spec = profile.specs[0]
    data = study.load_study_data(profile)
    feats = study.features_for(spec, "penultimate", profile, data.stimuli)
    answers = data.trials.triplets.indices
    euclid = study.things_correct(profile, spec, study.Choice(similarity="euclidean"))
    assert np.array_equal(euclid, measures.odd_one_out_correct(feats, answers, similarity="euclidean"))
    assert np.array_equal(study.things_correct(profile, spec, study.BOOK),
                          study.things_scores(profile, spec, "penultimate").zero_shot)
    logits = study.things_correct(profile, spec, study.Choice(layer="logits"))
    assert np.array_equal(logits, measures.odd_one_out_correct(
        study.features_for(spec, "logits", profile, data.stimuli), answers))
    rsa92 = datasets.load_dataset("matrices", "rsa92")
    images = study.features_for(spec, "penultimate", profile, rsa92.stimuli)
    rdm = study.rdm_under(profile, spec, rsa92, study.Choice(distance="correlation"))
    assert rdm == pytest.approx(measures.model_rdm(images, "pearson"))
    probed = study.rdm_under(profile, spec, rsa92, study.Choice(distance="euclidean"), transformed=True)
    moved = study.things_scores(profile, spec, "penultimate").probe.apply(images)
    assert probed == pytest.approx(measures.model_rdm(moved, "euclidean"))
    # Each chapter's robustness table asks again: the answers under another similarity are
    # read back from the score cache, not recomputed.
    with monkeypatch.context() as patched:
        patched.setattr(study.scores.measures, "odd_one_out_correct", lambda *a, **k: pytest.fail("recomputed"))
        again = study.things_correct(profile, spec, study.Choice(similarity="euclidean"))
    assert np.array_equal(again, euclid) and again.dtype == bool
    with pytest.raises(ValueError, match="Unknown similarity 'manhattan'"):
        study.scores.things_correct_under(profile, spec, "penultimate", "manhattan")


# --------------------------------------------------------------------------- the rules the methods page prints


def test_the_printed_rules_say_what_the_code_does():
    """The methods page's table (vocabulary.RULES) names every unit a verdict resamples, the
    scale margin the code uses, the small-sample threshold and every alternative the code runs."""
    from humanalign import vocabulary

    rules = dict(zip(vocabulary.rules_table()["claim"].str.split(":").str[0], vocabulary.rules_table()["resampled"]))
    result = _planted(make_profile(models=[QAT, PTQ, BIRD, INSECT], layers=["penultimate"], check_data=False,
                                   n_boot=300))
    units = {"Training data": study.verdict_training_data(result, choice=study.BOOK)[0].labels["unit"],
             "Transfer": study.verdict_transfer_people(result, choice=study.BOOK).labels["unit"],
             "Scale": study.scale_verdict_from(pd.DataFrame(columns=["half"])).labels["unit"],
             "Objective": study.verdict_objective(result, choice=study.BOOK).labels["unit"]}
    for claim, unit in units.items():
        for word in ("triplets", "people", "images", "models"):
            if word in unit:
                assert word in rules[claim], (claim, word)
    text = vocabulary.rules_markdown()
    assert f"±{study.SESOI:.4f}" in text and f"fewer than {measures.SMALL_SAMPLE} members" in text
    for choice in study.alternatives(make_profile(models=[QAT], layers=["penultimate", "logits"], check_data=False)):
        assert f"* - {choice.label}\n" in text
    for label in study.NOT_RUN:
        assert f"* - {label}\n" in text


def test_a_verdict_that_cannot_be_tested_has_no_effect_columns():
    book = study.Verdict("not testable with this profile's models", "no pair", {})
    table = study.robustness_table(book, [], {"Kendall": "slow"})
    assert list(table.columns) == ["choice", "status", "same_status"]
    assert study.robustness_mark(table) == "not testable"


def test_the_caption_names_the_mark_and_the_alternatives_not_run():
    book = study.Verdict("reproduced", "why", {"estimate": 0.1, "ci_low": 0.05, "ci_high": 0.15})
    table = study.robustness_table(book, [], {"Kendall's tau-a RSA (92 images)": "too slow"})
    verdict = study.Verdict(book.status, book.reason, book.numbers, {"robustness": "robust"}, robustness=table)
    caption = study.robustness_caption(verdict)
    assert caption.startswith("Robustness of the verdict: robust.")
    assert caption.endswith("Not run: Kendall's tau-a RSA (92 images) (too slow)")


def test_plain_resize_features_frame_the_whole_image_and_are_cached(tmp_path, monkeypatch):
    import dataclasses

    import torch
    from PIL import Image
    from torchvision import transforms as T

    import humanalign.models
    from humanalign.registry import as_spec
    from humanalign.study import choices

    fakes.install(tmp_path, monkeypatch)
    spec = dataclasses.replace(as_spec(fakes.TRAINED[0]), source="fake")  # a runnable (non-internal) row
    paths = []
    for k in range(3):  # wide images: a centre crop drops their sides, a plain resize keeps them
        image = np.zeros((8, 16, 3), dtype=np.uint8)
        image[:, :4] = 255 * (k + 1) // 3
        paths.append(tmp_path / f"{k}.png")
        Image.fromarray(image).save(paths[-1])
    stimuli = datasets.Stimuli("wide", tuple(f"w{k}" for k in range(3)), tuple(paths))
    profile = fakes.small_profile()

    def loader(crop: bool):
        steps = [T.Resize(8), T.CenterCrop(8)] if crop else [T.Resize((8, 8))]
        forward = lambda batch, layers: {layers[0]: batch.mean(dim=(2, 3))}
        return lambda *a, **k: types.SimpleNamespace(preprocess=T.Compose(steps + [T.ToTensor()]), forward=forward,
                                                     device="cpu")

    monkeypatch.setattr(humanalign.models, "load_model", loader(crop=True))
    got = choices.plain_resize_features(spec, stimuli, "penultimate", profile)
    whole = [T.ToTensor()(Image.open(p).convert("RGB").resize((8, 8), Image.BILINEAR)).mean(dim=(1, 2)) for p in paths]
    np.testing.assert_allclose(got, torch.stack(whole).numpy(), atol=0.02)
    assert got[2, 0] > 0  # the left band, outside the centre crop, is seen
    monkeypatch.setattr(humanalign.models, "load_model", lambda *a, **k: pytest.fail("model loaded again"))
    np.testing.assert_array_equal(choices.plain_resize_features(spec, stimuli, "penultimate", profile), got)
    # A preprocessing without a centre crop has nothing to leave out: None, remembered.
    other = dataclasses.replace(spec, tag="b")
    monkeypatch.setattr(humanalign.models, "load_model", loader(crop=False))
    assert choices.plain_resize_features(other, stimuli, "penultimate", profile) is None
    monkeypatch.setattr(humanalign.models, "load_model", lambda *a, **k: pytest.fail("model loaded again"))
    assert choices.plain_resize_features(other, stimuli, "penultimate", profile) is None
