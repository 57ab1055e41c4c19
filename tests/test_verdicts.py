"""Directional verdict rules on planted data: the paper's direction, the opposite, noise,
and too few models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pathlib

import fakes
from humanalign import measures
from humanalign import study as verdicts
from humanalign.profiles import make_profile
from humanalign.registry import get_spec


def _table(diffs):
    return pd.DataFrame([{"comparison": f"c{i}", **verdicts.compare(a, b, n_boot=500, seed=0)}
                         for i, (a, b) in enumerate(diffs)])


def _units(rng, shift: float, n: int = 400):
    base = rng.normal(size=n)
    return base + shift + 0.5 * rng.normal(size=n), base + 0.5 * rng.normal(size=n)


def test_planted_effect_in_the_papers_direction_is_reproduced(rng):
    v = verdicts.direction_verdict(_table([_units(rng, 0.3), _units(rng, 0.4)]), "claim", "none")
    assert v.status == "reproduced" and v.numbers["n_agree"] == 2


def test_planted_opposite_effect_is_not_reproduced(rng):
    v = verdicts.direction_verdict(_table([_units(rng, 0.3), _units(rng, -0.3)]), "claim", "none")
    assert v.status == "not reproduced" and "the opposite" in v.reason


def test_noise_is_undecided(rng):
    v = verdicts.direction_verdict(_table([_units(rng, 0.0)]), "claim", "none")
    assert v.status == "undecided" and "the interval covers 0" in v.reason


def test_one_comparison_against_the_paper_outweighs_agreeing_ones(rng):
    v = verdicts.direction_verdict(_table([_units(rng, 0.3), _units(rng, -0.3), _units(rng, 0.0)]), "claim", "")
    assert v.status == "not reproduced"
    assert verdicts.combine(["as the paper says", "undecided (the interval covers 0)"]) == "undecided"


def test_nothing_to_compare_is_not_testable():
    v = verdicts.direction_verdict(pd.DataFrame(columns=["comparison", "difference", "ci_low", "ci_high"]),
                                   "claim", "no pair")
    assert v.status.startswith("not testable") and v.reason == "no pair"


def test_controlled_pairs_hold_architecture_and_objective_fixed():
    demo = ["litert/mobilenet_v2_100_224.qat_in1k", "litert/mobilenet_v2_100_224.ptq_in1k",
            "litert/mobilenet_v2_100_224.inat_bird", "litert/mobilenet_v2_100_224.inat_insect",
            "litert/movenet_lightning_192.coco_pose", "pypi/efficientnet_lite0.in1k",
            "untrained/mobilenetv2_100.seed0"]
    pairs = verdicts.controlled_data_pairs([get_spec(m) for m in demo])
    assert [(p[0], p[2]) for p in pairs] == [("ImageNet-1k", "iNaturalist 2017 birds"),
                                            ("ImageNet-1k", "iNaturalist 2017 insects")]
    # Only the ImageNet-1k copy of the same precision (quantisation-aware training, as the
    # iNaturalist models) is compared: precision is not a factor of the claim.
    assert {s.id for s in pairs[0][1]} == {"litert/mobilenet_v2_100_224.qat_in1k"}
    assert verdicts.controlled_data_pairs([get_spec("pypi/efficientnet_lite0.in1k"), get_spec("litert/movenet_lightning_192.coco_pose")]) == []


def _evidence(models, point, spread=0.01, n_boot=400, seed=0, on="things", noise=None):
    """Planted evidence: each model's resamples scatter around its point with a shared part
    (the paired draws) and a small own part."""
    rng = np.random.default_rng(seed)
    point = np.asarray(point, dtype=float)
    shared = rng.normal(0, spread, size=(n_boot, 1))
    own = rng.normal(0, spread / 4 if noise is None else noise, size=(n_boot, len(point)))
    return verdicts.Evidence(on, verdicts.UNITS[on], tuple(models), point, point + shared + own)


def _result(models, evidence, **over):
    """The study result of a profile of ``models`` holding planted evidence (the same under
    every way of measuring): ``evidence(specs, on, transformed)``."""
    profile = make_profile(models=list(models), check_data=False, **over)
    return fakes.planted_result(profile, lambda specs, on, transformed, choice: evidence(specs, on, transformed))


CLIP = ["open_clip/RN50.openai", "open_clip/ViT-B-32.openai", "open_clip/ViT-B-16.openai"]
SOFTMAX = ["torchvision/resnet50.IMAGENET1K_V1", "torchvision/vgg16.IMAGENET1K_V1", "torchvision/alexnet.IMAGENET1K_V1"]


def _objective(models, scores, noise=None):
    ev = _evidence(models, scores, noise=noise)
    return verdicts.verdict_objective(_result(models, lambda specs, on, transformed: ev))


@pytest.mark.parametrize("contrastive, softmax, status", [
    ([0.50, 0.52, 0.51], [0.44, 0.45, 0.43], "reproduced"),
    ([0.42, 0.43, 0.41], [0.48, 0.49, 0.47], "not reproduced"),
    ([0.40, 0.52, 0.46], [0.41, 0.51, 0.47], "undecided"),
    ([0.50], [0.44, 0.45, 0.43], "not testable with this profile's models"),
])
def test_objective_rule_on_planted_group_means(contrastive, softmax, status):
    models = CLIP[:len(contrastive)] + SOFTMAX
    v = _objective(models, contrastive + softmax)
    assert v.status == status, v.reason


def test_objective_rule_compares_with_imagenet_1k_classifiers_only():
    # A softmax model trained on ImageNet-21k is another training-data group, not a classifier of the comparison.
    models = CLIP + SOFTMAX[:2] + ["timm/vit_base_patch16_224.augreg_in21k"]
    v = _objective(models, [0.50, 0.52, 0.51, 0.44, 0.45, 0.60])
    assert v.status == "reproduced" and "ImageNet-1k" in v.reason and v.numbers["n_softmax"] == 2


def test_objective_rule_refuses_to_let_precision_decide():
    """The mixed-precision trap: two quantised classifiers score low because of their
    precision. Compared with the float contrastive models they would decide the verdict;
    the rule compares float with float only, where there is no difference."""
    quantised = ["litert/mobilenet_v1_100_224.quant_embedding", "litert/mobilenet_v2_100_224.ptq_in1k"]
    models = CLIP + SOFTMAX + quantised
    v = _objective(models, [0.47, 0.48, 0.46, 0.47, 0.48, 0.46, 0.30, 0.31])
    assert v.status == "undecided" and "float32" in v.reason


# --------------------------------------------------------------------------- scale


def _spec(name: str, family: str, params: int, objective: str = "supervised softmax", data: str = "ImageNet-1k",
          precision: str = "float32"):
    from humanalign.registry import ModelSpec

    return ModelSpec(id=f"fake/{name}.x", source="timm", arch=name, tag="x", family=family, params=params,
                     imagenet_top1=None, top1_source="", objective=objective, training_data=data,
                     penultimate="p", logits="", public=True, precision=precision)


def _planted_scale(rng, slope: float, n: int, family_gap: float = 0.0, families=("A", "B"), precisions=None,
                   n_concepts: int = 300):
    """Families of four sizes each (1e6 .. 1e8 parameters); accuracy = 0.45 + slope *
    log10(params / 1e7) (+ family_gap for every family after the first); concepts differ in
    how easy they are, so that resampling them matters. Returns (point, boot, specs)."""
    specs, acc = [], []
    for f, fam in enumerate(families):
        precision = precisions[f] if precisions else "float32"
        for k, p in enumerate((1e6, 4e6, 2e7, 1e8)):
            specs.append(_spec(f"{fam}{k}", fam, int(p), precision=precision))
            acc.append(0.45 + (family_gap if f else 0.0) + slope * np.log10(p / 1e7))
    objects = np.stack([rng.choice(n_concepts, 3, replace=False) for _ in range(n)])
    ease = rng.normal(0, 0.05, size=n_concepts)[objects].mean(axis=1)
    correct = rng.random((n, len(acc))) < np.clip(np.array(acc)[None] + ease[:, None], 0, 1)
    boot = measures.concept_bootstrap(correct, objects, n_boot=300, seed=0)
    return correct.mean(axis=0), boot, specs


@pytest.mark.parametrize("slope, gap, n, status", [
    (0.0, 0.0, 20_000, "reproduced"),          # the paper's direction: no effect of size or architecture
    (0.08, 0.0, 20_000, "not reproduced"),     # the opposite: a strong effect of size
    (0.0, 0.10, 20_000, "not reproduced"),     # the opposite: a strong effect of architecture
    (0.0, 0.0, 300, "undecided"),              # noise: too few triplets to tell
])
def test_scale_rule_on_planted_data(rng, slope, gap, n, status):
    point, boot, specs = _planted_scale(rng, slope, n, gap)
    table = verdicts.scale_comparisons(point, boot, specs, margin=0.03)
    assert list(table["half"]) == ["size", "size", "architecture"]
    v = verdicts.scale_verdict_from(table, 0.03)
    assert v.status == status, v.reason
    if slope:
        assert table.loc[table["half"] == "size", "slope"].to_numpy() == pytest.approx([slope, slope], abs=0.02)
        # The effect is the change across the series' two decades of parameters.
        assert table.loc[table["half"] == "size", "estimate"].to_numpy() == pytest.approx([2 * slope] * 2, abs=0.04)
        assert v.labels["size_status"] == "not reproduced"


def test_scale_margin_does_not_grow_stricter_with_more_families():
    """Eight families of the same true accuracy: the range over families grows with their
    number, the mean absolute difference does not; no effect stays no effect."""
    rng = np.random.default_rng(5)
    point, boot, specs = _planted_scale(rng, 0.0, 60_000, families=tuple("ABCDEFGH"))
    table = verdicts.scale_comparisons(point, boot, specs, margin=0.03)
    arch = table[table["half"] == "architecture"].iloc[0]
    family_means = point.reshape(8, 4).mean(axis=1)
    assert arch["estimate"] < np.ptp(family_means)
    assert verdicts.scale_verdict_from(table, 0.03).status == "reproduced"


def test_scale_rule_refuses_to_let_precision_decide(rng):
    """The mixed-precision trap: family B is quantised and 0.1 lower for that reason alone.
    Families of different precision are never compared, so the gap cannot decide."""
    point, boot, specs = _planted_scale(rng, 0.0, 20_000, family_gap=-0.10, precisions=("float32", "uint8"))
    table = verdicts.scale_comparisons(point, boot, specs, margin=0.03)
    assert list(table["half"]) == ["size", "size"]
    v = verdicts.scale_verdict_from(table, 0.03)
    assert v.status == "reproduced" and v.labels["architecture_status"] == "not testable"


def test_scale_rule_with_one_model_per_group_is_not_testable(rng):
    specs = [_spec("a", "A", 1_000_000), _spec("b", "B", 5_000_000, data="LAION-2B"),
             _spec("c", "C", 9_000_000, objective="self-supervised"),
             _spec("u", "U", 2_000_000, objective="none (random init)", data="none (untrained)"),
             _spec("u2", "U", 8_000_000, objective="none (random init)", data="none (untrained)")]
    table = verdicts.scale_comparisons(np.full(5, 0.4), rng.random((50, 5)), specs, margin=0.03)
    assert table.empty
    assert verdicts.scale_verdict_from(table, 0.03).status == "not testable with this profile's models"


def test_scale_groups_are_family_by_objective_by_data(rng):
    # Same family and sizes but another objective or data: not one size series.
    specs = [_spec("a", "ResNet", 1_000_000), _spec("b", "ResNet", 8_000_000, objective="self-supervised"),
             _spec("c", "ResNet", 30_000_000, data="ImageNet-21k")]
    assert verdicts.scale_comparisons(np.full(3, 0.4), rng.random((50, 3)), specs, margin=0.03).empty
    # Sizes closer than min_span are no series either.
    close = [_spec("a", "E", 4_600_000), _spec("b", "E", 5_400_000), _spec("c", "E", 6_100_000)]
    assert verdicts.scale_comparisons(np.full(3, 0.4), rng.random((50, 3)), close, margin=0.03).empty


def test_slope_matches_least_squares(rng):
    point, boot, specs = _planted_scale(rng, 0.03, 5000)
    table = verdicts.scale_comparisons(point, boot, specs, margin=0.03)
    x = np.log10([s.params for s in specs[:4]])
    assert table["slope"].iloc[0] == pytest.approx(np.polyfit(x, point[:4], 1)[0])
    assert table["estimate"].iloc[0] == pytest.approx(np.polyfit(x, point[:4], 1)[0] * np.ptp(x))
    assert table["sizes"].iloc[0] == "1.00 M to 100.00 M (2.00 tenfold steps)"


def test_precision_pairs_are_one_network_in_two_precisions():
    demo = [get_spec(m) for m in ("litert/mobilenet_v2_100_224.qat_in1k", "litert/mobilenet_v2_100_224.ptq_in1k",
                                  "litert/mobilenet_v2_100_224.inat_bird", "pypi/efficientnet_lite0.in1k")]
    pairs = verdicts.precision_pairs(demo)
    assert [(a.id, b.id) for a, b in pairs] == [("litert/mobilenet_v2_100_224.qat_in1k",
                                                 "litert/mobilenet_v2_100_224.ptq_in1k")]
    gaps = pd.DataFrame({"human_data": ["THINGS triplets", "THINGS triplets", "92 images"],
                         "difference": [0.02, -0.04, 0.5]})
    assert verdicts.reference_gap(gaps) == pytest.approx(0.03)
    assert np.isnan(verdicts.reference_gap(gaps.iloc[:0]))


def test_imagenet_correlation_with_interval(rng):
    top1 = np.linspace(0.6, 0.85, 12)
    wide = pd.DataFrame({"imagenet_top1": top1, "zero_shot": 0.3 + 0.2 * top1 + rng.normal(0, 0.002, 12),
                         "training_data": "ImageNet-1k"})
    out = verdicts.imagenet_correlation(wide, n_boot=300)
    assert out["n_models"] == 12 and out["pearson"] > 0.9 and out["pearson_low"] <= out["pearson"] <= out["pearson_high"]
    wide.loc[:, "imagenet_top1"] = np.nan
    assert np.isnan(verdicts.imagenet_correlation(wide)["pearson"])


# --------------------------------------------------------------------------- training data


def _data_verdict(scores: dict[str, float]):
    def planted(specs, on, transformed):
        ids = [s.id for s in specs]
        return _evidence(ids, [scores[i] for i in ids], spread=0.02, on=on)

    return verdicts.verdict_training_data(_result(scores, planted))


QAT, PTQ = "litert/mobilenet_v2_100_224.qat_in1k", "litert/mobilenet_v2_100_224.ptq_in1k"
BIRD, INSECT = "litert/mobilenet_v2_100_224.inat_bird", "litert/mobilenet_v2_100_224.inat_insect"


@pytest.mark.parametrize("scores, status", [
    ({QAT: 0.30, PTQ: 0.30, BIRD: 0.20, INSECT: 0.21}, "reproduced"),
    ({QAT: 0.20, PTQ: 0.20, BIRD: 0.30, INSECT: 0.31}, "not reproduced"),
    ({QAT: 0.25, PTQ: 0.25, BIRD: 0.25, INSECT: 0.252}, "undecided"),
    # The mixed-precision trap: only the post-training quantised copy is low; averaging the
    # two ImageNet-1k copies would make the data effect look undecided. It is not compared.
    ({QAT: 0.30, PTQ: 0.10, BIRD: 0.20, INSECT: 0.21}, "reproduced"),
])
def test_data_rule_on_planted_scores(scores, status):
    verdict, table = _data_verdict(scores)
    assert verdict.status == status, verdict.reason
    assert set(table["human_data"]) == {"92 images (real people)", "THINGS odd-one-out (real people)"}
    # Both human data sets are real, so the claim's two halves both decide, and both are named.
    assert verdict.labels["things_status"] == verdict.labels["rsa92_status"] == status
    assert verdict.labels["unit"] == "triplets and people (THINGS); people and images (92 photos)"


# --------------------------------------------------------------------------- concepts


def _dimensions(terms):
    return pd.DataFrame({"dimension": range(len(terms)), "term": terms, "name": [t or f"dim{d}" for d, t in enumerate(terms)]})


def _planted_concepts(rng, acc_by_dim, vice_by_dim=None, n=30_000, models=3, per_triplet=10, n_people=300):
    """Real-answer-like data: ``n // per_triplet`` distinct triplets, each with one dimension
    and ``per_triplet`` answers by people drawn from a crowd."""
    n_triplets = n // per_triplet
    triplet_id = np.repeat(np.arange(n_triplets), per_triplet)
    people = rng.integers(0, n_people, size=len(triplet_id))
    labels = rng.integers(0, len(acc_by_dim), size=n_triplets)[triplet_id]
    correct = rng.random((len(labels), models)) < np.asarray(acc_by_dim)[labels][:, None]
    vice = rng.random(len(labels)) < np.asarray(vice_by_dim or [0.7] * len(acc_by_dim))[labels]
    return correct, vice, (triplet_id, people), labels


DIMS = _dimensions(["food", "animals", "sports", "", "", "royal"])


@pytest.mark.parametrize("acc, status", [
    ([0.60, 0.58, 0.30, 0.45, 0.46, 0.32], "reproduced"),      # the paper's direction
    ([0.30, 0.32, 0.60, 0.45, 0.46, 0.58], "not reproduced"),  # the opposite
    ([0.45] * 6, "undecided"),                                 # noise
])
def test_concepts_rule_on_planted_data(rng, acc, status):
    correct, vice, (ids, people), labels = _planted_concepts(rng, acc)
    table = verdicts.concept_comparisons(correct, vice, ids, people, labels, DIMS, n_boot=300)
    assert list(table["term"]) == ["food", "animals", "sports", "royal"]
    v = verdicts.concepts_verdict_from(table)
    assert v.status == status, v.reason
    if status == "reproduced":
        assert v.numbers["food_rank"] == 1 and v.numbers["sports_rank"] == 6


def test_concepts_are_scored_relative_to_the_embeddings_own_accuracy(rng):
    """Food dimensions look better only because the simulating embedding is itself better
    there; relative to its accuracy nothing stands out, and the rule says undecided."""
    acc = [0.60, 0.45, 0.45, 0.45, 0.45, 0.45]
    vice = [0.80, 0.60, 0.60, 0.60, 0.60, 0.60]
    correct, vice_correct, (ids, people), labels = _planted_concepts(rng, acc, vice)
    table = verdicts.concept_comparisons(correct, vice_correct, ids, people, labels, DIMS, n_boot=300)
    assert table.set_index("term").loc["food", "outcome"].startswith("undecided")


def test_concepts_rule_without_models_or_term_dimensions_is_not_testable(rng):
    correct, vice, (ids, people), labels = _planted_concepts(rng, [0.5] * 6, n=2000)
    empty = verdicts.concept_comparisons(correct[:, :0], vice, ids, people, labels, DIMS)
    assert verdicts.concepts_verdict_from(empty).status.startswith("not testable")
    none = _dimensions(["", "", "", "", "", ""])
    v = verdicts.concepts_verdict_from(verdicts.concept_comparisons(correct, vice, ids, people, labels, none, n_boot=50))
    assert v.status.startswith("not testable") and "royal" in v.labels["unidentified"]
    # A term whose only dimension has too few distinct triplets is not tested either (2000
    # answers are 200 triplets, about 33 per dimension).
    sparse = verdicts.concept_comparisons(correct, vice, ids, people, labels, DIMS, min_n=100, n_boot=50)
    assert sparse["difference"].isna().all()
    assert verdicts.distinct_per_dimension(labels, ids, 6).sum() == 200


def test_term_dimensions_come_from_the_reviewed_table():
    assert verdicts.term_dimensions(DIMS) == {"food": [0], "animals": [1], "sports": [2], "royal": [5]}
    from humanalign import study

    table = study.dimension_table()
    terms = verdicts.term_dimensions(table)
    # The dimension of sharks, whales and ships carries no term; crowns and thrones are royal.
    assert 38 not in terms["animals"] and terms["royal"] == [4] and 41 in terms["food"]


def test_the_rules_table_names_every_claim_and_the_methods_page_prints_it():
    table = verdicts.rules_table()
    assert len(table) == 5 and table.notna().all().all()
    # The methods page includes the table written from the code's own rules at build time.
    methods = (pathlib.Path(__file__).resolve().parents[1] / "book" / "methods.md").read_text()
    assert "_generated/rules.md" in methods and "| Scale:" not in methods
    text = verdicts.rules_markdown()
    for claim, resampled in zip(table["claim"], table["resampled"]):
        assert f"* - {claim}\n  - {resampled}\n" in text
    assert ":class: ha-stack" in text  # stacked cards on a phone rather than columns off-screen


def test_per_dimension_accuracy_has_intervals(rng):
    correct, _vice, (ids, people), labels = _planted_concepts(rng, [0.6, 0.3], n=4000, models=2)
    table = verdicts.concept_dimension_accuracy(correct, labels, ["a", "b"], 3, n_boot=200)
    again = verdicts.concept_dimension_accuracy(correct, labels, ["a", "b"], 3, n_boot=200, triplet_id=ids,
                                                people=people)
    assert again["accuracy"].equals(table["accuracy"])
    assert (again["ci_high"] - again["ci_low"]).iloc[0] > 0
    assert len(table) == 6 and table.loc[2, "n"] == 0 and np.isnan(table.loc[2, "accuracy"])
    first = table.iloc[0]
    assert first["ci_low"] < first["accuracy"] < first["ci_high"] and abs(first["accuracy"] - 0.6) < 0.03


def test_interval_pivot_keeps_model_order(rng):
    correct, _vice, _objects, labels = _planted_concepts(rng, [0.6, 0.3], n=400, models=2)
    per_dim = verdicts.concept_dimension_accuracy(correct, labels, ["z", "a"], 3, n_boot=50).assign(name="x")
    wide = verdicts.interval_pivot(per_dim)
    assert list(wide.columns) == ["z", "a"] and wide.shape == (3, 2) and wide.iloc[2, 0] == "-"


def test_augreg_vits_give_the_papers_controlled_data_comparison():
    from humanalign.registry import list_models

    pairs = verdicts.controlled_data_pairs([get_spec(m) for m in list_models(public_only=True)["id"]])
    in21k_vs_in1k = {(tuple(s.id for s in b), tuple(s.id for s in n))
                     for broad, b, narrow, n in pairs if (broad, narrow) == ("ImageNet-21k", "ImageNet-1k")}
    for arch in ("vit_small_patch16_224", "vit_base_patch16_224", "vit_base_patch32_224"):
        assert ((f"timm/{arch}.augreg_in21k",), (f"timm/{arch}.augreg_in1k",)) in in21k_vs_in1k




# --------------------------------------------------------------------------- transfer


@pytest.mark.parametrize("gain, status", [(0.05, "reproduced"), (-0.05, "not reproduced"), (0.002, "undecided")])
def test_transfer_rule_on_planted_gains(gain, status):
    """The gain is read off the same draws before and after the probe (paired); a planted
    gain in the paper's direction, the opposite, and none."""
    def planted(specs, on, transformed):
        ids = [s.id for s in specs]
        base = _evidence(ids, [0.25] * len(ids), spread=0.05, on=on, noise=0.01, seed=1)
        if not transformed:
            return base
        moved = base.boot + gain + np.random.default_rng(2).normal(0, 0.01, size=base.boot.shape)
        return verdicts.Evidence(on, base.unit, base.models, base.point + gain, moved)

    v = verdicts.verdict_transfer_people(_result([QAT, BIRD], planted, n_boot=400))
    assert v.status == status, v.reason
    assert v.numbers["share_of_room"] == pytest.approx(gain / 0.20)
    # Its interval: the gain over the room on each resample (the ceiling held here).
    assert v.numbers["share_of_room_low"] < v.numbers["share_of_room"] < v.numbers["share_of_room_high"]


