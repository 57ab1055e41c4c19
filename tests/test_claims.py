"""The landing page's claims table, the chapters' verdict boxes and the reader's tables."""

from __future__ import annotations

import base64
import csv
import io
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from humanalign import study, tables
from humanalign.study import Verdict


def _verdicts():
    return {
        "scale": Verdict("undecided", "all within", {"estimate": -0.007, "ci_low": -0.022, "ci_high": 0.007,
                                                    "margin": 0.012},
                         {"unit": "triplets and people", "size_status": "undecided",
                          "architecture_status": "not testable", "effect_unit": "accuracy per tenfold parameters",
                          "margin_source": "the gap between two precisions of one network",
                          "robustness": "fragile: Euclidean gives undecided"}),
        "objective": Verdict("not testable with this profile's models", "no contrastive models",
                             {"n_contrastive": 0.0, "n_softmax": 5.0}),
        "transfer": Verdict("undecided", "covers 0", {"estimate": 0.024, "ci_low": -0.017, "ci_high": 0.061},
                            {"unit": "people and images", "data": "real people (16, 92 images)"}),
    }


def _answer(decided: bool = False) -> study.Answer:
    return study.Answer("relation", "06_brain", "Do the networks that match judgements also match IT?",
                        "positive" if decided else "undecided (the interval covers 0)", decided, "r = 0.20.",
                        {"estimate": 0.2, "ci_low": 0.1 if decided else -0.3, "ci_high": 0.6},
                        {"effect_unit": "Pearson r across trained networks", "unit": "networks", "data": "real people",
                         "caveat": "beyond the paper"})


def test_a_claim_of_two_halves_names_each_half():
    scale = _verdicts()["scale"]
    assert study.verdict_halves(scale) == [("size", "undecided"), ("architecture", "not testable")]
    assert study.verdict_words(scale) == "size: undecided; architecture: not testable"
    data = Verdict("reproduced", "r", {}, {"things_status": "reproduced", "rsa92_status": "undecided"})
    assert study.verdict_words(data) == "THINGS odd-one-out: reproduced; 92 images: undecided"
    assert study.verdict_halves(_verdicts()["transfer"]) == []
    assert study.verdict_words(_verdicts()["objective"]) == "not testable"


def test_claims_table_has_one_row_per_claim_given_in_the_papers_order():
    profile = study.make_profile(models=["x/y.z"], check_models=False, check_data=False)
    table = study.claims_table(_verdicts(), profile, caveats={"scale": "size only"}, beyond={"relation": _answer()})
    assert list(table["chapter"]) == ["01_scale", "02_objective", "04_transfer", "06_brain"]
    assert list(table["part"]) == ["the paper's claims"] * 3 + ["beyond the paper"]
    assert table.loc[0, "deciding"] == "-0.007 [-0.022, +0.007]" and table.loc[1, "deciding"] == "—"
    # Never one word for a claim of two halves.
    assert table.loc[0, "verdict"] == "size: undecided; architecture: not testable"
    # Every effect has its unit: the verdict's own, or the claim's.
    assert table.loc[0, "effect_unit"] == "accuracy per tenfold parameters"
    assert table.loc[2, "effect_unit"] == study.EFFECT_UNITS["transfer"] and table.loc[1, "effect_unit"] == "—"
    assert table.loc[3, "effect_unit"] == "Pearson r across trained networks"
    # The data column says where the human side comes from: a label, or people's real
    # answers to THINGS triplets (the same in every profile).
    # Where the deciding effect rests on the probe, the simulated triplets it was fitted on are named.
    assert table.loc[2, "data"] == "real people (16, 92 images); the probe's training triplets simulated from VICE"
    assert table.loc[0, "data"] == "real people (THINGS)"
    assert table.loc[0, "caveat"] == "size only" and table.loc[1, "caveat"] == "—"
    assert table.loc[3, "caveat"] == "beyond the paper" and table.loc[3, "status"] == "undecided"


def test_claims_markdown_is_a_numbered_table_that_stacks_on_a_phone():
    table = study.claims_table(_verdicts(), beyond={"relation": _answer(decided=True)})
    text = study.claims_markdown(table, csv_name="claims")
    assert text.startswith("````{list-table} The paper's claims")
    assert ":class: ha-stack ha-claims" in text and ":name: tbl-claims" in text and ":header-rows: 1" in text
    assert "{doc}`Model size and architecture have essentially no effect <01_scale>`" in text
    # Each half its own label, coloured by its own status.
    assert "{bdg-warning}`size: undecided` {bdg-muted}`architecture: not testable`" in text
    # The robustness mark in short under the verdict: the chapter's table says which choices change it.
    assert list(table["robustness"]) == ["fragile", "—", "—", "—"]
    assert "`architecture: not testable` *(fragile under other analysis choices)*" in text
    assert ":widths: 16 15 16 16 14 23" in text
    assert "{bdg-warning}`undecided`" in text and "{bdg-primary}`positive`" in text
    assert "-0.007 [-0.022, +0.007] in accuracy per tenfold parameters" in text
    assert "* - **Beyond the paper**" in text and "<06_brain>`" in text
    # One row per claim, the header and the row that opens "beyond the paper", six cells each.
    assert text.count("\n* - ") == 1 + len(table) + 1 and text.count("\n  - ") == 5 * (len(table) + 2)
    assert "```{raw} html" in text and 'download="claims.csv"' in text
    assert "raw html" not in study.claims_markdown(table)


def test_claims_csv_downloads_every_row_with_the_numbers_apart():
    table = study.claims_table(_verdicts(), beyond={"relation": _answer()})
    link = study.claims_csv(table, "overview_claims.csv")
    payload = re.search(r'base64,([^"]+)"', link).group(1)
    rows = list(csv.reader(io.StringIO(base64.b64decode(payload).decode("utf-8"))))
    assert rows[0][:5] == ["part", "claim", "chapter", "verdict", "effect"] and len(rows) == 1 + len(table)
    assert rows[0][8] == "robustness"
    assert rows[1][3] == "size: undecided; architecture: not testable"
    assert [float(v) for v in rows[1][4:7]] == [-0.007, -0.022, 0.007] and rows[2][4:7] == ["", "", ""]
    with pytest.raises(ValueError, match="plain file name"):
        study.claims_csv(table, "../x.csv")


def test_claims_csv_keeps_a_formula_from_running_in_a_spreadsheet():
    hostile = Verdict("undecided", "r", {}, {"unit": "=HYPERLINK(1)"})
    link = study.claims_csv(study.claims_table({"transfer": hostile}))
    text = base64.b64decode(re.search(r'base64,([^"]+)"', link).group(1)).decode("utf-8")
    assert "'=HYPERLINK(1)" in text


def test_verdict_box_shows_the_deciding_effect_and_folds_the_reason():
    box = study.verdict_box(_verdicts()["transfer"], effect_unit="Spearman ρ, after minus before the probe")
    assert box.startswith("`````{admonition} Undecided") and "ha-verdict-undecided" in box
    assert "+0.024 [-0.017, +0.061] in Spearman ρ, after minus before the probe" in box
    assert "people and images resampled" in box
    assert "{dropdown}" in box and "Covers 0" in box
    assert "Under other analysis choices: fragile: Euclidean gives undecided." in study.verdict_box(
        _verdicts()["scale"])
    plain = study.verdict_box(_verdicts()["objective"])
    assert "No contrastive models." in plain and "{dropdown}" not in plain
    # A claim of two halves: each half in the title, the colour of the whole.
    halves = study.verdict_box(_verdicts()["scale"])
    assert halves.startswith("`````{admonition} Size: undecided; architecture: not testable")
    assert "ha-verdict-undecided" in halves and "in accuracy per tenfold parameters" in halves


def test_answer_box_is_blue_when_an_interval_decided_it():
    decided, open_ = study.answer_box(_answer(True)), study.answer_box(_answer(False))
    assert decided.startswith("`````{admonition} Positive") and "ha-verdict-answered" in decided
    assert "ha-verdict-undecided" in open_ and "r = 0.20." in open_