def test_group_difference_with_few_models_is_a_satterthwaite_interval():
    from scipy import stats

    from humanalign.study.verdicts.objective import group_difference

    ev = _evidence(["a", "b", "c", "d", "e"], [0.50, 0.52, 0.54, 0.44, 0.46], spread=0.01, seed=3)
    row = group_difference(ev, ["a", "b", "c"], ["d", "e"], "a - b")
    units = ev.boot[:, :3].mean(axis=1) - ev.boot[:, 3:].mean(axis=1)
    v = [np.var([0.50, 0.52, 0.54], ddof=1) / 3, np.var([0.44, 0.46], ddof=1) / 2, np.var(units, ddof=1)]
    d = [2, 1, len(units) - 1]
    df = sum(v) ** 2 / sum(vi ** 2 / di for vi, di in zip(v, d))
    half = stats.t.ppf(0.975, df) * np.sqrt(sum(v))
    assert row["difference"] == pytest.approx(0.07)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.07 - half, 0.07 + half))
    assert row["interval"].startswith("t on") and row["outcome"] == verdicts.outcome(row["ci_low"], row["ci_high"])
    # With ten models a group, the models are drawn with the units: a percentile interval.
    many = _evidence([f"m{i}" for i in range(20)], np.r_[np.full(10, 0.5), np.full(10, 0.45)], seed=4)
    wide = group_difference(many, [f"m{i}" for i in range(10)], [f"m{i}" for i in range(10, 20)], "x")
    assert wide["interval"].startswith("percentile") and wide["ci_low"] < 0.05 < wide["ci_high"]


def test_every_reading_of_an_interval_gives_one_status_of_the_vocabulary():
    from humanalign import vocabulary
    from humanalign.study.verdicts import rules

    readings = {rules.outcome(0.1, 0.2), rules.outcome(-0.2, -0.1), rules.outcome(-0.1, 0.1),
                rules.equivalence(-0.01, 0.01, 0.03), rules.equivalence(0.04, 0.05, 0.03),
                rules.equivalence(0.0, 0.05, 0.03)}
    assert readings == set(vocabulary.OUTCOME_STATUS)
    assert set(vocabulary.OUTCOME_STATUS.values()) <= set(vocabulary.STATUSES)
    assert rules.combine([vocabulary.AGREES, vocabulary.WITHIN]) == "reproduced"
    assert rules.combine([vocabulary.AGREES, vocabulary.CROSSES]) == "undecided"
    assert rules.combine([vocabulary.COVERS_ZERO, vocabulary.BEYOND]) == "not reproduced"
    with pytest.raises(ValueError, match="Unknown outcomes \\['maybe'\\]"):
        rules.combine(["maybe"])