def _brain_result(relation_low: float = 0.1):
    ceilings = pd.DataFrame([{"target": "behaviour", "lower": 0.5, "upper": 0.6, "n": 16, "reliability": np.nan},
                             {"target": "IT", "lower": 0.1, "upper": 0.3, "n": 4, "reliability": 0.2}])
    relation = pd.DataFrame([{"models": "trained networks", "n_models": 12.0, "pearson": 0.4,
                              "pearson_low": relation_low, "pearson_high": 0.7, "spearman": 0.3},
                             {"models": "all networks", "n_models": 15.0, "pearson": 0.5, "pearson_low": 0.2,
                              "pearson_high": 0.8, "spearman": 0.4}])
    mean = "mean of trained networks"
    probe = pd.DataFrame([
        {"model": "a", "target": "behaviour", "gain": 0.1, "gain_low": 0.05, "gain_high": 0.15, "effect": "raised"},
        {"model": mean, "target": "behaviour", "gain": 0.09, "gain_low": 0.05, "gain_high": 0.13, "effect": "raised"},
        {"model": mean, "target": "IT", "gain": 0.01, "gain_low": -0.02, "gain_high": 0.04,
         "effect": "no detectable difference (the interval covers 0)"},
        {"model": mean, "target": "behaviour minus IT", "gain": 0.08, "gain_low": 0.03, "gain_high": 0.12,
         "effect": "larger on behaviour"}])
    categories = pd.DataFrame([
        {"division": "human / non-human (animate images)", "target": "behaviour", "measure": "beyond IT",
         "value": 0.3, "ci_low": 0.2, "ci_high": 0.4, "n": 16, "finding": "present"},
        {"division": "human / non-human (animate images)", "target": "IT", "measure": "plain",
         "value": 0.03, "ci_low": -0.03, "ci_high": 0.1, "n": 4, "finding": "not detected (the interval covers 0)"},
        {"division": "face / body (animate images)", "target": "behaviour", "measure": "beyond IT",
         "value": 0.01, "ci_low": -0.1, "ci_high": 0.1, "n": 16, "finding": "not detected (the interval covers 0)"}])
    return SimpleNamespace(ceilings=ceilings, relation=relation, probe=probe, categories=categories)


def test_brain_answers_read_each_question_from_the_results():
    answers = study.brain_answers(_brain_result())
    assert list(answers) == ["relation", "probe", "categories"]
    relation = answers["relation"]
    assert relation.decided and relation.answer == "positive" and relation.chapter == "06_brain"
    assert relation.numbers == {"estimate": 0.4, "ci_low": 0.1, "ci_high": 0.7}
    assert "12 trained networks" in relation.summary and "0.40 [0.10, 0.70]" in relation.summary
    assert "16 judging" in relation.labels["data"] and "4 in an fMRI scanner" in relation.labels["data"]
    probe = answers["probe"]
    assert probe.answer == "judgements: raised; IT: no detectable change" and not probe.decided
    assert "+0.080 [+0.030, +0.120]" in probe.summary and "simulated" in probe.labels["data"]
    categories = answers["categories"]
    assert categories.decided and categories.answer == "yes: human / non-human"
    assert "human / non-human 0.300 [0.200, 0.400] (not detected in IT alone)" in categories.summary
    undecided = study.brain_answers(_brain_result(relation_low=-0.1))["relation"]
    assert not undecided.decided and undecided.answer.startswith("undecided")


def test_claim_caveats_say_what_could_be_tested_and_on_which_measure():
    models = ["litert/mobilenet_v1_025_128.quant_in1k", "litert/mobilenet_v1_050_160.quant_in1k",
              "litert/mobilenet_v1_075_192.quant_in1k"]
    profile = study.make_profile(models=models, check_data=False)
    scale = pd.DataFrame([{"half": "size", "comparison": "MobileNet v1 | supervised softmax | ImageNet-1k | "
                           "uint8 (TF1 quantised)", "n_models": 3}])
    data = pd.DataFrame([{"human_data": h, "comparison": "ImageNet-1k - iNaturalist 2017 birds", "difference": d,
                          "held_fixed": "mobilenet_v2_100_224, supervised softmax, uint8"}
                         for h, d in (("THINGS odd-one-out (real people)", 0.01), ("92 images (real people)", 0.06))])
    gaps = pd.DataFrame([{"human_data": "92 images (real people)", "difference": -0.074}])
    out = study.claim_caveats(profile, _verdicts() | {"dataset": Verdict("reproduced", "r"),
                                                     "concepts": Verdict("undecided", "r")},
                              scale=scale, data=data, gaps=gaps, missing_sets=["cichy118"])
    assert out["scale"].startswith("Size within MobileNet v1 (3 models, 0.21–1.8 M parameters; width and input "
                                   "resolution grow together). Architecture: no two families at matched")
    assert out["scale"].endswith("On the paper's measure (THINGS odd-one-out), margin ±0.012 (the precision gap).")
    assert out["objective"].startswith("0 image/text contrastive models (2 needed).")
    assert "not the paper's two arrangement data sets (not in this profile)" in out["transfer"]
    assert "the probe is fitted on THINGS triplets" in out["transfer"]
    assert out["dataset"].startswith("ImageNet-1k against iNaturalist 2017 birds (MobileNet v2 1.0, one objective")
    assert "the broader side is not one of the paper's larger data sets" in out["dataset"]
    assert "THINGS (the paper's measure) +0.010 to +0.010" in out["dataset"]
    assert "92 images (not the paper's) +0.060 to +0.060, precision gap 0.074." in out["dataset"]
    assert "42 public VICE dimensions" in out["concepts"]


def test_reader_table_names_headers_and_merges_intervals():
    df = pd.DataFrame({"human_data": ["92 images"], "comparison": ["a - b"], "difference": [0.1234],
                       "ci_low": [0.01], "ci_high": [0.2], "outcome": ["as the paper says"],
                       "gain": [0.05], "gain_low": [0.0], "gain_high": [0.1], "dimensions": [[3, 41]]})
    out = tables.reader_table(df, caption="c", csv_name="x")
    assert list(out.cells.columns) == ["Human data", "Comparison", "Difference (95 % CI)", "Reading of the interval",
                                       "Gain (95 % CI)", "Dimensions"]
    row = out.cells.iloc[0]
    assert row["Difference (95 % CI)"].replace("\u2212", "-").startswith("0.123 [0.010, 0.200]")
    assert row["Dimensions"] == "3, 41"
    assert "ci_low" in out.data.columns  # the bounds stay in the download
    with pytest.raises(KeyError):
        tables.reader_table(df, ["nope"])


def test_reader_table_aligns_text_that_holds_only_figures_as_numbers():
    df = pd.DataFrame({"name": ["food", "sports"], "cell": ["0.512 [0.489, 0.534] (120)", "—"],
                       "dimensions": [[41], [36, 2]]})
    out = tables.reader_table(df)
    assert {"Cell", "Dimensions"} <= out.numeric and "Dimension" not in out.numeric


def test_with_normalised_rescales_accuracy_as_the_papers_code():
    table = pd.DataFrame({"zero_shot": [1 / 3, 0.673, np.nan], "probed": [0.5, 0.6, 0.55], "other": [1, 2, 3]})
    out = study.with_normalised(table)
    np.testing.assert_allclose(out["zero_shot_normalised"][:2], [0.0, 1.0])
    assert np.isnan(out["zero_shot_normalised"][2]) and "other_normalised" not in out
    # A plain loop over the official formula.
    assert out["probed_normalised"].tolist() == pytest.approx([(v - 1 / 3) / (0.673 - 1 / 3) for v in table["probed"]])
    assert list(study.with_normalised(table[["other"]]).columns) == ["other"]


def test_named_dimensions_show_names_with_their_numbers():
    dimensions = pd.DataFrame({"dimension": [0, 1, 2], "name": ["food", "animals", "royal"]})
    terms = pd.DataFrame({"term": ["food", "sports"], "dimensions": [[0, 2], []]})
    out = study.named_dimensions(terms, dimensions)
    assert out["dimensions"].tolist() == ["food (0), royal (2)", "none"]
    assert terms["dimensions"].tolist() == [[0, 2], []]  # the input is left as it was


def test_gap_table_reads_a_precision_gap_without_the_papers_words():
    gaps = pd.DataFrame({"human_data": ["a", "b", "c"], "difference": [0.1, -0.1, 0.0],
                         "outcome": ["as the paper says", "the opposite", "undecided (the interval covers 0)"]})
    out = study.gap_table(gaps)
    assert not out["outcome"].str.contains("paper").any()
    assert out["outcome"].tolist() == ["a gap (the interval lies above 0)", "a gap (the interval lies below 0)",
                                       "no detectable gap (the interval covers 0)"]


def test_paper_comparison_and_its_differences_in_words():
    profile = study.make_profile(models=["torchvision/alexnet.IMAGENET1K_V1", "torchvision/resnet50.IMAGENET1K_V1",
                                         "litert/mobilenet_v2_100_224.qat_in1k", "pypi/efficientnet_lite0.in1k"],
                                 check_models=False, check_data=False)
    table = study.paper_comparison(profile)
    assert table["model"].tolist() == ["torchvision/alexnet.IMAGENET1K_V1", "torchvision/resnet50.IMAGENET1K_V1",
                                       "litert/mobilenet_v2_100_224.qat_in1k"]
    assert table["differs"].tolist() == ["none", "ImageNet top-1", "another checkpoint, ImageNet top-1"]
    assert table.loc[0, "params_paper"] == pytest.approx(61.0) and table.loc[0, "params_ours"] == pytest.approx(61.10084)
    text = study.paper_differences(table)
    assert "AlexNet" not in text
    assert "* ResNet-50: ImageNet top-1 76.1 % here, 80.9 % there.\n" in text
    assert "another checkpoint of the architecture of the paper's `mobilenet_v2-retrained-no_ls-no_dropout`" in text
    assert "no parameter count there" in text and text.count("\n* ") == 1
    assert study.paper_differences(table.iloc[:1]) == ""


def test_probe_source_says_what_the_probe_is_fitted_on():
    demo = study.make_profile(models=["x/y.z"], check_models=False, check_data=False)
    assert study.probe_source(demo) == "the probe fitted on triplets simulated from VICE"
    things = study.make_profile(models=["x/y.z"], dataset="things", n_triplets=None, check_models=False,
                                check_data=False)
    assert study.probe_source(things) == "the probe fitted on real THINGS triplets"


def test_what_was_held_fixed_is_named_in_words():
    assert study.held_fixed_words(["mobilenet_v2_100_224, supervised softmax, ImageNet-1k", "MobileNet v2 backbone"]) \
        == ["MobileNet v2 1.0, supervised softmax, ImageNet-1k", "MobileNet v2 backbone"]
    table = pd.DataFrame({"comparison": ["a - b"], "held_fixed": ["mobilenet_v1_100_224, uint8"]})
    assert study.in_words(table)["held_fixed"].tolist() == ["MobileNet v1 1.0, uint8"]
    assert study.in_words(table[["comparison"]]).equals(table[["comparison"]])
    gaps = study.gap_table(table.assign(outcome=["as the paper says"]))
    assert gaps.loc[0, "held_fixed"] == "MobileNet v1 1.0, uint8"


def test_the_brain_tables_are_pivoted_to_fit_the_column():
    mean = "mean of trained networks"
    probe = pd.DataFrame([
        {"label": "a", "target": "behaviour", "probed": 0.4, "gain": 0.1, "gain_low": 0.05, "gain_high": 0.15},
        {"label": mean, "target": "behaviour", "probed": 0.3, "gain": 0.09, "gain_low": 0.0, "gain_high": 0.1},
        {"label": "a", "target": "IT", "probed": 0.2, "gain": 0.01, "gain_low": -0.02, "gain_high": 0.04},
        {"label": mean, "target": "IT", "probed": 0.1, "gain": 0.0, "gain_low": -0.1, "gain_high": 0.1},
        {"label": mean, "target": "behaviour minus IT", "probed": np.nan, "gain": 0.09, "gain_low": 0.0,
         "gain_high": 0.2}])
    wide = study.probe_by_data(probe)
    assert wide["label"].tolist() == ["a", mean]
    assert wide.loc[0, "behaviour_gain"] == 0.1 and wide.loc[0, "IT_gain_low"] == -0.02 and wide.loc[1, "IT_probed"] == 0.1
    shown = tables.reader_table(wide, ["label", "behaviour_gain", "IT_gain"])
    assert list(shown.cells.columns) == ["Model", "Behaviour gain (95 % CI)", "IT gain (95 % CI)"]
    cats = study.categories_by_measure(_brain_result().categories)
    assert cats[["division", "target"]].values.tolist() == [["human / non-human (animate images)", "behaviour"],
                                                            ["human / non-human (animate images)", "IT"],
                                                            ["face / body (animate images)", "behaviour"]]
    assert cats.loc[0, "beyond"] == 0.3 and np.isnan(cats.loc[0, "plain"]) and cats.loc[1, "plain_high"] == 0.1


def test_one_row_per_claim_carries_its_chapter_rule_unit_and_verdict():
    """The claims table is the one source: the landing table's claims, the methods page's
    rules and the effect units are read from its rows, and every claim has a verdict function
    and a chapter."""
    from humanalign import vocabulary
    from conftest import ROOT

    rows = vocabulary.CLAIM_ROWS
    assert list(study.VERDICTS) == [c.key for c in rows] == list(vocabulary.CLAIMS)
    assert vocabulary.RULES == tuple((c.title, c.resampled, c.rule, c.margin) for c in rows)
    assert study.EFFECT_UNITS == {c.key: c.effect_unit for c in rows}
    for claim in rows:
        assert (ROOT / "notebooks" / f"{claim.chapter}.py").is_file(), claim.chapter
        assert claim.title.split(":")[0].lower() in {"scale", "objective", "training data", "transfer", "concepts"}
    table = vocabulary.rules_table()
    assert list(table["claim"]) == [c.title for c in rows] and list(table["margin"]) == [c.margin for c in rows]
